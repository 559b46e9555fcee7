//! EBS snapshots of an instance's volumes, the disk evidence: tagged with the case and the
//! instance so that the eradicate phase can wait for exactly them.

use super::cli::{ev, json_arg};
use crate::model::Instance;
use crate::shell::Cmd;

/// Tag naming the instance a snapshot was taken from.
const INSTANCE_TAG: &str = "cloudcase:instance";

/// The `--tag-specifications` argument: the case tag, then `extra` tags.
fn tags(case: &str, extra: &[(&str, &str)]) -> String {
    let mut t = vec![serde_json::json!({"Key": "cloudcase:case", "Value": case})];
    t.extend(
        extra
            .iter()
            .map(|(k, v)| serde_json::json!({"Key": k, "Value": v})),
    );
    json_arg(&serde_json::json!([{"ResourceType": "snapshot", "Tags": t}]))
}

/// Commands snapshotting instance `i` into `<base>.snapshots.json`: every listed volume, or all
/// the instance's volumes at once (`create-snapshots`) when the findings list none.
pub(super) fn take(case: &str, i: &Instance, base: &str) -> Vec<String> {
    if i.volumes.is_empty() {
        return vec![Cmd::aws("ec2", "create-snapshots")
            .arg("--region", &i.region)
            .arg("--instance-specification", &format!("InstanceId={}", i.id))
            .arg(
                "--description",
                &format!("cloudcase {case} evidence: {}", i.id),
            )
            .arg(
                "--tag-specifications",
                &tags(case, &[(INSTANCE_TAG, &i.id)]),
            )
            .flag("--copy-tags-from-source volume")
            .raw(&ev(&format!("{base}.snapshots.json")))
            .done()];
    }
    i.volumes
        .iter()
        .map(|v| {
            Cmd::aws("ec2", "create-snapshot")
                .arg("--region", &i.region)
                .arg("--volume-id", v)
                .arg(
                    "--description",
                    &format!("cloudcase {case} evidence: {} {v}", i.id),
                )
                .arg(
                    "--tag-specifications",
                    &tags(case, &[(INSTANCE_TAG, &i.id), ("cloudcase:volume", v)]),
                )
                .raw(&format!(
                    "--output json >> \"$EVIDENCE_DIR/{base}.snapshots.json\""
                ))
                .done()
        })
        .collect()
}

/// A command waiting until every snapshot taken from instance `i` is completed.
pub(super) fn wait_completed(i: &Instance) -> String {
    Cmd::aws("ec2", "wait")
        .raw("snapshot-completed")
        .arg("--region", &i.region)
        .arg(
            "--filters",
            &format!("Name=tag:{INSTANCE_TAG},Values={}", i.id),
        )
        .done()
}
