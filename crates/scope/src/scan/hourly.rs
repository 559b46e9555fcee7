//! A profile's events per hour, region and client family, counted in pass 1: the subject's
//! baseline before the first attacker event is summed from these, so that pass 2 reads only the
//! files that reach the hour of the first attacker event.

use std::collections::BTreeMap;

use super::FastMap;

const HOUR_MS: i64 = 3_600_000;

/// One counter: an hour (ms / 3 600 000) and indexes into the profile's region and family names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Slot {
    hour: i64,
    region: u32,
    family: u32,
}

/// Events per (hour, region, client family) of one profile.
#[derive(Debug, Default)]
pub struct Hourly {
    regions: Vec<Box<str>>,
    families: Vec<Box<str>>,
    counts: FastMap<Slot, u64>,
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
        let slot = Slot {
            hour: ms.div_euclid(HOUR_MS),
            region: index_of(&mut self.regions, region),
            family: index_of(&mut self.families, family),
        };
        *self.counts.entry(slot).or_default() += 1;
    }

    /// Adds another worker's counts of the same profile.
    pub(crate) fn merge(&mut self, o: Hourly) {
        for (slot, n) in o.counts {
            let mine = Slot {
                hour: slot.hour,
                region: index_of(&mut self.regions, &o.regions[slot.region as usize]),
                family: index_of(&mut self.families, &o.families[slot.family as usize]),
            };
            *self.counts.entry(mine).or_default() += n;
        }
    }

    /// The events of the hours before the one holding `ms`.
    pub fn before_hour_of(&self, ms: i64) -> BaselineCounts {
        let end = ms.div_euclid(HOUR_MS);
        let mut out = BaselineCounts::default();
        for (slot, n) in self.counts.iter().filter(|(s, _)| s.hour < end) {
            let region = &self.regions[slot.region as usize];
            let family = &self.families[slot.family as usize];
            out.add_n(slot.hour, region, family, *n);
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
    fn an_hour_starts_at_its_first_millisecond_before_1970_too() {
        assert_eq!(hour_start(T0), 10 * HOUR_MS);
        assert_eq!(hour_start(-1), -HOUR_MS);
    }
}
