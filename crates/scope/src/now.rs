//! Whether the attacker's identities and resources exist now, and what each identity can do
//! now: matched against the newest inventory snapshots of the case (`cloudcase acquire aws:iam`,
//! `aws:ec2`). Without a snapshot, existence is only known as of the end of the logs, and the
//! document says so under `unknowns`.

use cloudcase_inventory::{Ec2Inventory, IamInventory, Kind, Snapshot};
use serde_json::{json, Value};

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

fn str_of<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key].as_str().unwrap_or("")
}

/// `exists_now` of one EC2 resource entry of the document, or `None` when the snapshot cannot say.
fn ec2_now(item: &Value, ec2: &Ec2Inventory) -> Option<Value> {
    let region = str_of(item, "region");
    let state = match str_of(item, "kind") {
        "instance" => {
            let id = str_of(item, "instance_id");
            let found = ec2.instances.iter().find(|i| i.id == id);
            let state = found.and_then(|i| i.state.clone());
            let exists = found.is_some() && state.as_deref() != Some("terminated");
            json!({"exists": exists, "state": state})
        }
        "key_pair" => {
            let name = str_of(item, "name");
            let exists = ec2
                .key_pairs
                .iter()
                .any(|k| k.name == name && k.region == region);
            json!({"exists": exists})
        }
        "security_group_ingress" => {
            let id = str_of(item, "group_id");
            let group = ec2.security_groups.iter().find(|g| g.id == id);
            let still_open: Vec<&Value> = item["rules"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| {
                    group.is_some_and(|g| {
                        g.ingress.iter().any(|i| {
                            i.cidrs.iter().any(|c| c == str_of(r, "cidr"))
                                && i.from_port.map(i64::from) == r["from_port"].as_i64()
                                && i.to_port.map(i64::from) == r["to_port"].as_i64()
                        })
                    })
                })
                .collect();
            json!({"exists": group.is_some(), "rules_still_open": still_open})
        }
        "spot_request" => {
            let ids: Vec<&str> = item["request_ids"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let found: Vec<Value> = ec2
                .spot_requests
                .iter()
                .filter(|s| ids.contains(&s.id.as_str()))
                .map(|s| json!({"id": s.id, "state": s.state, "instance_id": s.instance_id}))
                .collect();
            json!({"exists": !found.is_empty(), "requests": found})
        }
        "snapshot_share" | "ami_share" => {
            let id = str_of(item, "id");
            let perms = if str_of(item, "kind") == "snapshot_share" {
                ec2.snapshots
                    .iter()
                    .find(|s| s.id == id)
                    .map(|s| &s.create_volume_permissions)
            } else {
                ec2.images
                    .iter()
                    .find(|s| s.id == id)
                    .map(|s| &s.launch_permissions)
            };
            let still: Vec<&String> = perms
                .into_iter()
                .flatten()
                .filter(|p| {
                    item["shared_with"]
                        .as_array()
                        .is_some_and(|w| w.iter().any(|x| x == p.as_str()))
                })
                .collect();
            json!({"exists": perms.is_some(), "still_shared_with": still})
        }
        _ => return None,
    };
    Some(state)
}

/// `now` of a user, role or key entry.
fn iam_now(kind: &str, item: &Value, iam: &IamInventory) -> Value {
    match kind {
        "user" => match iam.users.iter().find(|u| u.name == str_of(item, "name")) {
            Some(u) => json!({"exists": true, "login_profile": u.login_profile.is_some(),
                "access_keys": u.access_keys.iter().map(|k| json!({"id": k.id, "status": k.status, "last_used": k.last_used})).collect::<Vec<_>>(),
                "groups": u.groups, "attached_policies": u.attached_policies,
                "inline_policies": u.inline_policies.keys().collect::<Vec<_>>(), "mfa_devices": u.mfa_devices.len()}),
            None => json!({"exists": false}),
        },
        "role" => match iam.roles.iter().find(|r| r.name == str_of(item, "name")) {
            Some(r) => json!({"exists": true, "trust_policy": r.trust_policy,
                "attached_policies": r.attached_policies, "inline_policies": r.inline_policies.keys().collect::<Vec<_>>()}),
            None => json!({"exists": false}),
        },
        _ => {
            let id = str_of(item, "access_key");
            let found = iam
                .users
                .iter()
                .find_map(|u| u.access_keys.iter().find(|k| k.id == id).map(|k| (u, k)));
            match found {
                Some((u, k)) => {
                    json!({"exists": true, "user": u.name, "status": k.status, "last_used": k.last_used, "last_used_service": k.last_used_service})
                }
                None => json!({"exists": false}),
            }
        }
    }
}

/// Adds `exists_now` to resources and `now` to identities from the newest snapshots; records
/// what they cannot say under `unknowns`, and the snapshots used under `coverage.inventory`.
pub fn annotate(doc: &mut Value, snapshots: &[Snapshot]) {
    let ec2 = newest(snapshots, Kind::Ec2);
    let iam = newest(snapshots, Kind::Iam);
    let mut unknowns = Vec::new();
    if let Some(resources) = doc["resources"].as_array_mut() {
        for item in resources {
            let region = str_of(item, "region").to_owned();
            let now = ec2.and_then(|s| {
                let inv = s.ec2.as_ref().filter(|_| covers(s, &region))?;
                let mut v = ec2_now(item, inv)?;
                v["snapshot_taken"] = json!(s.taken);
                Some(v)
            });
            item["exists_now"] = now.unwrap_or(Value::Null);
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
        unknowns.push(json!({"question": "whether the attacker's EC2 resources still exist now", "why": why, "would_resolve": "cloudcase acquire --case DIR aws:ec2 (every region), then scope again"}));
    }
    match iam.and_then(|s| s.iam.as_ref().map(|i| (s, i))) {
        Some((s, inv)) => {
            for (list, kind) in [("users", "user"), ("roles", "role"), ("access_keys", "key")] {
                if let Some(items) = doc["identities"][list].as_array_mut() {
                    for item in items {
                        let mut now = iam_now(kind, item, inv);
                        now["snapshot_taken"] = json!(s.taken);
                        item["now"] = now;
                    }
                }
            }
            let subject = json!({"access_key": doc["subject"]["value"]});
            doc["identities"]["compromised"]["now"] = iam_now("key", &subject, inv);
        }
        None => unknowns.push(json!({"question": "whether the attacker's identities still exist now, and what they can do now", "why": "no aws:iam inventory snapshot in the case", "would_resolve": "cloudcase acquire --case DIR aws:iam, then scope again"})),
    }
    doc["coverage"]["inventory"] = json!(snapshots
        .iter()
        .map(|s| json!({"kind": s.kind.as_str(), "taken": s.taken, "account": s.account, "regions": s.regions, "failed_calls": s.errors.len()}))
        .collect::<Vec<_>>());
    if let Some(u) = doc["unknowns"].as_array_mut() {
        u.extend(unknowns);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let mut doc = json!({
            "subject": {"value": "AKIAOLD"},
            "resources": [
                {"kind": "instance", "instance_id": "i-live", "region": "ap-south-1"},
                {"kind": "instance", "instance_id": "i-gone", "region": "ap-south-1"},
                {"kind": "instance", "instance_id": "i-elsewhere", "region": "eu-north-1"},
            ],
            "identities": {"users": [{"name": "backup-admin"}, {"name": "deleted-user"}], "roles": [], "access_keys": [], "compromised": {}},
            "coverage": {}, "unknowns": [],
        });
        annotate(&mut doc, &[ec2, iam]);
        let r = &doc["resources"];
        assert_eq!(r[0]["exists_now"]["exists"], true);
        assert_eq!(r[0]["exists_now"]["state"], "running");
        assert_eq!(r[1]["exists_now"]["exists"], false);
        // A region the snapshot did not cover cannot be answered.
        assert!(r[2]["exists_now"].is_null());
        let users = &doc["identities"]["users"];
        assert_eq!(users[0]["now"]["exists"], true);
        assert_eq!(
            users[0]["now"]["attached_policies"][0],
            "arn:aws:iam::aws:policy/AdministratorAccess"
        );
        assert_eq!(users[1]["now"]["exists"], false);
        assert_eq!(doc["unknowns"].as_array().map(Vec::len), Some(0));
        assert_eq!(
            doc["coverage"]["inventory"].as_array().map(Vec::len),
            Some(2)
        );
    }

    #[test]
    fn without_snapshots_existence_now_is_unknown() {
        let mut doc = json!({"resources": [{"kind": "instance", "instance_id": "i-1", "region": "us-east-1"}],
            "identities": {"users": []}, "coverage": {}, "unknowns": []});
        annotate(&mut doc, &[]);
        assert!(doc["resources"][0]["exists_now"].is_null());
        assert_eq!(doc["unknowns"].as_array().map(Vec::len), Some(2));
    }
}
