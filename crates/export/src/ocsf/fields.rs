//! The OCSF field map: every attribute written, the classes it applies to, and how it is
//! read from the event. The crate's README renders the same table.

use std::borrow::Cow;
use std::net::IpAddr;

use cloudcase_event::detail::{DnsQuery, Finding, Flow, S3Request};
use cloudcase_event::Detail;

use super::classes::{ACCT, ALL, API, AUTH, CALLS, DNS, FIND, NET};
use super::O;
use crate::columns::Value;
use crate::context::{int, owned, text};
use crate::schema::Kind;

/// Reads one value.
pub type One = for<'a, 'b> fn(&'b O<'a>) -> Option<Value<'a>>;
/// Reads a list leaf's values, one per element.
pub type Many = for<'a, 'b> fn(&'b O<'a>) -> Option<Vec<Option<Value<'a>>>>;

/// How a field is read.
#[derive(Clone, Copy)]
pub enum Get {
    /// A single value.
    One(One),
    /// A list leaf (path has `[]`).
    Many(Many),
}

/// One attribute of the field map.
#[derive(Clone, Copy)]
pub struct Field {
    /// OCSF path (`[]` marks lists), also the Parquet column path.
    pub path: &'static str,
    /// Type.
    pub kind: Kind,
    /// Whether every row has a value.
    pub required: bool,
    /// The classes it is written for (bits of [`super::classes`]).
    pub classes: u8,
    /// How it is read.
    pub get: Get,
    /// The source, in words, for the documentation.
    pub from: &'static str,
}

const fn f(path: &'static str, kind: Kind, classes: u8, get: One, from: &'static str) -> Field {
    Field {
        path,
        kind,
        required: false,
        classes,
        get: Get::One(get),
        from,
    }
}

const fn req(path: &'static str, kind: Kind, get: One, from: &'static str) -> Field {
    Field {
        path,
        kind,
        required: true,
        classes: ALL,
        get: Get::One(get),
        from,
    }
}

const fn list(path: &'static str, classes: u8, get: Many, from: &'static str) -> Field {
    Field {
        path,
        kind: Kind::Str,
        required: false,
        classes,
        get: Get::Many(get),
        from,
    }
}

fn flow<'a>(o: &O<'a>) -> Option<&'a Flow> {
    match o.c.event.detail.as_deref() {
        Some(Detail::Flow(x)) => Some(x),
        _ => None,
    }
}

fn dns<'a>(o: &O<'a>) -> Option<&'a DnsQuery> {
    match o.c.event.detail.as_deref() {
        Some(Detail::DnsQuery(x)) => Some(x),
        _ => None,
    }
}

fn finding<'a>(o: &O<'a>) -> Option<&'a Finding> {
    match o.c.event.detail.as_deref() {
        Some(Detail::Finding(x)) => Some(x),
        _ => None,
    }
}

fn s3<'a>(o: &O<'a>) -> Option<&'a S3Request> {
    match o.c.event.detail.as_deref() {
        Some(Detail::S3Request(x)) => Some(x),
        _ => None,
    }
}

fn ip_of(s: Option<&str>) -> Option<&str> {
    s.filter(|s| s.parse::<IpAddr>().is_ok())
}

fn millis<'a>(t: Option<cloudcase_event::EventTime>) -> Option<Value<'a>> {
    t.and_then(|t| int(t.millis()))
}

fn num<'a, T: TryInto<i64>>(n: Option<T>) -> Option<Value<'a>> {
    n.and_then(|n| n.try_into().ok()).and_then(int)
}

fn extra<'a>(s: &Option<String>) -> Option<Value<'a>> {
    s.clone().and_then(owned)
}

/// `status_id`: 1 Success, 2 Failure.
fn failed(o: &O<'_>) -> bool {
    o.c.event.error_code.is_some()
        || o.extra.login_failed
        || s3(o).and_then(|r| r.http_status).is_some_and(|s| s >= 400)
}

/// GuardDuty severity (0.1–10) as OCSF `severity_id`: 2 Low, 3 Medium, 4 High, 5 Critical.
fn severity_id(o: &O<'_>) -> i64 {
    match finding(o).map(|f| f.severity) {
        Some(s) if s >= 9.0 => 5,
        Some(s) if s >= 7.0 => 4,
        Some(s) if s >= 4.0 => 3,
        Some(_) => 2,
        None => 1,
    }
}

const SEVERITY: &[&str] = &[
    "Unknown",
    "Informational",
    "Low",
    "Medium",
    "High",
    "Critical",
];

/// DNS response codes and their `rcode_id`.
const RCODES: &[(&str, i64)] = &[
    ("NOERROR", 0),
    ("FORMERR", 1),
    ("SERVFAIL", 2),
    ("NXDOMAIN", 3),
    ("NOTIMP", 4),
    ("REFUSED", 5),
    ("YXDOMAIN", 6),
    ("YXRRSET", 7),
    ("NXRRSET", 8),
    ("NOTAUTH", 9),
    ("NOTZONE", 10),
];

/// The product each log comes from.
fn product(o: &O<'_>) -> &'static str {
    use cloudcase_event::LogSource as L;
    match o.c.event.source {
        L::CloudTrail => "CloudTrail",
        L::S3Access => "Amazon S3 server access logs",
        L::VpcFlow => "Amazon VPC Flow Logs",
        L::GuardDuty => "Amazon GuardDuty",
        L::Route53Resolver => "Amazon Route 53 Resolver query logs",
        L::Billing => "AWS Cost and Usage Report",
    }
}

/// The user an Authentication or Account Change is about: the caller signing in, or the
/// user named by the request (the caller when it names none).
fn user_is_caller(o: &O<'_>) -> bool {
    o.info.bit == AUTH || o.extra.target_user.is_none()
}

/// The field map, in column order (members of one object next to each other).
pub const FIELDS: &[Field] = &[
    f("class_uid", Kind::Int32, ALL, |o| int(o.info.uid), "the class (see the class table)"),
    f("class_name", Kind::Str, ALL, |o| text(Some(o.info.name)), "the class's name"),
    f("category_uid", Kind::Int32, ALL, |o| int(o.info.category_uid), "the class's category"),
    f("category_name", Kind::Str, ALL, |o| text(Some(o.info.category_name)), "the category's name"),
    f("activity_id", Kind::Int32, ALL, |o| int(o.activity), "the activity (see the activity tables)"),
    f("activity_name", Kind::Str, ALL, |o| text(Some(o.info.activity_name(o.activity))), "the activity's name"),
    f("type_uid", Kind::Int64, ALL, |o| int(o.info.uid * 100 + o.activity), "class_uid × 100 + activity_id"),
    f("type_name", Kind::Str, ALL, |o| owned(format!("{}: {}", o.info.name, o.info.activity_name(o.activity))), "class and activity names"),
    f("time", Kind::Int64, ALL, |o| int(o.c.event.time.millis()), "the event's time (ms since the epoch)"),
    f("severity_id", Kind::Int32, ALL, |o| int(severity_id(o)), "1 Informational; GuardDuty: its severity band"),
    f("severity", Kind::Str, ALL, |o| text(SEVERITY.get(severity_id(o) as usize).copied()), "the severity's name"),
    f("status_id", Kind::Int32, CALLS, |o| int(if failed(o) { 2 } else { 1 }), "2 Failure when errorCode, a failed sign-in or an HTTP status ≥ 400, else 1 Success"),
    f("status", Kind::Str, CALLS, |o| text(Some(if failed(o) { "Failure" } else { "Success" })), "the status's name"),
    f("status_code", Kind::Str, AUTH | ACCT, |o| text(o.c.event.error_code.as_deref()), "errorCode"),
    f("status_detail", Kind::Str, AUTH | ACCT, |o| text(o.c.event.error_message.as_deref()), "errorMessage"),
    f("count", Kind::Int32, FIND, |o| num(finding(o).and_then(|x| x.count)), "service.count"),
    f("start_time", Kind::Int64, NET, |o| millis(flow(o).map(|x| x.start)), "the flow's start"),
    f("end_time", Kind::Int64, NET, |o| millis(flow(o).map(|x| x.end)), "the flow's end"),
    f("metadata.version", Kind::Str, ALL, |_| text(Some("1.1.0")), "`1.1.0`"),
    f("metadata.uid", Kind::Str, ALL, |o| text(o.c.event.event_id.as_deref().or(finding(o).map(|x| x.id.as_str()))), "eventID; GuardDuty: the finding id"),
    f("metadata.event_code", Kind::Str, CALLS, |o| text(o.c.event.event_type.as_deref()), "eventType"),
    f("metadata.log_provider", Kind::Str, ALL, |o| text(Some(o.c.event.source.as_str())), "the log (`cloudtrail`, `s3_access`, …)"),
    f("metadata.log_name", Kind::Str, ALL, |o| text(Some(o.c.file)), "provenance: the file read (as `source_file`)"),
    f("metadata.sequence", Kind::Int64, ALL, |o| num(Some(o.c.event.provenance.record)), "provenance: the record index (as `record`)"),
    list("metadata.labels[]", ALL, |o| o.c.sha256.map(|h| vec![owned(format!("evidence_sha256:{h}"))]), "provenance: `evidence_sha256:<hex>` when known"),
    list("metadata.profiles[]", ALL, |_| Some(vec![text(Some("cloud"))]), "`cloud` (the profile of `cloud`)"),
    f("metadata.product.name", Kind::Str, ALL, |o| text(Some(product(o))), "the log's product"),
    f("metadata.product.vendor_name", Kind::Str, ALL, |_| text(Some("AWS")), "`AWS`"),
    f("metadata.product.feature.name", Kind::Str, API | AUTH | ACCT, |o| text(Some(o.c.event.category.as_str())), "eventCategory (`Management`, `Data`)"),
    f("api.operation", Kind::Str, API, |o| text(Some(&o.c.event.event_name)), "eventName"),
    f("api.service.name", Kind::Str, API, |o| text(Some(&o.c.event.event_source)), "eventSource"),
    f("api.request.uid", Kind::Str, API, |o| text(o.c.event.request_id.as_deref()), "requestID"),
    f("api.response.error", Kind::Str, API, |o| text(o.c.event.error_code.as_deref()), "errorCode"),
    f("api.response.error_message", Kind::Str, API, |o| text(o.c.event.error_message.as_deref()), "errorMessage"),
    f("api.response.code", Kind::Int32, API, |o| num(s3(o).and_then(|r| r.http_status)), "S3 access log: HTTP status"),
    f("actor.user.type", Kind::Str, API | ACCT, |o| text(o.c.event.identity.kind.as_deref()), "userIdentity.type"),
    f("actor.user.name", Kind::Str, API | ACCT, |o| text(o.c.event.identity.user_name.as_deref()), "userIdentity.userName"),
    f("actor.user.uid", Kind::Str, API | ACCT, |o| text(o.c.event.identity.arn.as_deref()), "userIdentity.arn"),
    f("actor.user.uid_alt", Kind::Str, API | ACCT, |o| text(o.c.event.identity.principal_id.as_deref()), "userIdentity.principalId"),
    f("actor.user.credential_uid", Kind::Str, API | ACCT, |o| text(o.c.event.identity.access_key_id.as_deref()), "userIdentity.accessKeyId"),
    f("actor.user.account.uid", Kind::Str, API | ACCT, |o| text(o.c.event.identity.account_id.as_deref()), "userIdentity.accountId"),
    f("actor.session.created_time", Kind::Int64, API | ACCT, |o| millis(o.c.event.identity.session_created), "sessionContext.attributes.creationDate"),
    f("actor.session.is_mfa", Kind::Bool, API | ACCT, |o| o.c.event.identity.mfa_authenticated.map(Value::Bool), "sessionContext.attributes.mfaAuthenticated"),
    f("actor.session.issuer", Kind::Str, API | ACCT, |o| text(o.c.event.identity.session_issuer_arn.as_deref()), "sessionContext.sessionIssuer.arn"),
    f("actor.invoked_by", Kind::Str, API | ACCT, |o| text(o.c.event.identity.invoked_by.as_deref()), "userIdentity.invokedBy"),
    f("user.type", Kind::Str, AUTH | ACCT, |o| if user_is_caller(o) { text(o.c.event.identity.kind.as_deref()) } else { None }, "Authentication: userIdentity.type"),
    f("user.name", Kind::Str, AUTH | ACCT, |o| if user_is_caller(o) { text(o.c.event.identity.user_name.as_deref()) } else { extra(&o.extra.target_user) }, "Account Change: requestParameters.userName (else the caller); Authentication: userIdentity.userName"),
    f("user.uid", Kind::Str, AUTH | ACCT, |o| if user_is_caller(o) { text(o.c.event.identity.arn.as_deref()) } else { None }, "the caller's userIdentity.arn"),
    f("user.credential_uid", Kind::Str, AUTH | ACCT, |o| if user_is_caller(o) { text(o.c.event.identity.access_key_id.as_deref()) } else { None }, "the caller's userIdentity.accessKeyId"),
    f("user.account.uid", Kind::Str, AUTH | ACCT, |o| text(o.c.event.identity.account_id.as_deref().or(o.c.event.recipient_account.as_deref())), "userIdentity.accountId, else recipientAccountId"),
    f("is_mfa", Kind::Bool, AUTH, |o| o.extra.mfa_used.map(Value::Bool), "additionalEventData.MFAUsed = `Yes`"),
    f("policy.uid", Kind::Str, ACCT, |o| extra(&o.extra.policy_uid), "requestParameters.policyArn"),
    f("policy.name", Kind::Str, ACCT, |o| extra(&o.extra.policy_name), "requestParameters.policyName"),
    f("src_endpoint.ip", Kind::Str, CALLS | NET | DNS, |o| match (flow(o), dns(o)) {
        (Some(x), _) => x.src_addr.map(|a| a.to_string()).and_then(owned),
        (_, Some(q)) => text(ip_of(q.src_addr.as_deref())),
        _ => text(ip_of(o.c.event.source_ip.as_deref())),
    }, "sourceIPAddress when an address; flow srcaddr; DNS srcaddr"),
    f("src_endpoint.domain", Kind::Str, CALLS, |o| text(o.c.event.source_ip.as_deref().filter(|s| ip_of(Some(s)).is_none())), "sourceIPAddress when a service name"),
    f("src_endpoint.port", Kind::Int32, NET, |o| num(flow(o).and_then(|x| x.src_port)), "srcport"),
    f("src_endpoint.instance_uid", Kind::Str, NET | DNS, |o| text(flow(o).and_then(|x| x.instance_id.as_deref()).or(dns(o).and_then(|q| q.instance_id.as_deref()))), "instance-id; srcids.instance"),
    f("src_endpoint.interface_uid", Kind::Str, NET, |o| text(flow(o).and_then(|x| x.interface_id.as_deref())), "interface-id"),
    f("src_endpoint.vpc_uid", Kind::Str, NET | DNS, |o| text(flow(o).and_then(|x| x.vpc_id.as_deref()).or(dns(o).and_then(|q| q.vpc_id.as_deref()))), "vpc-id; vpc_id"),
    f("src_endpoint.subnet_uid", Kind::Str, NET, |o| text(flow(o).and_then(|x| x.subnet_id.as_deref())), "subnet-id"),
    f("dst_endpoint.ip", Kind::Str, NET, |o| flow(o).and_then(|x| x.dst_addr).map(|a| a.to_string()).and_then(owned), "dstaddr"),
    f("dst_endpoint.interface_uid", Kind::Str, NET, |o| text(flow(o).filter(|x| x.dst_addr.is_none()).and_then(|x| x.interface_id.as_deref())), "interface-id of a record without addresses (NODATA, SKIPDATA)"),
    f("dst_endpoint.port", Kind::Int32, NET, |o| num(flow(o).and_then(|x| x.dst_port)), "dstport"),
    f("connection_info.protocol_num", Kind::Int32, NET, |o| num(flow(o).and_then(|x| x.protocol)), "protocol"),
    f("connection_info.direction_id", Kind::Int32, NET, |o| int(match flow(o).and_then(|x| x.flow_direction.as_deref()) { Some("ingress") => 1, Some("egress") => 2, _ => 0 }), "flow-direction: 1 ingress, 2 egress, 0 unknown"),
    f("traffic.bytes", Kind::Int64, NET, |o| num(flow(o).and_then(|x| x.bytes)), "bytes"),
    f("traffic.packets", Kind::Int64, NET, |o| num(flow(o).and_then(|x| x.packets)), "packets"),
    f("http_request.user_agent", Kind::Str, CALLS, |o| text(o.c.event.user_agent.as_deref()), "userAgent"),
    f("query.hostname", Kind::Str, DNS, |o| text(dns(o).map(|q| q.query_name.as_str())), "query_name"),
    f("query.type", Kind::Str, DNS, |o| text(dns(o).and_then(|q| q.query_type.as_deref())), "query_type"),
    f("rcode", Kind::Str, DNS, |o| text(dns(o).and_then(|q| q.rcode.as_deref())), "rcode"),
    f("rcode_id", Kind::Int32, DNS, |o| dns(o).and_then(|q| q.rcode.as_deref()).map(|r| RCODES.iter().find(|(n, _)| *n == r).map_or(99, |(_, id)| *id)).and_then(int), "rcode's number (99 Other)"),
    list("answers[].rdata", DNS, |o| dns(o).filter(|q| !q.answers.is_empty()).map(|q| q.answers.iter().map(|a| text(Some(a))).collect()), "answers[].Rdata"),
    f("finding_info.uid", Kind::Str, FIND, |o| text(finding(o).map(|x| x.id.as_str())), "the finding id"),
    f("finding_info.title", Kind::Str, FIND, |o| text(finding(o).map(|x| x.title.as_deref().unwrap_or(&x.finding_type))), "title, else the finding type"),
    list("finding_info.types[]", FIND, |o| finding(o).map(|x| vec![text(Some(&x.finding_type))]), "the finding type"),
    f("finding_info.first_seen_time", Kind::Int64, FIND, |o| millis(finding(o).and_then(|x| x.first_seen)), "service.eventFirstSeen"),
    f("finding_info.last_seen_time", Kind::Int64, FIND, |o| millis(finding(o).and_then(|x| x.last_seen)), "service.eventLastSeen"),
    f("cloud.provider", Kind::Str, ALL, |_| text(Some("AWS")), "`AWS`"),
    f("cloud.region", Kind::Str, ALL, |o| text(o.c.event.region.as_deref()), "awsRegion (the log's region)"),
    f("cloud.account.uid", Kind::Str, ALL, |o| text(o.c.event.recipient_account.as_deref().or(flow(o).and_then(|x| x.account_id.as_deref()))), "recipientAccountId; flow account-id"),
    list("resources[].uid", API | FIND, super::resources::uids, "resources[].ARN; S3 access: the bucket's ARN; GuardDuty: instance, access key, buckets"),
    list("resources[].type", API | FIND, super::resources::types, "resources[].type; `AWS::S3::Bucket`; GuardDuty's resource type"),
    f("raw_data", Kind::Str, ALL, |o| text(Some(&o.c.event.raw)), "the record (as the cloudtrail schema's `raw`)"),
    f("unmapped", Kind::Str, ALL, |o| super::unmapped::json(o).map(|s| Value::Str(Cow::Owned(s))), "JSON text: what has no attribute (see below)"),
    req("source_file", Kind::Str, |o| text(Some(o.c.file)), "provenance: the file as hunt prints it"),
    req("record", Kind::Int64, |o| num(Some(o.c.event.provenance.record)), "provenance: the record index as hunt prints it"),
    f("evidence_sha256", Kind::Str, ALL, |o| text(o.c.sha256), "provenance: SHA-256 of the evidence object or input file"),
];
