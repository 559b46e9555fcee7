//! What the case's recorded scope result attributes to the attacker, to leave out of policies.

use std::collections::BTreeSet;

use cloudcase_event::Event;
use cloudcase_model::scope::{Intrusion, RecordRef, RoleOrigin};
use cloudcase_model::ScopeResult;
use serde::Serialize;

/// An identity the attacker created, to remove.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedIdentity {
    /// `user`, `access_key` or `role`.
    pub kind: &'static str,
    /// Its name (user, role) or key id.
    pub name: String,
    /// When it was created, RFC 3339 UTC.
    pub created: String,
    /// The record that created it.
    pub refs: Vec<RecordRef>,
}

/// The attacker's sources, keys and identities from a scope result; events matching them are
/// dropped. Without a scope result nothing is dropped ([`Exclusion::none`]).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Exclusion {
    /// Whether a scope result was read (`false`: no exclusion was applied).
    pub applied: bool,
    /// Attacker source addresses (`attacker_sources`).
    pub sources: BTreeSet<String>,
    /// Keys only the attacker used (the followed keys other than the compromised one,
    /// whose owner's own calls are kept).
    pub access_keys: BTreeSet<String>,
    /// The compromised credential (its owner's calls from other sources stay in).
    pub compromised: Vec<String>,
    /// Users, keys and roles the attacker created.
    pub created: Vec<CreatedIdentity>,
    /// First and last attacker event, RFC 3339 UTC (`""` when unknown).
    pub window: [String; 2],
}

impl Exclusion {
    /// No exclusion (plain inputs, no recorded scope).
    pub fn none() -> Exclusion {
        Exclusion::default()
    }

    /// The exclusion a scope result defines.
    pub fn from_scope(s: &ScopeResult) -> Exclusion {
        let ids = &s.identities;
        let mut compromised: Vec<String> = Vec::new();
        if let Some(c) = &ids.compromised {
            compromised.push(c.subject.clone());
            compromised.extend(c.access_keys.iter().cloned());
        }
        let access_keys = ids
            .attacker_access_keys
            .iter()
            .filter(|k| !compromised.contains(k))
            .cloned()
            .collect();
        let mut created = Vec::new();
        for u in &ids.users {
            created.push(CreatedIdentity {
                kind: "user",
                name: u.name.clone(),
                created: u.created.clone(),
                refs: u.refs.clone(),
            });
        }
        for k in &ids.access_keys {
            created.push(CreatedIdentity {
                kind: "access_key",
                name: k.access_key.clone(),
                created: k.created.clone(),
                refs: k.refs.clone(),
            });
        }
        for r in ids
            .roles
            .iter()
            .filter(|r| r.origin == RoleOrigin::AttackerCreated)
        {
            created.push(CreatedIdentity {
                kind: "role",
                name: r.name.clone(),
                created: r.time.clone(),
                refs: r.refs.clone(),
            });
        }
        let window = match &s.intrusion {
            Intrusion::Found(d) => [
                d.first_attacker_event.clone(),
                d.last_attacker_event.clone().unwrap_or_default(),
            ],
            Intrusion::NoDeparture(n) => [
                n.first_attacker_event.clone().unwrap_or_default(),
                String::new(),
            ],
        };
        Exclusion {
            applied: true,
            sources: s.attacker_sources.iter().map(|u| u.ip.clone()).collect(),
            access_keys,
            compromised,
            created,
            window,
        }
    }

    /// Whether `name` (a user or role name) is an identity the attacker created.
    pub fn created_identity(&self, name: &str) -> bool {
        self.created
            .iter()
            .any(|c| c.kind != "access_key" && c.name == name)
    }

    /// Whether scope attributes `e` to the attacker: made from an attacker source, with a key
    /// only the attacker used, or by an identity the attacker created.
    pub fn is_attacker(&self, e: &Event) -> bool {
        if !self.applied {
            return false;
        }
        let id = &e.identity;
        e.source_ip
            .as_ref()
            .is_some_and(|ip| self.sources.contains(ip))
            || id
                .access_key_id
                .as_ref()
                .is_some_and(|k| self.access_keys.contains(k))
            || id
                .user_name
                .as_deref()
                .is_some_and(|n| self.created_identity(n))
            || id
                .session_issuer_name
                .as_deref()
                .is_some_and(|n| self.created_identity(n))
    }
}
