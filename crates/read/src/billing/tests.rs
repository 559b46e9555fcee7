use serde_json::Value;

use super::*;

const LEGACY: &str = "identity/LineItemId,identity/TimeInterval,bill/PayerAccountId,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/ProductCode,lineItem/UsageType,lineItem/Operation,lineItem/ResourceId,lineItem/UsageAmount,lineItem/CurrencyCode,lineItem/UnblendedCost,lineItem/LineItemDescription,product/region,resourceTags/user:Name";

/// Record 0 of the report, at byte `offset`.
fn prov(offset: u64) -> Provenance {
    Provenance {
        offset,
        ..crate::testing::prov("report-00001.csv")
    }
}

fn reader(header: &str) -> Reader {
    let first_line = format!("{header}\n");
    let mut r = Reader::sniff(first_line.as_bytes(), 1 << 20).expect("a report header");
    assert!(matches!(
        r.line(header.as_bytes(), prov(0)),
        Line::NotRecord
    ));
    r
}

fn event(line: Line) -> Box<Event> {
    match line {
        Line::Event(ev) => ev,
        Line::NotRecord => panic!("not a record"),
        Line::Reject { detail, .. } => panic!("rejected: {detail}"),
    }
}

fn charge(ev: &Event) -> &Charge {
    match ev.detail.as_deref() {
        Some(Detail::Charge(c)) => c,
        other => panic!("no charge: {other:?}"),
    }
}

#[test]
fn legacy_rows_fill_event_charge_and_raw() {
    let mut r = reader(LEGACY);
    let row = r#"6vqclhkdbyvmfcxa2zbibi4ztfi6tpeyjnfhvprhapjbrcuofnfa,2024-08-18T09:00:00Z/2024-08-18T10:00:00Z,111122223333,123456789012,Usage,2024-08-18T09:00:00Z,2024-08-18T10:00:00Z,AmazonEC2,APN1-BoxUsage:p3.2xlarge,RunInstances,i-0abc1234def567890,1.0000000000,USD,3.2600000000,"$3.26 per On Demand Linux p3.2xlarge Instance Hour, ""gpu""",ap-northeast-1,"miner, 01""#;
    let ev = event(r.line(row.as_bytes(), prov(500)));
    assert_eq!(ev.source, LogSource::Billing);
    assert_eq!(ev.event_source, "billing");
    assert_eq!(ev.event_name, "Usage");
    assert_eq!(ev.time.to_utc_string(), "2024-08-18T09:00:00.000Z");
    assert_eq!(ev.time_field, "lineItem/UsageStartDate");
    assert_eq!(ev.region.as_deref(), Some("ap-northeast-1"));
    assert_eq!(ev.recipient_account.as_deref(), Some("123456789012"));
    assert_eq!(ev.provenance.offset, 500);
    let c = charge(&ev);
    assert_eq!(c.cost, 3.26);
    assert_eq!(c.usage_amount, Some(1.0));
    assert_eq!(c.resource_id.as_deref(), Some("i-0abc1234def567890"));
    assert_eq!(c.usage_type.as_deref(), Some("APN1-BoxUsage:p3.2xlarge"));
    assert_eq!(c.operation.as_deref(), Some("RunInstances"));
    assert_eq!(c.product_code.as_deref(), Some("AmazonEC2"));
    assert_eq!(c.currency.as_deref(), Some("USD"));
    assert_eq!(
        c.usage_end.map(EventTime::to_utc_string).as_deref(),
        Some("2024-08-18T10:00:00.000Z")
    );
    let raw: Value = serde_json::from_str(&ev.raw).unwrap();
    assert_eq!(
        raw["lineItem/LineItemDescription"],
        "$3.26 per On Demand Linux p3.2xlarge Instance Hour, \"gpu\""
    );
    assert_eq!(raw["resourceTags/user:Name"], "miner, 01");
    assert_eq!(raw["logSource"], "billing");
    assert_eq!(raw["lineItem/UnblendedCost"], "3.2600000000");
}

#[test]
fn cur2_rows_with_space_separated_times_and_map_columns() {
    let header = "bill_bill_type,bill_payer_account_id,identity_line_item_id,identity_time_interval,line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_usage_end_date,line_item_product_code,line_item_usage_type,line_item_resource_id,line_item_usage_amount,line_item_unblended_cost,product,product_region_code";
    let mut r = reader(header);
    let row = r#"Anniversary,111122223333,abc,2024-08-18T09:00:00.000Z/2024-08-18T10:00:00.000Z,123456789012,Credit,2024-08-18 09:00:00,2024-08-18 10:00:00,AmazonS3,APN1-Requests-Tier1,customer-data,12000,-0.06,"{""product_name"":""Amazon Simple Storage Service"",""region"":""ap-northeast-1""}",ap-northeast-1"#;
    let ev = event(r.line(row.as_bytes(), prov(0)));
    assert_eq!(ev.event_name, "Credit");
    assert_eq!(ev.time_field, "line_item_usage_start_date");
    assert_eq!(ev.time.to_utc_string(), "2024-08-18T09:00:00.000Z");
    assert_eq!(ev.region.as_deref(), Some("ap-northeast-1"));
    assert_eq!(charge(&ev).cost, -0.06);
    let raw: Value = serde_json::from_str(&ev.raw).unwrap();
    assert_eq!(
        raw["product"],
        r#"{"product_name":"Amazon Simple Storage Service","region":"ap-northeast-1"}"#
    );
}

#[test]
fn records_quoted_across_lines_start_at_their_first_line() {
    let mut r = reader(LEGACY);
    let first = r#"id,2024-08-18T09:00:00Z/2024-08-18T10:00:00Z,1,123456789012,Tax,,,AmazonEC2,,,,,USD,0.5,"line one"#;
    assert!(matches!(
        r.line(first.as_bytes(), prov(700)),
        Line::NotRecord
    ));
    assert!(matches!(r.line(b"line two", prov(800)), Line::NotRecord));
    let ev = event(r.line(br#"end",,"#, prov(809)));
    assert_eq!(ev.provenance.offset, 700);
    assert_eq!(ev.event_name, "Tax");
    assert_eq!(ev.time_field, "identity/TimeInterval");
    assert_eq!(ev.region, None);
    let raw: Value = serde_json::from_str(&ev.raw).unwrap();
    assert_eq!(
        raw["lineItem/LineItemDescription"],
        "line one\nline two\nend"
    );
    assert!(matches!(r.line(br#"x,"open"#, prov(900)), Line::NotRecord));
    assert_eq!(r.abandon(), Some(900));
    assert!(matches!(r.line(br#"x,"open"#, prov(950)), Line::NotRecord));
    let Some(Line::Reject { offset, kind, .. }) = r.finish() else {
        panic!("the open record is lost silently")
    };
    assert_eq!((offset, kind), (950, RejectKind::Truncated));
}

#[test]
fn records_gathered_past_the_limit_are_rejected() {
    let mut r = Reader::sniff(LEGACY.as_bytes(), 64).unwrap();
    assert!(matches!(
        r.line(LEGACY.as_bytes(), prov(0)),
        Line::NotRecord
    ));
    assert!(matches!(r.line(b"a,\"b", prov(10)), Line::NotRecord));
    let Line::Reject { offset, kind, .. } = r.line(&[b'x'; 80], prov(20)) else {
        panic!()
    };
    assert_eq!((offset, kind), (10, RejectKind::TooLarge));
}

#[test]
fn malformed_rows_say_which_column_and_why() {
    let mut r = reader(LEGACY);
    let ok = "id,2024-08-18T09:00:00Z/2024-08-18T10:00:00Z,1,123456789012,Usage,2024-08-18T09:00:00Z,2024-08-18T10:00:00Z,AmazonEC2,t,RunInstances,i-1,1,USD,0.5,d,us-east-1,";
    assert!(matches!(r.line(ok.as_bytes(), prov(0)), Line::Event(_)));
    let mut why = |row: &str| match r.line(row.as_bytes(), prov(0)) {
        Line::Reject { kind, detail, .. } => (kind, detail),
        _ => panic!("{row} was read"),
    };
    assert_eq!(
        why(&ok.replace(",0.5,", ",0.5x,")).1,
        "Cost and Usage Report: column lineItem/UnblendedCost: \"0.5x\" is not a number"
    );
    assert_eq!(
        why(&ok.replace(",0.5,", ",NaN,")).1,
        "Cost and Usage Report: column lineItem/UnblendedCost: \"NaN\" is not a number"
    );
    assert_eq!(
        why(&ok.replace(",0.5,", ",,")).1,
        "Cost and Usage Report: column lineItem/UnblendedCost is empty"
    );
    assert_eq!(
        why(&ok.replace(",2024-08-18T09:00:00Z,", ",18/08/2024,")).1,
        "Cost and Usage Report: column lineItem/UsageStartDate: \"18/08/2024\" is not a timestamp"
    );
    assert_eq!(
        why(&format!("{ok},extra")).1,
        "Cost and Usage Report: 18 columns; the header names 17"
    );
    assert!(why(&ok.replace(",d,", ",\"d\"x,"))
        .1
        .contains("after the closing quote"));
    assert_eq!(why("a,\u{1b}[31m").0, RejectKind::MalformedLine);
    let (kind, _) = match r.line(b"a,\xff", prov(0)) {
        Line::Reject { kind, detail, .. } => (kind, detail),
        _ => panic!(),
    };
    assert_eq!(kind, RejectKind::InvalidUtf8);
}

#[test]
fn headers_without_time_reject_every_row() {
    let mut r = reader("identity/LineItemId,lineItem/UsageAccountId,lineItem/UnblendedCost");
    let Line::Reject { detail, .. } = r.line(b"a,1,0.5", prov(0)) else {
        panic!()
    };
    assert!(detail.contains("cannot be placed in time"), "{detail}");
}

#[test]
fn sniffing_wants_a_header_of_report_columns() {
    assert!(Reader::sniff(LEGACY.as_bytes(), 1).is_some());
    assert!(Reader::sniff(
        b"\"identity/LineItemId\",\"identity/TimeInterval\",\"bill/InvoiceId\"\r\nx",
        1
    )
    .is_some());
    // Cut off inside the third name: two whole names are not enough.
    assert!(Reader::sniff(b"identity/LineItemId,identity/TimeInterval,bill/Inv", 1).is_none());
    for other in [
        &b"version account-id interface-id srcaddr"[..],
        b"name,identity/x,bill/y,lineItem/z,a,b,c,d",
        b"id,name,email\n1,a,b",
        b"\xff\xfe,identity/a,bill/b,lineItem/c",
    ] {
        assert!(Reader::sniff(other, 1).is_none(), "{other:?}");
    }
    assert!(is_region("us-gov-west-1"));
    assert!(!is_region("Asia Pacific (Tokyo)"));
}
