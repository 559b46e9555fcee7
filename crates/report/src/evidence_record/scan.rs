//! One streaming pass over `manifest.jsonl` that feeds everything the
//! evidence record states about the objects: the groups, the totals, the
//! listings and, for a small case, every (object, source) pair.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use cloudcase_evidence::Sha256Hasher;
use cloudcase_evidence::{Case, LineStats, ManifestRecord};
use jiff::Timestamp;

use super::grouper::Grouper;
use super::groups::GroupSummary;
use super::listing::{ListingWriter, PendingListing};
use super::RowBudget;
use crate::ReportError;

/// A case with at most this many (object, source) pairs also gets the
/// per-object table in the record.
pub const SMALL_CASE_PAIRS: usize = 300;

/// One (object, source) pair of a small case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// Number of the object, from 1, in order of first acquisition.
    pub object_no: usize,
    /// SHA-256 of the object.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Original source.
    pub source: String,
    /// Acquisition time.
    pub acquired: String,
    /// Examiner.
    pub examiner: String,
}

/// The pairs of a case, as long as there are no more than [`SMALL_CASE_PAIRS`].
#[derive(Debug, Default)]
struct SmallCase {
    pairs: Vec<Pair>,
    seen: HashSet<(String, String)>,
    objects: HashMap<String, usize>,
    too_many: bool,
}

impl SmallCase {
    fn add(&mut self, r: &ManifestRecord) {
        if self.too_many || !self.seen.insert((r.sha256.clone(), r.source.clone())) {
            return;
        }
        if self.pairs.len() == SMALL_CASE_PAIRS {
            *self = SmallCase {
                too_many: true,
                ..SmallCase::default()
            };
            return;
        }
        let next = self.objects.len() + 1;
        let object_no = *self.objects.entry(r.sha256.clone()).or_insert(next);
        self.pairs.push(Pair {
            object_no,
            sha256: r.sha256.clone(),
            size: r.size,
            source: r.source.clone(),
            acquired: r.acquired.clone(),
            examiner: r.examiner.clone(),
        });
    }
}

/// Totals over every manifest line that parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Manifest lines that parsed: (object, source) pairs.
    pub pairs: u64,
    /// Bytes over those pairs.
    pub bytes: u64,
    /// Earliest acquisition time.
    pub first: Option<Timestamp>,
    /// Latest acquisition time.
    pub last: Option<Timestamp>,
    /// SHA-256 of every complete manifest line read (`sha256sum
    /// manifest.jsonl` when it has no incomplete final line).
    pub manifest_sha256: String,
    /// Line counts of the pass (complete lines, unparsable, torn tail).
    pub lines: LineStats,
}

/// What the pass found.
#[derive(Debug)]
pub struct Scan {
    /// Groups at the finest grain that fits.
    pub groups: GroupSummary,
    /// Totals.
    pub totals: Totals,
    /// Every pair when there are at most [`SMALL_CASE_PAIRS`]; `None` otherwise.
    pub small: Option<Vec<Pair>>,
    /// The listings, written and synced, not yet in place.
    pub listings: Vec<PendingListing>,
}

/// Reads the manifest of `case` once, writing the listings into `listing_dir`
/// and grouping within the budget: [`RowBudget::groups_small_case`] rows for
/// a case small enough to list every object, [`RowBudget::groups`] otherwise
/// (both groupers run until the case is known not to be small).
pub fn scan(case: &Case, listing_dir: &Path, budget: &RowBudget) -> Result<Scan, ReportError> {
    let mut grouper = Grouper::new(budget.groups);
    let mut small_grouper = Some(Grouper::new(budget.groups_small_case));
    let mut listing = ListingWriter::create(listing_dir)?;
    let mut small = SmallCase::default();
    let mut totals = Totals::default();
    let mut whole = Sha256Hasher::new();
    let lines = case.for_each_manifest_line::<ReportError, _>(|line| {
        whole.update(line.bytes);
        let Some(r) = line.record else {
            return Ok(());
        };
        grouper.add(line.bytes, r);
        listing.push(line.number, r)?;
        small.add(r);
        match &mut small_grouper {
            Some(_) if small.too_many => small_grouper = None,
            Some(g) => g.add(line.bytes, r),
            None => {}
        }
        totals.pairs += 1;
        totals.bytes = totals.bytes.saturating_add(r.size);
        if let Ok(t) = r.acquired.parse::<Timestamp>() {
            totals.first = Some(totals.first.map_or(t, |f| f.min(t)));
            totals.last = Some(totals.last.map_or(t, |l| l.max(t)));
        }
        Ok(())
    })?;
    totals.lines = lines;
    totals.manifest_sha256 = whole.finish_hex();
    let groups = match small_grouper {
        Some(g) => g.finish(),
        None => grouper.finish(),
    };
    Ok(Scan {
        groups,
        totals,
        small: (!small.too_many).then_some(small.pairs),
        listings: listing.finish()?,
    })
}
