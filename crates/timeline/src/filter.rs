//! Which events a timeline shows.

use cloudcase_event::{Event, EventTime, LogSource};

use crate::{Glob, IpFilter};

/// Conditions an event must meet. Values of one kind are alternatives (any
/// may match); different kinds must all hold. An empty list means "any".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only events at or after this time.
    pub from: Option<EventTime>,
    /// Only events before this time (exclusive).
    pub to: Option<EventTime>,
    /// `userIdentity.accessKeyId` equal to one of these.
    pub access_keys: Vec<String>,
    /// Principals named by ARN, user name, role or session name (see [`cloudcase_event::Identity::is_named`]).
    pub principals: Vec<String>,
    /// Source addresses, CIDR blocks or service names.
    pub ips: Vec<IpFilter>,
    /// `awsRegion` equal to one of these (ignoring case).
    pub regions: Vec<String>,
    /// `eventName` matching one of these wildcard patterns.
    pub events: Vec<Glob>,
    /// `eventSource` matching one of these patterns; `iam` means `iam.amazonaws.com`.
    pub sources: Vec<Glob>,
    /// The kind of log read: one of these ([`LogSource::as_str`] names them).
    pub log_sources: Vec<LogSource>,
    /// Only failed calls (with an `errorCode`).
    pub errors_only: bool,
    /// Drop read-only calls.
    pub exclude_read_only: bool,
}

/// A `--log-source` name that is not one of [`LogSource::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown log source {name:?}; valid: {}", valid_names())]
pub struct UnknownLogSource {
    /// The name given.
    pub name: String,
}

fn valid_names() -> String {
    LogSource::ALL.map(LogSource::as_str).join(", ")
}

/// The log source spelled `name` exactly as [`LogSource::as_str`] writes it
/// (surrounding spaces ignored, so `a, b` split at commas works).
pub fn parse_log_source(name: &str) -> Result<LogSource, UnknownLogSource> {
    LogSource::from_name(name.trim()).ok_or_else(|| UnknownLogSource {
        name: name.to_owned(),
    })
}

fn any_or_empty<T>(list: &[T], pred: impl FnMut(&T) -> bool) -> bool {
    list.is_empty() || list.iter().any(pred)
}

impl Filter {
    /// Whether `event` passes every condition.
    pub fn matches(&self, event: &Event) -> bool {
        let id = &event.identity;
        self.from.is_none_or(|t| event.time >= t)
            && self.to.is_none_or(|t| event.time < t)
            && (!self.errors_only || event.is_error())
            && (!self.exclude_read_only || event.read_only != Some(true))
            && any_or_empty(&self.access_keys, |k| {
                id.access_key_id.as_deref() == Some(k.as_str())
            })
            && any_or_empty(&self.principals, |p| id.is_named(p))
            && any_or_empty(&self.ips, |ip| {
                event.source_ip.as_deref().is_some_and(|s| ip.matches(s))
            })
            && any_or_empty(&self.regions, |r| {
                event
                    .region
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(r))
            })
            && any_or_empty(&self.log_sources, |s| *s == event.source)
            && any_or_empty(&self.events, |g| g.matches(&event.event_name))
            && any_or_empty(&self.sources, |g| {
                g.matches(&event.event_source) || g.matches(event.service())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::event_of;
    use cloudcase_event::detail::DnsQuery;
    use cloudcase_event::Detail;

    #[test]
    fn log_sources_filter_by_the_kind_of_log() {
        let dns = event_of(
            LogSource::Route53Resolver,
            Detail::DnsQuery(DnsQuery::default()),
        );
        let mut f = Filter::default();
        assert!(f.matches(&dns));
        f.log_sources = vec![LogSource::VpcFlow, LogSource::CloudTrail];
        assert!(!f.matches(&dns));
        f.log_sources.push(LogSource::Route53Resolver);
        assert!(f.matches(&dns));
    }

    #[test]
    fn log_source_names_are_exact_and_errors_list_the_valid_ones() {
        assert_eq!(parse_log_source(" vpc_flow"), Ok(LogSource::VpcFlow));
        let err = parse_log_source("vpcflow").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown log source \"vpcflow\"; valid: cloudtrail, s3_access, vpc_flow, guardduty, route53_resolver, billing"
        );
        assert!(parse_log_source("CloudTrail").is_err());
    }
}
