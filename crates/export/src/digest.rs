//! SHA-256 of a plain input file, for the `evidence_sha256` column when the file does not
//! come from a case (whose manifest gives it).

use std::fs::File;
use std::io::Read;

use cloudcase_event::SourceFile;
use sha2::{Digest, Sha256};

/// The SHA-256 (hex) of the file on disk `file` was read from: the archive for an archive
/// member. `None` when it cannot be read (it is then left NULL, never guessed).
pub fn file_sha256(file: &SourceFile) -> Option<String> {
    if let Some(m) = &file.member {
        return m.archive.sha256.clone().or_else(|| file_sha256(&m.archive));
    }
    let mut f = File::open(&file.path).ok()?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(cloudcase_util::hex::encode(&hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_the_file_and_gives_up_on_missing_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("f");
        std::fs::write(&p, b"abc").expect("write");
        assert_eq!(
            file_sha256(&SourceFile::plain(&p)).as_deref(),
            Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(file_sha256(&SourceFile::plain(dir.path().join("no"))), None);
    }
}
