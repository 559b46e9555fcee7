//! Resource ARNs from the fields CloudTrail records, through a data table of templates.

use serde_json::Value;

use crate::table::data_lines;
use crate::HardenError;

/// `prefix:Action` or `prefix:*`, a template per line; see the file's header.
const RESOURCES: &str = include_str!("../data/resources.tsv");

/// One template row.
#[derive(Debug)]
struct Template {
    /// `s3:GetObject`, or `s3:*` for every action of the service not matched before.
    action: String,
    /// The ARN with `{…}` placeholders.
    template: String,
}

/// The fields of an event a template reads.
pub(crate) struct EventFields<'a> {
    /// `requestParameters`, parsed.
    pub request: &'a Value,
    /// `resources`, parsed.
    pub resources: &'a Value,
    /// `recipientAccountId`.
    pub account: &'a str,
    /// `awsRegion`.
    pub region: &'a str,
}

/// Builds resource ARNs for actions.
#[derive(Debug)]
pub(crate) struct ArnBuilder {
    /// Rows in file order.
    rows: Vec<Template>,
}

impl ArnBuilder {
    /// The shipped table.
    pub(crate) fn builtin() -> Result<ArnBuilder, HardenError> {
        let mut rows = Vec::new();
        for (line, l) in data_lines(RESOURCES) {
            let Some((action, template)) = l.split_once('\t') else {
                return Err(HardenError::BadTable {
                    table: "resources.tsv",
                    line,
                    expected: "prefix:Action<TAB>template",
                    found: l.to_owned(),
                });
            };
            rows.push(Template {
                action: action.to_owned(),
                template: template.to_owned(),
            });
        }
        Ok(ArnBuilder { rows })
    }

    /// The ARNs `action`'s event names: the first template that resolves, else the ARNs of
    /// `resources[]` (S3 objects generalised to `bucket/*`); empty when it names none.
    pub(crate) fn arns(&self, action: &str, ev: &EventFields<'_>) -> Vec<String> {
        let prefix = action.split(':').next().unwrap_or_default();
        let wildcard = format!("{prefix}:*");
        for row in &self.rows {
            if row.action != action && row.action != wildcard {
                continue;
            }
            if let Some(arns) = expand(&row.template, ev) {
                return arns;
            }
        }
        let mut out: Vec<String> = ev
            .resources
            .as_array()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|r| r["ARN"].as_str())
            .map(generalise_object)
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// `arn:aws:s3:::b/some/key` → `arn:aws:s3:::b/*`.
fn generalise_object(arn: &str) -> String {
    match arn.strip_prefix("arn:aws:s3:::") {
        Some(rest) if rest.contains('/') => {
            format!(
                "arn:aws:s3:::{}/*",
                rest.split('/').next().unwrap_or_default()
            )
        }
        _ => arn.to_owned(),
    }
}

/// The values of a dotted path (`a.b[].c`), strings only.
fn values<'a>(root: &'a Value, path: &str) -> Vec<&'a str> {
    let mut cur = vec![root];
    for seg in path.split('.') {
        let (key, each) = match seg.strip_suffix("[]") {
            Some(k) => (k, true),
            None => (seg, false),
        };
        let mut next = Vec::new();
        for v in cur {
            let Some(child) = v.get(key) else { continue };
            match (each, child) {
                (true, Value::Array(items)) => next.extend(items.iter()),
                (false, c) => next.push(c),
                _ => {}
            }
        }
        cur = next;
    }
    cur.into_iter()
        .filter_map(Value::as_str)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The values one placeholder stands for, `None` when it does not resolve.
fn placeholder(spec: &str, ev: &EventFields<'_>) -> Option<Vec<String>> {
    let mut parts = spec.split('|');
    let path = parts.next()?;
    let mut vals: Vec<String> = match path {
        "account" => vec![ev.account.to_owned()],
        "region" => vec![ev.region.to_owned()],
        _ => {
            let rest = path.strip_prefix("requestParameters.")?;
            values(ev.request, rest)
                .into_iter()
                .map(str::to_owned)
                .collect()
        }
    };
    for modifier in parts {
        match modifier {
            "arn" => vals.retain(|v| v.starts_with("arn:")),
            "trim/" => {
                for v in &mut vals {
                    *v = v.trim_start_matches('/').to_owned();
                }
            }
            _ => return None,
        }
    }
    vals.retain(|v| !v.is_empty());
    (!vals.is_empty()).then_some(vals)
}

/// The template with every placeholder filled; one ARN per value of a multi-valued one.
fn expand(template: &str, ev: &EventFields<'_>) -> Option<Vec<String>> {
    let mut out = vec![String::new()];
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}')? + start;
        let vals = placeholder(&rest[start + 1..end], ev)?;
        let mut next = Vec::with_capacity(out.len() * vals.len());
        for o in &out {
            for v in &vals {
                next.push(format!("{o}{}{v}", &rest[..start]));
            }
        }
        out = next;
        rest = &rest[end + 1..];
    }
    for o in &mut out {
        o.push_str(rest);
    }
    out.sort();
    out.dedup();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn arns(action: &str, request: Value, resources: Value) -> Vec<String> {
        let b = ArnBuilder::builtin().unwrap();
        let ev = EventFields {
            request: &request,
            resources: &resources,
            account: "123456789012",
            region: "us-east-1",
        };
        b.arns(action, &ev)
    }

    #[test]
    fn s3_buckets_and_objects() {
        let r = json!({"bucketName": "b", "key": "a/b.txt"});
        assert_eq!(
            arns("s3:GetObject", r.clone(), Value::Null),
            ["arn:aws:s3:::b/*"]
        );
        assert_eq!(arns("s3:ListBucket", r, Value::Null), ["arn:aws:s3:::b"]);
        assert!(arns("s3:ListAllMyBuckets", json!({}), Value::Null).is_empty());
    }

    #[test]
    fn iam_names_arrays_and_modifiers() {
        assert_eq!(
            arns("iam:GetRole", json!({"roleName": "r"}), Value::Null),
            ["arn:aws:iam::123456789012:role/r"]
        );
        assert_eq!(
            arns(
                "ssm:GetParameters",
                json!({"names": ["/a/b", "c"]}),
                Value::Null
            ),
            [
                "arn:aws:ssm:us-east-1:123456789012:parameter/a/b",
                "arn:aws:ssm:us-east-1:123456789012:parameter/c"
            ]
        );
        let full = "arn:aws:secretsmanager:us-east-1:1:secret:x-AbCd";
        assert_eq!(
            arns(
                "secretsmanager:GetSecretValue",
                json!({"secretId": full}),
                Value::Null
            ),
            [full]
        );
        assert_eq!(
            arns(
                "secretsmanager:GetSecretValue",
                json!({"secretId": "x"}),
                Value::Null
            ),
            ["arn:aws:secretsmanager:us-east-1:123456789012:secret:x-*"]
        );
    }

    #[test]
    fn falls_back_to_resources_and_generalises_objects() {
        let res = json!([{"ARN": "arn:aws:kms:us-east-1:1:key/k"}, {"ARN": "arn:aws:s3:::b/k/1"}]);
        assert_eq!(
            arns("kms:Decrypt", json!({}), res),
            ["arn:aws:kms:us-east-1:1:key/k", "arn:aws:s3:::b/*"]
        );
    }
}
