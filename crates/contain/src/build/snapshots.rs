//! EBS snapshots of an instance's volumes, the disk evidence: tagged with the case and the
//! instance so that the eradicate phase can wait for exactly them.

use super::cli::{ev, json_arg};
use crate::shell::Cmd;
use cloudcase_model::contain::Instance;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::instance;
    use cloudcase_model::contain::InstanceOrigin;

    /// The tags of a `--tag-specifications` argument, as (key, value) pairs.
    fn tag_pairs(cmd: &str) -> Vec<(String, String)> {
        let after = cmd
            .split("--tag-specifications '")
            .nth(1)
            .expect("tag argument");
        let arg = after.split('\'').next().unwrap();
        let v: serde_json::Value = serde_json::from_str(arg).unwrap();
        assert_eq!(v[0]["ResourceType"], "snapshot");
        v[0]["Tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["Key"].as_str().unwrap().into(),
                    t["Value"].as_str().unwrap().into(),
                )
            })
            .collect()
    }

    #[test]
    fn without_known_volumes_all_are_snapshotted_at_once() {
        let i = instance("i-1", "eu-west-1", None, InstanceOrigin::Compromised);
        let c = take("c1", &i, "ec2-0-eu-west-1-i-1");
        assert_eq!(c.len(), 1);
        assert!(c[0].starts_with(
            "aws ec2 create-snapshots --region eu-west-1 --instance-specification InstanceId=i-1 "
        ));
        assert!(c[0].contains("--copy-tags-from-source volume"));
        assert!(
            c[0].ends_with("--output json > \"$EVIDENCE_DIR/ec2-0-eu-west-1-i-1.snapshots.json\"")
        );
        assert_eq!(
            tag_pairs(&c[0]),
            [
                ("cloudcase:case".to_string(), "c1".to_string()),
                (INSTANCE_TAG.to_string(), "i-1".to_string()),
            ]
        );
    }

    #[test]
    fn known_volumes_are_snapshotted_one_by_one_into_one_file() {
        let mut i = instance("i-1", "eu-west-1", None, InstanceOrigin::AttackerLaunched);
        i.volumes = vec!["vol-a".into(), "vol-b".into()];
        let c = take("c1", &i, "base");
        assert_eq!(c.len(), 2);
        for (c, v) in c.iter().zip(["vol-a", "vol-b"]) {
            assert!(c.starts_with(&format!(
                "aws ec2 create-snapshot --region eu-west-1 --volume-id {v} "
            )));
            assert!(c.ends_with("--output json >> \"$EVIDENCE_DIR/base.snapshots.json\""));
            assert!(tag_pairs(c).contains(&("cloudcase:volume".into(), v.into())));
        }
        assert_eq!(
            wait_completed(&i),
            "aws ec2 wait snapshot-completed --region eu-west-1 \
             --filters Name=tag:cloudcase:instance,Values=i-1"
        );
    }
}
