//! The state of one validation: the digests (one [`Node`] each, copies and conflicts
//! resolved as they are added), the chains they belong to, the other files, and the
//! report being built. [`Engine::run`] judges the digests (`judge`), walks the chains
//! (`chain`) and checks the log files (`logs`); [`Engine::finish`] completes the report.

use std::collections::HashMap;
use std::path::PathBuf;

use jiff::Timestamp;

use crate::keys::PublicKeys;
use crate::layout::{self, DigestName};
use crate::report::{
    Chain, DigestFailure, DigestOutcome, DigestStatus, Problem, ProblemKind, Report, SignatureCheck,
};
use crate::signatures::Signatures;

use super::discover::{Item, Loaded, Src};
use super::index::FileIndex;
use super::{Inputs, Options, HOUR};

/// A digest in the engine, with what its location and claims say about it.
pub(super) struct Node {
    /// The digest as loaded.
    pub(super) l: Loaded,
    /// Layout key of its own `digestS3Object`.
    pub(super) claimed_layout: Option<String>,
    /// File-name key of its own `digestS3Object`.
    pub(super) claimed_name: String,
    /// Index into the chains.
    pub(super) chain: usize,
    /// Not where its `digestS3Object` says it was delivered.
    pub(super) moved: bool,
    /// Its period overlaps the requested one.
    pub(super) in_scope: bool,
    /// The digest its key refers to (false for the losing side of a conflict).
    pub(super) canonical: bool,
    /// Another file with different content claims the same key.
    pub(super) conflict: bool,
    /// `s3://bucket/key` from its own fields.
    pub(super) uri: String,
}

/// A digest's `previousDigestS3Object` that names no digest of the inputs.
pub(super) struct MissingRef {
    /// Index into the engine's nodes of the digest naming it.
    pub(super) digest: usize,
    /// The S3 key it names.
    pub(super) key: String,
}

/// A file named or looking like a digest that could not be loaded.
pub(super) struct Bad {
    pub(super) src: Src,
    pub(super) kind: ProblemKind,
    pub(super) detail: String,
}

/// What identifies a chain: CloudTrail delivers one per trail, region and account.
#[derive(Clone, PartialEq, Eq, Hash)]
struct ChainKey {
    account: String,
    region: String,
    trail: String,
    home_region: String,
}

impl ChainKey {
    /// The chain of digests whose names say nothing of it, for `account`.
    fn unknown(account: String) -> ChainKey {
        ChainKey {
            account,
            region: "unknown".into(),
            trail: "unknown".into(),
            home_region: "unknown".into(),
        }
    }
}

impl From<DigestName> for ChainKey {
    fn from(n: DigestName) -> ChainKey {
        ChainKey {
            account: n.account,
            region: n.region,
            trail: n.trail,
            home_region: n.home_region,
        }
    }
}

/// How the canonical digests link: who names whom as previous, and which names match
/// no digest of the inputs.
struct Links {
    /// For each node, the nodes naming it as previous.
    successors: Vec<Vec<usize>>,
    missing: Vec<MissingRef>,
}

/// One validation in progress.
pub(super) struct Engine<'a> {
    pub(super) options: &'a Options,
    pub(super) root: Option<PathBuf>,
    pub(super) nodes: Vec<Node>,
    pub(super) bad: Vec<Bad>,
    /// Log files, as ids into `files`.
    pub(super) logs: Vec<u32>,
    pub(super) files: FileIndex,
    /// Files that are neither digests, logs nor sidecars, as ids into `files`.
    pub(super) other: Vec<u32>,
    /// Identical copies of digests already added (not validated twice).
    pub(super) duplicates: Vec<PathBuf>,
    pub(super) chains: Vec<Chain>,
    chain_ids: HashMap<ChainKey, usize>,
    /// The canonical digest claiming each layout key, and each file-name key.
    claim_layout: HashMap<String, usize>,
    claim_name: HashMap<String, usize>,
    /// Findings from before the engine (key and signature notes, unreadable inputs),
    /// shown before its own.
    pub(super) problems: Vec<Problem>,
    pub(super) report: Report,
}

impl<'a> Engine<'a> {
    /// An empty engine for `inputs` (only their root is kept) and `options`.
    pub(super) fn new(inputs: &Inputs, options: &'a Options) -> Self {
        Engine {
            options,
            root: inputs.root.clone(),
            nodes: Vec::new(),
            bad: Vec::new(),
            logs: Vec::new(),
            files: FileIndex::default(),
            other: Vec::new(),
            duplicates: Vec::new(),
            chains: Vec::new(),
            chain_ids: HashMap::new(),
            claim_layout: HashMap::new(),
            claim_name: HashMap::new(),
            problems: Vec::new(),
            report: Report::default(),
        }
    }

    /// Adds a classified input file (sidecars are the caller's).
    pub(super) fn add(&mut self, item: Item) {
        match item {
            Item::Digest(l) => self.add_digest(*l),
            Item::BadDigest { src, kind, detail } => self.bad.push(Bad { src, kind, detail }),
            Item::Log(p) => {
                let id = self.files.add(p, self.root.as_deref());
                self.logs.push(id);
            }
            Item::Other(p) => {
                let id = self.files.add(p, self.root.as_deref());
                self.other.push(id);
            }
            Item::Sidecar(_) => {}
        }
    }

    /// The chain of a digest, from its key's name (else its path's), added if new.
    fn chain_of(&mut self, l: &Loaded) -> usize {
        let name = layout::parse_digest_name(&l.digest.digest_s3_object)
            .or_else(|| layout::parse_digest_name(&l.path.to_string_lossy()));
        let key = match name {
            Some(n) => ChainKey::from(n),
            None => ChainKey::unknown(l.digest.aws_account_id.clone()),
        };
        self.intern_chain(key, layout::org_id(&l.digest.digest_s3_object))
    }

    /// The index of the chain `key`, added (with `org`) if new.
    fn intern_chain(&mut self, key: ChainKey, org: Option<String>) -> usize {
        if let Some(&i) = self.chain_ids.get(&key) {
            return i;
        }
        self.chains.push(Chain {
            account: key.account.clone(),
            org,
            region: key.region.clone(),
            trail: key.trail.clone(),
            home_region: key.home_region.clone(),
        });
        self.chain_ids.insert(key, self.chains.len() - 1);
        self.chains.len() - 1
    }

    /// Adds a digest. An identical copy of one already added is a duplicate; a different
    /// file claiming the same key is a conflict, and the copy in place wins.
    fn add_digest(&mut self, l: Loaded) {
        let mut node = self.new_node(l);
        if let Some(e) = self.claimant(&node) {
            if self.nodes[e].l.sha256 == node.l.sha256 {
                self.keep_one_copy(e, node);
                return;
            }
            self.resolve_conflict(e, &mut node);
        }
        if node.canonical {
            let idx = self.nodes.len();
            if let Some(k) = &node.claimed_layout {
                self.claim_layout.insert(k.clone(), idx);
            }
            self.claim_name.insert(node.claimed_name.clone(), idx);
        }
        self.nodes.push(node);
    }

    /// A node for a loaded digest: its claims, whether it moved, whether it is in the
    /// requested period, its chain.
    fn new_node(&mut self, l: Loaded) -> Node {
        let claimed_layout = layout::layout_key(&l.digest.digest_s3_object);
        let claimed_name = layout::name_key(&l.digest.digest_s3_object);
        let moved = match (&claimed_layout, layout::layout_key_of_path(&l.path)) {
            (Some(c), Some(local)) => *c != local,
            _ => claimed_name != layout::name_key_of_path(&l.path),
        };
        let in_scope = self.options.from.is_none_or(|f| l.end > f)
            && self.options.to.is_none_or(|t| l.start < t);
        let chain = self.chain_of(&l);
        let uri = layout::s3_uri(&l.digest.digest_s3_bucket, &l.digest.digest_s3_object);
        Node {
            l,
            claimed_layout,
            claimed_name,
            chain,
            moved,
            in_scope,
            canonical: true,
            conflict: false,
            uri,
        }
    }

    /// The canonical digest already claiming the key `node` claims.
    fn claimant(&self, node: &Node) -> Option<usize> {
        node.claimed_layout
            .as_ref()
            .and_then(|k| self.claim_layout.get(k))
            .or_else(|| self.claim_name.get(&node.claimed_name))
            .copied()
    }

    /// An identical copy of digest `e`: harmless, not validated twice. The copy that sits
    /// where it was delivered is the one validated (the same bytes can be found at
    /// several places, e.g. an evidence object with several sources).
    fn keep_one_copy(&mut self, e: usize, mut copy: Node) {
        let kept = &mut self.nodes[e];
        if kept.moved && !copy.moved {
            std::mem::swap(&mut kept.l, &mut copy.l);
            kept.moved = false;
        }
        self.duplicates.push(copy.l.path.clone());
    }

    /// `node` and digest `e` claim the same key with different content: reported, and
    /// the moved one (else the new one) is kept as a conflict, not canonical.
    fn resolve_conflict(&mut self, e: usize, node: &mut Node) {
        let prefer_new = self.nodes[e].moved && !node.moved;
        let problem = if prefer_new {
            conflict_problem(&node.l, &self.nodes[e].l)
        } else {
            conflict_problem(&self.nodes[e].l, &node.l)
        };
        self.report.problems.push(problem);
        let loser = if prefer_new { &mut self.nodes[e] } else { node };
        loser.canonical = false;
        loser.conflict = true;
    }

    /// The canonical digest an S3 key refers to.
    pub(super) fn lookup(&self, key: &str) -> Option<usize> {
        layout::layout_key(key)
            .and_then(|k| self.claim_layout.get(&k))
            .or_else(|| self.claim_name.get(&layout::name_key(key)))
            .copied()
    }

    /// An unparsable file sitting where `key` should be.
    pub(super) fn lookup_bad(&self, key: &str) -> Option<usize> {
        let lk = layout::layout_key(key);
        let nk = layout::name_key(key);
        self.bad
            .iter()
            .position(|b| match (&lk, layout::layout_key_of_path(&b.src.loc)) {
                (Some(a), Some(b)) => *a == b,
                _ => layout::name_key_of_path(&b.src.loc) == nk,
            })
    }

    /// Judges every digest in scope (newest first per chain), reports the unparsable
    /// ones, walks the chains, then checks the log files.
    pub(super) fn run(&mut self, keys: &PublicKeys, sigs: &Signatures) {
        let links = self.links();
        let order = self.judging_order();
        self.report.outside_period = self
            .nodes
            .iter()
            .filter(|x| !x.in_scope && x.canonical)
            .count() as u64;
        for &i in &order {
            let outcome = self.judge(i, &links.successors[i], keys, sigs);
            self.report.digests.push(outcome);
        }
        self.report_unparsable();
        self.chain_gaps(&links.missing);
        self.check_logs(&order);
    }

    /// Successors: who names whom as previous; and the previous digests not found.
    fn links(&self) -> Links {
        let n = self.nodes.len();
        let mut successors: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut missing: Vec<MissingRef> = Vec::new();
        for (d, node) in self.nodes.iter().enumerate().filter(|(_, x)| x.canonical) {
            if let Some(prev) = node.l.digest.previous_digest_s3_object.clone() {
                match self.lookup(&prev) {
                    Some(p) if p != d => successors[p].push(d),
                    _ => missing.push(MissingRef {
                        digest: d,
                        key: prev,
                    }),
                }
            }
        }
        Links {
            successors,
            missing,
        }
    }

    /// The digests to judge (in scope, or in conflict), in chain order, newest first.
    fn judging_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].in_scope || self.nodes[i].conflict)
            .collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&self.nodes[a], &self.nodes[b]);
            x.chain
                .cmp(&y.chain)
                .then(y.l.end.cmp(&x.l.end))
                .then(x.l.path.cmp(&y.l.path))
                .then(x.l.stored.cmp(&y.l.stored))
        });
        order
    }

    /// Unparsable digests: not validated, reported (unless clearly outside the period).
    fn report_unparsable(&mut self) {
        for k in 0..self.bad.len() {
            let name = layout::parse_digest_name(&self.bad[k].src.loc.to_string_lossy());
            let name_end = name.as_ref().and_then(|x| x.end);
            if self.clearly_outside_period(name_end) {
                continue;
            }
            let chain = self.chain_of_bad(name);
            let b = &self.bad[k];
            self.report
                .digests
                .push(unparsable_outcome(b, chain, name_end));
            self.report.problems.push(unparsable_problem(b));
        }
    }

    /// True when the end time in an unparsable digest's name puts it outside the
    /// requested period.
    fn clearly_outside_period(&self, name_end: Option<Timestamp>) -> bool {
        let Some(end) = name_end else {
            return false;
        };
        self.options.from.is_some_and(|from| end <= from)
            || self.options.to.is_some_and(|to| end - HOUR >= to)
    }

    /// The chain an unparsable digest's name points at, if known; else the chain of
    /// digests whose chain is unknown.
    fn chain_of_bad(&mut self, name: Option<DigestName>) -> usize {
        if let Some(&c) = name.and_then(|x| self.chain_ids.get(&ChainKey::from(x))) {
            return c;
        }
        self.intern_chain(ChainKey::unknown("unknown".into()), None)
    }

    /// Completes the report: earlier findings first, chains, the period asked and found,
    /// and a finding when no digest was validated.
    pub(super) fn finish(mut self, signatures_supplied: usize) -> Report {
        let mut r = std::mem::take(&mut self.report);
        let mut problems = std::mem::take(&mut self.problems);
        problems.append(&mut r.problems);
        r.problems = problems;
        r.chains = std::mem::take(&mut self.chains);
        r.requested_from = self.options.from;
        r.requested_to = self.options.to;
        r.root = self.root.clone();
        r.signatures_supplied = signatures_supplied;
        let present = self.nodes.iter().filter(|n| n.in_scope && n.canonical);
        r.found_from = present.clone().map(|n| n.l.start).min();
        r.found_to = present.map(|n| n.l.end).max();
        r.problems.extend(self.no_digests_problem());
        r
    }

    /// The finding that no digest in the requested period was found, if so.
    fn no_digests_problem(&self) -> Option<Problem> {
        if self.nodes.iter().any(|n| n.in_scope && n.canonical) {
            return None;
        }
        let detail = if self.nodes.is_empty() {
            "no CloudTrail digest file found in the inputs: nothing can be validated (digests are under AWSLogs/…/CloudTrail-Digest/)".to_string()
        } else {
            format!(
                "none of the {} digest files found covers the requested period",
                self.nodes.len()
            )
        };
        Some(Problem::new(ProblemKind::NoDigests, "(inputs)", detail))
    }
}

/// The finding for two digests claiming the same key: about the `dropped` one.
fn conflict_problem(kept: &Loaded, dropped: &Loaded) -> Problem {
    let this_copy = dropped
        .stored
        .as_ref()
        .map(|st| format!(" (this copy is stored as {})", st.display()))
        .unwrap_or_default();
    Problem::new(
        ProblemKind::DigestConflict,
        dropped.path.display().to_string(),
        format!(
            "claims the same S3 key as {} but its content differs{this_copy}",
            kept.describe()
        ),
    )
}

/// The outcome of an unparsable digest: invalid format, dated by its name.
fn unparsable_outcome(b: &Bad, chain: usize, name_end: Option<Timestamp>) -> DigestOutcome {
    let why = if b.kind == ProblemKind::DigestTooLarge {
        "too large".to_string()
    } else {
        b.detail.clone()
    };
    DigestOutcome {
        chain,
        uri: b.src.loc.display().to_string(),
        local: Some(b.src.loc.clone()),
        stored: b.src.stored(),
        start: None,
        end: name_end,
        status: DigestStatus::Invalid(DigestFailure::InvalidFormat(why)),
        signature: SignatureCheck::NotAttempted,
        log_files: 0,
    }
}

/// The finding for an unparsable digest, naming its stored copy if any.
fn unparsable_problem(b: &Bad) -> Problem {
    Problem::new(
        b.kind,
        b.src.loc.display().to_string(),
        match b.src.stored() {
            Some(st) => format!("{} (stored as {})", b.detail, st.display()),
            None => b.detail.clone(),
        },
    )
}
