//! Writing a busy corpus's files: each file is filled with records of its
//! account and region, in time order over its 5-minute window, until it
//! reaches its planned size; the scenario's records of the window are always
//! written. One buffer per worker, one file at a time.

use std::path::PathBuf;

use super::plan::FileJob;
use crate::output::{
    self, FileWriter, Publisher, Stats, TAG_HUMAN, TAG_INC, TAG_MACHINE, TAG_NOISE,
};
use crate::plan::{human_share, SLOT};
use crate::record::{region_kind, Model, Scratch, Traffic};
use crate::rng::{derive, Rng};
use crate::GenError;

/// A file is full when fewer bytes than this are left of its plan.
const SLACK: usize = 1024;
/// Most rounds of extra records drawn when the first draw fell short.
const MAX_ROUNDS: usize = 16;

/// An account of the trail as the writer needs it.
pub(crate) struct Account<'a> {
    /// 12-digit account id.
    pub id: &'a str,
    /// Its model (the primary's holds the scenario's records).
    pub model: &'a Model,
    /// `…/AWSLogs/[<org>/]<id>/CloudTrail`.
    pub root: PathBuf,
}

/// One worker's state.
pub(crate) struct BusyWorker<'a> {
    /// The accounts, by index.
    pub accounts: &'a [Account<'a>],
    /// The corpus's seed.
    pub seed: u64,
    /// Unix seconds of the first window.
    pub start: i64,
    /// Average record size by region kind (see [`region_kind`]).
    pub avg: [f64; 3],
    buf: Vec<u8>,
    items: Vec<(i64, u32)>,
    scratch: Scratch,
    publisher: Publisher,
    stats: Stats,
}

impl<'a> BusyWorker<'a> {
    /// A worker over `accounts`.
    pub(crate) fn new(
        accounts: &'a [Account<'a>],
        seed: u64,
        start: i64,
        avg: [f64; 3],
        level: u32,
    ) -> Self {
        let apis = accounts.first().map_or(0, |a| a.model.apis.len());
        BusyWorker {
            accounts,
            seed,
            start,
            avg,
            buf: Vec::with_capacity(6 << 20),
            items: Vec::new(),
            scratch: Scratch::default(),
            publisher: Publisher::new(level),
            stats: Stats::new(apis),
        }
    }

    /// The background tag of a record at `t` in a file of `region`, or
    /// `None` when the account has no traffic there.
    fn tag(model: &Model, region: usize, t: i64, rng: &mut Rng) -> Option<u32> {
        if region_kind(&model.world, region) == 2 {
            return model
                .can_sample(region, Traffic::Noise)
                .then_some(TAG_NOISE);
        }
        let human = rng.unit() < human_share(t, model.world.tz);
        let (first, second) = if human {
            ((Traffic::Human, TAG_HUMAN), (Traffic::Machine, TAG_MACHINE))
        } else {
            ((Traffic::Machine, TAG_MACHINE), (Traffic::Human, TAG_HUMAN))
        };
        [first, second]
            .into_iter()
            .find(|(traffic, _)| model.can_sample(region, *traffic))
            .map(|(_, tag)| tag)
    }

    /// Appends `n` background items with times in `[t0, t1)`, sorted, a
    /// few neighbours swapped (CloudTrail's files are mostly ordered).
    fn draw(
        &mut self,
        model: &Model,
        region: usize,
        (t0, t1): (i64, i64),
        n: usize,
        rng: &mut Rng,
    ) {
        let first = self.items.len();
        let span = (t1 - t0).max(1) as u64;
        for _ in 0..n {
            let t = t0 + rng.below(span) as i64;
            match Self::tag(model, region, t, rng) {
                Some(tag) => self.items.push((t, tag)),
                None => break,
            }
        }
        self.items[first..].sort_unstable();
    }

    /// Writes the file's records after `{"Records":[`: its items in order,
    /// background ones only while they fit in the planned size (one that
    /// overflows is taken back and the next tried), scripted ones always;
    /// then more background items after the last one written while the
    /// file is more than [`SLACK`] short. Returns the number of records.
    fn fill(
        &mut self,
        model: &Model,
        job: &FileJob,
        (t0, t1): (i64, i64),
        avg: f64,
        rng: &mut Rng,
    ) -> u64 {
        let limit = job.bytes.saturating_sub(2) as usize; // room for `]}`
        let (mut records, mut last, mut k) = (0u64, t0, 0);
        for _ in 0..MAX_ROUNDS {
            while k < self.items.len() {
                let (t, tag) = self.items[k];
                k += 1;
                let background = tag & 3 != TAG_INC;
                if background && self.buf.len() + SLACK > limit {
                    continue;
                }
                let mark = self.buf.len();
                if records > 0 {
                    self.buf.push(b',');
                }
                let buf = &mut self.buf;
                let api =
                    output::write_item(model, buf, rng, &mut self.scratch, job.region, t, tag);
                if background && self.buf.len() > limit {
                    self.buf.truncate(mark);
                    continue;
                }
                if let Some(api) = api {
                    self.stats.per_api[api] += 1;
                }
                self.stats.saw(t);
                records += 1;
                last = last.max(t);
            }
            let missing = limit.saturating_sub(self.buf.len());
            if missing <= SLACK || k == 0 {
                break;
            }
            let n = (missing as f64 / avg).ceil() as usize + 1;
            self.draw(model, job.region, (last, t1), n, rng);
        }
        records
    }

    fn write_job(&mut self, job: &FileJob) -> Result<(), GenError> {
        let Some(account) = self.accounts.get(job.account as usize) else {
            return Ok(());
        };
        let model = account.model;
        let mut rng = Rng::new(derive(
            self.seed,
            &[
                0xB0F,
                job.account as u64,
                job.region as u64,
                job.window as u64,
            ],
        ));
        let t0 = self.start + job.window as i64 * SLOT;
        let t1 = t0 + SLOT;
        let avg = self.avg[region_kind(&model.world, job.region)];
        let expected = (job.bytes as f64 / avg).ceil() as usize;

        self.items.clear();
        self.draw(model, job.region, (t0, t1), expected, &mut rng);
        for (i, e) in model.scripted[job.inc.0..job.inc.1].iter().enumerate() {
            self.items
                .push((e.t, TAG_INC | (((job.inc.0 + i) as u32) << 2)));
        }
        self.items.sort_unstable();
        for i in 1..self.items.len() {
            if rng.chance(200) {
                self.items.swap(i - 1, i);
            }
        }

        self.buf.clear();
        self.buf.extend_from_slice(b"{\"Records\":[");
        let records = self.fill(model, job, (t0, t1), avg, &mut rng);
        self.buf.extend_from_slice(b"]}");
        if records == 0 {
            return Ok(());
        }
        let compressed = self.publisher.publish(
            &account.root,
            account.id,
            job.region,
            t1,
            &mut rng,
            &self.buf,
        )?;
        self.stats.files += 1;
        self.stats.records += records;
        self.stats.uncompressed += self.buf.len() as u64;
        self.stats.compressed += compressed;
        Ok(())
    }
}

impl FileWriter for BusyWorker<'_> {
    type Job = FileJob;
    fn write(&mut self, job: &FileJob) -> Result<(), GenError> {
        self.write_job(job)
    }
    fn into_stats(self) -> Stats {
        self.stats
    }
}
