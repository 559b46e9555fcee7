//! The identity graph: users, login profiles, access keys, roles and sessions (console sign-ins
//! included) the attacker created or changed, what each was granted, and what happened to them
//! later.

use std::collections::BTreeMap;

use cloudcase_model::scope::{
    AccessKey, Attribution, KeyStatusChange, LoginProfileChange, Occurrence, PolicyGrant, Role,
    RoleOrigin, Session, SourceUse, User,
};

use super::common::{actor, candidate_ref, source_use, sv, time};
use super::Ctx;
use crate::policy::trust_principals;
use crate::scan::{Candidate, SESSION_CALLS};

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
    "ConsoleLogin",
];

/// Whether an event name is itemised by this section.
pub(crate) fn handles(name: &str) -> bool {
    ITEMISED.contains(&name) || SESSION_CALLS.contains(&name)
}

/// The attacker's identities, keyed by name.
#[derive(Debug, Default)]
pub(crate) struct Identities {
    /// Users by name.
    pub users: BTreeMap<String, User>,
    /// Access keys by id.
    pub keys: BTreeMap<String, AccessKey>,
    /// Roles by name.
    pub roles: BTreeMap<String, Role>,
    /// Sessions, in time order.
    pub sessions: Vec<Session>,
}

/// Where a key was used from in the window, in order of first use.
fn used_from(ctx: &Ctx<'_>, key: &str) -> Vec<SourceUse> {
    if key.is_empty() {
        return Vec::new();
    }
    let mut uses: Vec<_> = ctx.key_use.iter().filter(|(k, _)| *k.key == *key).collect();
    uses.sort_by_key(|(k, u)| (u.first.key(), k.ip.clone()));
    uses.into_iter()
        .map(|(k, u)| source_use(&k.ip, u))
        .collect()
}

/// The temporary key of the console session a successful sign-in opened: of the keys of user
/// and root sessions followed, one of the same identity first used from the sign-in's address
/// at or after it (the earliest such).
fn console_session_key(ctx: &Ctx<'_>, login: &Candidate) -> Option<String> {
    let arn = login.who.arn.as_deref()?;
    let ip = login.ip.as_deref().unwrap_or("");
    ctx.attacker
        .user_sessions
        .iter()
        .filter(|(_, of)| of.as_str() == arn)
        .filter_map(|(key, _)| {
            ctx.key_use
                .iter()
                .filter(|(k, _)| *k.key == **key && *k.ip == *ip)
                .map(|(_, u)| u.first.key())
                .min()
                .map(|first| (first, key))
        })
        .filter(|(first, _)| first.0 >= login.ptr.ms)
        .min()
        .map(|(_, key)| key.clone())
}

/// The deletion of an identity or resource by a candidate event.
pub(crate) fn occurrence(c: &Candidate) -> Occurrence {
    Occurrence {
        time: time(c.ptr.ms),
        refs: candidate_ref(c),
    }
}

fn owned(v: Option<&str>) -> Option<String> {
    v.map(str::to_owned)
}

impl Identities {
    /// Collects the identities from the attacker's successful events.
    pub fn collect(ctx: &Ctx<'_>) -> Identities {
        let mut ids = Identities::default();
        for c in ctx.attacker_events() {
            ids.add(ctx, &c);
        }
        ids
    }

    fn add(&mut self, ctx: &Ctx<'_>, c: &Candidate) {
        let (req, resp) = (c.req_json(), c.resp_json());
        let at = time(c.ptr.ms);
        match &*c.name {
            "CreateUser" => {
                let name = sv(&req, "/userName").unwrap_or("").to_owned();
                let user = User {
                    name: name.clone(),
                    arn: owned(sv(&resp, "/user/arn")),
                    created: at,
                    by: actor(c),
                    login_profile: None,
                    policies: Vec::new(),
                    deleted: None,
                    refs: candidate_ref(c),
                    now: None,
                };
                self.users.insert(name, user);
            }
            "CreateAccessKey" => {
                let id = sv(&resp, "/accessKey/accessKeyId").unwrap_or("").to_owned();
                let user = sv(&req, "/userName")
                    .or(c.who.user.as_deref())
                    .unwrap_or("");
                let key = AccessKey {
                    access_key: id.clone(),
                    user: user.to_owned(),
                    created: at,
                    by: actor(c),
                    used_from: used_from(ctx, &id),
                    status_changes: Vec::new(),
                    refs: candidate_ref(c),
                    now: None,
                };
                self.keys.insert(id, key);
            }
            "CreateLoginProfile" | "UpdateLoginProfile" => {
                if let Some(u) = sv(&req, "/userName").and_then(|n| self.users.get_mut(n)) {
                    u.login_profile = Some(LoginProfileChange {
                        event: c.name.to_string(),
                        time: at,
                        refs: candidate_ref(c),
                    });
                }
            }
            "CreateRole" | "UpdateAssumeRolePolicy" => {
                let name = sv(&req, "/roleName").unwrap_or("").to_owned();
                let doc = sv(&req, "/assumeRolePolicyDocument")
                    .or(sv(&req, "/policyDocument"))
                    .unwrap_or("");
                let origin = if &*c.name == "CreateRole" {
                    RoleOrigin::AttackerCreated
                } else {
                    RoleOrigin::Backdoored
                };
                let role = Role {
                    name: name.clone(),
                    origin,
                    time: at,
                    by: actor(c),
                    trust: trust_principals(doc),
                    policies: Vec::new(),
                    deleted: None,
                    refs: candidate_ref(c),
                    now: None,
                };
                self.roles.insert(name, role);
            }
            "AttachUserPolicy" | "PutUserPolicy" | "AttachRolePolicy" | "PutRolePolicy" => {
                let grant = PolicyGrant {
                    policy: sv(&req, "/policyArn")
                        .or(sv(&req, "/policyName"))
                        .unwrap_or("")
                        .to_owned(),
                    event: c.name.to_string(),
                    time: at,
                    refs: candidate_ref(c),
                };
                if let Some(u) = sv(&req, "/userName").and_then(|n| self.users.get_mut(n)) {
                    u.policies.push(grant.clone());
                }
                if let Some(r) = sv(&req, "/roleName").and_then(|n| self.roles.get_mut(n)) {
                    r.policies.push(grant);
                }
            }
            "ConsoleLogin" if sv(&resp, "/ConsoleLogin") == Some("Success") => {
                let key = console_session_key(ctx, c);
                self.sessions.push(Session {
                    event: c.name.to_string(),
                    time: at,
                    by: actor(c),
                    role_arn: None,
                    role_session_name: None,
                    source_identity: None,
                    federated_name: None,
                    used_from: key
                        .as_deref()
                        .map(|k| used_from(ctx, k))
                        .unwrap_or_default(),
                    session_access_key: key,
                    refs: candidate_ref(c),
                });
            }
            n if SESSION_CALLS.contains(&n) => {
                let key = sv(&resp, "/accessKeyId").unwrap_or("").to_owned();
                self.sessions.push(Session {
                    event: n.to_owned(),
                    time: at,
                    by: actor(c),
                    role_arn: owned(sv(&req, "/roleArn")),
                    role_session_name: owned(sv(&req, "/roleSessionName")),
                    source_identity: owned(sv(&req, "/sourceIdentity")),
                    federated_name: owned(sv(&req, "/name")),
                    used_from: used_from(ctx, &key),
                    session_access_key: (!key.is_empty()).then_some(key),
                    refs: candidate_ref(c),
                });
            }
            _ => {}
        }
    }

    /// Records a later change to an attacker identity (by anyone): deletion, key status.
    pub fn apply_lifecycle(&mut self, c: &Candidate, attribution: Attribution) {
        let req = c.req_json();
        match &*c.name {
            "DeleteUser" => {
                if let Some(u) = sv(&req, "/userName").and_then(|n| self.users.get_mut(n)) {
                    u.deleted = Some(occurrence(c));
                }
            }
            "DeleteRole" => {
                if let Some(r) = sv(&req, "/roleName").and_then(|n| self.roles.get_mut(n)) {
                    r.deleted = Some(occurrence(c));
                }
            }
            "UpdateAccessKey" | "DeleteAccessKey" => {
                if let Some(k) = sv(&req, "/accessKeyId").and_then(|n| self.keys.get_mut(n)) {
                    k.status_changes.push(KeyStatusChange {
                        event: c.name.to_string(),
                        status: owned(sv(&req, "/status")),
                        time: time(c.ptr.ms),
                        by: attribution,
                        refs: candidate_ref(c),
                    });
                }
            }
            _ => {}
        }
    }
}
