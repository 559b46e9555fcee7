//! The periods of each chain that no valid digest proves: digests the chain names but
//! the inputs lack (sized from the time they leave uncovered), chains CloudTrail
//! restarted (logging or validation off), the edges of the requested period, and forks.

use std::collections::{HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};

use crate::layout;
use crate::report::{
    DigestFailure, DigestOutcome, DigestStatus, Gap, GapReason, Problem, ProblemKind,
    SignatureCheck,
};

use super::{Engine, MissingRef, Node, HOUR, TOLERANCE};

/// What the chain walk found, gathered before it goes into the report.
#[derive(Default)]
struct ChainFindings {
    gaps: Vec<Gap>,
    problems: Vec<Problem>,
    /// An outcome for each digest named by the chain but absent.
    missing: Vec<DigestOutcome>,
}

/// Where a gap before a digest starts, and how many hourly digests it lacks.
struct GapSpan {
    from: Option<Timestamp>,
    /// Estimated hourly digests in the gap (at least 1).
    estimate: u64,
    /// True when an older digest of the chain bounds the gap, so the estimate is a
    /// count; false when it is only a lower bound.
    certain: bool,
}

/// A digest of the chain that names an absent digest as its previous one.
struct Break<'a> {
    /// The digest that names it.
    node: &'a Node,
    /// The absent digest's S3 key.
    key: &'a str,
    /// The end time in the absent digest's name.
    prev_end: Option<Timestamp>,
}

/// Whole hours in `d`, rounded; 0 for a negative or unrepresentable duration.
fn whole_hours(d: SignedDuration) -> u64 {
    let h = (d.as_secs_f64() / 3600.0).round();
    if h.is_finite() && h > 0.0 {
        h as u64
    } else {
        0
    }
}

/// How a gap's missing digests are told: a count when an older digest bounds the gap,
/// a lower bound otherwise.
fn count_text(span: &GapSpan) -> String {
    match (span.certain, span.estimate) {
        (true, 1) => "1 digest file missing".to_string(),
        (true, k) => format!("about {k} consecutive hourly digest files missing"),
        (false, k) => format!(
            "at least {k} digest file{} missing; nothing older in the inputs",
            if k == 1 { "" } else { "s" }
        ),
    }
}

impl Engine<'_> {
    /// Missing digests, chain restarts, and the edges of the requested period; forks.
    /// Adds the outcomes of missing digests and sorts all outcomes newest first.
    pub(super) fn chain_gaps(&mut self, missing: &[MissingRef]) {
        let members = self.members_by_chain();
        let mut found = ChainFindings::default();
        let mut seen_missing = HashSet::new();
        for m in missing {
            self.missing_gap(m, &members, &mut seen_missing, &mut found);
        }
        for (chain, m) in members.iter().enumerate() {
            self.restart_gaps(chain, m, &mut found);
            self.after_last_gap(chain, m, &mut found);
        }
        found.problems.extend(self.forks());

        found
            .gaps
            .sort_by(|a, b| a.chain.cmp(&b.chain).then(a.from.cmp(&b.from)));
        self.report.gaps = found.gaps;
        self.report.problems.extend(found.problems);
        self.report.digests.extend(found.missing);
        // Newest first within each chain, as validate-logs walks; undated ones last.
        self.report.digests.sort_by(|a, b| {
            a.chain
                .cmp(&b.chain)
                .then(b.end.is_some().cmp(&a.end.is_some()))
                .then(b.end.cmp(&a.end))
        });
    }

    /// The canonical digests of each chain, oldest first (by end time).
    fn members_by_chain(&self) -> Vec<Vec<usize>> {
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); self.chains.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            if n.canonical {
                members[n.chain].push(i);
            }
        }
        for m in &mut members {
            m.sort_by_key(|&i| self.nodes[i].l.end);
        }
        members
    }

    /// The newest of a chain's `members` other than `not` that ends by `before` (within
    /// the tolerance): the digest a gap ending at `before` starts after.
    fn older(&self, members: &[usize], before: Timestamp, not: usize) -> Option<usize> {
        members
            .iter()
            .rev()
            .copied()
            .find(|&j| j != not && self.nodes[j].l.end <= before + TOLERANCE)
    }

    /// The gap left by an absent previous digest, once per absent digest, unless it lies
    /// before the evidence or the requested period (the chain just goes on before it).
    fn missing_gap(
        &self,
        m: &MissingRef,
        members: &[Vec<usize>],
        seen: &mut HashSet<String>,
        found: &mut ChainFindings,
    ) {
        let node = &self.nodes[m.digest];
        if !node.in_scope {
            return;
        }
        let scope_start = self.options.from.unwrap_or_else(|| {
            members[node.chain]
                .iter()
                .map(|&j| self.nodes[j].l.start)
                .min()
                .unwrap_or(node.l.start)
        });
        let prev_end = layout::parse_digest_name(&m.key).and_then(|x| x.end);
        if prev_end.is_some_and(|t| t <= scope_start + TOLERANCE) {
            return; // The chain goes on before the evidence or the requested period.
        }
        if !seen.insert(layout::layout_key(&m.key).unwrap_or_else(|| m.key.clone())) {
            return;
        }
        let at = Break {
            node,
            key: &m.key,
            prev_end,
        };
        let span = self.gap_span(members, m.digest, prev_end);
        match self.lookup_bad(&m.key) {
            Some(b) => found.gaps.push(self.unreadable_gap(&at, &span, b)),
            None => self.absent_gap(&at, &span, found),
        }
    }

    /// Where the gap before digest `d` starts and how many digests it lacks: from the
    /// next older digest of the chain, else from `--from`, else one digest before the
    /// absent one's end.
    fn gap_span(&self, members: &[Vec<usize>], d: usize, prev_end: Option<Timestamp>) -> GapSpan {
        let node = &self.nodes[d];
        if let Some(o) = self.older(&members[node.chain], node.l.start, d) {
            let end = self.nodes[o].l.end;
            return GapSpan {
                from: Some(end),
                estimate: whole_hours(node.l.start.duration_since(end)).max(1),
                certain: true,
            };
        }
        match self.options.from {
            Some(f) => GapSpan {
                from: Some(f.max(prev_end.map_or(f, |t| t - HOUR))),
                estimate: whole_hours(node.l.start.duration_since(f)).max(1),
                certain: false,
            },
            None => GapSpan {
                from: prev_end.map(|t| t - HOUR),
                estimate: 1,
                certain: false,
            },
        }
    }

    /// The previous digest is present but unreadable (`bad` into the unparsable digests):
    /// the gap is its hour, plus any digests missing around it.
    fn unreadable_gap(&self, at: &Break, span: &GapSpan, bad: usize) -> Gap {
        let missing = span.estimate.saturating_sub(1);
        Gap {
            chain: at.node.chain,
            from: span.from,
            to: Some(at.node.l.start),
            reason: GapReason::DigestInvalid,
            missing_digests: missing,
            detail: format!(
                "the previous digest is present but unreadable ({}); {} in this gap",
                self.bad[bad].src.describe(),
                if missing == 0 {
                    "no other digest missing".to_string()
                } else {
                    format!("about {missing} more missing")
                }
            ),
        }
    }

    /// The previous digest is absent: a gap, a finding, and a *not found* outcome.
    fn absent_gap(&self, at: &Break, span: &GapSpan, found: &mut ChainFindings) {
        let node = at.node;
        let count_text = count_text(span);
        found.gaps.push(Gap {
            chain: node.chain,
            from: span.from,
            to: Some(node.l.start),
            reason: GapReason::DigestsMissing,
            missing_digests: span.estimate,
            detail: format!(
                "{count_text} (deleted, or not collected); the chain continues at {}",
                node.uri
            ),
        });
        let bucket = node
            .l
            .digest
            .previous_digest_s3_bucket
            .clone()
            .unwrap_or_default();
        let prev_uri = layout::s3_uri(&bucket, at.key);
        found.problems.push(Problem::new(
            ProblemKind::DigestMissing,
            prev_uri.clone(),
            format!(
                "named as previousDigestS3Object by {} but not in the inputs; {count_text}",
                node.uri
            ),
        ));
        found.missing.push(DigestOutcome {
            chain: node.chain,
            uri: prev_uri,
            local: None,
            stored: None,
            start: None,
            end: at.prev_end,
            status: DigestStatus::Invalid(DigestFailure::NotFound),
            signature: SignatureCheck::NotAttempted,
            log_files: 0,
        });
    }

    /// Digests in scope that start a chain (`previous*` null): after an older digest of
    /// the chain, CloudTrail's statement that logging or validation was off; with none
    /// older, the period before it is unproven when `--from` is earlier.
    fn restart_gaps(&self, chain: usize, members: &[usize], found: &mut ChainFindings) {
        for &d in members.iter().filter(|&&i| self.nodes[i].in_scope) {
            let node = &self.nodes[d];
            if node.l.digest.previous_digest_s3_object.is_some() {
                continue;
            }
            match self.older(members, node.l.start, d) {
                Some(o) => found.gaps.push(Gap {
                    chain,
                    from: Some(self.nodes[o].l.end),
                    to: Some(node.l.start),
                    reason: GapReason::LoggingOff,
                    missing_digests: 0,
                    detail: format!(
                        "logging or log-file validation was off: CloudTrail started a new digest chain at {}",
                        node.uri
                    ),
                }),
                None => {
                    if let Some(f) = self.options.from.filter(|f| node.l.start > *f + HOUR) {
                        found.gaps.push(Gap {
                            chain,
                            from: Some(f),
                            to: Some(node.l.start),
                            reason: GapReason::BeforeFirstDigest,
                            missing_digests: 0,
                            detail: format!(
                                "no digest before the start of the chain at {} (logging or validation was off, or digests were not collected)",
                                node.uri
                            ),
                        });
                    }
                }
            }
        }
    }

    /// The period after the chain's last digest, when `--to` is later and that digest
    /// is in scope.
    fn after_last_gap(&self, chain: usize, members: &[usize], found: &mut ChainFindings) {
        let (Some(&last), Some(to)) = (members.last(), self.options.to) else {
            return;
        };
        let end = self.nodes[last].l.end;
        if to > end + HOUR && self.nodes[last].in_scope {
            found.gaps.push(Gap {
                chain,
                from: Some(end),
                to: Some(to),
                reason: GapReason::AfterLastDigest,
                missing_digests: 0,
                detail: "no digest after the last one found (later digests deleted, not yet delivered, not collected, or logging stopped)".into(),
            });
        }
    }

    /// Forks: in-scope digests named as previous by two or more canonical digests.
    fn forks(&self) -> Vec<Problem> {
        let mut named: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if let Some(p) =
                n.l.digest
                    .previous_digest_s3_object
                    .as_deref()
                    .filter(|_| n.canonical)
                    .and_then(|p| self.lookup(p))
            {
                named.entry(p).or_default().push(i);
            }
        }
        let mut problems = Vec::new();
        for (p, v) in named {
            if v.len() > 1 && self.nodes[p].in_scope {
                let names: Vec<String> = v.iter().map(|&i| self.nodes[i].uri.clone()).collect();
                problems.push(Problem::new(
                    ProblemKind::ChainFork,
                    self.nodes[p].uri.clone(),
                    format!(
                        "named as previous digest by {} digests: {}",
                        v.len(),
                        names.join(", ")
                    ),
                ));
            }
        }
        problems
    }
}
