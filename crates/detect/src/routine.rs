//! Routine: a rule that an identity already raised hours earlier says less the next time.
//! Its later findings for that identity are reported one level lower, with a detail saying
//! so, and the hunt's counts are those of the levels reported. An identity here is a lead's
//! (a user with its keys and sessions, root, …), except that the sessions of one role count
//! as the role: what an administrators' role does every day is routine for each of them.
//!
//! Records of logs that name no caller are grouped like unauthenticated activity, by their
//! source address (a flow's or a DNS query's `srcaddr`: the same host mining all day is
//! routine after 6 hours); a finding with neither a caller nor an address (most GuardDuty
//! findings) is routine for no one and keeps its level.
//!
//! Findings reach this step in time order (after the hunt's sort), so "earlier" is exact and
//! the result does not depend on how the work was split. An attack's own actions fall within
//! hours and keep their level; the root user signing in every day, or an administrator
//! issuing keys every week, does not fill the medium findings.

use crate::FastMap;

use cloudcase_event::EventTime;
use cloudcase_model::LeadKind;
use cloudcase_sigma::Level;

use crate::finding::{FindingView, Origin};
use crate::lead::{who, Who};
use crate::sink::{FindingSink, SinkError};
use crate::summary::HuntSummary;
use crate::tally::Tally;

/// A rule's finding for an identity this long after its first one for the same identity is
/// routine (6 h: longer than an intrusion's burst of actions, shorter than a working day).
pub(crate) const ROUTINE_AFTER_MS: i64 = 6 * 3600 * 1000;

/// Whose routine a finding belongs to: its lead's identity, a role session's role.
fn routine_of(f: &FindingView<'_>) -> Who {
    let mut w = who(f);
    if w.kind == LeadKind::RoleSession {
        if let Some((role, _)) = w.name.split_once('/') {
            w.name = role.to_owned();
        }
    }
    w
}

/// The name [`who`] gives a finding with neither a caller nor an address.
const NO_ONE: &str = "-";

/// One level lower, down to informational.
pub(crate) fn lower(level: Level) -> Level {
    match level {
        Level::Critical => Level::High,
        Level::High => Level::Medium,
        Level::Medium => Level::Low,
        Level::Low | Level::Informational => Level::Informational,
    }
}

/// Lowers routine rule findings, drops those that fall below the minimum level, counts the
/// rest, and passes them on. Counting goes on after the output closes, so the summary is
/// whole either way.
pub(crate) struct Routine<'s> {
    inner: &'s mut dyn FindingSink,
    /// First finding time per rule id and identity.
    first: FastMap<String, FastMap<Who, EventTime>>,
    min_level: Level,
    /// Counts of the findings reported.
    pub tally: Tally,
    /// Findings that fell below the minimum level here.
    pub below: u64,
    /// Why the output stopped, if it did.
    pub stopped: Option<SinkError>,
}

impl<'s> Routine<'s> {
    /// Passes findings at or above `min_level` on to `inner`.
    pub(crate) fn new(inner: &'s mut dyn FindingSink, min_level: Level) -> Self {
        Routine {
            inner,
            first: FastMap::default(),
            min_level,
            tally: Tally::default(),
            below: 0,
            stopped: None,
        }
    }

    /// When the identity first raised `f`'s rule, if more than a day before `f`.
    fn routine_since(&mut self, f: &FindingView<'_>) -> Option<EventTime> {
        if !matches!(f.origin, Origin::Rule | Origin::Imported) || f.level == Level::Informational {
            return None;
        }
        let who = routine_of(f);
        if who.kind == LeadKind::Address && who.name == NO_ONE {
            return None;
        }
        let by_identity = match self.first.get_mut(f.rule_id) {
            Some(m) => m,
            None => self.first.entry(f.rule_id.to_owned()).or_default(),
        };
        let first = *by_identity.entry(who).or_insert(f.time);
        (f.time.millis() - first.millis() >= ROUTINE_AFTER_MS).then_some(first)
    }

    /// Finishes the output with `summary`, unless it was closed.
    pub(crate) fn finish_inner(&mut self, summary: &HuntSummary) -> Result<(), SinkError> {
        if self.stopped.is_some() {
            return Ok(());
        }
        self.inner.finish(summary)
    }
}

impl FindingSink for Routine<'_> {
    fn finding(&mut self, f: &FindingView<'_>) -> Result<(), SinkError> {
        let since = self.routine_since(f);
        let detail = since.map(|first| {
            format!(
                "routine for this identity: it raised this rule since {}; reported {} instead of {}",
                first.to_utc_string(),
                lower(f.level).as_str(),
                f.level.as_str()
            )
        });
        let mut view = f.clone();
        if let Some(d) = &detail {
            view.level = lower(f.level);
            view.detail = Some(d);
        }
        if view.level < self.min_level {
            self.below += 1;
            return Ok(());
        }
        self.tally.add(&view);
        if self.stopped.is_none() {
            match self.inner.finding(&view) {
                Ok(()) => {}
                Err(SinkError::Closed) => self.stopped = Some(SinkError::Closed),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn finish(&mut self, summary: &HuntSummary) -> Result<(), SinkError> {
        self.finish_inner(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::testing::{source, view};
    use crate::sink::JsonlSink;

    #[test]
    fn a_rule_raised_by_the_same_identity_hours_earlier_is_one_level_lower() {
        let file = source();
        let mut out = JsonlSink::new(Vec::new(), jiff::tz::TimeZone::UTC);
        let mut routine = Routine::new(&mut out, Level::Medium);
        let day = |d: i64| {
            let mut f = view(&file);
            f.time = EventTime::from_millis(f.time.millis() + d * 3_600_000);
            f
        };
        for hours in [0, 5, 5, 6, 48] {
            routine.finding(&day(hours)).unwrap();
        }
        let mut other = day(48);
        other.principal = Some("bob");
        routine.finding(&other).unwrap();
        let mut analytic = day(48);
        analytic.origin = Origin::Analytic;
        routine.finding(&analytic).unwrap();
        // Sessions of one role share its routine.
        for (hours, session) in [(0, "admins/ann"), (7, "admins/bob")] {
            let mut f = day(hours);
            f.principal_type = Some("AssumedRole");
            f.principal = Some(session);
            routine.finding(&f).unwrap();
        }
        assert_eq!(routine.tally.at(Level::High), 6, "{:?}", routine.tally);
        assert_eq!(routine.tally.at(Level::Medium), 3);
        assert_eq!(routine.below, 0);
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert_eq!(
            text.matches("routine for this identity: it raised this rule since 2024-05-06T07:08:09.000Z; reported medium instead of high").count(),
            3,
            "{text}"
        );
    }

    #[test]
    fn findings_naming_no_one_are_never_routine() {
        let file = source();
        let mut out = JsonlSink::new(Vec::new(), jiff::tz::TimeZone::UTC);
        let mut routine = Routine::new(&mut out, Level::Informational);
        let mut first = view(&file);
        (first.principal, first.access_key, first.source_ip) = (None, None, None);
        let mut later = first.clone();
        later.time = EventTime::from_millis(first.time.millis() + 48 * 3_600_000);
        routine.finding(&first).unwrap();
        routine.finding(&later).unwrap();
        assert_eq!(routine.tally.at(first.level), 2);
        // The same host (a flow's or query's source address) does have a routine.
        let mut host = later.clone();
        host.source_ip = Some("10.0.1.15");
        let mut host_later = host.clone();
        host_later.time = EventTime::from_millis(host.time.millis() + 7 * 3_600_000);
        routine.finding(&host).unwrap();
        routine.finding(&host_later).unwrap();
        assert_eq!(routine.tally.at(first.level), 3);
    }

    #[test]
    fn lowered_below_the_minimum_is_counted_not_shown_and_a_closed_output_still_counts() {
        let file = source();
        let mut out = JsonlSink::new(crate::sink::testing::ClosedPipe, jiff::tz::TimeZone::UTC);
        let mut routine = Routine::new(&mut out, Level::High);
        let mut late = view(&file);
        routine.finding(&late).unwrap();
        late.time = EventTime::from_millis(late.time.millis() + ROUTINE_AFTER_MS);
        routine.finding(&late).unwrap();
        assert!(matches!(routine.stopped, Some(SinkError::Closed)));
        assert_eq!((routine.tally.total, routine.below), (1, 1));
    }
}
