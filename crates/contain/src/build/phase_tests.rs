//! Each phase through the whole planner: findings with one kind of resource give that kind's
//! steps, in the phases and order of [`super::PLAN`], evidence captured before anything that
//! loses it, and nothing for the kinds that are absent.

use super::build_plan;
use super::testing::{findings, instance, rich};
use cloudcase_model::contain::{Findings, InstanceOrigin};
use cloudcase_model::contain::{Phase, Plan, Step};

/// The step every plan begins with, whatever the findings.
const ACCOUNT_EXPORT: (Phase, &str) = (Phase::Preserve, "account:123456789012");

/// The plan for `f`.
fn plan(f: &Findings) -> Plan {
    build_plan(f).expect("test findings are valid")
}

/// Phase and target of every step, in plan order.
fn outline(p: &Plan) -> Vec<(Phase, &str)> {
    p.steps
        .iter()
        .map(|s| (s.phase, s.target.as_str()))
        .collect()
}

/// The kind part of a target (`iam-user` of `iam-user:alice`).
fn kind(step: &Step) -> &str {
    step.target.split(':').next().unwrap_or_default()
}

/// Checks that every step that loses evidence or cannot be undone comes after a preserve step
/// on the same target, and that the plan touches no kind outside `kinds` but the account.
fn check_evidence_first_and_kinds(p: &Plan, kinds: &[&str]) {
    for (i, step) in p.steps.iter().enumerate() {
        if step.destroys_evidence || !step.reversible {
            assert!(
                p.steps[..i]
                    .iter()
                    .any(|e| e.phase == Phase::Preserve && e.target == step.target),
                "{} ({}) is not preceded by preserving it",
                step.action,
                step.target
            );
        }
        assert!(
            kind(step) == "account" || kinds.contains(&kind(step)),
            "{} is not of {kinds:?}",
            step.target
        );
    }
}

/// The first word of each step's action on `target`, in plan order.
fn verbs<'a>(p: &'a Plan, target: &str) -> Vec<(Phase, &'a str)> {
    p.steps
        .iter()
        .filter(|s| s.target == target)
        .map(|s| (s.phase, s.action.split(' ').next().unwrap_or_default()))
        .collect()
}

#[test]
fn no_findings_plan_only_the_account_export() {
    let p = plan(&findings());
    assert_eq!(outline(&p), [ACCOUNT_EXPORT]);
    assert!(p.steps[0]
        .commands
        .iter()
        .any(|c| c.contains("generate-credential-report")));
    assert!(!p.steps[0].destroys_evidence);
}

#[test]
fn users_are_saved_contained_revoked_and_only_attacker_ones_deleted() {
    let f = Findings {
        users: rich().users,
        ..findings()
    };
    let p = plan(&f);
    check_evidence_first_and_kinds(&p, &["iam-user"]);
    assert_eq!(
        verbs(&p, "iam-user:alice"),
        [
            (Phase::Preserve, "Save"),
            (Phase::Contain, "Attach"),
            (Phase::Contain, "Deactivate"),
            (Phase::Contain, "Reset"),
            (Phase::Revoke, "Deny"),
        ]
    );
    assert_eq!(
        verbs(&p, "iam-user:$(mallory)"),
        [
            (Phase::Preserve, "Save"),
            (Phase::Contain, "Attach"),
            (Phase::Contain, "Deactivate"),
            (Phase::Contain, "Delete"),
            (Phase::Eradicate, "Delete"),
        ]
    );
    // A user without keys or password is only quarantined and revoked.
    assert_eq!(
        verbs(&p, "iam-user:bob"),
        [
            (Phase::Preserve, "Save"),
            (Phase::Contain, "Attach"),
            (Phase::Revoke, "Deny"),
        ]
    );
    // Users are saved in the order of the findings, all before any is contained.
    assert_eq!(
        &outline(&p)[..4],
        [
            ACCOUNT_EXPORT,
            (Phase::Preserve, "iam-user:alice"),
            (Phase::Preserve, "iam-user:$(mallory)"),
            (Phase::Preserve, "iam-user:bob"),
        ]
    );
    let destroyed: Vec<&str> = p
        .steps
        .iter()
        .filter(|s| s.destroys_evidence)
        .map(|s| s.target.as_str())
        .collect();
    assert_eq!(destroyed, ["iam-user:$(mallory)"]);
}

#[test]
fn roles_are_saved_quarantined_revoked_and_backdoor_trust_replaced() {
    let f = Findings {
        roles: rich().roles,
        ..findings()
    };
    let p = plan(&f);
    check_evidence_first_and_kinds(&p, &["iam-role"]);
    assert_eq!(
        verbs(&p, "iam-role:ops"),
        [
            (Phase::Preserve, "Save"),
            (Phase::Contain, "Attach"),
            (Phase::Revoke, "Deny"),
        ]
    );
    assert_eq!(
        verbs(&p, "iam-role:deploy"),
        [
            (Phase::Preserve, "Save"),
            (Phase::Contain, "Attach"),
            (Phase::Revoke, "Deny"),
            (Phase::Revoke, "Replace"),
        ]
    );
    assert_eq!(
        verbs(&p, "iam-role:x'; rm -rf / #"),
        [
            (Phase::Preserve, "Save"),
            (Phase::Contain, "Attach"),
            (Phase::Revoke, "Deny"),
            (Phase::Revoke, "Replace"),
            (Phase::Eradicate, "Delete"),
        ]
    );
    // Every role's sessions are revoked before any trust policy is replaced.
    let revoke: Vec<&str> = p
        .steps
        .iter()
        .filter(|s| s.phase == Phase::Revoke)
        .map(|s| s.action.split(' ').next().unwrap_or_default())
        .collect();
    assert_eq!(revoke, ["Deny", "Deny", "Deny", "Replace", "Replace"]);
}

#[test]
fn stolen_sessions_of_unlisted_roles_are_only_saved_and_revoked() {
    let f = Findings {
        role_sessions: rich().role_sessions,
        ..findings()
    };
    let p = plan(&f);
    check_evidence_first_and_kinds(&p, &["iam-role"]);
    assert_eq!(
        outline(&p),
        [
            ACCOUNT_EXPORT,
            (Phase::Preserve, "iam-role:app"),
            (Phase::Preserve, "iam-role:ops"),
            (Phase::Revoke, "iam-role:app"),
            (Phase::Revoke, "iam-role:ops"),
        ]
    );
    assert!(p.steps.iter().all(|s| s.reversible && !s.destroys_evidence));
}

#[test]
fn instances_are_snapshotted_before_isolation_and_attacker_ones_stopped_then_terminated() {
    let f = Findings {
        instances: rich().instances,
        ..findings()
    };
    let p = plan(&f);
    check_evidence_first_and_kinds(&p, &["ec2-instance", "ec2-vpc"]);
    assert_eq!(
        outline(&p),
        [
            ACCOUNT_EXPORT,
            (Phase::Preserve, "ec2-instance:eu-west-1:i-miner"),
            (Phase::Preserve, "ec2-instance:us-east-1:i-web"),
            (Phase::Isolate, "ec2-vpc:eu-west-1:vpc-1"),
            (Phase::Isolate, "ec2-vpc:us-east-1:default"),
            (Phase::Isolate, "ec2-instance:eu-west-1:i-miner"),
            (Phase::Isolate, "ec2-instance:us-east-1:i-web"),
            (Phase::Isolate, "ec2-instance:eu-west-1:i-miner"),
            (Phase::Eradicate, "ec2-instance:eu-west-1:i-miner"),
        ]
    );
    // The snapshots are taken in the preserve step itself.
    assert!(p.steps[1]
        .commands
        .iter()
        .any(|c| c.contains(" create-snapshot ")));
    assert!(p.steps[2]
        .commands
        .iter()
        .any(|c| c.contains(" create-snapshots ")));
    assert_eq!(
        verbs(&p, "ec2-instance:eu-west-1:i-miner"),
        [
            (Phase::Preserve, "Describe"),
            (Phase::Isolate, "Move"),
            (Phase::Isolate, "Stop"),
            (Phase::Eradicate, "Terminate"),
        ]
    );
    // The compromised instance is isolated, never stopped.
    assert_eq!(
        verbs(&p, "ec2-instance:us-east-1:i-web"),
        [(Phase::Preserve, "Describe"), (Phase::Isolate, "Move")]
    );
}

#[test]
fn instances_sharing_a_vpc_share_one_quarantine_group() {
    let mut f = findings();
    f.instances = vec![
        instance(
            "i-a",
            "eu-west-1",
            Some("vpc-1"),
            InstanceOrigin::Compromised,
        ),
        instance(
            "i-b",
            "eu-west-1",
            Some("vpc-1"),
            InstanceOrigin::Compromised,
        ),
    ];
    let p = plan(&f);
    let groups = p.steps.iter().filter(|s| kind(s) == "ec2-vpc").count();
    assert_eq!(groups, 1);
    assert!(p.steps.iter().all(|s| !s.destroys_evidence));
}

#[test]
fn open_security_groups_are_described_then_their_attacker_rules_revoked() {
    let f = Findings {
        security_groups: rich().security_groups,
        ..findings()
    };
    let p = plan(&f);
    check_evidence_first_and_kinds(&p, &["ec2-security-group"]);
    assert_eq!(
        verbs(&p, "ec2-security-group:eu-west-1:sg-open"),
        [(Phase::Preserve, "Describe"), (Phase::Isolate, "Revoke")]
    );
    assert_eq!(p.steps.len(), 3);
    assert!(p.steps.iter().all(|s| s.reversible && !s.destroys_evidence));
}

#[test]
fn attacker_key_pairs_are_saved_then_deleted_last() {
    let f = Findings {
        key_pairs: rich().key_pairs,
        ..findings()
    };
    let p = plan(&f);
    check_evidence_first_and_kinds(&p, &["ec2-key-pair"]);
    assert_eq!(
        outline(&p),
        [
            ACCOUNT_EXPORT,
            (Phase::Preserve, "ec2-key-pair:eu-west-1:k1"),
            (Phase::Eradicate, "ec2-key-pair:eu-west-1:k1"),
        ]
    );
    assert!(p.steps[2].destroys_evidence && !p.steps[2].reversible);
}

#[test]
fn shared_images_are_described_then_unshared_and_never_deleted() {
    let f = Findings {
        shared_images: rich().shared_images,
        ..findings()
    };
    let p = plan(&f);
    check_evidence_first_and_kinds(&p, &["ebs-snapshot", "ami"]);
    assert_eq!(
        outline(&p),
        [
            ACCOUNT_EXPORT,
            (Phase::Preserve, "ebs-snapshot:us-east-1:snap-1"),
            (Phase::Preserve, "ami:us-east-1:ami-1"),
            (Phase::Isolate, "ebs-snapshot:us-east-1:snap-1"),
            (Phase::Isolate, "ami:us-east-1:ami-1"),
        ]
    );
    assert!(p.steps.iter().all(|s| s.reversible && !s.destroys_evidence));
}

#[test]
fn attacker_functions_are_saved_throttled_then_deleted() {
    let f = Findings {
        lambda_functions: rich().lambda_functions,
        ..findings()
    };
    let p = plan(&f);
    check_evidence_first_and_kinds(&p, &["lambda-function"]);
    assert_eq!(
        verbs(&p, "lambda-function:eu-west-1:f1"),
        [
            (Phase::Preserve, "Save"),
            (Phase::Isolate, "Throttle"),
            (Phase::Eradicate, "Delete"),
        ]
    );
}

#[test]
fn within_each_phase_kinds_follow_the_table() {
    let p = plan(&rich());
    check_evidence_first_and_kinds(
        &p,
        &[
            "iam-user",
            "iam-role",
            "ec2-instance",
            "ec2-vpc",
            "ec2-security-group",
            "ec2-key-pair",
            "ebs-snapshot",
            "ami",
            "lambda-function",
        ],
    );
    let kinds_in = |phase: Phase| {
        let mut kinds: Vec<&str> = p
            .steps
            .iter()
            .filter(|s| s.phase == phase)
            .map(kind)
            .collect();
        kinds.dedup();
        kinds
    };
    assert_eq!(
        kinds_in(Phase::Preserve),
        [
            "account",
            "iam-user",
            "iam-role",
            "ec2-instance",
            "ec2-security-group",
            "ec2-key-pair",
            "ebs-snapshot",
            "ami",
            "lambda-function",
        ]
    );
    assert_eq!(kinds_in(Phase::Contain), ["iam-user", "iam-role"]);
    assert_eq!(
        kinds_in(Phase::Revoke),
        ["iam-role", "iam-user", "iam-role"]
    );
    assert_eq!(
        kinds_in(Phase::Isolate),
        [
            "ec2-vpc",
            "ec2-instance",
            "ec2-security-group",
            "ebs-snapshot",
            "ami",
            "lambda-function",
            "ec2-instance",
        ]
    );
    assert_eq!(
        kinds_in(Phase::Eradicate),
        [
            "ec2-instance",
            "ec2-key-pair",
            "lambda-function",
            "iam-role",
            "iam-user",
        ]
    );
}
