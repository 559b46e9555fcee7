//! Why an imported line is rejected, and the accounting of an import.

use std::fmt;

/// Why a line was not imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// Not JSON, not an object, or without `rule_id`, `file` or a whole-number `record`.
    Malformed,
    /// A finding of an analytic or a correlation, which cannot be checked against one record.
    NotARuleFinding,
    /// No rule with this id among the rules loaded (built-in pack and `--rules`).
    UnknownRule,
    /// The file names no evidence object of the case (or its `sha256` differs).
    FileNotInCase,
    /// The object holds no record at this index.
    NoSuchRecord,
    /// The record's `eventID` is not the one claimed.
    EventIdMismatch,
    /// The rule does not match the record.
    RuleDoesNotMatch,
    /// The same rule on the same record was already imported.
    Duplicate,
}

impl Reason {
    /// Every reason, in the order the accounting lists them.
    pub const ALL: [Reason; 8] = [
        Reason::Malformed,
        Reason::NotARuleFinding,
        Reason::UnknownRule,
        Reason::FileNotInCase,
        Reason::NoSuchRecord,
        Reason::EventIdMismatch,
        Reason::RuleDoesNotMatch,
        Reason::Duplicate,
    ];

    /// Name for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Malformed => "malformed line",
            Reason::NotARuleFinding => "not a rule finding",
            Reason::UnknownRule => "unknown rule",
            Reason::FileNotInCase => "file not in the case",
            Reason::NoSuchRecord => "no such record",
            Reason::EventIdMismatch => "event_id mismatch",
            Reason::RuleDoesNotMatch => "rule does not match the record",
            Reason::Duplicate => "duplicate",
        }
    }
}

/// One rejected line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRejection {
    /// The line, from 1 (for CSV: the line its row starts on).
    pub line: u64,
    /// Why.
    pub reason: Reason,
    /// What was found.
    pub detail: String,
}

impl fmt::Display for LineRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: {}: {}",
            self.line,
            self.reason.as_str(),
            self.detail
        )
    }
}

/// What an import did with the lines it read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportAccounting {
    /// Lines read (blank lines and a CSV header not counted).
    pub read: u64,
    /// Findings imported (recorded), after routine lowering and `--min-level`.
    pub imported: u64,
    /// Valid findings left out: below `--min-level` or of a rule outside `--status`.
    pub below: u64,
    /// Rejected lines by reason, in [`Reason::ALL`] order.
    pub rejected: Vec<(Reason, u64)>,
}

impl ImportAccounting {
    /// Counts one rejection.
    pub(crate) fn reject(&mut self, reason: Reason) {
        match self.rejected.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, n)) => *n += 1,
            None => {
                self.rejected.push((reason, 1));
                self.rejected.sort();
            }
        }
    }

    /// Rejected lines in all.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.iter().map(|(_, n)| n).sum()
    }

    /// Rejections of `reason`.
    pub fn rejected_for(&self, reason: Reason) -> u64 {
        self.rejected
            .iter()
            .find(|(r, _)| *r == reason)
            .map_or(0, |(_, n)| *n)
    }
}

impl fmt::Display for ImportAccounting {
    /// `import: R read, I imported, B below --min-level or --status, X rejected (n reason, …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "import: {} read, {} imported, {} below --min-level or outside --status, {} rejected",
            self.read,
            self.imported,
            self.below,
            self.rejected_total()
        )?;
        if !self.rejected.is_empty() {
            let parts: Vec<String> = self
                .rejected
                .iter()
                .map(|(r, n)| format!("{n} {}", r.as_str()))
                .collect();
            write!(f, " ({})", parts.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accounting_line_lists_rejections_by_reason_in_a_fixed_order() {
        let mut a = ImportAccounting {
            read: 5,
            imported: 2,
            ..ImportAccounting::default()
        };
        assert_eq!(
            a.to_string(),
            "import: 5 read, 2 imported, 0 below --min-level or outside --status, 0 rejected"
        );
        a.reject(Reason::EventIdMismatch);
        a.reject(Reason::UnknownRule);
        a.reject(Reason::EventIdMismatch);
        assert_eq!(a.rejected_total(), 3);
        assert_eq!(a.rejected_for(Reason::EventIdMismatch), 2);
        assert!(a
            .to_string()
            .ends_with("3 rejected (1 unknown rule, 2 event_id mismatch)"));
    }
}
