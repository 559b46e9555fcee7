//! Digest signatures supplied separately from the digest files.
//!
//! AWS keeps each digest's signature in the S3 object metadata
//! (`x-amz-meta-signature`, hex; `x-amz-meta-signature-algorithm`, `SHA256withRSA`),
//! which `aws s3 cp`/`sync` do not save. Only the newest digest of a chain needs it:
//! every older digest's signature is repeated, signed, as `previousDigestSignature`
//! in the digest after it. Accepted forms (documented in the crate root too):
//!
//! 1. **A map file**, JSON or JSON Lines, from digest to signature. The digest is named
//!    by its S3 key (`AWSLogs/…`), `s3://bucket/key`, `bucket/key`, a local path, or
//!    just its file name; `.gz` may be left off. Values are the hex signature, or an
//!    object with `signature` (and optionally `signature-algorithm`), or the whole
//!    `aws s3api head-object` output (`{"Metadata":{"signature":…}}`). JSON Lines
//!    entries are `{"key": …, "signature": …}` (also `s3Object`, `path`, `file`) or
//!    single-pair objects `{"<key>": "<hex>"}`. A JSON array of such records works too.
//! 2. **Sidecar files** next to each digest, or anywhere under a `--signatures`
//!    directory (mirroring the `AWSLogs/` layout, or flat): `<digest file name>.sig`
//!    holding the hex signature, or `<digest file name>.head.json` holding the output
//!    of `aws s3api head-object --bucket B --key K`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{shorten, TrailError};
use crate::layout;
use crate::report::{Problem, ProblemKind};

const MAX_MAP_FILE: u64 = 256 << 20;
const MAX_SIDECAR: u64 = 1 << 20;

/// A signature supplied for one digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppliedSignature {
    /// The signature as given (hex expected; checked when used).
    pub hex: String,
    /// `signature-algorithm` when the source gave one.
    pub algorithm: Option<String>,
    /// The file it came from.
    pub source: PathBuf,
}

/// All supplied signatures, looked up by a digest's S3 key or local path.
#[derive(Debug, Clone, Default)]
pub struct Signatures {
    by_layout: HashMap<String, Vec<SuppliedSignature>>,
    by_name: HashMap<String, Vec<SuppliedSignature>>,
    notes: Vec<Problem>,
    skipped: Vec<(PathBuf, String)>,
    count: usize,
}

/// True for file names that are signature sidecars (`*.sig`, `*.head.json`).
pub(crate) fn is_sidecar(name: &str) -> bool {
    name.ends_with(".sig") || name.ends_with(".head.json")
}

impl Signatures {
    /// No signatures: only digests whose successor carries their signature can be verified.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads a map file, a sidecar file, or every sidecar and map under a directory;
    /// returns how many signatures were added. A file given directly must parse; inside
    /// a directory, unusable sidecars are findings ([`Signatures::notes`]) and other JSON
    /// files that are not maps are listed in [`Signatures::skipped`].
    pub fn load(&mut self, path: &Path) -> Result<usize, TrailError> {
        let meta = std::fs::metadata(path).map_err(|reason| TrailError::Io {
            path: path.to_path_buf(),
            reason,
        })?;
        if !meta.is_dir() {
            return self.load_file(path);
        }
        let mut added = 0;
        for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    self.notes.push(Problem::new(
                        ProblemKind::FileUnreadable,
                        e.path().unwrap_or(path).display().to_string(),
                        e.to_string(),
                    ));
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy();
            if !(is_sidecar(&name) || name.ends_with(".json") || name.ends_with(".jsonl")) {
                continue;
            }
            match self.load_file(entry.path()) {
                Ok(n) => added += n,
                // A sidecar that cannot be used is a finding; other JSON is just not a map.
                Err(e) if is_sidecar(&name) => self.notes.push(Problem::new(
                    ProblemKind::SignatureUnreadable,
                    entry.path().display().to_string(),
                    e.to_string(),
                )),
                Err(e) => self
                    .skipped
                    .push((entry.path().to_path_buf(), e.to_string())),
            }
        }
        Ok(added)
    }

    fn load_file(&mut self, path: &Path) -> Result<usize, TrailError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if is_sidecar(&name) {
            return self.add_sidecar(path).map(|()| 1);
        }
        let bytes = read_limited(path, MAX_MAP_FILE, "a signature map file")?;
        self.add_map(&bytes, path)
    }

    /// Adds a sidecar: `X.sig` (hex) or `X.head.json` (head-object output) for digest `X`.
    pub fn add_sidecar(&mut self, path: &Path) -> Result<(), TrailError> {
        self.add_sidecar_at(path, path)
    }

    /// Like [`Signatures::add_sidecar`], for a sidecar whose bytes are read from
    /// `read_from` while its name, and so the digest it belongs to, comes from `location`
    /// (e.g. an evidence object acquired from `…/X.json.gz.sig`). Messages and
    /// [`SuppliedSignature::source`] name `location`.
    pub fn add_sidecar_at(&mut self, read_from: &Path, location: &Path) -> Result<(), TrailError> {
        let text = location.to_string_lossy();
        let bytes = read_limited(read_from, MAX_SIDECAR, "a signature sidecar")?;
        if let Some(digest) = text.strip_suffix(".sig") {
            let hex = String::from_utf8_lossy(&bytes).trim().to_string();
            if cloudcase_util::hex::decode(&hex).is_none() || hex.is_empty() {
                return Err(TrailError::format(location, "a hex signature", hex));
            }
            self.insert(digest, &hex, None, location);
            return Ok(());
        }
        let digest = text.strip_suffix(".head.json").unwrap_or(&text).to_string();
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
            TrailError::format(
                location,
                "the JSON output of `aws s3api head-object`",
                e.to_string(),
            )
        })?;
        let (hex, alg) = extract(&value).ok_or_else(|| {
            TrailError::format(
                location,
                "head-object output with Metadata.signature",
                shorten(&value.to_string(), 100),
            )
        })?;
        self.insert(&digest, &hex, alg.as_deref(), location);
        Ok(())
    }

    /// Adds every entry of a JSON or JSON Lines map; returns how many.
    pub fn add_map(&mut self, bytes: &[u8], source: &Path) -> Result<usize, TrailError> {
        const EXPECTED: &str = "a JSON object {\"<digest S3 key or path>\": \"<hex signature>\"}, an array of {\"key\",\"signature\"} records, or JSON Lines of either";
        let mut added = 0;
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => {
                if get_ci(&map, "Metadata").is_some() {
                    return Err(TrailError::format(
                        source,
                        "a map (a single head-object output must be saved as <digest file>.head.json)",
                        "a head-object output",
                    ));
                }
                added += self.add_object(&map, source, "")?;
            }
            Ok(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    added += self.add_record(item, source, &format!("[{i}]"))?;
                }
            }
            Ok(other) => {
                return Err(TrailError::format(
                    source,
                    EXPECTED,
                    shorten(&other.to_string(), 80),
                ))
            }
            Err(whole) => {
                let text = std::str::from_utf8(bytes).map_err(|_| {
                    TrailError::format(source, EXPECTED, "bytes that are not UTF-8")
                })?;
                let mut any = false;
                for (n, line) in text.lines().enumerate() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    let item: Value = serde_json::from_str(line).map_err(|e| {
                        let why = if any {
                            e.to_string()
                        } else {
                            whole.to_string()
                        };
                        TrailError::format(source, EXPECTED, format!("line {}: {why}", n + 1))
                    })?;
                    any = true;
                    added += self.add_record(&item, source, &format!("line {}", n + 1))?;
                }
            }
        }
        Ok(added)
    }

    fn add_object(
        &mut self,
        map: &Map<String, Value>,
        source: &Path,
        at: &str,
    ) -> Result<usize, TrailError> {
        let mut added = 0;
        for (key, value) in map {
            let (hex, alg) = extract(value).ok_or_else(|| {
                TrailError::format(
                    source,
                    "a hex signature or an object with `signature`",
                    format!("{at} {key:?}: {}", shorten(&value.to_string(), 80)),
                )
            })?;
            self.insert(key, &hex, alg.as_deref(), source);
            added += 1;
        }
        Ok(added)
    }

    fn add_record(&mut self, item: &Value, source: &Path, at: &str) -> Result<usize, TrailError> {
        let Value::Object(map) = item else {
            return Err(TrailError::format(
                source,
                "a JSON object",
                format!("{at}: {}", shorten(&item.to_string(), 80)),
            ));
        };
        let key = [
            "key",
            "s3Object",
            "digestS3Object",
            "path",
            "file",
            "digest",
        ]
        .iter()
        .find_map(|k| get_ci(map, k).and_then(Value::as_str));
        match key {
            Some(key) => {
                let (hex, alg) = extract(item).ok_or_else(|| {
                    TrailError::format(
                        source,
                        "a `signature` field",
                        format!("{at}: {}", shorten(&item.to_string(), 80)),
                    )
                })?;
                self.insert(key, &hex, alg.as_deref(), source);
                Ok(1)
            }
            None => self.add_object(map, source, at),
        }
    }

    /// Adds one signature for the digest named by `digest` (S3 key, URI, path or file name).
    pub fn insert(&mut self, digest: &str, hex: &str, algorithm: Option<&str>, source: &Path) {
        let sig = SuppliedSignature {
            hex: hex.trim().to_string(),
            algorithm: algorithm.map(str::to_string),
            source: source.to_path_buf(),
        };
        let digest = digest.trim();
        if let Some(k) = layout::layout_key(digest) {
            push_unique(self.by_layout.entry(k).or_default(), sig.clone());
        }
        push_unique(
            self.by_name.entry(layout::name_key(digest)).or_default(),
            sig,
        );
        self.count += 1;
    }

    /// Adds the signature recorded with an object's S3 metadata at acquisition
    /// (`x-amz-meta-signature`, and `x-amz-meta-signature-algorithm` when present),
    /// for the digest at `uri`; `source` names where the metadata was read (the case
    /// manifest). Returns whether the metadata held a signature.
    pub fn add_s3_metadata(
        &mut self,
        uri: &str,
        metadata: &std::collections::BTreeMap<String, String>,
        source: &Path,
    ) -> bool {
        let Some(hex) = metadata.get("x-amz-meta-signature") else {
            return false;
        };
        let algorithm = metadata.get("x-amz-meta-signature-algorithm");
        self.insert(uri, hex, algorithm.map(String::as_str), source);
        true
    }

    /// The signatures supplied for the digest whose claimed S3 key is `s3_key` and which
    /// sits at `local`: matched on the layout key, then on the file name.
    pub fn lookup(&self, s3_key: &str, local: &Path) -> &[SuppliedSignature] {
        let candidates = [
            layout::layout_key(s3_key).and_then(|k| self.by_layout.get(&k)),
            layout::layout_key_of_path(local).and_then(|k| self.by_layout.get(&k)),
            self.by_name.get(&layout::name_key(s3_key)),
            self.by_name.get(&layout::name_key_of_path(local)),
        ];
        candidates
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Number of signatures added.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when no signature was supplied.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Sidecars under a `--signatures` directory that could not be used (findings).
    pub fn notes(&self) -> &[Problem] {
        &self.notes
    }

    /// JSON files under a `--signatures` directory that are not signature maps, and why.
    pub fn skipped(&self) -> &[(PathBuf, String)] {
        &self.skipped
    }
}

fn push_unique(v: &mut Vec<SuppliedSignature>, s: SuppliedSignature) {
    if !v.iter().any(|x| x.hex.eq_ignore_ascii_case(&s.hex)) {
        v.push(s);
    }
}

fn get_ci<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// (hex, algorithm) from a string, `{signature,…}`, `{x-amz-meta-signature,…}` or `{Metadata:{…}}`.
fn extract(v: &Value) -> Option<(String, Option<String>)> {
    match v {
        Value::String(s) => Some((s.clone(), None)),
        Value::Object(o) => {
            if let Some(m) = get_ci(o, "Metadata") {
                return extract(m);
            }
            let sig = get_ci(o, "signature").or_else(|| get_ci(o, "x-amz-meta-signature"))?;
            let alg = get_ci(o, "signature-algorithm")
                .or_else(|| get_ci(o, "x-amz-meta-signature-algorithm"))
                .and_then(Value::as_str)
                .map(str::to_string);
            Some((sig.as_str()?.to_string(), alg))
        }
        _ => None,
    }
}

fn read_limited(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, TrailError> {
    crate::read::read_capped(path, limit).map_err(|e| match e {
        crate::read::ReadError::Io(reason) => TrailError::Io {
            path: path.to_path_buf(),
            reason,
        },
        crate::read::ReadError::TooLarge => TrailError::TooLarge {
            path: path.to_path_buf(),
            limit,
            what,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AWSLogs/1/CloudTrail-Digest/us-east-1/2024/01/01/1_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T010000Z.json.gz";

    #[test]
    fn s3_metadata_recorded_in_a_case_manifest() {
        let mut s = Signatures::new();
        let mut meta = std::collections::BTreeMap::new();
        meta.insert("etag".to_string(), "\"e\"".to_string());
        assert!(!s.add_s3_metadata("s3://b/x.json.gz", &meta, Path::new("manifest.jsonl")));
        meta.insert("x-amz-meta-signature".to_string(), "beef".to_string());
        meta.insert(
            "x-amz-meta-signature-algorithm".to_string(),
            "SHA256withRSA".to_string(),
        );
        assert!(s.add_s3_metadata(&format!("s3://b/{KEY}"), &meta, Path::new("manifest.jsonl")));
        let found = s.lookup(KEY, Path::new("/case/evidence/objects/sha256/ab/abcd"));
        assert_eq!(found[0].hex, "beef");
        assert_eq!(found[0].algorithm.as_deref(), Some("SHA256withRSA"));
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn map_forms() {
        let mut s = Signatures::new();
        let json = format!(r#"{{"s3://bucket/{KEY}": "abcd"}}"#);
        assert_eq!(
            s.add_map(json.as_bytes(), Path::new("m.json")).ok(),
            Some(1)
        );
        assert_eq!(s.lookup(KEY, Path::new("/x/y.json.gz"))[0].hex, "abcd");
        // Matched through a local copy that was gunzipped and has a different prefix.
        let local = format!("/case/bucket/{}", KEY.trim_end_matches(".gz"));
        assert_eq!(s.lookup("elsewhere", Path::new(&local)).len(), 1);

        let mut s = Signatures::new();
        let lines = format!(
            "{{\"key\": \"{KEY}\", \"signature\": \"01\", \"signature-algorithm\": \"SHA256withRSA\"}}\n\n{{\"other.json.gz\": {{\"Metadata\": {{\"signature\": \"02\"}}}}}}\n"
        );
        assert_eq!(
            s.add_map(lines.as_bytes(), Path::new("m.jsonl")).ok(),
            Some(2)
        );
        assert_eq!(
            s.lookup(KEY, Path::new("z"))[0].algorithm.as_deref(),
            Some("SHA256withRSA")
        );
        assert_eq!(s.lookup("p/other.json.gz", Path::new("z"))[0].hex, "02");
    }

    #[test]
    fn bad_maps_say_where() {
        let mut s = Signatures::new();
        let e = s
            .add_map(b"{\"a\": 5}", Path::new("m.json"))
            .expect_err("number is not a signature");
        assert!(e.to_string().contains("m.json"), "{e}");
        let e = s
            .add_map(
                b"{\"key\":\"a\",\"signature\":\"01\"}\nnope",
                Path::new("m.jsonl"),
            )
            .expect_err("bad line");
        assert!(e.to_string().contains("line 2"), "{e}");
    }

    #[test]
    fn sidecars() {
        let dir = tempfile::tempdir().expect("tempdir");
        let name = KEY.rsplit('/').next().expect("name");
        std::fs::write(dir.path().join(format!("{name}.sig")), "0a0b\n").expect("write");
        let other = "2_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T020000Z.json.gz";
        std::fs::write(
            dir.path().join(format!("{other}.head.json")),
            r#"{"AcceptRanges":"bytes","Metadata":{"signature":"0c","signature-algorithm":"SHA256withRSA"}}"#,
        )
        .expect("write");
        std::fs::write(dir.path().join("unrelated.json"), "[1]").expect("write");
        std::fs::write(dir.path().join("broken.sig"), "not hex").expect("write");
        let mut s = Signatures::new();
        assert_eq!(s.load(dir.path()).ok(), Some(2));
        assert_eq!(s.skipped().len(), 1, "unrelated.json is skipped, not fatal");
        assert_eq!(s.notes().len(), 1, "a broken sidecar is a finding");
        assert_eq!(s.lookup(KEY, Path::new("q"))[0].hex, "0a0b");
        assert_eq!(s.lookup(other, Path::new("q"))[0].hex, "0c");
    }
}
