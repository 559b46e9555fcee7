//! One flow log record: its values read by the field table into a [`Flow`]
//! and an [`Event`].

use std::fmt::Write;
use std::net::IpAddr;

use cloudcase_event::detail::{Flow, FlowAction};
use cloudcase_event::{Category, Detail, Event, EventTime, LogSource, OtherRecord, Provenance};

use super::fields::{Column, Format, Kind, Slot};
use crate::lines::{push_json_string, TextError};

/// The event source of every flow record.
pub(crate) const EVENT_SOURCE: &str = "vpc-flow-logs";

/// Why a line is not a flow record.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum RecordError {
    /// The line is not text.
    #[error(transparent)]
    Text(#[from] TextError),
    /// Not as many values as the format has fields.
    #[error("{found} fields; the format names {expected} ({format})")]
    FieldCount {
        /// Values on the line.
        found: usize,
        /// Fields in the format.
        expected: usize,
        /// Where the format came from.
        format: &'static str,
    },
    /// A number field that is not a number in its range.
    #[error("field {field}: {value:?} is not a whole number from 0 to {max}")]
    Number {
        /// The field's name.
        field: String,
        /// The value, shortened.
        value: String,
        /// The field's largest value.
        max: u64,
    },
    /// An address field that is not an address.
    #[error("field {field}: {value:?} is not an IPv4 or IPv6 address")]
    Addr {
        /// The field's name.
        field: String,
        /// The value, shortened.
        value: String,
    },
    /// An `action` or `log-status` that flow logs never write.
    #[error("field {field}: {value:?} is not one of {allowed}")]
    Word {
        /// The field's name.
        field: &'static str,
        /// The value, shortened.
        value: String,
        /// The values flow logs write.
        allowed: &'static str,
    },
    /// The format cannot give events.
    #[error("{0}")]
    Unusable(&'static str),
    /// `start` is `-`.
    #[error("field start is absent ('-'): the record cannot be placed in time")]
    NoStart,
    /// Nothing says what happened.
    #[error(
        "action is absent ('-') and log-status is {0:?}: the record does not say what happened"
    )]
    NoAction(String),
    /// The window ends before it starts.
    #[error("start {start} is after end {end}")]
    Order {
        /// `start`, Unix seconds.
        start: u64,
        /// `end`, Unix seconds.
        end: u64,
    },
    /// The CloudWatch export's time prefix is not a time.
    #[error("the CloudWatch Logs time {0:?} before the record is not a timestamp")]
    Prefix(String),
}

/// A value for a message: at most 64 characters.
fn shown(value: &str) -> String {
    value.chars().take(64).collect()
}

/// What a record's values say, before they become a [`Flow`].
#[derive(Default)]
struct Draft<'a> {
    account: Option<&'a str>,
    interface: Option<&'a str>,
    src_text: Option<&'a str>,
    src: Option<IpAddr>,
    dst: Option<IpAddr>,
    src_port: Option<u16>,
    dst_port: Option<u16>,
    protocol: Option<u8>,
    packets: Option<u64>,
    bytes: Option<u64>,
    start: Option<u64>,
    end: Option<u64>,
    action: Option<FlowAction>,
    status: Option<&'a str>,
    instance: Option<&'a str>,
    vpc: Option<&'a str>,
    subnet: Option<&'a str>,
    direction: Option<&'a str>,
    pkt_src: Option<IpAddr>,
    pkt_dst: Option<IpAddr>,
    region: Option<&'a str>,
}

/// One value, read as its field's kind says.
enum Value<'a> {
    Text(&'a str),
    Number(u64),
    Addr(IpAddr),
}

impl<'a> Value<'a> {
    fn read(column: &Column, text: &'a str) -> Result<Self, RecordError> {
        let kind = match column {
            Column::Known(f) => f.kind,
            Column::Unknown(_) => Kind::Text,
        };
        match kind {
            Kind::Text => Ok(Value::Text(text)),
            Kind::Number { max } => match text.parse::<u64>() {
                Ok(n) if n <= max && text.bytes().all(|b| b.is_ascii_digit()) => {
                    Ok(Value::Number(n))
                }
                _ => Err(RecordError::Number {
                    field: column.name().into(),
                    value: shown(text),
                    max,
                }),
            },
            Kind::Addr => text
                .parse()
                .map(Value::Addr)
                .map_err(|_| RecordError::Addr {
                    field: column.name().into(),
                    value: shown(text),
                }),
        }
    }

    fn text(&self) -> Option<&'a str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    fn number(&self) -> Option<u64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    fn addr(&self) -> Option<IpAddr> {
        match self {
            Value::Addr(a) => Some(*a),
            _ => None,
        }
    }

    /// Appends the value as JSON.
    fn write_json(&self, text: &str, out: &mut String) {
        match self {
            // The text is the number's digits; only leading zeros differ.
            Value::Number(_) if !text.starts_with('0') || text.len() == 1 => out.push_str(text),
            Value::Number(n) => {
                let _ = write!(out, "{n}");
            }
            // An address's text is digits, hex, '.' and ':'.
            Value::Addr(_) => {
                out.push('"');
                out.push_str(text);
                out.push('"');
            }
            Value::Text(_) => push_json_string(text, out),
        }
    }
}

impl<'a> Draft<'a> {
    /// Records what `value` says in `slot`'s place.
    fn set(&mut self, slot: Slot, text: &'a str, value: &Value<'a>) -> Result<(), RecordError> {
        match slot {
            Slot::Raw => {}
            Slot::Account => self.account = Some(text).filter(|a| *a != "unknown"),
            Slot::Interface => self.interface = value.text(),
            Slot::SrcAddr => {
                self.src = value.addr();
                self.src_text = Some(text);
            }
            Slot::DstAddr => self.dst = value.addr(),
            Slot::SrcPort => self.src_port = narrow(value.number()),
            Slot::DstPort => self.dst_port = narrow(value.number()),
            Slot::Protocol => self.protocol = narrow(value.number()),
            Slot::Packets => self.packets = value.number(),
            Slot::Bytes => self.bytes = value.number(),
            Slot::Start => self.start = value.number(),
            Slot::End => self.end = value.number(),
            Slot::Action => self.action = Some(action(text)?),
            Slot::LogStatus => self.status = Some(status(text)?),
            Slot::Instance => self.instance = value.text(),
            Slot::Vpc => self.vpc = value.text(),
            Slot::Subnet => self.subnet = value.text(),
            Slot::Direction => self.direction = value.text(),
            Slot::PktSrcAddr => self.pkt_src = value.addr(),
            Slot::PktDstAddr => self.pkt_dst = value.addr(),
            Slot::Region => self.region = value.text(),
        }
        Ok(())
    }

    /// The action: `NODATA`/`SKIPDATA` from log-status when no action was
    /// logged, else the action.
    fn outcome(&self) -> Result<FlowAction, RecordError> {
        match (self.action, self.status) {
            (Some(a), _) => Ok(a),
            (None, Some("NODATA")) => Ok(FlowAction::NoData),
            (None, Some("SKIPDATA")) => Ok(FlowAction::SkipData),
            (None, status) => Err(RecordError::NoAction(status.unwrap_or("-").into())),
        }
    }
}

/// A number read by a field table whose bound fits `T`.
fn narrow<T: TryFrom<u64>>(n: Option<u64>) -> Option<T> {
    n.and_then(|n| T::try_from(n).ok())
}

fn action(text: &str) -> Result<FlowAction, RecordError> {
    match text {
        "ACCEPT" => Ok(FlowAction::Accept),
        "REJECT" => Ok(FlowAction::Reject),
        _ => Err(RecordError::Word {
            field: "action",
            value: shown(text),
            allowed: "ACCEPT, REJECT",
        }),
    }
}

fn status(text: &str) -> Result<&str, RecordError> {
    match text {
        "OK" | "NODATA" | "SKIPDATA" => Ok(text),
        _ => Err(RecordError::Word {
            field: "log-status",
            value: shown(text),
            allowed: "OK, NODATA, SKIPDATA",
        }),
    }
}

fn time(seconds: u64) -> EventTime {
    // `start` and `end` are at most MAX_SECONDS, so this cannot overflow.
    EventTime::from_millis(i64::try_from(seconds).unwrap_or(i64::MAX / 1000) * 1000)
}

/// Where a record's format came from, for messages.
pub(crate) enum Origin {
    /// A header line in the file.
    Header,
    /// No header: the default format.
    Default,
}

impl Origin {
    fn describe(&self) -> &'static str {
        match self {
            Origin::Header => "the file's header line",
            Origin::Default => "the default format: no header line",
        }
    }
}

/// Turns the values of one record (the text after any CloudWatch time
/// prefix) into an event. `region` is the file's region (from its path),
/// used when the record has no `region` field.
pub(crate) fn parse(
    text: &str,
    format: &Format,
    origin: &Origin,
    region: Option<&str>,
    provenance: Provenance,
) -> Result<Event, RecordError> {
    if let Some(why) = format.unusable {
        return Err(RecordError::Unusable(why));
    }
    let mut draft = Draft::default();
    let mut raw = String::with_capacity(text.len() * 2 + 64);
    raw.push('{');
    if let Err(e) = read_values(text, format, &mut draft, &mut raw) {
        // A line with the wrong number of values is reported as that, not
        // as the first value that did not fit its field.
        return Err(count_error(text, format, origin).unwrap_or(e));
    }
    raw.push_str("\"logSource\":\"vpc_flow\"}");
    event(draft, region, raw, provenance)
}

/// The error for a line whose number of values is not its format's, if it is not.
fn count_error(text: &str, format: &Format, origin: &Origin) -> Option<RecordError> {
    let found = text.split_ascii_whitespace().count();
    (found != format.columns.len()).then(|| RecordError::FieldCount {
        found,
        expected: format.columns.len(),
        format: origin.describe(),
    })
}

/// The reason a value is missing or left over: the count is wrong, which
/// [`count_error`] then reports.
const MISCOUNT: RecordError = RecordError::Unusable("the number of values is not the format's");

/// Reads the values of `text` by the fields of `format` into `draft` and
/// `raw` (a JSON object being written); an error for a value that does not
/// fit its field, or [`MISCOUNT`] for too few or too many values.
fn read_values<'a>(
    text: &'a str,
    format: &Format,
    draft: &mut Draft<'a>,
    raw: &mut String,
) -> Result<(), RecordError> {
    let mut values = text.split_ascii_whitespace();
    for column in &format.columns {
        let value = values.next().ok_or(MISCOUNT)?;
        if value == "-" {
            continue;
        }
        let read = Value::read(column, value)?;
        if let Column::Known(f) = column {
            draft.set(f.slot, value, &read)?;
        }
        // Names are lower-case letters, digits and '-' (see `Format`).
        raw.push('"');
        raw.push_str(column.name());
        raw.push_str("\":");
        read.write_json(value, raw);
        raw.push(',');
    }
    match values.next() {
        Some(_) => Err(MISCOUNT),
        None => Ok(()),
    }
}

/// The event for a record whose values are all read.
fn event(
    draft: Draft<'_>,
    file_region: Option<&str>,
    raw: String,
    provenance: Provenance,
) -> Result<Event, RecordError> {
    let start = draft.start.ok_or(RecordError::NoStart)?;
    let end = draft.end.unwrap_or(start);
    if start > end {
        return Err(RecordError::Order { start, end });
    }
    let action = draft.outcome()?;
    let flow = Flow {
        account_id: draft.account.map(Into::into),
        interface_id: draft.interface.map(Into::into),
        src_addr: draft.src,
        dst_addr: draft.dst,
        src_port: draft.src_port,
        dst_port: draft.dst_port,
        protocol: draft.protocol,
        packets: draft.packets,
        bytes: draft.bytes,
        start: time(start),
        end: time(end),
        action,
        instance_id: draft.instance.map(Into::into),
        vpc_id: draft.vpc.map(Into::into),
        subnet_id: draft.subnet.map(Into::into),
        flow_direction: draft.direction.map(Into::into),
        pkt_src_addr: draft.pkt_src,
        pkt_dst_addr: draft.pkt_dst,
    };
    Ok(Event {
        region: draft.region.or(file_region).map(Into::into),
        recipient_account: flow.account_id.clone(),
        source_ip: draft.src_text.map(Into::into),
        ..Event::other(OtherRecord {
            source: LogSource::VpcFlow,
            time: flow.start,
            time_field: "start",
            event_source: EVENT_SOURCE.into(),
            event_name: action.as_str().into(),
            category: Category::Other("Network".into()),
            raw: raw.into(),
            detail: Some(Detail::Flow(flow)),
            provenance,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::prov;
    use cloudcase_event::Identity;
    use serde_json::Value as Json;

    fn default(text: &str) -> Result<Event, RecordError> {
        parse(
            text,
            &Format::default_v2(),
            &Origin::Default,
            None,
            prov("flow.log"),
        )
    }

    fn flow(ev: &Event) -> &Flow {
        match ev.detail.as_deref() {
            Some(Detail::Flow(f)) => f,
            other => panic!("no flow: {other:?}"),
        }
    }

    #[test]
    fn documented_default_record_fills_event_flow_and_raw() {
        let ev = default("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK").unwrap();
        assert_eq!(ev.source, LogSource::VpcFlow);
        assert_eq!(ev.event_source, "vpc-flow-logs");
        assert_eq!(ev.event_name, "ACCEPT");
        assert_eq!(ev.time.to_utc_string(), "2014-12-14T04:06:50.000Z");
        assert_eq!(ev.time_field, "start");
        assert_eq!(ev.source_ip.as_deref(), Some("172.31.16.139"));
        assert_eq!(ev.recipient_account.as_deref(), Some("123456789010"));
        assert_eq!(ev.category, Category::Other("Network".into()));
        assert_eq!(ev.identity, Identity::default());
        let f = flow(&ev);
        assert_eq!(f.dst_port, Some(22));
        assert_eq!(f.protocol, Some(6));
        assert_eq!(f.bytes, Some(4249));
        assert_eq!(f.action, FlowAction::Accept);
        assert_eq!(f.end.to_utc_string(), "2014-12-14T04:07:50.000Z");
        assert_eq!(f.src_addr, "172.31.16.139".parse().ok());
        let raw: Json = serde_json::from_str(&ev.raw).unwrap();
        assert_eq!(raw["interface-id"], "eni-1235b8ca123456789");
        assert_eq!(raw["dstport"], 22);
        assert_eq!(raw["version"], 2);
        assert_eq!(raw["start"], 1_418_530_010u64);
        assert_eq!(raw["log-status"], "OK");
        assert_eq!(raw["logSource"], "vpc_flow");
    }

    #[test]
    fn nodata_and_skipdata_have_no_addresses() {
        let ev = default(
            "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
        )
        .unwrap();
        assert_eq!(ev.event_name, "NODATA");
        assert_eq!(flow(&ev).action, FlowAction::NoData);
        assert_eq!(flow(&ev).src_addr, None);
        assert_eq!(ev.source_ip, None);
        let raw: Json = serde_json::from_str(&ev.raw).unwrap();
        assert!(raw.get("srcaddr").is_none() && raw.get("action").is_none());
        let ev = default(
            "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
        )
        .unwrap();
        assert_eq!(flow(&ev).action, FlowAction::SkipData);
        assert_eq!(ev.event_name, "SKIPDATA");
    }

    #[test]
    fn ipv6_and_custom_v5_fields() {
        let ev = default("2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK").unwrap();
        assert!(flow(&ev).src_addr.is_some_and(|a| a.is_ipv6()));
        let header = "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status";
        let format = Format::from_header(header, 2).unwrap();
        let ev = parse("5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK", &format, &Origin::Header, Some("us-east-1"), prov("flow.log")).unwrap();
        assert_eq!(ev.region.as_deref(), Some("ap-southeast-2"));
        let f = flow(&ev);
        assert_eq!(f.flow_direction.as_deref(), Some("egress"));
        assert_eq!(f.vpc_id.as_deref(), Some("vpc-abcdefab012345678"));
        assert_eq!(f.instance_id.as_deref(), Some("i-0c50d5961bcb2d47b"));
        assert_eq!(f.pkt_dst_addr, "52.95.128.179".parse().ok());
        let raw: Json = serde_json::from_str(&ev.raw).unwrap();
        assert_eq!(raw["tcp-flags"], 3);
        assert_eq!(raw["traffic-path"], 8);
        assert_eq!(raw["pkt-dst-aws-service"], "S3");
        assert!(raw.get("pkt-src-aws-service").is_none());
    }

    #[test]
    fn region_from_the_file_and_unknown_fields_kept() {
        let format = Format::from_header("start action srcaddr new-thing", 1).unwrap();
        let ev = parse(
            "1616729292 REJECT 198.51.100.7 x\"y",
            &format,
            &Origin::Header,
            Some("eu-west-1"),
            prov("flow.log"),
        )
        .unwrap();
        assert_eq!(ev.region.as_deref(), Some("eu-west-1"));
        assert_eq!(ev.event_name, "REJECT");
        let raw: Json = serde_json::from_str(&ev.raw).unwrap();
        assert_eq!(raw["new-thing"], "x\"y");
    }

    #[test]
    fn malformed_records_name_the_field_and_value() {
        let bad = |t: &str| default(t).unwrap_err().to_string();
        let ok = "2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";
        // Each edit of a good record, and the error it makes (whole, then in part).
        struct Edit {
            from: &'static str,
            to: &'static str,
            error: &'static str,
        }
        #[rustfmt::skip]
        let whole = [
            Edit { from: " 22 ", to: " 70000 ", error: "field dstport: \"70000\" is not a whole number from 0 to 65535" },
            Edit { from: "172.31.16.139", to: "172.31.16.300", error: "field srcaddr: \"172.31.16.300\" is not an IPv4 or IPv6 address" },
            Edit { from: "1418530010", to: "1418530099", error: "start 1418530099 is after end 1418530070" },
            Edit { from: "ACCEPT", to: "DROP", error: "field action: \"DROP\" is not one of ACCEPT, REJECT" },
            Edit { from: " OK", to: "", error: "13 fields; the format names 14 (the default format: no header line)" },
        ];
        for e in whole {
            assert_eq!(
                bad(&ok.replace(e.from, e.to)),
                e.error,
                "{:?} as {:?}",
                e.from,
                e.to
            );
        }
        #[rustfmt::skip]
        let part = [
            Edit { from: "ACCEPT", to: "-", error: "does not say what happened" },
            Edit { from: "1418530010", to: "-", error: "start is absent" },
            Edit { from: "1418530010", to: "99999999999999", error: "field start" },
            Edit { from: " 6 ", to: " -6 ", error: "field protocol" },
            Edit { from: " 6 ", to: " +6 ", error: "field protocol" },
        ];
        for e in part {
            let error = bad(&ok.replace(e.from, e.to));
            assert!(
                error.contains(e.error),
                "{:?} as {:?}: {error}",
                e.from,
                e.to
            );
        }
        let padded = default(&ok.replace(" 22 ", " 0022 ")).unwrap();
        let raw: Json = serde_json::from_str(&padded.raw).unwrap();
        assert_eq!(raw["dstport"], 22);
    }
}
