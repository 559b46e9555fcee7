//! Events of the logs beyond CloudTrail, built as their readers build them (the common fields
//! and the typed detail), for the unit tests of this module.

use std::net::SocketAddr;
use std::sync::Arc;

use cloudcase_event::detail::{Charge, DnsQuery, Finding, Flow, FlowAction, S3Request};
use cloudcase_event::{
    Category, Detail, Event, EventTime, Identity, LogSource, OtherRecord, Provenance, SourceFile,
};

/// Milliseconds of an RFC 3339 time.
pub(crate) fn ms(t: &str) -> i64 {
    EventTime::parse(t).expect("a valid time").millis()
}

/// An event of `source` at `time` with `detail`, from `ip` by `arn`, record `record` of file
/// `file` (ordinal `file`).
fn event(
    source: LogSource,
    time: &str,
    detail: Detail,
    ip: Option<&str>,
    arn: Option<&str>,
    file: u64,
    record: u64,
) -> Event {
    Event {
        identity: Identity {
            arn: arn.map(str::to_owned),
            ..Identity::default()
        },
        source_ip: ip.map(str::to_owned),
        ..Event::other(OtherRecord {
            source,
            time: EventTime::parse(time).expect("a valid time"),
            time_field: "time",
            event_source: String::new(),
            event_name: String::new(),
            category: Category::Data,
            raw: "{}".into(),
            detail: Some(detail),
            provenance: Provenance {
                record,
                ..Provenance::first_of(log_file(file))
            },
        })
    }
}

/// An S3 server access log line: `operation` on `bucket`/`key` by `requester` from `ip`, in
/// file 0 (see [`in_file`]).
pub(crate) fn s3_line(
    time: &str,
    bucket: &str,
    key: &str,
    operation: &str,
    requester: Option<&str>,
    ip: &str,
    bytes: u64,
) -> Event {
    let detail = Detail::S3Request(S3Request {
        bucket: bucket.to_owned(),
        key: Some(key.to_owned()),
        operation: operation.to_owned(),
        http_status: Some(200),
        bytes_sent: Some(bytes),
        object_size: Some(bytes),
        requester: requester.map(str::to_owned),
        bucket_owner: Some("owner".to_owned()),
    });
    event(LogSource::S3Access, time, detail, Some(ip), requester, 0, 0)
}

/// The event moved to file `n` (ordinal `n`).
pub(crate) fn in_file(mut ev: Event, n: u64) -> Event {
    ev.provenance.file = Arc::new(log_file(n));
    ev
}

/// The file `log-n`, ordinal `n`.
fn log_file(n: u64) -> SourceFile {
    SourceFile {
        ordinal: n,
        ..SourceFile::plain(format!("log-{n}"))
    }
}

/// A TCP flow record on `eni` from `src` to `dst` (`ADDR:PORT`, `[V6]:PORT`) of `bytes`,
/// from `start` to `end`.
pub(crate) fn flow(eni: &str, src: &str, dst: &str, bytes: u64, start: &str, end: &str) -> Event {
    let parse = |a: &str| a.parse::<SocketAddr>().expect("ADDR:PORT");
    let (src, dst) = (parse(src), parse(dst));
    let detail = Detail::Flow(Flow {
        account_id: Some("111122223333".to_owned()),
        interface_id: Some(eni.to_owned()),
        src_addr: Some(src.ip()),
        dst_addr: Some(dst.ip()),
        src_port: Some(src.port()),
        dst_port: Some(dst.port()),
        protocol: Some(6),
        packets: Some(bytes / 1000 + 1),
        bytes: Some(bytes),
        start: EventTime::parse(start).expect("a valid time"),
        end: EventTime::parse(end).expect("a valid time"),
        action: FlowAction::Accept,
        instance_id: None,
        vpc_id: None,
        subnet_id: None,
        flow_direction: None,
        pkt_src_addr: None,
        pkt_dst_addr: None,
    });
    event(LogSource::VpcFlow, start, detail, None, None, 1, 0)
}

/// The flow record of an event, to edit.
pub(crate) fn flow_mut(ev: &mut Event) -> &mut Flow {
    match ev.detail.as_deref_mut() {
        Some(Detail::Flow(f)) => f,
        _ => panic!("a flow record"),
    }
}

/// A GuardDuty finding, edited by `edit`.
pub(crate) fn finding(id: &str, severity: f64, edit: impl FnOnce(&mut Finding)) -> Event {
    let mut f = Finding {
        id: id.to_owned(),
        finding_type: "Recon:EC2/PortProbeUnprotectedPort".to_owned(),
        severity,
        ..Finding::default()
    };
    edit(&mut f);
    event(
        LogSource::GuardDuty,
        "2024-03-05T00:00:00Z",
        Detail::Finding(f),
        None,
        None,
        2,
        0,
    )
}

/// A Route 53 Resolver query for `name` from `src` (instance `instance` when logged).
pub(crate) fn query(time: &str, name: &str, src: &str, instance: Option<&str>) -> Event {
    let detail = Detail::DnsQuery(DnsQuery {
        query_name: name.to_owned(),
        query_type: Some("A".to_owned()),
        rcode: Some("NOERROR".to_owned()),
        src_addr: Some(src.to_owned()),
        instance_id: instance.map(str::to_owned),
        ..DnsQuery::default()
    });
    event(
        LogSource::Route53Resolver,
        time,
        detail,
        Some(src),
        None,
        3,
        0,
    )
}

/// A Cost and Usage Report line item of `resource` from `start` to `end` costing `cost` USD.
pub(crate) fn charge(resource: &str, usage_type: &str, start: &str, end: &str, cost: f64) -> Event {
    let detail = Detail::Charge(Charge {
        account_id: Some("111122223333".to_owned()),
        resource_id: Some(resource.to_owned()),
        product_code: Some("AmazonEC2".to_owned()),
        usage_type: Some(usage_type.to_owned()),
        operation: Some("RunInstances".to_owned()),
        line_item_type: Some("Usage".to_owned()),
        region: Some("us-east-1".to_owned()),
        usage_start: EventTime::parse(start).expect("a valid time"),
        usage_end: Some(EventTime::parse(end).expect("a valid time")),
        usage_amount: Some(1.0),
        cost,
        currency: Some("USD".to_owned()),
    });
    event(LogSource::Billing, start, detail, None, None, 5, 0)
}
