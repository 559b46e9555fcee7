//! Every non-digest input file, indexed by the keys digests use to name files: the path
//! relative to the root, the `AWSLogs/…` layout key, and the file name.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::layout;

use super::discover::Src;

/// Every non-digest file of the inputs, stored once; the maps hold indexes into `files`.
#[derive(Default)]
pub(super) struct FileIndex {
    files: Vec<Src>,
    by_layout: HashMap<String, Vec<u32>>,
    by_name: HashMap<String, Vec<u32>>,
    by_rel: HashMap<String, Vec<u32>>,
}

impl FileIndex {
    /// Adds a file; returns its id. Paths relative to `root` are indexed verbatim too.
    pub(super) fn add(&mut self, f: Src, root: Option<&Path>) -> u32 {
        let id = u32::try_from(self.files.len()).unwrap_or(u32::MAX);
        let p = &f.loc;
        if let Some(k) = layout::layout_key_of_path(p) {
            self.by_layout.entry(k).or_default().push(id);
        }
        let name = layout::name_key_of_path(p);
        self.by_name.entry(name).or_default().push(id);
        if let Some(rel) = root.and_then(|r| p.strip_prefix(r).ok()) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            let rel = rel.strip_suffix(".gz").unwrap_or(&rel).to_string();
            self.by_rel.entry(rel).or_default().push(id);
        }
        self.files.push(f);
        id
    }

    fn src(&self, id: u32) -> Option<&Src> {
        self.files.get(id as usize)
    }

    /// Where file `id` is (its location).
    pub(super) fn path(&self, id: u32) -> &Path {
        self.src(id).map_or(Path::new(""), |f| f.loc.as_path())
    }

    /// Where file `id`'s bytes are read from.
    pub(super) fn read_path(&self, id: u32) -> &Path {
        self.src(id).map_or(Path::new(""), |f| f.read.as_path())
    }

    /// File `id`'s stored copy, when it is read from somewhere else than its location.
    pub(super) fn stored(&self, id: u32) -> Option<PathBuf> {
        self.src(id).and_then(Src::stored)
    }

    /// File `id` for messages: its location, and its stored copy if any.
    pub(super) fn describe(&self, id: u32) -> String {
        self.src(id).map(Src::describe).unwrap_or_default()
    }

    /// Local files for an S3 key: exact under root, then layout key, then file name.
    pub(super) fn find(&self, key: &str) -> &[u32] {
        let stripped = key.strip_suffix(".gz").unwrap_or(key);
        [
            self.by_rel.get(stripped),
            layout::layout_key(key).and_then(|k| self.by_layout.get(&k)),
            self.by_name.get(&layout::name_key(key)),
        ]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
        .map(Vec::as_slice)
        .unwrap_or(&[])
    }
}
