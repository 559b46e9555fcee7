//! Quarantine security groups: one per region and VPC of the instances, with no rules at all,
//! so that an instance moved into it can neither receive nor send traffic.

use std::collections::BTreeMap;

use super::cli::json_arg;
use super::context::Context;
use super::step::Draft;
use crate::shell::{quote, Cmd};
use cloudcase_model::contain::Instance;

/// Where a quarantine group is created: a region and a VPC (`None`: the region's default VPC).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Network {
    /// Region.
    pub(super) region: String,
    /// VPC id, or `None` for the default VPC.
    pub(super) vpc: Option<String>,
}

impl Network {
    /// The network of instance `i`.
    fn of(i: &Instance) -> Self {
        Network {
            region: i.region.clone(),
            vpc: i.vpc_id.clone(),
        }
    }
}

/// The quarantine groups to create, each with the shell variable (`QSG_<n>`, numbered in the
/// order the instances first name its network) that holds its id once created.
#[derive(Debug)]
pub(super) struct QuarantineGroups(BTreeMap<Network, String>);

impl QuarantineGroups {
    /// One group per network of `instances`.
    pub(super) fn new(instances: &[Instance]) -> Self {
        let mut groups = BTreeMap::new();
        for i in instances {
            let n = groups.len() + 1;
            groups
                .entry(Network::of(i))
                .or_insert_with(|| format!("QSG_{n}"));
        }
        QuarantineGroups(groups)
    }

    /// The shell variable holding the id of the group for instance `i`.
    pub(super) fn variable(&self, i: &Instance) -> &str {
        &self.0[&Network::of(i)]
    }
}

/// Isolate: each quarantine group created, ordered by region and VPC, and its default
/// allow-all outbound rule revoked. The id goes to a shell variable for the instances' moves.
pub(super) fn create(ctx: &Context<'_>) -> Vec<Draft> {
    let case = &ctx.findings.case_id;
    ctx.quarantine_groups
        .0
        .iter()
        .map(|(Network { region, vpc }, var)| {
            let mut create = Cmd::aws("ec2", "create-security-group")
                .arg("--region", region)
                .arg("--group-name", &ctx.quarantine)
                .arg(
                    "--description",
                    &format!("cloudcase {case} quarantine: no inbound, no outbound"),
                );
            if let Some(v) = vpc {
                create = create.arg("--vpc-id", v);
            }
            let create = create
                .arg("--query", "GroupId")
                .arg("--output", "text")
                .done();
            let all_outbound =
                serde_json::json!([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]);
            Draft {
                target: format!("ec2-vpc:{region}:{}", vpc.as_deref().unwrap_or("default")),
                action: format!(
                    "Create quarantine security group {} (no rules) in {} {}",
                    ctx.quarantine,
                    quote(region),
                    vpc.as_deref()
                        .map(quote)
                        .unwrap_or_else(|| "default VPC".into())
                ),
                why: "A new group allows all outbound traffic by default; that rule is revoked, \
                      leaving no rules at all."
                    .into(),
                reversible: true,
                destroys_evidence: false,
                commands: vec![
                    format!("{var}=\"$({create})\""),
                    Cmd::aws("ec2", "revoke-security-group-egress")
                        .arg("--region", region)
                        .raw(&format!("--group-id \"${var}\""))
                        .arg("--ip-permissions", &json_arg(&all_outbound))
                        .done(),
                ],
                rollback: vec![Cmd::aws("ec2", "delete-security-group")
                    .arg("--region", region)
                    .raw(&format!("--group-id \"${var}\""))
                    .done()],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::{drafts, findings, instance};
    use cloudcase_model::contain::InstanceOrigin;

    #[test]
    fn one_group_per_network_numbered_by_first_instance_created_in_network_order() {
        let o = InstanceOrigin::Compromised;
        let mut f = findings();
        f.instances = vec![
            instance("i-1", "us-east-1", Some("vpc-b"), o),
            instance("i-2", "eu-west-1", None, o),
            instance("i-3", "us-east-1", Some("vpc-b"), o),
            instance("i-4", "us-east-1", Some("vpc-a"), o),
        ];
        let groups = QuarantineGroups::new(&f.instances);
        let vars: Vec<&str> = f.instances.iter().map(|i| groups.variable(i)).collect();
        assert_eq!(vars, ["QSG_1", "QSG_2", "QSG_1", "QSG_3"]);

        let d = drafts(&f, create);
        let targets: Vec<&str> = d.iter().map(|d| d.target.as_str()).collect();
        assert_eq!(
            targets,
            [
                "ec2-vpc:eu-west-1:default",
                "ec2-vpc:us-east-1:vpc-a",
                "ec2-vpc:us-east-1:vpc-b"
            ]
        );
        assert_eq!(
            d[0].action,
            "Create quarantine security group cloudcase-quarantine-c1 (no rules) in eu-west-1 \
             default VPC"
        );
        assert!(d[0].commands[0].starts_with(
            "QSG_2=\"$(aws ec2 create-security-group --region eu-west-1 \
             --group-name cloudcase-quarantine-c1 "
        ));
        assert!(!d[0].commands[0].contains("--vpc-id"));
        assert!(d[1].commands[0].contains("--vpc-id vpc-a --query GroupId"));
        assert!(d[1].commands[1].starts_with(
            "aws ec2 revoke-security-group-egress --region us-east-1 --group-id \"$QSG_3\" "
        ));
        assert_eq!(
            d[2].rollback,
            ["aws ec2 delete-security-group --region us-east-1 --group-id \"$QSG_1\""]
        );
        assert!(d.iter().all(|d| d.reversible && !d.destroys_evidence));
    }

    #[test]
    fn no_instances_no_groups() {
        assert!(drafts(&findings(), create).is_empty());
    }
}
