//! Security groups the attacker opened: described first, then only the attacker's ingress rules
//! revoked (the group itself may be the owner's and is kept).

use super::cli::{ev, json_arg, stem};
use super::context::Context;
use super::step::Draft;
use crate::shell::{quote, Cmd};
use cloudcase_model::contain::{IngressRule, SecurityGroup};

/// The step target of group `g`.
fn target(g: &SecurityGroup) -> String {
    format!("ec2-security-group:{}:{}", g.region, g.id)
}

/// Preserve: each group's description, with its rules before any is revoked.
pub(super) fn preserve(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .security_groups
        .iter()
        .enumerate()
        .map(|(n, g)| Draft {
            target: target(g),
            action: format!(
                "Describe security group {} in {}",
                quote(&g.id),
                quote(&g.region)
            ),
            why: "The group's rules before the attacker's are revoked.".into(),
            reversible: true,
            destroys_evidence: false,
            commands: vec![Cmd::aws("ec2", "describe-security-groups")
                .arg("--region", &g.region)
                .arg("--group-ids", &g.id)
                .raw(&ev(&format!("{}.json", stem("sg", n, &[&g.region, &g.id]))))
                .done()],
            rollback: vec![],
        })
        .collect()
}

/// Isolate: the attacker's ingress rules revoked from each group that has any; authorizing them
/// again is the rollback.
pub(super) fn revoke_ingress(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .security_groups
        .iter()
        .filter(|g| !g.rules.is_empty())
        .map(|g| {
            let perms = ip_permissions(&g.rules);
            let cidrs: Vec<&str> = g.rules.iter().map(|r| r.cidr.as_str()).collect();
            let change = |op: &str| {
                Cmd::aws("ec2", op)
                    .arg("--region", &g.region)
                    .arg("--group-id", &g.id)
                    .arg("--ip-permissions", &perms)
                    .done()
            };
            Draft {
                target: target(g),
                action: format!(
                    "Revoke the attacker's ingress rules ({}) from security group {}",
                    cidrs.join(", "),
                    quote(&g.id)
                ),
                why: "Rules the attacker opened to the internet; the group itself may be the \
                      owner's and is kept."
                    .into(),
                reversible: true,
                destroys_evidence: false,
                commands: vec![change("revoke-security-group-ingress")],
                rollback: vec![change("authorize-security-group-ingress")],
            }
        })
        .collect()
}

/// The `--ip-permissions` JSON of `rules`: IPv6 ranges for CIDRs with a `:`, IPv4 otherwise.
fn ip_permissions(rules: &[IngressRule]) -> String {
    let perms: Vec<serde_json::Value> = rules
        .iter()
        .map(|r| {
            let mut p = serde_json::json!({"IpProtocol": r.protocol});
            if let Some(from) = r.from_port {
                p["FromPort"] = from.into();
            }
            if let Some(to) = r.to_port {
                p["ToPort"] = to.into();
            }
            if r.cidr.contains(':') {
                p["Ipv6Ranges"] = serde_json::json!([{"CidrIpv6": r.cidr}]);
            } else {
                p["IpRanges"] = serde_json::json!([{"CidrIp": r.cidr}]);
            }
            p
        })
        .collect();
    json_arg(&serde_json::Value::Array(perms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::{drafts, findings, rule};
    use cloudcase_model::contain::Findings;

    /// A group with two rules and one without.
    fn groups() -> Findings {
        let mut f = findings();
        f.security_groups = vec![
            SecurityGroup {
                id: "sg-open".into(),
                region: "eu-west-1".into(),
                rules: vec![
                    rule("tcp", Some((22, 22)), "0.0.0.0/0"),
                    rule("-1", None, "::/0"),
                ],
            },
            SecurityGroup {
                id: "sg-none".into(),
                region: "eu-west-1".into(),
                rules: vec![],
            },
        ];
        f
    }

    #[test]
    fn every_group_is_described() {
        let d = drafts(&groups(), preserve);
        assert_eq!(d.len(), 2);
        assert_eq!(
            d[1].commands,
            [
                "aws ec2 describe-security-groups --region eu-west-1 --group-ids sg-none \
              --output json > \"$EVIDENCE_DIR/sg-1-eu-west-1-sg-none.json\""
            ]
        );
    }

    #[test]
    fn only_the_attackers_rules_are_revoked_and_authorized_again_on_rollback() {
        let d = drafts(&groups(), revoke_ingress);
        assert_eq!(d.len(), 1, "a group without rules has nothing to revoke");
        assert_eq!(
            d[0].action,
            "Revoke the attacker's ingress rules (0.0.0.0/0, ::/0) from security group sg-open"
        );
        let perms = d[0].commands[0].split('\'').nth(1).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(perms).unwrap(),
            serde_json::json!([
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                 "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
                {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
            ])
        );
        assert!(d[0].commands[0].starts_with("aws ec2 revoke-security-group-ingress "));
        assert_eq!(
            d[0].rollback[0],
            d[0].commands[0].replace(
                "revoke-security-group-ingress",
                "authorize-security-group-ingress"
            )
        );
        assert!(d[0].reversible && !d[0].destroys_evidence);
    }
}
