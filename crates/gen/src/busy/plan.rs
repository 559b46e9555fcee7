//! Cutting a busy corpus into files: one per account, region and 5-minute
//! window, each with a planned uncompressed size. Sizes are drawn per file
//! from the region's level (home regions large, the primary largest, a few
//! quiet regions small), the account's activity, the time of day and a
//! lognormal jitter, then clamped to CloudTrail's 0.2–5 MB. Windows are
//! filled in time order until the size budget is spent, so a corpus covers
//! as many consecutive windows as its size buys.

use std::collections::HashMap;

use crate::plan::{activity, SLOT};
use crate::record::Scripted;
use crate::rng::{derive, Rng};
use crate::world::{World, REGIONS};

/// Smallest planned file (uncompressed bytes).
pub(crate) const MIN_FILE: u64 = 210_000;
/// Largest planned file; a written file exceeds its plan by at most one
/// record, so files stay under 5 MB.
pub(crate) const MAX_FILE: u64 = 4_800_000;

/// Median file size at the weekday peak of the home regions, primary first.
const HOME_LEVELS: [f64; 3] = [3_600_000.0, 2_400_000.0, 1_500_000.0];
/// Median file size of a quiet region (service noise only).
const QUIET_LEVEL: f64 = 300_000.0;
/// Standard deviation of the lognormal jitter of a file's size.
const JITTER: f64 = 0.35;

/// A region an account writes to and its median file size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RegionPlan {
    /// Index in [`REGIONS`].
    pub region: usize,
    /// Median file size at the peak, in bytes.
    pub median: f64,
    /// True for a home region (its size follows the company's day).
    pub home: bool,
}

/// An account of the trail: where and how much it logs.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Profile {
    /// Company time zone (hours from UTC).
    pub tz: i32,
    /// Activity relative to the primary account (1.0 for it).
    pub factor: f64,
    /// Home regions (primary first), then one quiet region, or two when
    /// there are three home regions.
    pub regions: Vec<RegionPlan>,
}

/// A file to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileJob {
    /// Index of the account.
    pub account: u32,
    /// Index in [`REGIONS`].
    pub region: usize,
    /// 5-minute window since the corpus start.
    pub window: u32,
    /// Planned uncompressed size.
    pub bytes: u64,
    /// Range of the primary model's scripted records in this file.
    pub inc: (usize, usize),
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut Rng) -> f64 {
    let u1 = rng.unit().max(1e-12);
    let u2 = rng.unit();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The profile of account `index` (0 = the primary) whose company is `world`.
pub(crate) fn profile(seed: u64, index: u32, world: &World) -> Profile {
    let mut rng = Rng::new(derive(seed, &[0xB9F1, index as u64]));
    let factor = if index == 0 {
        1.0
    } else {
        (-0.2 + 0.5 * normal(&mut rng)).exp().clamp(0.2, 1.5)
    };
    let mut regions: Vec<RegionPlan> = world
        .home
        .iter()
        .zip(HOME_LEVELS)
        .map(|(&region, median)| RegionPlan {
            region,
            median,
            home: true,
        })
        .collect();
    let mut quiet: Vec<usize> = (0..REGIONS.len())
        .filter(|r| !world.home.contains(r))
        .collect();
    let n_quiet = (1 + rng.below(world.home.len().max(2) as u64 - 1) as usize).min(quiet.len());
    for i in 0..n_quiet {
        let j = i + rng.below((quiet.len() - i) as u64) as usize;
        quiet.swap(i, j);
        regions.push(quiet_region(quiet[i]));
    }
    Profile {
        tz: world.tz,
        factor,
        regions,
    }
}

fn quiet_region(region: usize) -> RegionPlan {
    RegionPlan {
        region,
        median: QUIET_LEVEL,
        home: false,
    }
}

/// Planned size of `account`'s file of region `rp` in `window`.
fn file_size(
    seed: u64,
    start: i64,
    account: u32,
    p: &Profile,
    rp: &RegionPlan,
    window: u32,
) -> u64 {
    let mut rng = Rng::new(derive(
        seed,
        &[0xB512, account as u64, rp.region as u64, window as u64],
    ));
    let t = start + window as i64 * SLOT + SLOT / 2;
    let day = if rp.home { activity(t, p.tz) } else { 1.0 };
    let v = rp.median * p.factor * day * (JITTER * normal(&mut rng)).exp();
    (v as u64).clamp(MIN_FILE, MAX_FILE)
}

/// The files of consecutive windows from the start, every account's
/// regions in each, until the next file would exceed `budget` bytes or
/// `max_windows` are filled.
pub(crate) fn fill(
    seed: u64,
    start: i64,
    profiles: &[Profile],
    max_windows: u32,
    budget: u64,
) -> Vec<FileJob> {
    let mut jobs = Vec::new();
    let mut used = 0u64;
    for window in 0..max_windows {
        for (a, p) in profiles.iter().enumerate() {
            for rp in &p.regions {
                let bytes = file_size(seed, start, a as u32, p, rp, window);
                if used + bytes > budget {
                    return jobs;
                }
                used += bytes;
                jobs.push(FileJob {
                    account: a as u32,
                    region: rp.region,
                    window,
                    bytes,
                    inc: (0, 0),
                });
            }
        }
    }
    jobs
}

/// Plans the corpus: `scripted` (the primary account's records, sorted by
/// region and time) go into the files of their region and window, which
/// exist whatever the budget: a quiet region's size is reserved for each
/// first, the rest of `budget` fills consecutive windows, and a scripted
/// window the fill did not reach gets a file of that reserved size (so the
/// total stays within `budget` when the reserve fits). Sorted by account,
/// region, window.
pub(crate) fn plan(
    seed: u64,
    start: i64,
    profiles: &[Profile],
    max_windows: u32,
    budget: u64,
    scripted: &[Scripted],
) -> Vec<FileJob> {
    let window_of = |t: i64| ((t - start).max(0) / SLOT) as u32;
    let Some(primary) = profiles.first() else {
        return Vec::new();
    };
    let mut groups: Vec<FileJob> = Vec::new();
    let mut i = 0;
    while i < scripted.len() {
        let (region, window) = (scripted[i].region, window_of(scripted[i].t));
        let n = scripted[i..]
            .iter()
            .take_while(|e| e.region == region && window_of(e.t) == window)
            .count();
        groups.push(FileJob {
            account: 0,
            region,
            window,
            bytes: file_size(seed, start, 0, primary, &quiet_region(region), window),
            inc: (i, i + n),
        });
        i += n;
    }
    let reserve: u64 = groups.iter().map(|g| g.bytes).sum();
    let mut jobs = fill(
        seed,
        start,
        profiles,
        max_windows,
        budget.saturating_sub(reserve),
    );
    let at: HashMap<(usize, u32), usize> = jobs
        .iter()
        .enumerate()
        .filter(|(_, j)| j.account == 0)
        .map(|(k, j)| ((j.region, j.window), k))
        .collect();
    for g in groups {
        match at.get(&(g.region, g.window)) {
            Some(&k) => jobs[k].inc = g.inc,
            None => jobs.push(g),
        }
    }
    jobs.sort_by_key(|j| (j.account, j.region, j.window));
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles(n: u32) -> Vec<Profile> {
        (0..n)
            .map(|k| profile(5, k, &World::new(5 + k as u64, "123456789012")))
            .collect()
    }

    #[test]
    fn sizes_are_bounded_skewed_and_largest_at_home() {
        let ps = profiles(1);
        let jobs = fill(5, 1_714_953_600, &ps, 2000, u64::MAX);
        assert_eq!(jobs.len(), 2000 * ps[0].regions.len());
        assert!(jobs
            .iter()
            .all(|j| (MIN_FILE..=MAX_FILE).contains(&j.bytes)));
        let mean = |r: usize| {
            let s: Vec<u64> = jobs
                .iter()
                .filter(|j| j.region == r)
                .map(|j| j.bytes)
                .collect();
            s.iter().sum::<u64>() as f64 / s.len() as f64
        };
        let primary = mean(ps[0].regions[0].region);
        for rp in &ps[0].regions[1..] {
            assert!(mean(rp.region) < primary, "{rp:?}");
        }
        let mid = jobs
            .iter()
            .filter(|j| (500_000..=3_000_000).contains(&j.bytes))
            .count();
        assert!(
            mid * 2 > jobs.len(),
            "most files 0.5–3 MB: {mid} of {}",
            jobs.len()
        );
    }

    #[test]
    fn budget_bounds_the_plan_and_scripted_files_exist() {
        let ps = profiles(3);
        let start = 1_714_953_600;
        let jobs = fill(5, start, &ps, 10_000, 50_000_000);
        let total: u64 = jobs.iter().map(|j| j.bytes).sum();
        assert!(total <= 50_000_000 && total > 45_000_000, "{total}");
        assert!(jobs.iter().any(|j| j.account == 2));
        // A scripted record far beyond the budget's windows, in a region the
        // account does not use, still gets its file.
        let far = start + 3 * 86_400 + 17;
        let region = (0..REGIONS.len())
            .find(|r| ps[0].regions.iter().all(|rp| rp.region != *r))
            .unwrap();
        let scripted = [Scripted::new(far, region, "RunInstances", b"{}".to_vec())];
        let planned = plan(5, start, &ps, 10_000, 50_000_000, &scripted);
        let hit: Vec<&FileJob> = planned.iter().filter(|j| j.inc != (0, 0)).collect();
        assert_eq!(hit.len(), 1);
        assert_eq!(
            (hit[0].region, hit[0].window),
            (region, (3 * 86_400 / 300) as u32)
        );
        let total: u64 = planned.iter().map(|j| j.bytes).sum();
        assert!(total <= 50_000_000, "{total}");
        assert!(planned
            .windows(2)
            .all(|w| (w[0].account, w[0].region, w[0].window)
                < (w[1].account, w[1].region, w[1].window)));
    }
}
