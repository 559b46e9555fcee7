//! Small readings of a scope result that several report sections share.

use cloudcase_model::scope::{Coverage, Departure, Intrusion, Step};
use cloudcase_model::ScopeResult;

use crate::analysis::opt;

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
