//! What kind of credential made a call. The kind decides which signals apply: a compute
//! session (instance profile, Lambda, ECS task) should only be used from its compute, a
//! console session can show sign-in failures and MFA, a long-term key roams with its owner.

use cloudcase_event::Identity;
use serde::{Deserialize, Serialize};

use crate::client::{Client, ExecEnv};

/// The kind of identity behind a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    /// An IAM user's long-term access key (`AKIA…`).
    LongTermKey,
    /// An IAM user's session: console sign-in, or `GetSessionToken` (`ASIA…` key of an IAM user).
    UserSession,
    /// The account's root user.
    Root,
    /// A role session that is none of the more specific kinds below.
    RoleSession,
    /// An EC2 instance profile's session (session name an instance id).
    InstanceSession,
    /// A Lambda function's execution-role session.
    LambdaSession,
    /// An ECS task-role session (session name the task id, 32 hex digits).
    EcsSession,
    /// An IAM Identity Center (SSO) or SAML user in a role (`AWSReservedSSO_…`, e-mail session names).
    SsoUser,
    /// A federated user (`GetFederationToken`, SAML or web identity without a role).
    FederatedUser,
    /// An AWS service acting itself or on the principal's behalf (`AWSService`, `invokedBy`).
    AwsService,
    /// Nothing says what it is.
    Unknown,
}

impl IdentityKind {
    /// Every kind, in the order of the enum.
    pub const ALL: [IdentityKind; 11] = [
        IdentityKind::LongTermKey,
        IdentityKind::UserSession,
        IdentityKind::Root,
        IdentityKind::RoleSession,
        IdentityKind::InstanceSession,
        IdentityKind::LambdaSession,
        IdentityKind::EcsSession,
        IdentityKind::SsoUser,
        IdentityKind::FederatedUser,
        IdentityKind::AwsService,
        IdentityKind::Unknown,
    ];

    /// The spelling in documents (`long_term_key`, `instance_session`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::LongTermKey => "long_term_key",
            IdentityKind::UserSession => "user_session",
            IdentityKind::Root => "root",
            IdentityKind::RoleSession => "role_session",
            IdentityKind::InstanceSession => "instance_session",
            IdentityKind::LambdaSession => "lambda_session",
            IdentityKind::EcsSession => "ecs_session",
            IdentityKind::SsoUser => "sso_user",
            IdentityKind::FederatedUser => "federated_user",
            IdentityKind::AwsService => "aws_service",
            IdentityKind::Unknown => "unknown",
        }
    }

    /// Whether the credential belongs to a compute resource and should only be used from it.
    pub fn is_compute(self) -> bool {
        matches!(
            self,
            IdentityKind::InstanceSession | IdentityKind::LambdaSession | IdentityKind::EcsSession
        )
    }

    /// Whether a person signs in with it (console sign-ins, MFA and roaming apply).
    pub fn is_human(self) -> bool {
        matches!(
            self,
            IdentityKind::LongTermKey
                | IdentityKind::UserSession
                | IdentityKind::Root
                | IdentityKind::SsoUser
                | IdentityKind::FederatedUser
        )
    }

    /// How specific the kind is: when an identity's calls disagree (a Lambda session's calls
    /// from a laptop carry no Lambda user agent), the most specific wins.
    fn specificity(self) -> u8 {
        match self {
            IdentityKind::Unknown => 0,
            IdentityKind::AwsService => 1,
            IdentityKind::RoleSession => 2,
            _ => 3,
        }
    }

    /// The kind of an identity from two of its calls' kinds: the more specific one.
    pub fn merge(self, other: IdentityKind) -> IdentityKind {
        if other.specificity() > self.specificity() {
            other
        } else {
            self
        }
    }
}

/// A role-session-name pattern that names a kind of session.
struct SessionPattern {
    kind: IdentityKind,
    matches: fn(&str) -> bool,
}

/// Role session names that say what the session is, checked in order.
const SESSION_PATTERNS: &[SessionPattern] = &[
    // EC2 names instance-profile sessions after the instance: `i-0123456789abcdef0`.
    SessionPattern {
        kind: IdentityKind::InstanceSession,
        matches: is_instance_id,
    },
    // ECS names task-role sessions after the task id: 32 hex digits.
    SessionPattern {
        kind: IdentityKind::EcsSession,
        matches: is_task_id,
    },
    // SSO and SAML sessions are named after the person's e-mail address.
    SessionPattern {
        kind: IdentityKind::SsoUser,
        matches: is_email,
    },
];

/// Role-name prefixes that say what the role's sessions are.
const ROLE_PREFIXES: &[(&str, IdentityKind)] = &[
    ("AWSReservedSSO_", IdentityKind::SsoUser),
    ("AWSServiceRoleFor", IdentityKind::AwsService),
];

/// `userIdentity.type` values mapped directly to a kind.
const TYPE_KINDS: &[(&str, IdentityKind)] = &[
    ("Root", IdentityKind::Root),
    ("AWSService", IdentityKind::AwsService),
    ("AWSAccount", IdentityKind::Unknown),
    ("FederatedUser", IdentityKind::FederatedUser),
    ("SAMLUser", IdentityKind::FederatedUser),
    ("WebIdentityUser", IdentityKind::FederatedUser),
    ("IdentityCenterUser", IdentityKind::SsoUser),
];

/// Whether `s` is an EC2 instance id: `i-` and 8 to 17 lower-case hex digits.
pub fn is_instance_id(s: &str) -> bool {
    s.strip_prefix("i-").is_some_and(|h| {
        (8..=17).contains(&h.len())
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Whether `s` is an ECS task id: 32 hex digits.
pub fn is_task_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_email(s: &str) -> bool {
    s.split_once('@')
        .is_some_and(|(u, d)| !u.is_empty() && d.contains('.') && !d.starts_with('.'))
}

/// The kind of the caller of one event, from its identity and user agent. Per identity, merge
/// the kinds of its calls with [`IdentityKind::merge`].
pub fn of_event(id: &Identity, user_agent: Option<&str>) -> IdentityKind {
    if id.invoked_by.is_some() {
        return IdentityKind::AwsService;
    }
    let ty = id.kind.as_deref().unwrap_or("");
    if let Some((_, k)) = TYPE_KINDS.iter().find(|(t, _)| *t == ty) {
        return *k;
    }
    match ty {
        "IAMUser" => {
            if id
                .access_key_id
                .as_deref()
                .is_some_and(|k| k.starts_with("AKIA"))
            {
                IdentityKind::LongTermKey
            } else {
                IdentityKind::UserSession
            }
        }
        "AssumedRole" => role_session_kind(id, user_agent),
        _ => IdentityKind::Unknown,
    }
}

fn role_session_kind(id: &Identity, user_agent: Option<&str>) -> IdentityKind {
    let role = id.session_issuer_name.as_deref().unwrap_or("");
    if let Some((_, k)) = ROLE_PREFIXES.iter().find(|(p, _)| role.starts_with(p)) {
        return *k;
    }
    if let Some(env) = user_agent.map(Client::parse).and_then(|c| c.exec_env) {
        match env {
            ExecEnv::Lambda => return IdentityKind::LambdaSession,
            ExecEnv::Ecs => return IdentityKind::EcsSession,
            ExecEnv::Ec2 | ExecEnv::CloudShell | ExecEnv::Other => {}
        }
    }
    let session = id.role_session_name.as_deref().unwrap_or("");
    SESSION_PATTERNS
        .iter()
        .find(|p| (p.matches)(session))
        .map_or(IdentityKind::RoleSession, |p| p.kind)
}

/// The kind of role session an AWS service opens for a compute resource when it assumes a role
/// (`AssumeRole` called by `ec2.amazonaws.com`, `lambda.amazonaws.com`, `ecs-tasks.amazonaws.com`).
pub const SERVICE_SESSIONS: &[(&str, IdentityKind)] = &[
    ("ec2.amazonaws.com", IdentityKind::InstanceSession),
    ("lambda.amazonaws.com", IdentityKind::LambdaSession),
    ("ecs-tasks.amazonaws.com", IdentityKind::EcsSession),
];

/// The kind of session a service principal opens when it assumes a role on behalf of compute.
pub fn of_issuing_service(service: &str) -> Option<IdentityKind> {
    SERVICE_SESSIONS
        .iter()
        .find(|(s, _)| *s == service)
        .map(|(_, k)| *k)
}

/// A stable name for the identity behind a call, the same across key rotation: the access key
/// for long-term keys, `root:ACCOUNT` for root, the user ARN for user sessions, the
/// `assumed-role/ROLE/SESSION` ARN for role sessions, else the ARN or principal id.
pub fn identity_name(id: &Identity, kind: IdentityKind) -> Option<String> {
    match kind {
        IdentityKind::LongTermKey => id.access_key_id.clone(),
        IdentityKind::Root => Some(format!("root:{}", id.account_id.as_deref().unwrap_or("?"))),
        IdentityKind::AwsService => id.invoked_by.clone().or_else(|| id.arn.clone()),
        _ => id.arn.clone().or_else(|| id.principal_id.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(role: &str, session: &str) -> Identity {
        Identity {
            kind: Some("AssumedRole".into()),
            arn: Some(format!(
                "arn:aws:sts::111122223333:assumed-role/{role}/{session}"
            )),
            session_issuer_name: Some(role.into()),
            role_session_name: Some(session.into()),
            access_key_id: Some("ASIAEXAMPLE".into()),
            ..Identity::default()
        }
    }

    #[test]
    fn users_keys_root_and_services() {
        let mut u = Identity {
            kind: Some("IAMUser".into()),
            access_key_id: Some("AKIAEXAMPLE".into()),
            ..Identity::default()
        };
        assert_eq!(of_event(&u, None), IdentityKind::LongTermKey);
        u.access_key_id = Some("ASIAEXAMPLE".into());
        assert_eq!(of_event(&u, None), IdentityKind::UserSession);
        u.access_key_id = None;
        assert_eq!(of_event(&u, None), IdentityKind::UserSession);
        let root = Identity {
            kind: Some("Root".into()),
            account_id: Some("111122223333".into()),
            ..Identity::default()
        };
        assert_eq!(of_event(&root, None), IdentityKind::Root);
        assert_eq!(
            identity_name(&root, IdentityKind::Root).as_deref(),
            Some("root:111122223333")
        );
        let svc = Identity {
            kind: Some("AWSService".into()),
            invoked_by: Some("ec2.amazonaws.com".into()),
            ..Identity::default()
        };
        assert_eq!(of_event(&svc, None), IdentityKind::AwsService);
        let fed = Identity {
            kind: Some("FederatedUser".into()),
            ..Identity::default()
        };
        assert_eq!(of_event(&fed, None), IdentityKind::FederatedUser);
    }

    #[test]
    fn role_sessions_by_name_role_and_user_agent() {
        assert_eq!(
            of_event(&role("web", "i-0b0efb52f317a8df6"), None),
            IdentityKind::InstanceSession
        );
        assert_eq!(
            of_event(&role("task", "0123456789abcdef0123456789abcdef"), None),
            IdentityKind::EcsSession
        );
        assert_eq!(
            of_event(
                &role("AWSReservedSSO_Admin_0123", "alice"),
                Some("aws-cli/2.15.0")
            ),
            IdentityKind::SsoUser
        );
        assert_eq!(
            of_event(&role("Admin", "alice@example.com"), None),
            IdentityKind::SsoUser
        );
        let lambda_ua = "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#5.10 lang/python#3.12.0 exec-env/AWS_Lambda_python3.12 Botocore/1.34.0";
        assert_eq!(
            of_event(&role("fn-role", "resize-images"), Some(lambda_ua)),
            IdentityKind::LambdaSession
        );
        assert_eq!(
            of_event(
                &role("fn-role", "resize-images"),
                Some("aws-cli/2.15.0 os/macos#23.1")
            ),
            IdentityKind::RoleSession
        );
        assert_eq!(
            IdentityKind::RoleSession.merge(IdentityKind::LambdaSession),
            IdentityKind::LambdaSession
        );
        assert_eq!(
            IdentityKind::LambdaSession.merge(IdentityKind::RoleSession),
            IdentityKind::LambdaSession
        );
        assert!(!is_instance_id("i-123"));
        assert!(!is_instance_id("i-0B0EFB52"));
        assert!(is_instance_id("i-0b0efb52"));
        assert_eq!(
            of_issuing_service("ecs-tasks.amazonaws.com"),
            Some(IdentityKind::EcsSession)
        );
    }
}
