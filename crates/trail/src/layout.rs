//! CloudTrail's S3 key layout, and how S3 keys are mapped onto a local copy.
//!
//! CloudTrail writes
//! `[PREFIX/]AWSLogs/[ORG-ID/]ACCOUNT/CloudTrail[-Digest]/REGION/YYYY/MM/DD/NAME`.
//! A local copy (`aws s3 sync`, a case folder, a zip) keeps that tail but puts
//! anything in front of it. So a local file and an S3 key are matched on their
//! *layout key*: the path from the `AWSLogs` component on, with `/` separators and
//! a trailing `.gz` removed (so a log that was gunzipped locally still matches).
//! The `AWSLogs` component chosen is the last one followed, one or two components
//! later, by a component starting with `CloudTrail` (so a prefix that itself
//! contains `AWSLogs` does not confuse it). Files outside that layout fall back to
//! their file name, which CloudTrail makes unique (time stamp plus random part).

use std::path::Path;

use jiff::Timestamp;

/// The layout key of an S3 key or a path given as `/`-separated text.
pub(crate) fn layout_key(key: &str) -> Option<String> {
    let comps: Vec<&str> = key.split(['/', '\\']).filter(|c| !c.is_empty()).collect();
    layout_key_of(&comps)
}

/// The layout key of a local path.
pub(crate) fn layout_key_of_path(path: &Path) -> Option<String> {
    let comps: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let refs: Vec<&str> = comps.iter().map(String::as_str).collect();
    layout_key_of(&refs)
}

fn layout_key_of(comps: &[&str]) -> Option<String> {
    let is_ct = |i: usize| comps.get(i).is_some_and(|c| c.starts_with("CloudTrail"));
    let start = (0..comps.len())
        .rev()
        .find(|&i| comps[i] == "AWSLogs" && (is_ct(i + 2) || is_ct(i + 3)))
        .or_else(|| comps.iter().rposition(|c| *c == "AWSLogs"))?;
    if start + 1 >= comps.len() {
        return None;
    }
    Some(strip_gz(&comps[start..].join("/")).to_string())
}

/// The file-name key: the last component without a trailing `.gz`.
pub(crate) fn name_key(key: &str) -> String {
    let name = key.rsplit(['/', '\\']).next().unwrap_or(key);
    strip_gz(name).to_string()
}

/// The file-name key of a local path.
pub(crate) fn name_key_of_path(path: &Path) -> String {
    path.file_name()
        .map(|n| strip_gz(&n.to_string_lossy()).to_string())
        .unwrap_or_default()
}

fn strip_gz(s: &str) -> &str {
    s.strip_suffix(".gz").unwrap_or(s)
}

/// `s3://BUCKET/KEY`, the form `aws cloudtrail validate-logs` prints.
pub(crate) fn s3_uri(bucket: &str, key: &str) -> String {
    format!("s3://{bucket}/{key}")
}

/// What a digest's file name says:
/// `ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOMEREGION_YYYYMMDDTHHMMSSZ[_backfill].json.gz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DigestName {
    pub account: String,
    pub region: String,
    pub trail: String,
    pub home_region: String,
    pub end: Option<Timestamp>,
}

/// Parses a digest file name (or a key ending in one).
pub(crate) fn parse_digest_name(key: &str) -> Option<DigestName> {
    let name = key.rsplit('/').next().unwrap_or(key);
    let stem = name.strip_suffix(".gz").unwrap_or(name);
    let stem = stem.strip_suffix(".json")?;
    let stem = stem.strip_suffix("_backfill").unwrap_or(stem);
    let (account, rest) = stem.split_once("_CloudTrail-Digest_")?;
    let (region, rest) = rest.split_once('_')?;
    let (rest, stamp) = rest.rsplit_once('_')?;
    let (trail, home_region) = rest.rsplit_once('_')?;
    if account.is_empty() || region.is_empty() || trail.is_empty() || home_region.is_empty() {
        return None;
    }
    Some(DigestName {
        account: account.to_string(),
        region: region.to_string(),
        trail: trail.to_string(),
        home_region: home_region.to_string(),
        end: parse_compact_time(stamp),
    })
}

/// The organization id in `AWSLogs/o-xxxx/ACCOUNT/...`, if any.
pub(crate) fn org_id(key: &str) -> Option<String> {
    let lk = layout_key(key)?;
    let mut parts = lk.split('/').skip(1);
    let first = parts.next()?;
    first.starts_with("o-").then(|| first.to_string())
}

/// The delivery time a log file's name carries:
/// `ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_RANDOM.json.gz`.
pub(crate) fn log_name_time(key: &str) -> Option<Timestamp> {
    let name = key.rsplit(['/', '\\']).next().unwrap_or(key);
    name.split('_').find_map(parse_compact_time)
}

/// Parses `YYYYMMDDTHHMMZ` or `YYYYMMDDTHHMMSSZ`.
pub(crate) fn parse_compact_time(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if !(b.len() == 14 || b.len() == 16) || b[8] != b'T' || b[b.len() - 1] != b'Z' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<i16> {
        let t = s.get(r)?;
        if !t.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let sec = if b.len() == 16 { digits(13..15)? } else { 0 };
    let dt = jiff::civil::DateTime::new(
        digits(0..4)?,
        i8::try_from(digits(4..6)?).ok()?,
        i8::try_from(digits(6..8)?).ok()?,
        i8::try_from(digits(9..11)?).ok()?,
        i8::try_from(digits(11..13)?).ok()?,
        i8::try_from(sec).ok()?,
        0,
    )
    .ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "my-bucket/pfx/AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_my_trail_us-east-1_20150817T150131Z.json.gz";

    #[test]
    fn layout_key_strips_prefix_and_gz() {
        assert_eq!(
            layout_key(DIGEST).as_deref(),
            Some("AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_my_trail_us-east-1_20150817T150131Z.json")
        );
        let p = Path::new(
            "/case/x/AWSLogs/stuff/AWSLogs/o-abc/123/CloudTrail/us-east-1/2024/01/01/a.json",
        );
        assert_eq!(
            layout_key_of_path(p).as_deref(),
            Some("AWSLogs/o-abc/123/CloudTrail/us-east-1/2024/01/01/a.json")
        );
        assert_eq!(layout_key("flat/file.json.gz"), None);
        assert_eq!(name_key("flat/file.json.gz"), "file.json");
    }

    #[test]
    fn digest_names_with_underscored_trails() {
        let n = parse_digest_name(DIGEST).expect("parses");
        assert_eq!(n.account, "111122223333");
        assert_eq!(n.region, "us-east-2");
        assert_eq!(n.trail, "my_trail");
        assert_eq!(n.home_region, "us-east-1");
        assert_eq!(
            n.end.map(|t| t.to_string()).as_deref(),
            Some("2015-08-17T15:01:31Z")
        );
        assert!(parse_digest_name("x_CloudTrail_us-east-1_20240101T0000Z_a.json.gz").is_none());
    }

    #[test]
    fn log_names_and_org_ids() {
        let k = "AWSLogs/o-aa11/123/CloudTrail/us-east-1/2024/01/01/123_CloudTrail_us-east-1_20240101T0105Z_AbCd.json.gz";
        assert_eq!(
            log_name_time(k).map(|t| t.to_string()).as_deref(),
            Some("2024-01-01T01:05:00Z")
        );
        assert_eq!(org_id(k).as_deref(), Some("o-aa11"));
        assert_eq!(org_id(DIGEST), None);
    }
}
