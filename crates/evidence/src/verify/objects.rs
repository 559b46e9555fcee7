//! Re-hashing the stored objects, in parallel.

use std::fs::File;

use super::problem::{Problem, ProblemKind};
use crate::hash::hash_reader;
use crate::layout::Layout;
use crate::parallel;
use crate::store::StoredObject;

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
            File::open(layout.object_path(&obj.sha256.to_hex())).and_then(|f| hash_reader(f, buf))
        },
    );
    let mut out = Rehash::default();
    for (obj, result) in order.iter().zip(results) {
        let name = obj.sha256.to_hex();
        let rel = Layout::object_rel(&name);
        match result {
            Some(Ok((actual, n))) => {
                out.checked += 1;
                out.bytes += n;
                if actual != name {
                    out.problems.push(
                        Problem::new(
                            ProblemKind::ObjectModified,
                            format!(
                                "object {rel} was modified: its content no longer matches its name"
                            ),
                        )
                        .object(&name)
                        .path(&rel)
                        .expected(&name)
                        .actual(&actual),
                    );
                }
            }
            Some(Err(e)) => out.problems.push(
                Problem::new(
                    ProblemKind::ObjectUnreadable,
                    format!("object {rel} could not be read: {e}"),
                )
                .object(&name)
                .path(&rel),
            ),
            None => out.problems.push(
                Problem::new(
                    ProblemKind::ObjectUnreadable,
                    format!("object {rel} was not checked: the checking thread failed"),
                )
                .object(&name)
                .path(&rel),
            ),
        }
    }
    out
}
