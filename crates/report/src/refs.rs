//! Raw-record references of a report: each cited record gets a number, the
//! text links to it (`#ref-n`), and the appendix lists file, record index and
//! event id, so every statement can be checked against the logs.

use std::collections::HashMap;

use serde_json::Value;

use crate::analysis::{code, text};
use crate::facts::{items, str_at};
use crate::Cell;

/// The references cited so far, numbered from 1 in order of first citation.
#[derive(Debug, Default)]
pub struct Refs {
    list: Vec<(String, u64, String)>,
    index: HashMap<(String, u64), u32>,
}

impl Refs {
    /// A link to the first of `item`'s `refs` (an empty cell when it has none).
    pub fn cite(&mut self, item: &Value) -> Cell {
        match items(item, "/refs").first() {
            Some(r) => self.cite_record(
                str_at(r, "/file"),
                r.get("record").and_then(Value::as_u64).unwrap_or(0),
                str_at(r, "/event_id"),
            ),
            None => text(""),
        }
    }

    /// A link to record `record` of `file`, numbered on first citation.
    pub fn cite_record(&mut self, file: &str, record: u64, event_id: &str) -> Cell {
        if file.is_empty() {
            return text("");
        }
        let key = (file.to_owned(), record);
        let next = u32::try_from(self.list.len() + 1).unwrap_or(u32::MAX);
        let n = *self.index.entry(key).or_insert_with(|| {
            self.list
                .push((file.to_owned(), record, event_id.to_owned()));
            next
        });
        Cell::Ref(n)
    }

    /// The appendix rows: anchor, file, record index, event id.
    pub fn rows(&self) -> Vec<Vec<Cell>> {
        self.list
            .iter()
            .zip(1u32..)
            .map(|((file, record, id), n)| {
                vec![
                    Cell::Anchor(n),
                    code(file),
                    code(record.to_string()),
                    code(id),
                ]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_are_numbered_once_in_citation_order() {
        let mut refs = Refs::default();
        let a = json!({"refs": [{"file": "a.json.gz", "record": 3, "event_id": "e1"}]});
        assert_eq!(refs.cite(&a), Cell::Ref(1));
        assert_eq!(refs.cite_record("b", 0, ""), Cell::Ref(2));
        assert_eq!(refs.cite(&a), Cell::Ref(1));
        assert_eq!(refs.cite(&json!({})), text(""));
        let rows = refs.rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            vec![Cell::Anchor(1), code("a.json.gz"), code("3"), code("e1")]
        );
    }
}
