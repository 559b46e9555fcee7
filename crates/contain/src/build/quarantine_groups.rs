//! Quarantine security groups: one per region and VPC of the instances, with no rules at all,
//! so that an instance moved into it can neither receive nor send traffic.

use std::collections::BTreeMap;

use super::cli::json_arg;
use super::context::Context;
use super::step::Draft;
use crate::model::Instance;
use crate::shell::{quote, Cmd};

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
