//! From findings to a plan: the findings are validated, shared names are derived once
//! ([`context::Context`]), then every part of the plan is built in the order of [`PLAN`], one
//! function per phase and kind of resource.
//!
//! Each module holds one kind of resource or one concern, with a function per phase it takes
//! part in; each function returns [`Draft`]s, and [`PLAN`] gives them their phase.

use crate::ContainError;
use cloudcase_model::contain::Findings;
use cloudcase_model::contain::{Phase, Plan};

mod account;
mod cli;
mod context;
mod credentials;
mod images;
mod instances;
mod key_pairs;
mod lambdas;
mod policies;
mod quarantine_groups;
mod residual;
mod roles;
mod security_groups;
mod sessions;
mod snapshots;
mod step;
mod trust;
mod users;
mod validate;

#[cfg(test)]
mod phase_tests;
#[cfg(test)]
mod testing;

pub use cli::IAM_REGION;
pub use context::token_issue_time;
pub use policies::AWS_QUARANTINE_POLICY_ARN;

use context::Context;
use step::{Draft, Steps};

/// A function building one part of a plan: the steps of one phase for one kind of resource.
type BuildPart = fn(&Context<'_>) -> Vec<Draft>;

/// The parts of one phase, in the order their steps appear in it.
#[derive(Debug)]
struct PhaseParts {
    /// The phase of every step these parts build.
    phase: Phase,
    /// The parts, in order (the steps of one part keep the order of the findings).
    parts: &'static [BuildPart],
}

/// Every part of a plan, phase by phase, least destructive first.
const PLAN: &[PhaseParts] = &[
    // Capture evidence before anything changes.
    PhaseParts {
        phase: Phase::Preserve,
        parts: &[
            account::preserve_iam_state,
            users::preserve,
            roles::preserve,
            instances::preserve,
            security_groups::preserve,
            key_pairs::preserve,
            images::preserve,
            lambdas::preserve,
        ],
    },
    // Stop identities from acting, deleting nothing.
    PhaseParts {
        phase: Phase::Contain,
        parts: &[users::contain, roles::quarantine],
    },
    // Sessions already issued, and backdoor trust.
    PhaseParts {
        phase: Phase::Revoke,
        parts: &[
            sessions::revoke_role_sessions,
            sessions::revoke_user_sessions,
            trust::replace_trust,
        ],
    },
    // Cut instances, open ports, shared data and functions off.
    PhaseParts {
        phase: Phase::Isolate,
        parts: &[
            quarantine_groups::create,
            instances::isolate,
            security_groups::revoke_ingress,
            images::unshare,
            lambdas::throttle,
            instances::stop_attacker_launched,
        ],
    },
    // Remove what the attacker created, last.
    PhaseParts {
        phase: Phase::Eradicate,
        parts: &[
            instances::terminate_attacker_launched,
            key_pairs::delete,
            lambdas::delete,
            roles::delete_attacker_created,
            users::delete_attacker_created,
        ],
    },
];

/// Builds the containment plan for `f`: validates every value (names may be attacker-chosen),
/// then builds the steps phase by phase (preserve, contain, revoke, isolate, eradicate), ordered
/// and numbered. Never calls AWS, so that the plan can be reviewed before anything changes.
pub fn build_plan(f: &Findings) -> Result<Plan, ContainError> {
    validate::validate(f)?;
    let ctx = Context::new(f)?;
    let mut steps = Steps::default();
    for phase in PLAN {
        for build in phase.parts {
            for draft in build(&ctx) {
                steps.push(phase.phase, draft);
            }
        }
    }
    Ok(Plan {
        case_id: f.case_id.clone(),
        account_id: f.account_id.clone(),
        residual_risks: residual::risks(f, &ctx.issued_before),
        token_issued_before: ctx.issued_before,
        steps: steps.finish(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::rich;
    use cloudcase_model::contain::Step;
    use cloudcase_model::contain::{InstanceOrigin, UserOrigin};

    #[test]
    fn the_table_lists_each_phase_once_in_order() {
        let phases: Vec<Phase> = PLAN.iter().map(|p| p.phase).collect();
        assert_eq!(
            phases,
            [
                Phase::Preserve,
                Phase::Contain,
                Phase::Revoke,
                Phase::Isolate,
                Phase::Eradicate
            ]
        );
        assert!(PLAN.iter().all(|p| !p.parts.is_empty()));
    }

    /// Invariants every plan keeps, whatever the findings: checked on findings with every kind of
    /// resource and origin.
    #[test]
    fn plan_invariants() {
        let f = rich();
        let p = build_plan(&f).unwrap();
        assert_eq!(p, build_plan(&f).unwrap(), "deterministic");
        let s = &p.steps;
        for (i, step) in s.iter().enumerate() {
            assert_eq!(step.order as usize, i + 1, "numbered from 1 without gaps");
            assert!(!step.target.is_empty() && !step.action.is_empty() && !step.why.is_empty());
            assert!(!step.commands.is_empty(), "{}: no command", step.action);
            // Nothing to undo means it cannot be undone; after the preserve phase (whose reads
            // need no undoing) a reversible step always says how.
            if !step.reversible {
                assert!(step.rollback.is_empty(), "{}", step.action);
            }
            if step.phase != Phase::Preserve {
                assert_eq!(
                    step.reversible,
                    !step.rollback.is_empty(),
                    "{}",
                    step.action
                );
            }
            // Evidence is lost only when isolating (stopping) or eradicating.
            if step.destroys_evidence {
                assert!(step.phase >= Phase::Isolate, "{}", step.action);
            }
        }
        assert!(
            s.windows(2).all(|w| w[0].phase <= w[1].phase),
            "ordered by phase"
        );
        let before = |later: &Step, phase: Phase| {
            s.iter()
                .any(|e| e.phase == phase && e.target == later.target && e.order < later.order)
        };
        let eradicate: Vec<&Step> = s.iter().filter(|e| e.phase == Phase::Eradicate).collect();
        assert!(!eradicate.is_empty());
        for e in eradicate {
            assert!(!e.reversible && e.destroys_evidence, "{}", e.action);
            assert!(
                before(e, Phase::Preserve),
                "{} not preserved first",
                e.target
            );
        }
        // What the owner keeps is never deleted or stopped.
        for u in f
            .users
            .iter()
            .filter(|u| u.origin == UserOrigin::Compromised)
        {
            let t = format!("iam-user:{}", u.name);
            assert!(
                s.iter().all(|e| e.target != t || !e.destroys_evidence),
                "{t}"
            );
        }
        for i in f
            .instances
            .iter()
            .filter(|i| i.origin == InstanceOrigin::Compromised)
        {
            let t = format!("ec2-instance:{}:{}", i.region, i.id);
            assert!(
                s.iter().all(|e| e.target != t || !e.destroys_evidence),
                "{t}"
            );
        }
        // Identities are contained before their sessions are revoked.
        for r in s
            .iter()
            .filter(|e| e.phase == Phase::Revoke && e.target.starts_with("iam-user:"))
        {
            assert!(before(r, Phase::Contain), "{}", r.target);
        }
    }
}
