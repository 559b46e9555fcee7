//! A built-in Sigma rule compiled into an EventBridge event pattern for CloudTrail events, or
//! refused with the reason.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::condition::{self, Expr};
use crate::doc::{RuleDoc, SearchDef};
use crate::formula::{dnf, simplify, to_pattern, Formula};
use crate::values;

/// The EventBridge `detail-type` of each CloudTrail `eventType`: the envelope CloudTrail
/// events arrive in on the default event bus.
pub const DETAIL_TYPES: &[(&str, &str)] = &[
    ("AwsApiCall", "AWS API Call via CloudTrail"),
    ("AwsConsoleSignIn", "AWS Console Sign In via CloudTrail"),
    ("AwsServiceEvent", "AWS Service Event via CloudTrail"),
    ("AwsConsoleAction", "AWS Console Action via CloudTrail"),
];

/// The longest event pattern `PutRule` accepts, in characters.
pub const MAX_PATTERN_LEN: usize = 4096;

/// A rule as an EventBridge rule (`--format eventbridge-json` prints a list of these).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRule {
    /// The EventBridge rule name: `cloudcase-` and the Sigma file stem, cut to 64 characters.
    pub name: String,
    /// The event pattern.
    pub pattern: Value,
    /// The Sigma rule id.
    pub rule_id: String,
    /// The Sigma rule title.
    pub title: String,
    /// The Sigma rule level.
    pub level: String,
    /// The rule file it comes from (not part of the JSON output).
    #[serde(skip)]
    pub file: String,
}

/// A rule left out, and why: printed by the command and listed in the output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The rule file (`builtin:<file>`).
    pub source: String,
    /// The Sigma rule id.
    pub rule_id: String,
    /// The Sigma rule title.
    pub title: String,
    /// Why the rule has no exact event pattern.
    pub reason: String,
}

/// The EventBridge rule name for a rule file: `cloudcase-<stem>`, letters, digits, `-`, `_`
/// and `.` only, at most 64 characters.
pub fn rule_name(file: &str) -> String {
    let stem = file.trim_end_matches(".yml").trim_end_matches(".yaml");
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut name = format!("cloudcase-{clean}");
    name.truncate(64);
    name
}

fn expand(e: &Expr, d: &RuleDoc, negated: bool) -> Result<Formula, String> {
    Ok(match e {
        Expr::Search(name) => {
            let s = d
                .searches
                .get(name)
                .ok_or_else(|| format!("unknown search {name:?}"))?;
            search(s, negated)?
        }
        Expr::Not(inner) => expand(inner, d, !negated)?,
        Expr::And(v) | Expr::Or(v) => {
            let parts = v
                .iter()
                .map(|p| expand(p, d, negated))
                .collect::<Result<Vec<_>, _>>()?;
            // De Morgan: a negated conjunction is a disjunction and the other way round.
            if matches!(e, Expr::And(_)) != negated {
                Formula::And(parts)
            } else {
                Formula::Or(parts)
            }
        }
    })
}

fn search(s: &SearchDef, negated: bool) -> Result<Formula, String> {
    Ok(match s {
        SearchDef::All(items) => {
            let parts = items
                .iter()
                .map(|i| values::item(i, negated))
                .collect::<Result<Vec<_>, _>>()?;
            if negated {
                Formula::Or(parts)
            } else {
                Formula::And(parts)
            }
        }
        SearchDef::Any(alts) => {
            let parts = alts
                .iter()
                .map(|a| search(a, negated))
                .collect::<Result<Vec<_>, _>>()?;
            if negated {
                Formula::And(parts)
            } else {
                Formula::Or(parts)
            }
        }
    })
}

/// The `detail` part of the pattern for a rule's detection.
fn detail(d: &RuleDoc) -> Result<Map<String, Value>, String> {
    if let Some(why) = d.stateful {
        return Err(format!("{why}; an event pattern sees one event at a time"));
    }
    if d.service != "cloudtrail" {
        return Err(format!(
            "the rule reads the {:?} log, which is not delivered to EventBridge as events",
            d.service
        ));
    }
    let names: Vec<String> = d.searches.keys().cloned().collect();
    let expr = condition::parse(&d.condition, &names)?;
    let formula = expand(&expr, d, false)?;
    let mut alts = Vec::new();
    for c in dnf(&formula)? {
        if let Some(s) = simplify(&c)? {
            if !alts.contains(&s) {
                alts.push(s);
            }
        }
    }
    to_pattern(&alts)
}

/// Compiles one rule document (`file` is its file name) into an [`EventRule`], or a
/// [`Refusal`] naming the reason.
pub(crate) fn compile(file: &str, d: &RuleDoc) -> Result<EventRule, Refusal> {
    let pattern = detail(d).and_then(|detail| {
        let p = json!({
            "detail-type": DETAIL_TYPES.iter().map(|(_, t)| *t).collect::<Vec<_>>(),
            "detail": detail,
        });
        let len = p.to_string().len();
        if len > MAX_PATTERN_LEN {
            return Err(format!(
                "the pattern is {len} characters; EventBridge accepts at most {MAX_PATTERN_LEN}"
            ));
        }
        Ok(p)
    });
    match pattern {
        Ok(pattern) => Ok(EventRule {
            name: rule_name(file),
            pattern,
            rule_id: d.id.clone(),
            title: d.title.clone(),
            level: d.level.clone(),
            file: file.to_owned(),
        }),
        Err(reason) => Err(Refusal {
            source: format!("builtin:{file}"),
            rule_id: d.id.clone(),
            title: d.title.clone(),
            reason,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::parse;
    use crate::matcher::{envelope, matches};

    fn rule(detection: &str) -> Result<EventRule, Refusal> {
        let yaml = format!("title: T\nid: 11111111-2222-3333-4444-555555555555\nlevel: high\nlogsource: {{product: aws, service: cloudtrail}}\ndetection:\n{detection}");
        compile("t.yml", &parse("t.yml", &yaml).unwrap())
    }

    #[test]
    fn negation_keeps_absent_fields_and_ignores_case() {
        let r = rule("    selection:\n        eventName: StopLogging\n    filter:\n        errorCode: ThrottlingException\n    condition: selection and not filter\n").unwrap();
        let hit = |rec: serde_json::Value| matches(&r.pattern, &envelope(&rec));
        assert!(hit(serde_json::json!({"eventName": "stoplogging"})));
        assert!(hit(
            serde_json::json!({"eventName": "StopLogging", "errorCode": "AccessDenied"})
        ));
        assert!(!hit(
            serde_json::json!({"eventName": "StopLogging", "errorCode": "throttlingexception"})
        ));
        assert!(!hit(serde_json::json!({"eventName": "StartLogging"})));
    }

    #[test]
    fn same_field_alternatives_merge_into_one_list() {
        let r = rule("    selection:\n        eventName|startswith:\n            - Delete\n            - Stop\n    condition: selection\n").unwrap();
        let list = &r.pattern["detail"]["eventName"];
        assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
        assert!(r.pattern["detail"].get("$or").is_none());
    }

    #[test]
    fn refusals_name_the_reason() {
        let why = |d: &str| rule(d).unwrap_err().reason;
        assert!(
            why("    s:\n        eventName|re: '^Stop'\n    condition: s\n")
                .contains("modifier `re`")
        );
        assert!(
            why("    s:\n        userAgent|contains: boto\n    condition: s\n")
                .contains("case-sensitively")
        );
        assert!(why("    s:\n        - boto3\n    condition: s\n").contains("keyword"));
        assert!(why("    s:\n        eventName: A?\n    condition: s\n").contains("`?`"));
        assert!(why(
            "    s:\n        eventName: A\n    condition: s | count() > 5\n    timeframe: 5m\n"
        )
        .contains("aggregation"));
        // Case does not matter when the value has no letters.
        assert!(
            rule("    s:\n        sourceIPAddress|contains: '.0.2.'\n    condition: s\n").is_ok()
        );
    }
}
