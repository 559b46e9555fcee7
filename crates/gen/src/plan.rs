//! Splitting a corpus into files: how many records of each kind of traffic
//! fall into each region's 5-minute delivery slot, decided up front and
//! single-threaded, so that every file can then be written independently.

use crate::record::{region_kind, Model, Scratch, Traffic};
use crate::rng::{derive, Rng};
use crate::world::REGIONS;

/// CloudTrail delivers a region's events about every five minutes.
pub(crate) const SLOT: i64 = 300;
/// Slots with more records are split into several files (as CloudTrail does).
pub(crate) const MAX_PER_FILE: u32 = 2000;

/// Share of records by traffic kind.
const HUMAN_SHARE: f64 = 0.30;
const MACHINE_SHARE: f64 = 0.67;
const NOISE_SHARE: f64 = 0.03;

/// Relative human activity by local hour.
const HOUR_W: [f64; 24] = [
    0.03, 0.02, 0.02, 0.02, 0.03, 0.05, 0.12, 0.35, 0.75, 1.0, 1.0, 1.0, 0.8, 0.95, 1.0, 1.0, 0.9,
    0.65, 0.35, 0.2, 0.14, 0.1, 0.07, 0.05,
];

/// One output file to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Job {
    pub region: usize,
    pub slot: u32,
    pub part: u32,
    pub parts: u32,
    pub human: u32,
    pub machine: u32,
    pub noise: u32,
    /// Range of `model.scripted` (pre-rendered records) in this file.
    pub inc: (usize, usize),
}

impl Job {
    /// Total records in the file.
    pub(crate) fn records(&self) -> u64 {
        (self.human + self.machine + self.noise) as u64 + (self.inc.1 - self.inc.0) as u64
    }

    /// Event-time interval `[t0, t1)` covered by this file.
    pub(crate) fn interval(&self, start: i64) -> (i64, i64) {
        let s = start + self.slot as i64 * SLOT;
        let p = self.parts as i64;
        (
            s + SLOT * self.part as i64 / p,
            s + SLOT * (self.part as i64 + 1) / p,
        )
    }
}

fn local_hour_and_weekend(t: i64, tz: i32) -> (usize, bool) {
    let local = t + tz as i64 * 3600;
    let hour = (local.rem_euclid(86_400) / 3600) as usize;
    let weekday = (local.div_euclid(86_400) + 4).rem_euclid(7); // 0 = Sunday
    (hour, weekday == 0 || weekday == 6)
}

fn human_weight(t: i64, tz: i32) -> f64 {
    let (h, weekend) = local_hour_and_weekend(t, tz);
    HOUR_W[h] * if weekend { 0.12 } else { 1.0 }
}

fn machine_weight(t: i64, tz: i32) -> f64 {
    let (h, weekend) = local_hour_and_weekend(t, tz);
    (0.75 + 0.25 * HOUR_W[h]) * if weekend { 0.85 } else { 1.0 }
}

/// Share of people in a home region's traffic at time `t` (company time
/// zone `tz`).
pub(crate) fn human_share(t: i64, tz: i32) -> f64 {
    let (h, m) = (
        HUMAN_SHARE * human_weight(t, tz),
        MACHINE_SHARE * machine_weight(t, tz),
    );
    h / (h + m)
}

/// A home region's activity at time `t` relative to its weekday peak
/// (about 0.5 at night, 1 in business hours).
pub(crate) fn activity(t: i64, tz: i32) -> f64 {
    (HUMAN_SHARE * human_weight(t, tz) + MACHINE_SHARE * machine_weight(t, tz))
        / (HUMAN_SHARE + MACHINE_SHARE)
}

/// Share of home traffic per home region (primary first).
fn home_shares(n: usize) -> &'static [f64] {
    match n {
        1 => &[1.0],
        2 => &[0.7, 0.3],
        _ => &[0.6, 0.25, 0.15],
    }
}

/// Systematic allocation of `total` records over `weights` (exact total,
/// deterministic, low variance).
fn allocate(total: f64, weights: &[f64], offset: f64, out: &mut [u32]) {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 || total <= 0.0 {
        out.iter_mut().for_each(|o| *o = 0);
        return;
    }
    let mut acc = offset;
    let mut prev = acc.floor();
    for (o, w) in out.iter_mut().zip(weights) {
        acc += total * w / sum;
        let f = acc.floor();
        *o = (f - prev) as u32;
        prev = f;
    }
}

/// Average size of a background record (plus its separating comma), measured
/// on a deterministic sample of the actual mix.
pub(crate) fn estimate_record_bytes(model: &Model, seed: u64, start: i64) -> f64 {
    let mut rng = Rng::new(derive(seed, &[0xCA1B]));
    let mut sc = Scratch::default();
    let mut buf = Vec::with_capacity(1 << 16);
    let home = &model.world.home;
    let noise_regions: Vec<usize> = (0..REGIONS.len()).filter(|r| !home.contains(r)).collect();
    let shares = home_shares(home.len());
    let samples = 3000;
    let mut total = 0usize;
    for i in 0..samples {
        let t = start + (i as i64 * 7919) % 86_400;
        let x = rng.unit();
        let (region, traffic) = if x < NOISE_SHARE {
            (*rng.pick(&noise_regions), Traffic::Noise)
        } else {
            let y = rng.unit();
            let mut acc = 0.0;
            let mut r = home[0];
            for (h, s) in home.iter().zip(shares) {
                acc += s;
                if y < acc {
                    r = *h;
                    break;
                }
            }
            let traffic = if x < NOISE_SHARE + HUMAN_SHARE {
                Traffic::Human
            } else {
                Traffic::Machine
            };
            (r, traffic)
        };
        if !model.can_sample(region, traffic) {
            continue;
        }
        buf.clear();
        model.write_background(&mut buf, &mut rng, &mut sc, region, traffic, t);
        total += buf.len() + 1;
    }
    (total as f64 / samples as f64).max(200.0)
}

/// Plans the files of a corpus of about `records` background records.
pub(crate) fn plan(model: &Model, seed: u64, start: i64, days: u32, records: f64) -> Vec<Job> {
    let w = &model.world;
    let slots = days as usize * (86_400 / SLOT) as usize;
    let mut rng = Rng::new(derive(seed, &[0x9147]));
    let human_w: Vec<f64> = (0..slots)
        .map(|s| human_weight(start + s as i64 * SLOT + SLOT / 2, w.tz))
        .collect();
    let machine_w: Vec<f64> = (0..slots)
        .map(|s| machine_weight(start + s as i64 * SLOT + SLOT / 2, w.tz))
        .collect();
    let flat = vec![1.0; slots];
    let n_noise_regions = REGIONS.len() - w.home.len();
    let shares = home_shares(w.home.len());
    let inc_events = &model.scripted[..];

    let mut jobs = Vec::new();
    let (mut h, mut m, mut n) = (vec![0u32; slots], vec![0u32; slots], vec![0u32; slots]);
    for region in 0..REGIONS.len() {
        let offsets = [rng.unit(), rng.unit(), rng.unit()];
        let kind = region_kind(w, region);
        h.iter_mut().for_each(|x| *x = 0);
        m.iter_mut().for_each(|x| *x = 0);
        n.iter_mut().for_each(|x| *x = 0);
        if kind < 2 {
            let share = w
                .home
                .iter()
                .position(|&r| r == region)
                .map_or(0.0, |i| shares[i]);
            if model.can_sample(region, Traffic::Human) {
                allocate(records * HUMAN_SHARE * share, &human_w, offsets[0], &mut h);
            }
            if model.can_sample(region, Traffic::Machine) {
                allocate(
                    records * MACHINE_SHARE * share,
                    &machine_w,
                    offsets[1],
                    &mut m,
                );
            }
        } else if model.can_sample(region, Traffic::Noise) {
            let per_region = records * NOISE_SHARE / n_noise_regions as f64;
            allocate(per_region, &flat, offsets[2], &mut n);
        }
        let first_inc = inc_events.partition_point(|e| e.region < region);
        let mut inc_pos = first_inc;
        for slot in 0..slots {
            let slot_end = start + (slot as i64 + 1) * SLOT;
            let inc_end = inc_pos
                + inc_events[inc_pos..]
                    .iter()
                    .take_while(|e| e.region == region && e.t < slot_end)
                    .count();
            let n_inc = (inc_end - inc_pos) as u32;
            let total = h[slot] + m[slot] + n[slot] + n_inc;
            if total > 0 {
                let parts = total.div_ceil(MAX_PER_FILE);
                let mut p_inc = inc_pos;
                for part in 0..parts {
                    let share = |x: u32| {
                        (x as u64 * (part as u64 + 1) / parts as u64
                            - x as u64 * part as u64 / parts as u64) as u32
                    };
                    let mut job = Job {
                        region,
                        slot: slot as u32,
                        part,
                        parts,
                        human: share(h[slot]),
                        machine: share(m[slot]),
                        noise: share(n[slot]),
                        inc: (p_inc, p_inc),
                    };
                    let (_, t1) = job.interval(start);
                    let end = p_inc
                        + inc_events[p_inc..inc_end]
                            .iter()
                            .take_while(|e| e.t < t1)
                            .count();
                    job.inc = (p_inc, end);
                    p_inc = end;
                    if job.records() > 0 {
                        jobs.push(job);
                    }
                }
            }
            inc_pos = inc_end;
        }
    }
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::Incident;
    use crate::world::World;

    #[test]
    fn allocation_is_exact_and_follows_weights() {
        let weights = [1.0, 0.0, 3.0, 0.5, 0.5];
        let mut out = [0u32; 5];
        allocate(1000.0, &weights, 0.37, &mut out);
        assert_eq!(out.iter().sum::<u32>(), 1000);
        assert_eq!(out[1], 0);
        assert!((599..=601).contains(&out[2]), "{out:?}");
        allocate(0.4, &weights, 0.1, &mut out);
        assert!(out.iter().sum::<u32>() <= 1);
    }

    #[test]
    fn business_hours_dominate_human_traffic() {
        // 2024-05-06 is a Monday; company in UTC.
        let monday = 1_714_953_600;
        assert!(human_weight(monday + 10 * 3600, 0) > 10.0 * human_weight(monday + 3 * 3600, 0));
        assert!(
            human_weight(monday + 10 * 3600, 0)
                > 5.0 * human_weight(monday - 86_400 + 10 * 3600, 0)
        );
        assert!(machine_weight(monday + 3 * 3600, 0) > 0.5);
    }

    #[test]
    fn plan_covers_records_and_places_every_incident_event_once() {
        let w = World::new(11, "123456789012");
        let start = 1_714_953_600;
        let inc = Incident::new(&w, start, 3, false);
        let n_inc = inc.events.len();
        let mut model = Model::new(w, Some(inc), false).unwrap();
        model.scripted = model.render_incident();
        model.scripted.sort_by_key(|e| (e.region, e.t));
        let jobs = plan(&model, 11, start, 3, 50_000.0);
        let bg: u64 = jobs
            .iter()
            .map(|j| (j.human + j.machine + j.noise) as u64)
            .sum();
        assert!((49_990..=50_010).contains(&bg), "{bg}");
        let placed: usize = jobs.iter().map(|j| j.inc.1 - j.inc.0).sum();
        assert_eq!(placed, n_inc);
        for j in &jobs {
            let (t0, t1) = j.interval(start);
            assert!(j.records() <= MAX_PER_FILE as u64 + 50);
            for e in &model.scripted[j.inc.0..j.inc.1] {
                assert_eq!(e.region, j.region);
                assert!(e.t >= t0 && e.t < t1);
            }
        }
        // Sparse regions exist but are sparse.
        let noise: u64 = jobs.iter().map(|j| j.noise as u64).sum();
        assert!(noise > 0 && noise < bg / 10);
    }
}
