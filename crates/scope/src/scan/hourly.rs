//! A profile's events per hour, region and client family, counted in pass 1: the subject's
//! baseline before the first attacker event is summed from these, so that pass 2 reads only the
//! files that reach the hour of the first attacker event.
//!
//! The counts are kept per day, region and family, with the day's 24 hours side by side: a busy
//! identity calls every hour from a few regions and clients, and a count per hour cost it about
//! 36 bytes an hour in a hash table (3.3 MB for a month of the busy corpus, growing with the
//! days), where a day's hours cost about five.

use std::collections::BTreeMap;

use super::FastMap;

const HOUR_MS: i64 = 3_600_000;

const DAY_HOURS: i64 = 24;

/// One day's counters: the day (hours since the epoch / 24) and indexes into the profile's
/// region and family names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Slot {
    day: i64,
    region: u32,
    family: u32,
}

/// A slot's events in each hour of its day (UTC). A count stops at `u32::MAX` (no identity
/// makes four billion calls in an hour: CloudTrail's own rate limits are far below).
type DayCounts = [u32; DAY_HOURS as usize];

/// Events per (hour, region, client family) of one profile.
#[derive(Debug, Default)]
pub struct Hourly {
    regions: Vec<Box<str>>,
    families: Vec<Box<str>>,
    counts: FastMap<Slot, DayCounts>,
}

/// The subject's baseline: its events before the first attacker event.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BaselineCounts {
    /// Events.
    pub events: u64,
    /// Events per hour of the day (UTC).
    pub hours: [u64; 24],
    /// Events per region (`""` when the event names none).
    pub regions: BTreeMap<String, u64>,
    /// Events per user-agent family.
    pub families: BTreeMap<String, u64>,
}

impl BaselineCounts {
    /// Counts one event at `ms`.
    pub(crate) fn add(&mut self, ms: i64, region: &str, family: &str) {
        self.add_n(ms.div_euclid(HOUR_MS), region, family, 1);
    }

    fn add_n(&mut self, hour: i64, region: &str, family: &str, n: u64) {
        self.events += n;
        self.hours[hour.rem_euclid(24) as usize] += n;
        *self.regions.entry(region.to_owned()).or_default() += n;
        *self.families.entry(family.to_owned()).or_default() += n;
    }

    /// Adds another count.
    pub(crate) fn merge(&mut self, o: &BaselineCounts) {
        self.events += o.events;
        for (mine, theirs) in self.hours.iter_mut().zip(o.hours) {
            *mine += theirs;
        }
        for (k, n) in &o.regions {
            *self.regions.entry(k.clone()).or_default() += n;
        }
        for (k, n) in &o.families {
            *self.families.entry(k.clone()).or_default() += n;
        }
    }
}

/// The index of `name` in `names`, added when new (a profile uses few regions and families).
fn index_of(names: &mut Vec<Box<str>>, name: &str) -> u32 {
    match names.iter().position(|n| &**n == name) {
        Some(i) => i as u32,
        None => {
            names.push(name.into());
            (names.len() - 1) as u32
        }
    }
}

impl Hourly {
    /// Counts one event at `ms`.
    pub(crate) fn add(&mut self, ms: i64, region: &str, family: &str) {
        let hour = ms.div_euclid(HOUR_MS);
        let slot = Slot {
            day: hour.div_euclid(DAY_HOURS),
            region: index_of(&mut self.regions, region),
            family: index_of(&mut self.families, family),
        };
        let count = &mut self.counts.entry(slot).or_default()[hour.rem_euclid(DAY_HOURS) as usize];
        *count = count.saturating_add(1);
    }

    /// Adds another worker's counts of the same profile.
    pub(crate) fn merge(&mut self, o: Hourly) {
        for (slot, theirs) in o.counts {
            let mine = Slot {
                day: slot.day,
                region: index_of(&mut self.regions, &o.regions[slot.region as usize]),
                family: index_of(&mut self.families, &o.families[slot.family as usize]),
            };
            let counts = self.counts.entry(mine).or_default();
            for (c, n) in counts.iter_mut().zip(theirs) {
                *c = c.saturating_add(n);
            }
        }
    }

    /// The events of the hours before the one holding `ms`.
    pub fn before_hour_of(&self, ms: i64) -> BaselineCounts {
        let end = ms.div_euclid(HOUR_MS);
        let mut out = BaselineCounts::default();
        for (slot, counts) in &self.counts {
            let region = &self.regions[slot.region as usize];
            let family = &self.families[slot.family as usize];
            let first = slot.day * DAY_HOURS;
            for (hour, n) in (first..end.min(first + DAY_HOURS)).zip(counts) {
                if *n > 0 {
                    out.add_n(hour, region, family, u64::from(*n));
                }
            }
        }
        out
    }
}

/// The first millisecond of the hour holding `ms`.
pub fn hour_start(ms: i64) -> i64 {
    ms.div_euclid(HOUR_MS) * HOUR_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 10 * HOUR_MS + 30 * 60_000;

    #[test]
    fn hours_before_the_first_attacker_hour_are_summed_the_rest_is_left_to_pass_2() {
        let mut a = Hourly::default();
        a.add(HOUR_MS + 5, "eu-west-1", "aws-cli");
        a.add(hour_start(T0) - 1, "us-east-1", "console");
        a.add(hour_start(T0) + 1, "eu-west-1", "aws-cli");
        let mut b = Hourly::default();
        b.add(2 * HOUR_MS, "us-east-1", "console");
        b.add(T0 + 1, "us-east-1", "console");
        a.merge(b);
        let got = a.before_hour_of(T0);
        let mut want = BaselineCounts::default();
        want.add(HOUR_MS + 5, "eu-west-1", "aws-cli");
        want.add(hour_start(T0) - 1, "us-east-1", "console");
        want.add(2 * HOUR_MS, "us-east-1", "console");
        assert_eq!(got, want);
        assert_eq!(got.events, 3);
        assert_eq!(got.hours[1] + got.hours[2] + got.hours[9], 3);
    }

    #[test]
    fn days_before_the_first_attacker_hour_count_whole_and_its_own_day_up_to_its_hour() {
        const DAY_MS: i64 = 24 * HOUR_MS;
        let mut a = Hourly::default();
        // Four days around 1970, two events in one hour.
        let times = [
            -DAY_MS - 1,
            -1,
            0,
            5 * HOUR_MS,
            5 * HOUR_MS + 1,
            DAY_MS + 23 * HOUR_MS,
        ];
        for ms in times {
            a.add(ms, "us-east-1", "console");
        }
        let mut want = BaselineCounts::default();
        for ms in times.iter().filter(|ms| **ms < 5 * HOUR_MS) {
            want.add(*ms, "us-east-1", "console");
        }
        let got = a.before_hour_of(5 * HOUR_MS + 30 * 60_000);
        assert_eq!(got, want);
        assert_eq!((got.events, got.hours[23], got.hours[0]), (3, 2, 1));
        assert_eq!(a.before_hour_of(2 * DAY_MS).events, times.len() as u64);
        assert_eq!(a.counts.len(), 4, "one slot per day: {:?}", a.counts.keys());
    }

    #[test]
    fn an_hour_starts_at_its_first_millisecond_before_1970_too() {
        assert_eq!(hour_start(T0), 10 * HOUR_MS);
        assert_eq!(hour_start(-1), -HOUR_MS);
    }
}
