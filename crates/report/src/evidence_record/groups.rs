//! Source groups: the evidence record's summary of the manifest.
//!
//! Every manifest line falls in one group of (source root, log type,
//! account, region, day), read from the source's location: the CloudTrail key
//! layout `AWSLogs/[o-orgid/]<account>/<CloudTrail|CloudTrail-Digest|…>/<region>/YYYY/MM/DD/`,
//! else the date in the path, else the acquisition day. A group carries its
//! line count, bytes, first and last acquisition time and the SHA-256 of its
//! manifest lines (their exact bytes, newlines included, in manifest order).
//!
//! The record has room for a bounded number of rows, so the
//! [`Grouper`](super::grouper::Grouper) keeps every grain of [`GRAINS`] at
//! once and drops a grain as soon as it needs more rows than the budget; the
//! record uses the finest grain that fits.

use jiff::Timestamp;

/// What kind of log a source holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LogType {
    /// CloudTrail log files (`…/CloudTrail/…`, `…_CloudTrail_…`).
    CloudTrail,
    /// CloudTrail digest files (`…/CloudTrail-Digest/…`, `…_CloudTrail-Digest_…`).
    CloudTrailDigest,
    /// Documents read from AWS APIs (`aws:lookup-events`, `aws:iam`, `aws:ec2`).
    AwsApi,
    /// Anything else (VPC Flow Logs, access logs, exports, loose files).
    Other,
}

impl LogType {
    /// Message key of its label.
    pub fn label_key(self) -> &'static str {
        match self {
            LogType::CloudTrail => "logtype.cloudtrail",
            LogType::CloudTrailDigest => "logtype.digest",
            LogType::AwsApi => "logtype.aws_api",
            LogType::Other => "logtype.other",
        }
    }

    /// The log type named by a service folder of the CloudTrail key layout.
    fn from_folder(folder: &str) -> Self {
        match folder {
            "CloudTrail" => LogType::CloudTrail,
            "CloudTrail-Digest" => LogType::CloudTrailDigest,
            _ => LogType::Other,
        }
    }

    /// The log type named by a delivered file's name, outside the layout.
    fn from_file_name(name: &str) -> Self {
        if name.contains("_CloudTrail-Digest_") {
            LogType::CloudTrailDigest
        } else if name.contains("_CloudTrail_") {
            LogType::CloudTrail
        } else {
            LogType::Other
        }
    }
}

/// Where a group's date comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DateBasis {
    /// The `YYYY/MM/DD` folders of the source's path.
    Path,
    /// The day the source was acquired (its path holds no date).
    Acquired,
}

/// A date as its digits, and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ymd<'a> {
    /// Four digits.
    pub year: &'a str,
    /// Two digits, 01–12.
    pub month: &'a str,
    /// Two digits, 01–31.
    pub day: &'a str,
    /// Path or acquisition day.
    pub basis: DateBasis,
}

/// What a source's location says about it: the finest grouping fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceFields<'a> {
    /// `s3://bucket/prefix` or the folder holding `AWSLogs/`; the parent
    /// folder when there is no `AWSLogs` component; for `aws:` sources the
    /// URI before `?`.
    pub root: &'a str,
    /// Log type.
    pub log_type: LogType,
    /// The 12-digit account of the layout, if any.
    pub account: Option<&'a str>,
    /// The region of the layout, if any.
    pub region: Option<&'a str>,
    /// The path's date, else the acquisition day.
    pub date: Option<Ymd<'a>>,
    /// A file outside any `AWSLogs/` tree (its root is its own folder).
    pub loose: bool,
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_account(s: &str) -> bool {
    digits(s, 12)
}

fn is_org_id(s: &str) -> bool {
    s.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// `us-east-1`, `ap-southeast-2`, `us-gov-west-1`, `cn-north-1`…
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn ymd<'a>(y: &'a str, m: &'a str, d: &'a str, basis: DateBasis) -> Option<Ymd<'a>> {
    let month_ok = digits(m, 2) && ("01"..="12").contains(&m);
    let day_ok = digits(d, 2) && ("01"..="31").contains(&d);
    (digits(y, 4) && month_ok && day_ok).then_some(Ymd {
        year: y,
        month: m,
        day: d,
        basis,
    })
}

/// The first `YYYY/MM/DD` run of folders in `dirs`.
fn date_in<'a>(dirs: &[&'a str]) -> Option<Ymd<'a>> {
    dirs.windows(3)
        .find_map(|w| ymd(w[0], w[1], w[2], DateBasis::Path))
}

/// The UTC day of an RFC 3339 acquisition time.
fn acquisition_day(acquired: &str) -> Option<Ymd<'_>> {
    let b = acquired.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    ymd(
        acquired.get(..4)?,
        acquired.get(5..7)?,
        acquired.get(8..10)?,
        DateBasis::Acquired,
    )
}

/// The folder holding `path`'s last component (`/` at the top).
fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) if path[..i].ends_with(':') || path[..i].ends_with(":/") => path,
        Some(i) => &path[..i],
        None => path,
    }
}

/// Reads the grouping fields from a manifest line's `source` and `acquired`.
pub fn classify<'a>(source: &'a str, acquired: &'a str) -> SourceFields<'a> {
    let by_acquisition = || acquisition_day(acquired);
    if source.starts_with("aws:") {
        return SourceFields {
            root: source.split('?').next().unwrap_or(source),
            log_type: LogType::AwsApi,
            account: None,
            region: None,
            date: by_acquisition(),
            loose: false,
        };
    }
    const MARK: &str = "/AWSLogs/";
    let Some(at) = source.find(MARK) else {
        let dirs: Vec<&str> = source.split('/').collect();
        let name = dirs.last().copied().unwrap_or_default();
        return SourceFields {
            root: parent(source),
            log_type: LogType::from_file_name(name),
            account: None,
            region: None,
            date: date_in(&dirs[..dirs.len().saturating_sub(1)]).or_else(by_acquisition),
            loose: true,
        };
    };
    let root = if at == 0 { "/" } else { &source[..at] };
    let mut parts: Vec<&str> = source[at + MARK.len()..].split('/').collect();
    let name = parts.pop().unwrap_or_default();
    let skip = usize::from(
        parts.first().is_some_and(|p| is_org_id(p)) && parts.get(1).is_some_and(|p| is_account(p)),
    );
    let account = parts.get(skip).copied().filter(|p| is_account(p));
    let (log_type, region, date) = match account {
        Some(_) => {
            let folder = parts.get(skip + 1).copied();
            let region = parts.get(skip + 2).copied().filter(|p| is_region(p));
            let date = match parts.get(skip + 3..skip + 6) {
                Some(w) => ymd(w[0], w[1], w[2], DateBasis::Path),
                None => None,
            };
            let log_type = folder.map_or(LogType::from_file_name(name), LogType::from_folder);
            (log_type, region, date.or_else(|| date_in(&parts)))
        }
        None => (LogType::from_file_name(name), None, date_in(&parts)),
    };
    SourceFields {
        root,
        log_type,
        account,
        region,
        date: date.or_else(by_acquisition),
        loose: false,
    }
}

/// How fine the groups are. Listed from finest to coarsest in [`GRAINS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grain {
    /// Root, log type, account, region, day.
    Day,
    /// The same, with the folders of files outside any `AWSLogs/` tree
    /// merged into one root (from here on, every grain merges them).
    DayLooseMerged,
    /// Root, log type, account, region, month.
    Month,
    /// Root, log type, account, month (regions merged).
    NoRegion,
    /// Root, log type, month (regions and accounts merged).
    NoAccount,
    /// Root, log type, year.
    Year,
    /// Root, log type (the whole period).
    Whole,
    /// Log type only (all roots together).
    TypeOnly,
}

impl Grain {
    /// Message key of its description.
    pub fn label_key(self) -> &'static str {
        spec(self).label
    }

    /// Whether this grain merges the folders of files outside `AWSLogs/`
    /// trees (while keeping the other roots).
    pub fn merges_loose_roots(self) -> bool {
        spec(self).root == RootCut::Layout
    }
}

/// Which source roots a grain keeps apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RootCut {
    /// Every root.
    All,
    /// Roots of `AWSLogs/` trees and `aws:` sources; the folders of other
    /// files are merged (they can be as many as the files).
    Layout,
    /// None: all roots together.
    None,
}

impl RootCut {
    /// Whether the root of `f` is kept.
    fn keeps(self, f: &SourceFields<'_>) -> bool {
        match self {
            RootCut::All => true,
            RootCut::Layout => !f.loose,
            RootCut::None => false,
        }
    }
}

/// How much of a date a grain keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateCut {
    Day,
    Month,
    Year,
    None,
}

impl DateCut {
    /// Length of the kept `YYYY-MM-DD` prefix.
    fn len(self) -> usize {
        match self {
            DateCut::Day => 10,
            DateCut::Month => 7,
            DateCut::Year => 4,
            DateCut::None => 0,
        }
    }
}

/// One grain: which fields of [`SourceFields`] it keeps.
#[derive(Debug)]
pub struct GrainSpec {
    /// The grain.
    pub grain: Grain,
    date: DateCut,
    region: bool,
    account: bool,
    root: RootCut,
    label: &'static str,
}

/// Every grain, finest first: the order in which the record coarsens.
#[rustfmt::skip]
pub const GRAINS: &[GrainSpec] = &[
    GrainSpec { grain: Grain::Day, date: DateCut::Day, region: true, account: true, root: RootCut::All, label: "grain.day" },
    GrainSpec { grain: Grain::DayLooseMerged, date: DateCut::Day, region: true, account: true, root: RootCut::Layout, label: "grain.day_loose" },
    GrainSpec { grain: Grain::Month, date: DateCut::Month, region: true, account: true, root: RootCut::Layout, label: "grain.month" },
    GrainSpec { grain: Grain::NoRegion, date: DateCut::Month, region: false, account: true, root: RootCut::Layout, label: "grain.no_region" },
    GrainSpec { grain: Grain::NoAccount, date: DateCut::Month, region: false, account: false, root: RootCut::Layout, label: "grain.no_account" },
    GrainSpec { grain: Grain::Year, date: DateCut::Year, region: false, account: false, root: RootCut::Layout, label: "grain.year" },
    GrainSpec { grain: Grain::Whole, date: DateCut::None, region: false, account: false, root: RootCut::Layout, label: "grain.whole" },
    GrainSpec { grain: Grain::TypeOnly, date: DateCut::None, region: false, account: false, root: RootCut::None, label: "grain.type_only" },
];

fn spec(grain: Grain) -> &'static GrainSpec {
    GRAINS
        .iter()
        .find(|s| s.grain == grain)
        .unwrap_or(&GRAINS[GRAINS.len() - 1])
}

/// A field of a group's key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The grain merges this field: the group spans every value.
    Merged,
    /// The source's location holds no such field.
    Absent,
    /// The value.
    Value(String),
}

impl Field {
    fn of(kept: bool, value: Option<&str>) -> Self {
        match (kept, value) {
            (false, _) => Field::Merged,
            (true, None) => Field::Absent,
            (true, Some(v)) => Field::Value(v.to_owned()),
        }
    }

    fn matches(&self, kept: bool, value: Option<&str>) -> bool {
        match (self, kept, value) {
            (Field::Merged, false, _) => true,
            (Field::Absent, true, None) => true,
            (Field::Value(v), true, Some(x)) => v == x,
            _ => false,
        }
    }
}

/// A group's period: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, and its basis.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    /// The kept part of the date.
    pub text: String,
    /// Path or acquisition day.
    pub basis: DateBasis,
}

/// `YYYY-MM-DD` of a date, in a stack buffer.
fn date_bytes(d: &Ymd<'_>) -> [u8; 10] {
    let mut b = [b'-'; 10];
    b[..4].copy_from_slice(d.year.as_bytes());
    b[5..7].copy_from_slice(d.month.as_bytes());
    b[8..].copy_from_slice(d.day.as_bytes());
    b
}

/// The key of a group: the fields its grain keeps.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupKey {
    /// Source root.
    pub root: Field,
    /// Log type.
    pub log_type: LogType,
    /// Account.
    pub account: Field,
    /// Region.
    pub region: Field,
    /// Period; `Merged` at grains without one, `Absent` when undated.
    pub period: PeriodField,
}

/// A group's period field.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodField {
    /// The grain keeps no period.
    Merged,
    /// Neither the path nor the acquisition time gave a date.
    Absent,
    /// The period.
    Value(Period),
}

impl GroupKey {
    pub(crate) fn of(spec: &GrainSpec, f: &SourceFields<'_>) -> Self {
        let period = match (spec.date, &f.date) {
            (DateCut::None, _) => PeriodField::Merged,
            (_, None) => PeriodField::Absent,
            (cut, Some(d)) => {
                let bytes = date_bytes(d);
                PeriodField::Value(Period {
                    text: String::from_utf8_lossy(&bytes[..cut.len()]).into_owned(),
                    basis: d.basis,
                })
            }
        };
        GroupKey {
            root: Field::of(spec.root.keeps(f), Some(f.root)),
            log_type: f.log_type,
            account: Field::of(spec.account, f.account),
            region: Field::of(spec.region, f.region),
            period,
        }
    }

    /// Whether `f` falls in this group at `spec`, without allocating.
    pub(crate) fn matches(&self, spec: &GrainSpec, f: &SourceFields<'_>) -> bool {
        let period = match (&self.period, spec.date, &f.date) {
            (PeriodField::Merged, DateCut::None, _) => true,
            (PeriodField::Absent, cut, None) => cut != DateCut::None,
            (PeriodField::Value(p), cut, Some(d)) if cut != DateCut::None => {
                p.basis == d.basis && p.text.as_bytes() == &date_bytes(d)[..cut.len()]
            }
            _ => false,
        };
        period
            && self.log_type == f.log_type
            && self.root.matches(spec.root.keeps(f), Some(f.root))
            && self.account.matches(spec.account, f.account)
            && self.region.matches(spec.region, f.region)
    }
}

/// One group as the record shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    /// The group's key.
    pub key: GroupKey,
    /// Manifest lines ((object, source) pairs) in the group.
    pub lines: u64,
    /// Bytes over those lines.
    pub bytes: u64,
    /// Earliest acquisition time.
    pub first: Option<Timestamp>,
    /// Latest acquisition time.
    pub last: Option<Timestamp>,
    /// SHA-256 (hex) of the group's manifest lines, newlines included, in order.
    pub sha256: String,
}

/// The groups the record shows, at the finest grain that fits.
#[derive(Debug, Clone)]
pub struct GroupSummary {
    /// The grain used.
    pub grain: Grain,
    /// The next finer grain, which needed more rows than the budget; `None`
    /// when the finest grain fits.
    pub too_fine: Option<Grain>,
    /// The most rows (groups plus roots) the record allows.
    pub budget: usize,
    /// Distinct roots, sorted; groups refer to them by position (R1, R2, …).
    pub roots: Vec<String>,
    /// The groups, sorted by root, log type, account, region and period.
    pub groups: Vec<GroupRow>,
}

#[cfg(test)]
#[path = "groups_tests.rs"]
mod tests;
