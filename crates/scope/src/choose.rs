//! Choosing the subject: the profile the indicator names and its first attacker event, or for
//! `--auto`, the long-term key that departs most clearly from its history.

use std::collections::BTreeSet;

use cloudcase_model::scope::AutoRank;

use crate::intrusion::{self, Intrusion};
use crate::net::network_of;
use crate::record::time;
use crate::scan::{Pass1, Profile, Subject};
use crate::ScopeError;

/// A long-term key that departs from its history, with its `--auto` score.
struct Ranked {
    score: i64,
    key: String,
    intrusion: Intrusion,
    reasons: Vec<String>,
}

/// The outcome of choosing a subject.
#[derive(Debug)]
pub enum Choice {
    /// A departure was found.
    Found {
        /// The subject's profile key.
        key: String,
        /// Its first attacker event.
        intrusion: Intrusion,
        /// The `--auto` ranking (empty otherwise).
        ranking: Vec<AutoRank>,
    },
    /// Nothing departs from the history.
    NoDeparture {
        /// The profile key (none for `--auto`).
        key: Option<String>,
        /// What was looked for.
        explanation: String,
    },
}

/// Picks the subject profile and its first attacker event; for `--auto`, ranks every AKIA key.
pub fn choose_subject(
    subject: &Subject,
    history: &Pass1,
    owner: &dyn Fn(&str) -> bool,
) -> Result<Choice, ScopeError> {
    let indicator = matches!(subject, Subject::Ip(_));
    if let Subject::Auto = subject {
        let mut ranked: Vec<Ranked> = Vec::new();
        for (key, profile) in &history.profiles {
            let Some(intrusion) = intrusion::find(profile, owner, false) else {
                continue;
            };
            let (score, reasons) = auto_score(profile, &intrusion);
            if score > 0 {
                ranked.push(Ranked {
                    score,
                    key: key.clone(),
                    intrusion,
                    reasons,
                });
            }
        }
        ranked.sort_by(|a, b| b.score.cmp(&a.score).then(a.key.cmp(&b.key)));
        let list: Vec<AutoRank> = ranked
            .iter()
            .map(|r| AutoRank {
                access_key: r.key.clone(),
                score: r.score,
                first_departure: time(r.intrusion.first.ms),
                reasons: r.reasons.clone(),
            })
            .collect();
        let Some(Ranked { key, intrusion, .. }) = ranked.into_iter().next() else {
            return Ok(Choice::NoDeparture {
                key: None,
                explanation: "--auto: no long-term access key departs from its history (a new network together with IAM grants or launches in new regions)".into(),
            });
        };
        return Ok(Choice::Found {
            key,
            intrusion,
            ranking: list,
        });
    }
    let (key, profile) = history
        .profiles
        .iter()
        .next()
        .ok_or_else(|| ScopeError::NoSubjectEvents(describe(subject)))?;
    Ok(match intrusion::find(profile, owner, indicator) {
        Some(intrusion) => Choice::Found {
            key: key.clone(),
            intrusion,
            ranking: Vec::new(),
        },
        None => Choice::NoDeparture {
            key: Some(key.clone()),
            explanation: format!(
                "{}: {} events, and none departs from its history (no network or client first used after at least 24 hours of history)",
                describe(subject),
                profile.count
            ),
        },
    })
}

fn describe(s: &Subject) -> String {
    match s {
        Subject::AccessKey(k) => format!("access key {k}"),
        Subject::Principal(p) => format!("principal {p}"),
        Subject::Ip(c) => format!("address range {c}"),
        Subject::Auto => "--auto".into(),
    }
}

/// Weights of the `--auto` signals: (points each, most counted).
const NEW_NETWORK: (i64, usize) = (2, 3);
const ADMIN_CHANGE: (i64, usize) = (3, 5);
const LAUNCH_NEW_REGION: (i64, usize) = (4, 5);
const LAUNCH_KNOWN_REGION: (i64, usize) = (2, 5);
/// Denied calls count in tens.
const DENIED_TENS: (i64, usize) = (1, 3);

fn points((each, cap): (i64, usize), n: usize) -> i64 {
    each * n.min(cap) as i64
}

fn listed(items: &[&str]) -> String {
    items
        .iter()
        .copied()
        .collect::<BTreeSet<&str>>()
        .into_iter()
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `--auto` score of a key whose history shows a departure, with reasons. A new network
/// alone scores nothing: it needs a second signal from the new networks — IAM grants, launches,
/// or calls refused for lack of permission (probing).
fn auto_score(profile: &Profile, intrusion: &Intrusion) -> (i64, Vec<String>) {
    let mut reasons = Vec::new();
    let nets: BTreeSet<String> = intrusion
        .attacker_ips
        .iter()
        .filter_map(|ip| network_of(ip))
        .collect();
    let from_new = |ip: &Option<Box<str>>| {
        ip.as_deref()
            .is_some_and(|i| intrusion.attacker_ips.contains(i))
    };
    let after = |p: &crate::scan::Ptr| p.ms >= intrusion.first.ms;
    let admin: Vec<&str> = profile
        .admin_changes
        .iter()
        .filter(|s| after(&s.at) && from_new(&s.source))
        .map(|s| &*s.what)
        .collect();
    let new_region = |r: &str| {
        profile
            .regions
            .get(r)
            .is_some_and(|t| *t >= intrusion.first.ms)
    };
    let (launch_new, launch_known): (Vec<&str>, Vec<&str>) = profile
        .launches
        .iter()
        .filter(|s| after(&s.at) && from_new(&s.source))
        .map(|s| &*s.what)
        .partition(|r| new_region(r));
    let denied: u64 = profile
        .denied
        .iter()
        .filter(|(ip, _)| intrusion.attacker_ips.contains(&***ip))
        .map(|(_, n)| n)
        .sum();
    if !nets.is_empty() {
        reasons.push(format!(
            "used from {} new network(s) after at least 24 h of history, first at {}: {}",
            nets.len(),
            time(intrusion.first.ms),
            nets.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    let signals = [
        (
            admin.len(),
            "IAM grant/create call(s) from new networks",
            listed(&admin),
        ),
        (
            launch_new.len(),
            "RunInstances from new networks in regions the key never used before",
            listed(&launch_new),
        ),
        (
            launch_known.len(),
            "RunInstances from new networks in regions the key used before",
            listed(&launch_known),
        ),
        (
            denied as usize,
            "call(s) from new networks refused for lack of permission (probing)",
            String::new(),
        ),
    ];
    for (n, what, which) in &signals {
        if *n > 0 {
            let which = if which.is_empty() {
                String::new()
            } else {
                format!(": {which}")
            };
            reasons.push(format!("{n} {what}{which}"));
        }
    }
    let second = points(ADMIN_CHANGE, admin.len())
        + points(LAUNCH_NEW_REGION, launch_new.len())
        + points(LAUNCH_KNOWN_REGION, launch_known.len())
        + points(DENIED_TENS, denied as usize / 10);
    if second == 0 {
        return (0, reasons);
    }
    (points(NEW_NETWORK, nets.len()) + second, reasons)
}
