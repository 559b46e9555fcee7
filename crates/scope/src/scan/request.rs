//! The request fields the store table reads (names and `opens_with` fields), parsed alone: the
//! rest of each request (object keys, headers, policies…) is skipped, not built into a tree.
//! Pass 2 looks at the request of every event of a store service, so this is on its hot path.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::stores::StoreSpec;

/// The request of an event of `service`, reduced to the top-level fields its store specs read,
/// as the full parse would give them (a repeated field keeps its last value). `None` when the
/// request is not JSON; a request that is not an object gives `Value::Null`, whose fields are
/// all absent, as they are in any non-object.
pub(crate) fn store_request(service: &str, raw: &RawValue) -> Option<Value> {
    let wanted = Wanted { service };
    let mut de = serde_json::Deserializer::from_str(raw.get());
    match serde::Deserializer::deserialize_any(&mut de, wanted) {
        Ok(v) => Some(v),
        Err(_) => serde_json::from_str::<Value>(raw.get())
            .ok()
            .map(|_| Value::Null),
    }
}

/// Whether one of `service`'s store specs reads the top-level request field `field`.
fn reads_field(service: &str, field: &str) -> bool {
    StoreSpec::of_service(service)
        .any(|s| s.name_fields.contains(&field) || s.opens_with.iter().any(|(_, f)| *f == field))
}

/// Visits a request object, keeping the fields of one service.
#[derive(Clone, Copy)]
struct Wanted<'s> {
    service: &'s str,
}

impl<'de> Visitor<'de> for Wanted<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a request object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(Key(self))? {
            match key {
                Some(name) => {
                    let v: Value = map.next_value()?;
                    out.insert(name, v);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
}

impl<'de> DeserializeSeed<'de> for Wanted<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_map(self)
    }
}

/// A key of the request object: its name when the service reads it, else `None` (no copy).
struct Key<'s>(Wanted<'s>);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Option<String>, E> {
        Ok(reads_field(self.0.service, v).then(|| v.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reduced(service: &str, text: &str) -> Option<Value> {
        let raw = RawValue::from_string(text.to_owned()).ok()?;
        store_request(service, &raw)
    }

    #[test]
    fn keeps_only_the_fields_the_store_table_reads() {
        let s3 = r#"{"bucketName":"b\u0031","key":"a/b","Host":"h","x":{"y":[1,2]}}"#;
        assert_eq!(reduced("s3", s3), Some(json!({"bucketName": "b1"})));
        let rds = r#"{"dBInstanceIdentifier":"prod","masterUserPassword":"HIDDEN","n":1}"#;
        assert_eq!(
            reduced("rds", rds),
            Some(json!({"dBInstanceIdentifier": "prod", "masterUserPassword": "HIDDEN"}))
        );
        let ddb = r#"{"requestItems":{"customers":{},"orders":{"k":1}}}"#;
        assert_eq!(
            reduced("dynamodb", ddb),
            Some(json!({"requestItems": {"customers": {}, "orders": {"k": 1}}}))
        );
    }

    #[test]
    fn a_repeated_field_keeps_its_last_value_and_non_objects_name_nothing() {
        let twice = r#"{"bucketName":"first","bucketName":"last"}"#;
        assert_eq!(reduced("s3", twice), Some(json!({"bucketName": "last"})));
        assert_eq!(reduced("s3", "null"), Some(Value::Null));
        assert_eq!(reduced("s3", r#"["bucketName"]"#), Some(Value::Null));
        assert_eq!(reduced("ec2", r#"{"bucketName":"b"}"#), Some(json!({})));
    }

    #[test]
    fn names_and_accesses_are_those_of_the_full_request() {
        let text = r#"{"dBInstanceIdentifier":"prod","masterUserPassword":"x","tags":[{"k":"v"}]}"#;
        let full: Value = serde_json::from_str(text).unwrap();
        let small = reduced("rds", text).unwrap();
        for spec in StoreSpec::of_service("rds") {
            assert_eq!(spec.names(&small), spec.names(&full));
            let (a, b) = (
                spec.access("ModifyDBInstance", false, &small),
                spec.access("ModifyDBInstance", false, &full),
            );
            assert_eq!(a, b);
        }
    }
}
