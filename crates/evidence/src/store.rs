//! The content-addressed object store under `evidence/`: placing objects
//! atomically, cleaning leftovers, and taking inventory of what is on disk.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use crate::error::{Error, IoContext};
use crate::fsutil;
use crate::hash::{is_sha256_hex, Sha256Digest};
use crate::layout::Layout;

/// Suffix of in-flight copies in `evidence/tmp/`.
const TEMP_SUFFIX: &str = ".partial";

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);
static PID: OnceLock<u32> = OnceLock::new();

/// Whether copies created with mode 0444 get exactly that mode (the umask
/// clears no bit of it), checked on the first copy of the process: then no
/// copy needs a `chmod` before it is placed.
static CREATED_READ_ONLY: OnceLock<bool> = OnceLock::new();

/// A copy being written in `evidence/tmp/`; removed on drop unless placed.
#[derive(Debug)]
pub(crate) struct TempObject {
    file: File,
    path: PathBuf,
    placed: bool,
    /// Whether the file already has mode 0444 (it is written through the
    /// descriptor opened at creation, which keeps write access).
    read_only: bool,
}

impl TempObject {
    /// Creates a new, uniquely named temporary file in `evidence/tmp/`,
    /// read-only from the start where the platform allows it.
    pub(crate) fn create(layout: &Layout) -> Result<Self, Error> {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let pid = *PID.get_or_init(std::process::id);
        let path = layout.tmp_dir().join(format!("{pid}-{n}{TEMP_SUFFIX}"));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o444);
        }
        let file = options.open(&path).at(&path, "create temporary copy")?;
        let read_only = cfg!(unix) && *CREATED_READ_ONLY.get_or_init(|| is_mode_0444(&file));
        Ok(Self {
            file,
            path,
            placed: false,
            read_only,
        })
    }

    /// Appends bytes to the copy.
    pub(crate) fn write_all(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.file.write_all(bytes).at(&self.path, "write copy")
    }

    /// Writes `bytes` at `offset` (ranges never written stay holes).
    pub(crate) fn write_at(&self, bytes: &[u8], offset: u64) -> Result<(), Error> {
        use std::os::unix::fs::FileExt;
        self.file
            .write_all_at(bytes, offset)
            .at(&self.path, "write copy")
    }

    /// Sets the copy's length (a trailing hole when longer than written).
    pub(crate) fn set_len(&self, len: u64) -> Result<(), Error> {
        self.file.set_len(len).at(&self.path, "size copy")
    }

    /// The copy's file (open for writing) and path, for copies made by the
    /// kernel (`copy_file_range`).
    #[cfg(target_os = "linux")]
    pub(crate) fn file(&self) -> (&File, &Path) {
        (&self.file, &self.path)
    }

    /// Makes the copy durable and places it as the object `sha256`: fsync,
    /// mode 0444, then an atomic rename into its shard. If the object already
    /// exists the copy is discarded. Returns whether a new object was placed.
    /// The shard directory still needs an fsync (see [`shard_dir`]) before the
    /// object is recorded anywhere.
    pub(crate) fn place(self, layout: &Layout, sha256: &str) -> Result<bool, Error> {
        if layout.object_path(sha256).is_file() {
            return Ok(false); // dropped: the copy is removed
        }
        self.file.sync_all().at(&self.path, "fsync copy")?;
        self.place_synced(layout, sha256)
    }

    /// Closes the copy without syncing it, handing its name to an
    /// [`UnsyncedCopy`]: the caller makes a whole batch durable at once (one
    /// `syncfs`) and then places each. Closing here keeps the process's open
    /// files bounded by the workers, however many copies wait for a batch.
    pub(crate) fn close_unsynced(mut self) -> UnsyncedCopy {
        let path = std::mem::take(&mut self.path);
        self.placed = true; // the name now belongs to the returned copy
        UnsyncedCopy {
            path,
            placed: false,
            read_only: self.read_only,
        }
    }

    fn place_synced(mut self, layout: &Layout, sha256: &str) -> Result<bool, Error> {
        let placed = place_file(&self.path, self.read_only, layout, sha256)?;
        self.placed = placed;
        Ok(placed)
    }
}

/// A complete, closed copy in `evidence/tmp/` whose data is not yet known to
/// be durable; removed on drop unless placed.
#[derive(Debug)]
pub(crate) struct UnsyncedCopy {
    path: PathBuf,
    placed: bool,
    /// Whether the file already has mode 0444.
    read_only: bool,
}

impl UnsyncedCopy {
    /// Places the copy as the object `sha256` once the caller has made its
    /// data durable (e.g. with one `syncfs` for a batch of copies). Returns
    /// whether a new object was placed; if the object exists, the copy is
    /// discarded.
    pub(crate) fn place_synced(mut self, layout: &Layout, sha256: &str) -> Result<bool, Error> {
        let placed = place_file(&self.path, self.read_only, layout, sha256)?;
        self.placed = placed;
        Ok(placed)
    }
}

impl Drop for UnsyncedCopy {
    fn drop(&mut self) {
        if !self.placed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Moves a complete file a source staged inside the case (see
/// [`crate::source::Staged`]) into the store as the object `sha256`: fsync,
/// mode 0444, atomic rename (same file system). Returns whether it was placed;
/// `false` when the object already exists (the staged file is left alone).
pub(crate) fn adopt_file(path: &Path, layout: &Layout, sha256: &str) -> Result<bool, Error> {
    if layout.object_path(sha256).is_file() {
        return Ok(false);
    }
    File::open(path)
        .and_then(|f| f.sync_all())
        .at(path, "fsync staged file")?;
    place_file(path, false, layout, sha256)
}

/// Places the durable copy at `path` as the object `sha256`: mode 0444 (set
/// here unless `read_only` says it has it), then an atomic rename into its
/// shard (created if needed). Returns `false`, and leaves the copy for its
/// owner to remove, when the object already exists.
fn place_file(path: &Path, read_only: bool, layout: &Layout, sha256: &str) -> Result<bool, Error> {
    let target = layout.object_path(sha256);
    if !read_only {
        fsutil::make_read_only(path)?;
    }
    let placed = match fsutil::rename_no_replace(path, &target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // First object of this shard: create the shard, then place.
            let shard = shard_dir(layout, sha256);
            fs::create_dir_all(&shard).at(&shard, "create shard directory")?;
            fsutil::rename_no_replace(path, &target)
        }
        other => other,
    };
    placed.at(&target, "place object")
}

/// Whether `file` has exactly mode 0444 (false if it cannot be told).
fn is_mode_0444(file: &File) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.metadata()
            .is_ok_and(|m| m.permissions().mode() & 0o7777 == 0o444)
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        false
    }
}

impl Drop for TempObject {
    fn drop(&mut self) {
        if !self.placed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The shard directory of an object (`evidence/objects/sha256/ab/`).
pub(crate) fn shard_dir(layout: &Layout, sha256: &str) -> PathBuf {
    layout
        .object_path(sha256)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| layout.objects_dir())
}

/// Removes everything in `evidence/tmp/` (leftovers of interrupted runs; safe
/// only under the case lock) and returns the names removed.
pub(crate) fn clean_tmp(layout: &Layout) -> Result<Vec<String>, Error> {
    let dir = layout.tmp_dir();
    let mut removed = Vec::new();
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fsutil::create_dir_durable(&dir)?;
            return Ok(removed);
        }
        Err(e) => return Err(Error::io(&dir, "list", e)),
    };
    for entry in entries {
        let entry = entry.at(&dir, "list")?;
        let path = entry.path();
        let is_dir = entry.file_type().at(&path, "stat")?.is_dir();
        if is_dir {
            fs::remove_dir_all(&path).at(&path, "remove leftover")?;
        } else {
            fs::remove_file(&path).at(&path, "remove leftover")?;
        }
        removed.push(entry.file_name().to_string_lossy().into_owned());
    }
    if !removed.is_empty() {
        fsutil::sync_dir(&dir)?;
    }
    removed.sort();
    Ok(removed)
}

/// One object file found on disk under its content name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredObject {
    /// The name (the SHA-256 the content should have); its path follows
    /// from it ([`Layout::object_path`]), so a million objects cost 40 MB.
    pub sha256: Sha256Digest,
    /// Its length in bytes.
    pub size: u64,
}

/// What `evidence/` holds.
#[derive(Debug, Default)]
pub(crate) struct Inventory {
    /// Regular files named and placed as objects.
    pub objects: Vec<StoredObject>,
    /// Anything else, relative to the case root.
    pub unexpected: Vec<String>,
    /// Entries in `evidence/tmp/`, relative to the case root.
    pub leftovers: Vec<String>,
    /// Whether `evidence/` exists.
    pub evidence_exists: bool,
}

/// Walks `evidence/` and sorts each entry into objects, leftovers and
/// unexpected files. Symbolic links are never followed and are unexpected.
pub(crate) fn inventory(layout: &Layout) -> Result<Inventory, Error> {
    let evidence = layout.evidence_dir();
    let mut inv = Inventory {
        evidence_exists: evidence.is_dir(),
        ..Inventory::default()
    };
    if !inv.evidence_exists {
        return Ok(inv);
    }
    let walker = walkdir::WalkDir::new(&evidence)
        .follow_links(false)
        .min_depth(1)
        .sort_by_file_name();
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().map_or_else(|| evidence.clone(), Path::to_path_buf);
            Error::io(path, "list evidence", e.into())
        })?;
        let rel_path = entry
            .path()
            .strip_prefix(layout.root())
            .unwrap_or(entry.path());
        let rel = rel_path
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let parts: Vec<&str> = rel.split('/').collect();
        let ft = entry.file_type();
        match classify(&parts, ft.is_dir(), ft.is_file()) {
            Class::Dir => {}
            Class::Leftover => inv.leftovers.push(rel),
            Class::Unexpected => inv.unexpected.push(rel),
            Class::Object => {
                let Some(sha256) = Sha256Digest::from_hex(parts[4]) else {
                    inv.unexpected.push(rel);
                    continue;
                };
                let size = entry
                    .metadata()
                    .map_err(|e| Error::io(entry.path(), "stat object", e.into()))?
                    .len();
                inv.objects.push(StoredObject { sha256, size });
            }
        }
    }
    Ok(inv)
}

enum Class {
    Dir,
    Object,
    Leftover,
    Unexpected,
}

/// Classifies a path under the case root given as components
/// (`["evidence", "objects", "sha256", "ab", "ab…"]`).
fn classify(parts: &[&str], is_dir: bool, is_file: bool) -> Class {
    let is_shard = |s: &str| {
        s.len() == 2
            && s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    };
    match parts {
        ["evidence", "objects"] | ["evidence", "objects", "sha256"] | ["evidence", "tmp"]
            if is_dir =>
        {
            Class::Dir
        }
        ["evidence", "objects", "sha256", shard] if is_dir && is_shard(shard) => Class::Dir,
        ["evidence", "objects", "sha256", shard, name]
            if is_file && is_sha256_hex(name) && name.starts_with(shard) =>
        {
            Class::Object
        }
        ["evidence", "tmp", ..] => Class::Leftover,
        _ => Class::Unexpected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> (tempfile::TempDir, Layout) {
        let dir = tempfile::tempdir().expect("tempdir");
        let layout = Layout::new(dir.path());
        fs::create_dir_all(layout.objects_dir()).expect("mkdir");
        fs::create_dir_all(layout.tmp_dir()).expect("mkdir");
        (dir, layout)
    }

    #[test]
    fn placed_objects_are_read_only_and_duplicates_discarded() {
        let (_d, layout) = layout();
        let sha = crate::hash::sha256_hex(b"abc");
        let mut t = TempObject::create(&layout).expect("temp");
        t.write_all(b"abc").expect("write");
        assert!(t.place(&layout, &sha).expect("place"));
        let placed = layout.object_path(&sha);
        assert_eq!(fs::read(&placed).expect("read"), b"abc");
        let perms = fs::metadata(&placed).expect("stat").permissions();
        assert!(perms.readonly());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(perms.mode() & 0o7777, 0o444);
        }
        let mut t = TempObject::create(&layout).expect("temp");
        t.write_all(b"abc").expect("write");
        assert!(!t.place(&layout, &sha).expect("place duplicate"));
        assert_eq!(fs::read_dir(layout.tmp_dir()).expect("ls").count(), 0);
    }

    #[test]
    fn dropped_temp_is_removed_and_leftovers_cleaned() {
        let (_d, layout) = layout();
        drop(TempObject::create(&layout).expect("temp"));
        assert_eq!(fs::read_dir(layout.tmp_dir()).expect("ls").count(), 0);
        fs::write(layout.tmp_dir().join("9-9.partial"), b"x").expect("write");
        assert_eq!(
            clean_tmp(&layout).expect("clean"),
            vec!["9-9.partial".to_owned()]
        );
        assert_eq!(fs::read_dir(layout.tmp_dir()).expect("ls").count(), 0);
    }

    #[test]
    fn inventory_sorts_objects_leftovers_and_strays() {
        let (_d, layout) = layout();
        let sha = crate::hash::sha256_hex(b"abc");
        let mut t = TempObject::create(&layout).expect("temp");
        t.write_all(b"abc").expect("write");
        t.place(&layout, &sha).expect("place");
        fs::write(layout.tmp_dir().join("1-1.partial"), b"x").expect("write");
        fs::write(layout.evidence_dir().join("notes.txt"), b"x").expect("write");
        let wrong_shard = layout.objects_dir().join("00");
        fs::create_dir_all(&wrong_shard).expect("mkdir");
        fs::write(wrong_shard.join(&sha), b"abc").expect("write");
        let inv = inventory(&layout).expect("inventory");
        assert_eq!(inv.objects.len(), 1);
        assert_eq!(inv.objects[0].sha256.to_hex(), sha);
        assert_eq!(inv.objects[0].size, 3);
        assert_eq!(inv.leftovers, vec!["evidence/tmp/1-1.partial".to_owned()]);
        assert_eq!(
            inv.unexpected,
            vec![
                "evidence/notes.txt".to_owned(),
                format!("evidence/objects/sha256/00/{sha}")
            ]
        );
    }
}
