//! Following the attacker: from the first attacker event and its sources to every key, user,
//! role and address the attacker created or used, repeated until nothing new is learned. With
//! no departure, the same following from the named subject's first event, by identity only:
//! the subject's own events and what it created are "the activity", unattributed.

use std::collections::{BTreeMap, HashSet};
use std::io;

use cloudcase_read::Files;
use serde_json::Value;

use super::common::sv;
use super::Claim;
use crate::net::network_of;
use crate::scan::{Candidate, KeySource, Pass2, Subject, SESSION_CALLS};

/// Identity types whose temporary (`ASIA…`) keys come from a console sign-in (or
/// `GetSessionToken`): a user's or the root's session, held by whoever signed in.
const USER_SESSION_KINDS: &[&str] = &["IAMUser", "Root"];

/// The attacker's identities and sources, found transitively.
#[derive(Debug, Default)]
pub(crate) struct Attacker {
    /// Access keys: created with `CreateAccessKey`, session keys of attacker sessions, and
    /// temporary keys of users' and the root's sessions (console sign-ins) the attacker used.
    pub keys: HashSet<String>,
    /// Temporary keys of user and root sessions the attacker used that no session call created
    /// (console sign-ins), with the ARN of the identity they belong to.
    pub user_sessions: BTreeMap<String, String>,
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
    /// Whether the subject's own events are the attacker's: the subject is an address range,
    /// or (no departure) its activity is followed unattributed.
    indicator: bool,
    /// Whether events are attributed by source address too (false when following a named
    /// subject's activity with no departure: its addresses may be shared with others).
    by_source: bool,
    /// The subject's key (`--access-key`): attributed by source, never learned as a whole.
    subject_key: Option<String>,
    /// Temporary keys also used from the subject's usual networks or `--owner-ip` ranges in the
    /// window: their owner holds them too, so they are never learned as user-session keys.
    shared_keys: HashSet<String>,
}

fn role_name_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

impl Attacker {
    /// Whether a candidate event is the attacker's, given what is known so far.
    pub fn is_attacker(&self, c: &Candidate, owner: &dyn Fn(&str) -> bool) -> bool {
        let ip = c.ip.as_deref().unwrap_or("");
        if self.by_source && owner(ip) {
            return false;
        }
        if self.by_source && self.ips.contains(ip) {
            return true;
        }
        if c.subject {
            return self.indicator;
        }
        if let Some(k) = c
            .who
            .key
            .as_deref()
            .filter(|k| self.compromised.contains(*k))
        {
            return network_of(ip).is_some() && !self.known.contains(&KeySource::new(k, ip));
        }
        if c.who.key.as_deref().is_some_and(|k| self.keys.contains(k)) {
            return true;
        }
        if c.who.kind.as_deref() == Some("IAMUser")
            && c.who
                .user
                .as_deref()
                .is_some_and(|u| self.users.contains(u))
        {
            return true;
        }
        if c.who.kind.as_deref() == Some("AssumedRole")
            && c.who
                .issuer
                .as_deref()
                .is_some_and(|r| self.roles.contains(r))
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
        if !self.by_source {
            return self.keys.contains(key);
        }
        !owner(ip) && (self.ips.contains(ip) || self.keys.contains(key))
    }

    /// Whether a (key, source) use in the window counts for the attacker's sources: every use
    /// of an attacker address, or (following by identity only) every use of an attacker key.
    pub fn source_use(&self, key: &str, ip: &str) -> bool {
        if self.by_source {
            self.ips.contains(ip)
        } else {
            self.keys.contains(key) && network_of(ip).is_some()
        }
    }

    /// Whether a (key, source) use in the window is kept for the document: every use of an
    /// attacker key (where it was used from, the owner's sources included) and every use from
    /// an attacker address. Every use [`Attacker::uses`] or [`Attacker::source_use`] accepts
    /// is among them, and so is every use of a key the attacker's events created or opened
    /// (the follow learned each of them).
    pub fn reported_use(&self, key: &str, ip: &str) -> bool {
        self.keys.contains(key) || (self.by_source && self.ips.contains(ip))
    }

    /// Learns the source of a (key, source) use of an attacker key, or of a compromised key from
    /// an address it had not used before the first attacker event (never an owner's address or
    /// a non-address); true if the source is new.
    fn learn_source(&mut self, used: &KeySource, owner: &dyn Fn(&str) -> bool) -> bool {
        let (key, ip) = (&*used.key, &*used.ip);
        let new_source_of_compromised =
            self.compromised.contains(key) && !self.known.contains(used);
        (new_source_of_compromised || self.keys.contains(key))
            && !owner(ip)
            && network_of(ip).is_some()
            && self.ips.insert(ip.to_string())
    }

    /// Applies the effects of an attacker event; true if anything was learned.
    fn learn(&mut self, c: &Candidate) -> bool {
        let mut grew = false;
        if let Some(ip) = c.ip.as_deref() {
            if self.by_source && network_of(ip).is_some() {
                grew |= self.ips.insert(ip.to_owned());
            }
        }
        if c.error.is_some() {
            return grew;
        }
        grew |= self.learn_session_key(c);
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

    /// Learns the key of an attacker event made with a temporary key of a user's or the root's
    /// session (a console sign-in: `sessionCredentialFromConsole`; never the subject key
    /// itself), or, when the subject's own events are the activity, any key of the subject.
    /// True if the key is new.
    fn learn_session_key(&mut self, c: &Candidate) -> bool {
        let Some(key) = c.who.key.as_deref().filter(|k| !k.is_empty()) else {
            return false;
        };
        if self.by_source && self.subject_key.as_deref() == Some(key) {
            return false;
        }
        let user_session = key.starts_with("ASIA")
            && !self.shared_keys.contains(key)
            && c.who
                .kind
                .as_deref()
                .is_some_and(|k| USER_SESSION_KINDS.contains(&k));
        // Keys of `GetSessionToken` sessions are known from the call by the time they are used.
        if user_session && !self.keys.contains(key) {
            let arn = c.who.arn.as_deref().unwrap_or("");
            self.user_sessions
                .entry(key.to_owned())
                .or_insert_with(|| arn.to_owned());
        }
        let activity = !self.by_source && c.subject;
        (user_session || activity) && self.keys.insert(key.to_owned())
    }
}

/// Temporary keys used in the window from one of the subject's usual `networks` or from an
/// `--owner-ip` range.
fn shared_session_keys(
    window: &Pass2,
    networks: &[String],
    owner: &dyn Fn(&str) -> bool,
) -> io::Result<HashSet<String>> {
    let usual: HashSet<&str> = networks.iter().map(String::as_str).collect();
    let mut keys = HashSet::new();
    window.key_use.for_each_key(|k| {
        let shared = owner(&k.ip) || network_of(&k.ip).is_some_and(|n| usual.contains(n.as_str()));
        if k.key.starts_with("ASIA") && shared && !keys.contains(&*k.key) {
            keys.insert(k.key.to_string());
        }
    })?;
    Ok(keys)
}

/// Follows the attacker through the window's candidate events and (key, source) uses.
/// With no departure, the named subject's activity is followed instead, by identity only.
/// Fails only if the key uses cannot be read back from their temporary storage.
pub(crate) fn follow(
    window: &Pass2,
    files: &dyn Files,
    claim: Claim<'_>,
    subject: &Subject,
    owner: &dyn Fn(&str) -> bool,
) -> io::Result<Attacker> {
    let subject_key = match subject {
        Subject::AccessKey(k) => Some(k.clone()),
        _ => None,
    };
    let mut attacker = match claim {
        Claim::Intrusion(intrusion) => Attacker {
            ips: intrusion.attacker_ips.clone(),
            indicator: matches!(subject, Subject::Ip(_)),
            by_source: true,
            subject_key,
            shared_keys: shared_session_keys(window, &intrusion.history_networks, owner)?,
            ..Attacker::default()
        },
        Claim::Unattributed { .. } => Attacker {
            indicator: true,
            by_source: false,
            subject_key,
            ..Attacker::default()
        },
    };
    // The subject's own events are attributed by source, not by key: its owner may still use it.
    if attacker.indicator && attacker.by_source {
        let mut compromised = HashSet::new();
        window.key_use.for_each_key(|k| {
            if k.key.starts_with("AKIA") && attacker.ips.contains(&*k.ip) {
                compromised.insert(k.key.to_string());
            }
        })?;
        attacker.compromised = compromised;
        attacker.known = window
            .key_ip_before
            .iter()
            .filter(|k| attacker.compromised.contains(&*k.key))
            .cloned()
            .collect();
    }
    for _ in 0..16 {
        let mut grew = false;
        if attacker.by_source {
            window
                .key_use
                .for_each_key(|used| grew |= attacker.learn_source(used, owner))?;
        }
        for c in window.candidates.iter(files) {
            if attacker.is_attacker(&c, owner) {
                grew |= attacker.learn(&c);
            }
        }
        if !grew {
            break;
        }
    }
    Ok(attacker)
}
