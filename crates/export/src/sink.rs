//! One reader worker's export: rows buffered per partition, row groups flushed at the row
//! group size or when the worker's memory share is spent (largest buffer first), and at most
//! a bounded number of part files open (the least recently written is finished first).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use cloudcase_event::{Event, LogSource, SourceFile};
use cloudcase_read::EventSink;
use foldhash::fast::RandomState;
use parquet::file::properties::WriterProperties;

use crate::columns::Columns;
use crate::context::Ctx;
use crate::digest::file_sha256;
use crate::part::PartWriter;
use crate::partition::{day_of, PartitionKey};
use crate::{ExportError, Mapping};

/// What every worker shares: where and how to write.
pub struct Shared<'s> {
    /// The output directory.
    pub out: PathBuf,
    /// The table and its mapping.
    pub mapping: &'s Mapping,
    /// Parquet writer properties.
    pub props: Arc<WriterProperties>,
    /// The next part number (unique in the run).
    pub next_part: AtomicU64,
    /// Bytes a partition buffers before it is written as a row group.
    pub row_group_bytes: usize,
    /// Bytes this worker may buffer in all.
    pub memory_bytes: usize,
    /// Part files this worker may keep open.
    pub max_open: usize,
}

/// A worker's counts.
#[derive(Debug, Default)]
pub struct WorkerStats {
    /// Rows written, by partition directory.
    pub rows: BTreeMap<PathBuf, u64>,
    /// Part files written.
    pub files: u64,
    /// Row groups written.
    pub row_groups: u64,
    /// Events not exported because the schema has no class for their log.
    pub not_exported: BTreeMap<LogSource, u64>,
    /// The most part files open at once.
    pub most_open: usize,
}

struct Partition {
    key: PartitionKey,
    columns: Columns,
    writer: Option<PartWriter>,
    rows: u64,
}

/// The file being read, and its provenance values.
struct Current {
    file: Arc<SourceFile>,
    name: String,
    sha256: Option<String>,
}

/// The last event's partition, by its raw values (most files hold one partition).
struct Last {
    account: Option<String>,
    region: Option<String>,
    day: i64,
    index: usize,
}

/// One worker's sink.
pub struct WorkerSink<'s> {
    shared: &'s Shared<'s>,
    parts: Vec<Partition>,
    index: HashMap<PartitionKey, usize, RandomState>,
    last: Option<Last>,
    /// Partitions with an open part file, least recently written first.
    open: Vec<usize>,
    buffered: usize,
    current: Option<Current>,
    stats: WorkerStats,
    error: Option<ExportError>,
}

impl<'s> WorkerSink<'s> {
    /// A sink writing through `shared`.
    pub fn new(shared: &'s Shared<'s>) -> Self {
        WorkerSink {
            shared,
            parts: Vec::new(),
            index: HashMap::default(),
            last: None,
            open: Vec::new(),
            buffered: 0,
            current: None,
            stats: WorkerStats::default(),
            error: None,
        }
    }

    fn take(&mut self, event: &Event) -> Result<(), ExportError> {
        let file = &event.provenance.file;
        if !self
            .current
            .as_ref()
            .is_some_and(|c| Arc::ptr_eq(&c.file, file))
        {
            self.current = Some(Current {
                file: Arc::clone(file),
                name: file.path.to_string_lossy().into_owned(),
                sha256: file.sha256.clone().or_else(|| file_sha256(file)),
            });
        }
        // A billing event under OCSF leaves an empty partition behind: never written.
        let i = self.partition_of(event);
        let Some(cur) = self.current.as_ref() else {
            return Ok(());
        };
        let ctx = Ctx {
            event,
            file: &cur.name,
            sha256: cur.sha256.as_deref(),
        };
        let table = self.shared.mapping.table();
        let Some(row) = self.shared.mapping.row(&ctx) else {
            *self.stats.not_exported.entry(event.source).or_default() += 1;
            return Ok(());
        };
        let part = &mut self.parts[i];
        let before = part.columns.bytes();
        part.columns.push(table, &row);
        part.rows += 1;
        self.buffered += part.columns.bytes() - before;
        // Half the worker's memory at most: buffers grow to about twice what they hold, and
        // are kept for the partition's next row group.
        let group = self
            .shared
            .row_group_bytes
            .min(self.shared.memory_bytes / 2);
        if part.columns.used() >= group {
            self.flush(i)?;
        }
        while self.buffered > self.shared.memory_bytes {
            let Some(largest) =
                (0..self.parts.len()).max_by_key(|&j| self.parts[j].columns.bytes())
            else {
                break;
            };
            self.flush(largest)?;
            self.release(largest);
        }
        Ok(())
    }

    fn partition_of(&mut self, e: &Event) -> usize {
        let day = day_of(e);
        if let Some(last) = &self.last {
            if last.day == day
                && last.account.as_deref() == e.recipient_account.as_deref()
                && last.region.as_deref() == e.region.as_deref()
            {
                return last.index;
            }
        }
        let key = PartitionKey::of(e);
        let index = match self.index.get(&key) {
            Some(i) => *i,
            None => {
                let table = self.shared.mapping.table();
                self.parts.push(Partition {
                    key: key.clone(),
                    columns: Columns::new(table),
                    writer: None,
                    rows: 0,
                });
                self.index.insert(key, self.parts.len() - 1);
                self.parts.len() - 1
            }
        };
        self.last = Some(Last {
            account: e.recipient_account.clone(),
            region: e.region.clone(),
            day,
            index,
        });
        index
    }

    /// Writes partition `i`'s buffered rows as a row group of its open part file.
    fn flush(&mut self, i: usize) -> Result<(), ExportError> {
        let table = self.shared.mapping.table();
        if self.parts[i].columns.rows() == 0 {
            return Ok(());
        }
        if self.parts[i].writer.is_none() {
            if self.open.len() >= self.shared.max_open {
                let lru = self.open.remove(0);
                self.close(lru)?;
            }
            let dir = self.shared.out.join(self.parts[i].key.dir());
            let n = self.shared.next_part.fetch_add(1, Ordering::Relaxed);
            self.parts[i].writer = Some(PartWriter::create(&dir, n, table, &self.shared.props)?);
            self.stats.files += 1;
        } else {
            self.open.retain(|&j| j != i);
        }
        self.open.push(i);
        self.stats.most_open = self.stats.most_open.max(self.open.len());
        let part = &mut self.parts[i];
        let before = part.columns.bytes();
        self.stats.row_groups += 1;
        let written = match part.writer.as_mut() {
            Some(w) => w.write(table, &mut part.columns),
            None => Ok(()),
        };
        self.buffered = self.buffered - before + part.columns.bytes();
        written
    }

    /// Frees partition `i`'s (written) buffers: the worker's memory is spent.
    fn release(&mut self, i: usize) {
        let table = self.shared.mapping.table();
        let columns = std::mem::replace(&mut self.parts[i].columns, Columns::new(table));
        self.buffered -= columns.bytes();
    }

    fn close(&mut self, i: usize) -> Result<(), ExportError> {
        if let Some(w) = self.parts[i].writer.take() {
            w.finish()?;
        }
        Ok(())
    }

    /// Writes what is buffered, finishes every part file, and returns the counts.
    pub fn finish(mut self) -> Result<WorkerStats, ExportError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        for i in 0..self.parts.len() {
            self.flush(i)?;
        }
        for i in std::mem::take(&mut self.open) {
            self.close(i)?;
        }
        for p in &self.parts {
            if p.rows > 0 {
                *self.stats.rows.entry(p.key.dir()).or_default() += p.rows;
            }
        }
        Ok(std::mem::take(&mut self.stats))
    }
}

impl EventSink for WorkerSink<'_> {
    fn accept(&mut self, event: Event) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.take(&event) {
            self.error = Some(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use cloudcase_event::{Category, EventTime, OtherRecord, Provenance};
    use parquet::file::reader::{FileReader, SerializedFileReader};

    use super::*;
    use crate::SchemaKind;

    fn event(file: &Arc<SourceFile>, i: u64, day: i64) -> Event {
        let mut e = Event::other(OtherRecord {
            source: LogSource::CloudTrail,
            time: EventTime::from_millis(day * 86_400_000 + 1000),
            time_field: Event::EVENT_TIME,
            event_source: "iam.amazonaws.com".into(),
            event_name: "ListUsers".into(),
            category: Category::Management,
            raw: format!("{{\"eventName\":\"ListUsers\",\"n\":{i}}}").into(),
            detail: None,
            provenance: Provenance {
                file: Arc::clone(file),
                record: i,
                offset: 0,
            },
        });
        e.recipient_account = Some(format!("{:012}", i % 7));
        e.region = Some("us-east-1".into());
        e
    }

    fn files_under(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("ls").flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
        out
    }

    #[test]
    fn many_partitions_stay_within_the_open_file_bound_and_lose_no_row() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mapping = Mapping::new(SchemaKind::CloudTrail).expect("mapping");
        let shared = Shared {
            out: dir.path().to_path_buf(),
            mapping: &mapping,
            props: Arc::new(WriterProperties::builder().build()),
            next_part: AtomicU64::new(0),
            row_group_bytes: 4096,
            memory_bytes: 64 << 10,
            max_open: 3,
        };
        let file = Arc::new(SourceFile::plain(dir.path().join("input.json")));
        let mut sink = WorkerSink::new(&shared);
        let n = 6000;
        for i in 0..n {
            // 7 accounts × 50 days, visited round-robin: the worst order for the LRU.
            sink.accept(event(&file, i, 19_000 + (i as i64 % 50)));
        }
        let stats = sink.finish().expect("finish");
        assert!(stats.most_open <= 3, "{} open", stats.most_open);
        assert_eq!(stats.rows.values().sum::<u64>(), n);
        assert_eq!(stats.rows.len(), 350);
        let files = files_under(dir.path());
        assert_eq!(files.len() as u64, stats.files);
        let mut rows = 0;
        for f in &files {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
            assert!(
                name.starts_with("part-") && name.ends_with(".parquet"),
                "{name}"
            );
            let reader = SerializedFileReader::new(std::fs::File::open(f).expect("open"))
                .expect("a complete parquet file");
            rows += reader.metadata().file_metadata().num_rows() as u64;
        }
        assert_eq!(rows, n);
    }

    #[test]
    fn an_unwritable_output_is_an_error_not_a_silent_loss() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blocker = dir.path().join("out");
        std::fs::write(&blocker, b"a file where the directory should be").expect("write");
        let mapping = Mapping::new(SchemaKind::CloudTrail).expect("mapping");
        let shared = Shared {
            out: blocker,
            mapping: &mapping,
            props: Arc::new(WriterProperties::builder().build()),
            next_part: AtomicU64::new(0),
            row_group_bytes: 1,
            memory_bytes: 1,
            max_open: 1,
        };
        let file = Arc::new(SourceFile::plain("input.json"));
        let mut sink = WorkerSink::new(&shared);
        sink.accept(event(&file, 0, 19_000));
        assert!(matches!(sink.finish(), Err(ExportError::Io { .. })));
    }
}
