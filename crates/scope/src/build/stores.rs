//! Data-access verdicts: for each data store touched or reachable by the attacker, ACCESSED /
//! NOT OBSERVED / UNKNOWN, with the attacker's accesses and the coverage behind the verdict.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::json::{reference, time};
use super::Ctx;
use crate::scan::{StoreCov, StoreId, Use};
use crate::stores::{Access, Logging, StoreSpec, STORES};
use crate::verdict::{decide, Verdict};

/// The attacker's accesses to one store: (key, source, succeeded, access) → use.
type Accesses<'a> = Vec<(&'a str, &'a str, bool, Access, &'a Use)>;

fn access_name(a: Access) -> &'static str {
    match a {
        Access::Read => "read",
        Access::Expose => "expose",
        Access::Open => "open",
        Access::Other => "other",
    }
}

/// Whether the logging that records reads of this store covered it in the window, and how.
fn coverage(ctx: &Ctx<'_>, spec: &StoreSpec, cov: Option<&StoreCov>) -> (bool, Value) {
    let region = cov.and_then(|c| c.region.as_deref()).unwrap_or("");
    match spec.logging {
        Logging::DataEvents => {
            let c = cov.cloned().unwrap_or_default();
            (
                c.data_in_window > 0,
                json!({"logging": "data_events", "data_events": c.data_events, "data_events_in_window": c.data_in_window,
                       "data_events_first": c.data_span.map(|s| time(s.0)), "data_events_last": c.data_span.map(|s| time(s.1))}),
            )
        }
        Logging::ManagementReads => {
            let n = ctx.p2.mgmt_read_in_window.get(region).copied().unwrap_or(0);
            (
                n > 0,
                json!({"logging": "management_reads", "region": region, "management_read_events_in_window": n}),
            )
        }
        Logging::Never => (
            false,
            json!({"logging": "not_in_cloudtrail", "region": region,
                   "management_write_events": ctx.p2.mgmt_write,
                   "note": "reads through the database engine are never in CloudTrail; exports, snapshots, shares and restores are management events"}),
        ),
    }
}

/// The basis sentence of a verdict.
fn basis(spec: &StoreSpec, v: Verdict, counts: &BTreeMap<Access, u64>, cov: &Value) -> String {
    let n = |a| counts.get(&a).copied().unwrap_or(0);
    match v {
        Verdict::Accessed => format!(
            "{} successful read(s) and {} export/share/restore call(s) by attacker identities or sources",
            n(Access::Read),
            n(Access::Expose)
        ),
        Verdict::NotObserved => match spec.logging {
            Logging::DataEvents => format!(
                "{} data event(s) on this store from the first attacker event to the end of the logs; none by attacker identities or sources",
                cov["data_events_in_window"]
            ),
            _ => format!(
                "read management events of {} are logged in the window ({} events); no successful read by attacker identities or sources",
                cov["region"], cov["management_read_events_in_window"]
            ),
        },
        Verdict::Unknown => match spec.logging {
            Logging::DataEvents => "no data events for this store from the first attacker event to the end of the logs: management events cannot show reads".to_owned(),
            Logging::ManagementReads => "no read management events of its region in the attacker window".to_owned(),
            Logging::Never if n(Access::Open) > 0 => format!(
                "the attacker opened a way to read it ({} call(s): password reset, snapshot, policy or grant); reads through the engine are never in CloudTrail",
                n(Access::Open)
            ),
            Logging::Never => "no export, snapshot share or restore by the attacker in the management events; reads through the engine are never in CloudTrail".to_owned(),
        },
    }
}

/// The verdicts, one per store; UNKNOWN verdicts add an entry to `unknowns`.
pub(crate) fn verdicts(ctx: &Ctx<'_>, shares: &[Value], unknowns: &mut Vec<Value>) -> Vec<Value> {
    let mut by_store: BTreeMap<&StoreId, Accesses<'_>> = BTreeMap::new();
    for ((id, key, ip, ok, access), u) in &ctx.p2.store_access {
        if ctx.att.uses(key, ip, ctx.owner) {
            by_store
                .entry(id)
                .or_default()
                .push((key, ip, *ok, *access, u));
        }
    }
    let listed: BTreeSet<&StoreId> = ctx
        .p2
        .stores
        .keys()
        .filter(|(kind, _)| StoreSpec::of_kind(kind).is_some_and(|s| s.list_all))
        .chain(by_store.keys().copied())
        .collect();
    let any_data = ctx.p2.categories.get("Data").copied().unwrap_or(0) > 0;
    let mut out = Vec::new();
    for spec in STORES {
        for id in listed.iter().filter(|(k, _)| *k == spec.kind) {
            let accesses = by_store.remove(id).unwrap_or_default();
            out.push(verdict(ctx, spec, id, accesses, any_data, unknowns));
        }
    }
    for s in shares {
        out.push(json!({"store": s["kind"], "name": s["id"], "region": s["region"], "verdict": Verdict::Accessed, "basis": format!("shared with {}", s["shared_with"]), "refs": s["refs"]}));
    }
    out
}

fn verdict(
    ctx: &Ctx<'_>,
    spec: &StoreSpec,
    id: &StoreId,
    mut accesses: Accesses<'_>,
    any_data: bool,
    unknowns: &mut Vec<Value>,
) -> Value {
    accesses.sort_by_key(|a| a.4.first.key());
    let cov = ctx.p2.stores.get(id);
    let mut counts: BTreeMap<Access, u64> = BTreeMap::new();
    let mut failed = 0;
    for (_, _, ok, access, u) in &accesses {
        if *ok {
            *counts.entry(*access).or_default() += u.count;
        } else if matches!(access, Access::Read | Access::Expose) {
            failed += u.count;
        }
    }
    let (covered, coverage) = coverage(ctx, spec, cov);
    let seen = counts.get(&Access::Read).copied().unwrap_or(0)
        + counts.get(&Access::Expose).copied().unwrap_or(0);
    let v = decide(seen, covered);
    let name = &*id.1;
    let mut refs: Vec<Value> = accesses
        .iter()
        .filter(|a| a.3 != Access::Other)
        .map(|a| reference(&a.4.first))
        .collect();
    if refs.is_empty() {
        refs.extend(cov.and_then(|c| c.first_mention.as_ref()).map(reference));
    }
    if v == Verdict::Unknown {
        let why = match spec.logging {
            Logging::DataEvents if any_data => {
                "the inputs hold data events, but none for this store in the attacker window"
            }
            Logging::DataEvents => "the inputs hold no data events at all",
            Logging::ManagementReads => {
                "no read management events of its region in the attacker window"
            }
            Logging::Never => "CloudTrail never records reads through the database engine",
        };
        unknowns.push(json!({
            "question": format!("{} {name}", spec.reads_what),
            "why": why,
            "would_resolve": spec.would_resolve,
            "refs": refs.clone(),
        }));
    }
    let readers: Vec<Value> = accesses
        .iter()
        .filter(|a| a.2 && a.3 != Access::Other)
        .map(|(k, ip, _, access, u)| json!({"access_key": k, "ip": ip, "access": access_name(*access), "events": u.count, "event_names": u.names.iter().map(|s| &**s).collect::<Vec<_>>(), "first": time(u.first.ms), "last": time(u.last_ms)}))
        .collect();
    json!({
        "store": spec.kind, "name": name, "region": cov.and_then(|c| c.region.as_deref()),
        "verdict": v, "basis": basis(spec, v, &counts, &coverage),
        "readers": readers, "attacker_failed_reads": failed,
        "coverage": coverage, "refs": refs,
    })
}
