//! Who made each change that is not the attacker's — the responder, the owner, or someone else —
//! so that containment work is never counted against the attacker; and the permission-change
//! timeline.

use std::collections::{BTreeSet, HashSet};

use cloudcase_model::scope::{
    Attribution, PermissionChange, ResponderAction, ResponderAttribution,
};

use super::common::{actor, candidate_ref, sv, time};
use super::Ctx;
use crate::scan::{is_resource_policy_change, Candidate};

/// Why a change by the subject itself is not the attacker's: routine use from its usual networks
/// (kept out of `responder_actions`, counted under `intrusion.owner_changes_after`).
pub(crate) const OWNER_USE: &str = "the compromised credential, used from its usual networks";

/// Request fields that name the target of a permission change, in display order.
const TARGET_FIELDS: &[&str] = &[
    "/userName",
    "/roleName",
    "/groupName",
    "/policyArn",
    "/bucketName",
    "/keyId",
    "/functionName",
    "/secretId",
    "/accessKeyId",
];

/// Attribution of non-attacker changes.
pub(crate) struct Attributor<'a> {
    /// Names and ids of every attacker identity and resource.
    attacker_ids: BTreeSet<String>,
    /// User names of the compromised principal.
    compromised: BTreeSet<String>,
    /// Principals that acted on attacker identities or resources (responders).
    responders: HashSet<&'a str>,
    owner: &'a dyn Fn(&str) -> bool,
}

fn names_any(c: &Candidate, set: &BTreeSet<String>) -> bool {
    set.iter()
        .any(|id| !id.is_empty() && c.req.contains(&format!("\"{id}\"")))
}

impl<'a> Attributor<'a> {
    /// Builds the attributor from the attacker's identities and resources.
    pub fn new(ctx: &Ctx<'a>, resource_names: Vec<String>) -> Attributor<'a> {
        let mut attacker_ids: BTreeSet<String> = ctx.attacker.keys.iter().cloned().collect();
        attacker_ids.extend(ctx.attacker.users.iter().cloned());
        attacker_ids.extend(ctx.attacker.roles.iter().cloned());
        attacker_ids.extend(resource_names);
        if ctx.subject_is_key() {
            attacker_ids.insert(ctx.subject_key.to_owned());
        }
        let compromised = ctx.compromised_users();
        let owner = ctx.owner;
        let responders = ctx
            .attributed
            .iter()
            .filter(|a| {
                let c = a.candidate;
                !a.attacker
                    && c.read_only != Some(true)
                    && (names_any(c, &attacker_ids) || c.ip.as_deref().is_some_and(owner))
            })
            .filter_map(|a| a.candidate.arn.as_deref())
            .collect();
        Attributor {
            attacker_ids,
            compromised,
            responders,
            owner,
        }
    }

    /// (attribution, why) of a candidate event.
    pub fn classify(&self, c: &Candidate, is_attacker: bool) -> (Attribution, &'static str) {
        if is_attacker {
            (Attribution::Attacker, "")
        } else if names_any(c, &self.attacker_ids) {
            (Attribution::Responder, "acts on an attacker identity or resource, from a source not attributed to the attacker")
        } else if c.ip.as_deref().is_some_and(self.owner) {
            (Attribution::Responder, "from an --owner-ip range")
        } else if names_any(c, &self.compromised)
            && c.arn
                .as_deref()
                .is_some_and(|a| self.responders.contains(a))
        {
            (Attribution::Responder, "acts on the compromised principal; the same principal acted on attacker identities or resources")
        } else if names_any(c, &self.compromised) {
            (
                Attribution::Owner,
                "changes the compromised principal, from a source not attributed to the attacker",
            )
        } else if c.subject && c.read_only != Some(true) {
            (Attribution::Owner, OWNER_USE)
        } else {
            (Attribution::Other, "")
        }
    }
}

/// `responder_actions[]` entry when the event is a responder's or owner's change.
pub(crate) fn responder_action(
    c: &Candidate,
    attribution: Attribution,
    why: &str,
) -> Option<ResponderAction> {
    let who = match attribution {
        Attribution::Responder => ResponderAttribution::Responder,
        Attribution::Owner => ResponderAttribution::Owner,
        Attribution::Attacker | Attribution::Other => return None,
    };
    if why == OWNER_USE || c.read_only == Some(true) {
        return None;
    }
    Some(ResponderAction {
        time: time(c.ptr.ms),
        event: c.name.to_string(),
        service: c.service.to_string(),
        region: c.region.to_string(),
        attribution: who,
        why: why.to_owned(),
        by: actor(c),
        error: c.error.as_deref().map(str::to_owned),
        refs: candidate_ref(c),
    })
}

/// The permission-change timeline: mutating IAM/Organizations calls and resource-policy changes
/// in the window, in time order, attributed.
pub(crate) fn permission_changes(ctx: &Ctx<'_>, who: &Attributor<'_>) -> Vec<PermissionChange> {
    let mut out = Vec::new();
    for a in &ctx.attributed {
        let c = a.candidate;
        let perm = (matches!(&*c.service, "iam" | "organizations") && c.read_only != Some(true))
            || is_resource_policy_change(&c.service, &c.name);
        if !perm {
            continue;
        }
        let req = c.req_json();
        let target: Vec<&str> = TARGET_FIELDS.iter().filter_map(|p| sv(&req, p)).collect();
        out.push(PermissionChange {
            time: time(c.ptr.ms),
            event: c.name.to_string(),
            service: c.service.to_string(),
            target: target.join(" "),
            attribution: who.classify(c, a.attacker).0,
            by: actor(c),
            error: c.error.as_deref().map(str::to_owned),
            refs: candidate_ref(c),
        });
    }
    out
}
