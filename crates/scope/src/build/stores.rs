//! Data-access verdicts: for each data store touched or reachable by the attacker (or, with no
//! departure, by the named credential's activity), ACCESSED / NOT OBSERVED / UNKNOWN, with the
//! accesses and the coverage behind the verdict.

use std::collections::{BTreeMap, BTreeSet};

use cloudcase_model::scope::{
    DataAccess, Reader, RecordRef, StoreCoverage, StoreKind, Unknown, UnknownTopic,
};

use super::common::{reference, time};
use super::resources::ShareRec;
use super::{Ctx, Wording};
use crate::scan::{AccessId, StoreCov, StoreId, Use};
use crate::stores::{Access, Logging, StoreSpec, STORES};
use crate::verdict::{decide, Verdict};

/// One of the attacker's accesses to a store, with its use.
struct StoreAccess<'a> {
    id: &'a AccessId,
    used: &'a Use,
}

/// Whether the logging that records reads of this store covered it in the window, and how.
fn coverage(ctx: &Ctx<'_>, spec: &StoreSpec, cov: Option<&StoreCov>) -> (bool, StoreCoverage) {
    let region = cov.and_then(|c| c.region.as_deref()).unwrap_or("");
    match spec.logging {
        Logging::DataEvents => {
            let c = cov.cloned().unwrap_or_default();
            (
                c.data_in_window > 0,
                StoreCoverage::DataEvents {
                    data_events: c.data_events,
                    data_events_in_window: c.data_in_window,
                    data_events_first: c.data_span.map(|s| time(s.0)),
                    data_events_last: c.data_span.map(|s| time(s.1)),
                },
            )
        }
        Logging::ManagementReads => {
            let n = ctx
                .window
                .mgmt_read_in_window
                .get(region)
                .copied()
                .unwrap_or(0);
            (
                n > 0,
                StoreCoverage::ManagementReads {
                    region: region.to_owned(),
                    management_read_events_in_window: n,
                },
            )
        }
        Logging::Never => (
            false,
            StoreCoverage::NotInCloudtrail {
                region: region.to_owned(),
                management_write_events: ctx.window.coverage.mgmt_write,
                note: "reads through the database engine are never in CloudTrail; exports, snapshots, shares and restores are management events".to_owned(),
            },
        ),
    }
}

/// The basis sentence of a verdict, naming the activity followed as `w` says.
fn basis(v: Verdict, counts: &BTreeMap<Access, u64>, cov: &StoreCoverage, w: Wording) -> String {
    let n = |a| counts.get(&a).copied().unwrap_or(0);
    let Wording {
        actor,
        identities,
        first_event,
        window,
        ..
    } = w;
    match (v, cov) {
        (Verdict::Accessed, _) => format!(
            "{} successful read(s) and {} export/share/restore call(s) by {identities}",
            n(Access::Read),
            n(Access::Expose)
        ),
        (Verdict::NotObserved, StoreCoverage::DataEvents { data_events_in_window, .. }) => format!(
            "{data_events_in_window} data event(s) on this store from {first_event} to the end of the logs; none by {identities}"
        ),
        // The region is quoted (written as a JSON string), as it always was in this sentence.
        (Verdict::NotObserved, StoreCoverage::ManagementReads { region, management_read_events_in_window }) => format!(
            "read management events of {} are logged in the window ({management_read_events_in_window} events); no successful read by {identities}",
            serde_json::Value::from(region.as_str())
        ),
        (Verdict::NotObserved, StoreCoverage::NotInCloudtrail { .. }) => {
            "never NOT OBSERVED: reads through the engine are never in CloudTrail".to_owned()
        }
        (Verdict::Unknown, StoreCoverage::DataEvents { .. }) => format!("no data events for this store from {first_event} to the end of the logs: management events cannot show reads"),
        (Verdict::Unknown, StoreCoverage::ManagementReads { .. }) => format!("no read management events of its region in {window}"),
        (Verdict::Unknown, StoreCoverage::NotInCloudtrail { .. }) if n(Access::Open) > 0 => format!(
            "{actor} opened a way to read it ({} call(s): password reset, snapshot, policy or grant); reads through the engine are never in CloudTrail",
            n(Access::Open)
        ),
        // Access-log coverage is set afterwards by `crate::logs`, which words its own basis.
        (_, StoreCoverage::S3AccessLog { .. }) => String::new(),
        (Verdict::Unknown, StoreCoverage::NotInCloudtrail { .. }) => format!("no export, snapshot share or restore by {actor} in the management events; reads through the engine are never in CloudTrail"),
    }
}

/// The verdicts, one per store; UNKNOWN verdicts add an entry to `unknowns`.
pub(crate) fn verdicts(
    ctx: &Ctx<'_>,
    shares: &[ShareRec],
    unknowns: &mut Vec<Unknown>,
) -> Vec<DataAccess> {
    let mut by_store: BTreeMap<&StoreId, Vec<StoreAccess<'_>>> = BTreeMap::new();
    for (id, used) in &ctx.store_access {
        by_store
            .entry(&id.store)
            .or_default()
            .push(StoreAccess { id, used });
    }
    let listed: BTreeSet<&StoreId> = ctx
        .window
        .coverage
        .stores
        .keys()
        .filter(|id| StoreSpec::of_kind(id.kind).is_some_and(|s| s.list_all))
        .chain(by_store.keys().copied())
        .collect();
    let any_data = ctx
        .window
        .coverage
        .categories
        .get("Data")
        .copied()
        .unwrap_or(0)
        > 0;
    let mut out = Vec::new();
    for spec in STORES {
        for id in listed.iter().filter(|id| id.kind == spec.kind) {
            let accesses = by_store.remove(id).unwrap_or_default();
            out.push(verdict(ctx, spec, id, accesses, any_data, unknowns));
        }
    }
    for s in shares {
        let store = match s.image {
            cloudcase_contain::ImageKind::Snapshot => StoreKind::SnapshotShare,
            cloudcase_contain::ImageKind::Ami => StoreKind::AmiShare,
        };
        let with = serde_json::to_string(&s.share.shared_with).unwrap_or_default();
        out.push(DataAccess {
            store,
            name: s.share.id.clone(),
            region: Some(s.share.region.clone()),
            verdict: Verdict::Accessed,
            basis: format!("shared with {with}"),
            readers: None,
            attacker_failed_reads: None,
            coverage: None,
            access_log_reads: None,
            refs: s.share.refs.clone(),
        });
    }
    out
}

/// Why an UNKNOWN verdict cannot be settled.
fn unknown_why(logging: Logging, any_data: bool, w: Wording) -> String {
    match logging {
        Logging::DataEvents if any_data => format!(
            "the inputs hold data events, but none for this store in {}",
            w.window
        ),
        Logging::DataEvents => "the inputs hold no data events at all".to_owned(),
        Logging::ManagementReads => {
            format!("no read management events of its region in {}", w.window)
        }
        Logging::Never => "CloudTrail never records reads through the database engine".to_owned(),
    }
}

fn verdict(
    ctx: &Ctx<'_>,
    spec: &StoreSpec,
    id: &StoreId,
    mut accesses: Vec<StoreAccess<'_>>,
    any_data: bool,
    unknowns: &mut Vec<Unknown>,
) -> DataAccess {
    accesses.sort_by_key(|a| a.used.first.key());
    let cov = ctx.window.coverage.stores.get(id);
    let mut counts: BTreeMap<Access, u64> = BTreeMap::new();
    let mut failed = 0;
    for a in &accesses {
        if a.id.succeeded {
            *counts.entry(a.id.access).or_default() += a.used.count;
        } else if matches!(a.id.access, Access::Read | Access::Expose) {
            failed += a.used.count;
        }
    }
    let (covered, coverage) = coverage(ctx, spec, cov);
    let seen = counts.get(&Access::Read).copied().unwrap_or(0)
        + counts.get(&Access::Expose).copied().unwrap_or(0);
    let v = decide(seen, covered);
    let name = &*id.name;
    let mut refs: Vec<RecordRef> = accesses
        .iter()
        .filter(|a| a.id.access != Access::Other)
        .map(|a| reference(&a.used.first))
        .collect();
    if refs.is_empty() {
        refs.extend(cov.and_then(|c| c.first_mention.as_ref()).map(reference));
    }
    if v == Verdict::Unknown {
        unknowns.push(Unknown {
            about: Some(UnknownTopic::DataStore {
                store: spec.kind,
                name: name.to_owned(),
            }),
            question: format!("{} {name}", spec.reads_what),
            why: unknown_why(spec.logging, any_data, ctx.wording()),
            would_resolve: spec.would_resolve.to_owned(),
            refs: Some(refs.clone()),
        });
    }
    let readers = accesses
        .iter()
        .filter(|a| a.id.succeeded && a.id.access != Access::Other)
        .map(|a| Reader {
            access_key: a.id.key.to_string(),
            ip: a.id.ip.to_string(),
            access: a.id.access,
            events: a.used.count,
            event_names: a.used.names.to_strings(),
            first: time(a.used.first.ms),
            last: time(a.used.last_ms),
        })
        .collect();
    DataAccess {
        store: spec.kind,
        name: name.to_owned(),
        region: cov.and_then(|c| c.region.as_deref()).map(str::to_owned),
        verdict: v,
        basis: basis(v, &counts, &coverage, ctx.wording()),
        readers: Some(readers),
        attacker_failed_reads: Some(failed),
        coverage: Some(coverage),
        access_log_reads: None,
        refs,
    }
}
