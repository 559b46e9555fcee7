//! Where an export may write: never into a case's evidence store, and only into a new or
//! empty directory.

use std::fs;
use std::path::{Component, Path, PathBuf};

use cloudcase_evidence::Layout;

use crate::ExportError;

/// Checks `out` and creates it. Refuses an `out` inside the evidence store (`evidence/`) of
/// the case `case` or of any case folder above `out`, and an `out` that already has entries.
/// Returns the root of the case `out` lies in, if any (its `work/` is the place for derived
/// data; the export is not recorded in the custody log).
pub fn prepare_out(out: &Path, case: Option<&Path>) -> Result<Option<PathBuf>, ExportError> {
    let resolved = resolve(out)?;
    let mut inside = None;
    let mut roots: Vec<PathBuf> = resolved
        .ancestors()
        .filter(|a| Layout::new(*a).case_file().is_file())
        .map(Path::to_path_buf)
        .collect();
    if let Some(c) = case {
        roots.push(resolve(c)?);
    }
    for root in roots {
        let evidence = resolve(&Layout::new(&root).evidence_dir())?;
        if resolved.starts_with(&evidence) {
            return Err(ExportError::IntoEvidence {
                out: out.to_owned(),
                case: root,
            });
        }
        if resolved.starts_with(&root) && inside.is_none() {
            inside = Some(root);
        }
    }
    match fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(ExportError::NotEmpty(out.to_owned()));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(out).map_err(|e| ExportError::io(out, e))?;
        }
        Err(e) => return Err(ExportError::io(out, e)),
    }
    Ok(inside)
}

/// `path` made absolute with symbolic links resolved as far as it exists, the rest appended
/// with `.` and `..` applied.
fn resolve(path: &Path) -> Result<PathBuf, ExportError> {
    let abs = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir()
            .map_err(|e| ExportError::io(path, e))?
            .join(path)
    };
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    let base = loop {
        match existing.canonicalize() {
            Ok(c) => break c,
            Err(_) => match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_owned());
                    existing = parent;
                }
                _ => break existing.to_owned(),
            },
        }
    };
    let mut out = base;
    for name in rest.iter().rev() {
        match Path::new(name).components().next() {
            Some(Component::ParentDir) => {
                out.pop();
            }
            Some(Component::CurDir) | None => {}
            Some(_) => out.push(name),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(dir: &Path) -> PathBuf {
        let root = dir.join("case");
        fs::create_dir_all(root.join("evidence/objects")).expect("mkdir");
        fs::create_dir_all(root.join("work")).expect("mkdir");
        fs::write(Layout::new(&root).case_file(), "{}").expect("case.json");
        root
    }

    #[test]
    fn evidence_is_refused_however_it_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = case(dir.path());
        for out in [
            root.join("evidence"),
            root.join("evidence/new"),
            root.join("work/../evidence/x"),
            root.join("evidence/objects"),
        ] {
            let err = prepare_out(&out, None).expect_err("refused");
            assert!(matches!(err, ExportError::IntoEvidence { .. }), "{out:?}");
        }
        let outside = dir.path().join("elsewhere");
        fs::create_dir_all(&outside).expect("mkdir");
        let via_case = prepare_out(&root.join("evidence/x"), Some(&root));
        assert!(via_case.is_err());
        assert!(!root.join("evidence/x").exists());
    }

    #[test]
    fn work_is_allowed_and_non_empty_directories_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = case(dir.path());
        let got = prepare_out(&root.join("work/export"), None).expect("allowed");
        assert_eq!(got, Some(root.canonicalize().expect("canon")));
        assert!(root.join("work/export").is_dir());
        fs::write(root.join("work/export/part-0.parquet"), b"x").expect("write");
        let err = prepare_out(&root.join("work/export"), None).expect_err("not empty");
        assert!(matches!(err, ExportError::NotEmpty(_)));
        assert_eq!(
            prepare_out(&dir.path().join("plain"), None).expect("ok"),
            None
        );
    }
}
