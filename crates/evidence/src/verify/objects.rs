//! Re-hashing the stored objects, in parallel.

use std::fs::File;

use crate::hash::hash_reader;
use crate::layout::Layout;
use crate::problem::{Problem, ProblemKind};
use crate::store::StoredObject;
use cloudcase_util::parallel;

/// What re-hashing found.
#[derive(Debug, Default)]
pub(crate) struct Rehash {
    /// Objects read to the end.
    pub checked: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Modified or unreadable objects.
    pub problems: Vec<Problem>,
}

/// One object's re-hash, kept small: a million of them wait for the end.
enum Check {
    /// Read to the end; its content matches its name.
    Intact { bytes: u64 },
    /// Read to the end; its content hashes to `actual`.
    Modified { bytes: u64, actual: Box<str> },
    /// Could not be read.
    Unreadable(Box<str>),
}

/// Re-hashes every object on `threads` threads, largest first.
pub(crate) fn rehash(
    layout: &Layout,
    objects: &[StoredObject],
    threads: usize,
    chunk: usize,
) -> Rehash {
    let mut order: Vec<&StoredObject> = objects.iter().collect();
    order.sort_by_key(|o| std::cmp::Reverse(o.size));
    let results = parallel::map_with(
        threads,
        &order,
        || vec![0u8; chunk],
        |buf, obj| {
            let name = obj.sha256.to_hex();
            match File::open(layout.object_path(&name)).and_then(|f| hash_reader(f, buf)) {
                Ok((actual, bytes)) if actual == name => Check::Intact { bytes },
                Ok((actual, bytes)) => Check::Modified {
                    bytes,
                    actual: actual.into(),
                },
                Err(e) => Check::Unreadable(e.to_string().into()),
            }
        },
    );
    let mut out = Rehash::default();
    for (obj, result) in order.iter().zip(results) {
        let name = obj.sha256.to_hex();
        let rel = Layout::object_rel(&name);
        let problem = match result {
            Some(Check::Intact { bytes }) => {
                out.checked += 1;
                out.bytes += bytes;
                continue;
            }
            Some(Check::Modified { bytes, actual }) => {
                out.checked += 1;
                out.bytes += bytes;
                Problem::new(
                    ProblemKind::ObjectModified,
                    format!("object {rel} was modified: its content no longer matches its name"),
                )
                .expected(&name)
                .actual(&actual)
            }
            Some(Check::Unreadable(e)) => Problem::new(
                ProblemKind::ObjectUnreadable,
                format!("object {rel} could not be read: {e}"),
            ),
            None => Problem::new(
                ProblemKind::ObjectUnreadable,
                format!("object {rel} was not checked: the checking thread failed"),
            ),
        };
        out.problems.push(problem.object(&name).path(&rel));
    }
    out
}
