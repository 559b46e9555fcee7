//! The run's input accounting: what was read, skipped and rejected.

use std::collections::BTreeMap;
use std::fmt;

use crate::RejectKind;

/// Counts for one run (or one file, merged into a run's total).
///
/// Invariant checked by tests: every file seen is either read or skipped,
/// and every record framed is either parsed or rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accounting {
    /// Input files found.
    pub files_seen: u64,
    /// Files whose content was read as events (fully or until an error).
    pub files_read: u64,
    /// Files not read as events, by reason (digests, unreadable, not JSON, …).
    pub files_skipped: BTreeMap<RejectKind, u64>,
    /// Records turned into events.
    pub records_parsed: u64,
    /// Records (or damaged stretches of a file) rejected, by reason.
    pub rejected: BTreeMap<RejectKind, u64>,
    /// Bytes read from disk (compressed size for gzip files).
    pub bytes_read: u64,
    /// Bytes of decompressed content scanned.
    pub bytes_decompressed: u64,
    /// Files read, by the container form found in them.
    pub formats: BTreeMap<&'static str, u64>,
}

impl Accounting {
    /// Adds another run's or file's counts into this one.
    pub fn merge(&mut self, other: &Accounting) {
        self.files_seen += other.files_seen;
        self.files_read += other.files_read;
        add_all(&mut self.files_skipped, &other.files_skipped);
        self.records_parsed += other.records_parsed;
        add_all(&mut self.rejected, &other.rejected);
        self.bytes_read += other.bytes_read;
        self.bytes_decompressed += other.bytes_decompressed;
        add_all(&mut self.formats, &other.formats);
    }

    /// Total records rejected.
    pub fn records_rejected(&self) -> u64 {
        self.rejected.values().sum()
    }

    /// Total files skipped.
    pub fn skipped_files(&self) -> u64 {
        self.files_skipped.values().sum()
    }

    /// Whether anything was lost: a rejected record, or a skipped file other
    /// than a digest file or an inventory snapshot (both are expected beside
    /// logs and are not events). `--strict`
    /// turns this into a non-zero exit.
    pub fn has_losses(&self) -> bool {
        self.records_rejected() > 0
            || self
                .files_skipped
                .iter()
                .any(|(k, n)| k.is_loss() && *n > 0)
    }

    /// Counts a skipped file.
    pub(crate) fn skip_file(&mut self, kind: RejectKind) {
        *self.files_skipped.entry(kind).or_default() += 1;
    }

    /// Counts a rejected record.
    pub(crate) fn reject(&mut self, kind: RejectKind) {
        *self.rejected.entry(kind).or_default() += 1;
    }
}

fn add_all<K: Ord + Copy>(into: &mut BTreeMap<K, u64>, from: &BTreeMap<K, u64>) {
    for (k, v) in from {
        *into.entry(*k).or_default() += v;
    }
}

fn write_breakdown(f: &mut fmt::Formatter<'_>, parts: &BTreeMap<RejectKind, u64>) -> fmt::Result {
    let items: Vec<String> = parts
        .iter()
        .map(|(k, n)| format!("{n} {}", k.description()))
        .collect();
    if !items.is_empty() {
        write!(f, " ({})", items.join(", "))?;
    }
    Ok(())
}

/// `1234567` bytes as `1.2 MB` (decimal units, as disk tools print).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit + 1 < UNITS.len() {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

impl fmt::Display for Accounting {
    /// One line: `files: 12 seen, 11 read, 1 skipped (1 CloudTrail digest file);
    /// records: 45210 parsed, 3 rejected (2 malformed JSON, 1 invalid eventTime);
    /// bytes: 31.2 MB read, 410.5 MB decompressed`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "files: {} seen, {} read, {} skipped",
            self.files_seen,
            self.files_read,
            self.skipped_files()
        )?;
        write_breakdown(f, &self.files_skipped)?;
        write!(
            f,
            "; records: {} parsed, {} rejected",
            self.records_parsed,
            self.records_rejected()
        )?;
        write_breakdown(f, &self.rejected)?;
        write!(
            f,
            "; bytes: {} read, {} decompressed",
            human_bytes(self.bytes_read),
            human_bytes(self.bytes_decompressed)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_adds_and_display_breaks_down() {
        let mut a = Accounting {
            files_seen: 2,
            files_read: 1,
            records_parsed: 10,
            bytes_read: 1500,
            ..Default::default()
        };
        a.skip_file(RejectKind::Digest);
        let mut b = Accounting {
            files_seen: 1,
            files_read: 1,
            records_parsed: 5,
            ..Default::default()
        };
        b.reject(RejectKind::MalformedJson);
        b.reject(RejectKind::MalformedJson);
        a.merge(&b);
        assert_eq!(a.records_parsed, 15);
        assert_eq!(a.records_rejected(), 2);
        assert_eq!(
            a.to_string(),
            "files: 3 seen, 2 read, 1 skipped (1 CloudTrail digest file); records: 15 parsed, 2 rejected (2 malformed JSON); bytes: 1.5 KB read, 0 B decompressed"
        );
    }

    #[test]
    fn digests_alone_are_not_losses() {
        let mut a = Accounting::default();
        a.skip_file(RejectKind::Digest);
        assert!(!a.has_losses());
        a.skip_file(RejectKind::NotJson);
        assert!(a.has_losses());
    }
}
