//! The log files: every file listed by a validated digest is hashed (each local file
//! once, each stored copy read once, in parallel) and compared with the digest; log
//! files that no digest lists are *uncovered*.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::digest::LogFileRef;
use crate::layout;
use crate::read;
use crate::report::{DigestStatus, LogOutcome, LogStatus, Problem, ProblemKind};

use super::judge::HASH_ALGORITHM;
use super::{par_map_with, Engine, Loaded, Node, TOLERANCE};

/// The SHA-256 of each hashed local file (by file id), or why it could not be hashed.
type Hashes = HashMap<u32, Result<[u8; 32], String>>;

/// A digest as located: where it is and where its bytes were read from. Unique among
/// the digests present, so it finds a digest's outcome in the report.
#[derive(PartialEq, Eq, Hash)]
struct DigestAt<'a> {
    loc: &'a Path,
    stored: Option<&'a Path>,
}

/// The verdict on one listing, and the local file it is about (if any).
struct LogVerdict {
    status: LogStatus,
    /// The file the verdict is about: the one that matched, else the first candidate.
    at: Option<u32>,
}

/// Which local files some digest lists, and the newest digest end per account and
/// region (to tell a log not yet listed from one never listed).
struct Coverage {
    covered: HashSet<u32>,
    newest_digest: HashMap<(String, String), Timestamp>,
}

impl Engine<'_> {
    /// Hashes every listed log file (in parallel) and compares; finds uncovered logs.
    /// `order` is the digests judged, in report order.
    pub(super) fn check_logs(&mut self, order: &[usize]) {
        let hashes = self.hash_listed_logs(order);
        let mut problems = Vec::new();
        let outcomes = self.log_outcomes(order, &hashes, &mut problems);
        let uncovered = self.uncovered_logs(&mut problems);
        self.report.logs = outcomes;
        self.report.uncovered = uncovered;
        self.report.problems.extend(problems);
        self.report.ignored = self
            .other
            .iter()
            .filter(|id| !hashes.contains_key(id))
            .map(|&id| self.files.path(id).to_path_buf())
            .chain(self.duplicates.iter().cloned())
            .collect();
    }

    /// Hashes the local files that the canonical digests of `order` list: each file at
    /// most once however many listings point at it, and content found at several places
    /// (one stored object, several locations) read once.
    fn hash_listed_logs(&self, order: &[usize]) -> Hashes {
        let to_hash = self.listed_files(order);
        let limit = self.options.max_log_bytes;
        let mut reads: Vec<&Path> = Vec::new();
        let mut read_index: HashMap<&Path, usize> = HashMap::new();
        for &id in &to_hash {
            let p = self.files.read_path(id);
            read_index.entry(p).or_insert_with(|| {
                reads.push(p);
                reads.len() - 1
            });
        }
        let hashed = par_map_with(
            &reads,
            self.options.threads,
            cloudcase_util::gzip::Inflater::default,
            |inflater, p| read::sha256_file(p, limit, inflater).map_err(|e| e.describe(limit)),
        );
        to_hash
            .iter()
            .map(|&id| {
                let at = read_index
                    .get(self.files.read_path(id))
                    .copied()
                    .unwrap_or(usize::MAX);
                let h = hashed
                    .get(at)
                    .cloned()
                    .unwrap_or_else(|| Err("not hashed".into()));
                (id, h)
            })
            .collect()
    }

    /// The local files listed by the canonical digests of `order`, each once, in
    /// listing order.
    fn listed_files(&self, order: &[usize]) -> Vec<u32> {
        let mut to_hash: Vec<u32> = Vec::new();
        let mut queued: HashSet<u32> = HashSet::new();
        for n in order
            .iter()
            .map(|&i| &self.nodes[i])
            .filter(|n| n.canonical)
        {
            for f in &n.l.digest.log_files {
                for &id in self.files.find(&f.s3_object) {
                    if queued.insert(id) {
                        to_hash.push(id);
                    }
                }
            }
        }
        to_hash
    }

    /// One outcome per listing of each canonical digest of `order` that has an outcome,
    /// with a finding for each listing that is not valid.
    fn log_outcomes(
        &self,
        order: &[usize],
        hashes: &Hashes,
        problems: &mut Vec<Problem>,
    ) -> Vec<LogOutcome> {
        let outcome_of = self.digest_outcome_index();
        let mut outcomes = Vec::new();
        for n in order
            .iter()
            .map(|&i| &self.nodes[i])
            .filter(|n| n.canonical)
        {
            let Some(&di) = outcome_of.get(&DigestAt::of(&n.l)) else {
                continue;
            };
            let digest_valid = self.report.digests[di].status == DigestStatus::Valid;
            for f in &n.l.digest.log_files {
                let uri = layout::s3_uri(&f.s3_bucket, &f.s3_object);
                let verdict = self.log_verdict(f, hashes);
                problems.extend(self.log_problem(n, &uri, &verdict));
                outcomes.push(LogOutcome {
                    chain: n.chain,
                    digest: di,
                    uri,
                    local: verdict.at.map(|id| self.files.path(id).to_path_buf()),
                    stored: verdict.at.and_then(|id| self.files.stored(id)),
                    status: verdict.status,
                    digest_valid,
                });
            }
        }
        outcomes
    }

    /// A digest's outcome, by location and stored copy (the first one of each).
    fn digest_outcome_index(&self) -> HashMap<DigestAt<'_>, usize> {
        let mut outcome_of = HashMap::new();
        for (k, d) in self.report.digests.iter().enumerate() {
            if let Some(p) = &d.local {
                let at = DigestAt {
                    loc: p.as_path(),
                    stored: d.stored.as_deref(),
                };
                outcome_of.entry(at).or_insert(k);
            }
        }
        outcome_of
    }

    /// The verdict on listing `f`: valid when some local candidate has the listed hash;
    /// modified when one was hashed to something else; not found without candidates;
    /// unreadable otherwise (or when the listing names another hash algorithm).
    fn log_verdict(&self, f: &LogFileRef, hashes: &Hashes) -> LogVerdict {
        let expected = f.hash_value.trim().to_ascii_lowercase();
        let want = cloudcase_util::hex::decode(&expected);
        let cands = self.files.find(&f.s3_object);
        let first = cands.first().copied();
        let hashed = |id: &u32| match hashes.get(id) {
            Some(Ok(h)) => Some(*h),
            _ => None,
        };
        let verdict = |status, at| LogVerdict { status, at };
        if !f.hash_algorithm.eq_ignore_ascii_case(HASH_ALGORITHM) {
            let why = format!(
                "expected hashAlgorithm {HASH_ALGORITHM}, found {:?}",
                f.hash_algorithm
            );
            return verdict(LogStatus::Unreadable(why), first);
        }
        if cands.is_empty() {
            return verdict(LogStatus::NotFound, None);
        }
        if let Some(&id) = cands
            .iter()
            .find(|id| hashed(id).is_some_and(|h| want.as_deref() == Some(&h[..])))
        {
            return verdict(LogStatus::Valid, Some(id));
        }
        let modified = cands.iter().find_map(|&id| {
            hashed(&id).map(|h| LogVerdict {
                status: LogStatus::Modified {
                    expected: expected.clone(),
                    found: cloudcase_util::hex::encode(&h),
                },
                at: Some(id),
            })
        });
        if let Some(v) = modified {
            return v;
        }
        let why = cands
            .iter()
            .find_map(|id| match hashes.get(id) {
                Some(Err(e)) => Some(e.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "not hashed".into());
        verdict(LogStatus::Unreadable(why), first)
    }

    /// The finding for a listing of digest `n` that is not valid.
    fn log_problem(&self, n: &Node, uri: &str, verdict: &LogVerdict) -> Option<Problem> {
        let shown = verdict
            .at
            .map(|id| self.files.describe(id))
            .unwrap_or_default();
        let problem = match &verdict.status {
            LogStatus::Valid => return None,
            LogStatus::Modified { expected, found } => Problem::new(
                ProblemKind::LogModified,
                uri,
                format!(
                    "hash value doesn't match: {shown} has SHA-256 {found}, {} records {expected}",
                    n.uri
                ),
            ),
            LogStatus::NotFound => Problem::new(
                ProblemKind::LogDeleted,
                uri,
                format!(
                    "listed in {} but not in the inputs (deleted, or not collected)",
                    n.uri
                ),
            ),
            LogStatus::Unreadable(why) => {
                Problem::new(ProblemKind::LogUnreadable, uri, format!("{why} ({shown})"))
            }
        };
        Some(problem)
    }

    /// Which local files any digest (in the period or not) lists, and the newest digest
    /// end of each account and region.
    fn coverage(&self) -> Coverage {
        let mut covered: HashSet<u32> = HashSet::new();
        let mut newest_digest: HashMap<(String, String), Timestamp> = HashMap::new();
        for n in &self.nodes {
            for f in &n.l.digest.log_files {
                covered.extend(self.files.find(&f.s3_object).iter().copied());
            }
            if let Some(c) = self.chains.get(n.chain) {
                let e = newest_digest
                    .entry((c.account.clone(), c.region.clone()))
                    .or_insert(n.l.end);
                *e = (*e).max(n.l.end);
            }
        }
        Coverage {
            covered,
            newest_digest,
        }
    }

    /// Log files on disk (in the period, by the time in their name) that no digest
    /// lists, each with a finding saying what may explain it.
    fn uncovered_logs(&self, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
        let coverage = self.coverage();
        let mut uncovered = Vec::new();
        for &id in self.logs.iter().filter(|id| !coverage.covered.contains(id)) {
            let p = self.files.path(id);
            let t = layout::log_name_time(&p.to_string_lossy());
            if t.is_some_and(|t| self.outside_period(t)) {
                continue;
            }
            let newest = coverage.newest_digest.get(&log_account_region(p));
            let after = match (t, newest) {
                (Some(t), Some(&last)) if t + TOLERANCE >= last => {
                    " It is newer than the last digest of its region: a later digest may list it (collect it, or it was not delivered yet)."
                }
                (_, None) => " No digest of its account and region is in the inputs.",
                _ => "",
            };
            let stored = self
                .files
                .stored(id)
                .map(|st| format!(" Stored as {}.", st.display()))
                .unwrap_or_default();
            problems.push(Problem::new(
                ProblemKind::LogUncovered,
                p.display().to_string(),
                format!("listed in no digest: nothing proves CloudTrail delivered it (injected, or its digest is missing).{after}{stored}"),
            ));
            uncovered.push(p.to_path_buf());
        }
        uncovered
    }

    /// True when `t` is before `--from` or after `--to`.
    fn outside_period(&self, t: Timestamp) -> bool {
        self.options.from.is_some_and(|f| t < f) || self.options.to.is_some_and(|to| t > to)
    }
}

impl<'a> DigestAt<'a> {
    /// Where a loaded digest is.
    fn of(l: &'a Loaded) -> Self {
        DigestAt {
            loc: l.path.as_path(),
            stored: l.stored.as_deref(),
        }
    }
}

/// (account, region) from a log file's layout `AWSLogs/[o-…/]ACCOUNT/CloudTrail/REGION/…`.
fn log_account_region(p: &Path) -> (String, String) {
    let Some(k) = layout::layout_key_of_path(p) else {
        return (String::new(), String::new());
    };
    let parts: Vec<&str> = k.split('/').collect();
    match parts.iter().position(|c| c.starts_with("CloudTrail")) {
        Some(i) if i >= 1 => (
            parts[i - 1].to_string(),
            parts.get(i + 1).map(|s| s.to_string()).unwrap_or_default(),
        ),
        _ => (String::new(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_and_region_of_log_paths() {
        let p = Path::new("/c/AWSLogs/o-1/123/CloudTrail/eu-west-1/2024/01/01/x.json.gz");
        assert_eq!(
            log_account_region(p),
            ("123".to_string(), "eu-west-1".to_string())
        );
        assert_eq!(
            log_account_region(Path::new("/flat/x.json")),
            (String::new(), String::new())
        );
    }
}
