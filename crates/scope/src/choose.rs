//! Choosing the subject: the profile the indicator names and its first attacker event, or for
//! `--auto`, the long-term key that departs most clearly from its history.

use std::collections::BTreeSet;

use cloudcase_model::scope::AutoRank;

use crate::build::time;
use crate::intrusion::{self, Intrusion};
use crate::net::network_of;
use crate::scan::{Pass1, Profile, Subject};
use crate::ScopeError;

/// The outcome of choosing a subject.
#[derive(Debug)]
pub enum Choice {
    /// The subject's profile key, its first attacker event, and the `--auto` ranking.
    Found(String, Intrusion, Vec<AutoRank>),
    /// Nothing departs from the history: the profile key (none for `--auto`) and why.
    NoDeparture(Option<String>, String),
}

/// Picks the subject profile and its first attacker event; for `--auto`, ranks every AKIA key.
pub fn choose_subject(
    subject: &Subject,
    p1: &Pass1,
    owner: &dyn Fn(&str) -> bool,
) -> Result<Choice, ScopeError> {
    let indicator = matches!(subject, Subject::Ip(_));
    if let Subject::Auto = subject {
        let mut ranked: Vec<(i64, String, Intrusion, Vec<String>)> = Vec::new();
        for (key, prof) in &p1.profiles {
            let Some(intr) = intrusion::find(prof, owner, false) else {
                continue;
            };
            let (score, reasons) = auto_score(prof, &intr);
            if score > 0 {
                ranked.push((score, key.clone(), intr, reasons));
            }
        }
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let list: Vec<AutoRank> = ranked
            .iter()
            .map(|(score, key, intrusion, reasons)| AutoRank {
                access_key: key.clone(),
                score: *score,
                first_departure: time(intrusion.first.ms),
                reasons: reasons.clone(),
            })
            .collect();
        let Some((_, key, intr, _)) = ranked.into_iter().next() else {
            return Ok(Choice::NoDeparture(
                None,
                "--auto: no long-term access key departs from its history (a new network together with IAM grants or launches in new regions)".into(),
            ));
        };
        return Ok(Choice::Found(key, intr, list));
    }
    let (key, prof) = p1
        .profiles
        .iter()
        .next()
        .ok_or_else(|| ScopeError::NoSubjectEvents(describe(subject)))?;
    Ok(match intrusion::find(prof, owner, indicator) {
        Some(intr) => Choice::Found(key.clone(), intr, Vec::new()),
        None => Choice::NoDeparture(
            Some(key.clone()),
            format!(
                "{}: {} events, and none departs from its history (no network or client first used after at least 24 hours of history)",
                describe(subject),
                prof.count
            ),
        ),
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
fn auto_score(prof: &Profile, intr: &Intrusion) -> (i64, Vec<String>) {
    let mut reasons = Vec::new();
    let nets: BTreeSet<String> = intr
        .attacker_ips
        .iter()
        .filter_map(|ip| network_of(ip))
        .collect();
    let from_new =
        |ip: &Option<Box<str>>| ip.as_deref().is_some_and(|i| intr.attacker_ips.contains(i));
    let after = |p: &crate::scan::Ptr| p.ms >= intr.first.ms;
    let admin: Vec<&str> = prof
        .admin_changes
        .iter()
        .filter(|(p, _, ip)| after(p) && from_new(ip))
        .map(|(_, n, _)| &**n)
        .collect();
    let new_region = |r: &str| prof.regions.get(r).is_some_and(|t| *t >= intr.first.ms);
    let (launch_new, launch_known): (Vec<&str>, Vec<&str>) = prof
        .launches
        .iter()
        .filter(|(p, _, ip)| after(p) && from_new(ip))
        .map(|(_, r, _)| &**r)
        .partition(|r| new_region(r));
    let denied: u64 = prof
        .denied
        .iter()
        .filter(|(ip, _)| intr.attacker_ips.contains(&***ip))
        .map(|(_, n)| n)
        .sum();
    if !nets.is_empty() {
        reasons.push(format!(
            "used from {} new network(s) after at least 24 h of history, first at {}: {}",
            nets.len(),
            time(intr.first.ms),
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
