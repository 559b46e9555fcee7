//! A run's input files, and the compact list discovery keeps them in.
//!
//! One account's month is tens of thousands of files and an organisation's year millions. A
//! list of `Arc<SourceFile>` costs about 330 bytes a file (the struct, its `Arc`, and a path of
//! some 165 bytes): 330 MB at a million files, before a record is read. [`FileList`] keeps the
//! paths front-coded instead (each path as the length it shares with the one before and the
//! rest): about 40 bytes a file on delivery layouts (41 on the 20 GB busy corpus). It makes a
//! file's [`SourceFile`] when a reader takes it.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

use cloudcase_event::SourceFile;

/// Input files by position: what readers take files from, each by its index.
pub trait Files: Sync {
    /// How many files there are.
    fn count(&self) -> usize;

    /// The file at `index` (from 0), made on demand by compact lists.
    fn file(&self, index: usize) -> Option<Arc<SourceFile>>;

    /// The file whose [`SourceFile::ordinal`] is `ordinal`: in a run's whole list its index,
    /// else searched for.
    fn by_ordinal(&self, ordinal: u64) -> Option<Arc<SourceFile>> {
        let direct = usize::try_from(ordinal).ok().and_then(|i| self.file(i));
        match direct {
            Some(f) if f.ordinal == ordinal => Some(f),
            _ => each(self).find(|f| f.ordinal == ordinal),
        }
    }
}

/// Every file of `files`, in order.
pub fn each<F: Files + ?Sized>(files: &F) -> impl Iterator<Item = Arc<SourceFile>> + '_ {
    (0..files.count()).filter_map(move |i| files.file(i))
}

impl Files for Vec<Arc<SourceFile>> {
    fn count(&self) -> usize {
        self.len()
    }

    fn file(&self, index: usize) -> Option<Arc<SourceFile>> {
        self.get(index).cloned()
    }
}

impl<const N: usize> Files for [Arc<SourceFile>; N] {
    fn count(&self) -> usize {
        N
    }

    fn file(&self, index: usize) -> Option<Arc<SourceFile>> {
        self.get(index).cloned()
    }
}

/// The files of a run's list at some of its indexes (sorted), e.g. those a second pass reads:
/// eight bytes a file instead of a copy of each.
pub struct Selection<'a> {
    all: &'a dyn Files,
    indexes: Vec<usize>,
}

impl<'a> Selection<'a> {
    /// The files of `all` that `keep` accepts, in order.
    pub fn of(all: &'a dyn Files, keep: impl Fn(&SourceFile) -> bool) -> Self {
        Selection {
            all,
            indexes: (0..all.count())
                .filter(|&i| all.file(i).is_some_and(|f| keep(&f)))
                .collect(),
        }
    }
}

impl Files for Selection<'_> {
    fn count(&self) -> usize {
        self.indexes.len()
    }

    fn file(&self, index: usize) -> Option<Arc<SourceFile>> {
        self.all.file(*self.indexes.get(index)?)
    }

    fn by_ordinal(&self, ordinal: u64) -> Option<Arc<SourceFile>> {
        self.all.by_ordinal(ordinal)
    }
}

/// A run's input list, compact: plain files (path, and for an evidence object its digest and
/// origin) front-coded, and the rare archive members kept whole. Index and ordinal agree.
#[derive(Debug, Default)]
pub struct FileList {
    paths: Texts,
    /// Digests that are not their path's file name.
    digests: Texts,
    /// Whether each file's digest is its path's file name, as an evidence object's is
    /// (`…/objects/sha256/ab/<digest>`): kept once instead of twice.
    digest_is_name: Vec<bool>,
    /// The file names that are digests in lower-case hex, as their 32 bytes: such a file's path
    /// is kept without its name, which would otherwise cost 64 bytes a file, since objects are
    /// listed in the order they were acquired and neighbours' digests share nothing.
    names: Texts,
    origins: Texts,
    /// Archive members, by index; their slots in the texts are empty.
    whole: BTreeMap<usize, Arc<SourceFile>>,
}

impl FileList {
    /// How many files are listed.
    pub fn len(&self) -> usize {
        self.paths.len
    }

    /// Whether no file is listed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lists a plain file (no archive member) as the next one: its ordinal is its index.
    pub fn push(&mut self, path: PathBuf, sha256: Option<String>, origin: Option<String>) {
        let is_name =
            sha256.is_some() && path.file_name().and_then(|n| n.to_str()) == sha256.as_deref();
        let bytes = path.as_os_str().as_encoded_bytes();
        let raw = sha256.as_deref().filter(|_| is_name).and_then(hex_name);
        let dir = raw
            .as_ref()
            .map_or(bytes, |_| &bytes[..bytes.len() - DIGEST_HEX]);
        self.paths.push(Some(dir));
        self.names.push(raw.as_ref().map(|r| r.as_slice()));
        self.digest_is_name.push(is_name);
        self.digests
            .push(sha256.as_deref().filter(|_| !is_name).map(str::as_bytes));
        self.origins.push(origin.as_deref().map(str::as_bytes));
    }

    /// Lists `file` (an archive member, whose ordinal is the next index) as it is.
    pub fn push_whole(&mut self, file: Arc<SourceFile>) {
        self.whole.insert(self.len(), file);
        self.paths.push(None);
        self.names.push(None);
        self.digest_is_name.push(false);
        self.digests.push(None);
        self.origins.push(None);
    }

    /// Every file, in order.
    pub fn iter(&self) -> impl Iterator<Item = Arc<SourceFile>> + '_ {
        each(self)
    }

    /// Gives back the room the list grew into: called once discovery is done, since the texts
    /// grow by doubling and may hold up to twice their bytes.
    pub fn shrink_to_fit(&mut self) {
        for t in [
            &mut self.paths,
            &mut self.digests,
            &mut self.names,
            &mut self.origins,
        ] {
            t.bytes.shrink_to_fit();
            t.blocks.shrink_to_fit();
        }
        self.digest_is_name.shrink_to_fit();
    }
}

/// Characters of a SHA-256 digest in hex.
const DIGEST_HEX: usize = 64;

/// The 32 bytes of `name` if it is a SHA-256 digest in lower-case hex (as the evidence store
/// names objects), so that it reads back exactly as written.
fn hex_name(name: &str) -> Option<[u8; 32]> {
    let lower = |c: u8| c.is_ascii_digit() || (b'a'..=b'f').contains(&c);
    if name.len() != DIGEST_HEX || !name.bytes().all(lower) {
        return None;
    }
    cloudcase_util::hex::decode(name)?.try_into().ok()
}

impl Files for FileList {
    fn count(&self) -> usize {
        self.len()
    }

    fn file(&self, index: usize) -> Option<Arc<SourceFile>> {
        if let Some(whole) = self.whole.get(&index) {
            return Some(Arc::clone(whole));
        }
        let mut path = self.paths.get(index)??;
        if let Some(raw) = self.names.get(index).flatten() {
            path.extend_from_slice(cloudcase_util::hex::encode(&raw).as_bytes());
        }
        // SAFETY: the bytes are exactly those `as_encoded_bytes` gave for one path in `push`,
        // put back together from its shared prefix and its own rest (and a digest name, ASCII,
        // from its 32 bytes).
        let path = PathBuf::from(unsafe { OsString::from_encoded_bytes_unchecked(path) });
        let text = |t: &Texts| {
            t.get(index)
                .flatten()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        let sha256 = if self.digest_is_name.get(index) == Some(&true) {
            path.file_name().and_then(|n| n.to_str()).map(str::to_owned)
        } else {
            text(&self.digests)
        };
        Some(Arc::new(SourceFile {
            path,
            sha256,
            origin: text(&self.origins),
            ordinal: index as u64,
            member: None,
        }))
    }
}

/// Values in a block restart from nothing every this many entries, which bounds what a lookup
/// decodes.
const BLOCK: usize = 16;

/// Byte strings (or their absence), each stored as the length it shares with the value before
/// it and the rest, in blocks of [`BLOCK`].
#[derive(Debug, Default)]
struct Texts {
    bytes: Vec<u8>,
    /// Where each block starts in `bytes`.
    blocks: Vec<usize>,
    len: usize,
    /// The last value pushed (the one the next shares a prefix with).
    last: Vec<u8>,
}

impl Texts {
    /// Appends `value`: a header (shared length and presence), the rest's length, the rest.
    fn push(&mut self, value: Option<&[u8]>) {
        if self.len % BLOCK == 0 {
            self.blocks.push(self.bytes.len());
            self.last.clear();
        }
        self.len += 1;
        let Some(value) = value else {
            put_varint(&mut self.bytes, 0);
            return;
        };
        let shared = self
            .last
            .iter()
            .zip(value)
            .take_while(|(a, b)| a == b)
            .count();
        put_varint(&mut self.bytes, (shared as u64) << 1 | 1);
        put_varint(&mut self.bytes, (value.len() - shared) as u64);
        self.bytes.extend_from_slice(&value[shared..]);
        self.last.truncate(shared);
        self.last.extend_from_slice(&value[shared..]);
    }

    /// The value at `index` (`Some(None)` when absent), decoded from its block's start.
    fn get(&self, index: usize) -> Option<Option<Vec<u8>>> {
        if index >= self.len {
            return None;
        }
        let mut at = *self.blocks.get(index / BLOCK)?;
        let mut value = Vec::new();
        let mut present = false;
        for _ in 0..=index % BLOCK {
            let header = get_varint(&self.bytes, &mut at)?;
            present = header & 1 == 1;
            if !present {
                continue;
            }
            let shared = usize::try_from(header >> 1).ok()?;
            let rest = usize::try_from(get_varint(&self.bytes, &mut at)?).ok()?;
            value.truncate(shared);
            value.extend_from_slice(self.bytes.get(at..at.checked_add(rest)?)?);
            at += rest;
        }
        Some(present.then_some(value))
    }
}

/// Appends `n` as a LEB128 varint.
fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads a LEB128 varint at `*at`, moving past it.
fn get_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        n |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `i`-th file of an organisation trail's delivery layout, in discovery (name) order:
    /// accounts, then days, then five-minute files with a random-looking end.
    fn delivery_path(i: usize) -> PathBuf {
        let (account, day, slot) = (111_122_223_300 + i / 8640, 1 + i / 288 % 30, i % 288);
        PathBuf::from(format!(
            "logs/AWSLogs/o-aa11bb22cc/{account}/CloudTrail/us-east-1/2024/11/{day:02}/{account}_CloudTrail_us-east-1_202411{day:02}T{:02}{:02}Z_{:016x}.json.gz",
            slot / 12,
            slot % 12 * 5,
            (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ))
    }

    #[test]
    fn every_file_comes_back_as_it_was_listed() {
        let mut list = FileList::default();
        let mut want = Vec::new();
        for i in 0..1000 {
            let digest = (i % 3 == 0).then(|| format!("{i:064x}"));
            let origin =
                (i % 5 == 0).then(|| format!("s3://bucket/{}", delivery_path(i).display()));
            let origin = if i == 10 { Some(String::new()) } else { origin };
            list.push(delivery_path(i), digest.clone(), origin.clone());
            want.push((delivery_path(i), digest, origin));
        }
        assert_eq!(list.len(), 1000);
        for (i, (path, digest, origin)) in want.into_iter().enumerate() {
            let f = list.file(i).expect("listed");
            assert_eq!((&f.path, &f.sha256, &f.origin), (&path, &digest, &origin));
            assert_eq!(f.ordinal, i as u64);
            assert!(f.member.is_none());
        }
        assert!(list.file(1000).is_none());
        assert_eq!(list.iter().count(), 1000);
    }

    #[test]
    fn an_evidence_objects_digest_is_kept_once_and_comes_back() {
        let mut list = FileList::default();
        let digest = "0f".repeat(32);
        let path = PathBuf::from(format!("case/evidence/objects/sha256/0f/{digest}"));
        list.push(path.clone(), Some(digest.clone()), Some("s3://b/k".into()));
        list.push(path.clone(), Some("ff".repeat(32)), None);
        assert!(
            list.digests.get(0).is_some_and(|d| d.is_none()),
            "not stored twice"
        );
        let f = list.file(0).expect("listed");
        assert_eq!(
            (&f.path, f.sha256.as_deref()),
            (&path, Some(digest.as_str()))
        );
        let other = list.file(1).expect("listed");
        assert_eq!(
            other.sha256,
            Some("ff".repeat(32)),
            "a digest that is not the name"
        );
        // The name is kept as 32 bytes, not in the path; a name in upper case stays in it.
        assert!(list
            .names
            .get(0)
            .is_some_and(|n| n.is_some_and(|n| n.len() == 32)));
        let upper = "0F".repeat(32);
        let upper_path = PathBuf::from(format!("case/evidence/objects/sha256/0f/{upper}"));
        list.push(upper_path.clone(), Some(upper.clone()), None);
        assert!(list.names.get(2).is_some_and(|n| n.is_none()));
        let f = list.file(2).expect("listed");
        assert_eq!(
            (&f.path, f.sha256.as_deref()),
            (&upper_path, Some(upper.as_str()))
        );
        list.shrink_to_fit();
        assert_eq!(
            list.file(0).expect("listed").path,
            path,
            "unchanged by shrinking"
        );
        assert_eq!(hex_name(&"0f".repeat(31)), None);
        assert_eq!(hex_name(&format!("{}g", "0".repeat(63))), None);
    }

    #[test]
    fn delivery_layouts_cost_a_fraction_of_their_paths() {
        let mut list = FileList::default();
        let mut text = 0;
        for i in 0..10_000 {
            text += delivery_path(i).as_os_str().len();
            list.push(delivery_path(i), None, None);
        }
        let kept = list.paths.bytes.len() + list.digests.bytes.len() + list.origins.bytes.len();
        assert!(
            kept * 3 < text,
            "{kept} bytes kept for {text} bytes of paths"
        );
    }

    #[test]
    fn archive_members_are_kept_whole_between_plain_files() {
        let mut list = FileList::default();
        list.push("a.json".into(), None, None);
        let mut member = SourceFile::plain("b.zip!x.json");
        member.ordinal = 1;
        list.push_whole(Arc::new(member));
        list.push("c.json".into(), None, None);
        let paths: Vec<_> = list.iter().map(|f| f.path.clone()).collect();
        assert_eq!(
            paths,
            [
                PathBuf::from("a.json"),
                "b.zip!x.json".into(),
                "c.json".into()
            ]
        );
        assert_eq!(list.by_ordinal(2).map(|f| f.ordinal), Some(2));
    }

    #[cfg(unix)]
    #[test]
    fn paths_that_are_not_utf8_come_back_byte_for_byte() {
        use std::os::unix::ffi::OsStrExt;
        let odd = PathBuf::from(std::ffi::OsStr::from_bytes(b"logs/\xff\xfe.json"));
        let mut list = FileList::default();
        list.push("logs/a.json".into(), None, None);
        list.push(odd.clone(), None, None);
        assert_eq!(list.file(1).map(|f| f.path.clone()), Some(odd));
    }

    #[test]
    fn a_selection_reads_its_files_and_finds_any_by_ordinal() {
        let mut list = FileList::default();
        for i in 0..40 {
            list.push(delivery_path(i), None, None);
        }
        let odd = Selection::of(&list, |f| f.ordinal % 2 == 1);
        assert_eq!(odd.count(), 20);
        assert_eq!(odd.file(3).map(|f| f.ordinal), Some(7));
        assert_eq!(odd.by_ordinal(8).map(|f| f.ordinal), Some(8));
        let files: Vec<Arc<SourceFile>> = list.iter().collect();
        assert_eq!(files.by_ordinal(39).map(|f| f.ordinal), Some(39));
    }

    #[test]
    fn varints_round_trip_and_refuse_to_run_past_the_end() {
        let mut out = Vec::new();
        for n in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            out.clear();
            put_varint(&mut out, n);
            let mut at = 0;
            assert_eq!(get_varint(&out, &mut at), Some(n));
            assert_eq!(at, out.len());
            at = 0;
            assert_eq!(get_varint(&out[..out.len() - 1], &mut at), None);
        }
    }
}
