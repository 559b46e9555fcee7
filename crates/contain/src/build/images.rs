//! EBS snapshots and AMIs shared outside the account: who they are shared with is saved, then
//! the sharing removed. Snapshots and AMIs differ only in their EC2 vocabulary, one table row each.

use super::cli::{ev, json_arg, stem};
use super::context::Context;
use super::step::Draft;
use crate::model::{ImageKind, SharedImage};
use crate::shell::{quote, Cmd};

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
