//! Amazon GuardDuty findings, recognised by content.
//!
//! A finding is a JSON object with a `schemaVersion` and a `resource` or a
//! `service`. It reaches a responder in every form the framer and the
//! classifier already take apart: one finding per line (the gzip'd JSON Lines
//! objects GuardDuty exports to S3 under `AWSLogs/<account>/GuardDuty/<region>/`),
//! a JSON array, `aws guardduty get-findings` output `{"Findings":[…]}`, or the
//! `detail` of an EventBridge event (`"detail-type":"GuardDuty Finding"`).
//!
//! `get-findings` writes the finding's keys in PascalCase (`SchemaVersion`,
//! `Service.EventFirstSeen`); they are turned into the camelCase GuardDuty
//! uses everywhere else first, so that a finding's raw record reads the same
//! whichever way it arrived.
//!
//! A finding becomes an [`Event`] named after its type, timed by when
//! GuardDuty first saw the activity, with the principal of its access key as
//! identity and the first remote address of its action as source address;
//! what only a finding says is its typed [`Finding`] detail.

use cloudcase_event::detail::Finding;
use cloudcase_event::{
    Category, Detail, Event, EventTime, Identity, LogSource, OtherRecord, Provenance, TimeError,
};
use serde::de::{Deserializer, IgnoredAny};
use serde::Deserialize;
use serde_json::Value;

use crate::other::{tag_raw, Refusal, ShapeError};
use crate::wire::WireItem;
use crate::RejectKind;

/// The `eventSource` of every finding's event.
pub(crate) const EVENT_SOURCE: &str = "guardduty.amazonaws.com";

/// Whether an item's content marks it as a GuardDuty finding.
pub(crate) fn recognise(item: &WireItem<'_>) -> bool {
    item.schema_version.is_some() && (item.resource.is_some() || item.service.is_some())
}

/// Why a finding could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FindingError {
    /// A field has a type GuardDuty never writes there.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// A field every finding has is absent or empty.
    #[error("GuardDuty finding without {0}")]
    Missing(&'static str),
    /// None of the finding's times is present.
    #[error("GuardDuty finding without service.eventFirstSeen, createdAt or updatedAt")]
    NoTime,
    /// The time the finding is dated by is not a timestamp.
    #[error("GuardDuty finding: {field}: {source}")]
    BadTime {
        /// The field read.
        field: &'static str,
        /// What is wrong with it.
        source: TimeError,
    },
}

impl Refusal for FindingError {
    fn kind(&self) -> RejectKind {
        match self {
            FindingError::Shape(e) => e.kind(),
            FindingError::Missing(_) => RejectKind::MissingField,
            FindingError::NoTime => RejectKind::MissingTime,
            FindingError::BadTime { .. } => RejectKind::InvalidTime,
        }
    }
}

/// Reads `null` as the field's default (as an absent field).
fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A finding, as much of it as the event and its detail need.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WireFinding {
    schema_version: Option<IgnoredAny>,
    id: Option<String>,
    #[serde(rename = "type")]
    finding_type: Option<String>,
    severity: Option<f64>,
    title: Option<String>,
    account_id: Option<String>,
    region: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    #[serde(deserialize_with = "or_default")]
    resource: WireResource,
    #[serde(deserialize_with = "or_default")]
    service: WireService,
    log_source: Option<IgnoredAny>,
}

/// `resource`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WireResource {
    resource_type: Option<String>,
    #[serde(deserialize_with = "or_default")]
    instance_details: WireInstance,
    access_key_details: Option<WireAccessKey>,
    #[serde(deserialize_with = "or_default")]
    s3_bucket_details: Vec<WireBucket>,
}

/// `resource.instanceDetails`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WireInstance {
    instance_id: Option<String>,
}

/// `resource.accessKeyDetails`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WireAccessKey {
    access_key_id: Option<String>,
    user_name: Option<String>,
    principal_id: Option<String>,
    user_type: Option<String>,
}

/// One of `resource.s3BucketDetails`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireBucket {
    name: Option<String>,
}

/// `service`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WireService {
    event_first_seen: Option<String>,
    event_last_seen: Option<String>,
    count: Option<u64>,
    archived: Option<bool>,
    #[serde(deserialize_with = "or_default")]
    action: WireAction,
}

/// `service.action`: one of these is present, named by `actionType`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WireAction {
    aws_api_call_action: Option<WireRemote>,
    network_connection_action: Option<WireRemote>,
    kubernetes_api_call_action: Option<WireRemote>,
    rds_login_attempt_action: Option<WireRemote>,
    port_probe_action: Option<WirePortProbe>,
    dns_request_action: Option<WireDns>,
}

/// An action's (or port probe's) `remoteIpDetails`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WireRemote {
    #[serde(deserialize_with = "or_default")]
    remote_ip_details: WireIp,
}

/// `remoteIpDetails`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WireIp {
    ip_address_v4: Option<String>,
}

/// `service.action.portProbeAction`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WirePortProbe {
    #[serde(deserialize_with = "or_default")]
    port_probe_details: Vec<WireRemote>,
}

/// `service.action.dnsRequestAction`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireDns {
    domain: Option<String>,
}

impl WireAction {
    /// Every remote IPv4 address the action names, first seen first, once each.
    fn remote_ips(&self) -> Vec<String> {
        let single = [
            &self.aws_api_call_action,
            &self.network_connection_action,
            &self.kubernetes_api_call_action,
            &self.rds_login_attempt_action,
        ];
        let probes = self
            .port_probe_action
            .iter()
            .flat_map(|p| &p.port_probe_details);
        let mut ips: Vec<String> = Vec::new();
        for remote in single.into_iter().flatten().chain(probes) {
            if let Some(ip) = non_empty(&remote.remote_ip_details.ip_address_v4) {
                if !ips.iter().any(|seen| seen == ip) {
                    ips.push(ip.to_owned());
                }
            }
        }
        ips
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.is_empty())
}

/// The finding's times, in the order the event is dated by.
const TIME_FIELDS: [&str; 3] = ["service.eventFirstSeen", "createdAt", "updatedAt"];

/// Reads one finding (the JSON object `text`, compact) into an event.
pub(crate) fn read(text: &str, provenance: Provenance) -> Result<Event, FindingError> {
    let mut wire: WireFinding = ShapeError::parse(text)?;
    let camel;
    let text = if wire.schema_version.is_none() {
        camel = camel_case_keys(text)?;
        wire = ShapeError::parse(&camel)?;
        camel.as_str()
    } else {
        text
    };
    let id = non_empty(&wire.id).ok_or(FindingError::Missing("id"))?;
    let finding_type = non_empty(&wire.finding_type).ok_or(FindingError::Missing("type"))?;
    let severity = wire.severity.ok_or(FindingError::Missing("severity"))?;
    let service = &wire.service;
    let times = [
        &service.event_first_seen,
        &wire.created_at,
        &wire.updated_at,
    ];
    let (time_field, time_text) = TIME_FIELDS
        .into_iter()
        .zip(times)
        .find_map(|(field, value)| Some((field, non_empty(value)?)))
        .ok_or(FindingError::NoTime)?;
    let time = EventTime::parse(time_text).map_err(|source| FindingError::BadTime {
        field: time_field,
        source,
    })?;
    let remote_ips = service.action.remote_ips();
    let key = wire.resource.access_key_details.as_ref();
    let finding = Finding {
        id: id.to_owned(),
        finding_type: finding_type.to_owned(),
        severity,
        title: wire.title.clone(),
        account_id: wire.account_id.clone(),
        region: wire.region.clone(),
        first_seen: service_time(&service.event_first_seen),
        last_seen: service_time(&service.event_last_seen),
        count: service.count,
        resource_type: wire.resource.resource_type.clone(),
        instance_id: wire.resource.instance_details.instance_id.clone(),
        access_key_id: key.and_then(|k| k.access_key_id.clone()),
        user_name: key.and_then(|k| k.user_name.clone().or_else(|| k.principal_id.clone())),
        buckets: (wire.resource.s3_bucket_details.iter())
            .filter_map(|b| b.name.clone())
            .collect(),
        domains: (service.action.dns_request_action.iter())
            .filter_map(|d| non_empty(&d.domain).map(str::to_owned))
            .collect(),
        remote_ips,
        archived: service.archived.unwrap_or(false),
    };
    Ok(Event {
        region: wire.region,
        recipient_account: wire.account_id,
        identity: key.map(identity).unwrap_or_default(),
        source_ip: finding.remote_ips.first().cloned(),
        event_id: Some(finding.id.clone()),
        ..Event::other(OtherRecord {
            source: LogSource::GuardDuty,
            time,
            time_field,
            event_source: EVENT_SOURCE.to_owned(),
            event_name: finding.finding_type.clone(),
            category: Category::Other("Finding".into()),
            raw: tag_raw(text, LogSource::GuardDuty, wire.log_source.is_some()),
            detail: Some(Detail::Finding(finding)),
            provenance,
        })
    })
}

/// A `service` time, when present and readable (the event's own time was
/// checked already; a bad `eventLastSeen` leaves only the detail without it).
fn service_time(value: &Option<String>) -> Option<EventTime> {
    non_empty(value).and_then(|t| EventTime::parse(t).ok())
}

/// The principal of a finding's access key.
fn identity(key: &WireAccessKey) -> Identity {
    Identity {
        kind: key.user_type.clone(),
        principal_id: key.principal_id.clone(),
        user_name: key.user_name.clone(),
        access_key_id: key.access_key_id.clone(),
        ..Identity::default()
    }
}

/// The finding `text` with every object key's first letter lower-cased, as
/// compact JSON: `get-findings` output (`SchemaVersion`, `IpAddressV4`) in
/// the spelling of GuardDuty's own JSON (`schemaVersion`, `ipAddressV4`).
fn camel_case_keys(text: &str) -> Result<String, ShapeError> {
    let mut value: Value = serde_json::from_str(text).map_err(|e| ShapeError::of(&e, ""))?;
    lower_first_letters(&mut value);
    Ok(value.to_string())
}

/// Lower-cases the first letter of every key in `value`. The recursion is
/// bounded by the parser's nesting limit (128).
fn lower_first_letters(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut inner) in entries {
                lower_first_letters(&mut inner);
                let mut chars = key.chars();
                let key = match chars.next() {
                    Some(first) if first.is_ascii_uppercase() => {
                        format!("{}{}", first.to_ascii_lowercase(), chars.as_str())
                    }
                    _ => key,
                };
                map.insert(key, inner);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(lower_first_letters),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::prov;

    fn detail(ev: &Event) -> &Finding {
        match ev.detail.as_deref() {
            Some(Detail::Finding(f)) => f,
            other => panic!("not a finding: {other:?}"),
        }
    }

    const PROBE: &str = r#"{"schemaVersion":"2.0","accountId":"111122223333","region":"us-west-2","id":"f1","type":"Recon:EC2/PortProbeUnprotectedPort","severity":2,"createdAt":"2024-08-18T10:00:00.000Z","updatedAt":"2024-08-18T11:00:00.000Z","resource":{"resourceType":"Instance","instanceDetails":{"instanceId":"i-0abc"}},"service":{"eventFirstSeen":"2024-08-18T09:00:00Z","eventLastSeen":"2024-08-18T10:30:00Z","count":3,"archived":true,"action":{"actionType":"PORT_PROBE","portProbeAction":{"portProbeDetails":[{"remoteIpDetails":{"ipAddressV4":"198.51.100.1"}},{"remoteIpDetails":{"ipAddressV4":"198.51.100.2"}},{"remoteIpDetails":{"ipAddressV4":"198.51.100.1"}}]}}}}"#;

    #[test]
    fn port_probe_addresses_are_all_named_once_and_the_first_is_the_source() {
        let ev = read(PROBE, prov("findings.jsonl")).expect("a finding");
        let f = detail(&ev);
        assert_eq!(f.remote_ips, ["198.51.100.1", "198.51.100.2"]);
        assert_eq!(ev.source_ip.as_deref(), Some("198.51.100.1"));
        assert_eq!(
            (f.count, f.archived, f.instance_id.as_deref()),
            (Some(3), true, Some("i-0abc"))
        );
        assert_eq!(ev.time_field, "service.eventFirstSeen");
        assert_eq!(ev.time.to_utc_string(), "2024-08-18T09:00:00.000Z");
        assert!(ev
            .raw
            .starts_with(r#"{"logSource":"guardduty","schemaVersion""#));
        assert_eq!(ev.identity, Identity::default());
    }

    #[test]
    fn the_time_falls_back_to_created_then_updated() {
        let no_first = PROBE.replace(r#""eventFirstSeen":"2024-08-18T09:00:00Z","#, "");
        let ev = read(&no_first, prov("findings.jsonl")).expect("a finding");
        assert_eq!(ev.time_field, "createdAt");
        let neither = no_first.replace(r#""createdAt":"2024-08-18T10:00:00.000Z","#, "");
        assert_eq!(
            read(&neither, prov("findings.jsonl"))
                .expect("a finding")
                .time_field,
            "updatedAt"
        );
        let none = neither.replace(r#""updatedAt":"2024-08-18T11:00:00.000Z","#, "");
        assert!(matches!(
            read(&none, prov("findings.jsonl")),
            Err(FindingError::NoTime)
        ));
    }

    #[test]
    fn malformed_findings_name_the_field() {
        let cases = [
            (PROBE.replace(r#""id":"f1","#, ""), "without id"),
            (
                PROBE.replace(
                    r#""type":"Recon:EC2/PortProbeUnprotectedPort","#,
                    r#""type":"","#,
                ),
                "without type",
            ),
            (PROBE.replace(r#""severity":2,"#, ""), "without severity"),
            (
                PROBE.replace(r#""severity":2"#, r#""severity":"high""#),
                "severity",
            ),
            (
                PROBE.replace("2024-08-18T09:00:00Z", "yesterday"),
                "service.eventFirstSeen",
            ),
        ];
        for (text, named) in cases {
            let err = read(&text, prov("findings.jsonl")).expect_err(named);
            assert!(err.to_string().contains(named), "{err} should name {named}");
        }
        let err = read(
            &PROBE.replace(r#""severity":2"#, r#""severity":"high""#),
            prov("findings.jsonl"),
        )
        .expect_err("a string severity");
        assert_eq!(err.kind(), RejectKind::WrongType);
        let why = err.to_string();
        assert!(
            why.starts_with("severity: ") && why.contains("\"high\""),
            "{why}"
        );
    }

    #[test]
    fn pascal_case_get_findings_output_is_read_and_kept_in_camel_case() {
        let text = r#"{"AccountId":"111122223333","Arn":"arn:aws:guardduty:us-east-1:111122223333:detector/d/finding/f2","CreatedAt":"2024-08-18T10:00:00.000Z","Id":"f2","Region":"us-east-1","Resource":{"AccessKeyDetails":{"AccessKeyId":"ASIAEXAMPLE","PrincipalId":"AROAEXAMPLE:i-0abc","UserName":"web-role","UserType":"AssumedRole"},"ResourceType":"AccessKey"},"SchemaVersion":"2.0","Service":{"Action":{"ActionType":"AWS_API_CALL","AwsApiCallAction":{"Api":"ListBuckets","RemoteIpDetails":{"IpAddressV4":"203.0.113.50"}}},"Archived":false,"Count":1,"EventFirstSeen":"2024-08-18T09:55:00.000Z"},"Severity":8,"Title":"Credentials used outside AWS","Type":"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS","UpdatedAt":"2024-08-18T10:00:00.000Z"}"#;
        let ev = read(text, prov("findings.jsonl")).expect("a finding");
        assert_eq!(ev.identity.access_key_id.as_deref(), Some("ASIAEXAMPLE"));
        assert_eq!(ev.identity.kind.as_deref(), Some("AssumedRole"));
        assert_eq!(ev.source_ip.as_deref(), Some("203.0.113.50"));
        assert_eq!(detail(&ev).user_name.as_deref(), Some("web-role"));
        assert!(
            ev.raw.contains(r#""ipAddressV4":"203.0.113.50""#),
            "{}",
            ev.raw
        );
        assert!(!ev.raw.contains("SchemaVersion"), "{}", ev.raw);
    }

    #[test]
    fn too_deep_get_findings_output_is_refused_not_a_crash() {
        let deep = format!(
            r#"{{"SchemaVersion":"2.0","Id":"f","Type":"T","Severity":1,"Resource":{{"Tags":{}{}}}}}"#,
            "[".repeat(500),
            "]".repeat(500)
        );
        let err = read(&deep, prov("findings.jsonl")).expect_err("too deep");
        assert_eq!(err.kind(), RejectKind::TooDeep);
        assert_eq!(err.to_string(), "nesting deeper than 128 levels");
    }

    #[test]
    fn nulls_read_as_absent_and_a_tagged_record_is_not_tagged_twice() {
        let text = r#"{"logSource":"guardduty","schemaVersion":"2.0","id":"f3","type":"Policy:S3/BucketBlockPublicAccessDisabled","severity":2,"updatedAt":"2024-08-18T10:00:00Z","resource":{"resourceType":"S3Bucket","instanceDetails":null,"s3BucketDetails":[{"name":"b1"},{"name":"b2"}]},"service":null}"#;
        let ev = read(text, prov("findings.jsonl")).expect("a finding");
        assert_eq!(detail(&ev).buckets, ["b1", "b2"]);
        assert_eq!(&*ev.raw, text);
    }
}
