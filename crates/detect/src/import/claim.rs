//! What an imported line claims: a rule fired on a record of a file. Read from hunt's JSON
//! Lines, or from the bare SQL result columns (`rules sql`) as JSON Lines or CSV with a
//! header, the form detected by content.

use serde_json::{Map, Value};

use super::csv::rows;
use super::reason::Reason;

/// The form of an import file, detected by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimFormat {
    /// `cloudcase hunt --format jsonl` lines (they carry `origin` or `event_name`).
    HuntJsonl,
    /// The SQL result columns, one JSON object per line (Spark, DuckDB `COPY … (FORMAT json)`).
    SqlJsonl,
    /// The SQL result columns as CSV with a header row (DuckDB, Athena downloads).
    SqlCsv,
}

impl ClaimFormat {
    /// Name for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimFormat::HuntJsonl => "hunt JSON Lines",
            ClaimFormat::SqlJsonl => "SQL result JSON Lines",
            ClaimFormat::SqlCsv => "SQL result CSV",
        }
    }
}

/// One line's claim, before it is checked against the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Claim {
    /// The line it was read from, from 1.
    pub line: u64,
    /// The rule id.
    pub rule_id: String,
    /// The event id claimed (empty: none).
    pub event_id: String,
    /// The file as the engine or hunt printed it.
    pub file: String,
    /// The record index in the file.
    pub record: u64,
    /// The evidence object's SHA-256, when the line gives it (hunt's `sha256`).
    pub sha256: String,
    /// The origin the line states (hunt's `origin`; empty: none).
    pub origin: String,
}

/// A line that could not be read as a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unreadable {
    /// The line, from 1.
    pub line: u64,
    /// Why.
    pub reason: Reason,
    /// What was wrong.
    pub detail: String,
}

/// The claims of a file and the lines that could not be read.
#[derive(Debug, Default)]
pub(crate) struct Claims {
    /// Claims in file order.
    pub claims: Vec<Claim>,
    /// Lines that are not claims.
    pub unreadable: Vec<Unreadable>,
}

/// The columns a claim needs.
const REQUIRED: [&str; 3] = ["rule_id", "file", "record"];

/// Reads `text`: JSON Lines when its first non-blank character opens an object, else CSV
/// with a header naming at least `rule_id`, `file` and `record`.
pub(crate) fn read_claims(text: &str) -> Result<(ClaimFormat, Claims), String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        Ok(read_jsonl(text))
    } else {
        read_csv(text).map(|c| (ClaimFormat::SqlCsv, c))
    }
}

fn read_jsonl(text: &str) -> (ClaimFormat, Claims) {
    let mut out = Claims::default();
    let mut format = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i as u64 + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<Value>(raw) {
            Ok(Value::Object(o)) => o,
            Ok(_) => {
                out.unreadable.push(malformed(line, "not a JSON object"));
                continue;
            }
            Err(e) => {
                out.unreadable.push(malformed(line, &e.to_string()));
                continue;
            }
        };
        format.get_or_insert(
            if object.contains_key("origin") || object.contains_key("event_name") {
                ClaimFormat::HuntJsonl
            } else {
                ClaimFormat::SqlJsonl
            },
        );
        let get = |k: &str| object.get(k);
        match claim_of(line, &get) {
            Ok(c) => out.claims.push(c),
            Err(u) => out.unreadable.push(u),
        }
    }
    (format.unwrap_or(ClaimFormat::SqlJsonl), out)
}

fn read_csv(text: &str) -> Result<Claims, String> {
    let mut rows = rows(text).into_iter();
    let header = rows.next().ok_or("the file is empty")?;
    let names: Vec<String> = header
        .fields
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if let Some(missing) = REQUIRED.iter().find(|r| !names.iter().any(|n| n == *r)) {
        return Err(format!(
            "neither JSON Lines nor CSV with a header naming rule_id, file and record (no {missing} column in line 1)"
        ));
    }
    let mut out = Claims::default();
    for row in rows {
        let object: Map<String, Value> = names
            .iter()
            .zip(row.fields)
            .map(|(n, v)| (n.clone(), Value::String(v)))
            .collect();
        let get = |k: &str| object.get(k);
        match claim_of(row.line, &get) {
            Ok(c) => out.claims.push(c),
            Err(u) => out.unreadable.push(u),
        }
    }
    Ok(out)
}

fn malformed(line: u64, detail: &str) -> Unreadable {
    Unreadable {
        line,
        reason: Reason::Malformed,
        detail: detail.to_owned(),
    }
}

/// A string value: strings as they are, numbers written out, null and absence empty.
fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn claim_of<'v>(line: u64, get: &dyn Fn(&str) -> Option<&'v Value>) -> Result<Claim, Unreadable> {
    let record = match get("record") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| malformed(line, "no record index (a whole number) in `record`"))?;
    let claim = Claim {
        line,
        rule_id: text_of(get("rule_id")),
        event_id: text_of(get("event_id")),
        file: text_of(get("file")),
        record,
        sha256: text_of(get("sha256")),
        origin: text_of(get("origin")),
    };
    if claim.rule_id.is_empty() {
        return Err(malformed(line, "no `rule_id`"));
    }
    if claim.file.is_empty() {
        return Err(malformed(line, "no `file`"));
    }
    Ok(claim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunt_lines_are_told_from_sql_lines_by_their_keys() {
        let hunt = r#"{"time":"t","rule_id":"r","origin":"rule","event_id":"e","sha256":"ab","file":"f","record":3}"#;
        let (format, c) = read_claims(hunt).unwrap();
        assert_eq!(format, ClaimFormat::HuntJsonl);
        assert_eq!(
            c.claims[0],
            Claim {
                line: 1,
                rule_id: "r".into(),
                event_id: "e".into(),
                file: "f".into(),
                record: 3,
                sha256: "ab".into(),
                origin: "rule".into(),
            }
        );
        let sql = "\n{\"rule_id\":\"r\",\"event_id\":null,\"file\":\"f\",\"record\":\"4\"}\n";
        let (format, c) = read_claims(sql).unwrap();
        assert_eq!(format, ClaimFormat::SqlJsonl);
        assert_eq!((c.claims[0].line, c.claims[0].record), (2, 4));
        assert_eq!(c.claims[0].event_id, "");
    }

    #[test]
    fn csv_needs_its_header_and_bad_lines_are_numbered() {
        let csv = "rule_id,rule_title,level,event_id,time,principal,source_ip,file,record\n\
                   r,T,high,e,t,p,ip,\"a,b\",7\n\
                   r,T,high,e,t,p,ip,f,x\n";
        let (format, c) = read_claims(csv).unwrap();
        assert_eq!(format, ClaimFormat::SqlCsv);
        assert_eq!((c.claims[0].file.as_str(), c.claims[0].record), ("a,b", 7));
        assert_eq!(c.unreadable[0].line, 3);
        assert_eq!(c.unreadable[0].reason, Reason::Malformed);
        assert!(read_claims("a,b\n1,2\n").unwrap_err().contains("rule_id"));
        let (_, c) = read_claims("{\"file\":\"f\",\"record\":1}\n[1]\n{oops\n").unwrap();
        let lines: Vec<u64> = c.unreadable.iter().map(|u| u.line).collect();
        assert_eq!(lines, vec![1, 2, 3]);
    }
}
