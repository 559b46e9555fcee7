//! Writing planned files: each job renders its records into a reusable
//! buffer, gzips it and publishes it atomically (temporary name, then
//! rename). Jobs are handed to scoped worker threads through an atomic
//! counter; a job's bytes depend only on the job, never on the thread.

use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use flate2::{Compress, Compression, Crc, FlushCompress, Status};

use crate::plan::{Job, SLOT};
use crate::record::{Model, Scratch, Traffic};
use crate::rng::{derive, Rng};
use crate::time::civil;
use crate::world::REGIONS;
use crate::{Config, GenError};

/// Totals gathered by the workers.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stats {
    pub files: u64,
    pub records: u64,
    pub uncompressed: u64,
    pub compressed: u64,
    /// Records per catalogue row.
    pub per_api: Vec<u64>,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

impl Stats {
    /// Empty totals for a catalogue of `apis` rows.
    pub(crate) fn new(apis: usize) -> Stats {
        Stats {
            per_api: vec![0; apis],
            ..Stats::default()
        }
    }

    /// Counts the record time `t`.
    pub(crate) fn saw(&mut self, t: i64) {
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
    }

    /// Adds another worker's totals.
    pub(crate) fn merge(&mut self, o: Stats) {
        self.files += o.files;
        self.records += o.records;
        self.uncompressed += o.uncompressed;
        self.compressed += o.compressed;
        if self.per_api.len() < o.per_api.len() {
            self.per_api.resize(o.per_api.len(), 0);
        }
        for (a, b) in self.per_api.iter_mut().zip(o.per_api) {
            *a += b;
        }
        self.first = match (self.first, o.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = match (self.last, o.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}

pub(crate) fn io_err(path: &Path, source: std::io::Error) -> GenError {
    GenError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `<out>/AWSLogs/[<org>/]<account>/CloudTrail`.
pub(crate) fn trail_root(cfg: &Config, account: &str) -> PathBuf {
    let mut p = cfg.out_dir.join("AWSLogs");
    if let Some(org) = &cfg.organization_id {
        p.push(org);
    }
    p.push(account);
    p.push("CloudTrail");
    p
}

/// Per-worker state.
struct Worker<'a> {
    model: &'a Model,
    cfg: &'a Config,
    root: PathBuf,
    start: i64,
    buf: Vec<u8>,
    items: Vec<(i64, u32)>,
    scratch: Scratch,
    publisher: Publisher,
    stats: Stats,
}

/// Tags of a file's items: background traffic kinds, or a scripted record
/// (`TAG_INC | index << 2`).
pub(crate) const TAG_HUMAN: u32 = 0;
/// Background machine traffic.
pub(crate) const TAG_MACHINE: u32 = 1;
/// Background service noise.
pub(crate) const TAG_NOISE: u32 = 2;
/// A scripted record.
pub(crate) const TAG_INC: u32 = 3;
const ALNUM: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Writes item `tag` at time `t` of a file of `region`: a scripted record
/// as rendered, or a background record of the tag's traffic. Returns the
/// catalogue row of a background record.
pub(crate) fn write_item(
    model: &Model,
    buf: &mut Vec<u8>,
    rng: &mut Rng,
    scratch: &mut Scratch,
    region: usize,
    t: i64,
    tag: u32,
) -> Option<usize> {
    let traffic = match tag & 3 {
        TAG_INC => {
            buf.extend_from_slice(&model.scripted[(tag >> 2) as usize].json);
            return None;
        }
        TAG_HUMAN => Traffic::Human,
        TAG_MACHINE => Traffic::Machine,
        _ => Traffic::Noise,
    };
    Some(model.write_background(buf, rng, scratch, region, traffic, t))
}

/// Names, gzips and publishes delivery files, reusing its buffers.
pub(crate) struct Publisher {
    deflate: Compress,
    gz: Vec<u8>,
    last_dir: Option<PathBuf>,
}

impl Publisher {
    /// A publisher compressing at gzip `level`.
    pub(crate) fn new(level: u32) -> Publisher {
        Publisher {
            deflate: Compress::new(Compression::new(level), false),
            gz: Vec::with_capacity(1 << 18),
            last_dir: None,
        }
    }

    /// Writes `json` as `account`'s delivery file of `region` for the slot
    /// ending at `slot_end`, under `root` (`…/<account>/CloudTrail`), as
    /// CloudTrail names it: delivered 30–540 s after the slot, a 16-character
    /// suffix (both drawn from `rng`). Returns the compressed size.
    pub(crate) fn publish(
        &mut self,
        root: &Path,
        account: &str,
        region: usize,
        slot_end: i64,
        rng: &mut Rng,
        json: &[u8],
    ) -> Result<u64, GenError> {
        let delivered = slot_end + rng.range(30, 540) as i64;
        let c = civil(delivered);
        let region = REGIONS[region].0;
        let mut unique = String::with_capacity(16);
        for _ in 0..16 {
            unique.push(ALNUM[rng.below(62) as usize] as char);
        }
        let name = format!(
            "{account}_CloudTrail_{region}_{y:04}{mo:02}{d:02}T{h:02}{mi:02}Z_{unique}.json.gz",
            y = c.y,
            mo = c.mo,
            d = c.d,
            h = c.h,
            mi = c.mi
        );
        let dir = root
            .join(region)
            .join(format!("{:04}", c.y))
            .join(format!("{:02}", c.mo))
            .join(format!("{:02}", c.d));
        if self.last_dir.as_ref() != Some(&dir) {
            fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
            self.last_dir = Some(dir.clone());
        }

        let tmp = dir.join(format!(".{name}.tmp"));
        gzip(&mut self.deflate, json, &mut self.gz).map_err(|e| io_err(&tmp, e))?;
        fs::write(&tmp, &self.gz).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io_err(&tmp, e)
        })?;
        let path = dir.join(&name);
        fs::rename(&tmp, &path).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io_err(&path, e)
        })?;
        Ok(self.gz.len() as u64)
    }
}

impl Worker<'_> {
    fn run_job(&mut self, job: &Job) -> Result<(), GenError> {
        let model = self.model;
        let seed = self.cfg.seed;
        let mut rng = Rng::new(derive(
            seed,
            &[0x10B, job.region as u64, job.slot as u64, job.part as u64],
        ));
        let (t0, t1) = job.interval(self.start);
        let span = (t1 - t0).max(1) as u64;

        // Event times: background drawn uniformly in the file's interval,
        // incident events at their scripted times; sorted, then a few
        // neighbours swapped (CloudTrail files are mostly, not strictly, ordered).
        self.items.clear();
        for (n, tag) in [
            (job.human, TAG_HUMAN),
            (job.machine, TAG_MACHINE),
            (job.noise, TAG_NOISE),
        ] {
            for _ in 0..n {
                self.items.push((t0 + rng.below(span) as i64, tag));
            }
        }
        for (i, e) in model.scripted[job.inc.0..job.inc.1].iter().enumerate() {
            let index = (job.inc.0 + i) as u32;
            self.items.push((e.t, TAG_INC | (index << 2)));
        }
        self.items.sort_unstable();
        for i in 1..self.items.len() {
            if rng.chance(200) {
                self.items.swap(i - 1, i);
            }
        }

        let buf = &mut self.buf;
        buf.clear();
        buf.extend_from_slice(b"{\"Records\":[");
        for (k, &(t, tag)) in self.items.iter().enumerate() {
            if k > 0 {
                buf.push(b',');
            }
            let api = write_item(model, buf, &mut rng, &mut self.scratch, job.region, t, tag);
            if let Some(api) = api {
                self.stats.per_api[api] += 1;
            }
            self.stats.saw(t);
        }
        buf.extend_from_slice(b"]}");

        // Delivery: a few minutes after the slot closes.
        let slot_end = self.start + (job.slot as i64 + 1) * SLOT;
        let compressed = self.publisher.publish(
            &self.root,
            &self.cfg.account_id,
            job.region,
            slot_end,
            &mut rng,
            &self.buf,
        )?;
        self.stats.files += 1;
        self.stats.records += self.items.len() as u64;
        self.stats.uncompressed += self.buf.len() as u64;
        self.stats.compressed += compressed;
        Ok(())
    }
}

/// Gzips `input` into `out` (cleared first) with a reused raw-deflate
/// stream: one member, no name, mtime 0, OS "unknown", so output is a pure
/// function of the input and level.
pub(crate) fn gzip(deflate: &mut Compress, input: &[u8], out: &mut Vec<u8>) -> std::io::Result<()> {
    out.clear();
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    deflate.reset();
    let mut consumed = 0usize;
    loop {
        out.reserve((input.len() - consumed) / 2 + 4096);
        let before = deflate.total_in();
        let status = deflate
            .compress_vec(&input[consumed..], out, FlushCompress::Finish)
            .map_err(std::io::Error::other)?;
        consumed += (deflate.total_in() - before) as usize;
        if status == Status::StreamEnd {
            break;
        }
    }
    let mut crc = Crc::new();
    crc.update(input);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(input.len() as u32).to_le_bytes());
    Ok(())
}

/// Splits the job list (ordered by region, then time) into runs that a
/// single worker handles. Files are created and renamed in a directory per
/// region and day, and two threads creating files in the same directory
/// contend on its lock in the kernel, so a run is normally one region-day;
/// when that gives too few runs to keep `threads` busy (short corpora), days
/// are cut into blocks of hours instead.
fn directory_groups(jobs: &[Job], threads: usize, home_region_days: u64) -> Vec<Range<usize>> {
    groups_by(jobs, threads, home_region_days, |j| (0, j.region, j.slot))
}

/// [`directory_groups`] over any jobs: `key` gives a job's account, region
/// and 5-minute slot.
pub(crate) fn groups_by<J>(
    jobs: &[J],
    threads: usize,
    home_region_days: u64,
    key: impl Fn(&J) -> (u32, usize, u32),
) -> Vec<Range<usize>> {
    const SLOTS_PER_DAY: u64 = (86_400 / SLOT) as u64;
    let wanted = 8 * threads as u64;
    let blocks_per_day = wanted
        .div_ceil(home_region_days.max(1))
        .clamp(1, SLOTS_PER_DAY);
    let block = SLOTS_PER_DAY / blocks_per_day;
    let key = |j: &J| {
        let (account, region, slot) = key(j);
        (account, region, slot as u64 / block)
    };
    let mut groups = Vec::new();
    let mut begin = 0;
    for i in 1..=jobs.len() {
        if i == jobs.len() || key(&jobs[i]) != key(&jobs[begin]) {
            groups.push(begin..i);
            begin = i;
        }
    }
    groups
}

/// Writes all jobs with `threads` workers.
pub(crate) fn run(model: &Model, cfg: &Config, jobs: &[Job]) -> Result<Stats, GenError> {
    let threads = thread_count(cfg, jobs.len());
    let root = trail_root(cfg, &cfg.account_id);
    fs::create_dir_all(&root).map_err(|e| io_err(&root, e))?;
    let groups = directory_groups(
        jobs,
        threads,
        model.world.home.len() as u64 * cfg.days as u64,
    );
    let start = cfg.start.unix_seconds();
    run_workers(threads, jobs, &groups, model.apis.len(), || Worker {
        model,
        cfg,
        root: root.clone(),
        start,
        buf: Vec::with_capacity(1 << 20),
        items: Vec::new(),
        scratch: Scratch::default(),
        publisher: Publisher::new(cfg.compression_level),
        stats: Stats::new(model.apis.len()),
    })
}

/// Worker threads for `jobs` files: `cfg.threads`, or one per core.
pub(crate) fn thread_count(cfg: &Config, jobs: usize) -> usize {
    match cfg.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, jobs.max(1))
}

/// Something that writes files one job at a time and counts what it wrote.
pub(crate) trait FileWriter {
    /// A file to write.
    type Job: Sync;
    /// Writes one file.
    fn write(&mut self, job: &Self::Job) -> Result<(), GenError>;
    /// The totals of the files written.
    fn into_stats(self) -> Stats;
}

impl FileWriter for Worker<'_> {
    type Job = Job;
    fn write(&mut self, job: &Job) -> Result<(), GenError> {
        self.run_job(job)
    }
    fn into_stats(self) -> Stats {
        self.stats
    }
}

/// Runs `groups` of `jobs` on `threads` scoped threads, each with a writer
/// from `make`, groups handed out through an atomic counter (a job's bytes
/// depend on the job only); stops early on the first error. `apis` is the
/// catalogue's length.
pub(crate) fn run_workers<W: FileWriter>(
    threads: usize,
    jobs: &[W::Job],
    groups: &[Range<usize>],
    apis: usize,
    make: impl Fn() -> W + Sync,
) -> Result<Stats, GenError> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Vec<Result<Stats, GenError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut w = make();
                    loop {
                        if failed.load(Ordering::Relaxed) {
                            break;
                        }
                        let g = next.fetch_add(1, Ordering::Relaxed);
                        let Some(range) = groups.get(g) else { break };
                        for job in &jobs[range.clone()] {
                            if let Err(e) = w.write(job) {
                                failed.store(true, Ordering::Relaxed);
                                return Err(e);
                            }
                        }
                    }
                    Ok(w.into_stats())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err(GenError::WorkerPanicked)))
            .collect()
    });

    let mut total = Stats::new(apis);
    for r in results {
        total.merge(r?);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(region: usize, slot: u32) -> Job {
        Job {
            region,
            slot,
            part: 0,
            parts: 1,
            human: 1,
            machine: 0,
            noise: 0,
            inc: (0, 0),
        }
    }

    #[test]
    fn groups_partition_jobs_by_region_and_day_or_finer() {
        let mut jobs = Vec::new();
        for region in [0, 3, 7] {
            for slot in (0..288 * 3).step_by(5) {
                jobs.push(job(region, slot));
            }
        }
        for (threads, region_days) in [(2, 30), (2, 1), (1, 1000)] {
            let groups = directory_groups(&jobs, threads, region_days);
            // Contiguous, complete, non-empty.
            assert_eq!(groups.first().unwrap().start, 0);
            assert_eq!(groups.last().unwrap().end, jobs.len());
            for w in groups.windows(2) {
                assert_eq!(w[0].end, w[1].start);
            }
            for g in &groups {
                assert!(!g.is_empty());
                let first = &jobs[g.start];
                assert!(jobs[g.clone()]
                    .iter()
                    .all(|j| j.region == first.region && j.slot / 288 == first.slot / 288));
            }
            if region_days >= 30 {
                assert_eq!(groups.len(), 9, "one group per region-day");
            } else {
                assert!(groups.len() >= 16, "short corpora are cut finer");
            }
        }
    }
}
