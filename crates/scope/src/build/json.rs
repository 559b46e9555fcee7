//! Small JSON shapes shared by every section: record references, times, callers, source use.

use cloudcase_event::EventTime;
use serde_json::{json, Value};

use crate::net::network_of;
use crate::scan::{Cand, Ptr, Use};

/// A pointer as a JSON reference: `{file, record, event_id}`.
pub fn reference(p: &Ptr) -> Value {
    json!({
        "file": p.file.path.display().to_string(),
        "record": p.record,
        "event_id": p.event_id.as_deref(),
    })
}

/// A time as RFC 3339 UTC.
pub fn time(ms: i64) -> String {
    EventTime::from_millis(ms).to_utc_string()
}

/// The one-element `refs` array of a candidate event.
pub(crate) fn cand_ref(c: &Cand) -> Value {
    json!([reference(&c.ptr)])
}

/// The caller of a candidate event (`by`).
pub(crate) fn actor(c: &Cand) -> Value {
    json!({
        "arn": c.arn.as_deref(),
        "access_key": c.key.as_deref(),
        "ip": c.ip.as_deref(),
        "user_agent": c.ua.as_deref(),
    })
}

/// One source address's use (first/last seen, count, user agents).
pub(crate) fn use_json(ip: &str, u: &Use) -> Value {
    json!({
        "ip": ip,
        "network": network_of(ip),
        "first_seen": time(u.first.ms),
        "last_seen": time(u.last_ms),
        "events": u.count,
        "user_agents": u.uas.iter().map(|s| &**s).collect::<Vec<_>>(),
        "refs": [reference(&u.first)],
    })
}

/// A string at a JSON pointer.
pub(crate) fn sv<'v>(v: &'v Value, path: &str) -> Option<&'v str> {
    v.pointer(path).and_then(Value::as_str)
}

/// Strings of `field` in each element of the array at `path`.
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

/// Merges one use into another (first, last, count, up to five user agents).
pub(crate) fn merge_use(x: &mut Use, u: &Use) {
    if u.first.key() < x.first.key() {
        x.first = u.first.clone();
    }
    x.last_ms = x.last_ms.max(u.last_ms);
    x.count += u.count;
    for ua in &u.uas {
        if x.uas.len() < 5 && !x.uas.contains(ua) {
            x.uas.push(ua.clone());
        }
    }
}
