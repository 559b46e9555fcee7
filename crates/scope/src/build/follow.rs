//! Following the attacker: from the first attacker event and its sources to every key, user,
//! role and address the attacker created or used, repeated until nothing new is learned.

use std::collections::HashSet;

use serde_json::Value;

use super::common::sv;
use crate::intrusion::Intrusion;
use crate::net::network_of;
use crate::scan::{Candidate, KeySource, Pass2, Subject, SESSION_CALLS};

/// The attacker's identities and sources, found transitively.
#[derive(Debug, Default)]
pub(crate) struct Attacker {
    /// Access keys: created with `CreateAccessKey`, or session keys of attacker sessions.
    pub keys: HashSet<String>,
    /// Source addresses.
    pub ips: HashSet<String>,
    /// IAM users created by the attacker.
    pub users: HashSet<String>,
    /// Roles created or backdoored by the attacker.
    pub roles: HashSet<String>,
    /// Long-term keys used from the indicator range (`--ip`): their other calls are the
    /// attacker's only from sources the key had not used before the first attacker event.
    compromised: HashSet<String>,
    /// (key, source) pairs of compromised keys seen before the first attacker event.
    known: HashSet<KeySource>,
    /// Whether the subject is an address range (its own events are then the attacker's).
    indicator: bool,
}

fn role_name_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

impl Attacker {
    /// Whether a candidate event is the attacker's, given what is known so far.
    pub fn is_attacker(&self, c: &Candidate, owner: &dyn Fn(&str) -> bool) -> bool {
        let ip = c.ip.as_deref().unwrap_or("");
        if owner(ip) {
            return false;
        }
        if self.ips.contains(ip) {
            return true;
        }
        if c.subject {
            return self.indicator;
        }
        if let Some(k) = c.key.as_deref().filter(|k| self.compromised.contains(*k)) {
            return network_of(ip).is_some() && !self.known.contains(&KeySource::new(k, ip));
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
        if SESSION_CALLS.contains(&&*c.name) {
            if let Some(arn) = sv(&c.req_json(), "/roleArn") {
                return self.roles.contains(role_name_of(arn));
            }
        }
        false
    }

    /// Whether a (key, source) use in the window is the attacker's.
    pub fn uses(&self, key: &str, ip: &str, owner: &dyn Fn(&str) -> bool) -> bool {
        !owner(ip) && (self.ips.contains(ip) || self.keys.contains(key))
    }

    /// Applies the effects of an attacker event; true if anything was learned.
    fn learn(&mut self, c: &Candidate) -> bool {
        let mut grew = false;
        if let Some(ip) = c.ip.as_deref() {
            if network_of(ip).is_some() {
                grew |= self.ips.insert(ip.to_owned());
            }
        }
        if c.error.is_some() {
            return grew;
        }
        let (req, resp) = (c.req_json(), c.resp_json());
        let learned: Option<(&mut HashSet<String>, &Value, &str)> = match &*c.name {
            "CreateUser" => Some((&mut self.users, &req, "/userName")),
            "CreateAccessKey" => Some((&mut self.keys, &resp, "/accessKey/accessKeyId")),
            "CreateRole" | "UpdateAssumeRolePolicy" => Some((&mut self.roles, &req, "/roleName")),
            n if SESSION_CALLS.contains(&n) => Some((&mut self.keys, &resp, "/accessKeyId")),
            _ => None,
        };
        if let Some((set, v, path)) = learned {
            if let Some(x) = sv(v, path) {
                grew |= set.insert(x.to_owned());
            }
        }
        grew
    }
}

/// Follows the attacker through the window's candidate events and (key, source) uses.
pub(crate) fn follow(
    window: &Pass2,
    intrusion: &Intrusion,
    subject: &Subject,
    owner: &dyn Fn(&str) -> bool,
) -> Attacker {
    let indicator = matches!(subject, Subject::Ip(_));
    let mut attacker = Attacker {
        ips: intrusion.attacker_ips.clone(),
        indicator,
        ..Attacker::default()
    };
    // The subject's own events are attributed by source, not by key: its owner may still use it.
    if indicator {
        attacker.compromised = window
            .key_use
            .keys()
            .filter(|k| k.key.starts_with("AKIA") && attacker.ips.contains(&*k.ip))
            .map(|k| k.key.to_string())
            .collect();
        attacker.known = window
            .key_ip_before
            .iter()
            .filter(|k| attacker.compromised.contains(&*k.key))
            .cloned()
            .collect();
    }
    for _ in 0..16 {
        let mut grew = false;
        for used in window.key_use.keys() {
            let (key, ip) = (&*used.key, &*used.ip);
            let new_source_of_compromised =
                attacker.compromised.contains(key) && !attacker.known.contains(used);
            if (new_source_of_compromised || attacker.keys.contains(key))
                && !owner(ip)
                && network_of(ip).is_some()
            {
                grew |= attacker.ips.insert(ip.to_string());
            }
        }
        for c in &window.candidates {
            if attacker.is_attacker(c, owner) {
                grew |= attacker.learn(c);
            }
        }
        if !grew {
            break;
        }
    }
    attacker
}
