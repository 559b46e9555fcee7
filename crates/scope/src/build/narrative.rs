//! The `subject` and `intrusion` sections: the credential's legitimate history and the first
//! event that departs from it, with the attacker's client and last event.

use std::collections::BTreeMap;

use cloudcase_model::scope::{
    AutoRank, Departure, History, Intrusion, Method, OtherChange, Subject, SubjectKind,
};

use super::attribution::OWNER_USE;
use super::common::{candidate_ref, reference, source_use, time};
use super::identities;
use super::quiet::{self, ProfileRef};
use super::resources;
use super::{Claim, Ctx};
use crate::net::ua_family;
use crate::net::Cidr;
use crate::scan::{self, Use};

/// The rule that found the first attacker event.
fn rule(method: Method) -> &'static str {
    match method {
        Method::Network => "first event of the earliest activity cluster from a /24 (IPv4) or /64 (IPv6) network never used by the subject, after at least 24 h of history, that the shared judge rates at least medium (novelty with behaviour or misuse; clusters in the same /16 or sharing its new client a day before count too)",
        Method::ClientFamily => "first event of the earliest activity cluster with a client family and OS never used by the subject, after at least 24 h of history, that the shared judge rates at least medium",
        Method::Indicator => "first event from the given address range",
        Method::Behaviour => "too little history before the activity (the logs start near it): the first event of the earliest activity cluster (per /24 or /64) whose behaviour the shared judge rates at least medium",
        Method::CredentialMisuse => "the first event of the earliest activity cluster (per /24 or /64) where the credential is used against its nature (a compute credential off its compute, one session key from two networks, console sign-in failures then a success, MFA gone), rated at least medium by the shared judge",
    }
}

/// The subject's kind as written in the document.
pub(crate) fn subject_kind(subject: &scan::Subject) -> SubjectKind {
    match subject {
        scan::Subject::AccessKey(_) => SubjectKind::AccessKey,
        scan::Subject::Principal(_) => SubjectKind::Principal,
        scan::Subject::Ip(_) => SubjectKind::Ip,
        scan::Subject::Auto => SubjectKind::Auto,
    }
}

/// The `subject` section (with no departure, its whole history: see `quiet`).
pub(crate) fn subject(ctx: &Ctx<'_>, ranking: Vec<AutoRank>, owner_ranges: &[Cidr]) -> Subject {
    let intrusion = match ctx.claim {
        Claim::Intrusion(intrusion) => intrusion,
        Claim::Unattributed { .. } => {
            let profile = ProfileRef {
                key: ctx.subject_key,
                profile: ctx.profile,
            };
            return quiet::subject_section(ctx.subject, Some(&profile));
        }
    };
    let (profile, window, t0) = (ctx.profile, ctx.window, ctx.t0);
    let mut history_sources: Vec<(&Box<str>, &Use)> = profile
        .ips
        .iter()
        .filter(|(_, u)| u.first.ms < t0)
        .collect();
    history_sources.sort_by_key(|(ip, u)| (u.first.key(), (*ip).clone()));
    Subject {
        kind: subject_kind(ctx.subject),
        value: Some(ctx.subject_key.to_owned()),
        principals: Some(profile.arns.to_strings()),
        accounts: Some(profile.accounts.to_strings()),
        events: Some(profile.count),
        first_seen: profile.first.as_ref().map(|p| time(p.ms)),
        last_seen: Some(time(profile.last_ms)),
        auto_ranking: ranking,
        owner_ranges: Some(owner_ranges.iter().map(|c| c.to_string()).collect()),
        history: Some(History {
            until: Some(time(t0)),
            events: window.baseline.events,
            networks: Some(intrusion.history_networks.clone()),
            sources: history_sources
                .into_iter()
                .map(|(ip, u)| source_use(ip, u))
                .collect(),
            user_agent_families: Some(window.baseline.families.clone()),
            regions: Some(window.baseline.regions.clone()),
            hours_utc: Some(window.baseline.hours.to_vec()),
        }),
        started_from: None,
    }
}

/// The `intrusion` section; `by_ip` are the attacker sources' uses. With no departure, only
/// the explanation (see `quiet`).
pub(crate) fn intrusion(ctx: &Ctx<'_>, by_ip: &BTreeMap<String, Use>) -> Intrusion {
    let intrusion = match ctx.claim {
        Claim::Intrusion(intrusion) => intrusion,
        Claim::Unattributed { explanation, .. } => return quiet::intrusion_section(explanation),
    };
    let attacker = || ctx.attributed().filter(|a| a.attacker).map(|a| a.candidate);
    let other_attacker_changes = ctx
        .attacker_events()
        .filter(|c| {
            c.read_only == Some(false)
                && !identities::handles(&c.name)
                && !resources::handles(&c.name)
        })
        .map(|c| OtherChange {
            event: c.name.to_string(),
            service: c.service.to_string(),
            region: c.region.to_string(),
            time: time(c.ptr.ms),
            refs: candidate_ref(&c),
        })
        .collect();
    let last = attacker()
        .map(|c| c.ptr.ms)
        .chain(by_ip.values().map(|u| u.last_ms))
        .max();
    let owner_changes_after = ctx
        .attributed()
        .filter(|a| !a.attacker && a.candidate.subject && a.candidate.read_only != Some(true))
        .count();
    Intrusion::Found(Departure {
        first_attacker_event: time(ctx.t0),
        first_attacker_event_ms: ctx.t0,
        method: intrusion.mode,
        novel: intrusion.novel.clone(),
        rule: Some(rule(intrusion.mode).to_owned()),
        confidence: intrusion.confidence,
        signals: intrusion.signals.clone(),
        attacker_client_family: by_ip
            .values()
            .flat_map(|u| u.uas.first())
            .next()
            .map(ua_family),
        last_attacker_event: last.map(time),
        attacker_events_in_candidates: attacker().count() as u64,
        owner_changes_after: owner_changes_after as u64,
        owner_changes_note: OWNER_USE.to_owned(),
        other_attacker_changes,
        attacker_countries: None,
        refs: vec![reference(&intrusion.first)],
    })
}
