//! The attacker's resources across all regions — instances, spot requests, security-group
//! openings, key pairs, snapshot and AMI shares, Lambda functions — with their later changes,
//! whether each exists at the end of the logs, and the instance runs the cost is computed from.

use std::collections::BTreeMap;

use cloudcase_contain as contain;
use cloudcase_model::scope::{
    Attribution, Instance, KeyPair, LambdaFunction, Resource, SecurityGroupIngress, Share,
    SpotRequest, StateChange,
};
use cloudcase_pricing::InstanceRun;
use serde_json::Value;

use super::common::{actor, candidate_ref, reference, strings_at, sv, time};
use super::identities::occurrence;
use super::Ctx;
use crate::scan::{Candidate, Ptr};

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

/// A later state change of an attacker instance.
#[derive(Debug)]
struct InstanceChange {
    /// The event name.
    event: String,
    /// Who made it.
    by: Attribution,
    /// Its record.
    ptr: Ptr,
}

/// One attacker instance as launched, with later state changes.
#[derive(Debug)]
pub(crate) struct InstanceRec {
    /// Instance id.
    pub id: String,
    region: String,
    instance_type: String,
    image: Option<String>,
    key_name: Option<String>,
    /// Security groups at launch.
    pub groups: Vec<String>,
    launch: Ptr,
    changes: Vec<InstanceChange>,
}

impl InstanceRec {
    /// Its region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Whether it was terminated in the logs.
    pub fn terminated(&self) -> bool {
        self.changes.iter().any(|c| c.event == "TerminateInstances")
    }
}

/// A snapshot or AMI share, with which of the two it is.
#[derive(Debug, Clone)]
pub(crate) struct ShareRec {
    /// Snapshot or AMI.
    pub image: contain::ImageKind,
    /// The document entry.
    pub share: Share,
}

impl ShareRec {
    /// The resource entry.
    fn resource(&self) -> Resource {
        match self.image {
            contain::ImageKind::Snapshot => Resource::SnapshotShare(self.share.clone()),
            contain::ImageKind::Ami => Resource::AmiShare(self.share.clone()),
        }
    }
}

/// A key pair or function key: (name, region).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct NameInRegion {
    /// Name.
    pub name: String,
    /// Region.
    pub region: String,
}

/// The attacker's resources, as collected.
#[derive(Debug, Default)]
pub(crate) struct Resources {
    /// Instances by id.
    pub instances: BTreeMap<String, InstanceRec>,
    /// Spot requests and fleets.
    spot: Vec<SpotRequest>,
    /// Security-group openings, in time order.
    sg_openings: Vec<SecurityGroupIngress>,
    /// Rules opened per group, for containment.
    pub sg_rules: BTreeMap<NameInRegion, Vec<contain::IngressRule>>,
    /// Key pairs.
    pub key_pairs: BTreeMap<NameInRegion, KeyPair>,
    /// Snapshot and AMI shares.
    pub shares: Vec<ShareRec>,
    /// Lambda functions.
    pub lambdas: BTreeMap<NameInRegion, LambdaFunction>,
}

/// The value of `key` in the instance item, else at `fallback` in the request.
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

fn in_region(name: &str, c: &Candidate) -> NameInRegion {
    NameInRegion {
        name: name.to_owned(),
        region: c.region.to_string(),
    }
}

impl Resources {
    /// Collects the resources from the attacker's successful events.
    pub fn collect(ctx: &Ctx<'_>) -> Resources {
        let mut res = Resources::default();
        for c in ctx.attacker_events() {
            res.add(&c);
        }
        res
    }

    fn add(&mut self, c: &Candidate) {
        let (req, resp) = (c.req_json(), c.resp_json());
        let at = time(c.ptr.ms);
        match &*c.name {
            "RunInstances" => self.add_launch(c, &req, &resp),
            "RequestSpotInstances" | "RequestSpotFleet" | "CreateFleet" => {
                self.add_spot(c, &req, &resp)
            }
            "AuthorizeSecurityGroupIngress" => {
                let group_id = sv(&req, "/groupId").unwrap_or("");
                let rules = ingress_rules(&req);
                self.sg_rules
                    .entry(in_region(group_id, c))
                    .or_default()
                    .extend(rules.iter().cloned());
                self.sg_openings.push(SecurityGroupIngress {
                    group_id: group_id.to_owned(),
                    region: c.region.to_string(),
                    time: at,
                    by: actor(c),
                    rules,
                    refs: candidate_ref(c),
                    exists_now: None,
                });
            }
            "ImportKeyPair" | "CreateKeyPair" => {
                let name = sv(&req, "/keyName").unwrap_or("");
                let pair = KeyPair {
                    name: name.to_owned(),
                    region: c.region.to_string(),
                    event: c.name.to_string(),
                    time: at,
                    deleted: None,
                    refs: candidate_ref(c),
                    exists_now: None,
                };
                self.key_pairs.insert(in_region(name, c), pair);
            }
            "ModifySnapshotAttribute" | "ModifyImageAttribute" => self.add_share(c, &req),
            n if n.starts_with("CreateFunction") => {
                let name = sv(&req, "/functionName").unwrap_or("");
                let function = LambdaFunction {
                    name: name.to_owned(),
                    region: c.region.to_string(),
                    time: at,
                    by: actor(c),
                    deleted: None,
                    refs: candidate_ref(c),
                    exists_now: None,
                };
                self.lambdas.insert(in_region(name, c), function);
            }
            _ => {}
        }
    }

    fn add_launch(&mut self, c: &Candidate, req: &Value, resp: &Value) {
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
                    instance_type: item_or_req(it, "instanceType", req, "/instanceType")
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
    fn add_spot(&mut self, c: &Candidate, req: &Value, resp: &Value) {
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
        self.spot.push(SpotRequest {
            event: c.name.to_string(),
            request_ids: ids,
            region: c.region.to_string(),
            instance_type: itype.map(str::to_owned),
            count,
            spot_price: sv(req, "/spotPrice").map(str::to_owned),
            time: time(c.ptr.ms),
            by: actor(c),
            cancelled: None,
            refs: candidate_ref(c),
            exists_now: None,
        });
    }

    fn add_share(&mut self, c: &Candidate, req: &Value) {
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
        self.shares.push(ShareRec {
            image: kind,
            share: Share {
                id,
                region: c.region.to_string(),
                shared_with: with,
                time: time(c.ptr.ms),
                by: actor(c),
                refs: candidate_ref(c),
                exists_now: None,
            },
        });
    }

    /// Records a later change to an attacker resource (by anyone).
    pub fn apply_lifecycle(&mut self, c: &Candidate, attribution: Attribution) {
        let req = c.req_json();
        match &*c.name {
            "TerminateInstances" | "StopInstances" | "StartInstances" => {
                for id in strings_at(&req, "/instancesSet/items", "instanceId") {
                    if let Some(i) = self.instances.get_mut(&id) {
                        i.changes.push(InstanceChange {
                            event: c.name.to_string(),
                            by: attribution,
                            ptr: c.ptr.clone(),
                        });
                    }
                }
            }
            "DeleteKeyPair" => {
                let name = sv(&req, "/keyName").unwrap_or("");
                if let Some(k) = self.key_pairs.get_mut(&in_region(name, c)) {
                    k.deleted = Some(occurrence(c));
                }
            }
            "CancelSpotInstanceRequests" | "CancelSpotFleetRequests" | "DeleteFleets" => {
                let text = c.request_text();
                for s in &mut self.spot {
                    let named = s
                        .request_ids
                        .iter()
                        .any(|id| text.contains(&format!("\"{id}\"")));
                    if named && s.cancelled.is_none() {
                        s.cancelled = Some(occurrence(c));
                    }
                }
            }
            n if n.starts_with("DeleteFunction") => {
                let name = sv(&req, "/functionName").unwrap_or("");
                if let Some(f) = self.lambdas.get_mut(&in_region(name, c)) {
                    f.deleted = Some(occurrence(c));
                }
            }
            _ => {}
        }
    }

    /// Names of every attacker resource (for attributing later changes that name them).
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.instances.keys().cloned().collect();
        v.extend(self.sg_rules.keys().map(|g| g.name.clone()));
        v.extend(self.key_pairs.keys().map(|k| k.name.clone()));
        v
    }

    /// The instance runs (launch or start to stop, terminate or the end of the logs) and the
    /// resource list of the document.
    pub fn finish(&mut self) -> (Vec<InstanceRun>, Vec<Resource>) {
        let mut runs = Vec::new();
        let mut out = Vec::new();
        for i in self.instances.values_mut() {
            i.changes.sort_by_key(|c| c.ptr.key());
            out.push(Resource::Instance(instance_entry(i, &mut runs)));
        }
        out.extend(self.spot.drain(..).map(Resource::SpotRequest));
        out.extend(
            self.sg_openings
                .drain(..)
                .map(Resource::SecurityGroupIngress),
        );
        out.extend(self.key_pairs.values().cloned().map(Resource::KeyPair));
        out.extend(self.shares.iter().map(ShareRec::resource));
        out.extend(self.lambdas.values().cloned().map(Resource::LambdaFunction));
        (runs, out)
    }
}

/// One instance's document entry; pushes its runs.
fn instance_entry(i: &InstanceRec, runs: &mut Vec<InstanceRun>) -> Instance {
    let mut start = Some(i.launch.ms);
    let (mut terminated, mut stopped) = (None, None);
    let run = |start: i64, end: Option<i64>| InstanceRun {
        instance_id: i.id.clone(),
        region: i.region.clone(),
        instance_type: i.instance_type.clone(),
        start,
        end,
    };
    let mut state_changes = Vec::new();
    for change in &i.changes {
        let ms = change.ptr.ms;
        state_changes.push(StateChange {
            event: change.event.clone(),
            time: time(ms),
            by: change.by,
            refs: vec![reference(&change.ptr)],
        });
        if matches!(
            change.event.as_str(),
            "StopInstances" | "TerminateInstances"
        ) {
            if let Some(s) = start.take() {
                runs.push(run(s, Some(ms)));
            }
            if change.event == "TerminateInstances" {
                terminated.get_or_insert(ms);
            } else {
                stopped = Some(ms);
            }
        } else if start.is_none() && terminated.is_none() {
            start = Some(ms);
            stopped = None;
        }
    }
    if let (Some(s), None) = (start, terminated) {
        runs.push(run(s, None));
    }
    Instance {
        instance_id: i.id.clone(),
        region: i.region.clone(),
        instance_type: i.instance_type.clone(),
        image_id: i.image.clone(),
        key_name: i.key_name.clone(),
        security_groups: i.groups.clone(),
        launched: time(i.launch.ms),
        stopped: stopped.map(time),
        terminated: terminated.map(time),
        exists_at_end_of_logs: terminated.is_none(),
        state_changes,
        refs: vec![reference(&i.launch)],
        exists_now: None,
    }
}
