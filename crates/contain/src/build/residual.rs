//! Residual risks: what remains possible after the plan is carried out, so that nobody takes
//! containment for more than it is.

use crate::shell::quote;
use cloudcase_model::contain::{Findings, RoleOrigin, UserOrigin};

/// Risks that hold for every plan, after the first (which names "now").
const ALWAYS: &[&str] = &[
    "Credentials of instance profiles on running instances (the attacker's or ones the attacker \
     reached) keep working from anywhere until the role's older sessions are revoked; isolation \
     cuts the instance's network, not credentials already copied off it.",
    "S3 presigned URLs already issued remain usable until they expire unless the signing \
     principal is denied or its key deactivated; data already downloaded or copied is out of \
     reach.",
    "Resources outside IAM keep running: instances, spot requests and fleets, Lambda triggers, \
     scheduled events, and anything in regions not covered by the logs.",
    "Resource policies (S3 bucket, KMS key, SQS, SNS, Lambda, Secrets Manager) granting access to \
     other accounts or to everyone are not touched by deny-all identity policies.",
    "IAM Identity Center (SSO) and other federated sessions, and the account root user, are not \
     covered: check root MFA and access keys, and revoke SSO sessions separately.",
    "Snapshots and AMIs that other accounts already copied remain theirs.",
    "SSH keys placed on instances through these credentials stay in authorized_keys; deleting a \
     key pair does not remove them.",
    "IAM changes are eventually consistent: allow a few seconds before relying on them.",
    "AWS's managed quarantine policy (AWSCompromisedKeyQuarantineV3, formerly V2) denies a list \
     of actions, not everything; this plan uses an inline deny-all instead.",
];

/// The residual risks of the plan for `f`, with sessions revoked before `issued_before`: the
/// general ones, then one per role trusting principals outside the account, then one when the
/// attacker created users.
pub(super) fn risks(f: &Findings, issued_before: &str) -> Vec<String> {
    let mut r = vec![format!(
        "Role sessions already issued stay valid until they expire (up to 12 hours, 36 for \
         GetSessionToken) wherever the deny-all or the aws:TokenIssueTime < {issued_before} \
         policy is not applied or is removed."
    )];
    r.extend(ALWAYS.iter().map(|s| s.to_string()));
    for role in f
        .roles
        .iter()
        .filter(|r| r.origin != RoleOrigin::Compromised)
    {
        let outside: Vec<String> = role
            .trust_principals
            .iter()
            .filter(|p| !p.contains(&f.account_id) && !p.ends_with(".amazonaws.com"))
            .map(|p| quote(p))
            .collect();
        if !outside.is_empty() {
            r.push(format!(
                "Role {} trusts {}: sessions those principals already hold last until expiry \
                 unless the revocation policy is applied, and any other role that trusts them is \
                 open to them too.",
                quote(&role.name),
                outside.join(", ")
            ));
        }
    }
    if f.users
        .iter()
        .any(|u| u.origin == UserOrigin::AttackerCreated)
    {
        r.push(
            "Attacker-created users may have registered MFA devices, SSH keys or service-specific \
             credentials not seen in the logs; the deny-all covers them until the users are \
             deleted."
                .into(),
        );
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::{findings, role, user};

    #[test]
    fn every_plan_names_the_general_risks_first() {
        let r = risks(&findings(), "2024-05-01T12:00:00Z");
        assert_eq!(r.len(), 1 + ALWAYS.len());
        assert!(r[0].contains("aws:TokenIssueTime < 2024-05-01T12:00:00Z"));
        assert!(r[1..].iter().zip(ALWAYS).all(|(a, b)| a == b));
    }

    #[test]
    fn outside_principals_of_attacker_roles_and_attacker_users_add_risks() {
        let mut f = findings();
        let mut trusted = role("b", RoleOrigin::Backdoored);
        trusted.trust_principals = vec![
            "arn:aws:iam::123456789012:root".into(),
            "ec2.amazonaws.com".into(),
            "arn:aws:iam::999999999999:root".into(),
        ];
        let mut compromised = role("c", RoleOrigin::Compromised);
        compromised.trust_principals = vec!["arn:aws:iam::888888888888:root".into()];
        f.roles = vec![trusted, compromised];
        f.users = vec![user("alice", UserOrigin::Compromised)];
        let r = risks(&f, "t");
        assert_eq!(r.len(), 2 + ALWAYS.len());
        assert!(r
            .last()
            .unwrap()
            .starts_with("Role b trusts arn:aws:iam::999999999999:root:"));
        assert!(
            !r.iter().any(|r| r.contains("888888888888")),
            "compromised roles' trust is theirs"
        );

        f.users.push(user("eve", UserOrigin::AttackerCreated));
        let r = risks(&f, "t");
        assert!(r
            .last()
            .unwrap()
            .starts_with("Attacker-created users may have registered"));
    }
}
