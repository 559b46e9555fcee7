//! The committer: the single thread that records ingested items, in batches,
//! only after the objects they name are durable.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::json;

use super::ingest::Ingested;
use super::plan::{Slot, Work};
use super::{Acquired, ItemStatus, Outcome};
use crate::custody::{Action, CustodyWriter};
use crate::error::Error;
use crate::fsutil;
use crate::layout::Layout;
use crate::manifest::{ManifestIndex, ManifestRecord, ManifestWriter};
use crate::meta;
use crate::source::Source;
use crate::store::shard_dir;

/// Above this many shard directories to sync, one `syncfs` is cheaper.
const DIR_FSYNC_MAX: usize = 8;

/// Records results: manifest lines and custody entries, after the objects and
/// their directories are durable.
pub(crate) struct Committer<'a> {
    /// The case's paths.
    pub layout: &'a Layout,
    /// Where `acquired` entries go.
    pub custody: CustodyWriter,
    /// Where manifest lines go.
    pub manifest: ManifestWriter,
    /// What the case holds, updated as results are recorded.
    pub index: ManifestIndex,
    /// Manifest lines so far (the next line's number minus one).
    pub manifest_lines: u64,
    /// Who acquires.
    pub examiner: &'a str,
    /// This host's name.
    pub host: String,
    /// The command line recorded.
    pub command: &'a [String],
    /// Ingested items waiting for the next flush, by work index.
    pub pending: Vec<(usize, Ingested)>,
    /// Shard directories of objects placed since the last flush.
    pub dirs: BTreeSet<PathBuf>,
    /// Outcomes, by slot.
    pub slots: &'a mut Vec<Slot>,
    /// The planned items.
    pub work: &'a [Work],
    /// The sources, by index.
    pub sources: &'a [Box<dyn Source>],
    /// Bytes read from sources so far.
    pub bytes_read: u64,
    /// Bytes of newly placed objects so far.
    pub bytes_stored: u64,
    /// Set when an item failed at an operating-system resource limit: the
    /// run stops taking new items, and this message explains the rest.
    pub stopped: Option<String>,
}

impl Committer<'_> {
    /// Takes one worker result: failures are final, successes wait for the
    /// next flush.
    pub(crate) fn accept(&mut self, i: usize, result: Result<Ingested, Error>) {
        match result {
            Ok(ing) => {
                self.bytes_read += ing.bytes_read;
                if ing.placed {
                    self.bytes_stored += ing.size;
                    self.dirs.insert(shard_dir(self.layout, &ing.sha256));
                }
                self.pending.push((i, ing));
            }
            Err(e) => self.slots[self.work[i].slot].outcome = Some(Outcome::Failed(e)),
        }
    }

    /// Places the batch's small copies that workers left unsynced: one
    /// `syncfs` makes all their data durable, then each is made read-only and
    /// renamed (or discarded if its content is already held). A copy that
    /// cannot be placed fails alone.
    fn place_deferred(&mut self) -> Result<(), Error> {
        if !self.pending.iter().any(|(_, ing)| ing.deferred.is_some()) {
            return Ok(());
        }
        fsutil::sync_filesystem(&self.layout.tmp_dir())?;
        let mut kept = Vec::with_capacity(self.pending.len());
        for (i, mut ing) in std::mem::take(&mut self.pending) {
            if let Some(temp) = ing.deferred.take() {
                match temp.place_synced(self.layout, &ing.sha256) {
                    Ok(placed) => {
                        if placed {
                            ing.placed = true;
                            self.bytes_stored += ing.size;
                            self.dirs.insert(shard_dir(self.layout, &ing.sha256));
                        }
                    }
                    Err(e) => {
                        self.slots[self.work[i].slot].outcome = Some(Outcome::Failed(e));
                        continue;
                    }
                }
            }
            kept.push((i, ing));
        }
        self.pending = kept;
        Ok(())
    }

    /// Makes the new names in touched shard directories durable: an fsync per
    /// directory, or one `syncfs` when there are many.
    fn sync_dirs(&mut self) -> Result<(), Error> {
        if self.dirs.is_empty() {
            return Ok(());
        }
        let dirs = std::mem::take(&mut self.dirs);
        if fsutil::HAS_SYNCFS && dirs.len() > DIR_FSYNC_MAX {
            return fsutil::sync_filesystem(&self.layout.objects_dir());
        }
        for dir in dirs {
            fsutil::sync_dir(&dir)?;
        }
        fsutil::sync_dir(&self.layout.objects_dir())
    }

    /// Makes pending objects' directories durable, then appends their manifest
    /// lines and custody entries (one write and fsync each) and settles their
    /// outcomes.
    pub(crate) fn flush(&mut self) -> Result<(), Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.place_deferred()?;
        self.sync_dirs()?;
        let acquired = meta::now_utc();
        let mut lines = Vec::new();
        let mut entries = Vec::new();
        let mut outcomes = Vec::new();
        for (i, ing) in std::mem::take(&mut self.pending) {
            let w = &self.work[i];
            let uri = &w.item.uri;
            let status = if self.index.has_pair(&ing.sha256, uri) {
                ItemStatus::AlreadyHeld
            } else if self.index.has_sha(&ing.sha256) {
                ItemStatus::NewSource
            } else {
                ItemStatus::New
            };
            if status != ItemStatus::AlreadyHeld {
                let record = ManifestRecord {
                    sha256: ing.sha256.clone(),
                    size: ing.size,
                    object: Layout::object_rel(&ing.sha256),
                    source: uri.clone(),
                    source_kind: self.sources[w.source].kind().to_owned(),
                    mtime: ing.mtime.clone(),
                    acquired: acquired.clone(),
                    examiner: self.examiner.to_owned(),
                    host: self.host.clone(),
                    tool: meta::TOOL.to_owned(),
                    command: self.command.to_vec(),
                    identity: w.item.identity.clone(),
                    metadata: ing.metadata.clone(),
                };
                let (line, line_sha) = ManifestWriter::line(&record)?;
                self.manifest_lines += 1;
                entries.push((
                    Action::Acquired,
                    json!({
                        "sha256": record.sha256,
                        "size": record.size,
                        "object": record.object,
                        "source": record.source,
                        "source_kind": record.source_kind,
                        "source_mtime": record.mtime,
                        "source_metadata": record.metadata,
                        "status": status.as_str(),
                        "manifest_line": self.manifest_lines,
                        "manifest_line_sha256": line_sha,
                        "command": self.command,
                    }),
                ));
                // Within a run each URI is ingested once, so only the content
                // matters to later items (new vs new source); the source
                // histories are what earlier runs recorded.
                self.index.insert_content(&record.sha256);
                lines.push(line);
            }
            outcomes.push((w.slot, ing, status));
        }
        self.manifest.append(&lines)?;
        self.custody.append_many(entries)?;
        for (slot, ing, status) in outcomes {
            self.slots[slot].outcome = Some(Outcome::Acquired(Acquired {
                sha256: ing.sha256,
                size: ing.size,
                status,
            }));
        }
        Ok(())
    }
}
