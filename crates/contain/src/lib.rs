//! Containment plans from what an investigation found.
//!
//! [`build_plan`] turns [`Findings`] (compromised and attacker-created users, roles and sessions,
//! instances, security groups, key pairs, shared snapshots and AMIs, Lambda functions) into a
//! [`Plan`]: AWS CLI steps, least destructive first, each with why, whether it can be undone,
//! whether it loses evidence, and its rollback. The phases are
//!
//! 1. **preserve**: IAM credential report and authorization details, per-identity state, instance
//!    descriptions and user data, termination protection, tagged EBS snapshots, key pairs, sharing
//!    permissions, Lambda code;
//! 2. **contain**: inline deny-all policies (never deletion), access keys deactivated (never
//!    deleted), console passwords deleted for attacker-created users and reset for the owner's;
//! 3. **revoke**: sessions issued before "now" denied with an `aws:TokenIssueTime` condition,
//!    backdoor trust replaced with a trust policy that lets nobody in;
//! 4. **isolate**: a rule-less quarantine security group per region and VPC, the attacker's ingress
//!    rules revoked, snapshot and AMI sharing removed, Lambda throttled, attacker instances stopped;
//! 5. **eradicate**: terminations and deletions, marked as destroying evidence.
//!
//! The findings and the plan are types of `cloudcase-model` (they are part of the scope document),
//! re-exported here. The crate never calls AWS. [`shell_script`] renders a bash script to review
//! (destructive steps commented out); the plan serializes to JSON with serde. Every value from the
//! findings is checked (no control characters) and shell-quoted, so attacker-chosen names stay
//! inert.

#![deny(missing_docs)]

mod build;
mod policy;
mod script;
mod shell;

pub use build::{build_plan, token_issue_time, AWS_QUARANTINE_POLICY_ARN, IAM_REGION};
pub use cloudcase_model::contain::{
    AccessKey, Findings, ImageKind, IngressRule, Instance, InstanceOrigin, KeyPair, KeyStatus,
    LambdaFunction, Phase, Plan, Role, RoleOrigin, RoleSession, SecurityGroup, SharedImage, Step,
    User, UserOrigin,
};
pub use script::shell_script;

/// Why findings cannot be turned into a plan.
#[derive(Debug, thiserror::Error)]
pub enum ContainError {
    /// The case id is not 1 to 64 characters of `A-Z a-z 0-9 . _ -` (it becomes part of policy names).
    #[error("invalid case id {0}: use 1 to 64 characters of A-Z a-z 0-9 . _ -")]
    InvalidCaseId(String),
    /// The account id is not 12 digits.
    #[error("invalid account id {0}: expected 12 digits")]
    InvalidAccountId(String),
    /// A value is empty or contains a newline or other control character, which could end a
    /// comment line of the generated script.
    #[error("unsafe value in {field}: {value} (empty, or contains a control character such as a newline)")]
    UnsafeValue {
        /// Which input field.
        field: String,
        /// The value, escaped.
        value: String,
    },
    /// "Now" is outside the representable time range.
    #[error("time out of range: {0} ms")]
    InvalidTime(i64),
    /// A role's original trust policy is not valid JSON.
    #[error("original trust policy of role {role:?} is not valid JSON")]
    InvalidPolicyDocument {
        /// Role name.
        role: String,
        /// Parser error.
        #[source]
        source: serde_json::Error,
    },
}

#[cfg(test)]
mod tests;
