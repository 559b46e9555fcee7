//! Small readings of a scope result that several report sections share.

use cloudcase_model::scope::{
    Confidence, Coverage, Departure, Intrusion, IntrusionSignal, SectionsAttribution, Step,
};
use cloudcase_model::ScopeResult;

use crate::analysis::opt;
use crate::i18n::Voice;

/// Whose activity the sections show: the attacker's only when the document says so and
/// claims an intrusion (a document without a first attacker event attributes nothing).
pub(crate) fn voice(s: &ScopeResult) -> Voice {
    match (&s.intrusion, s.attribution) {
        (Intrusion::Found(_), SectionsAttribution::Attacker) => Voice::Attacker,
        _ => Voice::Named,
    }
}

/// How sure the claimed intrusion is, when the document says: a claim with signals, or one
/// below `high` (a document written before confidence existed has neither, and says nothing).
pub(crate) fn stated_confidence(d: &Departure) -> Option<Confidence> {
    (!d.signals.is_empty() || d.confidence != Confidence::High).then_some(d.confidence)
}

/// Up to `n` signals that speak for the claim (positive weight), strongest first.
pub(crate) fn strongest(d: &Departure, n: usize) -> Vec<&IntrusionSignal> {
    let mut out: Vec<&IntrusionSignal> = d.signals.iter().filter(|s| s.weight > 0).collect();
    out.sort_by_key(|s| std::cmp::Reverse(s.weight));
    out.truncate(n);
    out
}

/// The first attacker event and how it was found, when one was.
pub(crate) fn departure(i: &Intrusion) -> Option<&Departure> {
    match i {
        Intrusion::Found(d) => Some(d),
        Intrusion::NoDeparture(_) => None,
    }
}

/// The time of the first attacker event, `""` when none was found.
pub(crate) fn first_event(i: &Intrusion) -> &str {
    match i {
        Intrusion::Found(d) => &d.first_attacker_event,
        Intrusion::NoDeparture(n) => opt(&n.first_attacker_event),
    }
}

/// The time of the last attacker event, `""` when unknown.
pub(crate) fn last_event(i: &Intrusion) -> &str {
    departure(i).map_or("", |d| opt(&d.last_attacker_event))
}

/// The steps of the containment plan; none without a plan.
pub(crate) fn plan_steps(s: &ScopeResult) -> &[Step] {
    s.containment
        .as_ref()
        .and_then(|c| c.plan.as_ref())
        .map_or(&[], |p| p.steps.as_slice())
}

/// The first and last event the inputs contain (`""` when unknown).
pub(crate) fn log_span(c: &Coverage) -> [&str; 2] {
    match c {
        Coverage::Window(w) => [opt(&w.first_event), opt(&w.last_event)],
        Coverage::Span(s) => [opt(&s.first_event), opt(&s.last_event)],
    }
}
