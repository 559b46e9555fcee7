//! Security groups the attacker opened: described first, then only the attacker's ingress rules
//! revoked (the group itself may be the owner's and is kept).

use super::cli::{ev, json_arg, stem};
use super::context::Context;
use super::step::Draft;
use crate::model::{IngressRule, SecurityGroup};
use crate::shell::{quote, Cmd};

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
