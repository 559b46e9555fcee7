//! An EventBridge event-pattern matcher written to the documented semantics ("Creating event
//! patterns", "Content filtering"): every field a pattern names must match (fields are ANDed),
//! the values listed for a field are alternatives (ORed), an array in the event matches when
//! any element does, and `$or` takes alternatives of sub-patterns. Matchers: exact values
//! (strings, numbers compared numerically, booleans, null), `prefix`, `suffix` (both also with
//! `equals-ignore-case`), `equals-ignore-case`, `anything-but` (values, lists, `prefix`,
//! `suffix`, `wildcard`, `equals-ignore-case`), `numeric`, `exists`, `wildcard` and `cidr`.
//! A field absent from the event matches only `{"exists": false}`.

use std::net::IpAddr;

use serde_json::{Map, Value};

/// Whether `event` (the whole EventBridge event) matches `pattern`.
pub fn matches(pattern: &Value, event: &Value) -> bool {
    match pattern.as_object() {
        Some(p) => object(p, &[event]),
        None => false,
    }
}

/// The values at `key` under `nodes`, arrays flattened (EventBridge matches a field of an
/// array of objects against the field's values in every element).
fn children<'a>(nodes: &[&'a Value], key: &str) -> Vec<&'a Value> {
    let mut out = Vec::new();
    for n in nodes {
        if let Some(v) = n.get(key) {
            flatten(v, &mut out);
        }
    }
    out
}

fn flatten<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| flatten(x, out)),
        other => out.push(other),
    }
}

fn object(p: &Map<String, Value>, nodes: &[&Value]) -> bool {
    p.iter().all(|(k, want)| {
        if k == "$or" {
            return want.as_array().is_some_and(|alts| {
                alts.iter()
                    .any(|a| a.as_object().is_some_and(|a| object(a, nodes)))
            });
        }
        let got = children(nodes, k);
        match want {
            Value::Object(sub) => {
                let objects: Vec<&Value> = got.into_iter().filter(|v| v.is_object()).collect();
                object(sub, &objects)
            }
            Value::Array(list) => leaf(list, &got),
            _ => false,
        }
    })
}

fn leaf(list: &[Value], values: &[&Value]) -> bool {
    // Exists applies to leaf values only: objects do not count as present.
    let leaves: Vec<&&Value> = values.iter().filter(|v| !v.is_object()).collect();
    list.iter().any(|m| {
        if let Some(e) = m.as_object().and_then(|o| o.get("exists")) {
            return e.as_bool() == Some(!leaves.is_empty());
        }
        leaves.iter().any(|v| one(m, v))
    })
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn ignore_case(arg: &Value) -> Option<&str> {
    arg.as_object()?.get("equals-ignore-case")?.as_str()
}

fn prefix_suffix(arg: &Value, v: &str, prefix: bool) -> bool {
    let (want, got) = match (arg.as_str(), ignore_case(arg)) {
        (Some(s), _) => (s.to_owned(), v.to_owned()),
        (None, Some(s)) => (s.to_lowercase(), v.to_lowercase()),
        _ => return false,
    };
    if prefix {
        got.starts_with(&want)
    } else {
        got.ends_with(&want)
    }
}

fn one(m: &Value, v: &Value) -> bool {
    let Some(o) = m.as_object() else {
        return equal(m, v);
    };
    let Some((kind, arg)) = o.iter().next() else {
        return false;
    };
    let s = v.as_str();
    match kind.as_str() {
        "prefix" => s.is_some_and(|s| prefix_suffix(arg, s, true)),
        "suffix" => s.is_some_and(|s| prefix_suffix(arg, s, false)),
        "equals-ignore-case" => s
            .zip(arg.as_str())
            .is_some_and(|(s, a)| s.to_lowercase() == a.to_lowercase()),
        "wildcard" => s.zip(arg.as_str()).is_some_and(|(s, a)| wildcard(a, s)),
        "numeric" => numeric(arg, v),
        "cidr" => s.zip(arg.as_str()).is_some_and(|(s, a)| cidr(a, s)),
        "anything-but" => !anything_but_hits(arg, v),
        _ => false,
    }
}

/// Whether `v` is one of the values `anything-but` excludes.
fn anything_but_hits(arg: &Value, v: &Value) -> bool {
    match arg {
        Value::Array(list) => list.iter().any(|x| equal(x, v)),
        Value::Object(o) => match o.iter().next() {
            Some((k, Value::Array(list))) if k == "equals-ignore-case" => {
                let s = v.as_str().map(str::to_lowercase);
                list.iter()
                    .any(|x| x.as_str().map(str::to_lowercase) == s && s.is_some())
            }
            Some(_) => one(arg, v),
            None => false,
        },
        other => equal(other, v),
    }
}

fn numeric(arg: &Value, v: &Value) -> bool {
    let (Some(n), Some(ops)) = (v.as_f64(), arg.as_array()) else {
        return false;
    };
    ops.chunks(2).all(|c| {
        match (
            c.first().and_then(Value::as_str),
            c.get(1).and_then(Value::as_f64),
        ) {
            (Some("="), Some(x)) => n == x,
            (Some(">"), Some(x)) => n > x,
            (Some(">="), Some(x)) => n >= x,
            (Some("<"), Some(x)) => n < x,
            (Some("<="), Some(x)) => n <= x,
            _ => false,
        }
    })
}

/// EventBridge wildcard: `*` any run of characters, `\*` and `\\` literal.
fn wildcard(pattern: &str, s: &str) -> bool {
    let mut parts: Vec<String> = vec![String::new()];
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => parts
                .last_mut()
                .map_or((), |p| p.push(chars.next().unwrap_or('\\'))),
            '*' => parts.push(String::new()),
            c => parts.last_mut().map_or((), |p| p.push(c)),
        }
    }
    let (first, rest) = parts
        .split_first()
        .map_or((String::new(), &[][..]), |(f, r)| (f.clone(), r));
    let Some(mut tail) = s.strip_prefix(first.as_str()) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return tail.is_empty();
    };
    for m in middle {
        match tail.find(m.as_str()) {
            Some(i) => tail = &tail[i + m.len()..],
            None => return false,
        }
    }
    tail.ends_with(last.as_str())
}

fn cidr(net: &str, s: &str) -> bool {
    let Some((addr, len)) = net.split_once('/') else {
        return false;
    };
    let (Ok(net), Ok(len), Ok(ip)) = (
        addr.parse::<IpAddr>(),
        len.parse::<u32>(),
        s.parse::<IpAddr>(),
    ) else {
        return false;
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) if len <= 32 => {
            let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) if len <= 128 => {
            let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

/// `record` (one CloudTrail record) wrapped as EventBridge delivers it: `detail-type` from its
/// `eventType`, `source` `aws.<service>` from its `eventSource`, `account`, `region`, `time`.
pub fn envelope(record: &Value) -> Value {
    let et = record
        .get("eventType")
        .and_then(Value::as_str)
        .unwrap_or("AwsApiCall");
    let detail_type = crate::compile::DETAIL_TYPES
        .iter()
        .find(|(t, _)| *t == et)
        .map_or("AWS API Call via CloudTrail", |(_, d)| *d);
    let service = record
        .get("eventSource")
        .and_then(Value::as_str)
        .and_then(|s| s.split('.').next())
        .unwrap_or("unknown");
    serde_json::json!({
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": detail_type,
        "source": format!("aws.{service}"),
        "account": record.get("recipientAccountId").cloned().unwrap_or(Value::String("111122223333".into())),
        "time": record.get("eventTime").cloned().unwrap_or(Value::String("2026-01-01T00:00:00Z".into())),
        "region": record.get("awsRegion").cloned().unwrap_or(Value::String("us-east-1".into())),
        "resources": [],
        "detail": record,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documented_matchers() {
        let ev =
            json!({"detail": {"a": "StopLogging", "n": 7, "arr": ["x", "yz"], "o": {"k": "v"}}});
        let t = |p: Value| matches(&json!({ "detail": p }), &ev);
        assert!(t(json!({"a": ["StopLogging"]})));
        assert!(!t(json!({"a": ["stoplogging"]})));
        assert!(t(json!({"a": [{"equals-ignore-case": "stoplogging"}]})));
        assert!(t(json!({"a": [{"prefix": "Stop"}]})));
        assert!(t(
            json!({"a": [{"prefix": {"equals-ignore-case": "stop"}}]})
        ));
        assert!(t(json!({"a": [{"suffix": "Logging"}]})));
        assert!(t(json!({"a": [{"wildcard": "S*L*g"}]})));
        assert!(!t(json!({"a": [{"wildcard": "S*x*g"}]})));
        assert!(t(json!({"a": [{"anything-but": ["Start"]}]})));
        assert!(!t(
            json!({"a": [{"anything-but": {"equals-ignore-case": ["stoplogging"]}}]})
        ));
        assert!(!t(json!({"a": [{"anything-but": {"prefix": "Stop"}}]})));
        assert!(t(json!({"n": [{"numeric": [">", 5, "<=", 7]}]})));
        assert!(!t(json!({"n": [{"numeric": [">", 7]}]})));
        assert!(t(json!({"missing": [{"exists": false}]})));
        assert!(!t(json!({"missing": [{"anything-but": "x"}]})));
        assert!(!t(json!({"o": [{"exists": true}]})));
        assert!(t(json!({"o": {"k": [{"exists": true}]}})));
        assert!(t(json!({"arr": ["yz"]})));
        assert!(t(json!({"$or": [{"a": ["no"]}, {"n": [7]}]})));
        assert!(!t(json!({"$or": [{"a": ["no"]}, {"n": [8]}]})));
        assert!(cidr("198.51.100.0/24", "198.51.100.9"));
        assert!(!cidr("198.51.100.0/24", "203.0.113.9"));
    }
}
