//! The `activity` section: counts per time bucket for the report's charts.

use serde::{Deserialize, Serialize};

/// Events per time bucket by region and by identity, the attacker's apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// Bucket length: an hour for up to three days of logs, else a day.
    pub bucket_ms: i64,
    /// Bucket start times, RFC 3339 UTC.
    pub buckets: Vec<String>,
    /// Per region.
    pub by_region: Vec<RegionSeries>,
    /// Attacker identities first, then the busiest others, the rest folded.
    pub by_identity: Vec<IdentitySeries>,
}

/// Counts of one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSeries {
    /// Region.
    pub region: String,
    /// The attacker's events per bucket.
    pub attacker: Vec<u64>,
    /// Everyone else's.
    pub other: Vec<u64>,
}

/// Counts of one identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentitySeries {
    /// `role/NAME`, `user/NAME`, a service…
    pub identity: String,
    /// Whether these are the attacker's events.
    pub attacker: bool,
    /// Events per bucket.
    pub counts: Vec<u64>,
}
