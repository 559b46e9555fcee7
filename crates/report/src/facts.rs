//! The key facts an executive summary states, taken from a recorded `scope`
//! result, and what changed between two versions of them.
//!
//! Facts are language-neutral (identifiers, verdict codes, numbers), so a
//! Japanese and an English summary of the same analysis state the same facts
//! and the next version can be compared with either.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Items of `v` at JSON pointer `ptr`; empty when absent or not an array.
pub fn items<'a>(v: &'a Value, ptr: &str) -> &'a [Value] {
    v.pointer(ptr)
        .and_then(Value::as_array)
        .map_or(&[] as &[Value], Vec::as_slice)
}

/// The string at `ptr` in `v`, `""` when absent or not a string.
pub fn str_at<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or_default()
}

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
    /// Data-store verdicts: `store:name` → `ACCESSED` / `NOT_OBSERVED` / `UNKNOWN`.
    pub verdicts: BTreeMap<String, String>,
    /// Open questions.
    pub unknowns: Vec<String>,
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

/// The attacker identities of a scope document, in a stable order.
fn identities(scope: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (ptr, key, kind) in [
        ("/identities/users", "/name", "user"),
        ("/identities/access_keys", "/access_key", "access_key"),
        ("/identities/roles", "/name", "role"),
    ] {
        out.extend(
            items(scope, ptr)
                .iter()
                .map(|x| format!("{kind}:{}", str_at(x, key))),
        );
    }
    out
}

impl Facts {
    /// The facts of a recorded scope document.
    pub fn from_scope(scope: &Value) -> Facts {
        let compromised = match str_at(scope, "/subject/value") {
            "" => str_at(scope, "/identities/compromised/subject").to_owned(),
            v => v.to_owned(),
        };
        let instances = items(scope, "/resources")
            .iter()
            .filter(|r| str_at(r, "/kind") == "instance")
            .map(|r| format!("{}/{}", str_at(r, "/region"), str_at(r, "/instance_id")))
            .collect();
        let verdicts = items(scope, "/data_access")
            .iter()
            .map(|d| {
                (
                    format!("{}:{}", str_at(d, "/store"), str_at(d, "/name")),
                    str_at(d, "/verdict").to_owned(),
                )
            })
            .collect();
        let unknowns = items(scope, "/unknowns")
            .iter()
            .map(|u| str_at(u, "/question").to_owned())
            .collect();
        Facts {
            compromised,
            identities: identities(scope),
            instances,
            cost_usd: format!(
                "{:.2}",
                scope
                    .pointer("/cost/total_usd")
                    .and_then(Value::as_f64)
                    .unwrap_or(0.0)
            ),
            cost_lower_bound: scope
                .pointer("/cost/unpriced_runs")
                .and_then(Value::as_u64)
                .is_some_and(|n| n > 0),
            verdicts,
            unknowns,
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
    use serde_json::json;

    fn scope(verdict: &str, extra_user: bool) -> Value {
        let mut users = vec![json!({"name": "backup-admin"})];
        if extra_user {
            users.push(json!({"name": "svc-x"}));
        }
        json!({
            "subject": {"value": "AKIAEXAMPLE"},
            "identities": {"users": users, "access_keys": [{"access_key": "AKIANEW"}], "roles": [{"name": "r"}]},
            "resources": [{"kind": "instance", "region": "sa-east-1", "instance_id": "i-1"}, {"kind": "key_pair"}],
            "cost": {"total_usd": 12.345, "unpriced_runs": 1},
            "data_access": [{"store": "s3_bucket", "name": "b", "verdict": verdict}],
            "unknowns": [{"question": "Were objects read?"}],
        })
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
        assert_eq!(Facts::from_scope(&json!({})).identities.len(), 0);
    }
}
