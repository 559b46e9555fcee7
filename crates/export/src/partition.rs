//! Hive partitions: `account=…/region=…/day=…`, with values made safe as directory names.

use std::path::PathBuf;

use cloudcase_event::calendar::civil_from_days;
use cloudcase_event::Event;

/// The partition an event belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PartitionKey {
    /// The recipient account, sanitized, or `unknown`.
    pub account: String,
    /// `awsRegion`, sanitized, or `unknown`.
    pub region: String,
    /// Days since 1970-01-01 of the event's UTC time.
    pub day: i64,
}

/// Longest partition value kept (longer ones are cut).
const MAX_VALUE: usize = 128;

impl PartitionKey {
    /// The partition of `e`.
    pub fn of(e: &Event) -> PartitionKey {
        PartitionKey {
            account: sanitize(e.recipient_account.as_deref()),
            region: sanitize(e.region.as_deref()),
            day: day_of(e),
        }
    }

    /// The partition's directory below the output directory.
    pub fn dir(&self) -> PathBuf {
        let (y, m, d) = civil_from_days(self.day);
        PathBuf::from(format!("account={}", self.account))
            .join(format!("region={}", self.region))
            .join(format!("day={y:04}-{m:02}-{d:02}"))
    }
}

/// Days since 1970-01-01 of `e`'s UTC time.
pub fn day_of(e: &Event) -> i64 {
    e.time.millis().div_euclid(86_400_000)
}

/// A partition value safe as one directory name and unchanged by Hive's and Spark's path
/// escaping: ASCII letters, digits, `_`, `-` and `.` kept, anything else (`/`, `=`, `%`,
/// spaces, `:`) becomes `_`; a leading `.` (hidden files, `..`) becomes `_`; empty or absent
/// is `unknown`. The exact values stay in the columns (`recipient_account_id`, `aws_region`).
pub fn sanitize(value: Option<&str>) -> String {
    let Some(v) = value.filter(|v| !v.is_empty()) else {
        return "unknown".to_owned();
    };
    let mut out: String = v
        .chars()
        .take(MAX_VALUE)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with('.') {
        out.replace_range(0..1, "_");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_cannot_escape_or_split_the_directory() {
        assert_eq!(sanitize(Some("123456789012")), "123456789012");
        assert_eq!(sanitize(Some("us-east-1")), "us-east-1");
        assert_eq!(sanitize(None), "unknown");
        assert_eq!(sanitize(Some("")), "unknown");
        assert_eq!(sanitize(Some("..")), "_.");
        assert_eq!(sanitize(Some("../../etc")), "_._.._etc");
        assert_eq!(sanitize(Some("a=b/c d")), "a_b_c_d");
        assert_eq!(sanitize(Some(&"x".repeat(500))).len(), MAX_VALUE);
    }

    #[test]
    fn directories_are_hive_style() {
        let k = PartitionKey {
            account: "1".into(),
            region: "unknown".into(),
            day: 19_850,
        };
        assert_eq!(
            k.dir(),
            PathBuf::from("account=1/region=unknown/day=2024-05-07")
        );
    }
}
