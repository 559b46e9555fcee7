//! From the two passes' aggregates to the scope document.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use cloudcase_contain as contain;
use cloudcase_event::EventTime;
use cloudcase_pricing::{estimate, InstanceRun, PriceTable};
use serde_json::{json, Value};

use crate::intrusion::{self, Intrusion};
use crate::net::{network_of, ua_family, Cidr};
use crate::policy::trust_principals;
use crate::scan::{is_resource_policy_change, Cand, Pass1, Pass2, Profile, Ptr, Subject, Use};
use crate::verdict::{decide, Verdict};
use crate::ScopeError;

/// Why a change by the subject itself is not the attacker's: routine use from its usual networks
/// (kept out of `responder_actions`, counted under `intrusion.owner_changes_after`).
const OWNER_USE: &str = "the compromised credential, used from its usual networks";

/// A pointer as a JSON reference.
pub fn reference(p: &Ptr) -> Value {
    json!({
        "file": p.file.path.display().to_string(),
        "record": p.record,
        "event_id": p.event_id.as_deref(),
    })
}

/// A time as RFC 3339 UTC.
pub fn time(ms: i64) -> String {
    EventTime::from_millis(ms).to_utc_string()
}

/// Picks the subject profile and its first attacker event; for `--auto`, ranks every AKIA key.
pub fn choose_subject(
    subject: &Subject,
    p1: &Pass1,
    owner: &dyn Fn(&str) -> bool,
) -> Result<(String, Intrusion, Vec<Value>), ScopeError> {
    let indicator = matches!(subject, Subject::Ip(_));
    if let Subject::Auto = subject {
        let mut ranked: Vec<(i64, String, Intrusion, Vec<String>)> = Vec::new();
        for (key, prof) in &p1.profiles {
            let Some(intr) = intrusion::find(prof, owner, false) else {
                continue;
            };
            let (score, reasons) = auto_score(prof, &intr);
            if score > 0 {
                ranked.push((score, key.clone(), intr, reasons));
            }
        }
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let list: Vec<Value> = ranked
            .iter()
            .map(|(s, k, i, r)| json!({"access_key": k, "score": s, "first_departure": time(i.first.ms), "reasons": r}))
            .collect();
        let Some((_, key, intr, _)) = ranked.into_iter().next() else {
            return Err(ScopeError::NoIntrusion(
                "--auto: no long-term access key departs from its history (new network with admin IAM changes or launches in new regions)".into(),
            ));
        };
        return Ok((key, intr, list));
    }
    let (key, prof) = p1
        .profiles
        .iter()
        .next()
        .ok_or_else(|| ScopeError::NoSubjectEvents(describe(subject)))?;
    let intr = intrusion::find(prof, owner, indicator).ok_or_else(|| {
        ScopeError::NoIntrusion(format!(
            "{}: {} events, and none departs from its history (no network or client first used after at least 24 hours of history)",
            describe(subject),
            prof.count
        ))
    })?;
    Ok((key.clone(), intr, Vec::new()))
}

fn describe(s: &Subject) -> String {
    match s {
        Subject::AccessKey(k) => format!("access key {k}"),
        Subject::Principal(p) => format!("principal {p}"),
        Subject::Ip(c) => format!("address range {c}"),
        Subject::Auto => "--auto".into(),
    }
}

fn auto_score(prof: &Profile, intr: &Intrusion) -> (i64, Vec<String>) {
    let mut reasons = Vec::new();
    let nets: BTreeSet<String> = intr
        .attacker_ips
        .iter()
        .filter_map(|ip| network_of(ip))
        .collect();
    let from_new =
        |ip: &Option<Box<str>>| ip.as_deref().is_some_and(|i| intr.attacker_ips.contains(i));
    let admin: Vec<&str> = prof
        .admin_changes
        .iter()
        .filter(|(p, _, ip)| p.ms >= intr.first.ms && from_new(ip))
        .map(|(_, n, _)| &**n)
        .collect();
    let launches: Vec<&str> = prof
        .launches
        .iter()
        .filter(|(p, r, ip)| {
            p.ms >= intr.first.ms
                && from_new(ip)
                && prof.regions.get(r).is_some_and(|t| *t >= intr.first.ms)
        })
        .map(|(_, r, _)| &**r)
        .collect();
    if !nets.is_empty() {
        reasons.push(format!(
            "used from {} new network(s) after at least 24 h of history, first at {}: {}",
            nets.len(),
            time(intr.first.ms),
            nets.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    if !admin.is_empty() {
        let set: BTreeSet<&str> = admin.iter().copied().collect();
        reasons.push(format!(
            "{} IAM grant/create call(s) from new networks: {}",
            admin.len(),
            set.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if !launches.is_empty() {
        let set: BTreeSet<&str> = launches.iter().copied().collect();
        reasons.push(format!(
            "{} RunInstances from new networks in regions the key never used before: {}",
            launches.len(),
            set.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    let score = 2 * nets.len().min(3) as i64
        + 3 * admin.len().min(5) as i64
        + 4 * launches.len().min(5) as i64;
    // A new network alone is weak: require a second signal.
    if admin.is_empty() && launches.is_empty() {
        return (0, reasons);
    }
    (score, reasons)
}

/// Everything [`build`] needs.
pub struct Inputs<'a> {
    /// The subject as given.
    pub subject: &'a Subject,
    /// The chosen profile's key.
    pub subject_key: &'a str,
    /// Its profile.
    pub profile: &'a Profile,
    /// Pass 1.
    pub p1: &'a Pass1,
    /// The first attacker event.
    pub intr: &'a Intrusion,
    /// `--auto` ranking.
    pub ranking: Vec<Value>,
    /// Pass 2.
    pub p2: Pass2,
    /// Whether an address is the owner's.
    pub owner: &'a dyn Fn(&str) -> bool,
    /// `--owner-ip` ranges.
    pub owner_ranges: &'a [Cidr],
    /// Case id for the plan.
    pub case_id: &'a str,
}

/// The attacker's identities, found transitively.
#[derive(Debug, Default)]
struct Attacker {
    keys: HashSet<String>,
    ips: HashSet<String>,
    users: HashSet<String>,
    roles: HashSet<String>,
    /// Long-term keys used from the indicator range (`--ip`): their other calls are the
    /// attacker's only from sources the key had not used before the first attacker event.
    compromised: HashSet<String>,
    /// (key, source) pairs of compromised keys seen before the first attacker event.
    known: HashSet<(String, String)>,
}

fn sv<'v>(v: &'v Value, path: &str) -> Option<&'v str> {
    v.pointer(path).and_then(Value::as_str)
}

fn role_name_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

impl Attacker {
    fn is_attacker(&self, c: &Cand, owner: &dyn Fn(&str) -> bool, indicator: bool) -> bool {
        let ip = c.ip.as_deref().unwrap_or("");
        if owner(ip) {
            return false;
        }
        if self.ips.contains(ip) {
            return true;
        }
        if c.subject {
            return indicator;
        }
        if let Some(k) = c.key.as_deref().filter(|k| self.compromised.contains(*k)) {
            return network_of(ip).is_some()
                && !self.known.contains(&(k.to_owned(), ip.to_owned()));
        }
        if c.key.as_deref().is_some_and(|k| self.keys.contains(k)) {
            return true;
        }
        if c.kind.as_deref() == Some("IAMUser")
            && c.user.as_deref().is_some_and(|u| self.users.contains(u))
        {
            return true;
        }
        if c.kind.as_deref() == Some("AssumedRole")
            && c.issuer.as_deref().is_some_and(|r| self.roles.contains(r))
        {
            return true;
        }
        // Someone assuming an attacker role (e.g. from the account the backdoor trusts).
        if crate::scan::SESSION_CALLS.contains(&&*c.name) {
            if let Some(arn) = sv(&c.req_json(), "/roleArn") {
                return self.roles.contains(role_name_of(arn));
            }
        }
        false
    }

    /// Applies the effects of an attacker event; true if anything was learned.
    fn learn(&mut self, c: &Cand) -> bool {
        let mut grew = false;
        if let Some(ip) = c.ip.as_deref() {
            if network_of(ip).is_some() {
                grew |= self.ips.insert(ip.to_owned());
            }
        }
        if c.error.is_some() {
            return grew;
        }
        let req = c.req_json();
        let resp = c.resp_json();
        match &*c.name {
            "CreateUser" => {
                if let Some(u) = sv(&req, "/userName") {
                    grew |= self.users.insert(u.to_owned());
                }
            }
            "CreateAccessKey" => {
                if let Some(k) = sv(&resp, "/accessKey/accessKeyId") {
                    grew |= self.keys.insert(k.to_owned());
                }
            }
            "CreateRole" | "UpdateAssumeRolePolicy" => {
                if let Some(r) = sv(&req, "/roleName") {
                    grew |= self.roles.insert(r.to_owned());
                }
            }
            n if crate::scan::SESSION_CALLS.contains(&n) => {
                if let Some(k) = sv(&resp, "/accessKeyId") {
                    grew |= self.keys.insert(k.to_owned());
                }
            }
            _ => {}
        }
        grew
    }
}

fn use_json(ip: &str, u: &Use) -> Value {
    json!({
        "ip": ip,
        "network": network_of(ip),
        "first_seen": time(u.first.ms),
        "last_seen": time(u.last_ms),
        "events": u.count,
        "user_agents": u.uas.iter().map(|s| &**s).collect::<Vec<_>>(),
        "refs": [reference(&u.first)],
    })
}

fn cand_ref(c: &Cand) -> Value {
    json!([reference(&c.ptr)])
}

fn actor(c: &Cand) -> Value {
    json!({
        "arn": c.arn.as_deref(),
        "access_key": c.key.as_deref(),
        "ip": c.ip.as_deref(),
        "user_agent": c.ua.as_deref(),
    })
}

/// Instance ids in `…instancesSet.items[*].instanceId`.
fn instance_ids(v: &Value) -> Vec<String> {
    v.pointer("/instancesSet/items")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|i| i.get("instanceId").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Debug)]
struct InstanceRec {
    id: String,
    region: String,
    itype: String,
    image: Option<String>,
    key_name: Option<String>,
    groups: Vec<String>,
    launch: Ptr,
    /// (ms, event name, attribution, ptr) of later state changes.
    changes: Vec<(i64, String, &'static str, Ptr)>,
}

/// Builds the scope document.
pub fn build(inp: Inputs<'_>) -> Value {
    let Inputs {
        subject,
        subject_key,
        profile,
        p1,
        intr,
        ranking,
        p2,
        owner,
        owner_ranges,
        case_id,
    } = inp;
    let indicator = matches!(subject, Subject::Ip(_));
    let t0 = intr.first.ms;
    let end_ms = p1.span.map_or(t0, |s| s.1);

    // Transitive closure of attacker identities and sources.
    let mut att = Attacker {
        ips: intr.attacker_ips.clone(),
        ..Attacker::default()
    };
    // The subject's own events are attributed by source, not by key: its owner may still use it.
    if indicator {
        att.compromised = p2
            .key_use
            .keys()
            .filter(|(k, ip)| k.starts_with("AKIA") && att.ips.contains(&**ip))
            .map(|(k, _)| k.to_string())
            .collect();
        att.known = p2
            .key_ip_before
            .iter()
            .filter(|(k, _)| att.compromised.contains(&**k))
            .map(|(k, ip)| (k.to_string(), ip.to_string()))
            .collect();
    }
    for _ in 0..16 {
        let mut grew = false;
        for (key, ip) in p2.key_use.keys() {
            if att.compromised.contains(&**key)
                && !owner(ip)
                && network_of(ip).is_some()
                && !att.known.contains(&(key.to_string(), ip.to_string()))
            {
                grew |= att.ips.insert(ip.to_string());
            }
        }
        for c in &p2.cands {
            if att.is_attacker(c, owner, indicator) {
                grew |= att.learn(c);
            }
        }
        for ((key, ip), _) in p2.key_use.iter() {
            if att.keys.contains(&**key) && !owner(ip) && network_of(ip).is_some() {
                grew |= att.ips.insert(ip.to_string());
            }
        }
        if !grew {
            break;
        }
    }
    let attributed: Vec<(&Cand, bool)> = p2
        .cands
        .iter()
        .map(|c| (c, att.is_attacker(c, owner, indicator)))
        .collect();

    // Attacker sources: every address attributed to the attacker, with its use in the window.
    let mut by_ip: BTreeMap<String, Use> = BTreeMap::new();
    for ((_, ip), u) in &p2.key_use {
        if att.ips.contains(&**ip) {
            match by_ip.get_mut(&**ip) {
                Some(x) => merge_use(x, u),
                None => {
                    by_ip.insert(ip.to_string(), u.clone());
                }
            }
        }
    }
    let attacker_sources: Vec<Value> = by_ip.iter().map(|(ip, u)| use_json(ip, u)).collect();

    // Identities.
    let mut users: BTreeMap<String, Value> = BTreeMap::new();
    let mut keys: BTreeMap<String, Value> = BTreeMap::new();
    let mut roles: BTreeMap<String, Value> = BTreeMap::new();
    let mut sessions: Vec<Value> = Vec::new();
    let mut instances: BTreeMap<String, InstanceRec> = BTreeMap::new();
    let mut sgs: Vec<Value> = Vec::new();
    let mut sg_findings: BTreeMap<(String, String), Vec<contain::IngressRule>> = BTreeMap::new();
    let mut key_pairs: BTreeMap<(String, String), Value> = BTreeMap::new();
    let mut shares: Vec<Value> = Vec::new();
    let mut share_findings: Vec<contain::SharedImage> = Vec::new();
    let mut lambdas: BTreeMap<(String, String), Value> = BTreeMap::new();
    let mut other_attacker: Vec<Value> = Vec::new();
    let mut attacker_ids: BTreeSet<String> = att.keys.iter().cloned().collect();
    attacker_ids.extend(att.users.iter().cloned());
    attacker_ids.extend(att.roles.iter().cloned());
    if matches!(subject, Subject::AccessKey(_) | Subject::Auto) {
        attacker_ids.insert(subject_key.to_owned());
    }
    for (c, is_att) in &attributed {
        if !*is_att || c.error.is_some() {
            continue;
        }
        let req = c.req_json();
        let resp = c.resp_json();
        let r = cand_ref(c);
        let at = time(c.ptr.ms);
        match &*c.name {
            "CreateUser" => {
                let name = sv(&req, "/userName").unwrap_or("").to_owned();
                users.insert(name.clone(), json!({"name": name, "created": at, "by": actor(c), "arn": sv(&resp, "/user/arn"), "login_profile": Value::Null, "policies": [], "deleted": Value::Null, "refs": r}));
            }
            "CreateAccessKey" => {
                let id = sv(&resp, "/accessKey/accessKeyId").unwrap_or("").to_owned();
                let user = sv(&req, "/userName").or(c.user.as_deref()).unwrap_or("");
                let used: Vec<Value> = p2
                    .key_use
                    .iter()
                    .filter(|((k, _), _)| **k == *id)
                    .map(|((_, ip), u)| use_json(ip, u))
                    .collect();
                keys.insert(id.clone(), json!({"access_key": id, "user": user, "created": at, "by": actor(c), "used_from": used, "status_changes": [], "refs": r}));
            }
            "CreateLoginProfile" | "UpdateLoginProfile" => {
                if let Some(u) = sv(&req, "/userName").and_then(|n| users.get_mut(n)) {
                    u["login_profile"] = json!({"event": &*c.name, "time": at, "refs": r});
                }
            }
            "CreateRole" | "UpdateAssumeRolePolicy" => {
                let name = sv(&req, "/roleName").unwrap_or("").to_owned();
                let doc = sv(&req, "/assumeRolePolicyDocument")
                    .or(sv(&req, "/policyDocument"))
                    .unwrap_or("");
                let trust = trust_principals(doc);
                let origin = if &*c.name == "CreateRole" {
                    "attacker_created"
                } else {
                    "backdoored"
                };
                roles.insert(name.clone(), json!({"name": name, "origin": origin, "time": at, "by": actor(c), "trust": trust, "policies": [], "deleted": Value::Null, "refs": r}));
            }
            "AttachUserPolicy" | "PutUserPolicy" | "AttachRolePolicy" | "PutRolePolicy" => {
                let pol = sv(&req, "/policyArn")
                    .or(sv(&req, "/policyName"))
                    .unwrap_or("")
                    .to_owned();
                let entry = json!({"policy": pol, "event": &*c.name, "time": at, "refs": r});
                if let Some(u) = sv(&req, "/userName").and_then(|n| users.get_mut(n)) {
                    if let Some(a) = u["policies"].as_array_mut() {
                        a.push(entry.clone());
                    }
                }
                if let Some(ro) = sv(&req, "/roleName").and_then(|n| roles.get_mut(n)) {
                    if let Some(a) = ro["policies"].as_array_mut() {
                        a.push(entry);
                    }
                }
            }
            n if crate::scan::SESSION_CALLS.contains(&n) => {
                let key = sv(&resp, "/accessKeyId").unwrap_or("").to_owned();
                let used: Vec<Value> = p2
                    .key_use
                    .iter()
                    .filter(|((k, _), _)| !key.is_empty() && **k == *key)
                    .map(|((_, ip), u)| use_json(ip, u))
                    .collect();
                sessions.push(json!({
                    "event": n, "time": at, "by": actor(c),
                    "role_arn": sv(&req, "/roleArn"),
                    "role_session_name": sv(&req, "/roleSessionName"),
                    "source_identity": sv(&req, "/sourceIdentity"),
                    "federated_name": sv(&req, "/name"),
                    "session_access_key": if key.is_empty() { Value::Null } else { Value::from(key.clone()) },
                    "used_from": used,
                    "refs": r,
                }));
            }
            "RunInstances" => {
                let items = resp
                    .pointer("/instancesSet/items")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for it in items {
                    let Some(id) = it.get("instanceId").and_then(Value::as_str) else {
                        continue;
                    };
                    let groups = it
                        .pointer("/groupSet/items")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|g| g.get("groupId").and_then(Value::as_str))
                                .map(str::to_owned)
                                .collect::<Vec<_>>()
                        })
                        .filter(|g| !g.is_empty())
                        .or_else(|| {
                            req.pointer("/groupSet/items")
                                .and_then(Value::as_array)
                                .map(|a| {
                                    a.iter()
                                        .filter_map(|g| g.get("groupId").and_then(Value::as_str))
                                        .map(str::to_owned)
                                        .collect()
                                })
                        })
                        .unwrap_or_default();
                    instances.insert(
                        id.to_owned(),
                        InstanceRec {
                            id: id.to_owned(),
                            region: c.region.to_string(),
                            itype: it
                                .get("instanceType")
                                .and_then(Value::as_str)
                                .or(sv(&req, "/instanceType"))
                                .unwrap_or("")
                                .to_owned(),
                            image: it
                                .get("imageId")
                                .and_then(Value::as_str)
                                .or(sv(&req, "/instancesSet/items/0/imageId"))
                                .map(str::to_owned),
                            key_name: it
                                .get("keyName")
                                .and_then(Value::as_str)
                                .or(sv(&req, "/instancesSet/items/0/keyName"))
                                .map(str::to_owned),
                            groups,
                            launch: c.ptr.clone(),
                            changes: Vec::new(),
                        },
                    );
                }
            }
            "AuthorizeSecurityGroupIngress" => {
                let gid = sv(&req, "/groupId").unwrap_or("").to_owned();
                let mut rules = Vec::new();
                for p in req
                    .pointer("/ipPermissions/items")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let proto = p
                        .get("ipProtocol")
                        .and_then(Value::as_str)
                        .unwrap_or("-1")
                        .to_owned();
                    let from = p.get("fromPort").and_then(Value::as_i64).map(|x| x as i32);
                    let to = p.get("toPort").and_then(Value::as_i64).map(|x| x as i32);
                    for (path, k) in [
                        ("/ipRanges/items", "cidrIp"),
                        ("/ipv6Ranges/items", "cidrIpv6"),
                    ] {
                        for rg in p
                            .pointer(path)
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                        {
                            if let Some(cidr) = rg.get(k).and_then(Value::as_str) {
                                rules.push(contain::IngressRule {
                                    protocol: proto.clone(),
                                    from_port: from,
                                    to_port: to,
                                    cidr: cidr.to_owned(),
                                });
                            }
                        }
                    }
                }
                sgs.push(json!({"kind": "security_group_ingress", "group_id": gid, "region": &*c.region, "time": at, "by": actor(c), "rules": rules, "refs": r}));
                sg_findings
                    .entry((gid, c.region.to_string()))
                    .or_default()
                    .extend(rules);
            }
            "ImportKeyPair" | "CreateKeyPair" => {
                let name = sv(&req, "/keyName").unwrap_or("").to_owned();
                key_pairs.insert((name.clone(), c.region.to_string()), json!({"kind": "key_pair", "name": name, "region": &*c.region, "event": &*c.name, "time": at, "deleted": Value::Null, "refs": r}));
            }
            "ModifySnapshotAttribute" | "ModifyImageAttribute" => {
                let (kind, idp, attr) = if &*c.name == "ModifySnapshotAttribute" {
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
                let with: Vec<String> = req
                    .pointer(attr)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|i| {
                                i.get("userId").or(i.get("group")).and_then(Value::as_str)
                            })
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                let id = sv(&req, idp).unwrap_or("").to_owned();
                if !with.is_empty() {
                    shares.push(json!({"kind": if kind == contain::ImageKind::Snapshot { "snapshot_share" } else { "ami_share" }, "id": id, "region": &*c.region, "shared_with": with, "time": at, "by": actor(c), "refs": r}));
                    share_findings.push(contain::SharedImage {
                        kind,
                        id,
                        region: c.region.to_string(),
                        shared_with: with,
                    });
                }
            }
            n if n.starts_with("CreateFunction") => {
                let name = sv(&req, "/functionName").unwrap_or("").to_owned();
                lambdas.insert((name.clone(), c.region.to_string()), json!({"kind": "lambda_function", "name": name, "region": &*c.region, "time": at, "by": actor(c), "deleted": Value::Null, "refs": r}));
            }
            _ => {
                if c.read_only == Some(false) {
                    other_attacker.push(json!({"event": &*c.name, "service": &*c.service, "region": &*c.region, "time": at, "refs": r}));
                }
            }
        }
    }
    for i in instances.values() {
        attacker_ids.insert(i.id.clone());
    }
    for (g, _) in sg_findings.keys() {
        attacker_ids.insert(g.clone());
    }
    for (k, _) in key_pairs.keys() {
        attacker_ids.insert(k.clone());
    }

    // Who made each non-attacker change: responder, owner or other.
    let compromised: BTreeSet<String> = profile
        .arns
        .iter()
        .filter_map(|a| a.split_once(":user/"))
        .map(|(_, n)| n.rsplit('/').next().unwrap_or(n).to_owned())
        .collect();
    let names = |c: &Cand, set: &BTreeSet<String>| {
        set.iter()
            .any(|id| !id.is_empty() && c.req.contains(&format!("\"{id}\"")))
    };
    let responders: HashSet<&str> = attributed
        .iter()
        .filter(|(c, a)| {
            !*a && c.read_only != Some(true)
                && (names(c, &attacker_ids) || c.ip.as_deref().is_some_and(owner))
        })
        .filter_map(|(c, _)| c.arn.as_deref())
        .collect();
    let classify = |c: &Cand, is_att: bool| -> (&'static str, &'static str) {
        if is_att {
            ("attacker", "")
        } else if names(c, &attacker_ids) {
            ("responder", "acts on an attacker identity or resource, from a source not attributed to the attacker")
        } else if c.ip.as_deref().is_some_and(owner) {
            ("responder", "from an --owner-ip range")
        } else if names(c, &compromised) && c.arn.as_deref().is_some_and(|a| responders.contains(a))
        {
            ("responder", "acts on the compromised principal; the same principal acted on attacker identities or resources")
        } else if names(c, &compromised) {
            (
                "owner",
                "changes the compromised principal, from a source not attributed to the attacker",
            )
        } else if c.subject && c.read_only != Some(true) {
            ("owner", OWNER_USE)
        } else {
            ("other", "")
        }
    };

    // Later events on attacker identities and resources (by anyone): state at the end of the logs.
    let mut responder_actions: Vec<Value> = Vec::new();
    for (c, is_att) in &attributed {
        let req = c.req_json();
        let (attribution, why) = classify(c, *is_att);
        if c.error.is_none() {
            match &*c.name {
                "TerminateInstances" | "StopInstances" | "StartInstances" => {
                    for id in instance_ids(&req) {
                        if let Some(i) = instances.get_mut(&id) {
                            i.changes.push((
                                c.ptr.ms,
                                c.name.to_string(),
                                attribution,
                                c.ptr.clone(),
                            ));
                        }
                    }
                }
                "DeleteUser" => {
                    if let Some(u) = sv(&req, "/userName").and_then(|n| users.get_mut(n)) {
                        u["deleted"] = json!({"time": time(c.ptr.ms), "refs": cand_ref(c)});
                    }
                }
                "DeleteRole" => {
                    if let Some(u) = sv(&req, "/roleName").and_then(|n| roles.get_mut(n)) {
                        u["deleted"] = json!({"time": time(c.ptr.ms), "refs": cand_ref(c)});
                    }
                }
                "UpdateAccessKey" | "DeleteAccessKey" => {
                    if let Some(k) = sv(&req, "/accessKeyId").and_then(|n| keys.get_mut(n)) {
                        if let Some(a) = k["status_changes"].as_array_mut() {
                            a.push(json!({"event": &*c.name, "status": sv(&req, "/status"), "time": time(c.ptr.ms), "by": attribution, "refs": cand_ref(c)}));
                        }
                    }
                }
                "DeleteKeyPair" => {
                    if let Some(k) = sv(&req, "/keyName")
                        .and_then(|n| key_pairs.get_mut(&(n.to_owned(), c.region.to_string())))
                    {
                        k["deleted"] = json!({"time": time(c.ptr.ms), "refs": cand_ref(c)});
                    }
                }
                n if n.starts_with("DeleteFunction") => {
                    if let Some(k) = sv(&req, "/functionName")
                        .and_then(|n| lambdas.get_mut(&(n.to_owned(), c.region.to_string())))
                    {
                        k["deleted"] = json!({"time": time(c.ptr.ms), "refs": cand_ref(c)});
                    }
                }
                _ => {}
            }
        }
        if matches!(attribution, "responder" | "owner")
            && why != OWNER_USE
            && c.read_only != Some(true)
        {
            responder_actions.push(json!({
                "time": time(c.ptr.ms), "event": &*c.name, "service": &*c.service, "region": &*c.region,
                "attribution": attribution, "why": why,
                "by": actor(c), "error": c.error.as_deref(),
                "refs": cand_ref(c),
            }));
        }
    }

    // Permission-change timeline.
    let mut permission_changes: Vec<Value> = Vec::new();
    for (c, is_att) in &attributed {
        let perm = (matches!(&*c.service, "iam" | "organizations") && c.read_only != Some(true))
            || is_resource_policy_change(&c.service, &c.name);
        if !perm {
            continue;
        }
        let (who, _) = classify(c, *is_att);
        let req = c.req_json();
        let target = [
            "/userName",
            "/roleName",
            "/groupName",
            "/policyArn",
            "/bucketName",
            "/keyId",
            "/functionName",
            "/secretId",
            "/accessKeyId",
        ]
        .iter()
        .filter_map(|p| sv(&req, p))
        .collect::<Vec<_>>()
        .join(" ");
        permission_changes.push(json!({
            "time": time(c.ptr.ms), "event": &*c.name, "service": &*c.service, "target": target,
            "attribution": who, "by": actor(c), "error": c.error.as_deref(), "refs": cand_ref(c),
        }));
    }

    // Instances, runs, cost.
    let mut runs = Vec::new();
    let mut instance_values = Vec::new();
    for i in instances.values_mut() {
        i.changes.sort_by_key(|c| c.3.key());
        let mut start = Some(i.launch.ms);
        let mut terminated = None;
        let mut stopped = None;
        let mut state_changes = Vec::new();
        for (ms, name, who, p) in &i.changes {
            state_changes
                .push(json!({"event": name, "time": time(*ms), "by": who, "refs": [reference(p)]}));
            match name.as_str() {
                "StopInstances" | "TerminateInstances" => {
                    if let Some(s) = start.take() {
                        runs.push(InstanceRun {
                            instance_id: i.id.clone(),
                            region: i.region.clone(),
                            instance_type: i.itype.clone(),
                            start: s,
                            end: Some(*ms),
                        });
                    }
                    if name == "TerminateInstances" {
                        terminated.get_or_insert(*ms);
                    } else {
                        stopped = Some(*ms);
                    }
                }
                _ => {
                    if start.is_none() && terminated.is_none() {
                        start = Some(*ms);
                        stopped = None;
                    }
                }
            }
        }
        if let Some(s) = start {
            if terminated.is_none() {
                runs.push(InstanceRun {
                    instance_id: i.id.clone(),
                    region: i.region.clone(),
                    instance_type: i.itype.clone(),
                    start: s,
                    end: None,
                });
            }
        }
        instance_values.push(json!({
            "kind": "instance", "instance_id": i.id, "region": i.region, "instance_type": i.itype,
            "image_id": i.image, "key_name": i.key_name, "security_groups": i.groups,
            "launched": time(i.launch.ms), "stopped": stopped.map(time), "terminated": terminated.map(time),
            "exists_at_end_of_logs": terminated.is_none(),
            "state_changes": state_changes,
            "refs": [reference(&i.launch)],
        }));
    }
    let table = PriceTable::builtin();
    let cost = estimate(&runs, end_ms, &table);

    // Data access.
    let is_att_use =
        |key: &str, ip: &str| !owner(ip) && (att.ips.contains(ip) || att.keys.contains(key));
    let mut data_access = Vec::new();
    let mut unknowns: Vec<Value> = Vec::new();
    let mut buckets: Vec<(&Box<str>, &crate::scan::BucketCov)> = p2.buckets.iter().collect();
    buckets.sort_by(|a, b| a.0.cmp(b.0));
    let any_data = p2.categories.get("Data").copied().unwrap_or(0) > 0;
    for (b, cov) in &buckets {
        let reads: Vec<(&str, &str, &Use)> = p2
            .s3_reads
            .iter()
            .filter(|((bk, k, ip), _)| **bk == ***b && is_att_use(k, ip))
            .map(|((_, k, ip), u)| (&**k, &**ip, u))
            .collect();
        let n: u64 = reads.iter().map(|r| r.2.count).sum();
        let covered = cov.data_in_window > 0;
        let v = decide(n, covered);
        let mut refs: Vec<Value> = reads.iter().map(|r| reference(&r.2.first)).collect();
        if refs.is_empty() {
            refs.extend(cov.first_mention.iter().map(reference));
        }
        let basis = match v {
            Verdict::Accessed => format!("{n} successful S3 data-event read(s) by attacker identities or sources"),
            Verdict::NotObserved => format!("{} S3 data event(s) on this bucket from {} to the end of the logs; none by attacker identities or sources", cov.data_in_window, time(t0)),
            Verdict::Unknown => "no S3 data events for this bucket from the first attacker event to the end of the logs: management events cannot show object reads".to_owned(),
        };
        if v == Verdict::Unknown {
            unknowns.push(json!({
                "question": format!("S3 object reads on bucket {b}"),
                "why": if any_data { "the inputs hold data events, but none for this bucket in the attacker window" } else { "the inputs hold no data events at all" },
                "would_resolve": "S3 data events for the bucket (CloudTrail data-event selectors), or S3 server access logs for the window",
            }));
        }
        data_access.push(json!({
            "store": "s3_bucket", "name": &***b, "verdict": v, "basis": basis,
            "readers": reads.iter().map(|(k, ip, u)| json!({"access_key": k, "ip": ip, "events": u.count, "event_names": u.names.iter().map(|s| &**s).collect::<Vec<_>>(), "first": time(u.first.ms), "last": time(u.last_ms)})).collect::<Vec<_>>(),
            "coverage": {"data_events": cov.data_events, "data_events_in_window": cov.data_in_window, "data_events_first": cov.data_span.map(|s| time(s.0)), "data_events_last": cov.data_span.map(|s| time(s.1))},
            "refs": refs,
        }));
    }
    // Secrets and parameters named in attacker calls.
    let mut secrets: BTreeMap<(&str, &str), (u64, u64, Vec<Value>)> = BTreeMap::new();
    for ((kind, name, key, ip, ok), u) in &p2.secret_reads {
        if !is_att_use(key, ip) {
            continue;
        }
        let e = secrets.entry((kind, name)).or_default();
        if *ok {
            e.0 += u.count
        } else {
            e.1 += u.count
        }
        e.2.push(reference(&u.first));
    }
    for ((kind, name), (ok, denied, refs)) in secrets {
        let covered = p2.mgmt_read > 0;
        let v = decide(ok, covered);
        let basis = match v {
            Verdict::Accessed => format!("{ok} successful read(s) by attacker identities or sources"),
            Verdict::NotObserved => format!("read management events are logged; attacker calls naming it: {denied} failed, none succeeded"),
            Verdict::Unknown => "no read-only management events in the inputs".to_owned(),
        };
        data_access.push(json!({"store": kind, "name": name, "verdict": v, "basis": basis, "attacker_failed_reads": denied, "refs": refs}));
    }
    for s in &shares {
        data_access.push(json!({"store": s["kind"], "name": s["id"], "verdict": Verdict::Accessed, "basis": format!("shared with {}", s["shared_with"]), "refs": s["refs"]}));
    }
    let listed: Vec<Value> = p2
        .list_buckets
        .iter()
        .filter(|((k, ip), _)| is_att_use(k, ip))
        .map(|(_, u)| reference(&u.first))
        .collect();
    if !listed.is_empty() {
        unknowns.push(json!({
            "question": "which buckets the attacker saw",
            "why": "the attacker called ListBuckets; CloudTrail does not log the names it returned, so buckets never named in an event are not listed under data_access",
            "would_resolve": "an inventory of the account's buckets, each checked against S3 data events or server access logs",
            "refs": listed,
        }));
    }

    // Coverage.
    let mut regions: Vec<(&Box<str>, &crate::scan::RegionCov)> = p2.regions.iter().collect();
    regions.sort_by(|a, b| a.0.cmp(b.0));
    let mut hours: Vec<i64> = p2.hours.iter().copied().collect();
    hours.sort_unstable();
    let gaps: Vec<Value> = hours
        .windows(2)
        .filter(|w| w[1] - w[0] > 6)
        .map(|w| json!({"from": time((w[0] + 1) * 3_600_000), "to": time(w[1] * 3_600_000), "hours": w[1] - w[0] - 1}))
        .collect();
    let data_buckets: Vec<Value> = buckets
        .iter()
        .filter(|(_, c)| c.data_events > 0)
        .map(|(b, c)| json!({"bucket": &***b, "data_events": c.data_events, "first": c.data_span.map(|s| time(s.0)), "last": c.data_span.map(|s| time(s.1))}))
        .collect();
    let coverage = json!({
        "first_event": p1.span.map(|s| time(s.0)),
        "last_event": p1.span.map(|s| time(s.1)),
        "attacker_window": {"from": time(t0), "to": time(end_ms)},
        "categories": p2.categories,
        "management_read_events": p2.mgmt_read,
        "management_write_events": p2.mgmt_write,
        "data_event_buckets": data_buckets,
        "regions": regions.iter().map(|(r, c)| json!({"region": &***r, "events": c.events, "first": c.span.map(|s| time(s.0)), "last": c.span.map(|s| time(s.1))})).collect::<Vec<_>>(),
        "gaps_over_6h": gaps,
        "gaps_note": "hours with no event in any input: quiet time or missing logs; `cloudcase trail validate` proves which",
    });

    // Unknowns that always apply to this version.
    unknowns.push(json!({"question": "RDS, DynamoDB and KMS data access", "why": "not analysed by this version of scope", "would_resolve": "review RDS/DynamoDB/KMS events of the attacker identities (cloudcase timeline --access-key …)"}));
    unknowns.push(json!({"question": "countries of attacker sources", "why": "no geo-IP database is used by scope", "would_resolve": "look the attacker_sources up in a geo-IP database (cloudcase hunt --geoip)"}));
    unknowns.push(json!({"question": "whether resources still exist now", "why": "only the logs are read: existence is as of the end of the logs", "would_resolve": "a current inventory (aws ec2 describe-instances, iam get-account-authorization-details) in every region"}));
    if cost.unpriced_runs > 0 {
        let missing: BTreeSet<String> = cost
            .instances
            .iter()
            .filter(|i| i.cost_usd.is_none())
            .map(|i| format!("{} in {}", i.instance_type, i.region))
            .collect();
        unknowns.push(json!({"question": "cost of instance runs without a list price", "why": format!("{} run(s) not priced (no price in the table for {}): the total is a lower bound", cost.unpriced_runs, missing.into_iter().collect::<Vec<_>>().join(", ")), "would_resolve": "refresh the price table with cloudcase-pricing-update from AWS's offer files, or the billing console"}));
    }
    if !runs.iter().all(|r| r.end.is_some()) {
        unknowns.push(json!({"question": "total cost of instances still running", "why": "the logs end while some attacker instances run: cost is counted to the end of the logs", "would_resolve": "the billing console or Cost Explorer"}));
    }

    // Containment.
    let account = profile
        .accounts
        .first()
        .map(|a| a.to_string())
        .or_else(|| {
            p2.cands
                .first()
                .and_then(|c| c.caller_account.as_deref().map(str::to_owned))
        })
        .unwrap_or_default();
    let mut f = contain::Findings {
        case_id: case_id.to_owned(),
        account_id: account.clone(),
        now_ms: end_ms,
        ..Default::default()
    };
    if matches!(subject, Subject::AccessKey(_) | Subject::Auto) {
        let deactivated = p2.cands.iter().any(|c| {
            &*c.name == "UpdateAccessKey"
                && c.error.is_none()
                && c.req_json()["accessKeyId"] == subject_key
                && c.req_json()["status"] == "Inactive"
        });
        if let Some(user) = profile.arns.iter().find_map(|a| {
            a.split_once(":user/")
                .map(|(_, u)| u.rsplit('/').next().unwrap_or(u).to_owned())
        }) {
            f.users.push(contain::User {
                name: user,
                origin: contain::UserOrigin::Compromised,
                access_keys: vec![contain::AccessKey {
                    id: subject_key.to_owned(),
                    status: if deactivated {
                        contain::KeyStatus::Inactive
                    } else {
                        contain::KeyStatus::Active
                    },
                }],
                has_login_profile: false,
                admin_policies: vec![],
            });
        }
    }
    for (name, u) in &users {
        if !u["deleted"].is_null() {
            continue;
        }
        let ks = keys
            .values()
            .filter(|k| k["user"] == name.as_str())
            .map(|k| {
                let inactive = k["status_changes"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|s| s["status"] == "Inactive"));
                contain::AccessKey {
                    id: k["access_key"].as_str().unwrap_or("").to_owned(),
                    status: if inactive {
                        contain::KeyStatus::Inactive
                    } else {
                        contain::KeyStatus::Active
                    },
                }
            })
            .collect();
        let admin = u["policies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["policy"].as_str())
            .filter(|p| p.starts_with("arn:") && p.ends_with("AdministratorAccess"))
            .map(str::to_owned)
            .collect();
        f.users.push(contain::User {
            name: name.clone(),
            origin: contain::UserOrigin::AttackerCreated,
            access_keys: ks,
            has_login_profile: !u["login_profile"].is_null(),
            admin_policies: admin,
        });
    }
    for (name, r) in &roles {
        if !r["deleted"].is_null() {
            continue;
        }
        let origin = if r["origin"] == "backdoored" {
            contain::RoleOrigin::Backdoored
        } else {
            contain::RoleOrigin::AttackerCreated
        };
        let trust = r["trust"]["principals"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        f.roles.push(contain::Role {
            name: name.clone(),
            origin,
            trust_principals: trust,
            original_trust_policy: None,
        });
    }
    for i in instances.values() {
        if i.changes.iter().any(|c| c.1 == "TerminateInstances") {
            continue;
        }
        f.instances.push(contain::Instance {
            id: i.id.clone(),
            region: i.region.clone(),
            vpc_id: None,
            origin: contain::InstanceOrigin::AttackerLaunched,
            security_groups: i.groups.clone(),
            volumes: vec![],
        });
    }
    for ((g, region), rules) in sg_findings {
        f.security_groups.push(contain::SecurityGroup {
            id: g,
            region,
            rules,
        });
    }
    for ((name, region), k) in &key_pairs {
        if k["deleted"].is_null() {
            f.key_pairs.push(contain::KeyPair {
                name: name.clone(),
                region: region.clone(),
            });
        }
    }
    f.shared_images = share_findings;
    for ((name, region), l) in &lambdas {
        if l["deleted"].is_null() {
            f.lambda_functions.push(contain::LambdaFunction {
                name: name.clone(),
                region: region.clone(),
            });
        }
    }
    let containment = match contain::build_plan(&f) {
        Ok(plan) => json!({"findings": f, "plan": plan, "script": plan.to_shell_script()}),
        Err(e) => {
            unknowns.push(json!({"question": "containment plan", "why": format!("the plan could not be built: {e}"), "would_resolve": "review the findings by hand"}));
            json!({"findings": f, "plan": Value::Null, "error": e.to_string()})
        }
    };

    // Subject and intrusion.
    let hist_ips: Vec<Value> = {
        let mut v: Vec<(&Box<str>, &Use)> = profile
            .ips
            .iter()
            .filter(|(_, u)| u.first.ms < t0)
            .collect();
        v.sort_by_key(|(ip, u)| (u.first.key(), (*ip).clone()));
        v.into_iter().map(|(ip, u)| use_json(ip, u)).collect()
    };
    let hours_hist: Vec<u64> = p2.baseline_hours.to_vec();
    let subject_json = json!({
        "kind": match subject { Subject::AccessKey(_) => "access_key", Subject::Principal(_) => "principal", Subject::Ip(_) => "ip", Subject::Auto => "auto" },
        "value": subject_key,
        "principals": profile.arns.iter().map(|s| &**s).collect::<Vec<_>>(),
        "accounts": profile.accounts.iter().map(|s| &**s).collect::<Vec<_>>(),
        "events": profile.count,
        "first_seen": profile.first.as_ref().map(|p| time(p.ms)),
        "last_seen": time(profile.last_ms),
        "auto_ranking": ranking,
        "owner_ranges": owner_ranges.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        "history": {
            "until": time(t0),
            "events": p2.baseline_events,
            "networks": intr.history_networks,
            "sources": hist_ips,
            "user_agent_families": p2.baseline_families,
            "regions": p2.baseline_regions,
            "hours_utc": hours_hist,
        },
    });
    let att_first_ua: Option<String> = by_ip
        .values()
        .flat_map(|u| u.uas.first())
        .next()
        .map(|s| ua_family(s));
    let intrusion_json = json!({
        "first_attacker_event": time(t0),
        "first_attacker_event_ms": t0,
        "method": intr.mode,
        "novel": intr.novel,
        "rule": match intr.mode {
            "network" => "first event from a /24 (IPv4) or /64 (IPv6) network never used by the subject, after at least 24 h of history",
            "client_family" => "the subject roams across many networks: first event from a user-agent family never used by it, after at least 24 h of history",
            _ => "first event from the given address range",
        },
        "attacker_client_family": att_first_ua,
        "last_attacker_event": attributed
            .iter()
            .filter(|(_, a)| *a)
            .map(|(c, _)| c.ptr.ms)
            .chain(by_ip.values().map(|u| u.last_ms))
            .max()
            .map(time),
        "attacker_events_in_candidates": attributed.iter().filter(|(_, a)| *a).count(),
        "owner_changes_after": attributed
            .iter()
            .filter(|(c, a)| !*a && c.subject && c.read_only != Some(true))
            .count(),
        "other_attacker_changes": other_attacker,
        "refs": [reference(&intr.first)],
    });
    let identities = json!({
        "compromised": {"subject": subject_key, "principals": profile.arns.iter().map(|s| &**s).collect::<Vec<_>>()},
        "users": users.into_values().collect::<Vec<_>>(),
        "access_keys": keys.into_values().collect::<Vec<_>>(),
        "roles": roles.into_values().collect::<Vec<_>>(),
        "attacker_access_keys": att.keys.iter().collect::<BTreeSet<_>>(),
    });
    let mut resources = instance_values;
    resources.extend(sgs);
    resources.extend(key_pairs.into_values());
    resources.extend(shares);
    resources.extend(lambdas.into_values());
    json!({
        "subject": subject_json,
        "intrusion": intrusion_json,
        "attacker_sources": attacker_sources,
        "identities": identities,
        "sessions": sessions,
        "permission_changes": permission_changes,
        "resources": resources,
        "responder_actions": responder_actions,
        "data_access": data_access,
        "coverage": coverage,
        "cost": cost,
        "containment": containment,
        "unknowns": unknowns,
    })
}

fn merge_use(x: &mut Use, u: &Use) {
    if u.first.key() < x.first.key() {
        x.first = u.first.clone();
    }
    x.last_ms = x.last_ms.max(u.last_ms);
    x.count += u.count;
    for ua in &u.uas {
        if x.uas.len() < 5 && !x.uas.contains(ua) {
            x.uas.push(ua.clone());
        }
    }
}
