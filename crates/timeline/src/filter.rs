//! Which events a timeline shows.

use cloudcase_event::{Event, EventTime};

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
    /// Only failed calls (with an `errorCode`).
    pub errors_only: bool,
    /// Drop read-only calls.
    pub exclude_read_only: bool,
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
            && any_or_empty(&self.events, |g| g.matches(&event.event_name))
            && any_or_empty(&self.sources, |g| {
                g.matches(&event.event_source) || g.matches(event.service())
            })
    }
}
