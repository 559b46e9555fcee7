//! EC2 instances: described, protected and snapshotted first, then moved into a quarantine
//! group; the attacker's are stopped and finally terminated, compromised ones never are.

use super::cli::{ev, stem};
use super::context::Context;
use super::snapshots;
use super::step::Draft;
use crate::shell::{quote, Cmd};
use cloudcase_model::contain::{Instance, InstanceOrigin};

/// The step target of instance `i`.
fn target(i: &Instance) -> String {
    format!("ec2-instance:{}:{}", i.region, i.id)
}

/// `"$EVIDENCE_DIR/<file>"`, for reading back a saved value.
fn evidence_path(file: &str) -> String {
    format!("\"$EVIDENCE_DIR/{file}\"")
}

/// `aws ec2 <op> --region R --instance-id I`.
fn on_instance(op: &str, i: &Instance) -> Cmd {
    Cmd::aws("ec2", op)
        .arg("--region", &i.region)
        .arg("--instance-id", &i.id)
}

/// `aws ec2 <op> --region R --instance-ids I`.
fn on_instances(op: &str, i: &Instance) -> Cmd {
    Cmd::aws("ec2", op)
        .arg("--region", &i.region)
        .arg("--instance-ids", &i.id)
}

/// The instances the attacker launched.
fn attacker_launched<'a>(ctx: &Context<'a>) -> impl Iterator<Item = &'a Instance> {
    ctx.findings
        .instances
        .iter()
        .filter(|i| i.origin == InstanceOrigin::AttackerLaunched)
}

/// Preserve: each instance described with its user data, protected from termination, set to
/// stop (not terminate) on shutdown, and its volumes snapshotted.
pub(super) fn preserve(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .instances
        .iter()
        .enumerate()
        .map(|(n, i)| preserve_one(ctx, n, i))
        .collect()
}

/// The preserve step of instance `i`, the `n`th of the findings.
fn preserve_one(ctx: &Context<'_>, n: usize, i: &Instance) -> Draft {
    let base = stem("ec2", n, &[&i.region, &i.id]);
    let protection = format!("{base}.termination-protection.txt");
    let shutdown = format!("{base}.shutdown-behavior.txt");
    let save_attribute = |attribute: &str, query: &str, file: &str| {
        on_instance("describe-instance-attribute", i)
            .arg("--attribute", attribute)
            .arg("--query", query)
            .arg("--output", "text")
            .raw(&ev(file))
            .done()
    };
    let mut commands = vec![
        on_instances("describe-instances", i)
            .raw(&ev(&format!("{base}.describe-instances.json")))
            .done(),
        on_instance("describe-instance-attribute", i)
            .arg("--attribute", "userData")
            .raw(&ev(&format!("{base}.user-data.json")))
            .done(),
        save_attribute(
            "disableApiTermination",
            "DisableApiTermination.Value",
            &protection,
        ),
        save_attribute(
            "instanceInitiatedShutdownBehavior",
            "InstanceInitiatedShutdownBehavior.Value",
            &shutdown,
        ),
        on_instance("modify-instance-attribute", i)
            .flag("--disable-api-termination")
            .done(),
        on_instance("modify-instance-attribute", i)
            .arg("--instance-initiated-shutdown-behavior", "stop")
            .done(),
    ];
    commands.extend(snapshots::take(&ctx.findings.case_id, i, &base));
    Draft {
        target: target(i),
        action: format!(
            "Describe instance {} in {}, save its user data, protect it from termination, \
             snapshot its volumes",
            quote(&i.id),
            quote(&i.region)
        ),
        why: "EBS snapshots are point-in-time from the moment they start, so later isolation and \
              stopping do not change them; termination protection and shutdown-behavior stop keep \
              the instance from vanishing (a shutdown from inside would otherwise be able to \
              terminate it). Memory is not captured by any AWS API: capture it from inside the \
              instance first if it matters."
            .into(),
        reversible: true,
        destroys_evidence: false,
        commands,
        rollback: vec![
            format!(
                "if [ \"$(cat {})\" = False ]; then {}; fi",
                evidence_path(&protection),
                on_instance("modify-instance-attribute", i)
                    .flag("--no-disable-api-termination")
                    .done()
            ),
            on_instance("modify-instance-attribute", i)
                .raw(&format!(
                    "--instance-initiated-shutdown-behavior \"$(cat {})\"",
                    evidence_path(&shutdown)
                ))
                .done(),
        ],
    }
}

/// Isolate: every instance moved into its network's quarantine group, replacing all its groups.
/// Reversible only when the findings name the groups to restore.
pub(super) fn isolate(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .instances
        .iter()
        .map(|i| {
            let var = ctx.quarantine_groups.variable(i);
            let rollback = if i.security_groups.is_empty() {
                vec![]
            } else {
                vec![on_instance("modify-instance-attribute", i)
                    .args("--groups", &i.security_groups)
                    .done()]
            };
            Draft {
                target: target(i),
                action: format!(
                    "Move instance {} to the quarantine security group",
                    quote(&i.id)
                ),
                why: "Replaces all of the instance's security groups (rollback restores them). \
                      Untracked flows stop at once; already-tracked connections may persist until \
                      they close."
                    .into(),
                reversible: !rollback.is_empty(),
                destroys_evidence: false,
                commands: vec![on_instance("modify-instance-attribute", i)
                    .raw(&format!("--groups \"${var}\""))
                    .done()],
                rollback,
            }
        })
        .collect()
}

/// Isolate: each attacker-launched instance stopped, which stops the cost but loses memory and
/// instance-store data (so it counts as destroying evidence and is commented out).
pub(super) fn stop_attacker_launched(ctx: &Context<'_>) -> Vec<Draft> {
    attacker_launched(ctx)
        .map(|i| Draft {
            target: target(i),
            action: format!("Stop (not terminate) attacker instance {}", quote(&i.id)),
            why: "Stops the cost. Run only after its snapshots are started (preserve phase): \
                  stopping loses memory and instance-store data, which is why this step is \
                  commented out. EBS volumes are kept; start-instances undoes it."
                .into(),
            reversible: true,
            destroys_evidence: true,
            commands: vec![on_instances("stop-instances", i).done()],
            rollback: vec![on_instances("start-instances", i).done()],
        })
        .collect()
}

/// Eradicate: each attacker-launched instance terminated once its snapshots are completed.
pub(super) fn terminate_attacker_launched(ctx: &Context<'_>) -> Vec<Draft> {
    attacker_launched(ctx)
        .map(|i| Draft {
            target: target(i),
            action: format!("Terminate attacker instance {}", quote(&i.id)),
            why: "Only once its snapshots are completed and verified: termination deletes volumes \
                  marked delete-on-termination."
                .into(),
            reversible: false,
            destroys_evidence: true,
            commands: vec![
                snapshots::wait_completed(i),
                on_instance("modify-instance-attribute", i)
                    .flag("--no-disable-api-termination")
                    .done(),
                on_instances("terminate-instances", i).done(),
            ],
            rollback: vec![],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::{drafts, findings, instance};
    use cloudcase_model::contain::Findings;

    /// An attacker's instance with a known group and volume, and a compromised one with neither.
    fn two() -> Findings {
        let mut miner = instance(
            "i-m",
            "eu-west-1",
            Some("vpc-1"),
            InstanceOrigin::AttackerLaunched,
        );
        miner.security_groups = vec!["sg-1".into(), "sg-2".into()];
        miner.volumes = vec!["vol-1".into()];
        let mut f = findings();
        f.instances = vec![
            miner,
            instance("i-w", "us-east-1", None, InstanceOrigin::Compromised),
        ];
        f
    }

    #[test]
    fn preserve_describes_protects_then_snapshots_every_instance() {
        let d = drafts(&two(), preserve);
        assert_eq!(d.len(), 2);
        let ops: Vec<&str> = d[0]
            .commands
            .iter()
            .map(|c| c.split(' ').nth(2).unwrap())
            .collect();
        assert_eq!(
            ops,
            [
                "describe-instances",
                "describe-instance-attribute",
                "describe-instance-attribute",
                "describe-instance-attribute",
                "modify-instance-attribute",
                "modify-instance-attribute",
                "create-snapshot",
            ]
        );
        assert!(d[0].commands[4].ends_with("--disable-api-termination"));
        assert!(d[0].commands[5].ends_with("--instance-initiated-shutdown-behavior stop"));
        assert!(d[1].commands[6].starts_with("aws ec2 create-snapshots "));
        assert_eq!(
            d[0].rollback[0],
            "if [ \"$(cat \"$EVIDENCE_DIR/ec2-0-eu-west-1-i-m.termination-protection.txt\")\" \
             = False ]; then aws ec2 modify-instance-attribute --region eu-west-1 \
             --instance-id i-m --no-disable-api-termination; fi"
        );
        assert!(d
            .iter()
            .all(|d| d.reversible && !d.destroys_evidence && d.rollback.len() == 2));
    }

    #[test]
    fn isolation_uses_the_network_group_and_is_reversible_only_with_known_groups() {
        let d = drafts(&two(), isolate);
        assert_eq!(
            d[0].commands,
            [
                "aws ec2 modify-instance-attribute --region eu-west-1 --instance-id i-m \
              --groups \"$QSG_1\""
            ]
        );
        assert_eq!(
            d[0].rollback,
            [
                "aws ec2 modify-instance-attribute --region eu-west-1 --instance-id i-m \
              --groups sg-1 sg-2"
            ]
        );
        assert!(d[0].reversible);
        assert!(d[1].commands[0].ends_with("--groups \"$QSG_2\""));
        assert!(!d[1].reversible && d[1].rollback.is_empty());
        assert!(d.iter().all(|d| !d.destroys_evidence));
    }

    #[test]
    fn only_attacker_instances_are_stopped_then_terminated() {
        let f = two();
        let stop = drafts(&f, stop_attacker_launched);
        assert_eq!(stop.len(), 1);
        assert_eq!(stop[0].target, "ec2-instance:eu-west-1:i-m");
        assert_eq!(
            stop[0].commands,
            ["aws ec2 stop-instances --region eu-west-1 --instance-ids i-m"]
        );
        assert!(stop[0].reversible && stop[0].destroys_evidence);
        let end = drafts(&f, terminate_attacker_launched);
        assert_eq!(end.len(), 1);
        assert!(!end[0].reversible && end[0].destroys_evidence && end[0].rollback.is_empty());
        assert!(end[0].commands[0].starts_with("aws ec2 wait snapshot-completed "));
        assert!(end[0].commands[1].ends_with("--no-disable-api-termination"));
        assert_eq!(
            end[0].commands[2],
            "aws ec2 terminate-instances --region eu-west-1 --instance-ids i-m"
        );
    }
}
