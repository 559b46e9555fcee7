//! What a hunt counted, and its text form: the summary after the findings.

use std::collections::HashMap;

use cloudcase_sigma::Level;
use cloudcase_util::sanitize::terminal_safe;

use crate::tally::Tally;

/// The totals of a hunt, handed to a sink when the findings are done.
#[derive(Debug, Clone)]
pub struct HuntSummary {
    /// Counts of the findings reported.
    pub tally: Tally,
    /// Findings below the minimum level (counted, not reported).
    pub below_threshold: u64,
    /// The minimum level reported.
    pub min_level: Level,
    /// Where countries came from (the geo-IP database's description), if
    /// the analytics had one.
    pub countries_from: Option<String>,
}

/// One line of a "top" list.
struct Ranked<'a> {
    key: &'a str,
    count: u64,
}

/// The `n` largest entries of a count map, most first, then by key.
fn top(counts: &HashMap<String, u64>, n: usize) -> Vec<Ranked<'_>> {
    let mut v: Vec<Ranked<'_>> = counts
        .iter()
        .map(|(key, count)| Ranked { key, count: *count })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(b.key)));
    v.truncate(n);
    v
}

impl HuntSummary {
    /// The summary as text, times in `tz`: counts by level, first and last
    /// detection, top rules, principals and source IPs, and what the analytics
    /// could compare. Starts with an empty line; terminal-safe.
    pub fn to_text(&self, tz: &jiff::tz::TimeZone) -> String {
        let tally = &self.tally;
        let mut s = String::from("\n== hunt summary\n");
        let levels: Vec<String> = Level::ALL
            .iter()
            .rev()
            .filter(|l| tally.at(**l) > 0)
            .map(|l| format!("{} {}", tally.at(*l), l.as_str()))
            .collect();
        s.push_str(&format!(
            "findings: {} ({}); {} below --min-level {}\n",
            tally.total,
            if levels.is_empty() {
                "none".to_owned()
            } else {
                levels.join(", ")
            },
            self.below_threshold,
            self.min_level.as_str()
        ));
        if let (Some(first), Some(last)) = (tally.first, tally.last) {
            s.push_str(&format!(
                "first detection: {}\nlast detection:  {}\n",
                first.to_zoned_string(tz),
                last.to_zoned_string(tz)
            ));
        }
        for (title, map, n) in [
            ("rules", &tally.by_rule, 10),
            ("principals", &tally.by_principal, 5),
            ("source IPs", &tally.by_source_ip, 5),
        ] {
            if map.is_empty() {
                continue;
            }
            s.push_str(&format!("top {title}:\n"));
            for r in top(map, n) {
                s.push_str(&format!("  {:>8}  {}\n", r.count, terminal_safe(r.key)));
            }
        }
        match &self.countries_from {
            Some(db) => s.push_str(&format!("analytics: countries from {db}\n")),
            None => s.push_str(
                "analytics: IP-based only (no geo-IP database: --geoip FILE); countries are not compared\n",
            ),
        }
        s
    }
}
