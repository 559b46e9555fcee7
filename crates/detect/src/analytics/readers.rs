//! S3 server access logs: a requester reading a bucket it never read before,
//! once the bucket's readers are known.
//!
//! A bucket's history starts at its first object read in the logs; after a
//! learning period ([`LEARNING_MILLIS`]) every requester whose first read of
//! the bucket comes later is new to it. One finding per (bucket, requester),
//! at its first read: low; medium when the newcomer read at least
//! [`BULK_READS`] objects or [`BULK_BYTES`] of the bucket in the logs (mass
//! download), or when it is `anonymous` (a bucket read by nobody unsigned
//! for a day is read unsigned: it was made public). Reads
//! are successful `GetObject` requests (no error code, an HTTP 2xx status); requests without a requester count
//! as one requester, `anonymous`. State is a minimum time and counts per
//! pair, so it merges across workers in any order.

use crate::FastMap;

use cloudcase_event::{Detail, Event, EventTime, LogSource};
use cloudcase_sigma::Level;

use super::{Candidate, Spec};
use crate::pointer::Pointer;

/// Bytes sent to one newcomer that make its finding medium: 100 MB is more
/// than a person opening documents pulls in the logs' span, and what a
/// script copying a data set pulls in minutes (measured on the generator's
/// leaked-key scenario: 10 reads, 445 MB).
pub(crate) const BULK_BYTES: u64 = 100_000_000;

/// How long a bucket's reads are only learnt from: a day, as for the
/// identity analytics.
pub(crate) const LEARNING_MILLIS: i64 = 24 * 3_600_000;

/// Object reads by one newcomer that make its finding medium: far beyond a
/// person opening a few files, well within a script copying a prefix.
pub(crate) const BULK_READS: u64 = 100;

/// A requester's first read of a bucket after the learning period.
const NEW_READER: Spec = Spec {
    id: "cloudcase.analytics.new-bucket-reader",
    title: "S3 bucket read by a requester new to it (S3 access logs)",
    level: Level::Low,
    tactics: &["collection"],
    techniques: &["T1530"],
};

/// The same, for a newcomer that read many objects.
const NEW_BULK_READER: Spec = Spec {
    id: "cloudcase.analytics.new-bucket-reader-bulk",
    title: "Many S3 objects read by a requester new to the bucket (S3 access logs)",
    level: Level::Medium,
    tactics: &["collection", "exfiltration"],
    techniques: &["T1530", "T1537"],
};

/// The first unsigned read of a bucket after the learning period.
const NEW_ANONYMOUS_READER: Spec = Spec {
    id: "cloudcase.analytics.new-anonymous-bucket-reader",
    title: "S3 bucket read anonymously for the first time (S3 access logs)",
    level: Level::Medium,
    tactics: &["collection", "exfiltration"],
    techniques: &["T1530", "T1537"],
};

/// The requester name given to requests made without one.
const ANONYMOUS: &str = "anonymous";

/// One requester's reads of one bucket.
#[derive(Debug)]
struct Reader {
    first: Pointer,
    reads: u64,
    bytes: u64,
}

/// Who read one bucket.
#[derive(Debug)]
struct Bucket {
    /// The earliest read by anyone.
    first: EventTime,
    readers: FastMap<String, Reader>,
}

/// Readers per bucket (mergeable).
#[derive(Debug, Default)]
pub struct BucketReaders {
    buckets: FastMap<String, Bucket>,
}

/// The bucket, requester and bytes of a successful object read in an S3 access log.
fn object_read(event: &Event) -> Option<(&str, &str, u64)> {
    if event.source != LogSource::S3Access
        || event.event_name != "GetObject"
        || event.error_code.is_some()
    {
        return None;
    }
    let Some(Detail::S3Request(r)) = event.detail.as_deref() else {
        return None;
    };
    if r.http_status.is_some_and(|s| !(200..300).contains(&s)) {
        return None;
    }
    let requester = r.requester.as_deref().unwrap_or(ANONYMOUS);
    Some((&r.bucket, requester, r.bytes_sent.unwrap_or(0)))
}

impl BucketReaders {
    /// Adds one event, if it is an object read of an S3 access log.
    pub fn observe(&mut self, event: &Event) {
        let Some((bucket, requester, bytes)) = object_read(event) else {
            return;
        };
        let b = match self.buckets.get_mut(bucket) {
            Some(b) => b,
            None => self.buckets.entry(bucket.to_owned()).or_insert(Bucket {
                first: event.time,
                readers: FastMap::default(),
            }),
        };
        b.first = b.first.min(event.time);
        match b.readers.get_mut(requester) {
            Some(r) => {
                r.first.keep_earliest_of(event);
                r.reads += 1;
                r.bytes += bytes;
            }
            None => {
                b.readers.insert(
                    requester.to_owned(),
                    Reader {
                        first: Pointer::of(event),
                        reads: 1,
                        bytes,
                    },
                );
            }
        }
    }

    /// Adds another worker's state.
    pub fn merge(&mut self, other: BucketReaders) {
        for (name, theirs) in other.buckets {
            let Some(mine) = self.buckets.get_mut(&name) else {
                self.buckets.insert(name, theirs);
                continue;
            };
            mine.first = mine.first.min(theirs.first);
            for (who, t) in theirs.readers {
                match mine.readers.get_mut(&who) {
                    Some(m) => {
                        m.first.keep_earliest(t.first);
                        m.reads += t.reads;
                        m.bytes += t.bytes;
                    }
                    None => {
                        mine.readers.insert(who, t);
                    }
                }
            }
        }
    }

    /// One candidate per requester first reading a bucket after its learning period.
    pub fn candidates(&self) -> Vec<Candidate> {
        let mut out = Vec::new();
        let mut buckets: Vec<_> = self.buckets.iter().collect();
        buckets.sort_by(|a, b| a.0.cmp(b.0));
        for (name, bucket) in buckets {
            let learnt = bucket.first.millis() + LEARNING_MILLIS;
            let mut readers: Vec<_> = bucket
                .readers
                .iter()
                .filter(|(_, r)| r.first.time.millis() >= learnt)
                .collect();
            readers.sort_by(|a, b| a.0.cmp(b.0));
            for (who, r) in readers {
                let spec = if who == ANONYMOUS {
                    NEW_ANONYMOUS_READER
                } else if r.reads >= BULK_READS || r.bytes >= BULK_BYTES {
                    NEW_BULK_READER
                } else {
                    NEW_READER
                };
                out.push(Candidate {
                    spec,
                    pointer: r.first.clone(),
                    detail: format!(
                        "{who} first read bucket {name} more than a day after its reads began ({}); {} object reads, {} sent",
                        bucket.first.to_utc_string(),
                        r.reads,
                        cloudcase_read::human_bytes(r.bytes)
                    ),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixtures::read_access_log;

    const OWNER: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";
    const APP: &str = "arn:aws:iam::111122223333:role/payroll-app";
    const THIEF: &str = "arn:aws:iam::111122223333:user/contractor";

    /// One access log line: `day` of June 2026 at `hour`, `requester` (`-` anonymous).
    fn line(day: u32, hour: u32, requester: &str, status: u16, key: &str) -> String {
        format!(
            "{OWNER} payroll [{day:02}/Jun/2026:{hour:02}:00:00 +0000] 198.51.100.7 {requester} REQ{day}{hour} REST.GET.OBJECT {key} \"GET /payroll/{key} HTTP/1.1\" {status} - 2000 2000 10 5 \"-\" \"aws-cli/2.15.0\" - hostid SigV4 TLS_AES_128_GCM_SHA256 AuthHeader payroll.s3.us-east-1.amazonaws.com TLSv1.3 - -"
        )
    }

    fn found(lines: Vec<String>) -> Vec<Candidate> {
        let log = read_access_log(&lines);
        let half = log.events.len() / 2;
        let mut a = BucketReaders::default();
        let mut b = BucketReaders::default();
        for (i, e) in log.events.iter().enumerate() {
            if i < half {
                a.observe(e)
            } else {
                b.observe(e)
            }
        }
        a.merge(b);
        a.candidates()
    }

    /// Asserts that a candidate's `detail` says `text`.
    fn says(detail: &str, text: &str) {
        assert!(detail.contains(text), "{text:?} not in {detail}");
    }

    #[test]
    fn a_newcomer_after_the_learning_day_is_reported_once() {
        let mut lines = vec![line(1, 9, APP, 200, "a.csv"), line(2, 8, APP, 200, "b.csv")];
        lines.extend((0..3).map(|i| line(3, 10 + i, THIEF, 200, "a.csv")));
        let c = found(lines);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].spec.id, NEW_READER.id);
        assert_eq!(c[0].spec.level, Level::Low);
        assert_eq!(
            c[0].pointer.time.to_utc_string(),
            "2026-06-03T10:00:00.000Z"
        );
        says(&c[0].detail, "contractor first read bucket payroll");
        says(&c[0].detail, "3 object reads, 6.0 KB sent");
    }

    #[test]
    fn unsigned_reads_new_to_a_bucket_and_large_downloads_are_medium() {
        let mut lines = vec![line(1, 9, APP, 200, "a.csv"), line(3, 9, "-", 200, "a.csv")];
        let mut big = line(4, 9, THIEF, 200, "dump.sql");
        big = big.replace(" 2000 2000 ", " 150000000 150000000 ");
        lines.push(big);
        let c = found(lines);
        let ids: Vec<&str> = c.iter().map(|c| c.spec.id).collect();
        assert_eq!(ids, [NEW_ANONYMOUS_READER.id, NEW_BULK_READER.id]);
        assert!(
            c[0].detail.starts_with("anonymous first read"),
            "{}",
            c[0].detail
        );
        says(&c[1].detail, "1 object reads, 150.0 MB sent");
    }

    #[test]
    fn bulk_newcomers_are_medium_and_the_learning_day_is_quiet() {
        let mut lines = vec![line(1, 9, APP, 200, "a.csv")];
        // Within the learning day: learnt, not reported.
        lines.push(line(1, 20, "-", 200, "public.html"));
        lines.extend((0..BULK_READS).map(|i| line(4, (i % 24) as u32, THIEF, 200, "x")));
        // A refused read does not make a reader.
        lines.push(line(
            5,
            1,
            "arn:aws:iam::444455556666:user/probe",
            403,
            "a.csv",
        ));
        let c = found(lines);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].spec.id, NEW_BULK_READER.id);
        assert_eq!(c[0].spec.level, Level::Medium);
    }

    #[test]
    fn cloudtrail_reads_are_not_counted() {
        let trail =
            crate::analytics::fixtures::read_trail(vec![crate::analytics::fixtures::user_call(
                "bob",
                "AKIAIOSFODNN7EXAMPLE",
                "2026-06-05T10:00:00Z",
                "GetObject",
                "198.51.100.7",
            )]);
        let mut r = BucketReaders::default();
        trail.events.iter().for_each(|e| r.observe(e));
        assert!(r.buckets.is_empty());
    }
}
