//! Inline policies on IAM users and roles: the same commands for both, from one table per kind.

use super::cli::iam;

/// AWS's managed quarantine policy, mentioned as an alternative to the inline deny-all.
pub const AWS_QUARANTINE_POLICY_ARN: &str = "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3";

/// The IAM vocabulary of one kind of identity, so that users and roles share the code that
/// attaches and removes inline policies.
#[derive(Debug)]
pub(super) struct IdentityKind {
    /// Target prefix of the plan's steps (`iam-user`).
    pub(super) target: &'static str,
    /// Flag naming the identity (`--user-name`).
    pub(super) name_flag: &'static str,
    /// Operation attaching an inline policy (`put-user-policy`).
    pub(super) put_policy: &'static str,
    /// Operation removing an inline policy (`delete-user-policy`).
    pub(super) delete_policy: &'static str,
}

/// IAM users.
pub(super) const USER: IdentityKind = IdentityKind {
    target: "iam-user",
    name_flag: "--user-name",
    put_policy: "put-user-policy",
    delete_policy: "delete-user-policy",
};

/// IAM roles.
pub(super) const ROLE: IdentityKind = IdentityKind {
    target: "iam-role",
    name_flag: "--role-name",
    put_policy: "put-role-policy",
    delete_policy: "delete-role-policy",
};

impl IdentityKind {
    /// The step target of identity `name` (`iam-user:alice`).
    pub(super) fn target(&self, name: &str) -> String {
        format!("{}:{name}", self.target)
    }

    /// Attaches inline policy `policy` with JSON `document` to identity `name`.
    pub(super) fn put_inline_policy(&self, name: &str, policy: &str, document: &str) -> String {
        iam(self.put_policy)
            .arg(self.name_flag, name)
            .arg("--policy-name", policy)
            .arg("--policy-document", document)
            .done()
    }

    /// Removes inline policy `policy` from identity `name`: the rollback of
    /// [`IdentityKind::put_inline_policy`].
    pub(super) fn delete_inline_policy(&self, name: &str, policy: &str) -> String {
        iam(self.delete_policy)
            .arg(self.name_flag, name)
            .arg("--policy-name", policy)
            .done()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_and_roles_share_the_command_shapes() {
        assert_eq!(USER.target("alice"), "iam-user:alice");
        assert_eq!(ROLE.target("r"), "iam-role:r");
        assert_eq!(
            ROLE.put_inline_policy("r", "p", "{}"),
            "aws iam put-role-policy --region us-east-1 --role-name r --policy-name p \
             --policy-document '{}'"
        );
        assert_eq!(
            USER.delete_inline_policy("a b", "p"),
            "aws iam delete-user-policy --region us-east-1 --user-name 'a b' --policy-name p"
        );
    }
}
