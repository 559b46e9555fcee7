//! The validation engine: discover files, load digests in parallel, walk every
//! chain, verify signatures, hash listed log files in parallel, report.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use jiff::{SignedDuration, Timestamp};

use crate::digest::{looks_like_digest, looks_like_log, Digest};
use crate::error::TrailError;
use crate::keys::PublicKeys;
use crate::layout;
use crate::read::{self, ReadError};
use crate::report::*;
use crate::signatures::{is_sidecar, Signatures};

mod chain;
mod judge;
mod logs;

/// What to validate: files and directories (walked recursively), files stored away
/// from where they were found ([`KnownFile`]), plus an optional root.
///
/// Digests, log files and signature sidecars are told apart by name and content, so
/// one folder holding a whole `aws s3 sync` copy is enough. With a `root`, local paths
/// relative to it are also matched against S3 keys verbatim, and are shown relative to it.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Files and directories.
    pub paths: Vec<PathBuf>,
    /// Optional root of the local copy (e.g. the bucket folder of a case).
    pub root: Option<PathBuf>,
    /// Files read from one path but located by another (evidence objects of a case).
    pub known: Vec<KnownFile>,
}

/// A file whose bytes are read from one path while its *location* is another: an
/// evidence object kept under a content-addressed name (`evidence/objects/sha256/ab/abcd…`)
/// that was acquired from `original`.
///
/// Everything that depends on where a file is uses `original`: matching digests'
/// `s3Object` keys (on its `AWSLogs/…` suffix, else its file name), the *moved* check
/// of digests, recognising sidecars (`<digest>.sig`, `<digest>.head.json`), and what
/// reports show (with `read_from` added as the stored copy). Content that sat at several
/// places is given once per place: the same bytes can legitimately sit at two keys.
/// A `read_from` that cannot be read is a finding, not an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KnownFile {
    /// Where the bytes are read from (never written).
    pub read_from: PathBuf,
    /// Where the file was found: an absolute path or a URI such as `s3://bucket/AWSLogs/…`.
    pub original: String,
}

/// One input file: `loc` is where it is (matched, shown), `read` where its bytes are.
/// The same path for ordinary files; for a [`KnownFile`], its original and its stored copy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Src {
    loc: PathBuf,
    read: PathBuf,
}

impl Src {
    fn plain(path: PathBuf) -> Src {
        Src {
            loc: path.clone(),
            read: path,
        }
    }

    /// The stored copy, when the bytes are read from somewhere else than the location.
    fn stored(&self) -> Option<PathBuf> {
        (self.read != self.loc).then(|| self.read.clone())
    }

    /// The location, and the stored copy when there is one, for messages.
    fn describe(&self) -> String {
        match self.stored() {
            Some(s) => format!("{} (stored as {})", self.loc.display(), s.display()),
            None => self.loc.display().to_string(),
        }
    }
}

/// Limits and the period to validate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only digests whose period overlaps `[from, to]` are validated (like `--start-time`).
    pub from: Option<Timestamp>,
    /// End of the period (like `--end-time`).
    pub to: Option<Timestamp>,
    /// Largest uncompressed digest accepted (default 64 MiB); larger ones are reported.
    pub max_digest_bytes: u64,
    /// Largest uncompressed log file hashed (default 4 GiB); larger ones are reported.
    pub max_log_bytes: u64,
    /// Worker threads for reading and hashing (default: available cores).
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            from: None,
            to: None,
            max_digest_bytes: 64 << 20,
            max_log_bytes: 4 << 30,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

const SNIFF_BYTES: u64 = 4096;
const HOUR: SignedDuration = SignedDuration::from_hours(1);
const TOLERANCE: SignedDuration = SignedDuration::from_mins(5);

/// Validates the CloudTrail digests and log files found in `inputs` offline.
///
/// Fails only when an input path cannot be read at all; everything wrong with the
/// evidence itself is a finding in the returned [`Report`].
pub fn validate(
    inputs: &Inputs,
    keys: &PublicKeys,
    signatures: &Signatures,
    options: &Options,
) -> Result<Report, TrailError> {
    if let (Some(from), Some(to)) = (options.from, options.to) {
        if from >= to {
            return Err(TrailError::Period { from, to });
        }
    }
    let mut problems: Vec<Problem> = keys.notes().to_vec();
    problems.extend(signatures.notes().iter().cloned());
    let files = collect(inputs, &mut problems)?;
    let items = par_map(&files, options.threads, |p| classify(p, options));

    let mut sigs = signatures.clone();
    let mut engine = Engine::new(inputs, options);
    for item in items {
        match item {
            Item::Sidecar(p) => {
                if let Err(e) = sigs.add_sidecar_at(&p.read, &p.loc) {
                    problems.push(Problem::new(
                        ProblemKind::SignatureUnreadable,
                        p.loc.display().to_string(),
                        e.to_string(),
                    ));
                }
            }
            other => engine.add(other),
        }
    }
    engine.problems = problems;
    engine.run(keys, &sigs);
    Ok(engine.finish(sigs.len()))
}

/// Walks the inputs; unreadable entries are findings, a missing input path is an error.
/// Known files come after the walked ones; one whose stored copy is unreadable is a finding.
fn collect(inputs: &Inputs, problems: &mut Vec<Problem>) -> Result<Vec<Src>, TrailError> {
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    let mut push = |p: PathBuf, files: &mut Vec<Src>| {
        let canon = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
        if seen.insert(canon) {
            files.push(Src::plain(p));
        }
    };
    for input in &inputs.paths {
        let meta = std::fs::metadata(input).map_err(|reason| TrailError::Io {
            path: input.clone(),
            reason,
        })?;
        if !meta.is_dir() {
            push(input.clone(), &mut files);
            continue;
        }
        for entry in walkdir::WalkDir::new(input).sort_by_file_name() {
            match entry {
                Ok(e) if e.file_type().is_file() => push(e.into_path(), &mut files),
                Ok(_) => {}
                Err(e) => problems.push(Problem::new(
                    ProblemKind::FileUnreadable,
                    e.path().unwrap_or(input).display().to_string(),
                    e.to_string(),
                )),
            }
        }
    }
    let mut known_seen = HashSet::new();
    for k in &inputs.known {
        if !known_seen.insert(k) {
            continue;
        }
        match std::fs::metadata(&k.read_from) {
            Ok(m) if m.is_file() => files.push(Src {
                loc: PathBuf::from(&k.original),
                read: k.read_from.clone(),
            }),
            Ok(_) => problems.push(Problem::new(
                ProblemKind::FileUnreadable,
                k.original.clone(),
                format!("its stored copy {} is not a file", k.read_from.display()),
            )),
            Err(e) => problems.push(Problem::new(
                ProblemKind::FileUnreadable,
                k.original.clone(),
                format!(
                    "its stored copy {} cannot be read: {}",
                    k.read_from.display(),
                    read::describe_io(&e)
                ),
            )),
        }
    }
    Ok(files)
}

/// Runs `f` over `items` on up to `threads` scoped threads; results keep input order.
pub(crate) fn par_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let n = threads.clamp(1, items.len().max(1));
    if n == 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let parts: Vec<Vec<(usize, R)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (i, r) in parts.into_iter().flatten() {
        slots[i] = Some(r);
    }
    slots.into_iter().flatten().collect()
}

struct Loaded {
    /// Where the digest is (its location; see [`Src`]).
    path: PathBuf,
    /// Where its bytes were read from, when that is elsewhere (a stored copy).
    stored: Option<PathBuf>,
    digest: Digest,
    sha256: [u8; 32],
    start: Timestamp,
    end: Timestamp,
}

impl Loaded {
    /// The location, and the stored copy when there is one, for messages.
    fn describe(&self) -> String {
        match &self.stored {
            Some(s) => format!("{} (stored as {})", self.path.display(), s.display()),
            None => self.path.display().to_string(),
        }
    }
}

enum Item {
    Digest(Box<Loaded>),
    BadDigest {
        src: Src,
        kind: ProblemKind,
        detail: String,
    },
    Log(Src),
    Other(Src),
    Sidecar(Src),
}

/// Tells what a file is: by name first (cheap), else by its first uncompressed bytes.
/// The name is the location's; the bytes are read from the stored copy.
fn classify(src: &Src, options: &Options) -> Item {
    let name = src
        .loc
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if is_sidecar(&name) {
        return Item::Sidecar(src.clone());
    }
    if name.contains("_CloudTrail-Digest_") {
        return load_digest(src, options);
    }
    if name.contains("_CloudTrail_") || name.contains("_CloudTrail-Insight_") {
        return Item::Log(src.clone());
    }
    match read::sniff(&src.read, SNIFF_BYTES) {
        Ok(prefix) if looks_like_digest(&prefix) => load_digest(src, options),
        Ok(prefix) if looks_like_log(&prefix) => Item::Log(src.clone()),
        _ => Item::Other(src.clone()),
    }
}

fn load_digest(src: &Src, options: &Options) -> Item {
    let path = src.loc.as_path();
    let bad = |kind, detail: String| Item::BadDigest {
        src: src.clone(),
        kind,
        detail,
    };
    let bytes = match read::read_capped(&src.read, options.max_digest_bytes) {
        Ok(b) => b,
        Err(ReadError::TooLarge) => {
            return bad(
                ProblemKind::DigestTooLarge,
                format!(
                "expected at most {} bytes uncompressed, found more (gzip bomb, or not a digest)",
                options.max_digest_bytes
            ),
            )
        }
        Err(e) => {
            return bad(
                ProblemKind::DigestUnparsable,
                e.describe(options.max_digest_bytes),
            )
        }
    };
    let digest = match Digest::parse(&bytes, path) {
        Ok(d) => d,
        Err(e) => return bad(ProblemKind::DigestUnparsable, e.to_string()),
    };
    let time = |field: &str, text: &str| {
        text.parse::<Timestamp>().map_err(|_| {
            format!(
                "{}: expected an RFC 3339 time in {field}, found {text:?}",
                path.display()
            )
        })
    };
    let (start, end) = match (
        time("digestStartTime", &digest.digest_start_time),
        time("digestEndTime", &digest.digest_end_time),
    ) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(why), _) | (_, Err(why)) => return bad(ProblemKind::DigestUnparsable, why),
    };
    Item::Digest(Box::new(Loaded {
        path: path.to_path_buf(),
        stored: src.stored(),
        sha256: read::sha256(&bytes),
        digest,
        start,
        end,
    }))
}

struct Node {
    l: Loaded,
    claimed_layout: Option<String>,
    claimed_name: String,
    chain: usize,
    moved: bool,
    in_scope: bool,
    canonical: bool,
    conflict: bool,
    uri: String,
}

/// A digest's `previousDigestS3Object` that names no digest of the inputs.
struct MissingRef {
    /// Index into the engine's nodes of the digest naming it.
    digest: usize,
    /// The S3 key it names.
    key: String,
}

struct Bad {
    src: Src,
    kind: ProblemKind,
    detail: String,
}

/// Every non-digest file of the inputs, stored once; the maps hold indexes into `files`.
#[derive(Default)]
struct FileIndex {
    files: Vec<Src>,
    by_layout: HashMap<String, Vec<u32>>,
    by_name: HashMap<String, Vec<u32>>,
    by_rel: HashMap<String, Vec<u32>>,
}

impl FileIndex {
    fn add(&mut self, f: Src, root: Option<&Path>) -> u32 {
        let id = u32::try_from(self.files.len()).unwrap_or(u32::MAX);
        let p = &f.loc;
        if let Some(k) = layout::layout_key_of_path(p) {
            self.by_layout.entry(k).or_default().push(id);
        }
        let name = layout::name_key_of_path(p);
        self.by_name.entry(name).or_default().push(id);
        if let Some(rel) = root.and_then(|r| p.strip_prefix(r).ok()) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            let rel = rel.strip_suffix(".gz").unwrap_or(&rel).to_string();
            self.by_rel.entry(rel).or_default().push(id);
        }
        self.files.push(f);
        id
    }

    fn src(&self, id: u32) -> Option<&Src> {
        self.files.get(id as usize)
    }

    /// Where file `id` is (its location).
    fn path(&self, id: u32) -> &Path {
        self.src(id).map_or(Path::new(""), |f| f.loc.as_path())
    }

    /// Where file `id`'s bytes are read from.
    fn read_path(&self, id: u32) -> &Path {
        self.src(id).map_or(Path::new(""), |f| f.read.as_path())
    }

    /// File `id`'s stored copy, when it is read from somewhere else than its location.
    fn stored(&self, id: u32) -> Option<PathBuf> {
        self.src(id).and_then(Src::stored)
    }

    /// File `id` for messages: its location, and its stored copy if any.
    fn describe(&self, id: u32) -> String {
        self.src(id).map(Src::describe).unwrap_or_default()
    }

    /// Local files for an S3 key: exact under root, then layout key, then file name.
    fn find(&self, key: &str) -> &[u32] {
        let stripped = key.strip_suffix(".gz").unwrap_or(key);
        [
            self.by_rel.get(stripped),
            layout::layout_key(key).and_then(|k| self.by_layout.get(&k)),
            self.by_name.get(&layout::name_key(key)),
        ]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
        .map(Vec::as_slice)
        .unwrap_or(&[])
    }
}

struct Engine<'a> {
    options: &'a Options,
    root: Option<PathBuf>,
    nodes: Vec<Node>,
    bad: Vec<Bad>,
    logs: Vec<u32>,
    files: FileIndex,
    other: Vec<u32>,
    duplicates: Vec<PathBuf>,
    chains: Vec<Chain>,
    chain_ids: HashMap<(String, String, String, String), usize>,
    claim_layout: HashMap<String, usize>,
    claim_name: HashMap<String, usize>,
    problems: Vec<Problem>,
    report: Report,
}

impl<'a> Engine<'a> {
    fn new(inputs: &Inputs, options: &'a Options) -> Self {
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

    fn add(&mut self, item: Item) {
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

    fn chain_of(&mut self, l: &Loaded) -> usize {
        let name = layout::parse_digest_name(&l.digest.digest_s3_object)
            .or_else(|| layout::parse_digest_name(&l.path.to_string_lossy()));
        let (account, region, trail, home) = match name {
            Some(n) => (n.account, n.region, n.trail, n.home_region),
            None => (
                l.digest.aws_account_id.clone(),
                "unknown".into(),
                "unknown".into(),
                "unknown".into(),
            ),
        };
        let key = (account.clone(), region.clone(), trail.clone(), home.clone());
        if let Some(&i) = self.chain_ids.get(&key) {
            return i;
        }
        self.chains.push(Chain {
            account,
            org: layout::org_id(&l.digest.digest_s3_object),
            region,
            trail,
            home_region: home,
        });
        self.chain_ids.insert(key, self.chains.len() - 1);
        self.chains.len() - 1
    }

    fn add_digest(&mut self, l: Loaded) {
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
        let idx = self.nodes.len();
        let existing = claimed_layout
            .as_ref()
            .and_then(|k| self.claim_layout.get(k))
            .or_else(|| self.claim_name.get(&claimed_name))
            .copied();
        let mut node = Node {
            l,
            claimed_layout,
            claimed_name,
            chain,
            moved,
            in_scope,
            canonical: true,
            conflict: false,
            uri,
        };
        if let Some(e) = existing {
            if self.nodes[e].l.sha256 == node.l.sha256 {
                // An identical copy: harmless, not validated twice. The copy that sits
                // where it was delivered is the one validated (the same bytes can be
                // found at several places, e.g. an evidence object with several sources).
                let kept = &mut self.nodes[e];
                if kept.moved && !node.moved {
                    std::mem::swap(&mut kept.l, &mut node.l);
                    kept.moved = false;
                }
                self.duplicates.push(node.l.path.clone());
                return;
            }
            let prefer_new = self.nodes[e].moved && !node.moved;
            let (keep, drop) = if prefer_new { (idx, e) } else { (e, idx) };
            let (drop_l, keep_l) = if drop == idx {
                (&node.l, &self.nodes[keep].l)
            } else {
                (&self.nodes[drop].l, &node.l)
            };
            let this_copy = drop_l
                .stored
                .as_ref()
                .map(|st| format!(" (this copy is stored as {})", st.display()))
                .unwrap_or_default();
            let problem = Problem::new(
                ProblemKind::DigestConflict,
                drop_l.path.display().to_string(),
                format!(
                    "claims the same S3 key as {} but its content differs{this_copy}",
                    keep_l.describe()
                ),
            );
            self.push_problem(problem);
            if drop == idx {
                node.canonical = false;
                node.conflict = true;
            } else {
                self.nodes[e].canonical = false;
                self.nodes[e].conflict = true;
            }
        }
        if node.canonical {
            if let Some(k) = &node.claimed_layout {
                self.claim_layout.insert(k.clone(), idx);
            }
            self.claim_name.insert(node.claimed_name.clone(), idx);
        }
        self.nodes.push(node);
    }

    fn push_problem(&mut self, p: Problem) {
        self.report.problems.push(p);
    }

    /// The canonical digest an S3 key refers to.
    fn lookup(&self, key: &str) -> Option<usize> {
        layout::layout_key(key)
            .and_then(|k| self.claim_layout.get(&k))
            .or_else(|| self.claim_name.get(&layout::name_key(key)))
            .copied()
    }

    /// An unparsable file sitting where `key` should be.
    fn lookup_bad(&self, key: &str) -> Option<usize> {
        let lk = layout::layout_key(key);
        let nk = layout::name_key(key);
        self.bad
            .iter()
            .position(|b| match (&lk, layout::layout_key_of_path(&b.src.loc)) {
                (Some(a), Some(b)) => *a == b,
                _ => layout::name_key_of_path(&b.src.loc) == nk,
            })
    }

    fn run(&mut self, keys: &PublicKeys, sigs: &Signatures) {
        let n = self.nodes.len();
        // Successors: who names whom as previous.
        let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut missing_refs: Vec<MissingRef> = Vec::new();
        for d in 0..n {
            if !self.nodes[d].canonical {
                continue;
            }
            if let Some(prev) = self.nodes[d].l.digest.previous_digest_s3_object.clone() {
                match self.lookup(&prev) {
                    Some(p) if p != d => succ[p].push(d),
                    _ => missing_refs.push(MissingRef {
                        digest: d,
                        key: prev,
                    }),
                }
            }
        }

        // Per-digest verdicts, in chain order (newest first), for digests in scope.
        let mut order: Vec<usize> = (0..n)
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
        self.report.outside_period = self
            .nodes
            .iter()
            .filter(|x| !x.in_scope && x.canonical)
            .count() as u64;

        for &i in &order {
            let outcome = self.judge(i, &succ[i], keys, sigs);
            self.report.digests.push(outcome);
        }

        // Unparsable digests: not validated, reported (unless clearly outside the period).
        for b in &self.bad {
            let name_end =
                layout::parse_digest_name(&b.src.loc.to_string_lossy()).and_then(|x| x.end);
            if let (Some(end), Some(from)) = (name_end, self.options.from) {
                if end <= from {
                    continue;
                }
            }
            if let (Some(end), Some(to)) = (name_end, self.options.to) {
                if end - HOUR >= to {
                    continue;
                }
            }
            let chain = layout::parse_digest_name(&b.src.loc.to_string_lossy()).and_then(|x| {
                self.chain_ids
                    .get(&(x.account, x.region, x.trail, x.home_region))
                    .copied()
            });
            let chain = match chain {
                Some(c) => c,
                None => {
                    let key = (
                        "unknown".to_string(),
                        "unknown".to_string(),
                        "unknown".to_string(),
                        "unknown".to_string(),
                    );
                    match self.chain_ids.get(&key) {
                        Some(&c) => c,
                        None => {
                            self.chains.push(Chain {
                                account: "unknown".into(),
                                org: None,
                                region: "unknown".into(),
                                trail: "unknown".into(),
                                home_region: "unknown".into(),
                            });
                            self.chain_ids.insert(key, self.chains.len() - 1);
                            self.chains.len() - 1
                        }
                    }
                }
            };
            let why = if b.kind == ProblemKind::DigestTooLarge {
                "too large".to_string()
            } else {
                b.detail.clone()
            };
            self.report.digests.push(DigestOutcome {
                chain,
                uri: b.src.loc.display().to_string(),
                local: Some(b.src.loc.clone()),
                stored: b.src.stored(),
                start: None,
                end: name_end,
                status: DigestStatus::Invalid(DigestFailure::InvalidFormat(why)),
                signature: SignatureCheck::NotAttempted,
                log_files: 0,
            });
            self.report.problems.push(Problem::new(
                b.kind,
                b.src.loc.display().to_string(),
                match b.src.stored() {
                    Some(st) => format!("{} (stored as {})", b.detail, st.display()),
                    None => b.detail.clone(),
                },
            ));
        }

        self.chain_gaps(&missing_refs);
        self.check_logs(&order);
    }

    fn finish(mut self, signatures_supplied: usize) -> Report {
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
        if !self.nodes.iter().any(|n| n.in_scope && n.canonical) {
            r.problems.push(Problem::new(
                ProblemKind::NoDigests,
                "(inputs)",
                if self.nodes.is_empty() {
                    "no CloudTrail digest file found in the inputs: nothing can be validated (digests are under AWSLogs/…/CloudTrail-Digest/)".to_string()
                } else {
                    format!("none of the {} digest files found covers the requested period", self.nodes.len())
                },
            ));
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{build_trail, Signer, TrailSpec};

    const KEY: &str = include_str!("../../tests/fixtures/test-rsa-2048.pem");

    /// `classify` of an ordinary file (its own location).
    fn classify(p: &Path, o: &Options) -> Item {
        super::classify(&Src::plain(p.to_path_buf()), o)
    }

    #[test]
    fn par_map_keeps_order_on_any_thread_count() {
        let items: Vec<u32> = (0..1000).collect();
        for threads in [0, 1, 2, 7] {
            let out = par_map(&items, threads, |x| x * 2);
            assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        }
        assert!(par_map(&Vec::<u32>::new(), 2, |x| *x).is_empty());
    }

    #[test]
    fn classify_by_name_then_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Signer::from_pkcs1_pem(KEY).expect("key");
        let t = build_trail(
            dir.path(),
            &TrailSpec {
                hours: 1,
                ..TrailSpec::default()
            },
            &s,
        )
        .expect("trail");
        let opts = Options::default();
        let digest = &t.digests[0];
        assert!(matches!(classify(&digest.path, &opts), Item::Digest(_)));
        assert!(matches!(
            classify(&digest.logs[0].path, &opts),
            Item::Log(_)
        ));
        // Renamed files are recognised by content.
        let renamed = dir.path().join("renamed-digest.bin");
        std::fs::copy(&digest.path, &renamed).expect("copy");
        assert!(matches!(classify(&renamed, &opts), Item::Digest(_)));
        let renamed_log = dir.path().join("renamed-log.bin");
        std::fs::copy(&digest.logs[0].path, &renamed_log).expect("copy");
        assert!(matches!(classify(&renamed_log, &opts), Item::Log(_)));
        let other = dir.path().join("keys.json");
        std::fs::write(&other, s.public_keys_json()).expect("write");
        assert!(matches!(classify(&other, &opts), Item::Other(_)));
        assert!(matches!(
            classify(Path::new("x.json.gz.sig"), &opts),
            Item::Sidecar(_)
        ));
        // A file named like a digest that is not one is an unparsable digest, not a log.
        let fake = dir
            .path()
            .join("1_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T000000Z.json.gz");
        std::fs::write(&fake, b"{\"Records\":[]}").expect("write");
        assert!(matches!(
            classify(&fake, &opts),
            Item::BadDigest {
                kind: ProblemKind::DigestUnparsable,
                ..
            }
        ));
    }

    #[test]
    fn digest_times_must_be_rfc3339() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Signer::from_pkcs1_pem(KEY).expect("key");
        let t = build_trail(
            dir.path(),
            &TrailSpec {
                hours: 1,
                ..TrailSpec::default()
            },
            &s,
        )
        .expect("trail");
        let bytes = read::read_capped(&t.digests[0].path, 1 << 20)
            .map_err(|e| e.describe(0))
            .expect("read");
        let text = String::from_utf8(bytes)
            .expect("utf8")
            .replace("2024-03-01T01:17:28Z", "yesterday");
        let p = dir.path().join("d.json");
        std::fs::write(&p, text).expect("write");
        match classify(&p, &Options::default()) {
            Item::BadDigest { detail, .. } => assert!(
                detail.contains("digestEndTime") && detail.contains("yesterday"),
                "{detail}"
            ),
            _ => panic!("expected an unparsable digest"),
        }
    }

    #[test]
    fn an_empty_period_is_an_error() {
        let t = Timestamp::UNIX_EPOCH;
        let opts = Options {
            from: Some(t),
            to: Some(t),
            ..Options::default()
        };
        let e = validate(
            &Inputs::default(),
            &PublicKeys::new(),
            &Signatures::new(),
            &opts,
        )
        .expect_err("empty period");
        assert!(e.to_string().contains("expected --from before --to"));
    }
}
