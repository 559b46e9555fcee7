//! What every part of a plan shares: the findings, "now", and the names and policy documents
//! derived from the case.

use super::cli::json_arg;
use super::quarantine_groups::QuarantineGroups;
use super::roles::RoleInventory;
use crate::policy;
use crate::ContainError;
use cloudcase_model::contain::Findings;

/// Formats `now_ms` as RFC 3339 UTC with whole seconds, rounded up so that every session issued
/// before `now_ms` falls before it.
pub fn token_issue_time(now_ms: i64) -> Result<String, ContainError> {
    let secs = now_ms.div_euclid(1000) + i64::from(now_ms.rem_euclid(1000) > 0);
    let ts = jiff::Timestamp::from_second(secs).map_err(|_| ContainError::InvalidTime(now_ms))?;
    Ok(ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// The input of every phase builder: validated findings and what is computed once from them.
#[derive(Debug)]
pub(super) struct Context<'a> {
    /// The findings, already validated.
    pub(super) findings: &'a Findings,
    /// "Now" as RFC 3339 UTC: sessions whose token was issued before it are revoked.
    pub(super) issued_before: String,
    /// `cloudcase-quarantine-<case>`: the name of the inline deny-all policy and of the
    /// quarantine security groups.
    pub(super) quarantine: String,
    /// `cloudcase-revoke-sessions-<case>`: the name of the inline policy revoking older sessions.
    pub(super) revoke_policy: String,
    /// The deny-all identity policy, as one JSON argument.
    pub(super) deny_all: String,
    /// The revoke-older-sessions identity policy for [`Context::issued_before`], as one JSON
    /// argument.
    pub(super) revoke_older_sessions: String,
    /// The roles the plan acts on, with their evidence file names.
    pub(super) roles: RoleInventory<'a>,
    /// One quarantine security group per region and VPC of the instances.
    pub(super) quarantine_groups: QuarantineGroups,
}

impl<'a> Context<'a> {
    /// Derives the shared names and documents from `findings` (validated by the caller); fails
    /// only when "now" is out of range.
    pub(super) fn new(findings: &'a Findings) -> Result<Self, ContainError> {
        let issued_before = token_issue_time(findings.now_ms)?;
        let case = &findings.case_id;
        Ok(Context {
            findings,
            quarantine: format!("cloudcase-quarantine-{case}"),
            revoke_policy: format!("cloudcase-revoke-sessions-{case}"),
            deny_all: json_arg(&policy::deny_all()),
            revoke_older_sessions: json_arg(&policy::revoke_older_sessions(&issued_before)),
            issued_before,
            roles: RoleInventory::new(findings),
            quarantine_groups: QuarantineGroups::new(&findings.instances),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::findings;

    #[test]
    fn names_and_documents_come_from_the_case_and_now() {
        let f = findings();
        let ctx = Context::new(&f).unwrap();
        assert_eq!(ctx.issued_before, "2024-05-01T12:00:00Z");
        assert_eq!(ctx.quarantine, "cloudcase-quarantine-c1");
        assert_eq!(ctx.revoke_policy, "cloudcase-revoke-sessions-c1");
        assert!(
            ctx.deny_all.contains("CloudcaseQuarantineDenyAll") && !ctx.deny_all.contains('\n')
        );
        assert!(ctx
            .revoke_older_sessions
            .contains(r#""aws:TokenIssueTime":"2024-05-01T12:00:00Z""#));
    }

    #[test]
    fn now_out_of_range_is_an_error() {
        let mut f = findings();
        f.now_ms = i64::MIN;
        assert!(matches!(
            Context::new(&f),
            Err(ContainError::InvalidTime(i64::MIN))
        ));
        assert_eq!(token_issue_time(-1).unwrap(), "1970-01-01T00:00:00Z");
    }
}
