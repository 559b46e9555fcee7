//! The `subject` and `intrusion` sections: the credential's legitimate history and the first
//! event that departs from it, with the attacker's client and last event.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::attribution::OWNER_USE;
use super::identities;
use super::json::{cand_ref, reference, time, use_json};
use super::resources;
use super::Ctx;
use crate::net::ua_family;
use crate::scan::{Subject, Use};
use crate::Cidr;

/// The rule that found the first attacker event, by method.
const RULES: &[(&str, &str)] = &[
    ("network", "first event from a /24 (IPv4) or /64 (IPv6) network never used by the subject, after at least 24 h of history"),
    ("client_family", "the subject roams across many networks: first event from a user-agent family never used by it, after at least 24 h of history"),
    ("indicator", "first event from the given address range"),
];

/// The subject's kind as written in the document.
pub(crate) fn subject_kind(subject: &Subject) -> &'static str {
    match subject {
        Subject::AccessKey(_) => "access_key",
        Subject::Principal(_) => "principal",
        Subject::Ip(_) => "ip",
        Subject::Auto => "auto",
    }
}

/// The `subject` section.
pub(crate) fn subject(ctx: &Ctx<'_>, ranking: Vec<Value>, owner_ranges: &[Cidr]) -> Value {
    let (profile, p2, t0) = (ctx.profile, ctx.p2, ctx.t0);
    let mut hist: Vec<(&Box<str>, &Use)> = profile
        .ips
        .iter()
        .filter(|(_, u)| u.first.ms < t0)
        .collect();
    hist.sort_by_key(|(ip, u)| (u.first.key(), (*ip).clone()));
    json!({
        "kind": subject_kind(ctx.subject),
        "value": ctx.subject_key,
        "principals": profile.arns.iter().map(|s| &**s).collect::<Vec<_>>(),
        "accounts": profile.accounts.iter().map(|s| &**s).collect::<Vec<_>>(),
        "events": profile.count,
        "first_seen": profile.first.as_ref().map(|p| time(p.ms)),
        "last_seen": time(profile.last_ms),
        "auto_ranking": ranking,
        "owner_ranges": owner_ranges.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        "history": {
            "until": time(t0),
            "events": p2.baseline_events,
            "networks": ctx.intr.history_networks,
            "sources": hist.into_iter().map(|(ip, u)| use_json(ip, u)).collect::<Vec<_>>(),
            "user_agent_families": p2.baseline_families,
            "regions": p2.baseline_regions,
            "hours_utc": p2.baseline_hours.to_vec(),
        },
    })
}

/// The `intrusion` section; `by_ip` are the attacker sources' uses.
pub(crate) fn intrusion(ctx: &Ctx<'_>, by_ip: &BTreeMap<String, Use>) -> Value {
    let intr = ctx.intr;
    let attacker = || ctx.attributed.iter().filter(|(_, a)| *a).map(|(c, _)| *c);
    let other_changes: Vec<Value> = ctx
        .attacker_events()
        .filter(|c| {
            c.read_only == Some(false) && !identities::handles(&c.name) && !resources::handles(&c.name)
        })
        .map(|c| json!({"event": &*c.name, "service": &*c.service, "region": &*c.region, "time": time(c.ptr.ms), "refs": cand_ref(c)}))
        .collect();
    let rule = RULES.iter().find(|(m, _)| *m == intr.mode).map(|(_, r)| *r);
    json!({
        "first_attacker_event": time(ctx.t0),
        "first_attacker_event_ms": ctx.t0,
        "method": intr.mode,
        "novel": intr.novel,
        "rule": rule,
        "attacker_client_family": by_ip.values().flat_map(|u| u.uas.first()).next().map(|s| ua_family(s)),
        "last_attacker_event": attacker().map(|c| c.ptr.ms).chain(by_ip.values().map(|u| u.last_ms)).max().map(time),
        "attacker_events_in_candidates": attacker().count(),
        "owner_changes_after": ctx.attributed.iter().filter(|(c, a)| !*a && c.subject && c.read_only != Some(true)).count(),
        "owner_changes_note": OWNER_USE,
        "other_attacker_changes": other_changes,
        "refs": [reference(&intr.first)],
    })
}
