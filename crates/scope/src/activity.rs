//! Activity over time for the charts of the technical report: events per hour by region and by
//! identity, split into the attacker's and everyone else's once the attacker is known.
//!
//! Pass 1 counts every event per (hour, region, identity) and pass 2, in the attacker window, per
//! (hour, region, identity, access key, source), within a memory budget; the build step moves the
//! attacker's counts out of the totals. Keys are tab-joined strings in reused buffers, so
//! counting allocates only for new combinations.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cloudcase_event::Event;
use cloudcase_model::scope::{Activity as ActivitySection, IdentitySeries, RegionSeries};

use crate::scan::{FastMap, HeldCounts};
use std::path::PathBuf;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// Identities shown by name in the identity chart; the rest are folded into "others".
const TOP_IDENTITIES: usize = 8;

/// Hourly event counts.
#[derive(Debug, Default)]
pub struct Activity {
    /// "hour\tregion\tidentity" → events, over the whole input; the hour is the first of its
    /// day once the events counted span more than three days (see [`Activity::add`]).
    all: FastMap<Box<str>, u64>,
    /// Whether `all` counts by day: its events span more than three days, so the charts will.
    all_by_day: bool,
    /// First and last time of the events counted in `all`.
    all_span: Option<(i64, i64)>,
    /// "hour\tregion\tidentity\tkey\tsource" → events, in the attacker window; the hour is
    /// the first of its chart bucket when the window counts by day (see
    /// [`Activity::for_window`]). Held within a budget: one count per session key, source and
    /// bucket grows with the window's length.
    window: HeldCounts,
    /// The window's bucket, ms (an hour unless set).
    window_bucket_ms: Option<i64>,
    buf: String,
}

/// The charts' bucket for logs spanning `span` (ms): hours for up to three days, else days.
fn bucket_ms(span: (i64, i64)) -> i64 {
    if span.1 - span.0 <= 3 * DAY_MS {
        HOUR_MS
    } else {
        DAY_MS
    }
}

/// Appends a short, stable label for the caller: the role for assumed roles (not the
/// session), the user, the invoking service, else the ARN or kind. Tabs become spaces, so the
/// tab-joined keys split back exactly.
fn push_identity_label(out: &mut String, ev: &Event) {
    let id = &ev.identity;
    let (prefix, name) = match id.kind.as_deref() {
        Some("AssumedRole") => match id.session_issuer_name.as_deref() {
            Some(r) => ("role/", r),
            None => ("", id.display_name().unwrap_or("assumed role")),
        },
        Some("IAMUser") => ("user/", id.user_name.as_deref().unwrap_or("?")),
        Some("Root") => ("", "root"),
        Some("AWSService") => ("", id.invoked_by.as_deref().unwrap_or("AWS service")),
        other => ("", id.display_name().or(other).unwrap_or("unknown")),
    };
    out.push_str(prefix);
    push_clean(out, name);
}

/// Appends `s` with tabs turned into spaces.
fn push_clean(out: &mut String, s: &str) {
    if s.contains('\t') {
        out.extend(s.chars().map(|c| if c == '\t' { ' ' } else { c }));
    } else {
        out.push_str(s);
    }
}

/// The first hour (hours since the epoch) of the bucket of `bucket_ms` (a whole number of
/// hours) that holds `hour`: the hour a count is kept under.
fn bucket_start_hour(hour: i64, bucket_ms: i64) -> i64 {
    (hour * HOUR_MS).div_euclid(bucket_ms) * (bucket_ms / HOUR_MS)
}

/// `key` ("hour\tregion\tidentity") with its hour made the first of its day; a key already
/// by day comes back unchanged.
fn first_hour_of_day(key: &str) -> String {
    match key
        .split_once('\t')
        .map(|(h, rest)| (h.parse::<i64>(), rest))
    {
        Some((Ok(h), rest)) => format!("{}\t{rest}", bucket_start_hour(h, DAY_MS)),
        _ => key.to_owned(),
    }
}

fn bump(map: &mut FastMap<Box<str>, u64>, key: &str, n: u64) {
    match map.get_mut(key) {
        Some(c) => *c += n,
        None => {
            map.insert(key.into(), n);
        }
    }
}

impl Activity {
    /// Writes "hour\tregion\tidentity" of `ev` into the reused buffer, the hour being the
    /// first of `ev`'s bucket of `bucket_ms`.
    fn label(&mut self, ev: &Event, bucket_ms: i64) {
        let hour = bucket_start_hour(ev.time.millis().div_euclid(HOUR_MS), bucket_ms);
        let region = ev.region.as_deref().unwrap_or("");
        self.buf.clear();
        let _ = write!(self.buf, "{hour}\t");
        push_clean(&mut self.buf, region);
        self.buf.push('\t');
        push_identity_label(&mut self.buf, ev);
    }

    /// Counts one event of the whole input (pass 1). Once this worker's events span more than
    /// three days, the charts will count by day whatever the rest of the input holds, so the
    /// counts are kept by day from then on: a year of logs keeps a count per day, not per hour,
    /// for each (region, identity).
    pub fn add(&mut self, ev: &Event) {
        crate::scan::widen(&mut self.all_span, ev.time.millis());
        if !self.all_by_day && self.all_span.is_some_and(|s| bucket_ms(s) == DAY_MS) {
            self.count_all_by_day();
        }
        self.label(ev, if self.all_by_day { DAY_MS } else { HOUR_MS });
        let buf = std::mem::take(&mut self.buf);
        bump(&mut self.all, &buf, 1);
        self.buf = buf;
    }

    /// Folds `all`'s hourly counts into days (nothing if it counts by day already).
    fn count_all_by_day(&mut self) {
        if std::mem::replace(&mut self.all_by_day, true) {
            return;
        }
        for (k, n) in std::mem::take(&mut self.all) {
            bump(&mut self.all, &first_hour_of_day(&k), n);
        }
    }

    /// Counts one event at or after the first attacker event by its access `key` and source
    /// `ip` (pass 2), so that the attacker's share can be told apart.
    pub fn add_window(&mut self, ev: &Event, key: &str, ip: &str) {
        self.label(ev, self.window_bucket_ms.unwrap_or(HOUR_MS));
        for part in [key, ip] {
            self.buf.push('\t');
            push_clean(&mut self.buf, part);
        }
        self.window.bump(&self.buf, 1);
    }

    /// A worker's counts of the attacker window (pass 2), in the buckets the charts of logs
    /// spanning `span` use, so that a window of weeks keeps one count per day, not per hour, for
    /// each (region, identity, key, source); held within about `budget` bytes and spilled past
    /// it to `temp_dir` (see [`HeldCounts::new`]).
    pub fn for_window(span: (i64, i64), budget: usize, temp_dir: Option<PathBuf>) -> Activity {
        Activity {
            window: HeldCounts::new(budget, temp_dir),
            window_bucket_ms: Some(bucket_ms(span)),
            ..Activity::default()
        }
    }

    /// Closes the window's temporary file; fails if spilling its counts ever failed.
    pub fn finish_window(&mut self) -> std::io::Result<()> {
        self.window.finish()
    }

    /// Merges another worker's counts, by day if either counts by day or their events together
    /// span more than three days.
    pub fn merge(&mut self, o: Activity) {
        crate::scan::widen_span(&mut self.all_span, o.all_span);
        if o.all_by_day || self.all_span.is_some_and(|s| bucket_ms(s) == DAY_MS) {
            self.count_all_by_day();
        }
        for (k, n) in o.all {
            if self.all_by_day {
                bump(&mut self.all, &first_hour_of_day(&k), n);
            } else {
                bump(&mut self.all, &k, n);
            }
        }
        self.window.absorb(o.window);
    }

    /// The `activity` section: counts per time bucket (hours for up to three days of logs,
    /// else days) by region and by identity, attacker and others apart. `is_attacker(key, ip)`
    /// says whether a window use is the attacker's. Fails only if the window's spilled counts
    /// cannot be read back.
    pub fn build(
        &self,
        span: (i64, i64),
        is_attacker: &dyn Fn(&str, &str) -> bool,
    ) -> std::io::Result<ActivitySection> {
        let bucket_ms = bucket_ms(span);
        let first = span.0.div_euclid(bucket_ms);
        let n = (span.1.div_euclid(bucket_ms) - first + 1).max(1) as usize;
        let index = |hour: i64| {
            ((hour * HOUR_MS).div_euclid(bucket_ms) - first).clamp(0, n as i64 - 1) as usize
        };
        // (region or identity) → (attacker counts, other counts).
        let mut regions: BTreeMap<String, (Vec<u64>, Vec<u64>)> = BTreeMap::new();
        let mut idents: BTreeMap<(bool, String), Vec<u64>> = BTreeMap::new();
        let zero = || (vec![0; n], vec![0; n]);
        for (k, c) in &self.all {
            let mut f = k.splitn(3, '\t');
            let (Some(h), Some(r), Some(l)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            let i = index(h.parse().unwrap_or(0));
            regions.entry(r.to_owned()).or_insert_with(zero).1[i] += c;
            idents
                .entry((false, l.to_owned()))
                .or_insert_with(|| vec![0; n])[i] += c;
        }
        self.window.for_each(|k, c| {
            let f: Vec<&str> = k.splitn(5, '\t').collect();
            let [h, r, l, key, ip] = f[..] else { return };
            if !is_attacker(key, ip) {
                return;
            }
            let i = index(h.parse().unwrap_or(0));
            let reg = regions.entry(r.to_owned()).or_insert_with(zero);
            reg.0[i] += c;
            reg.1[i] = reg.1[i].saturating_sub(c);
            if let Some(o) = idents.get_mut(&(false, l.to_owned())) {
                o[i] = o[i].saturating_sub(c);
            }
            idents
                .entry((true, l.to_owned()))
                .or_insert_with(|| vec![0; n])[i] += c;
        })?;
        let buckets: Vec<String> = (0..n as i64)
            .map(|b| crate::record::time((first + b) * bucket_ms))
            .collect();
        Ok(ActivitySection {
            bucket_ms,
            buckets,
            by_region: regions
                .into_iter()
                .map(|(region, (attacker, other))| RegionSeries {
                    region,
                    attacker,
                    other,
                })
                .collect(),
            by_identity: top_identities(idents),
        })
    }
}

/// Attacker identities first, then the busiest others; the rest folded into one series.
fn top_identities(idents: BTreeMap<(bool, String), Vec<u64>>) -> Vec<IdentitySeries> {
    let mut v: Vec<((bool, String), Vec<u64>)> = idents
        .into_iter()
        .filter(|(_, c)| c.iter().any(|x| *x > 0))
        .collect();
    v.sort_by_key(|((attacker, name), c)| {
        (
            !*attacker,
            std::cmp::Reverse(c.iter().sum::<u64>()),
            name.clone(),
        )
    });
    let mut out = Vec::new();
    let mut rest: Option<Vec<u64>> = None;
    for (i, ((attacker, name), counts)) in v.into_iter().enumerate() {
        if attacker || i < TOP_IDENTITIES {
            out.push(IdentitySeries {
                identity: name,
                attacker,
                counts,
            });
        } else {
            let r = rest.get_or_insert_with(|| vec![0; counts.len()]);
            for (a, b) in r.iter_mut().zip(counts) {
                *a += b;
            }
        }
    }
    if let Some(r) = rest {
        out.push(IdentitySeries {
            identity: "(all other identities)".to_owned(),
            attacker: false,
            counts: r,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_trail::{call, events, iam_user};

    const KEY: &str = "AKIAIOSFODNN7EXAMPLE";

    /// The activity section of calls at `times`, all from the attacker's address, every
    /// call also in the window, counted by hour or by the charts' bucket.
    fn section(times: &[&str], by_bucket: bool) -> ActivitySection {
        let who = iam_user("alice", KEY);
        let records: Vec<_> = times
            .iter()
            .map(|t| call(t, "ec2", "DescribeInstances", "203.0.113.9", &who))
            .collect();
        let evs = events(&records);
        let span = (evs[0].time.millis(), evs[evs.len() - 1].time.millis());
        let mut a = if by_bucket {
            Activity::for_window(span, 1 << 20, None)
        } else {
            Activity::default()
        };
        for ev in &evs {
            a.add(ev);
            a.add_window(ev, KEY, "203.0.113.9");
        }
        a.build(span, &|k, ip| k == KEY && ip == "203.0.113.9")
            .expect("built")
    }

    #[test]
    fn a_window_counted_by_day_charts_as_one_counted_by_hour() {
        let times = [
            "2024-05-06T01:10:00Z",
            "2024-05-06T23:59:00Z",
            "2024-05-09T00:00:00Z",
            "2024-05-12T13:30:00Z",
            "2024-05-12T13:31:00Z",
        ];
        let by_day = section(&times, true);
        assert_eq!(by_day.bucket_ms, DAY_MS);
        assert_eq!(by_day, section(&times, false));
        let attacker = &by_day.by_region[0].attacker;
        assert_eq!(attacker, &[2, 0, 0, 1, 0, 0, 2]);
        assert!(by_day.by_region[0].other.iter().all(|n| *n == 0));

        // Three days or less: hours, whichever way the window is counted.
        let short = ["2024-05-06T01:10:00Z", "2024-05-06T03:20:00Z"];
        assert_eq!(section(&short, true).bucket_ms, HOUR_MS);
        assert_eq!(section(&short, true), section(&short, false));
    }

    #[test]
    fn the_whole_input_is_counted_by_day_once_it_spans_more_than_three_days() {
        let who = iam_user("bob", KEY);
        let times = [
            "2024-05-06T01:10:00Z",
            "2024-05-06T05:00:00Z",
            "2024-05-07T23:59:59Z",
            "2024-05-10T00:00:00Z",
            "2024-05-12T13:30:00Z",
            "2024-05-12T20:31:00Z",
        ];
        let records: Vec<_> = times
            .iter()
            .map(|t| call(t, "s3", "ListBuckets", "198.51.100.7", &who))
            .collect();
        let evs = events(&records);
        let span = (evs[0].time.millis(), evs[5].time.millis());
        let whole = |evs: &[Event]| {
            let mut a = Activity::default();
            evs.iter().for_each(|ev| a.add(ev));
            a
        };
        let one = whole(&evs);
        assert!(one.all_by_day);
        assert_eq!(
            one.all.len(),
            4,
            "one count per day with events: {:?}",
            one.all
        );
        let chart = one.build(span, &|_, _| false).expect("built");
        assert_eq!(chart.bucket_ms, DAY_MS);
        assert_eq!(chart.by_region[0].other, [2, 1, 0, 0, 1, 0, 2]);
        // Workers that each saw under three days merge into the same counts, either way round.
        for (a, b) in [(&evs[..3], &evs[3..]), (&evs[3..], &evs[..3])] {
            let (mut x, y) = (whole(a), whole(b));
            assert!(!x.all_by_day && !y.all_by_day);
            x.merge(y);
            assert!(x.all_by_day);
            assert_eq!(x.all, one.all);
            assert_eq!(x.build(span, &|_, _| false).expect("built"), chart);
        }
        // Under three days, hours.
        let short = whole(&evs[..2]);
        assert!(!short.all_by_day);
        assert_eq!(short.all.len(), 2);
        assert_eq!(
            first_hour_of_day("47\tus-east-1\tuser/bob"),
            "24\tus-east-1\tuser/bob"
        );
        assert_eq!(first_hour_of_day("no tab"), "no tab");
    }

    #[test]
    fn a_window_spilled_past_its_budget_charts_as_one_held_whole() {
        // 600 session keys from two sources over five days, each used twice the same day, the
        // two uses read by different workers.
        let mut evs = Vec::new();
        for k in 0..600 {
            let key = format!("ASIAWINDOW{k:010}");
            let who = iam_user("carol", &key);
            let ip = ["203.0.113.9", "198.51.100.7"][k % 2];
            for minute in [10, 40] {
                let time = format!("2024-05-0{}T{:02}:{minute}:00Z", 1 + k % 5, k % 24);
                evs.extend(events(&[call(&time, "s3", "ListBuckets", ip, &who)]));
            }
        }
        let times = evs.iter().map(|e| e.time.millis());
        let span = (times.clone().min().unwrap_or(0), times.max().unwrap_or(0));
        let attacker = |k: &str, ip: &str| ip == "203.0.113.9" || k.ends_with('7');
        let count = |evs: &mut dyn Iterator<Item = &Event>, budget: usize| {
            let mut a = Activity::for_window(span, budget, None);
            for ev in evs {
                a.add(ev);
                let key = ev.identity.access_key_id.as_deref().unwrap_or("");
                a.add_window(ev, key, ev.source_ip.as_deref().unwrap_or(""));
            }
            a
        };
        let whole = count(&mut evs.iter(), usize::MAX);
        let mut x = count(&mut evs.iter().step_by(2), 0);
        x.merge(count(&mut evs.iter().skip(1).step_by(2), 0));
        x.finish_window().expect("spilled");
        assert!(x.window.held() <= 256, "the smallest budget spilled");
        let chart = whole.build(span, &attacker).expect("built");
        assert_eq!(chart.bucket_ms, DAY_MS);
        assert!(chart.by_region[0].attacker.iter().sum::<u64>() > 600);
        assert_eq!(x.build(span, &attacker).expect("built"), chart);
    }
}
