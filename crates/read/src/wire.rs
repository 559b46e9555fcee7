//! The record shapes as they arrive: serde structures that borrow from the
//! record text and tolerate the type variations real exports show.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

mod fast;

/// A scalar CloudTrail writes as a string. Numbers and booleans are accepted
/// and kept as their JSON text (some exports retype fields); objects and
/// arrays are a wrong field type.
#[derive(Debug)]
pub(crate) struct Text<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(if v { "true" } else { "false" })))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl Text<'_> {
    pub(crate) fn into_string(self) -> String {
        self.0.into_owned()
    }
}

/// A flag CloudTrail writes as a boolean (`readOnly`) or as the strings
/// `"true"`/`"false"` (`mfaAuthenticated`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true or false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Flag, E> {
                if v.eq_ignore_ascii_case("true") {
                    Ok(Flag(true))
                } else if v.eq_ignore_ascii_case("false") {
                    Ok(Flag(false))
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Any item framed from an input: a CloudTrail record, a lookup-events
/// wrapper, an EventBridge envelope or a digest — all optional fields of one
/// structure, so a single parse classifies the item.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireItem<'a> {
    #[serde(rename = "eventTime", borrow)]
    pub event_time: Option<Text<'a>>,
    #[serde(rename = "eventSource", borrow)]
    pub event_source: Option<Text<'a>>,
    #[serde(rename = "eventName", borrow)]
    pub event_name: Option<Text<'a>>,
    #[serde(rename = "awsRegion", borrow)]
    pub region: Option<Text<'a>>,
    #[serde(rename = "recipientAccountId", borrow)]
    pub recipient_account: Option<Text<'a>>,
    #[serde(rename = "sourceIPAddress", borrow)]
    pub source_ip: Option<Text<'a>>,
    #[serde(rename = "userAgent", borrow)]
    pub user_agent: Option<Text<'a>>,
    #[serde(rename = "errorCode", borrow)]
    pub error_code: Option<Text<'a>>,
    #[serde(rename = "errorMessage", borrow)]
    pub error_message: Option<Text<'a>>,
    #[serde(rename = "readOnly")]
    pub read_only: Option<Flag>,
    #[serde(rename = "eventType", borrow)]
    pub event_type: Option<Text<'a>>,
    #[serde(rename = "eventCategory", borrow)]
    pub event_category: Option<Text<'a>>,
    #[serde(rename = "eventID", borrow)]
    pub event_id: Option<Text<'a>>,
    #[serde(rename = "requestID", borrow)]
    pub request_id: Option<Text<'a>>,
    #[serde(rename = "requestParameters", borrow)]
    pub request_parameters: Option<&'a RawValue>,
    #[serde(rename = "responseElements", borrow)]
    pub response_elements: Option<&'a RawValue>,
    #[serde(rename = "additionalEventData", borrow)]
    pub additional_event_data: Option<&'a RawValue>,
    #[serde(borrow)]
    pub resources: Option<&'a RawValue>,
    #[serde(rename = "userIdentity", borrow)]
    pub user_identity: Option<WireIdentity<'a>>,
    /// lookup-events: the record as a JSON string.
    #[serde(rename = "CloudTrailEvent", borrow)]
    pub cloudtrail_event: Option<Text<'a>>,
    /// EventBridge: the record.
    #[serde(borrow)]
    pub detail: Option<&'a RawValue>,
    /// EventBridge: what kind of event `detail` is.
    #[serde(rename = "detail-type", borrow)]
    pub detail_type: Option<Text<'a>>,
    /// Digest files.
    #[serde(rename = "digestStartTime", borrow)]
    pub digest_start_time: Option<&'a RawValue>,
    /// Digest files.
    #[serde(rename = "logFiles", borrow)]
    pub log_files: Option<&'a RawValue>,
    /// cloudcase inventory snapshots (format version).
    #[serde(rename = "cloudcase_inventory", borrow)]
    pub inventory: Option<&'a RawValue>,
    /// GuardDuty findings: the finding format's version (`SchemaVersion`
    /// in `aws guardduty get-findings` output).
    #[serde(rename = "schemaVersion", alias = "SchemaVersion", borrow)]
    pub schema_version: Option<&'a RawValue>,
    /// GuardDuty findings: the resource the finding is about.
    #[serde(alias = "Resource", borrow)]
    pub resource: Option<&'a RawValue>,
    /// GuardDuty findings: what GuardDuty saw.
    #[serde(alias = "Service", borrow)]
    pub service: Option<&'a RawValue>,
    /// Route 53 Resolver query logs: the name queried.
    #[serde(borrow)]
    pub query_name: Option<&'a RawValue>,
    /// Route 53 Resolver query logs: when.
    #[serde(borrow)]
    pub query_timestamp: Option<&'a RawValue>,
    /// Route 53 Resolver query logs: the querying address.
    #[serde(borrow)]
    pub srcaddr: Option<&'a RawValue>,
    /// Route 53 Resolver query logs: the VPC queried from.
    #[serde(borrow)]
    pub vpc_id: Option<&'a RawValue>,
    /// CloudWatch Logs events: the logged line.
    #[serde(borrow)]
    pub message: Option<&'a RawValue>,
    /// CloudWatch Logs events: when the line was logged (epoch milliseconds).
    #[serde(borrow)]
    pub timestamp: Option<&'a RawValue>,
}

impl<'a> WireItem<'a> {
    /// Parses one item from JSON `text`: by the fast path for the fields it
    /// names when it can ([`fast`]), otherwise by serde. The item is built in
    /// place: it is about a kilobyte of optional fields, and returning it by
    /// value through serde's layers copied it several times per record.
    #[inline]
    pub(crate) fn parse(text: &'a str) -> serde_json::Result<WireItem<'a>> {
        let mut item = WireItem::default();
        if fast::read_into(text, &mut item).is_some() {
            return Ok(item);
        }
        item = WireItem::default();
        let mut de = serde_json::Deserializer::from_str(text);
        WireItem::deserialize_in_place(&mut de, &mut item)?;
        de.end()?;
        Ok(item)
    }
}

/// `userIdentity`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireIdentity<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Option<Text<'a>>,
    #[serde(borrow)]
    pub arn: Option<Text<'a>>,
    #[serde(rename = "principalId", borrow)]
    pub principal_id: Option<Text<'a>>,
    #[serde(rename = "accountId", borrow)]
    pub account_id: Option<Text<'a>>,
    #[serde(rename = "userName", borrow)]
    pub user_name: Option<Text<'a>>,
    #[serde(rename = "accessKeyId", borrow)]
    pub access_key_id: Option<Text<'a>>,
    #[serde(rename = "invokedBy", borrow)]
    pub invoked_by: Option<Text<'a>>,
    #[serde(rename = "sessionContext", borrow)]
    pub session_context: Option<WireSession<'a>>,
    #[serde(rename = "onBehalfOf", borrow)]
    pub on_behalf_of: Option<WireOnBehalfOf<'a>>,
}

/// `userIdentity.sessionContext`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireSession<'a> {
    #[serde(rename = "sessionIssuer", borrow)]
    pub session_issuer: Option<WireIssuer<'a>>,
    #[serde(borrow)]
    pub attributes: Option<WireAttributes<'a>>,
    #[serde(rename = "sourceIdentity", borrow)]
    pub source_identity: Option<Text<'a>>,
}

/// `userIdentity.sessionContext.sessionIssuer`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireIssuer<'a> {
    #[serde(borrow)]
    pub arn: Option<Text<'a>>,
    #[serde(rename = "userName", borrow)]
    pub user_name: Option<Text<'a>>,
}

/// `userIdentity.sessionContext.attributes`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireAttributes<'a> {
    #[serde(rename = "creationDate", borrow)]
    pub creation_date: Option<Text<'a>>,
    #[serde(rename = "mfaAuthenticated")]
    pub mfa_authenticated: Option<Flag>,
}

/// `userIdentity.onBehalfOf` (IAM Identity Center).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireOnBehalfOf<'a> {
    #[serde(rename = "userId", borrow)]
    pub user_id: Option<Text<'a>>,
}
