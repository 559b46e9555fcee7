//! Small shapes shared by every section (record references and times from `record`, callers,
//! source use), and reading fields of a request or response.

use cloudcase_model::scope::{Caller, RecordRef, SourceUse};
use serde_json::Value;

use crate::net::network_of;
pub(crate) use crate::record::{reference, time};
use crate::scan::{Candidate, Use};

/// The one-element `refs` array of a candidate event.
pub(crate) fn candidate_ref(c: &Candidate) -> Vec<RecordRef> {
    vec![reference(&c.ptr)]
}

/// The caller of a candidate event (`by`).
pub(crate) fn actor(c: &Candidate) -> Caller {
    Caller {
        arn: c.who.arn.as_deref().map(str::to_owned),
        access_key: c.who.key.as_deref().map(str::to_owned),
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
