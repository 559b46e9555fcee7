//! Counts of findings for the summary, kept instead of the findings themselves.

use std::collections::HashMap;

use cloudcase_event::EventTime;
use cloudcase_sigma::Level;

use crate::finding::FindingView;

/// Findings counted by level, rule, principal and source, with the first and
/// last detection: what the hunt summary shows.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Findings counted.
    pub total: u64,
    /// By level name.
    pub by_level: HashMap<&'static str, u64>,
    /// By rule title.
    pub by_rule: HashMap<String, u64>,
    /// By principal display name (`-` when none).
    pub by_principal: HashMap<String, u64>,
    /// By source IP (`-` when none).
    pub by_source_ip: HashMap<String, u64>,
    /// Earliest finding time.
    pub first: Option<EventTime>,
    /// Latest finding time.
    pub last: Option<EventTime>,
}

fn bump(map: &mut HashMap<String, u64>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_owned(), 1);
        }
    }
}

impl Tally {
    /// Counts one finding.
    pub fn add(&mut self, f: &FindingView<'_>) {
        self.total += 1;
        *self.by_level.entry(f.level.as_str()).or_default() += 1;
        bump(&mut self.by_rule, f.title);
        bump(&mut self.by_principal, f.principal.unwrap_or("-"));
        bump(&mut self.by_source_ip, f.source_ip.unwrap_or("-"));
        let t = f.time;
        self.first = Some(self.first.map_or(t, |x| x.min(t)));
        self.last = Some(self.last.map_or(t, |x| x.max(t)));
    }

    /// Adds another tally.
    pub fn merge(&mut self, other: Tally) {
        self.total += other.total;
        for (k, v) in other.by_level {
            *self.by_level.entry(k).or_default() += v;
        }
        for (mine, theirs) in [
            (&mut self.by_rule, other.by_rule),
            (&mut self.by_principal, other.by_principal),
            (&mut self.by_source_ip, other.by_source_ip),
        ] {
            for (k, v) in theirs {
                *mine.entry(k).or_default() += v;
            }
        }
        self.first = [self.first, other.first].into_iter().flatten().min();
        self.last = [self.last, other.last].into_iter().flatten().max();
    }

    /// The count of findings at `level`.
    pub fn at(&self, level: Level) -> u64 {
        self.by_level.get(level.as_str()).copied().unwrap_or(0)
    }
}
