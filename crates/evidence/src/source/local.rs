//! Local files and directories as a [`Source`].

use std::fs::{self, File, Metadata, OpenOptions};
use std::path::{Path, PathBuf};

use super::{ItemMeta, ListEntry, Locator, Opened, Source, SourceError, SourceItem};
use crate::meta::system_time_utc;

/// A local file, or a directory acquired recursively.
///
/// The path is resolved to its absolute, canonical form (symbolic links in the
/// given path are resolved), which is what the manifest records. Inside a
/// directory, symbolic links are not followed (they could leave the tree or
/// loop) and special files (FIFOs, sockets, devices) are not read (reading
/// them could block or never end); both are reported as skipped.
#[derive(Debug, Clone)]
pub struct LocalSource {
    given: PathBuf,
}

impl LocalSource {
    /// A source for `path` (a file or a directory).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { given: path.into() }
    }

    fn given_uri(&self) -> String {
        std::path::absolute(&self.given)
            .unwrap_or_else(|_| self.given.clone())
            .to_string_lossy()
            .into_owned()
    }
}

fn uri_of(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn item(path: &Path, meta: &Metadata) -> SourceItem {
    SourceItem {
        uri: uri_of(path),
        // The URI is the path itself unless the path is not UTF-8 (then the
        // URI is a lossy rendering and the exact path must be kept).
        locator: match path.to_str() {
            Some(_) => Locator::Uri,
            None => Locator::Path(path.to_path_buf()),
        },
        size: Some(meta.len()),
        mtime: meta.modified().ok().and_then(system_time_utc),
        identity: None,
    }
}

fn describe_type(ft: fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "a device";
        }
    }
    if ft.is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    }
}

impl Source for LocalSource {
    fn kind(&self) -> &'static str {
        "file"
    }

    fn describe(&self) -> String {
        self.given_uri()
    }

    fn list(&self) -> Box<dyn Iterator<Item = ListEntry> + '_> {
        let root = match fs::canonicalize(&self.given) {
            Ok(r) => r,
            Err(error) => {
                return Box::new(std::iter::once(ListEntry::Failed(SourceError::Io {
                    uri: self.given_uri(),
                    action: "open",
                    error,
                })))
            }
        };
        let meta = match fs::metadata(&root) {
            Ok(m) => m,
            Err(error) => {
                return Box::new(std::iter::once(ListEntry::Failed(SourceError::Io {
                    uri: uri_of(&root),
                    action: "stat",
                    error,
                })))
            }
        };
        if meta.is_file() {
            return Box::new(std::iter::once(ListEntry::Item(item(&root, &meta))));
        }
        if !meta.is_dir() {
            return Box::new(std::iter::once(ListEntry::Failed(
                SourceError::Unsupported {
                    uri: uri_of(&root),
                    found: describe_type(meta.file_type()).to_owned(),
                },
            )));
        }
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name();
        Box::new(walker.into_iter().filter_map(|entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let uri = e.path().map(uri_of).unwrap_or_default();
                    return Some(ListEntry::Failed(SourceError::Io {
                        uri,
                        action: "list",
                        error: e.into(),
                    }));
                }
            };
            let ft = entry.file_type();
            if ft.is_dir() {
                return None;
            }
            if ft.is_symlink() {
                let target = fs::read_link(entry.path())
                    .map(|t| t.to_string_lossy().into_owned())
                    .unwrap_or_else(|e| format!("unreadable: {e}"));
                return Some(ListEntry::Skipped {
                    uri: uri_of(entry.path()),
                    reason: format!("symbolic link not followed (points to {target})"),
                });
            }
            if !ft.is_file() {
                return Some(ListEntry::Skipped {
                    uri: uri_of(entry.path()),
                    reason: format!("{} is not read", describe_type(ft)),
                });
            }
            Some(match entry.metadata() {
                Ok(meta) => ListEntry::Item(item(entry.path(), &meta)),
                Err(e) => ListEntry::Failed(SourceError::Io {
                    uri: uri_of(entry.path()),
                    action: "stat",
                    error: e.into(),
                }),
            })
        }))
    }

    fn open(&self, item: &SourceItem) -> Result<Opened, SourceError> {
        let Some(path) = item.local_path() else {
            return Err(SourceError::Unsupported {
                uri: item.uri.clone(),
                found: format!("a non-file locator {:?}", item.locator),
            });
        };
        let io = |action, error| SourceError::Io {
            uri: item.uri.clone(),
            action,
            error,
        };
        let mut options = OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            // Never block on a FIFO swapped in after listing.
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NONBLOCK);
        }
        let file: File = options.open(path).map_err(|e| io("open", e))?;
        let meta = file.metadata().map_err(|e| io("stat", e))?;
        if !meta.is_file() {
            return Err(SourceError::Unsupported {
                uri: item.uri.clone(),
                found: describe_type(meta.file_type()).to_owned(),
            });
        }
        Ok(Opened {
            reader: Box::new(file),
            meta: ItemMeta {
                size: Some(meta.len()),
                mtime: meta.modified().ok().and_then(system_time_utc),
                metadata: Default::default(),
            },
        })
    }

    fn confirm_unchanged(
        &self,
        item: &SourceItem,
        opened: &ItemMeta,
        bytes_read: u64,
    ) -> Result<(), SourceError> {
        let changed = |detail: String| SourceError::Changed {
            uri: item.uri.clone(),
            detail,
        };
        if let Some(size) = opened.size {
            if size != bytes_read {
                return Err(changed(format!(
                    "size was {size} bytes at open, read {bytes_read}"
                )));
            }
        }
        if let Some(path) = item.local_path() {
            let now = fs::metadata(path).map_err(|error| SourceError::Io {
                uri: item.uri.clone(),
                action: "stat after read",
                error,
            })?;
            let mtime = now.modified().ok().and_then(system_time_utc);
            if mtime != opened.mtime {
                return Err(changed(format!(
                    "modification time was {} at open, {} after reading",
                    opened.mtime.as_deref().unwrap_or("unknown"),
                    mtime.as_deref().unwrap_or("unknown")
                )));
            }
            if Some(now.len()) != opened.size {
                return Err(changed(format!(
                    "size was {} bytes at open, {} after reading",
                    opened.size.unwrap_or_default(),
                    now.len()
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn items(src: &LocalSource) -> (Vec<SourceItem>, Vec<String>, Vec<String>) {
        let (mut ok, mut skipped, mut failed) = (Vec::new(), Vec::new(), Vec::new());
        for e in src.list() {
            match e {
                ListEntry::Item(i) => ok.push(i),
                ListEntry::Skipped { uri, .. } => skipped.push(uri),
                ListEntry::Failed(e) => failed.push(e.to_string()),
            }
        }
        (ok, skipped, failed)
    }

    #[test]
    fn lists_directories_recursively_with_absolute_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = fs::canonicalize(dir.path()).expect("canon");
        fs::create_dir_all(root.join("a/b")).expect("mkdir");
        fs::write(root.join("a/b/x.json"), b"xx").expect("write");
        fs::write(root.join("top.gz"), b"t").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("top.gz"), root.join("link")).expect("symlink");
        let (ok, skipped, failed) = items(&LocalSource::new(dir.path()));
        let uris: Vec<_> = ok.iter().map(|i| i.uri.clone()).collect();
        assert_eq!(
            uris,
            vec![
                uri_of(&root.join("a/b/x.json")),
                uri_of(&root.join("top.gz"))
            ]
        );
        assert_eq!(ok[0].size, Some(2));
        assert!(ok[0].mtime.as_deref().is_some_and(|m| m.ends_with('Z')));
        #[cfg(unix)]
        assert_eq!(skipped, vec![uri_of(&root.join("link"))]);
        assert!(failed.is_empty());

        let src = LocalSource::new(root.join("top.gz"));
        let (ok, _, _) = items(&src);
        let mut opened = src.open(&ok[0]).expect("open");
        let mut s = String::new();
        opened.reader.read_to_string(&mut s).expect("read");
        assert_eq!(s, "t");
        src.confirm_unchanged(&ok[0], &opened.meta, 1)
            .expect("unchanged");
        assert!(matches!(
            src.confirm_unchanged(&ok[0], &opened.meta, 2),
            Err(SourceError::Changed { .. })
        ));
    }

    #[test]
    fn missing_path_is_a_failure_naming_it() {
        let (ok, _, failed) = items(&LocalSource::new("/nonexistent/cloudcase/x"));
        assert!(ok.is_empty());
        assert_eq!(failed.len(), 1);
        assert!(
            failed[0].contains("/nonexistent/cloudcase/x"),
            "{}",
            failed[0]
        );
    }
}
