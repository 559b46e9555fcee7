//! The command's result: one report per principal and the lists.

use std::collections::BTreeMap;

use cloudcase_model::scope::RecordRef;
use serde::Serialize;
use serde_json::Value;

use crate::collect::{Collector, PrincipalUse, TimedRef, Usage};
use crate::exclude::Exclusion;
use crate::inventory::Inventory;
use crate::lists::{self, utc, KeyFinding, RemoveItem, RotateItem};
use crate::policy::{design, SourceIpRule, WildcardReason, SOURCE_IP_RULE};
use crate::HardenError;

/// The path of service-linked roles, whose policies AWS owns: left out.
const SERVICE_LINKED: &str = ":role/aws-service-role/";

/// Options of [`build`].
#[derive(Debug, Clone, Copy)]
pub struct HardenOptions<'a> {
    /// `--unused-days`: remove after, rotate after.
    pub unused_days: i64,
    /// The case's `aws:iam` inventory snapshot (the latest), when it has one: remove and
    /// rotate then rest on it instead of on the logs.
    pub inventory: Option<&'a Inventory>,
}

/// One long-term key of a principal.
#[derive(Debug, Clone, Serialize)]
pub struct KeyReport {
    /// Key id.
    pub access_key: String,
    /// First call kept, RFC 3339 UTC.
    pub first_used: String,
    /// Last call kept.
    pub last_used: String,
    /// Calls kept.
    pub calls: u64,
    /// Calls per source network.
    pub networks: BTreeMap<String, u64>,
    /// User agents.
    pub user_agents: Vec<String>,
}

/// One action a principal used.
#[derive(Debug, Clone, Serialize)]
pub struct ActionReport {
    /// `service:Action`.
    pub action: String,
    /// Successful calls.
    pub calls: u64,
    /// The ARNs the events named.
    pub resources: Vec<String>,
    /// Why the policy grants it on `*`, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wildcard: Option<WildcardReason>,
}

/// What one principal used and the policy that allows just that.
#[derive(Debug, Clone, Serialize)]
pub struct PrincipalReport {
    /// ARN of the user, role (sessions folded in) or root.
    pub principal: String,
    /// `user`, `role` or `root`.
    pub kind: String,
    /// Its long-term keys.
    pub access_keys: Vec<KeyReport>,
    /// `service:Action` names used, sorted.
    pub used_actions: Vec<String>,
    /// Per action: calls, resources, wildcard reason.
    pub actions: Vec<ActionReport>,
    /// The IAM policy document.
    pub policy: Value,
    /// Networks of the `aws:SourceIp` condition (absent: the rule did not hold).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<Vec<String>>,
    /// Whether the policy requires MFA (console users).
    pub require_mfa: bool,
    /// First call kept, RFC 3339 UTC.
    pub first_used: String,
    /// Last call kept.
    pub last_used: String,
    /// Calls per source network.
    pub networks: BTreeMap<String, u64>,
    /// User agents.
    pub user_agents: Vec<String>,
    /// Console sign-ins.
    pub console_logins: u64,
    /// Calls made with MFA.
    pub mfa_calls: u64,
    /// Failed calls, not granted.
    pub denied_calls: u64,
    /// Event names mapping to no action of the table, not granted.
    pub unknown_actions: BTreeMap<String, u64>,
    /// Events scope attributed to the attacker, dropped.
    pub excluded_attacker_events: u64,
    /// The earliest records kept.
    pub refs: Vec<RecordRef>,
}

/// What was excluded, for the output.
#[derive(Debug, Clone, Serialize)]
pub struct ExclusionReport {
    /// One sentence saying what was done.
    pub note: String,
    /// The exclusion.
    #[serde(flatten)]
    pub exclusion: Exclusion,
    /// Events dropped, all principals.
    pub excluded_attacker_events: u64,
}

/// The rules applied.
#[derive(Debug, Clone, Serialize)]
pub struct Rules {
    /// The `aws:SourceIp` rule.
    pub source_ip: SourceIpRule,
    /// `--unused-days`.
    pub unused_days: i64,
    /// The time unused-for is measured back from: the inventory snapshot's, else the last
    /// event in the inputs.
    pub as_of: String,
    /// What remove and rotate rest on: `aws:iam inventory <file>` or `logs`.
    pub lists_basis: String,
    /// Services and actions in the IAM action table.
    pub action_table: [usize; 2],
}

/// The whole result (`--format json`).
#[derive(Debug, Clone, Serialize)]
pub struct HardenResult {
    /// One entry per principal.
    pub principals: Vec<PrincipalReport>,
    /// Principals and keys to remove.
    pub remove: Vec<RemoveItem>,
    /// Keys to rotate.
    pub rotate: Vec<RotateItem>,
    /// Long-term keys used from CI that could be role sessions.
    pub ci_keys: Vec<KeyFinding>,
    /// Secrets to move to Secrets Manager.
    pub secrets: Vec<KeyFinding>,
    /// What scope attributed to the attacker and was left out.
    pub exclusion: ExclusionReport,
    /// The rules applied.
    pub rules: Rules,
}

fn refs(r: &[TimedRef]) -> Vec<RecordRef> {
    r.iter().map(TimedRef::to_ref).collect()
}

fn key_report(k: &str, u: &Usage) -> KeyReport {
    KeyReport {
        access_key: k.to_owned(),
        first_used: utc(u.first_ms),
        last_used: utc(u.last_ms),
        calls: u.calls,
        networks: u.networks.clone(),
        user_agents: u.agents.iter().cloned().collect(),
    }
}

fn principal_report(
    arn: &str,
    p: &PrincipalUse,
    table: &crate::ActionTable,
) -> Result<PrincipalReport, HardenError> {
    let d = design(p, &SOURCE_IP_RULE);
    table.check(arn, &d.policy)?;
    let seen = p.usage.calls > 0;
    let time = |ms| if seen { utc(ms) } else { String::new() };
    Ok(PrincipalReport {
        principal: arn.to_owned(),
        kind: p.kind.to_owned(),
        access_keys: p.keys.iter().map(|(k, u)| key_report(k, u)).collect(),
        used_actions: p.actions.keys().cloned().collect(),
        actions: p
            .actions
            .iter()
            .map(|(a, u)| ActionReport {
                action: a.clone(),
                calls: u.calls,
                resources: u.resources.iter().cloned().collect(),
                wildcard: d.wildcards.get(a).copied(),
            })
            .collect(),
        policy: d.policy,
        source_ip: d.source_ip,
        require_mfa: d.require_mfa,
        first_used: time(p.usage.first_ms),
        last_used: time(p.usage.last_ms),
        networks: p.usage.networks.clone(),
        user_agents: p.usage.agents.iter().cloned().collect(),
        console_logins: p.console_logins,
        mfa_calls: p.mfa_calls,
        denied_calls: p.denied_calls,
        unknown_actions: p.unknown_actions.clone(),
        excluded_attacker_events: p.excluded_attacker_events,
        refs: refs(&p.usage.refs),
    })
}

/// The note on what was excluded.
fn exclusion_note(x: &Exclusion, dropped: u64) -> String {
    if !x.applied {
        return "no recorded scope result: no exclusion was applied; policies include every call in the inputs".to_owned();
    }
    format!(
        "{dropped} events scope attributed to the attacker were left out (sources {}, keys {}, {} created identities; window {} – {})",
        x.sources.len(),
        x.access_keys.len(),
        x.created.len(),
        x.window[0],
        x.window[1]
    )
}

/// The result from the merged tallies. Principals with no action kept (only attacker events,
/// or only sign-ins such as root's), service-linked roles (AWS owns their policies) and
/// attacker-created identities (listed in `remove`) get no policy.
pub fn build(c: &Collector, opts: HardenOptions<'_>) -> Result<HardenResult, HardenError> {
    let ctx = c.context();
    let x = ctx.exclusion();
    let mut sorted: Vec<(&String, &PrincipalUse)> = c.principals.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let kept: Vec<(&String, &PrincipalUse)> = sorted
        .iter()
        .copied()
        .filter(|(arn, p)| {
            !p.actions.is_empty()
                && !arn.contains(SERVICE_LINKED)
                && !x.created_identity(arn.rsplit('/').next().unwrap_or(arn))
        })
        .collect();
    let mut principals = Vec::with_capacity(kept.len());
    for (arn, p) in &kept {
        principals.push(principal_report(arn, p, ctx.table())?);
    }
    let dropped = sorted.iter().map(|(_, p)| p.excluded_attacker_events).sum();
    let logs_end = if c.last_event_ms == i64::MIN {
        0
    } else {
        c.last_event_ms
    };
    let days = opts.unused_days;
    let taken = opts.inventory.and_then(|i| Some((i, i.taken_ms()?)));
    let (remove, rotate, now, basis) = match taken {
        Some((inv, taken)) => {
            let last = |arn: &str| c.principals.get(arn).map(|p| p.usage.last_ms);
            let mut remove = lists::remove(&[], x, days, taken);
            remove.extend(inv.remove(days, &last));
            (
                remove,
                inv.rotate(days),
                taken,
                format!("aws:iam inventory {}", inv.file),
            )
        }
        None => (
            lists::remove(&kept, x, days, logs_end),
            lists::rotate(&kept, days, logs_end),
            logs_end,
            "logs".to_owned(),
        ),
    };
    Ok(HardenResult {
        principals,
        remove,
        rotate,
        ci_keys: lists::ci_keys(&kept),
        secrets: lists::secrets(&kept),
        exclusion: ExclusionReport {
            note: exclusion_note(x, dropped),
            exclusion: x.clone(),
            excluded_attacker_events: dropped,
        },
        rules: Rules {
            source_ip: SOURCE_IP_RULE,
            unused_days: opts.unused_days,
            as_of: if now == 0 { String::new() } else { utc(now) },
            lists_basis: basis,
            action_table: ctx.table().size(),
        },
    })
}
