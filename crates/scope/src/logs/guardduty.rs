//! GuardDuty findings joined to what scope found: attacker keys, identities, instances,
//! addresses and listed buckets. Findings never decide the intrusion; they corroborate it.

use cloudcase_event::detail::Finding;
use cloudcase_event::Event;
use cloudcase_model::scope::{GuardDuty, Join, JoinKind, JoinedFinding, ScopeResult, StoreKind};

use super::Facts;
use crate::record::{reference, time, Ptr};

/// The third pass's findings: those joined, kept whole (GuardDuty findings are few), and a
/// count of the others.
#[derive(Debug, Default)]
pub(super) struct Findings {
    joined: Vec<(Ptr, JoinedFinding)>,
    not_joined: u64,
    seen: bool,
}

/// What a finding names that the document knows.
fn joins(facts: &Facts, f: &Finding) -> Vec<Join> {
    let mut out = Vec::new();
    let mut on = |on: JoinKind, value: &str| {
        let j = Join {
            on,
            value: value.to_owned(),
        };
        if !out.contains(&j) {
            out.push(j);
        }
    };
    if let Some(k) = f
        .access_key_id
        .as_deref()
        .filter(|k| facts.keys.contains(*k))
    {
        on(JoinKind::AccessKey, k);
    }
    if let Some(u) = f.user_name.as_deref() {
        // A user by its name; a role session by its role's name, as GuardDuty names it.
        let named = |arn: &String| {
            arn == u
                || arn.rsplit(['/', ':']).next() == Some(u)
                || super::facts::role_session(arn).and_then(|rs| rs.split('/').next()) == Some(u)
        };
        if facts.users.iter().chain(&facts.compromised).any(named) || facts.roles.contains(u) {
            on(JoinKind::Principal, u);
        }
    }
    if let Some(i) = f
        .instance_id
        .as_deref()
        .filter(|i| facts.instances.contains_key(*i))
    {
        on(JoinKind::Instance, i);
    }
    for ip in &f.remote_ips {
        if let Some(a) = ip.parse().ok().and_then(|a| facts.attacker_address(&a)) {
            on(JoinKind::Address, a);
        }
    }
    for b in f.buckets.iter().filter(|b| facts.buckets.contains(*b)) {
        on(JoinKind::Bucket, b);
    }
    out
}

impl Findings {
    pub(super) fn add(&mut self, facts: &Facts, ev: &Event, f: &Finding) {
        self.seen = true;
        let joined_on = joins(facts, f);
        if joined_on.is_empty() {
            self.not_joined += 1;
            return;
        }
        let p = Ptr::of(ev);
        self.joined.push((
            p.clone(),
            JoinedFinding {
                id: f.id.clone(),
                finding_type: f.finding_type.clone(),
                severity: f.severity,
                title: f.title.clone(),
                first_seen: f.first_seen.map(|t| time(t.millis())),
                last_seen: f.last_seen.map(|t| time(t.millis())),
                count: f.count,
                archived: f.archived,
                joined_on,
                refs: vec![reference(&p)],
            },
        ));
    }

    pub(super) fn merge(&mut self, o: Findings) {
        self.joined.extend(o.joined);
        self.not_joined += o.not_joined;
        self.seen |= o.seen;
    }

    /// The section; `None` when the inputs hold no finding.
    pub(super) fn build(mut self) -> Option<GuardDuty> {
        if !self.seen {
            return None;
        }
        self.joined.sort_by(|(pa, a), (pb, b)| {
            b.severity
                .total_cmp(&a.severity)
                .then_with(|| pa.key().cmp(&pb.key()))
        });
        Some(GuardDuty {
            findings: self.joined.into_iter().map(|(_, f)| f).collect(),
            not_joined: self.not_joined,
            note: "findings corroborate what the logs show; they never decide the intrusion or a verdict on their own".to_owned(),
        })
    }
}

/// Names joined findings in the basis of what they corroborate — a bucket's verdict, an
/// attacker instance's traffic — without changing either.
pub(super) fn corroborate(doc: &mut ScopeResult) {
    let Some(g) = doc.guardduty.as_ref() else {
        return;
    };
    let mut notes: Vec<(JoinKind, String, String)> = Vec::new();
    for f in &g.findings {
        for j in f
            .joined_on
            .iter()
            .filter(|j| matches!(j.on, JoinKind::Bucket | JoinKind::Instance))
        {
            let note = format!(
                "; GuardDuty finding {} ({}, severity {:.1}) names it too, which corroborates but decides nothing",
                f.finding_type, f.id, f.severity
            );
            notes.push((j.on, j.value.clone(), note));
        }
    }
    for (on, value, note) in notes {
        match on {
            JoinKind::Bucket => doc
                .data_access
                .iter_mut()
                .filter(|d| d.store == StoreKind::S3Bucket && d.name == value)
                .for_each(|d| d.basis.push_str(&note)),
            _ => doc
                .network
                .iter_mut()
                .flat_map(|n| n.instances.iter_mut())
                .filter(|i| i.instance_id == value)
                .for_each(|i| i.basis.push_str(&note)),
        }
    }
}
