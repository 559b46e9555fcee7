//! EBS snapshots and AMIs shared outside the account: who they are shared with is saved, then
//! the sharing removed. Snapshots and AMIs differ only in their EC2 vocabulary, one table row each.

use super::cli::{ev, json_arg, stem};
use super::context::Context;
use super::step::Draft;
use crate::shell::{quote, Cmd};
use cloudcase_model::contain::{ImageKind, SharedImage};

/// Who an image is shared with, from [`SharedImage::shared_with`].
#[derive(Debug)]
struct Sharing<'a> {
    /// Account ids.
    accounts: Vec<&'a String>,
    /// How many times `all` (public) is listed.
    public: usize,
}

/// The EC2 vocabulary of one kind of shared image.
#[derive(Debug)]
struct ImageApi {
    /// Target prefix and name in the plan's text (`ebs-snapshot`).
    name: &'static str,
    /// Describe operation (`describe-snapshots`).
    describe: &'static str,
    /// Its id-list flag (`--snapshot-ids`).
    ids_flag: &'static str,
    /// Describe-attribute operation (`describe-snapshot-attribute`).
    describe_attribute: &'static str,
    /// Its id flag (`--snapshot-id`).
    id_flag: &'static str,
    /// The attribute holding the sharing (`createVolumePermission`).
    permission: &'static str,
    /// The operation word that removes sharing (`remove`).
    remove_op: &'static str,
    /// The operation word that adds it back (`add`).
    add_op: &'static str,
    /// The command changing the sharing with one operation word.
    modify: fn(&SharedImage, &Sharing<'_>, &str) -> String,
}

/// EBS snapshots: `createVolumePermission`, changed with user ids and a group.
const SNAPSHOT: ImageApi = ImageApi {
    name: "ebs-snapshot",
    describe: "describe-snapshots",
    ids_flag: "--snapshot-ids",
    describe_attribute: "describe-snapshot-attribute",
    id_flag: "--snapshot-id",
    permission: "createVolumePermission",
    remove_op: "remove",
    add_op: "add",
    modify: modify_snapshot_sharing,
};

/// AMIs: `launchPermission`, changed with a JSON list.
const AMI: ImageApi = ImageApi {
    name: "ami",
    describe: "describe-images",
    ids_flag: "--image-ids",
    describe_attribute: "describe-image-attribute",
    id_flag: "--image-id",
    permission: "launchPermission",
    remove_op: "Remove",
    add_op: "Add",
    modify: modify_launch_permission,
};

/// The vocabulary of `kind`.
fn api(kind: ImageKind) -> &'static ImageApi {
    match kind {
        ImageKind::Snapshot => &SNAPSHOT,
        ImageKind::Ami => &AMI,
    }
}

/// `modify-snapshot-attribute` with operation `op` (`remove`, `add`).
fn modify_snapshot_sharing(s: &SharedImage, sharing: &Sharing<'_>, op: &str) -> String {
    let mut c = Cmd::aws("ec2", "modify-snapshot-attribute")
        .arg("--region", &s.region)
        .arg("--snapshot-id", &s.id)
        .arg("--attribute", "createVolumePermission")
        .arg("--operation-type", op);
    if !sharing.accounts.is_empty() {
        c = c.args("--user-ids", &sharing.accounts);
    }
    if sharing.public > 0 {
        c = c.arg("--group-names", "all");
    }
    c.done()
}

/// `modify-image-attribute` with a `--launch-permission` of operation `op` (`Remove`, `Add`).
fn modify_launch_permission(s: &SharedImage, sharing: &Sharing<'_>, op: &str) -> String {
    let list: Vec<serde_json::Value> = sharing
        .accounts
        .iter()
        .map(|u| serde_json::json!({"UserId": u}))
        .chain((0..sharing.public).map(|_| serde_json::json!({"Group": "all"})))
        .collect();
    Cmd::aws("ec2", "modify-image-attribute")
        .arg("--region", &s.region)
        .arg("--image-id", &s.id)
        .arg(
            "--launch-permission",
            &json_arg(&serde_json::json!({ op: list })),
        )
        .done()
}

/// The step target of image `s`.
fn target(s: &SharedImage) -> String {
    format!("{}:{}:{}", api(s.kind).name, s.region, s.id)
}

/// Preserve: each image described, with the attribute recording who it is shared with.
pub(super) fn preserve(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .shared_images
        .iter()
        .enumerate()
        .map(|(n, s)| {
            let api = api(s.kind);
            let base = stem("shared", n, &[&s.region, &s.id]);
            Draft {
                target: target(s),
                action: format!(
                    "Describe {} {} and who it is shared with",
                    api.name,
                    quote(&s.id)
                ),
                why: "Records which accounts were given access, before the sharing is removed."
                    .into(),
                reversible: true,
                destroys_evidence: false,
                commands: vec![
                    Cmd::aws("ec2", api.describe)
                        .arg("--region", &s.region)
                        .arg(api.ids_flag, &s.id)
                        .raw(&ev(&format!("{base}.json")))
                        .done(),
                    Cmd::aws("ec2", api.describe_attribute)
                        .arg("--region", &s.region)
                        .arg(api.id_flag, &s.id)
                        .arg("--attribute", api.permission)
                        .raw(&ev(&format!("{base}.permissions.json")))
                        .done(),
                ],
                rollback: vec![],
            }
        })
        .collect()
}

/// Isolate: the sharing of each image shared with anyone removed; adding it back is the rollback.
pub(super) fn unshare(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .shared_images
        .iter()
        .filter(|s| !s.shared_with.is_empty())
        .map(|s| {
            let api = api(s.kind);
            let (public, accounts): (Vec<&String>, Vec<&String>) =
                s.shared_with.iter().partition(|a| a.as_str() == "all");
            let sharing = Sharing {
                accounts,
                public: public.len(),
            };
            Draft {
                target: target(s),
                action: format!(
                    "Stop sharing {} {} with {}",
                    api.name,
                    quote(&s.id),
                    s.shared_with
                        .iter()
                        .map(|a| quote(a))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                why: "Other accounts can no longer create volumes or launch instances from it. \
                      Copies they already made are theirs and are not affected."
                    .into(),
                reversible: true,
                destroys_evidence: false,
                commands: vec![(api.modify)(s, &sharing, api.remove_op)],
                rollback: vec![(api.modify)(s, &sharing, api.add_op)],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::{drafts, findings, shared};
    use cloudcase_model::contain::Findings;

    /// A snapshot shared with an account and the public, an AMI shared with an account, an AMI
    /// shared with nobody.
    fn images() -> Findings {
        let mut f = findings();
        f.shared_images = vec![
            shared(ImageKind::Snapshot, "snap-1", &["111111111111", "all"]),
            shared(ImageKind::Ami, "ami-1", &["111111111111"]),
            shared(ImageKind::Ami, "ami-2", &[]),
        ];
        f
    }

    #[test]
    fn each_kind_is_described_with_its_own_vocabulary() {
        let d = drafts(&images(), preserve);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].target, "ebs-snapshot:us-east-1:snap-1");
        assert_eq!(d[1].target, "ami:us-east-1:ami-1");
        assert!(d[0].commands[0]
            .starts_with("aws ec2 describe-snapshots --region us-east-1 --snapshot-ids snap-1 "));
        assert!(
            d[0].commands[1].contains("--snapshot-id snap-1 --attribute createVolumePermission")
        );
        assert!(d[1].commands[0]
            .starts_with("aws ec2 describe-images --region us-east-1 --image-ids ami-1 "));
        assert!(d[1].commands[1].contains("--image-id ami-1 --attribute launchPermission"));
        assert!(d[2].commands[1]
            .ends_with("\"$EVIDENCE_DIR/shared-2-us-east-1-ami-2.permissions.json\""));
    }

    #[test]
    fn sharing_is_removed_and_added_back_on_rollback() {
        let d = drafts(&images(), unshare);
        assert_eq!(d.len(), 2, "an image shared with nobody needs nothing");
        assert_eq!(
            d[0].action,
            "Stop sharing ebs-snapshot snap-1 with 111111111111, all"
        );
        assert_eq!(
            d[0].commands,
            [
                "aws ec2 modify-snapshot-attribute --region us-east-1 --snapshot-id snap-1 \
              --attribute createVolumePermission --operation-type remove \
              --user-ids 111111111111 --group-names all"
            ]
        );
        assert_eq!(
            d[0].rollback,
            [d[0].commands[0].replace("type remove", "type add")]
        );
        assert!(d[1].commands[0]
            .starts_with("aws ec2 modify-image-attribute --region us-east-1 --image-id ami-1 "));
        let permission = |c: &str| {
            let arg = c.split('\'').nth(1).unwrap();
            serde_json::from_str::<serde_json::Value>(arg).unwrap()
        };
        assert_eq!(
            permission(&d[1].commands[0]),
            serde_json::json!({"Remove": [{"UserId": "111111111111"}]})
        );
        assert_eq!(
            permission(&d[1].rollback[0]),
            serde_json::json!({"Add": [{"UserId": "111111111111"}]})
        );
        assert!(d.iter().all(|d| d.reversible && !d.destroys_evidence));
    }

    #[test]
    fn a_public_ami_gets_the_all_group() {
        let s = shared(ImageKind::Ami, "ami-3", &["all"]);
        let sharing = Sharing {
            accounts: vec![],
            public: 1,
        };
        assert!(modify_launch_permission(&s, &sharing, "Remove")
            .ends_with(r#"--launch-permission '{"Remove":[{"Group":"all"}]}'"#));
    }
}
