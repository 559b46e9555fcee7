//! Whether the attacker's identities and resources exist now, and what each identity can do
//! now: matched against the newest inventory snapshots of the case (`cloudcase acquire aws:iam`,
//! `aws:ec2`). Without a snapshot, existence is only known as of the end of the logs, and the
//! document says so under `unknowns`.

use cloudcase_inventory::{Ec2Inventory, IamInventory, Kind, Snapshot};
use cloudcase_model::scope::{
    AccessKeyNow, Coverage, ExistsNow, IdentityGone, InstanceNow, InventoryUsed, KeyNowEntry, Now,
    Resource, RoleNow, ScopeResult, SectionsAttribution, SecurityGroupNow, ShareNow,
    SpotRequestNow, SpotRequestState, Unknown, UserNow,
};

/// The newest snapshot of a kind.
fn newest(snapshots: &[Snapshot], kind: Kind) -> Option<&Snapshot> {
    snapshots
        .iter()
        .filter(|s| s.kind == kind)
        .max_by(|a, b| a.taken.cmp(&b.taken))
}

/// Whether a snapshot covered a region completely (listed, and no call failed there).
fn covers(s: &Snapshot, region: &str) -> bool {
    s.regions.iter().any(|r| r == region)
        && !s.errors.iter().any(|e| e.region.as_deref() == Some(region))
}

/// Sets `exists_now` of one EC2 resource entry from the snapshot `taken` at that time.
fn set_ec2_now(item: &mut Resource, ec2: &Ec2Inventory, taken: &str) {
    let snapshot_taken = taken.to_owned();
    let is_snapshot = matches!(item, Resource::SnapshotShare(_));
    match item {
        Resource::Instance(i) => {
            let found = ec2.instances.iter().find(|x| x.id == i.instance_id);
            let state = found.and_then(|x| x.state.clone());
            i.exists_now = Some(InstanceNow {
                exists: found.is_some() && state.as_deref() != Some("terminated"),
                state,
                snapshot_taken,
            });
        }
        Resource::KeyPair(k) => {
            let exists = ec2
                .key_pairs
                .iter()
                .any(|x| x.name == k.name && x.region == k.region);
            k.exists_now = Some(ExistsNow {
                exists,
                snapshot_taken,
            });
        }
        Resource::SecurityGroupIngress(g) => {
            let group = ec2.security_groups.iter().find(|x| x.id == g.group_id);
            let rules_still_open = g
                .rules
                .iter()
                .filter(|r| {
                    group.is_some_and(|x| {
                        x.ingress.iter().any(|i| {
                            i.cidrs.contains(&r.cidr)
                                && i.from_port == r.from_port
                                && i.to_port == r.to_port
                        })
                    })
                })
                .cloned()
                .collect();
            g.exists_now = Some(SecurityGroupNow {
                exists: group.is_some(),
                rules_still_open,
                snapshot_taken,
            });
        }
        Resource::SpotRequest(s) => {
            let requests: Vec<SpotRequestState> = ec2
                .spot_requests
                .iter()
                .filter(|x| s.request_ids.contains(&x.id))
                .map(|x| SpotRequestState {
                    id: x.id.clone(),
                    state: x.state.clone(),
                    instance_id: x.instance_id.clone(),
                })
                .collect();
            s.exists_now = Some(SpotRequestNow {
                exists: !requests.is_empty(),
                requests,
                snapshot_taken,
            });
        }
        Resource::SnapshotShare(share) | Resource::AmiShare(share) => {
            let perms = if is_snapshot {
                ec2.snapshots
                    .iter()
                    .find(|x| x.id == share.id)
                    .map(|x| &x.create_volume_permissions)
            } else {
                ec2.images
                    .iter()
                    .find(|x| x.id == share.id)
                    .map(|x| &x.launch_permissions)
            };
            let still_shared_with = perms
                .into_iter()
                .flatten()
                .filter(|p| share.shared_with.contains(p))
                .cloned()
                .collect();
            share.exists_now = Some(ShareNow {
                exists: perms.is_some(),
                still_shared_with,
                snapshot_taken,
            });
        }
        Resource::LambdaFunction(_) => {}
    }
}

/// A user as of the snapshot.
fn user_now(name: &str, iam: &IamInventory, taken: Option<String>) -> Now<UserNow> {
    match iam.users.iter().find(|u| u.name == name) {
        Some(u) => Now::Found(UserNow {
            exists: true,
            login_profile: u.login_profile.is_some(),
            access_keys: u
                .access_keys
                .iter()
                .map(|k| KeyNowEntry {
                    id: k.id.clone(),
                    status: k.status.clone(),
                    last_used: k.last_used.clone(),
                })
                .collect(),
            groups: u.groups.clone(),
            attached_policies: u.attached_policies.clone(),
            inline_policies: u.inline_policies.keys().cloned().collect(),
            mfa_devices: u.mfa_devices.len() as u64,
            snapshot_taken: taken,
        }),
        None => gone(taken),
    }
}

/// A role as of the snapshot.
fn role_now(name: &str, iam: &IamInventory, taken: Option<String>) -> Now<RoleNow> {
    match iam.roles.iter().find(|r| r.name == name) {
        Some(r) => Now::Found(RoleNow {
            exists: true,
            trust_policy: r.trust_policy.clone(),
            attached_policies: r.attached_policies.clone(),
            inline_policies: r.inline_policies.keys().cloned().collect(),
            snapshot_taken: taken,
        }),
        None => gone(taken),
    }
}

/// An access key as of the snapshot.
fn key_now(id: &str, iam: &IamInventory, taken: Option<String>) -> Now<AccessKeyNow> {
    let found = iam
        .users
        .iter()
        .find_map(|u| u.access_keys.iter().find(|k| k.id == id).map(|k| (u, k)));
    match found {
        Some((u, k)) => Now::Found(AccessKeyNow {
            exists: true,
            user: u.name.clone(),
            status: k.status.clone(),
            last_used: k.last_used.clone(),
            last_used_service: k.last_used_service.clone(),
            snapshot_taken: taken,
        }),
        None => gone(taken),
    }
}

fn gone<T>(taken: Option<String>) -> Now<T> {
    Now::Gone(IdentityGone {
        exists: false,
        snapshot_taken: taken,
    })
}

/// Sets `now` on every attacker identity and the compromised key.
fn set_iam_now(doc: &mut ScopeResult, inv: &IamInventory, taken: &str) {
    let taken = || Some(taken.to_owned());
    let ids = &mut doc.identities;
    for u in &mut ids.users {
        u.now = Some(user_now(&u.name, inv, taken()));
    }
    for r in &mut ids.roles {
        r.now = Some(role_now(&r.name, inv, taken()));
    }
    for k in &mut ids.access_keys {
        k.now = Some(key_now(&k.access_key, inv, taken()));
    }
    let subject = doc.subject.value.as_deref().unwrap_or("");
    if let Some(c) = ids.compromised.as_mut() {
        c.now = Some(key_now(subject, inv, None));
    }
}

/// Adds `exists_now` to resources and `now` to identities from the newest snapshots; records
/// what they cannot say under `unknowns`, and the snapshots used under `coverage.inventory`.
pub fn annotate(doc: &mut ScopeResult, snapshots: &[Snapshot]) {
    let ec2 = newest(snapshots, Kind::Ec2);
    let iam = newest(snapshots, Kind::Iam);
    for item in &mut doc.resources {
        let region = item.region().to_owned();
        if let Some((s, inv)) = ec2.and_then(|s| s.ec2.as_ref().map(|i| (s, i))) {
            if covers(s, &region) {
                set_ec2_now(item, inv, &s.taken);
            }
        }
    }
    let ec2_missing = match ec2 {
        None => Some("no aws:ec2 inventory snapshot in the case".to_owned()),
        Some(s) if !s.errors.is_empty() => Some(format!(
            "the aws:ec2 snapshot of {} is incomplete ({} failed call(s)) or misses regions",
            s.taken,
            s.errors.len()
        )),
        Some(_) => None,
    };
    if let Some(why) = ec2_missing {
        doc.unknowns.push(Unknown {
            about: None,
            question: format!("whether {} EC2 resources still exist now", whose(doc)),
            why,
            would_resolve: "cloudcase acquire --case DIR aws:ec2 (every region), then scope again"
                .to_owned(),
            refs: None,
        });
    }
    match iam.and_then(|s| s.iam.as_ref().map(|i| (s, i))) {
        Some((s, inv)) => set_iam_now(doc, inv, &s.taken),
        None => doc.unknowns.push(Unknown {
            about: None,
            question: format!(
                "whether {} identities still exist now, and what they can do now",
                whose(doc)
            ),
            why: "no aws:iam inventory snapshot in the case".to_owned(),
            would_resolve: "cloudcase acquire --case DIR aws:iam, then scope again".to_owned(),
            refs: None,
        }),
    }
    if let Coverage::Window(coverage) = &mut doc.coverage {
        coverage.inventory = snapshots
            .iter()
            .map(|s| InventoryUsed {
                kind: s.kind.as_str().to_owned(),
                taken: s.taken.clone(),
                account: s.account.clone(),
                regions: s.regions.clone(),
                failed_calls: s.errors.len() as u64,
            })
            .collect();
    }
}

/// Whose resources the document lists: the attacker's, or the named credential's when nothing
/// is attributed to an attacker.
fn whose(doc: &ScopeResult) -> &'static str {
    match doc.attribution {
        SectionsAttribution::Attacker => "the attacker's",
        SectionsAttribution::Unattributed => "the named credential's",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_doc::{instance, user, window_doc};
    use cloudcase_inventory::{Instance, User};

    fn snapshot(kind: Kind) -> Snapshot {
        Snapshot::new(
            kind,
            "2024-05-20T00:00:00Z".into(),
            Some("111122223333".into()),
            vec!["us-east-1".into(), "ap-south-1".into()],
        )
    }

    #[test]
    fn resources_and_identities_are_matched_against_the_newest_snapshots() {
        let mut ec2 = snapshot(Kind::Ec2);
        if let Some(inv) = ec2.ec2.as_mut() {
            inv.instances.push(Instance {
                id: "i-live".into(),
                region: "ap-south-1".into(),
                state: Some("running".into()),
                ..Instance::default()
            });
        }
        let mut iam = snapshot(Kind::Iam);
        if let Some(inv) = iam.iam.as_mut() {
            inv.users.push(User {
                name: "backup-admin".into(),
                attached_policies: vec!["arn:aws:iam::aws:policy/AdministratorAccess".into()],
                ..User::default()
            });
        }
        let mut doc = window_doc(|d| {
            d["resources"] = serde_json::json!([
                instance("i-live", "ap-south-1"),
                instance("i-gone", "ap-south-1"),
                instance("i-elsewhere", "eu-north-1"),
            ]);
            d["identities"]["users"] =
                serde_json::json!([user("backup-admin"), user("deleted-user")]);
        });
        annotate(&mut doc, &[ec2, iam]);
        let r: Vec<Option<InstanceNow>> = doc
            .resources
            .iter()
            .map(|r| match r {
                Resource::Instance(i) => i.exists_now.clone(),
                _ => None,
            })
            .collect();
        assert_eq!(r[0].as_ref().map(|n| n.exists), Some(true));
        assert_eq!(
            r[0].as_ref().and_then(|n| n.state.as_deref()),
            Some("running")
        );
        assert_eq!(r[1].as_ref().map(|n| n.exists), Some(false));
        // A region the snapshot did not cover cannot be answered.
        assert!(r[2].is_none());
        let users = &doc.identities.users;
        match &users[0].now {
            Some(Now::Found(now)) => assert_eq!(
                now.attached_policies,
                ["arn:aws:iam::aws:policy/AdministratorAccess"]
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(users[1].now, Some(Now::Gone(_))));
        assert!(doc.unknowns.is_empty());
        match &doc.coverage {
            Coverage::Window(c) => assert_eq!(c.inventory.len(), 2),
            Coverage::Span(_) => panic!("no window"),
        }
    }

    #[test]
    fn without_snapshots_existence_now_is_unknown() {
        let mut doc = window_doc(|d| {
            d["resources"] = serde_json::json!([instance("i-1", "us-east-1")]);
        });
        annotate(&mut doc, &[]);
        assert_eq!(doc.resources[0].exists_now(), None);
        assert_eq!(doc.unknowns.len(), 2);
    }
}
