//! What the other logs are matched against: the attacker as the CloudTrail passes found it —
//! its addresses, identities, keys, instances (with their interfaces and private addresses)
//! and the buckets the document lists.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;

use cloudcase_model::scope::{Resource, ScopeResult, StoreKind};
use serde_json::Value;

use crate::net::Cidr;
use crate::scan::Candidate;

/// The network side of one instance, from its `RunInstances` response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstanceNet {
    /// Its interfaces (`eni-…`).
    pub interfaces: Vec<String>,
    /// Its private addresses (IPv4 and IPv6).
    pub addresses: Vec<IpAddr>,
}

/// Strings at `field` of each item of the array at `pointer`.
fn each<'a>(v: &'a Value, pointer: &str) -> impl Iterator<Item = &'a Value> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn address(v: &Value, field: &str) -> Option<IpAddr> {
    v.get(field)?.as_str()?.parse().ok()
}

/// The interfaces and private addresses of every instance a successful `RunInstances` among
/// `candidates` launched (`instancesSet.items[].networkInterfaceSet.items[]`).
pub fn launch_networks(
    candidates: impl IntoIterator<Item = Candidate>,
) -> HashMap<String, InstanceNet> {
    let mut out: HashMap<String, InstanceNet> = HashMap::new();
    for c in candidates
        .into_iter()
        .filter(|c| &*c.name == "RunInstances" && c.error.is_none())
    {
        let resp = c.resp_json();
        for item in each(&resp, "/instancesSet/items") {
            let Some(id) = item.get("instanceId").and_then(Value::as_str) else {
                continue;
            };
            let net = out.entry(id.to_owned()).or_default();
            net.addresses.extend(address(item, "privateIpAddress"));
            for eni in each(item, "/networkInterfaceSet/items") {
                if let Some(e) = eni.get("networkInterfaceId").and_then(Value::as_str) {
                    net.interfaces.push(e.to_owned());
                }
                net.addresses.extend(address(eni, "privateIpAddress"));
                for p in each(eni, "/privateIpAddressesSet/item") {
                    net.addresses.extend(address(p, "privateIpAddress"));
                }
                for p in each(eni, "/ipv6AddressesSet/items") {
                    net.addresses.extend(address(p, "ipv6Address"));
                }
            }
            net.interfaces.sort();
            net.interfaces.dedup();
            net.addresses.sort();
            net.addresses.dedup();
        }
    }
    out
}

/// The attacker, for matching records of other logs.
#[derive(Debug, Default)]
pub struct Facts {
    /// The first attacker event, ms.
    pub t0: i64,
    /// The end of the CloudTrail logs, ms.
    pub end: i64,
    /// Attacker source addresses, parsed, with their text as the document writes them.
    pub addresses: HashMap<IpAddr, String>,
    /// Principal ARNs of users the attacker created or used.
    pub users: HashSet<String>,
    /// Names of roles the attacker created or backdoored (any session of them is the
    /// attacker's).
    pub roles: HashSet<String>,
    /// `role/session` of sessions the attacker opened.
    pub sessions: HashSet<String>,
    /// The compromised principal's ARNs.
    pub compromised: HashSet<String>,
    /// Addresses the compromised principal used before the first attacker event.
    pub usual: HashSet<String>,
    /// The owner's ranges (`--owner-ip`).
    pub owner: Vec<Cidr>,
    /// Access keys the attacker used, and the compromised ones.
    pub keys: HashSet<String>,
    /// Instances the attacker launched.
    pub instances: BTreeMap<String, InstanceNet>,
    /// Interface → instance, for the attacker's instances.
    pub interfaces: HashMap<String, String>,
    /// Private address → instance, for the attacker's instances.
    pub private: HashMap<IpAddr, String>,
    /// Buckets in `data_access`.
    pub buckets: HashSet<String>,
}

/// What the CloudTrail side knows besides the document.
pub struct Known<'a> {
    /// The first attacker event (or the named subject's first), ms.
    pub t0: i64,
    /// The end of the CloudTrail logs, ms.
    pub end: i64,
    /// Interfaces and addresses of launched instances.
    pub launches: &'a HashMap<String, InstanceNet>,
    /// Addresses the subject used before `t0`.
    pub usual: HashSet<String>,
    /// `--owner-ip`.
    pub owner: &'a [Cidr],
}

/// The `role/session` part of an assumed-role ARN.
pub fn role_session(arn: &str) -> Option<&str> {
    arn.split_once(":assumed-role/").map(|(_, rs)| rs)
}

impl Facts {
    /// The attacker of a document.
    pub fn of(doc: &ScopeResult, known: Known<'_>) -> Facts {
        let mut f = Facts {
            t0: known.t0,
            end: known.end.max(known.t0),
            usual: known.usual,
            owner: known.owner.to_vec(),
            ..Facts::default()
        };
        for s in &doc.attacker_sources {
            if let Ok(ip) = s.ip.parse::<IpAddr>() {
                f.addresses.insert(ip, s.ip.clone());
            }
        }
        let ids = &doc.identities;
        f.users
            .extend(ids.users.iter().filter_map(|u| u.arn.clone()));
        f.roles.extend(ids.roles.iter().map(|r| r.name.clone()));
        for s in &doc.sessions {
            let role = s.role_arn.as_deref().and_then(|a| a.rsplit('/').next());
            if let (Some(role), Some(name)) = (role, s.role_session_name.as_deref()) {
                f.sessions.insert(format!("{role}/{name}"));
            }
        }
        if let Some(c) = &ids.compromised {
            f.compromised.extend(c.principals.iter().cloned());
            f.keys.extend(c.access_keys.iter().cloned());
            if c.subject.starts_with("AKIA") || c.subject.starts_with("ASIA") {
                f.keys.insert(c.subject.clone());
            }
        }
        f.keys.extend(ids.attacker_access_keys.iter().cloned());
        for r in &doc.resources {
            if let Resource::Instance(i) = r {
                let net = known.launches.get(&i.instance_id).cloned();
                f.instances
                    .insert(i.instance_id.clone(), net.unwrap_or_default());
            }
        }
        for (id, net) in &f.instances {
            for e in &net.interfaces {
                f.interfaces.insert(e.clone(), id.clone());
            }
            for a in &net.addresses {
                f.private.insert(*a, id.clone());
            }
        }
        f.buckets.extend(
            doc.data_access
                .iter()
                .filter(|d| d.store == StoreKind::S3Bucket)
                .map(|d| d.name.clone()),
        );
        f
    }

    /// Whether a requester ARN is an identity the attacker created or used.
    pub fn attacker_identity(&self, arn: &str) -> bool {
        if self.users.contains(arn) {
            return true;
        }
        match role_session(arn) {
            Some(rs) => {
                self.sessions.contains(rs)
                    || rs
                        .split_once('/')
                        .is_some_and(|(role, _)| self.roles.contains(role))
            }
            None => false,
        }
    }

    /// Whether a requester ARN is the compromised principal (an assumed-role session of it
    /// counts when the role and session name agree).
    pub fn compromised_principal(&self, arn: &str) -> bool {
        self.compromised.contains(arn)
            || role_session(arn)
                .is_some_and(|rs| self.compromised.iter().any(|c| role_session(c) == Some(rs)))
    }

    /// Whether an address is the compromised principal's own: used before the window, or in
    /// `--owner-ip`.
    pub fn usual_address(&self, ip: &str) -> bool {
        self.usual.contains(ip) || self.owner.iter().any(|c| c.contains(ip))
    }

    /// The attacker address, as the document writes it, of an address.
    pub fn attacker_address(&self, ip: &IpAddr) -> Option<&str> {
        self.addresses.get(ip).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_instances_interfaces_and_addresses() {
        let resp = serde_json::json!({"instancesSet": {"items": [{
            "instanceId": "i-1", "privateIpAddress": "10.0.1.5",
            "networkInterfaceSet": {"items": [{"networkInterfaceId": "eni-1", "privateIpAddress": "10.0.1.5",
                "privateIpAddressesSet": {"item": [{"privateIpAddress": "10.0.1.6"}]},
                "ipv6AddressesSet": {"items": [{"ipv6Address": "2001:db8::10"}]}}]}}]}});
        let record = crate::test_trail::with(
            crate::test_trail::call(
                "2024-03-04T10:00:00Z",
                "ec2",
                "RunInstances",
                "203.0.113.9",
                &crate::test_trail::iam_user("u", "AKIAEXAMPLE0000000001"),
            ),
            serde_json::json!({"responseElements": resp}),
        );
        let ev = &crate::test_trail::events(&[record])[0];
        let c = Candidate::of(ev, false);
        let nets = launch_networks([c]);
        let net = &nets["i-1"];
        assert_eq!(net.interfaces, ["eni-1"]);
        let addrs: Vec<String> = net.addresses.iter().map(|a| a.to_string()).collect();
        assert_eq!(addrs, ["10.0.1.5", "10.0.1.6", "2001:db8::10"]);
    }

    #[test]
    fn identities_match_users_roles_and_sessions() {
        let f = Facts {
            users: ["arn:aws:iam::1:user/backdoor".to_owned()].into(),
            roles: ["evil".to_owned()].into(),
            sessions: ["Admin/x".to_owned()].into(),
            compromised: ["arn:aws:iam::1:user/ci".to_owned()].into(),
            ..Facts::default()
        };
        assert!(f.attacker_identity("arn:aws:iam::1:user/backdoor"));
        assert!(f.attacker_identity("arn:aws:sts::1:assumed-role/evil/any"));
        assert!(f.attacker_identity("arn:aws:sts::1:assumed-role/Admin/x"));
        assert!(!f.attacker_identity("arn:aws:sts::1:assumed-role/Admin/y"));
        assert!(!f.attacker_identity("arn:aws:iam::1:user/ci"));
        assert!(f.compromised_principal("arn:aws:iam::1:user/ci"));
    }
}
