//! CloudTrail event → IAM action name, through data tables.

use std::collections::HashMap;

use crate::table::data_lines;
use crate::HardenError;

/// `service<TAB>iam-prefix` where CloudTrail's eventSource differs from the IAM prefix.
const PREFIXES: &str = include_str!("../data/service-prefixes.tsv");
/// `service<TAB>EventName<TAB>prefix:Action` (or `-`) where the names differ.
const EVENTS: &str = include_str!("../data/event-actions.tsv");

/// What an event maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    /// The IAM action that authorizes the call.
    Action(String),
    /// No IAM action authorizes it (sign-ins, federation calls).
    NotAuthorized,
}

/// Maps `(eventSource, eventName)` to IAM action names.
#[derive(Debug)]
pub struct ActionMapper {
    /// eventSource service part → IAM prefix.
    prefixes: HashMap<String, String>,
    /// (service part, eventName) → mapping.
    events: HashMap<(String, String), Mapped>,
}

fn bad(table: &'static str, line: usize, expected: &'static str, l: &str) -> HardenError {
    HardenError::BadTable {
        table,
        line,
        expected,
        found: l.to_owned(),
    }
}

impl ActionMapper {
    /// The shipped tables.
    pub fn builtin() -> Result<ActionMapper, HardenError> {
        let mut prefixes = HashMap::new();
        for (line, l) in data_lines(PREFIXES) {
            let (s, p) = l
                .split_once('\t')
                .ok_or_else(|| bad("service-prefixes.tsv", line, "service<TAB>prefix", l))?;
            prefixes.insert(s.to_owned(), p.to_owned());
        }
        let mut events = HashMap::new();
        for (line, l) in data_lines(EVENTS) {
            let parts: Vec<&str> = l.split('\t').collect();
            let [service, name, action] = parts[..] else {
                return Err(bad(
                    "event-actions.tsv",
                    line,
                    "service<TAB>EventName<TAB>prefix:Action or -",
                    l,
                ));
            };
            let mapped = match action {
                "-" => Mapped::NotAuthorized,
                a => Mapped::Action(a.to_owned()),
            };
            events.insert((service.to_owned(), name.to_owned()), mapped);
        }
        Ok(ActionMapper { prefixes, events })
    }

    /// The IAM action for an event of `event_source` (`s3.amazonaws.com`) named `name`.
    pub fn map(&self, event_source: &str, name: &str) -> Mapped {
        let service = event_source
            .strip_suffix(".amazonaws.com")
            .unwrap_or(event_source);
        if let Some(m) = self.events.get(&(service.to_owned(), name.to_owned())) {
            return m.clone();
        }
        let prefix = self.prefixes.get(service).map_or(service, String::as_str);
        Mapped::Action(format!("{prefix}:{}", strip_version(name)))
    }
}

/// `GetFunction20150331v2` → `GetFunction`: API-version suffixes some services (Lambda,
/// CloudFront) put on their event names.
fn strip_version(name: &str) -> &str {
    let base = match name.rfind('v') {
        Some(i) if i + 1 < name.len() && name[i + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            &name[..i]
        }
        _ => name,
    };
    let digits = base.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits == 8 && base.len() > 8 {
        &base[..base.len() - 8]
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mapped_action_is_in_the_action_table() {
        let table = crate::ActionTable::builtin().unwrap();
        let m = ActionMapper::builtin().unwrap();
        for mapped in m.events.values() {
            if let Mapped::Action(a) = mapped {
                assert!(table.contains(a), "{a} is not in iam-actions.tsv");
            }
        }
    }

    #[test]
    fn maps_through_tables_and_strips_versions() {
        let m = ActionMapper::builtin().unwrap();
        let a = |s: &str| Mapped::Action(s.to_owned());
        assert_eq!(m.map("s3.amazonaws.com", "ListObjects"), a("s3:ListBucket"));
        assert_eq!(m.map("s3.amazonaws.com", "GetObject"), a("s3:GetObject"));
        assert_eq!(
            m.map("lambda.amazonaws.com", "GetFunction20150331v2"),
            a("lambda:GetFunction")
        );
        assert_eq!(
            m.map("lambda.amazonaws.com", "ListFunctions20150331"),
            a("lambda:ListFunctions")
        );
        assert_eq!(
            m.map("monitoring.amazonaws.com", "PutMetricData"),
            a("cloudwatch:PutMetricData")
        );
        assert_eq!(
            m.map("signin.amazonaws.com", "ConsoleLogin"),
            Mapped::NotAuthorized
        );
        assert_eq!(strip_version("ListObjectsV2"), "ListObjectsV2");
        assert_eq!(strip_version("Publish"), "Publish");
    }
}
