//! One least-privilege policy per principal from what it used.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::collect::PrincipalUse;

/// When the owner's networks are stable enough for an `aws:SourceIp` condition.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SourceIpRule {
    /// Share of all calls (AWS-service sources included) that must come from the kept networks.
    pub min_share: f64,
    /// At most this many /24 (or /64) networks are kept.
    pub max_networks: usize,
    /// Calls must span at least this many distinct UTC days.
    pub min_days: usize,
    /// And number at least this many.
    pub min_calls: u64,
}

/// The rule applied: ≥ 90 % of calls from ≤ 4 networks across ≥ 7 days, ≥ 20 calls.
pub const SOURCE_IP_RULE: SourceIpRule = SourceIpRule {
    min_share: 0.9,
    max_networks: 4,
    min_days: 7,
    min_calls: 20,
};

/// Why an action's statement has `"Resource": "*"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WildcardReason {
    /// CloudTrail recorded no resource for (some of) its calls.
    NoResourceRecorded,
    /// More ARNs than kept per action.
    TooManyResources,
}

/// A policy and what it rests on.
#[derive(Debug, Clone)]
pub struct Designed {
    /// The IAM policy document.
    pub policy: Value,
    /// Actions granted on `*`, and why.
    pub wildcards: BTreeMap<String, WildcardReason>,
    /// The networks of the `aws:SourceIp` condition, when the rule held.
    pub source_ip: Option<Vec<String>>,
    /// Whether `aws:MultiFactorAuthPresent` is required (console users).
    pub require_mfa: bool,
}

/// The networks for `aws:SourceIp` when `rule` holds for `p`.
pub fn stable_networks(p: &PrincipalUse, rule: &SourceIpRule) -> Option<Vec<String>> {
    let u = &p.usage;
    if u.calls < rule.min_calls || u.days.len() < rule.min_days {
        return None;
    }
    let mut nets: Vec<(&String, &u64)> = u.networks.iter().collect();
    nets.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    nets.truncate(rule.max_networks);
    let kept: u64 = nets.iter().map(|(_, c)| **c).sum();
    if (kept as f64) < rule.min_share * u.calls as f64 {
        return None;
    }
    let mut out: Vec<String> = nets.into_iter().map(|(n, _)| n.clone()).collect();
    out.sort();
    Some(out)
}

/// `ec2` → `Ec2`, `secretsmanager` → `Secretsmanager` (a Sid is alphanumeric).
fn sid_base(prefix: &str) -> String {
    let clean: String = prefix.chars().filter(char::is_ascii_alphanumeric).collect();
    let mut c = clean.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_ascii_uppercase().to_string() + c.as_str()
    })
}

/// The policy for `p`: per service, actions sharing the same resources in one statement, the
/// actions CloudTrail named no resource for in one `*` statement.
pub fn design(p: &PrincipalUse, rule: &SourceIpRule) -> Designed {
    let source_ip = stable_networks(p, rule);
    let require_mfa = p.console_logins > 0;
    let mut condition = Map::new();
    if let Some(nets) = &source_ip {
        condition.insert("IpAddress".into(), json!({ "aws:SourceIp": nets }));
    }
    if require_mfa {
        condition.insert(
            "Bool".into(),
            json!({ "aws:MultiFactorAuthPresent": "true" }),
        );
    }
    // service → resources (empty = `*`) → actions
    let mut groups: BTreeMap<&str, BTreeMap<Vec<&str>, BTreeSet<&str>>> = BTreeMap::new();
    let mut wildcards = BTreeMap::new();
    for (action, u) in &p.actions {
        let service = action.split(':').next().unwrap_or_default();
        let resources: Vec<&str> = if u.unnamed > 0 || u.overflow {
            let why = if u.overflow {
                WildcardReason::TooManyResources
            } else {
                WildcardReason::NoResourceRecorded
            };
            wildcards.insert(action.clone(), why);
            Vec::new()
        } else {
            u.resources.iter().map(String::as_str).collect()
        };
        groups
            .entry(service)
            .or_default()
            .entry(resources)
            .or_default()
            .insert(action);
    }
    let mut statements = Vec::new();
    for (service, by_resources) in groups {
        for (n, (resources, actions)) in by_resources.into_iter().enumerate() {
            let mut st = Map::new();
            st.insert(
                "Sid".into(),
                json!(format!("{}{}", sid_base(service), n + 1)),
            );
            st.insert("Effect".into(), json!("Allow"));
            st.insert("Action".into(), json!(actions));
            let resource = if resources.is_empty() {
                json!("*")
            } else {
                json!(resources)
            };
            st.insert("Resource".into(), resource);
            if !condition.is_empty() {
                st.insert("Condition".into(), Value::Object(condition.clone()));
            }
            statements.push(Value::Object(st));
        }
    }
    Designed {
        policy: json!({ "Version": "2012-10-17", "Statement": statements }),
        wildcards,
        source_ip,
        require_mfa,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::ActionUse;

    fn used(actions: &[(&str, &[&str], u64)]) -> PrincipalUse {
        let mut p = PrincipalUse::default();
        for (a, res, unnamed) in actions {
            p.actions.insert(
                (*a).to_owned(),
                ActionUse {
                    calls: 1 + unnamed,
                    resources: res.iter().map(|s| (*s).to_owned()).collect(),
                    unnamed: *unnamed,
                    overflow: false,
                },
            );
        }
        p
    }

    #[test]
    fn groups_by_service_and_resources_with_wildcards_said() {
        let p = used(&[
            ("s3:GetObject", &["arn:aws:s3:::b/*"], 0),
            ("s3:PutObject", &["arn:aws:s3:::b/*"], 0),
            ("s3:ListAllMyBuckets", &[], 1),
            ("iam:GetRole", &["arn:aws:iam::1:role/r"], 0),
        ]);
        let d = design(&p, &SOURCE_IP_RULE);
        let st = d.policy["Statement"].as_array().unwrap();
        assert_eq!(d.policy["Version"], "2012-10-17");
        assert_eq!(st.len(), 3, "{st:?}");
        assert_eq!(st[0]["Sid"], "Iam1");
        assert_eq!(st[1]["Action"], json!(["s3:ListAllMyBuckets"]));
        assert_eq!(st[1]["Resource"], "*");
        assert_eq!(st[2]["Action"], json!(["s3:GetObject", "s3:PutObject"]));
        assert_eq!(
            d.wildcards.get("s3:ListAllMyBuckets"),
            Some(&WildcardReason::NoResourceRecorded)
        );
        assert!(d.source_ip.is_none() && !d.require_mfa);
        assert!(st[0].get("Condition").is_none());
    }

    #[test]
    fn source_ip_only_when_stable_and_mfa_for_console_users() {
        let mut p = used(&[("sts:GetCallerIdentity", &[], 1)]);
        p.usage.calls = 100;
        p.usage.days = (0..7).collect();
        p.usage.networks.insert("10.0.1.0/24".into(), 60);
        p.usage.networks.insert("10.0.2.0/24".into(), 31);
        p.console_logins = 1;
        let d = design(&p, &SOURCE_IP_RULE);
        assert_eq!(
            d.source_ip.as_deref(),
            Some(&["10.0.1.0/24".to_owned(), "10.0.2.0/24".to_owned()][..])
        );
        let c = &d.policy["Statement"][0]["Condition"];
        assert_eq!(c["Bool"]["aws:MultiFactorAuthPresent"], "true");
        assert_eq!(c["IpAddress"]["aws:SourceIp"][0], "10.0.1.0/24");
        p.usage.networks.insert("10.0.2.0/24".into(), 29); // 89 %
        assert!(design(&p, &SOURCE_IP_RULE).source_ip.is_none());
        p.usage.networks.insert("10.0.2.0/24".into(), 31);
        p.usage.days = (0..6).collect();
        assert!(design(&p, &SOURCE_IP_RULE).source_ip.is_none());
    }
}
