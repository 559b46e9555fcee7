//! The custody log read in one streaming pass: counters per action, the
//! chain head, and every entry except the (possibly millions of) `acquired`
//! ones, which reports never need one by one.

use std::collections::HashMap;

use cloudcase_evidence::{Action, Case, CustodyEntry};

use crate::ReportError;

/// How often one action was recorded, and when first and last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionCount {
    /// The action's name.
    pub action: String,
    /// Entries recording it.
    pub count: u64,
    /// Sequence number of the first.
    pub first_seq: u64,
    /// Time of the first, RFC 3339 UTC.
    pub first_time: String,
    /// Sequence number of the last.
    pub last_seq: u64,
    /// Time of the last, RFC 3339 UTC.
    pub last_time: String,
}

/// What reports need from the custody log.
#[derive(Debug, Clone, Default)]
pub struct CustodyDigest {
    /// Every entry except `acquired` ones, in log order: analysis results,
    /// verifications, validations, acquisition runs, reports, repairs.
    pub entries: Vec<CustodyEntry>,
    /// Counters per action, in order of first appearance.
    pub actions: Vec<ActionCount>,
    /// Entries read (complete lines that parsed).
    pub total: u64,
    /// Hash of the last entry: the chain head.
    pub head: Option<String>,
    /// Sequence number of the last entry.
    pub head_seq: Option<u64>,
    /// Complete lines that are not custody entries (`verify` names them).
    pub unparsable: u64,
    /// Length of an incomplete final line, 0 when there is none.
    pub torn_tail_bytes: u64,
}

impl CustodyDigest {
    /// Reads the custody log of `case` line by line.
    pub fn read(case: &Case) -> Result<Self, ReportError> {
        let mut d = CustodyDigest::default();
        let mut at: HashMap<String, usize> = HashMap::new();
        let stats = case.for_each_custody_line::<ReportError, _>(|line| {
            let Some(brief) = line.brief else {
                return Ok(());
            };
            d.total += 1;
            d.head = Some(brief.hash.clone());
            d.head_seq = Some(brief.seq);
            let name = brief.action.as_str();
            match at.get(name) {
                Some(&i) => {
                    let c = &mut d.actions[i];
                    c.count += 1;
                    c.last_seq = brief.seq;
                    c.last_time.clone_from(&brief.time);
                }
                None => {
                    at.insert(name.to_owned(), d.actions.len());
                    d.actions.push(ActionCount {
                        action: name.to_owned(),
                        count: 1,
                        first_seq: brief.seq,
                        first_time: brief.time.clone(),
                        last_seq: brief.seq,
                        last_time: brief.time.clone(),
                    });
                }
            }
            if brief.action != Action::Acquired {
                if let Some(entry) = line.entry() {
                    d.entries.push(entry);
                }
            }
            Ok(())
        })?;
        d.unparsable = stats.unparsable;
        d.torn_tail_bytes = stats.torn_tail_bytes;
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counts_every_action_and_keeps_all_but_acquired_entries() {
        let dir = tempfile::tempdir().expect("tempdir");
        let case = Case::init(&dir.path().join("case"), "n", "alice", "UTC").expect("init");
        let src = dir.path().join("src");
        std::fs::create_dir_all(&src).expect("mkdir");
        for i in 0..5 {
            std::fs::write(src.join(format!("{i}.json")), format!("{{\"n\":{i}}}")).expect("write");
        }
        case.acquire_paths(&[&src], &Default::default())
            .expect("acquire");
        case.custody()
            .append(Action::AnalysisRecorded, json!({"kind": "scope"}))
            .expect("append");
        let d = CustodyDigest::read(&case).expect("read");
        let all = case.custody().entries().expect("entries");
        assert_eq!(d.total, all.len() as u64);
        assert_eq!(d.head.as_deref(), all.last().map(|e| e.hash.as_str()));
        let acquired = d
            .actions
            .iter()
            .find(|a| a.action == "acquired")
            .expect("acquired");
        assert_eq!(acquired.count, 5);
        assert!(acquired.first_seq < acquired.last_seq);
        let kept: Vec<&CustodyEntry> = all
            .iter()
            .filter(|e| e.action != Action::Acquired)
            .collect();
        assert_eq!(d.entries.iter().collect::<Vec<_>>(), kept);
        assert_eq!(d.actions[0].action, "case_created");
        assert_eq!(d.actions.iter().map(|a| a.count).sum::<u64>(), d.total);
        assert_eq!((d.unparsable, d.torn_tail_bytes), (0, 0));
    }
}
