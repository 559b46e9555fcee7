//! VPC flow logs and Cost and Usage Reports, read by content from files in
//! AWS's real shapes (fixtures under the repository's `tests/fixtures`) and
//! from hostile inputs built here: every record read or rejected at its
//! offset, and the accounting exact.

mod common;

use std::io::Write;
use std::path::Path;

use cloudcase_event::detail::FlowAction;
use cloudcase_event::{Detail, Event, LogSource};
use cloudcase_read::{Limits, RejectKind};
use common::{fixture_path, gzip, read, read_with, write, Run};
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::Value;

/// The byte offset of `needle` in `content`: where a rejection must point.
fn offset_of(content: &[u8], needle: &str) -> u64 {
    content
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .unwrap_or_else(|| panic!("{needle:?} not in the content")) as u64
}

/// The offset of the JSON object holding `needle`: the last `{` before it.
fn element_offset(content: &[u8], needle: &str) -> u64 {
    let at = offset_of(content, needle) as usize;
    content[..at].iter().rposition(|&b| b == b'{').unwrap() as u64
}

fn raw(e: &Event) -> Value {
    serde_json::from_str(&e.raw).unwrap()
}

/// Where each rejection points: file name, record index, offset, kind.
fn located(run: &Run) -> Vec<(String, Option<u64>, Option<u64>, RejectKind)> {
    run.rejections
        .iter()
        .map(|r| {
            let name = r.file.file_name().unwrap().to_string_lossy().into_owned();
            (name, r.record, r.offset, r.kind)
        })
        .collect()
}

const DEFAULT_HEADER: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";

#[test]
fn flow_log_fixtures_every_record_read_or_rejected_at_its_offset() {
    let run = read(&[fixture_path("vpc_flow")]);
    let s3 = fixture_path("vpc_flow/AWSLogs/123456789010/vpcflowlogs/us-east-1/2024/08/18/123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20240818T0955Z_fe123456.log.gz");
    let s3_content = {
        let mut d = flate2::read::GzDecoder::new(std::fs::File::open(&s3).unwrap());
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut d, &mut out).unwrap();
        out
    };
    let v5 = fixture_path("vpc_flow/AWSLogs/123456789012/vpcflowlogs/ap-southeast-2/2024/08/18/123456789012_vpcflowlogs_ap-southeast-2_fl-5678efgh_20240818T1000Z_ab123456.log");
    let v5_content = std::fs::read(&v5).unwrap();
    let cwl = std::fs::read(fixture_path("vpc_flow/filter-log-events.json")).unwrap();
    assert_eq!(
        located(&run),
        [
            (
                "123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20240818T0955Z_fe123456.log.gz"
                    .into(),
                Some(5),
                Some(offset_of(&s3_content, "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 20641 22 6 20 4249 1723975200")),
                RejectKind::MalformedLine
            ),
            (
                "123456789012_vpcflowlogs_ap-southeast-2_fl-5678efgh_20240818T1000Z_ab123456.log"
                    .into(),
                Some(2),
                Some(offset_of(&v5_content, "5 10.0.0.71 52.95.128.179 34210 80 6 1723975300 1723975357 IPv4 7 471 123456789012\n")),
                RejectKind::MalformedLine
            ),
            (
                "filter-log-events.json".into(),
                Some(2),
                Some(element_offset(&cwl, "43000 99999")),
                RejectKind::MalformedLine
            ),
        ]
    );
    let why: Vec<&str> = run.rejections.iter().map(|r| r.detail.as_str()).collect();
    assert_eq!(
        why,
        [
            "VPC flow log: start 1723975200 is after end 1723975140",
            "VPC flow log: 12 fields; the format names 29 (the file's header line)",
            "VPC flow log in a CloudWatch Logs event: field dstport: \"99999\" is not a whole number from 0 to 65535",
        ]
    );
    assert_eq!(run.accounting.records_parsed, 11);
    assert_eq!(run.accounting.formats.get("vpc-flow-log"), Some(&2));
    assert_eq!(run.accounting.formats.get("cloudwatch-export"), Some(&1));
    assert_eq!(run.accounting.formats.get("cloudwatch-logs"), Some(&1));
    let got: Vec<(String, &str, Option<&str>)> = run
        .events
        .iter()
        .map(|e| {
            (
                e.time.to_utc_string(),
                e.event_name.as_str(),
                e.region.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "2024-08-18T09:55:00.000Z".into(),
                "ACCEPT",
                Some("us-east-1")
            ),
            (
                "2024-08-18T09:55:10.000Z".into(),
                "REJECT",
                Some("us-east-1")
            ),
            (
                "2024-08-18T09:57:00.000Z".into(),
                "NODATA",
                Some("us-east-1")
            ),
            (
                "2024-08-18T09:57:00.000Z".into(),
                "SKIPDATA",
                Some("us-east-1")
            ),
            (
                "2024-08-18T09:58:20.000Z".into(),
                "ACCEPT",
                Some("us-east-1")
            ),
            (
                "2024-08-18T10:01:40.000Z".into(),
                "ACCEPT",
                Some("ap-southeast-2")
            ),
            (
                "2024-08-18T10:01:40.000Z".into(),
                "ACCEPT",
                Some("ap-southeast-2")
            ),
            ("2024-08-18T10:05:00.000Z".into(), "ACCEPT", None),
            ("2024-08-18T10:05:10.000Z".into(), "REJECT", None),
            ("2024-08-18T10:10:00.000Z".into(), "ACCEPT", None),
            ("2024-08-18T10:10:00.000Z".into(), "NODATA", None),
        ]
    );
    for e in &run.events {
        assert_eq!(e.source, LogSource::VpcFlow);
        assert_eq!(e.event_source, "vpc-flow-logs");
        assert_eq!(e.time_field, "start");
        assert_eq!(e.category.as_str(), "Network");
        assert_eq!(raw(e)["logSource"], "vpc_flow");
        assert!(matches!(e.detail.as_deref(), Some(Detail::Flow(_))));
    }
    let first = &run.events[0];
    assert_eq!(first.provenance.record, 0);
    assert_eq!(first.provenance.offset, DEFAULT_HEADER.len() as u64 + 1);
    assert_eq!(first.source_ip.as_deref(), Some("203.0.113.12"));
    assert_eq!(first.recipient_account.as_deref(), Some("123456789010"));
    let ipv6 = &run.events[4];
    let Some(Detail::Flow(flow)) = ipv6.detail.as_deref() else {
        panic!()
    };
    assert!(flow.dst_addr.is_some_and(|a| a.is_ipv6()));
    assert_eq!(raw(ipv6)["srcport"], 34892);
    let egress = run
        .events
        .iter()
        .find(|e| raw(e)["flow-direction"] == "egress")
        .unwrap();
    assert_eq!(raw(egress)["pkt-dst-aws-service"], "S3");
    assert_eq!(raw(egress)["traffic-path"], 8);
    let nodata = &run.events[2];
    let Some(Detail::Flow(flow)) = nodata.detail.as_deref() else {
        panic!()
    };
    assert_eq!((flow.action, flow.src_addr), (FlowAction::NoData, None));
    let exfil = &run.events[9];
    assert_eq!(raw(exfil)["bytes"], 1_200_000);
    assert_eq!(exfil.provenance.record, 0);
}

#[test]
fn custom_formats_headerless_files_and_formats_that_cannot_be_events() {
    let dir = tempfile::tempdir().unwrap();
    let nat = "instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr\n- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5\n";
    write(dir.path(), "nat.log", nat.as_bytes());
    let tgw = "version interface-id account-id vpc-id subnet-id instance-id srcaddr dstaddr srcport dstport protocol tcp-flags type pkt-srcaddr pkt-dstaddr action log-status start end\n3 eni-33333333333333333 123456789010 vpc-abcdefab012345678 subnet-22222222bbbbbbbbb i-01234567890123456 10.20.33.164 10.40.2.236 39812 80 6 3 IPv4 10.20.33.164 10.40.2.236 ACCEPT OK 1566848875 1566848933\r\n\r\n3 eni-11111111111111111 123456789010 vpc-abcdefab012345678 subnet-11111111aaaaaaaaa - 10.40.1.175 10.40.2.236 39812 80 6 3 IPv4 10.20.33.164 10.40.2.236 ACCEPT OK 1566848875 1566848933 extra\n";
    write(dir.path(), "tgw.log", tgw.as_bytes());
    let plain = "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK\n2 unknown eni-1 - - - - - - - 1418530010 1418530070 - NODATA";
    write(dir.path(), "default.txt", plain.as_bytes());
    let run = read(&[dir.path().to_path_buf()]);
    assert_eq!(
        located(&run),
        [
            (
                "nat.log".into(),
                Some(0),
                Some(offset_of(nat.as_bytes(), "- eni")),
                RejectKind::MalformedLine
            ),
            (
                "tgw.log".into(),
                Some(1),
                Some(offset_of(tgw.as_bytes(), "3 eni-111")),
                RejectKind::MalformedLine
            ),
        ]
    );
    assert!(run.rejections[0].detail.contains("no start field"));
    assert!(run.rejections[1]
        .detail
        .contains("20 fields; the format names 19"));
    assert_eq!(run.accounting.records_parsed, 3);
    let tgw_event = run
        .events
        .iter()
        .find(|e| e.provenance.file.path.ends_with("tgw.log"))
        .unwrap();
    assert_eq!(raw(tgw_event)["tcp-flags"], 3);
    assert_eq!(raw(tgw_event)["type"], "IPv4");
    let unknown = run
        .events
        .iter()
        .find(|e| e.event_name == "NODATA")
        .unwrap();
    assert_eq!(unknown.recipient_account, None);
    assert_eq!(raw(unknown)["account-id"], "unknown");
}

#[test]
fn flow_records_in_get_log_events_pages_and_subscription_deliveries() {
    let dir = tempfile::tempdir().unwrap();
    let flow = |port: u32| {
        format!("2 123456789010 eni-1235b8ca123456789 172.31.16.139 192.0.2.44 43000 {port} 6 9 900 1418530010 1418530070 ACCEPT OK")
    };
    let page = format!(
        "{{\"events\":[{{\"timestamp\":1418530010000,\"message\":\"{}\",\"ingestionTime\":1418530080000}}],\"nextForwardToken\":\"f/1\",\"nextBackwardToken\":\"b/1\"}}\n",
        flow(4444)
    );
    let delivery = format!(
        "{{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"123456789010\",\"logGroup\":\"vpc-flow-logs\",\"logStream\":\"eni-1235b8ca123456789-all\",\"subscriptionFilters\":[\"all\"],\"logEvents\":[{{\"id\":\"1\",\"timestamp\":1418530010000,\"message\":\"{}\"}},{{\"id\":\"2\",\"timestamp\":1418530010000,\"message\":\"{}\"}}]}}",
        flow(3333),
        flow(70000)
    );
    write(dir.path(), "get-log-events.json", page.as_bytes());
    let delivery_path = write(
        dir.path(),
        "firehose/delivery.gz",
        &gzip(delivery.as_bytes()),
    );
    let run = read(&[dir.path().to_path_buf()]);
    let ports: Vec<Value> = run
        .events
        .iter()
        .map(|e| raw(e)["dstport"].clone())
        .collect();
    assert_eq!(ports, [3333, 4444]);
    assert!(run.events.iter().all(|e| e.source == LogSource::VpcFlow));
    let bad = &run.rejections[0];
    assert_eq!((bad.record, bad.kind), (Some(1), RejectKind::MalformedLine));
    assert_eq!(bad.file, delivery_path);
    assert_eq!(
        bad.offset,
        Some(element_offset(delivery.as_bytes(), " 70000 "))
    );
    assert!(
        bad.detail.contains("field dstport: \"70000\""),
        "{}",
        bad.detail
    );
}

#[test]
fn a_custom_format_without_its_header_is_skipped_saying_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let headerless = "3 eni-33333333333333333 123456789010 vpc-abcdefab012345678 subnet-22222222bbbbbbbbb i-01234567890123456 10.20.33.164 10.40.2.236 39812 80 6 3 IPv4 10.20.33.164 10.40.2.236 ACCEPT OK\n";
    write(dir.path(), "tgw-no-header.log", headerless.as_bytes());
    let run = read(&[dir.path().to_path_buf()]);
    assert_eq!(
        located(&run),
        [("tgw-no-header.log".into(), None, None, RejectKind::NotJson)]
    );
    assert!(run.rejections[0]
        .detail
        .contains("a VPC flow log with its header line or in the default format"));
    assert_eq!(run.accounting.records_parsed, 0);
}

#[test]
fn hostile_flow_logs_huge_lines_and_binary_junk() {
    let dir = tempfile::tempdir().unwrap();
    let good = "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK";
    let huge = format!("2 {}", "9".repeat(8 << 20));
    let junk = [0u8, 0xff, 0x1b, b'[', b'3', b'1', b'm', 0xfe];
    let mut body = format!("{DEFAULT_HEADER}\n{good}\n{huge}\n").into_bytes();
    let junk_at = body.len() as u64;
    body.extend_from_slice(&junk);
    body.extend_from_slice(b"\n2 1\x1b[31m\n");
    let last_at = body.len() as u64;
    body.extend_from_slice(good.as_bytes());
    let huge_at = (DEFAULT_HEADER.len() + good.len() + 2) as u64;
    write(dir.path(), "hostile.log.gz", &gzip(&body));
    let limits = Limits {
        max_record_bytes: 1 << 20,
        ..Limits::default()
    };
    let run = read_with(&[dir.path().to_path_buf()], limits);
    let name = || "hostile.log.gz".to_owned();
    assert_eq!(
        located(&run),
        [
            (name(), Some(1), Some(huge_at), RejectKind::TooLarge),
            (name(), Some(2), Some(junk_at), RejectKind::InvalidUtf8),
            (
                name(),
                Some(3),
                Some(junk_at + 9),
                RejectKind::MalformedLine
            ),
        ]
    );
    assert!(run.rejections[2].detail.contains("control character 0x1b"));
    assert_eq!(run.accounting.records_parsed, 2);
    assert_eq!(run.events[1].provenance.record, 4);
    assert_eq!(run.events[1].provenance.offset, last_at);
}

#[test]
fn a_flow_log_gzip_bomb_stops_at_the_ratio_limit() {
    let dir = tempfile::tempdir().unwrap();
    let good = "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK";
    let mut bomb = GzEncoder::new(Vec::new(), Compression::best());
    bomb.write_all(format!("{DEFAULT_HEADER}\n{good}\n").as_bytes())
        .unwrap();
    let blank = vec![b'\n'; 1 << 20];
    for _ in 0..64 {
        bomb.write_all(&blank).unwrap();
    }
    write(dir.path(), "bomb.log.gz", &bomb.finish().unwrap());
    let limits = Limits {
        ratio_grace_bytes: 1 << 20,
        ..Limits::default()
    };
    let run = read_with(&[dir.path().to_path_buf()], limits);
    assert_eq!(run.accounting.records_parsed, 1);
    assert_eq!(run.rejections.len(), 1);
    let bomb = &run.rejections[0];
    assert_eq!(
        (bomb.record, bomb.kind),
        (Some(1), RejectKind::DecompressLimit)
    );
    assert!(bomb.detail.contains("gzip bomb"), "{}", bomb.detail);
    assert!(run.accounting.bytes_decompressed < 20 << 20);
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut d = flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap());
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut d, &mut out).unwrap();
    out
}

#[test]
fn cost_and_usage_reports_legacy_and_cur2_every_row_read_or_rejected() {
    let run = read(&[fixture_path("billing")]);
    let legacy_path = fixture_path("billing/cur/incident-cur/20240801-20240901/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111/incident-cur-1.csv.gz");
    let legacy = gunzip(&legacy_path);
    let cur2 = std::fs::read(fixture_path(
        "billing/data-exports/incident-export/data/BILLING_PERIOD=2024-08/incident-export-00001.csv",
    ))
    .unwrap();
    assert_eq!(
        located(&run),
        [
            (
                "incident-cur-1.csv.gz".into(),
                Some(2),
                Some(offset_of(&legacy, "badcost")),
                RejectKind::MalformedLine
            ),
            (
                "incident-export-00001.csv".into(),
                Some(2),
                Some(offset_of(&cur2, "Anniversary,2024-09-01T00:00:00.000Z,2024-08-01T00:00:00.000Z,111122223333,{},{},c2a3")),
                RejectKind::MalformedLine
            ),
            (
                "incident-export-00001.csv".into(),
                Some(4),
                Some(offset_of(&cur2, "c2a5,short")),
                RejectKind::MalformedLine
            ),
        ]
    );
    let why: Vec<&str> = run.rejections.iter().map(|r| r.detail.as_str()).collect();
    assert_eq!(
        why,
        [
            "Cost and Usage Report: column lineItem/UnblendedCost: \"3.26USD\" is not a number",
            "Cost and Usage Report: column line_item_usage_start_date: \"18 Aug 2024\" is not a timestamp",
            "Cost and Usage Report: 2 columns; the header names 23",
        ]
    );
    assert_eq!(
        run.accounting.formats.get("cost-and-usage-report"),
        Some(&2)
    );
    let got: Vec<(String, &str, &str, Option<&str>, u64)> = run
        .events
        .iter()
        .map(|e| {
            (
                e.time.to_utc_string(),
                e.event_name.as_str(),
                e.time_field,
                e.region.as_deref(),
                e.provenance.record,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "2024-08-01T00:00:00.000Z".into(),
                "Tax",
                "lineItem/UsageStartDate",
                None,
                3
            ),
            (
                "2024-08-18T00:00:00.000Z".into(),
                "Credit",
                "line_item_usage_start_date",
                None,
                3
            ),
            (
                "2024-08-18T09:00:00.000Z".into(),
                "Usage",
                "lineItem/UsageStartDate",
                Some("ap-northeast-1"),
                0
            ),
            (
                "2024-08-18T09:00:00.000Z".into(),
                "Usage",
                "line_item_usage_start_date",
                Some("ap-northeast-1"),
                0
            ),
            (
                "2024-08-18T10:00:00.000Z".into(),
                "Usage",
                "lineItem/UsageStartDate",
                Some("ap-northeast-1"),
                1
            ),
            (
                "2024-08-18T10:00:00.000Z".into(),
                "Usage",
                "line_item_usage_start_date",
                Some("ap-northeast-1"),
                1
            ),
        ]
    );
    for e in &run.events {
        assert_eq!(e.source, LogSource::Billing);
        assert_eq!(e.event_source, "billing");
        assert_eq!(e.recipient_account.as_deref(), Some("123456789012"));
        assert_eq!(raw(e)["logSource"], "billing");
    }
    let miner = &run.events[2];
    let Some(Detail::Charge(c)) = miner.detail.as_deref() else {
        panic!()
    };
    assert_eq!((c.cost, c.usage_amount), (3.26, Some(1.0)));
    assert_eq!(c.resource_id.as_deref(), Some("i-0abc1234def567890"));
    assert_eq!(raw(miner)["resourceTags/user:Name"], "gpu-worker, \"temp\"");
    assert!(raw(miner).get("bill/InvoiceId").is_none());
    let transfer = &run.events[4];
    assert_eq!(
        transfer.provenance.offset,
        offset_of(&legacy, "q2n4wxkpiyh7")
    );
    assert!(raw(transfer)["lineItem/LineItemDescription"]
        .as_str()
        .unwrap()
        .ends_with("free tier,\nAsia Pacific (Tokyo)"));
    let credit = &run.events[1];
    let Some(Detail::Charge(c)) = credit.detail.as_deref() else {
        panic!()
    };
    assert_eq!(c.cost, -5.0);
    assert_eq!(
        raw(credit)["line_item_line_item_description"],
        "AWS Credit, \"Activate\" program"
    );
    let cur2_event = &run.events[3];
    assert_eq!(
        raw(cur2_event)["product"],
        r#"{"product_name":"Amazon Elastic Compute Cloud","instance_type":"p3.2xlarge","region":"ap-northeast-1"}"#
    );
}

const CUR_HEADER: &str = "identity/LineItemId,identity/TimeInterval,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost,lineItem/LineItemDescription";

#[test]
fn hostile_reports_huge_lines_junk_and_a_quote_left_open() {
    let dir = tempfile::tempdir().unwrap();
    let good = "a,2024-08-18T09:00:00Z/2024-08-18T10:00:00Z,123456789012,Usage,2024-08-18T09:00:00Z,0.5,ok";
    let mut body = format!("{CUR_HEADER}\n{good}\n").into_bytes();
    let huge_at = body.len() as u64;
    body.extend_from_slice(format!("b,,,,,,{}\n", "x".repeat(2 << 20)).as_bytes());
    let open_at = body.len() as u64;
    body.extend_from_slice(b"c,,,,,,\"opened\n");
    body.extend_from_slice(format!("{}\n", "y".repeat(2 << 20)).as_bytes());
    let junk_at = body.len() as u64;
    body.extend_from_slice(b"\x00\xff\xfe,\x1b[2J\n");
    let good_at = body.len() as u64;
    body.extend_from_slice(format!("{good}\n").as_bytes());
    let left_open_at = body.len() as u64;
    body.extend_from_slice(b"d,,,,,,\"never closed\nstill inside");
    write(dir.path(), "report-1.csv.gz", &gzip(&body));
    let limits = Limits {
        max_record_bytes: 1 << 20,
        ..Limits::default()
    };
    let run = read_with(&[dir.path().to_path_buf()], limits);
    let name = || "report-1.csv.gz".to_owned();
    assert_eq!(
        located(&run),
        [
            (name(), Some(1), Some(huge_at), RejectKind::TooLarge),
            (name(), Some(2), Some(open_at), RejectKind::TooLarge),
            (name(), Some(3), Some(junk_at), RejectKind::InvalidUtf8),
            (name(), Some(5), Some(left_open_at), RejectKind::Truncated),
        ]
    );
    assert_eq!(run.accounting.records_parsed, 2);
    assert_eq!(run.events[1].provenance.offset, good_at);
    assert_eq!(run.events[1].provenance.record, 4);
}

#[test]
fn a_report_gzip_bomb_stops_at_the_ratio_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut bomb = GzEncoder::new(Vec::new(), Compression::best());
    bomb.write_all(
        format!("{CUR_HEADER}\na,2024-08-18T09:00:00Z/x,1,Usage,2024-08-18T09:00:00Z,0.5,\"")
            .as_bytes(),
    )
    .unwrap();
    let filler = vec![b'z'; 1 << 20];
    for _ in 0..64 {
        bomb.write_all(&filler).unwrap();
    }
    write(dir.path(), "bomb.csv.gz", &bomb.finish().unwrap());
    let limits = Limits {
        ratio_grace_bytes: 1 << 20,
        ..Limits::default()
    };
    let run = read_with(&[dir.path().to_path_buf()], limits);
    assert_eq!(run.accounting.records_parsed, 0);
    assert_eq!(located(&run)[0].3, RejectKind::DecompressLimit);
    assert!(run.rejections[0].detail.contains("gzip bomb"));
    assert!(run.accounting.bytes_decompressed < 20 << 20);
}
