//! Expanding the command line's inputs into the list of files to read.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cloudcase_event::SourceFile;

use crate::{archive, Accounting, FileList, ReadError, RejectKind, Rejection};

/// The files to read, in a stable order, plus the accounting of entries that
/// could not even be listed.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Files in input order; directories expanded recursively, sorted by name,
    /// and archives into their members (compact: see [`FileList`]).
    pub files: FileList,
    /// Directory entries that could not be listed (counted as seen and skipped).
    pub accounting: Accounting,
}

/// Expands `paths` (files and directories, recursively) into [`Inputs`].
///
/// A path named on the command line that does not exist is an error (most
/// likely a typo); an unreadable entry inside a directory is reported through
/// `on_reject` and counted. The same file reached twice is read once.
/// Symbolic links are followed; a link loop or a dangling link is reported
/// as an unreadable entry, never walked endlessly or skipped in silence.
pub fn discover(paths: &[PathBuf], on_reject: &dyn Fn(Rejection)) -> Result<Inputs, ReadError> {
    let mut inputs = Inputs::default();
    let mut seen = HashSet::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| ReadError::Input {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            walk(path, &mut inputs, &mut seen, on_reject);
        } else {
            push(path.to_path_buf(), &mut inputs, &mut seen);
        }
    }
    inputs.files.shrink_to_fit();
    Ok(inputs)
}

/// Identity of a file for de-duplication: device and inode where the platform
/// has them (one `stat`, no path resolution), else the canonical path.
#[derive(Debug, PartialEq, Eq, Hash)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    Path(PathBuf),
}

fn file_id(path: &Path) -> FileId {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata(path) {
            return FileId::Inode(meta.dev(), meta.ino());
        }
    }
    FileId::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}

impl Inputs {
    /// Adds a file whose hash and origin are already known (an evidence
    /// object of a case), after the files found so far; an archive's members
    /// are listed as files of their own.
    pub fn push_known(&mut self, path: PathBuf, sha256: String, origin: Option<String>) {
        self.add(path, Some(sha256), origin);
    }

    /// Adds the file at `path`, or if it is an archive (recognised by
    /// content) each of its members, `archive!member`, with ordinals in turn.
    fn add(&mut self, path: PathBuf, sha256: Option<String>, origin: Option<String>) {
        let ordinal = self.files.len() as u64;
        let name = origin
            .clone()
            .unwrap_or_else(|| path.to_string_lossy().into_owned());
        let members = archive::list(&path, &name).unwrap_or_default();
        if members.is_empty() {
            self.files.push(path, sha256, origin);
            return;
        }
        let file = Arc::new(SourceFile {
            path,
            sha256,
            origin,
            ordinal,
            member: None,
        });
        let count = members.len() as u64;
        for (index, name) in (0..).zip(&members) {
            self.files
                .push_whole(archive::member_file(&file, name, index, Some(count)));
        }
    }
}

fn push(path: PathBuf, inputs: &mut Inputs, seen: &mut HashSet<FileId>) {
    if seen.insert(file_id(&path)) {
        inputs.add(path, None, None);
    }
}

fn walk(
    root: &Path,
    inputs: &mut Inputs,
    seen: &mut HashSet<FileId>,
    on_reject: &dyn Fn(Rejection),
) {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by(|a, b| a.file_name().cmp(b.file_name()));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_dir() => {}
            Ok(e) => push(e.into_path(), inputs, seen),
            Err(err) => {
                let path = err.path().unwrap_or(root).to_path_buf();
                inputs.accounting.files_seen += 1;
                inputs.accounting.skip_file(RejectKind::Unreadable);
                on_reject(Rejection {
                    origin: None,
                    file: path,
                    record: None,
                    offset: None,
                    kind: RejectKind::Unreadable,
                    detail: format!("cannot list: {err}"),
                });
            }
        }
    }
}
