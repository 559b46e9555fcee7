//! VPC flow records inside CloudWatch Logs events, as `aws logs
//! filter-log-events` and `get-log-events` write them:
//! `{"events":[{"timestamp":…,"message":"2 123456789012 eni-… ACCEPT OK","ingestionTime":…}, …]}`.
//!
//! The framer streams the `events` array and the classifier reads each
//! event; a message that is a default-format flow record is read here.

use std::borrow::Cow;

use cloudcase_event::Provenance;
use serde_json::value::RawValue;

use super::fields::Format;
use super::record::{self, Origin};
use super::{is_default_record, region_from_path};
use crate::lines::checked_text;
use crate::normalize::Classified;
use crate::RejectKind;

/// The flow event a CloudWatch Logs event's `message` (a JSON string)
/// holds, or why it cannot be read; `None` when the message is not a
/// default-format flow record (flow logs in CloudWatch Logs have no header).
pub(crate) fn flow_message(message: &RawValue, prov: &Provenance) -> Option<Classified> {
    // Every default-format record starts with its version, 2.
    if !message.get().starts_with("\"2 ") {
        return None;
    }
    let text: Cow<'_, str> = serde_json::from_str(message.get()).ok()?;
    let text = text.trim_end_matches(['\n', '\r']);
    if !is_default_record(text) {
        return None;
    }
    if let Err(e) = checked_text(text.as_bytes()) {
        let why = format!("VPC flow log in a CloudWatch Logs event: {e}");
        return Some(Classified::Reject(e.kind(), why));
    }
    let region = region_from_path(&prov.file);
    let default = Format::default_v2();
    Some(
        match record::parse(
            text,
            &default,
            &Origin::Default,
            region.as_deref(),
            prov.clone(),
        ) {
            Ok(ev) => Classified::Event(Box::new(ev)),
            Err(e) => Classified::Reject(
                RejectKind::MalformedLine,
                format!("VPC flow log in a CloudWatch Logs event: {e}"),
            ),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::prov;

    fn message(json: &str) -> Option<Classified> {
        let raw: Box<RawValue> = serde_json::from_str(json).unwrap();
        flow_message(
            &raw,
            &prov("AWSLogs/1/vpcflowlogs/eu-west-1/filter-log-events.json"),
        )
    }

    #[test]
    fn flow_messages_become_flow_events() {
        let Some(Classified::Event(ev)) = message(
            r#""2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK\n""#,
        ) else {
            panic!("not a flow")
        };
        assert_eq!(ev.event_name, "REJECT");
        assert_eq!(ev.source_ip.as_deref(), Some("172.31.9.69"));
        assert_eq!(ev.region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn other_messages_are_left_and_bad_flows_rejected() {
        assert!(message(r#""{\"eventName\":\"A\"}""#).is_none());
        assert!(message(r#""2 GET / 200""#).is_none());
        assert!(message("2").is_none());
        let Some(Classified::Reject(kind, why)) =
            message(r#""2 123456789010 eni-1 - - - - - - - 1431280934 1431280876 - NODATA""#)
        else {
            panic!()
        };
        assert_eq!(kind, RejectKind::MalformedLine);
        assert!(why.contains("is after end"), "{why}");
    }
}
