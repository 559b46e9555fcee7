//! Who made a call: CloudTrail's `userIdentity`, flattened to the fields
//! investigators pivot on.

use std::sync::LazyLock;

use memchr::memmem;

/// The normalized `userIdentity` of an event.
///
/// Nested CloudTrail fields are lifted to one level: the session issuer,
/// session creation time and MFA flag come from `sessionContext`, and
/// `role_session_name` is derived from an `assumed-role` ARN because CloudTrail
/// does not record it separately. Absent fields are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// `userIdentity.type`: `IAMUser`, `AssumedRole`, `Root`, `AWSService`, …
    pub kind: Option<String>,
    /// `userIdentity.arn`.
    pub arn: Option<String>,
    /// `userIdentity.principalId`.
    pub principal_id: Option<String>,
    /// `userIdentity.accountId`: the account that owns the credential.
    pub account_id: Option<String>,
    /// `userIdentity.userName` (IAM users, root, some federated users).
    pub user_name: Option<String>,
    /// `userIdentity.accessKeyId`: `AKIA…` long-term or `ASIA…` temporary.
    pub access_key_id: Option<String>,
    /// `sessionContext.sessionIssuer.arn`: the role or user that issued the session.
    pub session_issuer_arn: Option<String>,
    /// `sessionContext.sessionIssuer.userName`: the issuer's friendly name.
    pub session_issuer_name: Option<String>,
    /// `sessionContext.attributes.creationDate`, in UTC milliseconds.
    pub session_created: Option<crate::EventTime>,
    /// `sessionContext.attributes.mfaAuthenticated`.
    pub mfa_authenticated: Option<bool>,
    /// `userIdentity.invokedBy`: the AWS service that made the call on the principal's behalf.
    pub invoked_by: Option<String>,
    /// `sessionContext.sourceIdentity`: the identity set at `AssumeRole` time, kept across role chains.
    pub source_identity: Option<String>,
    /// The session name of an `assumed-role` ARN (`…:assumed-role/ROLE/SESSION`).
    pub role_session_name: Option<String>,
    /// `onBehalfOf.userId`: the IAM Identity Center user behind a shared role.
    pub on_behalf_of_user_id: Option<String>,
}

impl Identity {
    /// The most specific human-meaningful name for the principal: the role
    /// session (`ROLE/SESSION`) for assumed roles, else the user name, else the
    /// ARN, else the principal id, else the invoking service.
    pub fn display_name(&self) -> Option<&str> {
        if let Some(rest) = self.arn.as_deref().and_then(after_assumed_role) {
            return Some(rest);
        }
        self.user_name
            .as_deref()
            .or(self.arn.as_deref())
            .or(self.principal_id.as_deref())
            .or(self.invoked_by.as_deref())
    }

    /// Whether `needle` names this principal: equal (ignoring ASCII case) to
    /// its ARN, user name, principal id, session issuer ARN or name, role
    /// session name, source identity, or to the last path segment of its ARN.
    pub fn is_named(&self, needle: &str) -> bool {
        let arn_tail = self.arn.as_deref().and_then(|a| a.rsplit('/').next());
        [
            self.arn.as_deref(),
            self.user_name.as_deref(),
            self.principal_id.as_deref(),
            self.session_issuer_arn.as_deref(),
            self.session_issuer_name.as_deref(),
            self.role_session_name.as_deref(),
            self.source_identity.as_deref(),
            self.on_behalf_of_user_id.as_deref(),
            arn_tail,
        ]
        .into_iter()
        .flatten()
        .any(|v| v.eq_ignore_ascii_case(needle))
    }

    /// The session name from an `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` ARN.
    pub fn session_name_from_arn(arn: &str) -> Option<&str> {
        let (_, session) = after_assumed_role(arn)?.split_once('/')?;
        Some(session)
    }
}

/// What follows `:assumed-role/` in an ARN. The searcher is built once:
/// building one per call (`str::split_once` with a string) cost 2 % of reading
/// a log, since every event's identity is named this way.
fn after_assumed_role(arn: &str) -> Option<&str> {
    const MARK: &str = ":assumed-role/";
    static FINDER: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(MARK));
    let at = FINDER.find(arn.as_bytes())?;
    arn.get(at + MARK.len()..)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role() -> Identity {
        Identity {
            kind: Some("AssumedRole".into()),
            arn: Some("arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com".into()),
            session_issuer_arn: Some("arn:aws:iam::111122223333:role/Admin".into()),
            session_issuer_name: Some("Admin".into()),
            role_session_name: Some("alice@example.com".into()),
            ..Identity::default()
        }
    }

    #[test]
    fn display_prefers_the_role_session() {
        assert_eq!(role().display_name(), Some("Admin/alice@example.com"));
        let user = Identity {
            user_name: Some("bob".into()),
            arn: Some("arn:aws:iam::1:user/bob".into()),
            ..Identity::default()
        };
        assert_eq!(user.display_name(), Some("bob"));
        assert_eq!(Identity::default().display_name(), None);
    }

    #[test]
    fn is_named_matches_arn_name_issuer_and_session() {
        let r = role();
        assert!(r.is_named("admin"));
        assert!(r.is_named("alice@example.com"));
        assert!(r.is_named("arn:aws:iam::111122223333:role/Admin"));
        assert!(!r.is_named("mallory"));
    }

    #[test]
    fn session_name_comes_from_assumed_role_arns_only() {
        assert_eq!(
            Identity::session_name_from_arn("arn:aws:sts::1:assumed-role/R/s-1"),
            Some("s-1")
        );
        assert_eq!(
            Identity::session_name_from_arn("arn:aws:iam::1:user/u"),
            None
        );
    }
}
