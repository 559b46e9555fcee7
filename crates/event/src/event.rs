//! One normalized CloudTrail event.

use serde_json::value::RawValue;

use crate::{Detail, EventTime, Identity, Provenance};

/// CloudTrail's `eventCategory`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Category {
    /// Control-plane calls (`Management`, or absent in records before eventVersion 1.07).
    Management,
    /// Data-plane calls such as S3 `GetObject` (`Data`).
    Data,
    /// CloudTrail Insights events (`Insight`).
    Insight,
    /// Any other value, kept verbatim.
    Other(String),
}

impl Category {
    /// Maps CloudTrail's `eventCategory` text; `None` (older records) is management.
    pub fn from_field(value: Option<&str>) -> Self {
        match value {
            None | Some("Management") => Category::Management,
            Some("Data") => Category::Data,
            Some("Insight") => Category::Insight,
            Some(other) => Category::Other(other.to_owned()),
        }
    }

    /// The CloudTrail spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Category::Management => "Management",
            Category::Data => "Data",
            Category::Insight => "Insight",
            Category::Other(s) => s,
        }
    }
}

/// The kind of log an event was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum LogSource {
    /// A CloudTrail record (in any wrapper).
    #[default]
    CloudTrail,
    /// A line of an S3 server access log.
    S3Access,
    /// A VPC flow log record.
    VpcFlow,
    /// A GuardDuty finding.
    GuardDuty,
    /// A Route 53 Resolver query log record.
    Route53Resolver,
    /// A Cost and Usage Report line item.
    Billing,
}

impl LogSource {
    /// Every source, in the order output lists them.
    pub const ALL: [LogSource; 6] = [
        LogSource::CloudTrail,
        LogSource::S3Access,
        LogSource::VpcFlow,
        LogSource::GuardDuty,
        LogSource::Route53Resolver,
        LogSource::Billing,
    ];

    /// The stable spelling used in output and filters: `cloudtrail`,
    /// `s3_access`, `vpc_flow`, `guardduty`, `route53_resolver`, `billing`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogSource::CloudTrail => "cloudtrail",
            LogSource::S3Access => "s3_access",
            LogSource::VpcFlow => "vpc_flow",
            LogSource::GuardDuty => "guardduty",
            LogSource::Route53Resolver => "route53_resolver",
            LogSource::Billing => "billing",
        }
    }

    /// The source spelled `name` (as [`LogSource::as_str`] writes it).
    pub fn from_name(name: &str) -> Option<LogSource> {
        LogSource::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A CloudTrail event, normalized.
///
/// Typed fields hold what investigators filter and pivot on. `raw` keeps the
/// whole original record as compact JSON (unwrapped from lookup-events or
/// EventBridge envelopes), so later stages can reach any field CloudTrail
/// wrote — including ones this model does not name — and so output can show
/// the record exactly as logged.
#[derive(Debug, Clone)]
pub struct Event {
    /// `eventTime`, UTC; or, for a record a SIEM export wrapped without its
    /// `eventTime`, the wrapper's time (see `time_field`).
    pub time: EventTime,
    /// The field `time` was read from: [`Event::EVENT_TIME`] for CloudTrail's
    /// own, otherwise a wrapper's alias such as `@timestamp` or `_time`.
    pub time_field: &'static str,
    /// The kind of log the event was read from.
    pub source: LogSource,
    /// `eventSource`, e.g. `iam.amazonaws.com`.
    pub event_source: String,
    /// `eventName`, e.g. `CreateAccessKey`.
    pub event_name: String,
    /// `awsRegion`.
    pub region: Option<String>,
    /// `recipientAccountId`: the account the call was made against.
    pub recipient_account: Option<String>,
    /// `userIdentity`, flattened.
    pub identity: Identity,
    /// `sourceIPAddress`: an IP address, or a service name such as `ec2.amazonaws.com`.
    pub source_ip: Option<String>,
    /// `userAgent`.
    pub user_agent: Option<String>,
    /// `errorCode`, e.g. `AccessDenied`.
    pub error_code: Option<String>,
    /// `errorMessage`.
    pub error_message: Option<String>,
    /// `readOnly`.
    pub read_only: Option<bool>,
    /// `eventType`: `AwsApiCall`, `AwsConsoleSignIn`, `AwsServiceEvent`, …
    pub event_type: Option<String>,
    /// `eventCategory`.
    pub category: Category,
    /// `eventID`: unique per event; the key for de-duplication and references.
    pub event_id: Option<String>,
    /// `requestID`.
    pub request_id: Option<String>,
    /// `requestParameters`, raw.
    pub request_parameters: Option<Box<RawValue>>,
    /// `responseElements`, raw.
    pub response_elements: Option<Box<RawValue>>,
    /// `additionalEventData`, raw.
    pub additional_event_data: Option<Box<RawValue>>,
    /// `resources`, raw.
    pub resources: Option<Box<RawValue>>,
    /// The whole original record as compact JSON text (a JSON object). Empty,
    /// like the JSON bodies above, when the reader's sink said it does not read
    /// them (`cloudcase_read::EventSink::wants_text`); the bodies alone are
    /// also left empty for a sink that reads only this text
    /// (`cloudcase_read::EventSink::wants_bodies`).
    pub raw: Box<str>,
    /// What a non-CloudTrail record says beyond the fields above, typed;
    /// `None` for CloudTrail records.
    pub detail: Option<Box<Detail>>,
    /// Where the record was read.
    pub provenance: Provenance,
}

impl Event {
    /// The `time_field` of a record timed by its own `eventTime`.
    pub const EVENT_TIME: &'static str = "eventTime";

    /// Whether `time` is CloudTrail's `eventTime` rather than a wrapper's time.
    pub fn timed_by_record(&self) -> bool {
        self.time_field == Self::EVENT_TIME
    }

    /// The service part of `eventSource` (`iam` for `iam.amazonaws.com`).
    pub fn service(&self) -> &str {
        self.event_source
            .strip_suffix(".amazonaws.com")
            .unwrap_or(&self.event_source)
    }

    /// Whether the call failed (an `errorCode` is present).
    pub fn is_error(&self) -> bool {
        self.error_code.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_sources_have_stable_names() {
        assert_eq!(LogSource::CloudTrail.as_str(), "cloudtrail");
        assert_eq!(LogSource::S3Access.as_str(), "s3_access");
        assert_eq!(LogSource::default(), LogSource::CloudTrail);
        for s in LogSource::ALL {
            assert_eq!(LogSource::from_name(s.as_str()), Some(s));
        }
        assert_eq!(LogSource::from_name("syslog"), None);
    }

    #[test]
    fn categories_map_cloudtrail_spellings() {
        assert_eq!(Category::from_field(None), Category::Management);
        assert_eq!(Category::from_field(Some("Data")), Category::Data);
        assert_eq!(Category::from_field(Some("Insight")).as_str(), "Insight");
        assert_eq!(
            Category::from_field(Some("NetworkActivity")).as_str(),
            "NetworkActivity"
        );
    }
}
