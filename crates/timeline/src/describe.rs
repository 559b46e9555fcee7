//! One line saying what a non-CloudTrail record says, from its typed detail:
//! the `DETAIL` column of the table, the Timesketch `message` and the CSV
//! `detail` column.
//!
//! One formatter per log source, in a table; the text is plain (callers make
//! it terminal-, CSV- or JSON-safe as they do for every other cell).

use std::fmt::Write;
use std::net::IpAddr;

use cloudcase_event::detail::{Charge, DnsQuery, Finding, Flow, S3Request};
use cloudcase_event::{Detail, Event, LogSource};
use cloudcase_read::human_bytes;

/// Describes one event of a source from its detail; `None` when the event
/// carries no detail of the expected kind.
type Describer = fn(&Detail) -> Option<String>;

/// The formatter of each source that has a typed detail. CloudTrail records
/// have none: their columns say it all.
const DESCRIBERS: &[(LogSource, Describer)] = &[
    (LogSource::S3Access, |d| match d {
        Detail::S3Request(r) => Some(s3_request(r)),
        _ => None,
    }),
    (LogSource::VpcFlow, |d| match d {
        Detail::Flow(f) => Some(flow(f)),
        _ => None,
    }),
    (LogSource::GuardDuty, |d| match d {
        Detail::Finding(f) => Some(finding(f)),
        _ => None,
    }),
    (LogSource::Route53Resolver, |d| match d {
        Detail::DnsQuery(q) => Some(dns(q)),
        _ => None,
    }),
    (LogSource::Billing, |d| match d {
        Detail::Charge(c) => Some(charge(c)),
        _ => None,
    }),
];

/// IANA protocol numbers shown by name.
const PROTOCOLS: &[(u8, &str)] = &[
    (1, "icmp"),
    (6, "tcp"),
    (17, "udp"),
    (47, "gre"),
    (50, "esp"),
    (58, "icmpv6"),
    (132, "sctp"),
];

/// GuardDuty's severity bands, highest first: lower bound and name.
const SEVERITY_BANDS: &[(f64, &str)] = &[
    (9.0, "critical"),
    (7.0, "high"),
    (4.0, "medium"),
    (0.0, "low"),
];

/// The one-line description of `event`, when its source has a formatter and
/// the event carries its detail.
pub fn describe(event: &Event) -> Option<String> {
    let detail = event.detail.as_deref()?;
    let (_, describer) = DESCRIBERS.iter().find(|(s, _)| *s == event.source)?;
    describer(detail)
}

fn or_dash(v: Option<&str>) -> &str {
    v.unwrap_or("-")
}

/// `10.0.0.5:22`, `[2001:db8::1]:443`, `-` for an absent address.
fn endpoint(addr: Option<IpAddr>, port: Option<u16>) -> String {
    let host = match addr {
        Some(IpAddr::V6(a)) if port.is_some() => format!("[{a}]"),
        Some(a) => a.to_string(),
        None => "-".to_owned(),
    };
    match port {
        Some(p) => format!("{host}:{p}"),
        None => host,
    }
}

fn protocol(number: Option<u8>) -> String {
    match number {
        None => "-".to_owned(),
        Some(n) => PROTOCOLS
            .iter()
            .find(|(p, _)| *p == n)
            .map_or_else(|| format!("proto {n}"), |(_, name)| (*name).to_owned()),
    }
}

/// `10.0.0.5:22 → 203.0.113.9:51234 tcp 1.2 MB ACCEPT eni-0a1b…`; a record
/// without traffic (`NODATA`, `SKIPDATA`) is its status and interface.
fn flow(f: &Flow) -> String {
    let mut out = String::new();
    if f.src_addr.is_some() || f.dst_addr.is_some() {
        let _ = write!(
            out,
            "{} → {} {} ",
            endpoint(f.src_addr, f.src_port),
            endpoint(f.dst_addr, f.dst_port),
            protocol(f.protocol)
        );
        if let Some(b) = f.bytes {
            let _ = write!(out, "{} ", human_bytes(b));
        }
    }
    out.push_str(f.action.as_str());
    for id in [&f.interface_id, &f.flow_direction, &f.instance_id]
        .into_iter()
        .flatten()
    {
        let _ = write!(out, " {id}");
    }
    out
}

/// `evil.example. TXT NXDOMAIN i-0abc…`.
fn dns(q: &DnsQuery) -> String {
    let mut out = format!(
        "{} {} {}",
        q.query_name,
        or_dash(q.query_type.as_deref()),
        or_dash(q.rcode.as_deref())
    );
    if let Some(i) = &q.instance_id {
        let _ = write!(out, " {i}");
    }
    if !q.answers.is_empty() {
        let _ = write!(out, " → {}", q.answers.join(", "));
    }
    out
}

/// `UnauthorizedAccess:EC2/SSHBruteForce severity 8 (high)`.
fn finding(f: &Finding) -> String {
    let band = SEVERITY_BANDS
        .iter()
        .find(|(low, _)| f.severity >= *low)
        .map_or("low", |(_, name)| name);
    let mut out = format!("{} severity {} ({band})", f.finding_type, f.severity);
    for named in [&f.instance_id, &f.access_key_id].into_iter().flatten() {
        let _ = write!(out, " {named}");
    }
    if f.archived {
        out.push_str(" archived");
    }
    out
}

/// `i-0abc APN1-BoxUsage:p3.2xlarge 12.24 USD`.
fn charge(c: &Charge) -> String {
    format!(
        "{} {} {} {}",
        or_dash(c.resource_id.as_deref().or(c.product_code.as_deref())),
        or_dash(c.usage_type.as_deref()),
        c.cost,
        or_dash(c.currency.as_deref())
    )
}

/// `REST.GET.OBJECT bucket/key 200 1.2 MB`.
fn s3_request(r: &S3Request) -> String {
    let mut out = format!("{} {}", r.operation, r.bucket);
    if let Some(k) = &r.key {
        let _ = write!(out, "/{k}");
    }
    match r.http_status {
        Some(s) => {
            let _ = write!(out, " {s}");
        }
        None => out.push_str(" -"),
    }
    if let Some(b) = r.bytes_sent {
        let _ = write!(out, " {}", human_bytes(b));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::event_of;
    use cloudcase_event::detail::FlowAction;
    use cloudcase_event::EventTime;

    fn flow_detail() -> Flow {
        let t = EventTime::parse("2024-06-01T10:00:00Z").expect("time");
        Flow {
            account_id: Some("111122223333".into()),
            interface_id: Some("eni-0a1b2c3d".into()),
            src_addr: "10.0.0.5".parse().ok(),
            dst_addr: "203.0.113.9".parse().ok(),
            src_port: Some(22),
            dst_port: Some(51234),
            protocol: Some(6),
            packets: Some(900),
            bytes: Some(1_234_567),
            start: t,
            end: t,
            action: FlowAction::Accept,
            instance_id: None,
            vpc_id: None,
            subnet_id: None,
            flow_direction: None,
            pkt_src_addr: None,
            pkt_dst_addr: None,
        }
    }

    #[test]
    fn flows_read_as_one_line() {
        let e = event_of(LogSource::VpcFlow, Detail::Flow(flow_detail()));
        assert_eq!(
            describe(&e).as_deref(),
            Some("10.0.0.5:22 → 203.0.113.9:51234 tcp 1.2 MB ACCEPT eni-0a1b2c3d")
        );
        let mut v6 = flow_detail();
        v6.dst_addr = "2001:db8::9".parse().ok();
        v6.protocol = Some(99);
        v6.bytes = None;
        v6.action = FlowAction::Reject;
        let e = event_of(LogSource::VpcFlow, Detail::Flow(v6));
        assert_eq!(
            describe(&e).as_deref(),
            Some("10.0.0.5:22 → [2001:db8::9]:51234 proto 99 REJECT eni-0a1b2c3d")
        );
        let mut quiet = flow_detail();
        (
            quiet.src_addr,
            quiet.dst_addr,
            quiet.src_port,
            quiet.dst_port,
        ) = (None, None, None, None);
        quiet.action = FlowAction::NoData;
        let e = event_of(LogSource::VpcFlow, Detail::Flow(quiet));
        assert_eq!(describe(&e).as_deref(), Some("NODATA eni-0a1b2c3d"));
    }

    #[test]
    fn each_source_has_its_line() {
        let q = DnsQuery {
            query_name: "pool.example.".into(),
            query_type: Some("A".into()),
            rcode: Some("NOERROR".into()),
            instance_id: Some("i-0abc".into()),
            answers: vec!["192.0.2.7".into()],
            ..DnsQuery::default()
        };
        let e = event_of(LogSource::Route53Resolver, Detail::DnsQuery(q));
        assert_eq!(
            describe(&e).as_deref(),
            Some("pool.example. A NOERROR i-0abc → 192.0.2.7")
        );
        let f = Finding {
            finding_type: "CryptoCurrency:EC2/BitcoinTool.B!DNS".into(),
            severity: 8.0,
            instance_id: Some("i-0abc".into()),
            ..Finding::default()
        };
        let e = event_of(LogSource::GuardDuty, Detail::Finding(f));
        assert_eq!(
            describe(&e).as_deref(),
            Some("CryptoCurrency:EC2/BitcoinTool.B!DNS severity 8 (high) i-0abc")
        );
        let r = S3Request {
            bucket: "payroll".into(),
            key: Some("2024/june.csv".into()),
            operation: "REST.GET.OBJECT".into(),
            http_status: Some(200),
            bytes_sent: Some(2_500),
            ..S3Request::default()
        };
        let e = event_of(LogSource::S3Access, Detail::S3Request(r));
        assert_eq!(
            describe(&e).as_deref(),
            Some("REST.GET.OBJECT payroll/2024/june.csv 200 2.5 KB")
        );
        let c = Charge {
            account_id: None,
            resource_id: Some("i-0abc".into()),
            product_code: Some("AmazonEC2".into()),
            usage_type: Some("APN1-BoxUsage:p3.2xlarge".into()),
            operation: None,
            line_item_type: Some("Usage".into()),
            region: None,
            usage_start: EventTime::parse("2024-06-01T10:00:00Z").expect("time"),
            usage_end: None,
            usage_amount: Some(1.0),
            cost: 12.24,
            currency: Some("USD".into()),
        };
        let e = event_of(LogSource::Billing, Detail::Charge(c));
        assert_eq!(
            describe(&e).as_deref(),
            Some("i-0abc APN1-BoxUsage:p3.2xlarge 12.24 USD")
        );
    }

    #[test]
    fn a_detail_of_another_kind_or_none_says_nothing() {
        let e = event_of(LogSource::GuardDuty, Detail::Flow(flow_detail()));
        assert_eq!(describe(&e), None);
        let mut e = event_of(LogSource::VpcFlow, Detail::Flow(flow_detail()));
        e.detail = None;
        assert_eq!(describe(&e), None);
    }
}
