//! Helpers for the phase builders' unit tests: small findings, and one part built from them.

use super::context::Context;
use super::step::Draft;
use super::{validate, BuildPart};
use cloudcase_model::contain::{
    AccessKey, Findings, ImageKind, IngressRule, Instance, InstanceOrigin, KeyPair, KeyStatus,
    LambdaFunction, Role, RoleOrigin, RoleSession, SecurityGroup, SharedImage, User, UserOrigin,
};

/// Valid findings with nothing in them: case `c1`, account `123456789012`, now 2024-05-01
/// 12:00 UTC.
pub(super) fn findings() -> Findings {
    Findings {
        case_id: "c1".into(),
        account_id: "123456789012".into(),
        now_ms: 1_714_564_800_000,
        ..Findings::default()
    }
}

/// The drafts `part` builds from `f`, after the same validation as [`crate::build_plan`].
pub(super) fn drafts(f: &Findings, part: BuildPart) -> Vec<Draft> {
    validate::validate(f).expect("test findings are valid");
    part(&Context::new(f).expect("test time is in range"))
}

/// A user without keys, password or admin policies.
pub(super) fn user(name: &str, origin: UserOrigin) -> User {
    User {
        name: name.into(),
        origin,
        access_keys: vec![],
        has_login_profile: false,
        admin_policies: vec![],
    }
}

/// An access key.
pub(super) fn key(id: &str, status: KeyStatus) -> AccessKey {
    AccessKey {
        id: id.into(),
        status,
    }
}

/// A role without trust principals or original trust policy.
pub(super) fn role(name: &str, origin: RoleOrigin) -> Role {
    Role {
        name: name.into(),
        origin,
        trust_principals: vec![],
        original_trust_policy: None,
    }
}

/// A session of role `role`.
pub(super) fn session(role: &str, name: &str) -> RoleSession {
    RoleSession {
        role_name: role.into(),
        session_name: name.into(),
    }
}

/// An instance in `region` (and `vpc`), without known groups or volumes.
pub(super) fn instance(
    id: &str,
    region: &str,
    vpc: Option<&str>,
    origin: InstanceOrigin,
) -> Instance {
    Instance {
        id: id.into(),
        region: region.into(),
        vpc_id: vpc.map(Into::into),
        origin,
        security_groups: vec![],
        volumes: vec![],
    }
}

/// An ingress rule from `cidr`.
pub(super) fn rule(protocol: &str, ports: Option<(i32, i32)>, cidr: &str) -> IngressRule {
    IngressRule {
        protocol: protocol.into(),
        from_port: ports.map(|p| p.0),
        to_port: ports.map(|p| p.1),
        cidr: cidr.into(),
    }
}

/// A snapshot or AMI shared with `with`.
pub(super) fn shared(kind: ImageKind, id: &str, with: &[&str]) -> SharedImage {
    SharedImage {
        kind,
        id: id.into(),
        region: "us-east-1".into(),
        shared_with: with.iter().map(|a| (*a).into()).collect(),
    }
}

/// Findings with every kind of resource and every origin, including names that need quoting.
pub(super) fn rich() -> Findings {
    let mut alice = user("alice", UserOrigin::Compromised);
    alice.access_keys = vec![
        key("AKIA1", KeyStatus::Active),
        key("AKIA2", KeyStatus::Inactive),
    ];
    alice.has_login_profile = true;
    let mut mallory = user("$(mallory)", UserOrigin::AttackerCreated);
    mallory.access_keys = vec![key("AKIA3", KeyStatus::Active)];
    mallory.has_login_profile = true;
    mallory.admin_policies = vec!["arn:aws:iam::aws:policy/AdministratorAccess".into()];
    let mut deploy = role("deploy", RoleOrigin::Backdoored);
    deploy.trust_principals = vec!["arn:aws:iam::999999999999:root".into()];
    deploy.original_trust_policy = Some(r#"{"Version":"2012-10-17","Statement":[]}"#.into());
    let mut miner = instance(
        "i-miner",
        "eu-west-1",
        Some("vpc-1"),
        InstanceOrigin::AttackerLaunched,
    );
    miner.volumes = vec!["vol-1".into()];
    miner.security_groups = vec!["sg-open".into()];
    Findings {
        users: vec![alice, mallory, user("bob", UserOrigin::Compromised)],
        roles: vec![
            role("ops", RoleOrigin::Compromised),
            role("x'; rm -rf / #", RoleOrigin::AttackerCreated),
            deploy,
        ],
        role_sessions: vec![session("app", "s1"), session("ops", "s2")],
        instances: vec![
            miner,
            instance("i-web", "us-east-1", None, InstanceOrigin::Compromised),
        ],
        security_groups: vec![SecurityGroup {
            id: "sg-open".into(),
            region: "eu-west-1".into(),
            rules: vec![rule("tcp", Some((22, 22)), "0.0.0.0/0")],
        }],
        key_pairs: vec![KeyPair {
            name: "k1".into(),
            region: "eu-west-1".into(),
        }],
        shared_images: vec![
            shared(ImageKind::Snapshot, "snap-1", &["999999999999", "all"]),
            shared(ImageKind::Ami, "ami-1", &["999999999999"]),
        ],
        lambda_functions: vec![LambdaFunction {
            name: "f1".into(),
            region: "eu-west-1".into(),
        }],
        ..findings()
    }
}
