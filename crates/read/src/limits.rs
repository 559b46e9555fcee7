//! Resource limits that keep hostile input from exhausting memory or time.

/// Limits applied while reading. Hitting one is reported as a rejection like
/// any other; the run continues with the next record or file.
///
/// Nesting depth needs no limit: framing only counts depth, and the parser
/// skips nested values it does not type without recursing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest single record (JSON value) kept, in bytes. Larger records are
    /// skipped without being buffered. CloudTrail records are at most a few
    /// hundred KB; the default is 16 MiB.
    pub max_record_bytes: usize,
    /// Largest decompressed size of one file. Default 64 GiB.
    pub max_decompressed_bytes: u64,
    /// Largest ratio of decompressed to compressed bytes accepted once more
    /// than [`Limits::ratio_grace_bytes`] have been decompressed: a gzip bomb
    /// guard. CloudTrail's gzip ratio is about 10–25; the default is 200.
    pub max_gzip_ratio: u64,
    /// Decompressed bytes allowed before the ratio check starts. Default 64 MiB.
    pub ratio_grace_bytes: u64,
    /// Most members read from one archive (zip, tar); the rest are reported,
    /// not read. Default 1,000,000 (a year of one account's CloudTrail files
    /// in a few regions).
    pub max_archive_members: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_record_bytes: 16 << 20,
            max_decompressed_bytes: 64 << 30,
            max_gzip_ratio: 200,
            ratio_grace_bytes: 64 << 20,
            max_archive_members: 1_000_000,
        }
    }
}
