//! Raw-record references of a report: each cited record gets a number, the
//! text links to it (`#ref-n`), and the appendix lists file, record index and
//! event id, so every statement can be checked against the logs.

use std::collections::HashMap;

use cloudcase_model::scope::RecordRef;

use crate::analysis::{code, opt, text};
use crate::Cell;

/// One cited record.
#[derive(Debug)]
struct Cited {
    file: String,
    record: u64,
    event_id: String,
}

/// The references cited so far, numbered from 1 in order of first citation.
#[derive(Debug, Default)]
pub struct Refs {
    list: Vec<Cited>,
    index: HashMap<(String, u64), u32>,
}

impl Refs {
    /// A link to the first of an item's `refs` (an empty cell when it has none).
    pub fn cite(&mut self, refs: &[RecordRef]) -> Cell {
        match refs.first() {
            Some(r) => self.cite_record(&r.file, r.record, opt(&r.event_id)),
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
            self.list.push(Cited {
                file: file.to_owned(),
                record,
                event_id: event_id.to_owned(),
            });
            next
        });
        Cell::Ref(n)
    }

    /// The appendix rows: anchor, file, record index, event id.
    pub fn rows(&self) -> Vec<Vec<Cell>> {
        self.list
            .iter()
            .zip(1u32..)
            .map(|(c, n)| {
                vec![
                    Cell::Anchor(n),
                    code(&c.file),
                    code(c.record.to_string()),
                    code(&c.event_id),
                ]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_numbered_once_in_citation_order() {
        let mut refs = Refs::default();
        let a = [RecordRef {
            file: "a.json.gz".into(),
            record: 3,
            event_id: Some("e1".into()),
        }];
        assert_eq!(refs.cite(&a), Cell::Ref(1));
        assert_eq!(refs.cite_record("b", 0, ""), Cell::Ref(2));
        assert_eq!(refs.cite(&a), Cell::Ref(1));
        assert_eq!(refs.cite(&[]), text(""));
        let rows = refs.rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            vec![Cell::Anchor(1), code("a.json.gz"), code("3"), code("e1")]
        );
    }
}
