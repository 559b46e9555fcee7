//! OCSF `unmapped`: what a record says that no attribute of its class holds, as JSON text.

use cloudcase_event::Detail;
use serde_json::{json, Value};

use super::O;

/// A JSON object written key by key; raw values are pasted as they are (no re-parse).
#[derive(Default)]
struct Object {
    text: String,
}

impl Object {
    fn key(&mut self, key: &str) {
        self.text.push(if self.text.is_empty() { '{' } else { ',' });
        self.text.push_str(&Value::from(key).to_string());
        self.text.push(':');
    }

    fn raw(&mut self, key: &str, v: Option<&serde_json::value::RawValue>) {
        if let Some(v) = v {
            self.key(key);
            self.text.push_str(v.get());
        }
    }

    fn put(&mut self, key: &str, v: Value) {
        if !v.is_null() {
            self.key(key);
            self.text.push_str(&v.to_string());
        }
    }

    fn finish(mut self) -> Option<String> {
        if self.text.is_empty() {
            return None;
        }
        self.text.push('}');
        Some(self.text)
    }
}

/// The JSON object of `o`'s unmapped values; `None` when there are none.
pub fn json(o: &O<'_>) -> Option<String> {
    let e = o.c.event;
    let mut m = Object::default();
    m.raw("requestParameters", e.request_parameters.as_deref());
    m.raw("responseElements", e.response_elements.as_deref());
    m.raw("additionalEventData", e.additional_event_data.as_deref());
    m.put("readOnly", json!(e.read_only));
    m.put("sourceIdentity", json!(e.identity.source_identity));
    m.put(
        "sessionIssuerUserName",
        json!(e.identity.session_issuer_name),
    );
    match e.detail.as_deref() {
        Some(Detail::S3Request(r)) => {
            m.put("bucket", json!(r.bucket));
            m.put("key", json!(r.key));
            m.put("operation", json!(r.operation));
            m.put("bytes_sent", json!(r.bytes_sent));
            m.put("object_size", json!(r.object_size));
            m.put("requester", json!(r.requester));
            m.put("bucket_owner", json!(r.bucket_owner));
        }
        Some(Detail::Flow(f)) => {
            m.put("action", json!(f.action.as_str()));
            m.put("flow_direction", json!(f.flow_direction));
            m.put("pkt_src_addr", json!(f.pkt_src_addr.map(|a| a.to_string())));
            m.put("pkt_dst_addr", json!(f.pkt_dst_addr.map(|a| a.to_string())));
        }
        Some(Detail::Finding(f)) => {
            m.put("severity", json!(f.severity));
            m.put("user_name", json!(f.user_name));
            m.put("remote_ips", json!(f.remote_ips));
            m.put("domains", json!(f.domains));
            m.put("archived", json!(f.archived));
        }
        Some(Detail::DnsQuery(_) | Detail::Charge(_)) | None => {}
    }
    m.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_values_are_pasted_and_nulls_left_out() {
        let mut m = Object::default();
        assert_eq!(Object::default().finish(), None);
        let raw = serde_json::value::RawValue::from_string(r#"{"a":[1, 2]}"#.into()).expect("raw");
        m.raw("requestParameters", Some(&raw));
        m.put("readOnly", json!(null));
        m.put("k\"ey", json!(true));
        let text = m.finish().expect("object");
        assert_eq!(text, r#"{"requestParameters":{"a":[1, 2]},"k\"ey":true}"#);
        let back: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back["k\"ey"], json!(true));
    }
}
