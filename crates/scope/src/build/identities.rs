//! The identity graph: users, login profiles, access keys, roles and sessions the attacker
//! created or changed, what each was granted, and what happened to them later.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::json::{actor, cand_ref, sv, time, use_json};
use super::Ctx;
use crate::policy::trust_principals;
use crate::scan::{Cand, SESSION_CALLS};

/// Identity events itemised here (others by the attacker go to `other_attacker_changes`).
const ITEMISED: &[&str] = &[
    "CreateUser",
    "CreateAccessKey",
    "CreateLoginProfile",
    "UpdateLoginProfile",
    "CreateRole",
    "UpdateAssumeRolePolicy",
    "AttachUserPolicy",
    "PutUserPolicy",
    "AttachRolePolicy",
    "PutRolePolicy",
];

/// Whether an event name is itemised by this section.
pub(crate) fn handles(name: &str) -> bool {
    ITEMISED.contains(&name) || SESSION_CALLS.contains(&name)
}

/// The attacker's identities, keyed by name (JSON objects as documented in the README).
#[derive(Debug, Default)]
pub(crate) struct Identities {
    /// Users by name.
    pub users: BTreeMap<String, Value>,
    /// Access keys by id.
    pub keys: BTreeMap<String, Value>,
    /// Roles by name.
    pub roles: BTreeMap<String, Value>,
    /// Sessions, in time order.
    pub sessions: Vec<Value>,
}

/// Where a key was used from, in the window.
fn used_from(ctx: &Ctx<'_>, key: &str) -> Vec<Value> {
    ctx.p2
        .key_use
        .iter()
        .filter(|((k, _), _)| !key.is_empty() && **k == *key)
        .map(|((_, ip), u)| use_json(ip, u))
        .collect()
}

fn push_to(target: Option<&mut Value>, field: &str, entry: Value) {
    if let Some(a) = target.and_then(|t| t[field].as_array_mut()) {
        a.push(entry);
    }
}

impl Identities {
    /// Collects the identities from the attacker's successful events.
    pub fn collect(ctx: &Ctx<'_>) -> Identities {
        let mut ids = Identities::default();
        for c in ctx.attacker_events() {
            ids.add(ctx, c);
        }
        ids
    }

    fn add(&mut self, ctx: &Ctx<'_>, c: &Cand) {
        let (req, resp) = (c.req_json(), c.resp_json());
        let r = cand_ref(c);
        let at = time(c.ptr.ms);
        match &*c.name {
            "CreateUser" => {
                let name = sv(&req, "/userName").unwrap_or("").to_owned();
                self.users.insert(name.clone(), json!({"name": name, "created": at, "by": actor(c), "arn": sv(&resp, "/user/arn"), "login_profile": Value::Null, "policies": [], "deleted": Value::Null, "refs": r}));
            }
            "CreateAccessKey" => {
                let id = sv(&resp, "/accessKey/accessKeyId").unwrap_or("").to_owned();
                let user = sv(&req, "/userName").or(c.user.as_deref()).unwrap_or("");
                self.keys.insert(id.clone(), json!({"access_key": id, "user": user, "created": at, "by": actor(c), "used_from": used_from(ctx, &id), "status_changes": [], "refs": r}));
            }
            "CreateLoginProfile" | "UpdateLoginProfile" => {
                if let Some(u) = sv(&req, "/userName").and_then(|n| self.users.get_mut(n)) {
                    u["login_profile"] = json!({"event": &*c.name, "time": at, "refs": r});
                }
            }
            "CreateRole" | "UpdateAssumeRolePolicy" => {
                let name = sv(&req, "/roleName").unwrap_or("").to_owned();
                let doc = sv(&req, "/assumeRolePolicyDocument")
                    .or(sv(&req, "/policyDocument"))
                    .unwrap_or("");
                let origin = if &*c.name == "CreateRole" {
                    "attacker_created"
                } else {
                    "backdoored"
                };
                self.roles.insert(name.clone(), json!({"name": name, "origin": origin, "time": at, "by": actor(c), "trust": trust_principals(doc), "policies": [], "deleted": Value::Null, "refs": r}));
            }
            "AttachUserPolicy" | "PutUserPolicy" | "AttachRolePolicy" | "PutRolePolicy" => {
                let pol = sv(&req, "/policyArn")
                    .or(sv(&req, "/policyName"))
                    .unwrap_or("");
                let entry = json!({"policy": pol, "event": &*c.name, "time": at, "refs": r});
                let user = sv(&req, "/userName").and_then(|n| self.users.get_mut(n));
                push_to(user, "policies", entry.clone());
                let role = sv(&req, "/roleName").and_then(|n| self.roles.get_mut(n));
                push_to(role, "policies", entry);
            }
            n if SESSION_CALLS.contains(&n) => {
                let key = sv(&resp, "/accessKeyId").unwrap_or("").to_owned();
                self.sessions.push(json!({
                    "event": n, "time": at, "by": actor(c),
                    "role_arn": sv(&req, "/roleArn"),
                    "role_session_name": sv(&req, "/roleSessionName"),
                    "source_identity": sv(&req, "/sourceIdentity"),
                    "federated_name": sv(&req, "/name"),
                    "session_access_key": if key.is_empty() { Value::Null } else { Value::from(key.clone()) },
                    "used_from": used_from(ctx, &key),
                    "refs": r,
                }));
            }
            _ => {}
        }
    }

    /// Records a later change to an attacker identity (by anyone): deletion, key status.
    pub fn apply_lifecycle(&mut self, c: &Cand, attribution: &str) {
        let req = c.req_json();
        let deleted = || json!({"time": time(c.ptr.ms), "refs": cand_ref(c)});
        match &*c.name {
            "DeleteUser" => {
                if let Some(u) = sv(&req, "/userName").and_then(|n| self.users.get_mut(n)) {
                    u["deleted"] = deleted();
                }
            }
            "DeleteRole" => {
                if let Some(u) = sv(&req, "/roleName").and_then(|n| self.roles.get_mut(n)) {
                    u["deleted"] = deleted();
                }
            }
            "UpdateAccessKey" | "DeleteAccessKey" => {
                let key = sv(&req, "/accessKeyId").and_then(|n| self.keys.get_mut(n));
                let entry = json!({"event": &*c.name, "status": sv(&req, "/status"), "time": time(c.ptr.ms), "by": attribution, "refs": cand_ref(c)});
                push_to(key, "status_changes", entry);
            }
            _ => {}
        }
    }
}
