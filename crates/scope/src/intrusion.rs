//! The first departure from a subject's history.

use std::collections::HashSet;

use cloudcase_model::scope::Method;

use crate::net::{is_novel, network_of, ua_family};
use crate::scan::{Profile, Ptr};

/// A subject needs this much history before a new network counts as a departure from it.
pub const MIN_HISTORY_MS: i64 = 24 * 3_600_000;

/// With this many distinct networks already in its history, a subject roams (laptops, CI
/// runners on shared clouds): novelty is then judged by client family instead of network.
pub const ROAMING_NETWORKS: usize = 8;

/// The first novel item of `firsts` (name, first-use order key): the earliest whose first use is at
/// least `min_history_ms` after `subject_first_ms`; with how many items were seen before it.
pub fn first_novel<'a>(
    firsts: &[(&'a str, (i64, u64, u64))],
    subject_first_ms: i64,
    min_history_ms: i64,
) -> Option<(&'a str, (i64, u64, u64), usize)> {
    let mut v: Vec<_> = firsts.to_vec();
    v.sort_by_key(|(n, k)| (*k, *n));
    v.iter()
        .position(|(_, k)| is_novel(k.0, subject_first_ms, min_history_ms))
        .map(|i| (v[i].0, v[i].1, i))
}

/// How the first attacker event was found.
#[derive(Debug, Clone)]
pub struct Intrusion {
    /// The first attacker event.
    pub first: Ptr,
    /// How it was found (`indicator`: the subject is an address range).
    pub mode: Method,
    /// The novel network or client family.
    pub novel: String,
    /// Networks seen before it.
    pub history_networks: Vec<String>,
    /// Attacker source addresses from the subject's own history.
    pub attacker_ips: HashSet<String>,
}

/// Finds the first attacker event in a profile. `owner` says whether an address belongs to the
/// owner (`--owner-ip`): such addresses are never novel. `indicator` is true when the subject is
/// itself an address range: its first event is the first attacker event.
pub fn find(profile: &Profile, owner: &dyn Fn(&str) -> bool, indicator: bool) -> Option<Intrusion> {
    let subj_first = profile.first.as_ref()?.ms;
    if indicator {
        let first = profile
            .ips
            .iter()
            .filter(|(ip, _)| !owner(ip))
            .map(|(_, u)| u.first.clone())
            .min_by_key(Ptr::key)?;
        return Some(Intrusion {
            first,
            mode: Method::Indicator,
            novel: String::new(),
            history_networks: Vec::new(),
            attacker_ips: profile
                .ips
                .keys()
                .filter(|ip| !owner(ip))
                .map(|s| s.to_string())
                .collect(),
        });
    }
    let nets = profile.networks(owner);
    let firsts: Vec<(&str, (i64, u64, u64))> =
        nets.iter().map(|(n, p)| (n.as_str(), p.key())).collect();
    let (net, key, before) = first_novel(&firsts, subj_first, MIN_HISTORY_MS)?;
    let roaming = before >= ROAMING_NETWORKS;
    let fams: Vec<(&str, (i64, u64, u64))> = profile
        .families
        .iter()
        .map(|(f, p)| (f.as_str(), p.key()))
        .collect();
    let (mode, novel, t0key) = if roaming {
        let (fam, k, _) = first_novel(&fams, subj_first, MIN_HISTORY_MS)?;
        (Method::ClientFamily, fam.to_owned(), k)
    } else {
        (Method::Network, net.to_owned(), key)
    };
    let first = if roaming {
        profile.families[&novel].clone()
    } else {
        nets[&novel].clone()
    };
    debug_assert_eq!(first.key(), t0key);
    let history_networks: Vec<String> = nets
        .iter()
        .filter(|(_, p)| p.key() < t0key)
        .map(|(n, _)| n.clone())
        .collect();
    let history_families: Vec<String> = fams
        .iter()
        .filter(|(_, k)| *k < t0key)
        .map(|(f, _)| f.to_string())
        .collect();
    let hist_nets: HashSet<&str> = history_networks.iter().map(String::as_str).collect();
    let hist_fams: HashSet<&str> = history_families.iter().map(String::as_str).collect();
    let attacker_ips = profile
        .ips
        .iter()
        .filter(|(ip, u)| {
            if owner(ip) || (u.first.key() < t0key && !roaming) {
                return false;
            }
            match network_of(ip) {
                None => false,
                Some(n) if !roaming => !hist_nets.contains(n.as_str()),
                Some(_) => {
                    u.last_ms >= first.ms
                        && u.uas
                            .iter()
                            .any(|ua| !hist_fams.contains(ua_family(ua).as_str()))
                }
            }
        })
        .map(|(ip, _)| ip.to_string())
        .collect();
    Some(Intrusion {
        first,
        mode,
        novel,
        history_networks,
        attacker_ips,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    #[test]
    fn first_novel_network_needs_history() {
        let f = [
            ("10.0.0.0/24", (0, 0, 0)),
            ("10.0.1.0/24", (2 * H, 0, 1)),
            ("203.0.113.0/24", (30 * H, 0, 5)),
            ("198.51.100.0/24", (31 * H, 0, 0)),
        ];
        let (n, k, before) = first_novel(&f, 0, MIN_HISTORY_MS).unwrap();
        assert_eq!(n, "203.0.113.0/24");
        assert_eq!(k.0, 30 * H);
        assert_eq!(before, 2);
        // A second network on the first day is not a departure: no baseline yet.
        assert!(first_novel(&f[..2], 0, MIN_HISTORY_MS).is_none());
    }

    #[test]
    fn ties_break_by_input_order() {
        let f = [("b", (30 * H, 2, 0)), ("a", (30 * H, 1, 9))];
        assert_eq!(first_novel(&f, 0, MIN_HISTORY_MS).unwrap().0, "a");
    }
}
