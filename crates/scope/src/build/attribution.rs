//! Who made each change that is not the attacker's — the responder, the owner, or someone else —
//! so that containment work is never counted against the attacker; and the permission-change
//! timeline.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use aho_corasick::AhoCorasick;

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
    attacker_ids: QuotedIds,
    /// User names of the compromised principal.
    compromised: QuotedIds,
    /// Principals that acted on attacker identities or resources (responders).
    responders: HashSet<Arc<str>>,
    owner: &'a dyn Fn(&str) -> bool,
}

/// A set of ids matched as whole quoted JSON strings (`"id"`) in request parameters: one
/// automaton built once per document, one pass over each candidate's text, instead of a
/// `format!` and a substring search per candidate and id.
pub(crate) struct QuotedIds {
    /// The automaton over `patterns`; `None` only if it exceeds the builder's size limits.
    automaton: Option<AhoCorasick>,
    /// `"id"` for each non-empty id.
    patterns: Vec<String>,
}

impl QuotedIds {
    /// The matcher of the non-empty ids in `ids`.
    pub(crate) fn new<'s>(ids: impl IntoIterator<Item = &'s String>) -> QuotedIds {
        let patterns: Vec<String> = ids
            .into_iter()
            .filter(|id| !id.is_empty())
            .map(|id| format!("\"{id}\""))
            .collect();
        QuotedIds {
            automaton: AhoCorasick::new(&patterns).ok(),
            patterns,
        }
    }

    /// Whether `text` (a candidate's request parameters) names any of the ids as a whole JSON
    /// string.
    pub(crate) fn named_in(&self, text: &str) -> bool {
        match &self.automaton {
            Some(m) => m.is_match(text),
            None => self.patterns.iter().any(|p| text.contains(p.as_str())),
        }
    }
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
        let attacker_ids = QuotedIds::new(&attacker_ids);
        let compromised = QuotedIds::new(&ctx.compromised_users());
        let owner = ctx.owner;
        let responders = ctx
            .attributed()
            .filter(|a| {
                let c = &a.candidate;
                !a.attacker
                    && c.read_only != Some(true)
                    && (attacker_ids.named_in(&c.request_text())
                        || c.ip.as_deref().is_some_and(owner))
            })
            .filter_map(|a| a.candidate.who.arn.clone())
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
        } else if self.attacker_ids.named_in(&c.request_text()) {
            (Attribution::Responder, "acts on an attacker identity or resource, from a source not attributed to the attacker")
        } else if c.ip.as_deref().is_some_and(self.owner) {
            (Attribution::Responder, "from an --owner-ip range")
        } else if self.compromised.named_in(&c.request_text())
            && c.who
                .arn
                .as_deref()
                .is_some_and(|a| self.responders.contains(a))
        {
            (Attribution::Responder, "acts on the compromised principal; the same principal acted on attacker identities or resources")
        } else if self.compromised.named_in(&c.request_text()) {
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
    for a in ctx.attributed() {
        let c = &a.candidate;
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

#[cfg(test)]
mod tests {
    use super::QuotedIds;

    fn ids(v: &[&str]) -> QuotedIds {
        let owned: Vec<String> = v.iter().map(|s| (*s).to_owned()).collect();
        QuotedIds::new(&owned)
    }

    #[test]
    fn ids_match_only_as_whole_quoted_strings() {
        let m = ids(&["backdoor", "AKIAEXAMPLE"]);
        assert!(m.named_in(r#"{"userName":"backdoor"}"#));
        assert!(m.named_in(r#"{"a":["x","AKIAEXAMPLE"]}"#));
        // A prefix, a suffix or an unquoted mention is not the id.
        assert!(!m.named_in(r#"{"userName":"backdoor2"}"#));
        assert!(!m.named_in(r#"{"userName":"old-backdoor"}"#));
        assert!(!m.named_in(r#"{"note":"see backdoor here"}"#));
        // Keys count as well as values, as a substring search of the raw JSON did.
        assert!(m.named_in(r#"{"backdoor":1}"#));
    }

    #[test]
    fn empty_ids_and_empty_sets_never_match() {
        assert!(!ids(&[]).named_in(r#"{"userName":""}"#));
        assert!(!ids(&[""]).named_in(r#"{"userName":""}"#));
        assert!(ids(&["", "x"]).named_in(r#"["x"]"#));
    }

    #[test]
    fn the_automaton_agrees_with_a_naive_search() {
        let names = ["a", "ab", "b\\c", "ü", "AKIA1", "AKIA12"];
        let m = ids(&names);
        for text in [
            r#""ab""#,
            r#""abc""#,
            r#""b\\c""#,
            r#""ü""#,
            r#"{"k":"AKIA123"}"#,
            "\"\"a\"\"",
        ] {
            let naive = names.iter().any(|id| text.contains(&format!("\"{id}\"")));
            assert_eq!(m.named_in(text), naive, "{text}");
        }
    }
}
