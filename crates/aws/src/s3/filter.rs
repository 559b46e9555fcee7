//! Which listed objects to acquire: the time a key names, and account and
//! region path segments.
//!
//! CloudTrail, CloudTrail-Digest and VPC Flow Logs keys carry a UTC timestamp
//! in the file name (`…_20240518T0935Z_…`, digests `…_20240518T093512Z.json.gz`)
//! under `AWSLogs/[ORG/]ACCOUNT/SERVICE/REGION/YYYY/MM/DD/`; S3 server access logs
//! are named `[PREFIX]YYYY-MM-DD-HH-MM-SS-ID`. The most precise of these is the
//! key's time; a key with only a day directory covers that whole day.

use jiff::civil::{Date, DateTime};
use jiff::{Timestamp, ToSpan};

/// What to keep: a half-open time range `[since, until)` and path segments.
#[derive(Debug, Clone, Default)]
pub struct KeyFilter {
    /// Keep keys whose time is at or after this.
    pub since: Option<Timestamp>,
    /// Keep keys whose time is before this.
    pub until: Option<Timestamp>,
    /// Keep keys with one of these account ids as a path segment (any when empty).
    pub accounts: Vec<String>,
    /// Keep keys with one of these regions as a path segment (any when empty).
    pub regions: Vec<String>,
}

/// Why a key is not acquired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejected {
    /// Outside the account or region selection: not listed at all.
    NotSelected,
    /// Its time is outside `[since, until)`: not listed at all.
    OutOfRange,
    /// A time range was asked for but the key names no time: reported as skipped.
    Undated,
}

impl KeyFilter {
    /// Whether `key` is selected.
    pub fn check(&self, key: &str) -> Result<(), Rejected> {
        let segments: Vec<&str> = key.split('/').collect();
        let has = |wanted: &[String]| {
            wanted.is_empty() || wanted.iter().any(|w| segments.contains(&w.as_str()))
        };
        if !has(&self.accounts) || !has(&self.regions) {
            return Err(Rejected::NotSelected);
        }
        if self.since.is_none() && self.until.is_none() {
            return Ok(());
        }
        let (start, end) = key_time(key).ok_or(Rejected::Undated)?;
        let after_since = self.since.is_none_or(|s| end > s);
        let before_until = self.until.is_none_or(|u| start < u);
        if after_since && before_until {
            Ok(())
        } else {
            Err(Rejected::OutOfRange)
        }
    }
}

/// The time span a key names: `[t, t + 1 ns)` for a timestamp in the file name,
/// the whole day for a day directory only; `None` when it names no time.
pub fn key_time(key: &str) -> Option<(Timestamp, Timestamp)> {
    let name = key.rsplit('/').next().unwrap_or(key);
    if let Some(t) = name_timestamp(name).or_else(|| access_log_time(name)) {
        return Some((t, t + 1.nanosecond()));
    }
    let day = day_directory(key)?;
    let start = day.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    Some((start, start + 24.hours()))
}

/// `_YYYYMMDDTHHMMZ_` or `_YYYYMMDDTHHMMSSZ` inside a file name.
fn name_timestamp(name: &str) -> Option<Timestamp> {
    name.split(['_', '.']).find_map(|part| {
        let digits = part.strip_suffix('Z')?;
        let (date, time) = digits.split_once('T')?;
        let fmt = match time.len() {
            4 => "%Y%m%dT%H%M",
            6 => "%Y%m%dT%H%M%S",
            _ => return None,
        };
        if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        DateTime::strptime(fmt, digits)
            .ok()?
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp())
    })
}

/// S3 server access log names: `YYYY-MM-DD-HH-MM-SS-` then an id.
fn access_log_time(name: &str) -> Option<Timestamp> {
    let head = name.get(..19)?;
    if name.as_bytes().get(19) != Some(&b'-') {
        return None;
    }
    DateTime::strptime("%Y-%m-%d-%H-%M-%S", head)
        .ok()?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// The last `YYYY/MM/DD` run of directory segments.
fn day_directory(key: &str) -> Option<Date> {
    let dirs: Vec<&str> = key.split('/').collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    dirs.windows(3).rev().find_map(|w| {
        let ok = w[0].len() == 4
            && w[1].len() == 2
            && w[2].len() == 2
            && w.iter().all(|s| s.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return None;
        }
        Date::new(w[0].parse().ok()?, w[1].parse().ok()?, w[2].parse().ok()?).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/18/111122223333_CloudTrail_us-east-1_20240518T0935Z_abc.json.gz";
    const DIGEST: &str = "AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2024/05/18/111122223333_CloudTrail-Digest_eu-west-1_t_us-east-1_20240518T093512Z.json.gz";

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("valid time")
    }

    #[test]
    fn reads_the_time_of_every_key_form() {
        assert_eq!(key_time(LOG).map(|t| t.0), Some(ts("2024-05-18T09:35:00Z")));
        assert_eq!(
            key_time(DIGEST).map(|t| t.0),
            Some(ts("2024-05-18T09:35:12Z"))
        );
        assert_eq!(
            key_time("logs/2024-05-18-09-35-12-ABCDEF0123").map(|t| t.0),
            Some(ts("2024-05-18T09:35:12Z"))
        );
        assert_eq!(
            key_time("x/2024/05/18/other.json"),
            Some((ts("2024-05-18T00:00:00Z"), ts("2024-05-19T00:00:00Z")))
        );
        assert_eq!(key_time("x/readme.txt"), None);
    }

    #[test]
    fn selects_half_open_ranges_accounts_and_regions() {
        let f = KeyFilter {
            since: Some(ts("2024-05-18T09:35:00Z")),
            until: Some(ts("2024-05-18T09:36:00Z")),
            ..KeyFilter::default()
        };
        assert_eq!(f.check(LOG), Ok(()));
        assert_eq!(f.check(DIGEST), Ok(()));
        let later = KeyFilter {
            since: Some(ts("2024-05-18T09:35:13Z")),
            ..KeyFilter::default()
        };
        assert_eq!(later.check(LOG), Err(Rejected::OutOfRange));
        assert_eq!(later.check("a/b.txt"), Err(Rejected::Undated));
        let region = KeyFilter {
            regions: vec!["eu-west-1".into()],
            accounts: vec!["111122223333".into()],
            ..KeyFilter::default()
        };
        assert_eq!(region.check(LOG), Err(Rejected::NotSelected));
        assert_eq!(region.check(DIGEST), Ok(()));
    }
}
