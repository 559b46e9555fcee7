//! One window as it is written to the sort and read back: its key, counts,
//! earliest call and distinct values, as little-endian fields
//! (`cloudcase_util::fields`) behind a length prefix.

use cloudcase_util::fields::{put_entry, put_i64, put_str, put_u64, Fields};

use super::{Values, Window};
use crate::analytics::at::At;

/// A bucket index as an unsigned key in the same order (buckets before the
/// epoch are negative).
pub(super) fn bucket_order(bucket: i64) -> u64 {
    (bucket as u64) ^ (1 << 63)
}

/// Adds `hash` to the sorted `hashes`; true if it was not there yet.
pub(super) fn insert_sorted(hashes: &mut Vec<u64>, hash: u64) -> bool {
    match hashes.binary_search(&hash) {
        Ok(_) => false,
        Err(at) => {
            hashes.insert(at, hash);
            true
        }
    }
}

/// One window read back: a worker's part of it, or several parts combined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WindowEntry {
    /// The principal's id, shared by every worker.
    pub who: u32,
    /// The analytic's index in the table.
    pub burst: u8,
    /// The window's index since the epoch.
    pub bucket: i64,
    /// Matching calls.
    pub calls: u64,
    /// The earliest call.
    pub first: At,
    /// Hashes of the distinct values, sorted.
    pub hashes: Vec<u64>,
    /// The distinct values kept as text (regions of launches).
    pub labels: Vec<String>,
}

impl WindowEntry {
    /// Appends the window at (`who`, `burst`, `bucket`) with its `values` to
    /// `out`, length first.
    pub fn encode(
        who: u32,
        burst: u8,
        bucket: i64,
        window: Window,
        values: Option<&Values>,
        out: &mut Vec<u8>,
    ) {
        put_entry(out, |out| {
            put_u64(out, u64::from(who));
            out.push(burst);
            put_i64(out, bucket);
            put_u64(out, window.calls);
            window.first.encode(out);
            let hashes = values.map_or(&[][..], |v| &v.hashes);
            put_u64(out, hashes.len() as u64);
            for h in hashes {
                put_u64(out, *h);
            }
            let labels = values.map_or(&[][..], |v| &v.labels);
            put_u64(out, labels.len() as u64);
            for l in labels {
                put_str(out, Some(l));
            }
        });
    }

    /// Reads one entry's body (without its length); `None` if it is short or
    /// malformed.
    pub fn decode(body: &[u8]) -> Option<WindowEntry> {
        let mut f = Fields::new(body);
        let who = u32::try_from(f.u64()?).ok()?;
        let burst = f.u8()?;
        let bucket = f.i64()?;
        let calls = f.u64()?;
        let first = At::decode(&mut f)?;
        let n = usize::try_from(f.u64()?).ok()?;
        // Each hash takes eight bytes: a count the body cannot hold is malformed.
        if n > body.len() / 8 {
            return None;
        }
        let hashes = (0..n).map(|_| f.u64()).collect::<Option<Vec<u64>>>()?;
        let n = usize::try_from(f.u64()?).ok()?;
        if n > body.len() / 4 {
            return None;
        }
        let labels = (0..n)
            .map(|_| f.str().map(str::to_owned))
            .collect::<Option<Vec<String>>>()?;
        f.is_empty().then_some(WindowEntry {
            who,
            burst,
            bucket,
            calls,
            first,
            hashes,
            labels,
        })
    }

    /// Whether `other` is another part of the same window.
    pub fn same_window(&self, other: &WindowEntry) -> bool {
        (self.who, self.burst, self.bucket) == (other.who, other.burst, other.bucket)
    }

    /// Adds `other`, another part of the same window: calls add up, the
    /// earliest call is kept, distinct values are united.
    pub fn absorb(&mut self, other: WindowEntry) {
        self.calls += other.calls;
        self.first = self.first.min(other.first);
        for h in other.hashes {
            insert_sorted(&mut self.hashes, h);
        }
        for l in other.labels {
            if !self.labels.contains(&l) {
                self.labels.push(l);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(calls: u64, ms: i64) -> Window {
        Window {
            calls,
            first: At {
                ms,
                file: 3,
                record: 9,
                member: Some(2),
            },
        }
    }

    fn encoded(values: Option<&Values>) -> Vec<u8> {
        let mut out = Vec::new();
        WindowEntry::encode(7, 2, -4, window(12, 1_000), values, &mut out);
        out
    }

    #[test]
    fn an_entry_reads_back_as_written() {
        let values = Values {
            hashes: vec![1, 5, u64::MAX],
            labels: vec!["eu-west-1".into(), "\u{1b}[31m\"<b>".into()],
        };
        let out = encoded(Some(&values));
        let len = u32::from_le_bytes(out[..4].try_into().unwrap()) as usize;
        assert_eq!(len, out.len() - 4);
        let back = WindowEntry::decode(&out[4..]).unwrap();
        assert_eq!(
            back,
            WindowEntry {
                who: 7,
                burst: 2,
                bucket: -4,
                calls: 12,
                first: window(12, 1_000).first,
                hashes: vec![1, 5, u64::MAX],
                labels: vec!["eu-west-1".into(), "\u{1b}[31m\"<b>".into()],
            }
        );
        let plain = encoded(None);
        assert!(WindowEntry::decode(&plain[4..]).unwrap().hashes.is_empty());
    }

    #[test]
    fn short_or_oversized_entries_are_refused() {
        let out = encoded(Some(&Values {
            hashes: vec![1, 2],
            labels: vec!["x".into()],
        }));
        for cut in 4..out.len() {
            assert_eq!(WindowEntry::decode(&out[4..cut]), None, "cut at {cut}");
        }
        let mut longer = out.clone();
        longer.push(0);
        assert_eq!(WindowEntry::decode(&longer[4..]), None, "trailing byte");
        // A count of hashes the body cannot hold.
        let mut huge = out[4..].to_vec();
        let at = 8 + 1 + 8 + 8 + 32;
        huge[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(WindowEntry::decode(&huge), None);
    }

    #[test]
    fn parts_of_a_window_add_up_and_keep_the_earliest_call() {
        let decode = |calls, ms, hashes: &[u64], labels: &[&str]| {
            let values = Values {
                hashes: hashes.to_vec(),
                labels: labels.iter().map(|l| (*l).into()).collect(),
            };
            let mut out = Vec::new();
            WindowEntry::encode(1, 0, 5, window(calls, ms), Some(&values), &mut out);
            WindowEntry::decode(&out[4..]).unwrap()
        };
        let mut a = decode(3, 2_000, &[1, 4], &["us-east-1"]);
        let b = decode(2, 1_500, &[2, 4], &["us-east-1", "sa-east-1"]);
        assert!(a.same_window(&b));
        a.absorb(b);
        assert_eq!(a.calls, 5);
        assert_eq!(a.first.ms, 1_500);
        assert_eq!(a.hashes, [1, 2, 4]);
        assert_eq!(a.labels, ["us-east-1", "sa-east-1"]);
        assert!(bucket_order(-1) < bucket_order(0));
        assert!(bucket_order(i64::MIN) < bucket_order(i64::MAX));
    }
}
