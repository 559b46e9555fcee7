//! The attacker's resources across all regions — instances, spot requests, security-group
//! openings, key pairs, snapshot and AMI shares, Lambda functions — with their later changes,
//! whether each exists at the end of the logs, and the instance runs the cost is computed from.

use std::collections::BTreeMap;

use cloudcase_contain as contain;
use cloudcase_pricing::InstanceRun;
use serde_json::{json, Value};

use super::json::{actor, cand_ref, reference, strings_at, sv, time};
use super::Ctx;
use crate::scan::{Cand, Ptr};

/// Resource events itemised here (others by the attacker go to `other_attacker_changes`).
const ITEMISED: &[&str] = &[
    "RunInstances",
    "RequestSpotInstances",
    "RequestSpotFleet",
    "CreateFleet",
    "AuthorizeSecurityGroupIngress",
    "ImportKeyPair",
    "CreateKeyPair",
    "ModifySnapshotAttribute",
    "ModifyImageAttribute",
];

/// Whether an event name is itemised by this section.
pub(crate) fn handles(name: &str) -> bool {
    ITEMISED.contains(&name) || name.starts_with("CreateFunction")
}

/// One attacker instance as launched, with later state changes.
#[derive(Debug)]
pub(crate) struct InstanceRec {
    /// Instance id.
    pub id: String,
    region: String,
    itype: String,
    image: Option<String>,
    key_name: Option<String>,
    /// Security groups at launch.
    pub groups: Vec<String>,
    launch: Ptr,
    /// (ms, event name, attribution, ptr) of later state changes.
    changes: Vec<(i64, String, &'static str, Ptr)>,
}

impl InstanceRec {
    /// Its region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Whether it was terminated in the logs.
    pub fn terminated(&self) -> bool {
        self.changes.iter().any(|c| c.1 == "TerminateInstances")
    }
}

/// The attacker's resources, as collected.
#[derive(Debug, Default)]
pub(crate) struct Resources {
    /// Instances by id.
    pub instances: BTreeMap<String, InstanceRec>,
    /// Spot requests and fleets.
    spot: Vec<Value>,
    /// Security-group openings, in time order.
    sg_openings: Vec<Value>,
    /// Rules opened per (group, region), for containment.
    pub sg_rules: BTreeMap<(String, String), Vec<contain::IngressRule>>,
    /// Key pairs by (name, region).
    pub key_pairs: BTreeMap<(String, String), Value>,
    /// Snapshot and AMI shares.
    pub shares: Vec<Value>,
    /// The same shares, for containment.
    pub share_findings: Vec<contain::SharedImage>,
    /// Lambda functions by (name, region).
    pub lambdas: BTreeMap<(String, String), Value>,
}

/// The value of the first of `keys` present in the instance item, else at `fallback` in the
/// request.
fn item_or_req(item: &Value, key: &str, req: &Value, fallback: &str) -> Option<String> {
    item.get(key)
        .and_then(Value::as_str)
        .or(sv(req, fallback))
        .map(str::to_owned)
}

/// Ingress rules of an `AuthorizeSecurityGroupIngress` request.
fn ingress_rules(req: &Value) -> Vec<contain::IngressRule> {
    let mut rules = Vec::new();
    let perms = req
        .pointer("/ipPermissions/items")
        .and_then(Value::as_array);
    for p in perms.into_iter().flatten() {
        let proto = p.get("ipProtocol").and_then(Value::as_str).unwrap_or("-1");
        let port = |k: &str| p.get(k).and_then(Value::as_i64).map(|x| x as i32);
        for (path, k) in [
            ("/ipRanges/items", "cidrIp"),
            ("/ipv6Ranges/items", "cidrIpv6"),
        ] {
            for cidr in strings_at(p, path, k) {
                rules.push(contain::IngressRule {
                    protocol: proto.to_owned(),
                    from_port: port("fromPort"),
                    to_port: port("toPort"),
                    cidr,
                });
            }
        }
    }
    rules
}

impl Resources {
    /// Collects the resources from the attacker's successful events.
    pub fn collect(ctx: &Ctx<'_>) -> Resources {
        let mut res = Resources::default();
        for c in ctx.attacker_events() {
            res.add(c);
        }
        res
    }

    fn add(&mut self, c: &Cand) {
        let (req, resp) = (c.req_json(), c.resp_json());
        let at = time(c.ptr.ms);
        let region = c.region.to_string();
        match &*c.name {
            "RunInstances" => self.add_launch(c, &req, &resp),
            "RequestSpotInstances" | "RequestSpotFleet" | "CreateFleet" => {
                self.add_spot(c, &req, &resp)
            }
            "AuthorizeSecurityGroupIngress" => {
                let gid = sv(&req, "/groupId").unwrap_or("").to_owned();
                let rules = ingress_rules(&req);
                self.sg_openings.push(json!({"kind": "security_group_ingress", "group_id": gid, "region": region, "time": at, "by": actor(c), "rules": rules, "refs": cand_ref(c)}));
                self.sg_rules
                    .entry((gid, region))
                    .or_default()
                    .extend(rules);
            }
            "ImportKeyPair" | "CreateKeyPair" => {
                let name = sv(&req, "/keyName").unwrap_or("").to_owned();
                self.key_pairs.insert((name.clone(), region.clone()), json!({"kind": "key_pair", "name": name, "region": region, "event": &*c.name, "time": at, "deleted": Value::Null, "refs": cand_ref(c)}));
            }
            "ModifySnapshotAttribute" | "ModifyImageAttribute" => self.add_share(c, &req),
            n if n.starts_with("CreateFunction") => {
                let name = sv(&req, "/functionName").unwrap_or("").to_owned();
                self.lambdas.insert((name.clone(), region.clone()), json!({"kind": "lambda_function", "name": name, "region": region, "time": at, "by": actor(c), "deleted": Value::Null, "refs": cand_ref(c)}));
            }
            _ => {}
        }
    }

    fn add_launch(&mut self, c: &Cand, req: &Value, resp: &Value) {
        let items = resp
            .pointer("/instancesSet/items")
            .and_then(Value::as_array);
        for it in items.into_iter().flatten() {
            let Some(id) = it.get("instanceId").and_then(Value::as_str) else {
                continue;
            };
            let mut groups = strings_at(it, "/groupSet/items", "groupId");
            if groups.is_empty() {
                groups = strings_at(req, "/groupSet/items", "groupId");
            }
            self.instances.insert(
                id.to_owned(),
                InstanceRec {
                    id: id.to_owned(),
                    region: c.region.to_string(),
                    itype: item_or_req(it, "instanceType", req, "/instanceType")
                        .unwrap_or_default(),
                    image: item_or_req(it, "imageId", req, "/instancesSet/items/0/imageId"),
                    key_name: item_or_req(it, "keyName", req, "/instancesSet/items/0/keyName"),
                    groups,
                    launch: c.ptr.clone(),
                    changes: Vec::new(),
                },
            );
        }
    }

    /// Spot requests and fleets: what was asked for. EC2 launches their instances itself, so
    /// their hours are in the cost only when a launch by the attacker names them.
    fn add_spot(&mut self, c: &Cand, req: &Value, resp: &Value) {
        let ids: Vec<String> = [
            ("/spotInstanceRequestSet/items", "spotInstanceRequestId"),
            ("/spotFleetRequestId", ""),
            ("/CreateFleetResponse", "fleetId"),
        ]
        .iter()
        .flat_map(|(path, field)| match resp.pointer(path) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Object(o)) => o
                .get(*field)
                .and_then(Value::as_str)
                .map(|s| vec![s.to_owned()])
                .unwrap_or_default(),
            Some(Value::Array(_)) => strings_at(resp, path, field),
            _ => Vec::new(),
        })
        .collect();
        let itype = [
            "/launchSpecification/instanceType",
            "/instanceType",
            "/spotFleetRequestConfig/launchSpecifications/items/0/instanceType",
        ]
        .iter()
        .find_map(|p| sv(req, p));
        let count = req
            .get("instanceCount")
            .and_then(Value::as_i64)
            .or_else(|| {
                req.pointer("/spotFleetRequestConfig/targetCapacity")
                    .and_then(Value::as_i64)
            })
            .or_else(|| {
                req.pointer("/targetCapacitySpecification/totalTargetCapacity")
                    .and_then(Value::as_i64)
            });
        self.spot.push(json!({
            "kind": "spot_request", "event": &*c.name, "request_ids": ids, "region": &*c.region,
            "instance_type": itype, "count": count, "spot_price": sv(req, "/spotPrice"),
            "time": time(c.ptr.ms), "by": actor(c), "cancelled": Value::Null, "refs": cand_ref(c),
        }));
    }

    fn add_share(&mut self, c: &Cand, req: &Value) {
        let snapshot = &*c.name == "ModifySnapshotAttribute";
        let (kind, idp, attr) = if snapshot {
            (
                contain::ImageKind::Snapshot,
                "/snapshotId",
                "/createVolumePermission/add/items",
            )
        } else {
            (
                contain::ImageKind::Ami,
                "/imageId",
                "/launchPermission/add/items",
            )
        };
        let mut with = strings_at(req, attr, "userId");
        with.extend(strings_at(req, attr, "group"));
        let id = sv(req, idp).unwrap_or("").to_owned();
        if with.is_empty() {
            return;
        }
        let kind_name = if snapshot {
            "snapshot_share"
        } else {
            "ami_share"
        };
        self.shares.push(json!({"kind": kind_name, "id": id, "region": &*c.region, "shared_with": with, "time": time(c.ptr.ms), "by": actor(c), "refs": cand_ref(c)}));
        self.share_findings.push(contain::SharedImage {
            kind,
            id,
            region: c.region.to_string(),
            shared_with: with,
        });
    }

    /// Records a later change to an attacker resource (by anyone).
    pub fn apply_lifecycle(&mut self, c: &Cand, attribution: &'static str) {
        let req = c.req_json();
        let region = c.region.to_string();
        let deleted = || json!({"time": time(c.ptr.ms), "refs": cand_ref(c)});
        match &*c.name {
            "TerminateInstances" | "StopInstances" | "StartInstances" => {
                for id in strings_at(&req, "/instancesSet/items", "instanceId") {
                    if let Some(i) = self.instances.get_mut(&id) {
                        i.changes
                            .push((c.ptr.ms, c.name.to_string(), attribution, c.ptr.clone()));
                    }
                }
            }
            "DeleteKeyPair" => {
                let name = sv(&req, "/keyName").unwrap_or("").to_owned();
                if let Some(k) = self.key_pairs.get_mut(&(name, region)) {
                    k["deleted"] = deleted();
                }
            }
            "CancelSpotInstanceRequests" | "CancelSpotFleetRequests" | "DeleteFleets" => {
                let text = &c.req;
                for s in &mut self.spot {
                    let named = s["request_ids"].as_array().is_some_and(|ids| {
                        ids.iter()
                            .filter_map(Value::as_str)
                            .any(|id| text.contains(&format!("\"{id}\"")))
                    });
                    if named && s["cancelled"].is_null() {
                        s["cancelled"] = deleted();
                    }
                }
            }
            n if n.starts_with("DeleteFunction") => {
                let name = sv(&req, "/functionName").unwrap_or("").to_owned();
                if let Some(k) = self.lambdas.get_mut(&(name, region)) {
                    k["deleted"] = deleted();
                }
            }
            _ => {}
        }
    }

    /// Names of every attacker resource (for attributing later changes that name them).
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.instances.keys().cloned().collect();
        v.extend(self.sg_rules.keys().map(|(g, _)| g.clone()));
        v.extend(self.key_pairs.keys().map(|(k, _)| k.clone()));
        v
    }

    /// The instance runs (launch or start to stop, terminate or the end of the logs) and the
    /// resource list of the document.
    pub fn finish(&mut self) -> (Vec<InstanceRun>, Vec<Value>) {
        let mut runs = Vec::new();
        let mut out = Vec::new();
        for i in self.instances.values_mut() {
            i.changes.sort_by_key(|c| c.3.key());
            out.push(instance_json(i, &mut runs));
        }
        out.append(&mut self.spot);
        out.append(&mut self.sg_openings);
        out.extend(self.key_pairs.values().cloned());
        out.extend(self.shares.iter().cloned());
        out.extend(self.lambdas.values().cloned());
        (runs, out)
    }
}

/// One instance's document entry; pushes its runs.
fn instance_json(i: &InstanceRec, runs: &mut Vec<InstanceRun>) -> Value {
    let mut start = Some(i.launch.ms);
    let (mut terminated, mut stopped) = (None, None);
    let run = |start: i64, end: Option<i64>| InstanceRun {
        instance_id: i.id.clone(),
        region: i.region.clone(),
        instance_type: i.itype.clone(),
        start,
        end,
    };
    let mut state_changes = Vec::new();
    for (ms, name, who, p) in &i.changes {
        state_changes
            .push(json!({"event": name, "time": time(*ms), "by": who, "refs": [reference(p)]}));
        if matches!(name.as_str(), "StopInstances" | "TerminateInstances") {
            if let Some(s) = start.take() {
                runs.push(run(s, Some(*ms)));
            }
            if name == "TerminateInstances" {
                terminated.get_or_insert(*ms);
            } else {
                stopped = Some(*ms);
            }
        } else if start.is_none() && terminated.is_none() {
            start = Some(*ms);
            stopped = None;
        }
    }
    if let (Some(s), None) = (start, terminated) {
        runs.push(run(s, None));
    }
    json!({
        "kind": "instance", "instance_id": i.id, "region": i.region, "instance_type": i.itype,
        "image_id": i.image, "key_name": i.key_name, "security_groups": i.groups,
        "launched": time(i.launch.ms), "stopped": stopped.map(time), "terminated": terminated.map(time),
        "exists_at_end_of_logs": terminated.is_none(),
        "state_changes": state_changes,
        "refs": [reference(&i.launch)],
    })
}
