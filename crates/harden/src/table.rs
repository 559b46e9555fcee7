//! The table of every IAM action per service prefix, shipped as data.

use std::collections::{HashMap, HashSet};

use crate::HardenError;

/// `prefix<TAB>Action` lines, rebuilt by `tools/update-iam-actions.py`.
const IAM_ACTIONS: &str = include_str!("../data/iam-actions.tsv");

/// Every IAM action known, by lower-case prefix; action names compare case-insensitively
/// as IAM does.
#[derive(Debug)]
pub struct ActionTable {
    /// Prefix → lower-case action names.
    by_prefix: HashMap<String, HashSet<String>>,
}

/// The data lines of a shipped table: not blank, not `#` comments, with their line numbers.
pub(crate) fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

impl ActionTable {
    /// The shipped table.
    pub fn builtin() -> Result<ActionTable, HardenError> {
        Self::parse(IAM_ACTIONS, "iam-actions.tsv")
    }

    /// Parses `prefix<TAB>Action` lines.
    pub fn parse(text: &str, table: &'static str) -> Result<ActionTable, HardenError> {
        let mut by_prefix: HashMap<String, HashSet<String>> = HashMap::new();
        for (line, l) in data_lines(text) {
            let Some((prefix, action)) = l.split_once('\t') else {
                return Err(HardenError::BadTable {
                    table,
                    line,
                    expected: "prefix<TAB>Action",
                    found: l.to_owned(),
                });
            };
            by_prefix
                .entry(prefix.to_ascii_lowercase())
                .or_default()
                .insert(action.to_ascii_lowercase());
        }
        Ok(ActionTable { by_prefix })
    }

    /// Whether `service:Action` is a known IAM action.
    pub fn contains(&self, action: &str) -> bool {
        let Some((prefix, name)) = action.split_once(':') else {
            return false;
        };
        self.by_prefix
            .get(&prefix.to_ascii_lowercase())
            .is_some_and(|s| s.contains(&name.to_ascii_lowercase()))
    }

    /// How many services and actions the table holds.
    pub fn size(&self) -> [usize; 2] {
        [
            self.by_prefix.len(),
            self.by_prefix.values().map(HashSet::len).sum(),
        ]
    }

    /// Checks every action of `policy` (a policy document) for `principal`.
    pub fn check(&self, principal: &str, policy: &serde_json::Value) -> Result<(), HardenError> {
        let statements = policy["Statement"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        for st in statements {
            let actions = match &st["Action"] {
                serde_json::Value::String(s) => vec![s.as_str()],
                serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect(),
                _ => Vec::new(),
            };
            if let Some(bad) = actions.into_iter().find(|a| !self.contains(a)) {
                return Err(HardenError::UnknownAction {
                    principal: principal.to_owned(),
                    action: bad.to_owned(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_knows_common_and_iam_only_actions() {
        let t = ActionTable::builtin().unwrap();
        for a in [
            "s3:GetObject",
            "s3:ListBucket",
            "iam:PassRole",
            "lambda:GetFunction",
            "sts:GetCallerIdentity",
            "EC2:describeinstances",
        ] {
            assert!(t.contains(a), "{a}");
        }
        assert!(!t.contains("s3:GetEverything"));
        assert!(!t.contains("nonsense"));
        assert!(t.size()[0] > 300 && t.size()[1] > 15_000, "{:?}", t.size());
    }

    #[test]
    fn check_names_the_unknown_action() {
        let t = ActionTable::builtin().unwrap();
        let p = serde_json::json!({"Statement": [{"Action": ["s3:GetObject", "s3:Bogus"]}]});
        let e = t
            .check("arn:aws:iam::1:user/u", &p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("s3:Bogus") && e.contains("user/u"), "{e}");
        let p = serde_json::json!({"Statement": [{"Action": "iam:PassRole"}]});
        t.check("x", &p).unwrap();
    }

    #[test]
    fn malformed_line_is_an_error_with_its_number() {
        let e = ActionTable::parse("# c\ns3\tGetObject\nbroken\n", "t").unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
    }
}
