//! The `coverage` section: what the inputs contain — time span, categories, management read and
//! write events, data-event coverage per store, regions, and hours without any event.

use serde_json::{json, Value};

use super::json::time;
use super::Ctx;
use crate::stores::{Logging, StoreSpec};

/// Gaps longer than this many hours are listed.
const GAP_HOURS: i64 = 6;

/// Builds the section.
pub(crate) fn build(ctx: &Ctx<'_>) -> Value {
    let p2 = ctx.p2;
    let mut regions: Vec<_> = p2.regions.iter().collect();
    regions.sort_by(|a, b| a.0.cmp(b.0));
    let mut hours: Vec<i64> = p2.hours.iter().copied().collect();
    hours.sort_unstable();
    let gaps: Vec<Value> = hours
        .windows(2)
        .filter(|w| w[1] - w[0] > GAP_HOURS)
        .map(|w| json!({"from": time((w[0] + 1) * 3_600_000), "to": time(w[1] * 3_600_000), "hours": w[1] - w[0] - 1}))
        .collect();
    let mut stores: Vec<_> = p2
        .stores
        .iter()
        .filter(|((kind, _), c)| {
            c.data_events > 0
                && StoreSpec::of_kind(kind).is_some_and(|s| s.logging == Logging::DataEvents)
        })
        .collect();
    stores.sort_by(|a, b| a.0.cmp(b.0));
    let data_stores = |kind: Option<&str>, key: &str| -> Vec<Value> {
        stores
            .iter()
            .filter(|((k, _), _)| kind.is_none_or(|want| *k == want))
            .map(|((k, name), c)| {
                let mut v = json!({key: &**name, "data_events": c.data_events, "first": c.data_span.map(|s| time(s.0)), "last": c.data_span.map(|s| time(s.1))});
                if kind.is_none() {
                    v["store"] = json!(k);
                }
                v
            })
            .collect()
    };
    json!({
        "first_event": ctx.p1.span.map(|s| time(s.0)),
        "last_event": ctx.p1.span.map(|s| time(s.1)),
        "attacker_window": {"from": time(ctx.t0), "to": time(ctx.end_ms)},
        "categories": p2.categories,
        "management_read_events": p2.mgmt_read,
        "management_write_events": p2.mgmt_write,
        "data_event_buckets": data_stores(Some("s3_bucket"), "bucket"),
        "data_event_stores": data_stores(None, "name"),
        "regions": regions.iter().map(|(r, c)| json!({"region": &***r, "events": c.events, "first": c.span.map(|s| time(s.0)), "last": c.span.map(|s| time(s.1))})).collect::<Vec<_>>(),
        "gaps_over_6h": gaps,
        "gaps_note": "hours with no event in any input: quiet time or missing logs; `cloudcase trail validate` proves which",
    })
}
