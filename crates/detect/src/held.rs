//! Witnesses captured during the hunt's one pass, so that an analytic finding
//! does not need its record read again.
//!
//! Analytics keep, per key (identity and network, identity and client, bucket
//! and requester, …), the earliest record seen. Most keys never become findings,
//! so a full [`Witness`] per key would cost far more memory than the
//! [`Pointer`](crate::pointer::Pointer) the analytics need; instead each pointer carries its witness while the process's
//! witness budget ([`BUDGET_BYTES`]) lasts. A pointer made once the budget is
//! spent carries none, and its record is read again at the end (the few files
//! concerned are opened a second time). A witness replaced by an earlier one
//! returns its bytes to the budget when dropped. Burst windows, which grow with
//! time and rarely become findings, keep no witness at all (module
//! `analytics::bursts`).

use std::mem::size_of;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::Arc;

use cloudcase_event::Event;

use crate::finding::Witness;

/// Bytes of captured witnesses one process holds at most (32 MiB: about
/// 100,000 witnesses of typical CloudTrail records).
pub const BUDGET_BYTES: isize = 32 << 20;

/// What is left of the budget, for the whole process: the limit is on the
/// process's memory, whichever hunt or worker holds the witnesses.
static LEFT: AtomicIsize = AtomicIsize::new(BUDGET_BYTES);

/// A witness counted against the budget; its bytes return when it is dropped.
#[derive(Debug)]
pub struct Held {
    witness: Witness,
    bytes: isize,
}

impl Held {
    /// Captures `event`'s witness if the budget allows it.
    pub fn capture(event: &Event) -> Option<Arc<Held>> {
        // Once the budget is spent, do not copy the strings only to drop them.
        if LEFT.load(Ordering::Relaxed) < size_of::<Held>() as isize {
            return None;
        }
        let witness = Witness::of(event);
        let bytes = isize::try_from(footprint(&witness)).unwrap_or(isize::MAX);
        reserve(&LEFT, bytes).then(|| Arc::new(Held { witness, bytes }))
    }

    /// The captured witness.
    pub fn witness(&self) -> &Witness {
        &self.witness
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        LEFT.fetch_add(self.bytes, Ordering::Relaxed);
    }
}

/// Takes `bytes` from `left` if that many are left; otherwise leaves it as it was.
fn reserve(left: &AtomicIsize, bytes: isize) -> bool {
    if left.fetch_sub(bytes, Ordering::Relaxed) < bytes {
        left.fetch_add(bytes, Ordering::Relaxed);
        return false;
    }
    true
}

/// Heap and inline bytes of a witness, with the `Arc` around it.
fn footprint(w: &Witness) -> usize {
    let text = |s: &Option<String>| s.as_ref().map_or(0, String::capacity);
    size_of::<Held>()
        + 2 * size_of::<usize>()
        + text(&w.principal)
        + text(&w.principal_type)
        + text(&w.access_key)
        + text(&w.source_ip)
        + text(&w.region)
        + text(&w.account)
        + text(&w.error_code)
        + text(&w.event_id)
        + w.event_source.capacity()
        + w.event_name.capacity()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudcase_event::{EventTime, SourceFile};

    fn witness(event_id: Option<&str>) -> Witness {
        Witness {
            time: EventTime::from_millis(1_715_652_017_000),
            principal: Some("alice".into()),
            principal_type: Some("IAMUser".into()),
            access_key: Some("AKIAIOSFODNN7EXAMPLE".into()),
            source_ip: Some("203.0.113.9".into()),
            region: Some("us-east-1".into()),
            account: Some("123456789012".into()),
            event_source: "iam.amazonaws.com".into(),
            event_name: "CreateUser".into(),
            error_code: None,
            event_id: event_id.map(str::to_owned),
            file: Arc::new(SourceFile::plain("evidence/objects/ab/abc")),
            record: 3,
        }
    }

    #[test]
    fn the_footprint_counts_every_string() {
        let bare = footprint(&witness(None));
        let id = "0b9c2f8e-1d3a-4c55-9a77-6f1e2d3c4b5a";
        assert_eq!(footprint(&witness(Some(id))), bare + id.len());
        let strings = "alice".len()
            + "IAMUser".len()
            + "AKIAIOSFODNN7EXAMPLE".len()
            + "203.0.113.9".len()
            + "us-east-1".len()
            + "123456789012".len()
            + "iam.amazonaws.com".len()
            + "CreateUser".len();
        assert_eq!(bare, size_of::<Held>() + 2 * size_of::<usize>() + strings);
    }

    #[test]
    fn reservations_stop_at_the_budget_and_leave_it_unchanged() {
        let left = AtomicIsize::new(100);
        assert!(reserve(&left, 60));
        assert!(!reserve(&left, 60), "only 40 left");
        assert_eq!(left.load(Ordering::Relaxed), 40);
        assert!(reserve(&left, 40));
        assert!(!reserve(&left, 1));
        assert_eq!(left.load(Ordering::Relaxed), 0);
    }
}
