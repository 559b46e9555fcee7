//! From the two passes' aggregates to the scope document. The attacker is followed first
//! (`follow`), every candidate event of the window is attributed, and each section of the
//! document is then built by its own module.

mod attribution;
mod containment;
mod coverage;
mod follow;
mod identities;
mod json;
mod narrative;
mod quiet;
mod resources;
mod stores;

use std::collections::{BTreeMap, BTreeSet};

use cloudcase_pricing::{estimate, PriceTable};
use serde_json::{json, Value};

pub use json::{reference, time};
pub use quiet::no_departure;

use crate::intrusion::Intrusion;
use crate::scan::{Cand, Pass1, Pass2, Profile, Subject, Use};
use crate::Cidr;
use attribution::Attributor;
use follow::Attacker;
use identities::Identities;
use resources::Resources;

/// Everything [`build`] needs.
pub struct Inputs<'a> {
    /// The subject as given.
    pub subject: &'a Subject,
    /// The chosen profile's key.
    pub subject_key: &'a str,
    /// Its profile.
    pub profile: &'a Profile,
    /// Pass 1.
    pub p1: &'a Pass1,
    /// The first attacker event.
    pub intr: &'a Intrusion,
    /// `--auto` ranking.
    pub ranking: Vec<Value>,
    /// Pass 2.
    pub p2: Pass2,
    /// Whether an address is the owner's.
    pub owner: &'a dyn Fn(&str) -> bool,
    /// `--owner-ip` ranges.
    pub owner_ranges: &'a [Cidr],
    /// Case id for the plan.
    pub case_id: &'a str,
}

/// What every section reads: the passes, the attacker as followed, each candidate's attribution.
pub(crate) struct Ctx<'a> {
    subject: &'a Subject,
    subject_key: &'a str,
    profile: &'a Profile,
    p1: &'a Pass1,
    p2: &'a Pass2,
    intr: &'a Intrusion,
    owner: &'a dyn Fn(&str) -> bool,
    att: Attacker,
    /// Candidate events in order, with whether each is the attacker's.
    attributed: Vec<(&'a Cand, bool)>,
    /// The first attacker event, ms.
    t0: i64,
    /// The last event of the inputs, ms.
    end_ms: i64,
}

impl<'a> Ctx<'a> {
    /// The attacker's successful events, in order.
    fn attacker_events(&self) -> impl Iterator<Item = &'a Cand> + '_ {
        self.attributed
            .iter()
            .filter(|(c, a)| *a && c.error.is_none())
            .map(|(c, _)| *c)
    }

    /// Whether the subject is one long-term key (given, or chosen by `--auto`).
    fn subject_is_key(&self) -> bool {
        matches!(self.subject, Subject::AccessKey(_) | Subject::Auto)
    }

    /// User names of the compromised principal.
    fn compromised_users(&self) -> BTreeSet<String> {
        self.profile
            .arns
            .iter()
            .filter_map(|a| a.split_once(":user/"))
            .map(|(_, n)| n.rsplit('/').next().unwrap_or(n).to_owned())
            .collect()
    }

    /// The account the subject belongs to.
    fn account(&self) -> String {
        self.profile
            .accounts
            .first()
            .map(|a| a.to_string())
            .or_else(|| {
                self.p2
                    .cands
                    .first()
                    .and_then(|c| c.caller_account.as_deref().map(str::to_owned))
            })
            .unwrap_or_default()
    }

    /// Every address attributed to the attacker, with its use in the window.
    fn attacker_sources(&self) -> BTreeMap<String, Use> {
        let mut by_ip: BTreeMap<String, Use> = BTreeMap::new();
        for ((_, ip), u) in &self.p2.key_use {
            if self.att.ips.contains(&**ip) {
                match by_ip.get_mut(&**ip) {
                    Some(x) => json::merge_use(x, u),
                    None => {
                        by_ip.insert(ip.to_string(), u.clone());
                    }
                }
            }
        }
        by_ip
    }
}

/// Builds the scope document.
pub fn build(inp: Inputs<'_>) -> Value {
    let p2 = inp.p2;
    let att = follow::follow(&p2, inp.intr, inp.subject, inp.owner);
    let attributed = p2
        .cands
        .iter()
        .map(|c| (c, att.is_attacker(c, inp.owner)))
        .collect();
    let t0 = inp.intr.first.ms;
    let ctx = Ctx {
        subject: inp.subject,
        subject_key: inp.subject_key,
        profile: inp.profile,
        p1: inp.p1,
        p2: &p2,
        intr: inp.intr,
        owner: inp.owner,
        att,
        attributed,
        t0,
        end_ms: inp.p1.span.map_or(t0, |s| s.1),
    };
    let mut ids = Identities::collect(&ctx);
    let mut res = Resources::collect(&ctx);
    let who = Attributor::new(&ctx, res.names());
    let mut responder_actions = Vec::new();
    for (c, is_att) in &ctx.attributed {
        let (attribution, why) = who.classify(c, *is_att);
        if c.error.is_none() {
            ids.apply_lifecycle(c, attribution);
            res.apply_lifecycle(c, attribution);
        }
        responder_actions.extend(attribution::responder_action(c, attribution, why));
    }
    let permission_changes = attribution::permission_changes(&ctx, &who);
    let (runs, resources) = res.finish();
    let cost = estimate(&runs, ctx.end_ms, &PriceTable::builtin());
    let mut unknowns = Vec::new();
    let data_access = stores::verdicts(&ctx, &res.shares, &mut unknowns);
    let listed = listed_buckets(&ctx);
    if !listed.is_empty() {
        unknowns.push(json!({
            "question": "which buckets the attacker saw",
            "why": "the attacker called ListBuckets; CloudTrail does not log the names it returned, so buckets never named in an event are not listed under data_access",
            "would_resolve": "an inventory of the account's buckets, each checked against S3 data events or server access logs",
            "refs": listed,
        }));
    }
    unknowns.extend(cost_unknowns(&cost, &runs));
    let containment = containment::build(&ctx, inp.case_id, &ids, &res, &mut unknowns);
    let by_ip = ctx.attacker_sources();
    let activity = p2
        .activity
        .build(inp.p1.span.unwrap_or((t0, t0)), &|k, ip| {
            ctx.att.uses(k, ip, ctx.owner)
        });
    json!({
        "subject": narrative::subject(&ctx, inp.ranking, inp.owner_ranges),
        "intrusion": narrative::intrusion(&ctx, &by_ip),
        "attacker_sources": by_ip.iter().map(|(ip, u)| json::use_json(ip, u)).collect::<Vec<_>>(),
        "identities": {
            "compromised": {"subject": ctx.subject_key, "principals": ctx.profile.arns.iter().map(|s| &**s).collect::<Vec<_>>()},
            "users": ids.users.into_values().collect::<Vec<_>>(),
            "access_keys": ids.keys.into_values().collect::<Vec<_>>(),
            "roles": ids.roles.into_values().collect::<Vec<_>>(),
            "attacker_access_keys": ctx.att.keys.iter().collect::<BTreeSet<_>>(),
        },
        "sessions": ids.sessions,
        "permission_changes": permission_changes,
        "resources": resources,
        "responder_actions": responder_actions,
        "data_access": data_access,
        "coverage": coverage::build(&ctx),
        "cost": cost,
        "containment": containment,
        "activity": activity,
        "unknowns": unknowns,
    })
}

/// References of the attacker's `ListBuckets` calls.
fn listed_buckets(ctx: &Ctx<'_>) -> Vec<Value> {
    ctx.p2
        .list_buckets
        .iter()
        .filter(|((k, ip), _)| ctx.att.uses(k, ip, ctx.owner))
        .map(|(_, u)| reference(&u.first))
        .collect()
}

/// Unknowns about the cost: unpriced runs, instances still running at the end of the logs.
fn cost_unknowns(
    cost: &cloudcase_pricing::CostEstimate,
    runs: &[cloudcase_pricing::InstanceRun],
) -> Vec<Value> {
    let mut out = Vec::new();
    if cost.unpriced_runs > 0 {
        let missing: BTreeSet<String> = cost
            .instances
            .iter()
            .filter(|i| i.cost_usd.is_none())
            .map(|i| format!("{} in {}", i.instance_type, i.region))
            .collect();
        out.push(json!({"question": "cost of instance runs without a list price", "why": format!("{} run(s) not priced (no price in the table for {}): the total is a lower bound", cost.unpriced_runs, missing.into_iter().collect::<Vec<_>>().join(", ")), "would_resolve": "refresh the price table with cloudcase-pricing-update from AWS's offer files, or the billing console"}));
    }
    if runs.iter().any(|r| r.end.is_none()) {
        out.push(json!({"question": "total cost of instances still running", "why": "the logs end while some attacker instances run: cost is counted to the end of the logs", "would_resolve": "the billing console or Cost Explorer"}));
    }
    out
}
