//! Small shapes shared by every section (record references, times, callers, source use), and
//! reading fields of a request or response.

use cloudcase_event::EventTime;
use cloudcase_model::scope::{Caller, RecordRef, SourceUse};
use serde_json::Value;

use crate::net::network_of;
use crate::scan::{Cand, Ptr, Use};

/// A pointer as a record reference: `{file, record, event_id}`.
pub fn reference(p: &Ptr) -> RecordRef {
    RecordRef {
        file: p.file.path.display().to_string(),
        record: p.record,
        event_id: p.event_id.as_deref().map(str::to_owned),
    }
}

/// A time as RFC 3339 UTC.
pub fn time(ms: i64) -> String {
    EventTime::from_millis(ms).to_utc_string()
}

/// The one-element `refs` array of a candidate event.
pub(crate) fn cand_ref(c: &Cand) -> Vec<RecordRef> {
    vec![reference(&c.ptr)]
}

/// The caller of a candidate event (`by`).
pub(crate) fn actor(c: &Cand) -> Caller {
    Caller {
        arn: c.arn.as_deref().map(str::to_owned),
        access_key: c.key.as_deref().map(str::to_owned),
        ip: c.ip.as_deref().map(str::to_owned),
        user_agent: c.ua.as_deref().map(str::to_owned),
    }
}

/// One source address's use (first/last seen, count, user agents).
pub(crate) fn source_use(ip: &str, u: &Use) -> SourceUse {
    SourceUse {
        ip: ip.to_owned(),
        network: network_of(ip),
        country: None,
        first_seen: time(u.first.ms),
        last_seen: time(u.last_ms),
        events: u.count,
        user_agents: u.uas.to_strings(),
        refs: vec![reference(&u.first)],
    }
}

/// A string at a JSON pointer of a request or response.
pub(crate) fn sv<'v>(v: &'v Value, path: &str) -> Option<&'v str> {
    v.pointer(path).and_then(Value::as_str)
}

/// Strings of `field` in each element of the array at `path` of a request or response.
pub(crate) fn strings_at(v: &Value, path: &str, field: &str) -> Vec<String> {
    v.pointer(path)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|i| i.get(field).and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}
