//! The key facts an executive summary states, taken from a recorded `scope`
//! result, and what changed between two versions of them.
//!
//! Facts are language-neutral (identifiers, verdict codes, numbers), so a
//! Japanese and an English summary of the same analysis state the same facts
//! and the next version can be compared with either.

use std::collections::BTreeMap;

use cloudcase_model::scope::SectionsAttribution;
use cloudcase_model::scope::{Resource, Verdict};
use cloudcase_model::ScopeResult;
use serde::{Deserialize, Serialize};

use crate::analysis::{opt, wire};
use crate::i18n::Voice;
use crate::scope_read::{departure, stated_confidence, voice};
use crate::technical::billed;

/// What the executive summary states, as comparable values; kept in the report index
/// (missing fields read as empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Facts {
    /// The compromised credential (the scope subject).
    pub compromised: String,
    /// Attacker identities as `user:NAME`, `access_key:ID`, `role:NAME`.
    pub identities: Vec<String>,
    /// Attacker instances as `region/instance-id`.
    pub instances: Vec<String>,
    /// Estimated cost in USD, two decimals.
    pub cost_usd: String,
    /// Whether the cost leaves runs unpriced (a lower bound).
    pub cost_lower_bound: bool,
    /// The billed cost from a Cost and Usage Report, per currency (`USD 21.08`), with `+`
    /// when the report does not span the whole window (a lower bound); empty without a bill.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cost_billed: String,
    /// Whether flow logs show bytes sent to attacker addresses (`OBSERVED`, `NOT_OBSERVED`,
    /// `UNKNOWN`); empty when the document has no network section.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub exfiltration: String,
    /// Data-store verdicts: `store:name` → `ACCESSED` / `NOT_OBSERVED` / `UNKNOWN`.
    pub verdicts: BTreeMap<String, String>,
    /// Open questions.
    pub unknowns: Vec<String>,
    /// `unattributed` when no intrusion was established and the summary lists the named
    /// credential's own activity; empty for the attacker's.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub attribution: String,
    /// How sure the intrusion claim is (`high`, `medium`, `low`); empty when the document
    /// does not say.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub confidence: String,
}

/// One difference between two versions of the facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A fact in the new version only: (field, value).
    Added(&'static str, String),
    /// A fact in the old version only: (field, value).
    Removed(&'static str, String),
    /// A value that changed: (field, item, old, new).
    Changed(&'static str, String, String, String),
}

/// The attacker identities of a scope result, in a stable order.
fn identities(scope: &ScopeResult) -> Vec<String> {
    let ids = &scope.identities;
    let users = ids.users.iter().map(|u| format!("user:{}", u.name));
    let keys = ids
        .access_keys
        .iter()
        .map(|k| format!("access_key:{}", k.access_key));
    let roles = ids.roles.iter().map(|r| format!("role:{}", r.name));
    users.chain(keys).chain(roles).collect()
}

/// The code a verdict is written as (`ACCESSED`, `NOT_OBSERVED`, `UNKNOWN`).
pub(crate) fn verdict_code(v: Verdict) -> String {
    wire(&v)
}

/// How a fact that may be absent changed: added, removed, or changed; `None` when equal.
fn scalar_change(field: &'static str, new: &str, prev: &str) -> Option<Change> {
    match (prev, new) {
        (p, n) if p == n => None,
        ("", n) => Some(Change::Added(field, n.to_owned())),
        (p, "") => Some(Change::Removed(field, p.to_owned())),
        (p, n) => Some(Change::Changed(
            field,
            String::new(),
            p.to_owned(),
            n.to_owned(),
        )),
    }
}

impl Facts {
    /// The facts of a recorded scope result.
    pub fn from_scope(scope: &ScopeResult) -> Facts {
        let compromised = match opt(&scope.subject.value) {
            "" => scope
                .identities
                .compromised
                .as_ref()
                .map_or(String::new(), |c| c.subject.clone()),
            v => v.to_owned(),
        };
        let instances = scope
            .resources
            .iter()
            .filter_map(|r| match r {
                Resource::Instance(i) => Some(format!("{}/{}", i.region, i.instance_id)),
                _ => None,
            })
            .collect();
        let verdicts = scope
            .data_access
            .iter()
            .map(|d| {
                (
                    format!("{}:{}", d.store.as_str(), d.name),
                    verdict_code(d.verdict),
                )
            })
            .collect();
        let unknowns = scope.unknowns.iter().map(|u| u.question.clone()).collect();
        Facts {
            compromised,
            identities: identities(scope),
            instances,
            cost_usd: format!("{:.2}", scope.cost.as_ref().map_or(0.0, |c| c.total_usd)),
            cost_lower_bound: scope.cost.as_ref().is_some_and(|c| c.unpriced_runs > 0),
            cost_billed: scope
                .cost
                .as_ref()
                .and_then(|c| c.actual.as_ref())
                .map_or(String::new(), |a| {
                    format!("{}{}", billed(a), if a.covers_window { "" } else { "+" })
                }),
            exfiltration: scope
                .network
                .as_ref()
                .map_or(String::new(), |n| wire(&n.exfiltration.verdict)),
            verdicts,
            unknowns,
            attribution: match voice(scope) {
                Voice::Attacker => String::new(),
                Voice::Named => SectionsAttribution::Unattributed.as_str().to_owned(),
            },
            confidence: departure(&scope.intrusion)
                .and_then(stated_confidence)
                .map_or(String::new(), |c| c.as_str().to_owned()),
        }
    }

    /// What changed from `old` to `self`: added and removed list items,
    /// changed scalars and verdicts.
    pub fn changes_since(&self, old: &Facts) -> Vec<Change> {
        let mut out = Vec::new();
        if self.compromised != old.compromised {
            out.push(Change::Changed(
                "compromised",
                String::new(),
                old.compromised.clone(),
                self.compromised.clone(),
            ));
        }
        if self.attribution != old.attribution {
            let words = |a: &str| match a {
                "" => SectionsAttribution::Attacker.as_str().to_owned(),
                a => a.to_owned(),
            };
            out.push(Change::Changed(
                "attribution",
                String::new(),
                words(&old.attribution),
                words(&self.attribution),
            ));
        }
        if self.confidence != old.confidence && !self.confidence.is_empty() {
            out.push(match old.confidence.as_str() {
                "" => Change::Added("confidence", self.confidence.clone()),
                prev => Change::Changed(
                    "confidence",
                    String::new(),
                    prev.to_owned(),
                    self.confidence.clone(),
                ),
            });
        }
        for (field, new, prev) in [
            ("cost_billed", &self.cost_billed, &old.cost_billed),
            ("exfiltration", &self.exfiltration, &old.exfiltration),
        ] {
            out.extend(scalar_change(field, new, prev));
        }
        for (field, new, prev) in [
            ("identities", &self.identities, &old.identities),
            ("instances", &self.instances, &old.instances),
            ("unknowns", &self.unknowns, &old.unknowns),
        ] {
            out.extend(
                new.iter()
                    .filter(|x| !prev.contains(x))
                    .map(|x| Change::Added(field, x.clone())),
            );
            out.extend(
                prev.iter()
                    .filter(|x| !new.contains(x))
                    .map(|x| Change::Removed(field, x.clone())),
            );
        }
        let cost = |f: &Facts| {
            format!(
                "{}{}",
                f.cost_usd,
                if f.cost_lower_bound { "+" } else { "" }
            )
        };
        if cost(self) != cost(old) {
            out.push(Change::Changed(
                "cost",
                String::new(),
                cost(old),
                cost(self),
            ));
        }
        for (store, verdict) in &self.verdicts {
            match old.verdicts.get(store) {
                None => out.push(Change::Added("verdicts", format!("{store} {verdict}"))),
                Some(prev) if prev != verdict => out.push(Change::Changed(
                    "verdicts",
                    store.clone(),
                    prev.clone(),
                    verdict.clone(),
                )),
                Some(_) => {}
            }
        }
        out.extend(
            old.verdicts
                .iter()
                .filter(|(s, _)| !self.verdicts.contains_key(*s))
                .map(|(s, v)| Change::Removed("verdicts", format!("{s} {v}"))),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use serde_json::json;

    fn scope(verdict: &str, extra_user: bool) -> ScopeResult {
        let mut users = vec![fixtures::user("backup-admin", "t")];
        if extra_user {
            users.push(fixtures::user("svc-x", "t"));
        }
        fixtures::scope(json!({
            "subject": fixtures::subject("AKIAEXAMPLE"),
            "identities": fixtures::identities(users, vec![fixtures::key("AKIANEW")], vec![fixtures::role("r")]),
            "resources": [fixtures::instance("i-1", "sa-east-1"), fixtures::key_pair("k", "sa-east-1")],
            "cost": fixtures::cost(12.345, 1),
            "data_access": [fixtures::data_access("s3_bucket", "b", verdict)],
            "unknowns": [fixtures::unknown("Were objects read?", "")],
        }))
    }

    #[test]
    fn facts_round_trip_and_changes_are_listed() {
        let v1 = Facts::from_scope(&scope("UNKNOWN", false));
        assert_eq!(v1.compromised, "AKIAEXAMPLE");
        assert_eq!(
            v1.identities,
            ["user:backup-admin", "access_key:AKIANEW", "role:r"]
        );
        assert_eq!(v1.instances, ["sa-east-1/i-1"]);
        assert_eq!((v1.cost_usd.as_str(), v1.cost_lower_bound), ("12.35", true));
        let stored = serde_json::to_value(&v1).expect("json");
        assert_eq!(stored["cost_usd"], "12.35");
        assert_eq!(serde_json::from_value::<Facts>(stored).expect("facts"), v1);
        assert_eq!(
            serde_json::from_value::<Facts>(json!({})).expect("facts"),
            Facts::default()
        );
        assert!(v1.changes_since(&v1).is_empty());
        let v2 = Facts::from_scope(&scope("ACCESSED", true));
        assert_eq!(
            v2.changes_since(&v1),
            [
                Change::Added("identities", "user:svc-x".into()),
                Change::Changed(
                    "verdicts",
                    "s3_bucket:b".into(),
                    "UNKNOWN".into(),
                    "ACCESSED".into()
                ),
            ]
        );
        assert_eq!(
            Facts::from_scope(&fixtures::scope(json!({})))
                .identities
                .len(),
            0
        );
    }

    #[test]
    fn attribution_and_confidence_are_facts_that_can_change() {
        let old = Facts::from_scope(&fixtures::scope(json!({})));
        assert_eq!(
            (old.attribution.as_str(), old.confidence.as_str()),
            ("", "")
        );
        let stored = serde_json::to_value(&old).expect("json");
        assert!(stored.get("attribution").is_none() && stored.get("confidence").is_none());
        let named = Facts::from_scope(&fixtures::scope(json!({
            "intrusion": fixtures::no_departure("nothing departs"),
            "attribution": "unattributed",
        })));
        assert_eq!(named.attribution, "unattributed");
        let low = Facts::from_scope(&fixtures::scope(json!({
            "intrusion": fixtures::judged("network", "low", &[("new_network", 2, "d")]),
        })));
        assert_eq!(low.confidence, "low");
        assert_eq!(
            low.changes_since(&named),
            [
                Change::Changed(
                    "attribution",
                    String::new(),
                    "unattributed".into(),
                    "attacker".into()
                ),
                Change::Added("confidence", "low".into()),
            ]
        );
        let mut high = low.clone();
        high.confidence = "high".into();
        assert_eq!(
            high.changes_since(&low),
            [Change::Changed(
                "confidence",
                String::new(),
                "low".into(),
                "high".into()
            )]
        );
    }
}
