//! The `coverage` section: what the inputs contain — time span, categories, management read and
//! write events, data-event coverage per store, regions, and hours without any event.

use cloudcase_model::scope::{
    DataEventBucket, DataEventStore, Gap, RegionCoverage, StoreKind, Window, WindowCoverage,
};

use super::common::time;
use super::Ctx;
use crate::scan::{StoreCov, StoreId};
use crate::stores::{Logging, StoreSpec};

/// Gaps longer than this many hours are listed.
const GAP_HOURS: i64 = 6;

/// First and last time of a span, RFC 3339 UTC.
fn span_times(span: Option<(i64, i64)>) -> (Option<String>, Option<String>) {
    (span.map(|s| time(s.0)), span.map(|s| time(s.1)))
}

/// Builds the section (the inventory snapshots are added by `now`).
pub(crate) fn build(ctx: &Ctx<'_>) -> WindowCoverage {
    let window = ctx.window;
    let mut regions: Vec<_> = window.coverage.regions.iter().collect();
    regions.sort_by(|a, b| a.0.cmp(b.0));
    let mut hours: Vec<i64> = window.coverage.hours.iter().copied().collect();
    hours.sort_unstable();
    let gaps = hours
        .windows(2)
        .filter(|w| w[1] - w[0] > GAP_HOURS)
        .map(|w| Gap {
            from: time((w[0] + 1) * 3_600_000),
            to: time(w[1] * 3_600_000),
            hours: w[1] - w[0] - 1,
        })
        .collect();
    let mut stores: Vec<(&StoreId, &StoreCov)> = window
        .coverage
        .stores
        .iter()
        .filter(|(id, c)| {
            c.data_events > 0
                && StoreSpec::of_kind(id.kind).is_some_and(|s| s.logging == Logging::DataEvents)
        })
        .collect();
    stores.sort_by(|a, b| (a.0.kind.as_str(), &a.0.name).cmp(&(b.0.kind.as_str(), &b.0.name)));
    let (first_event, last_event) = span_times(ctx.history.span);
    WindowCoverage {
        first_event,
        last_event,
        attacker_window: Window {
            from: time(ctx.t0),
            to: time(ctx.end_ms),
        },
        categories: window.coverage.categories.clone(),
        management_read_events: window.coverage.mgmt_read,
        management_write_events: window.coverage.mgmt_write,
        data_event_buckets: stores
            .iter()
            .filter(|(id, _)| id.kind == StoreKind::S3Bucket)
            .map(|(id, c)| {
                let (first, last) = span_times(c.data_span);
                DataEventBucket {
                    bucket: id.name.to_string(),
                    data_events: c.data_events,
                    first,
                    last,
                }
            })
            .collect(),
        data_event_stores: stores
            .iter()
            .map(|(id, c)| {
                let (first, last) = span_times(c.data_span);
                DataEventStore {
                    store: id.kind,
                    name: id.name.to_string(),
                    data_events: c.data_events,
                    first,
                    last,
                }
            })
            .collect(),
        regions: regions
            .into_iter()
            .map(|(region, c)| {
                let (first, last) = span_times(c.span);
                RegionCoverage {
                    region: region.to_string(),
                    events: c.events,
                    first,
                    last,
                }
            })
            .collect(),
        gaps_over_6h: gaps,
        gaps_note: "hours with no event in any input: quiet time or missing logs; `cloudcase trail validate` proves which".to_owned(),
        inventory: Vec::new(),
    }
}
