//! The busy shape ([`Shape::Busy`]): corpora shaped like busy accounts'
//! trails rather than the standard shape's many small files.
//!
//! CloudTrail delivers one file per account and region about every five
//! minutes; a busy account's files hold 0.2–5 MB of JSON, with long
//! `responseElements` (DescribeInstances over many reservations,
//! DescribeSecurityGroups, ListObjects pages, DescribeVolumes) among many
//! small records (S3 data events, KMS calls by services, role sessions).
//! Here every file is one account's region over one 5-minute window, with a
//! planned size ([`plan`]) that the writer fills ([`write`]); the corpus
//! covers as many consecutive windows as `--size` buys (at most `--days`),
//! over `--accounts` accounts. The scenario is staged in the first account
//! over the days the corpus covers, and its records land in the file of
//! their region and window.

pub(crate) mod heavy;
mod plan;
mod write;

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::output::{self, trail_root};
use crate::plan::SLOT;
use crate::record::{region_kind, Model, Scratch, Traffic};
use crate::rng::{derive, Rng};
use crate::world::{World, REGIONS};
use crate::{Config, GenError, Summary};
use plan::{fill, profile, Profile};
use write::{Account, BusyWorker};

/// Most accounts a busy corpus may have (each account's model takes about
/// 0.2 MB for the whole run).
pub(crate) const MAX_ACCOUNTS: u32 = 1000;

/// How a corpus is cut into files and what its records look like.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Shape {
    /// One account; about 30 KB of JSON per file (a region's 5-minute
    /// window split every 2 000 records) over every window of `days`;
    /// responses as short as most of CloudTrail's.
    #[default]
    Standard,
    /// Busy accounts: one file per account, region and 5-minute window of
    /// 0.2–5 MB (most 0.5–3 MB, the primary home region largest, a few quiet
    /// regions small), records of about 1.3 KB on average with large
    /// responses up to about 100 KB, S3 data events on, over as many
    /// consecutive windows as the size buys.
    Busy,
}

impl Shape {
    /// Every shape.
    pub const ALL: &'static [Shape] = &[Shape::Standard, Shape::Busy];

    /// The name on the command line and in `truth.json`.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Standard => "standard",
            Shape::Busy => "busy",
        }
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Shape {
    type Err = GenError;

    fn from_str(s: &str) -> Result<Shape, GenError> {
        Shape::ALL
            .iter()
            .copied()
            .find(|x| x.name() == s)
            .ok_or_else(|| {
                GenError::Config(format!("unknown shape {s:?}; expected standard or busy"))
            })
    }
}

/// The accounts' ids: `cfg.account_id`, then ids drawn from the seed
/// (12 digits, all distinct).
fn account_ids(cfg: &Config) -> Vec<String> {
    let mut seen = BTreeSet::from([cfg.account_id.clone()]);
    let mut ids = vec![cfg.account_id.clone()];
    for k in 1..cfg.accounts as u64 {
        let mut v = derive(cfg.seed, &[0xACC7, k]);
        loop {
            let id = format!("{:012}", v % 1_000_000_000_000);
            if seen.insert(id.clone()) {
                ids.push(id);
                break;
            }
            v = crate::rng::mix64(v);
        }
    }
    ids
}

/// Average size of a background record (with its comma) by region kind
/// (us-east-1, other home region, quiet region), measured on a sample of
/// the busy mix; the writer fills files by size, so this only sets how
/// many times it draws at first.
fn estimate(model: &Model, seed: u64, start: i64) -> [f64; 3] {
    const SAMPLES: usize = 1500;
    let mut rng = Rng::new(derive(seed, &[0xA7E]));
    let mut sc = Scratch::default();
    let mut buf = Vec::with_capacity(1 << 20);
    let mut avg = [1300.0; 3];
    for (kind, slot) in avg.iter_mut().enumerate() {
        let Some(region) = (0..REGIONS.len()).find(|&r| region_kind(&model.world, r) == kind)
        else {
            continue;
        };
        let (mut total, mut n) = (0usize, 0usize);
        for i in 0..SAMPLES {
            let traffic = match (kind, i % 3) {
                (2, _) => Traffic::Noise,
                (_, 0) => Traffic::Human,
                _ => Traffic::Machine,
            };
            if !model.can_sample(region, traffic) {
                continue;
            }
            buf.clear();
            let t = start + (i as i64 * 7919) % 86_400;
            model.write_background(&mut buf, &mut rng, &mut sc, region, traffic, t);
            total += buf.len() + 1;
            n += 1;
        }
        if n > 0 {
            *slot = (total as f64 / n as f64).max(200.0);
        }
    }
    avg
}

/// Generates a busy-shape corpus (`cfg` validated, `cfg.shape` busy).
pub(crate) fn generate(cfg: &Config) -> Result<Summary, GenError> {
    let start = cfg.start.unix_seconds();
    let max_windows = cfg.days * (86_400 / SLOT) as u32;
    let ids = account_ids(cfg);
    let others: Vec<World> = ids
        .iter()
        .enumerate()
        .skip(1)
        .map(|(k, id)| World::new(derive(cfg.seed, &[0xACC0, k as u64]), id))
        .collect();
    let primary = World::new(cfg.seed, &cfg.account_id);
    let profiles: Vec<Profile> = std::iter::once(&primary)
        .chain(&others)
        .enumerate()
        .map(|(k, w)| profile(cfg.seed, k as u32, w))
        .collect();

    // The scenario happens within the days the size buys.
    let covered = fill(cfg.seed, start, &profiles, max_windows, cfg.target_bytes)
        .last()
        .map_or(1, |j| j.window as i64 + 1);
    let days = ((covered * SLOT + 86_399) / 86_400).clamp(1, cfg.days as i64) as u32;
    let staged = crate::stage(cfg, days, true)?;
    let other_models = others
        .into_iter()
        .map(|w| Model::new_busy(w, None))
        .collect::<Result<Vec<Model>, GenError>>()?;
    let jobs = plan::plan(
        cfg.seed,
        start,
        &profiles,
        max_windows,
        cfg.target_bytes,
        &staged.model.scripted,
    );
    let accounts: Vec<Account> = std::iter::once(&staged.model)
        .chain(&other_models)
        .zip(&ids)
        .map(|(model, id)| Account {
            id,
            model,
            root: trail_root(cfg, id),
        })
        .collect();
    let avg = estimate(&staged.model, cfg.seed, start);
    let threads = output::thread_count(cfg, jobs.len());
    let region_days: usize =
        profiles.iter().map(|p| p.regions.len()).sum::<usize>() * days as usize;
    let groups = output::groups_by(&jobs, threads, region_days as u64, |j| {
        (j.account, j.region, j.window)
    });
    let stats = output::run_workers(threads, &jobs, &groups, staged.model.apis.len(), || {
        BusyWorker::new(&accounts, cfg.seed, start, avg, cfg.compression_level)
    })?;
    drop(accounts);
    let covered_cfg = Config {
        days,
        ..cfg.clone()
    };
    let mut summary = crate::finish(&covered_cfg, staged, stats)?;
    summary.accounts = ids;
    Ok(summary)
}

#[cfg(test)]
mod tests;
