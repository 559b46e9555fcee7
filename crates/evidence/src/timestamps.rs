//! RFC 3161 time-stamp requests and tokens kept in a case: `CASE/timestamps/`, never
//! under `evidence/`.
//!
//! A request covers the custody chain head (the `hash` of the last entry) at the time it
//! is made. It is written as `timestamps/<seq>-<nonce>.tsq`, where `seq` is the line it
//! covers, and attested by a `timestamp_requested` entry; the TSA's reply is written as
//! `timestamps/<seq>-<nonce>.tsr` and attested by a `timestamped` entry naming the head
//! and line it covers, the reply's and token's SHA-256, genTime and serial. Both files are
//! written atomically before their entries: a crash leaves at most a file no entry names,
//! which nothing reads (files are found only through their entries); a request whose reply
//! never came stays pending, and `timestamp --import` can still answer it. Decoding and verifying tokens is `cloudcase-tsa`'s work; this
//! module only stores and finds them, checking each file against its entry's SHA-256.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::custody::{Action, AppendedEntry, CustodyEntry};
use crate::error::{Error, IoContext};
use crate::results::details_of;
use crate::Case;

/// Folder of requests and tokens, relative to the case root.
pub const TIMESTAMPS_DIR: &str = "timestamps";

/// The custody chain head: the last well-formed entry's line and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    /// Its sequence number (line in `custody.jsonl`).
    pub seq: u64,
    /// Its hash, 64 hex digits.
    pub hash: String,
}

/// Details of a `timestamp_requested` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimestampRequestedDetails {
    /// The custody line the request covers.
    pub covers_seq: u64,
    /// That entry's hash: the chain head time-stamped.
    pub covers_hash: String,
    /// The message imprint asked for (SHA-256, hex).
    pub imprint: String,
    /// The nonce (16 hex digits).
    pub nonce: String,
    /// The request file, relative to the case root.
    pub request: String,
    /// Its SHA-256.
    pub request_sha256: String,
    /// The command line.
    pub command: Vec<String>,
}

/// Details of a `timestamped` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimestampedDetails {
    /// The custody line the token covers.
    pub covers_seq: u64,
    /// That entry's hash: the chain head time-stamped.
    pub covers_hash: String,
    /// The nonce (16 hex digits).
    pub nonce: String,
    /// The request file answered, relative to the case root.
    pub request: String,
    /// Its SHA-256.
    pub request_sha256: String,
    /// The TSA's reply (a DER `TimeStampResp`), relative to the case root.
    pub reply: String,
    /// SHA-256 of the reply file.
    pub reply_sha256: String,
    /// SHA-256 of the token inside it (the DER `ContentInfo`).
    pub token_sha256: String,
    /// The TSA's genTime, RFC 3339 UTC.
    pub gen_time: String,
    /// The token's serial number (hex).
    pub serial: String,
    /// The TSA policy OID.
    pub policy: String,
    /// `granted` or `grantedWithMods`.
    pub status: String,
    /// Where the reply came from: the TSA's URL, or `import:<path>`.
    pub source: String,
    /// The command line.
    pub command: Vec<String>,
}

/// The chain head now: the last well-formed custody entry.
pub fn chain_head(case: &Case) -> Result<ChainHead, Error> {
    let mut head = None;
    case.for_each_custody_line::<Error, _>(|line| {
        if let Some(brief) = line.brief {
            head = Some(ChainHead {
                seq: brief.seq,
                hash: brief.hash.clone(),
            });
        }
        Ok(())
    })?;
    head.ok_or_else(|| Error::CustodyMissing {
        path: case.layout().custody_file(),
    })
}

/// The file name stem of a request or token: `<seq>-<nonce>`.
fn stem(covers_seq: u64, nonce: &str) -> String {
    let nonce: String = nonce.chars().filter(char::is_ascii_hexdigit).collect();
    format!("{TIMESTAMPS_DIR}/{covers_seq:08}-{nonce}")
}

/// Writes `bytes` to `rel` under the case root atomically; returns their SHA-256.
fn write(case: &Case, rel: &str, bytes: &[u8]) -> Result<String, Error> {
    let path = case.root().join(rel);
    let dir = cloudcase_util::fs::parent_dir(&path);
    std::fs::create_dir_all(dir).at(dir, "create folder")?;
    cloudcase_util::fs::write_atomic(&path, bytes).at(&path, "write atomically")?;
    Ok(cloudcase_util::hex::sha256_hex(bytes))
}

/// Writes a request into `timestamps/` and appends its `timestamp_requested` entry;
/// `details.request` and `details.request_sha256` are filled in here.
pub fn record_request(
    case: &Case,
    der: &[u8],
    mut details: TimestampRequestedDetails,
) -> Result<(TimestampRequestedDetails, AppendedEntry), Error> {
    details.request = format!("{}.tsq", stem(details.covers_seq, &details.nonce));
    details.request_sha256 = write(case, &details.request, der)?;
    let value = to_value(&details, "timestamp_requested details")?;
    let entry = case.custody().append(Action::TimestampRequested, value)?;
    Ok((details, entry))
}

/// Writes a TSA reply beside its request and appends its `timestamped` entry;
/// `details.reply` and `details.reply_sha256` are filled in here.
pub fn record_token(
    case: &Case,
    reply: &[u8],
    mut details: TimestampedDetails,
) -> Result<(TimestampedDetails, AppendedEntry), Error> {
    details.reply = format!("{}.tsr", stem(details.covers_seq, &details.nonce));
    details.reply_sha256 = write(case, &details.reply, reply)?;
    let value = to_value(&details, "timestamped details")?;
    let entry = case.custody().append(Action::Timestamped, value)?;
    Ok((details, entry))
}

/// A `timestamp_requested` or `timestamped` entry with its details read.
#[derive(Debug, Clone)]
pub struct Stamped<D> {
    /// The entry's sequence number.
    pub seq: u64,
    /// When it was recorded.
    pub time: String,
    /// Its details.
    pub details: D,
}

/// Every entry of `action` with its details as `D`, oldest first (details of another
/// shape read as empty).
fn of_action<D: serde::de::DeserializeOwned + Default>(
    entries: &[CustodyEntry],
    action: Action,
) -> Vec<Stamped<D>> {
    entries
        .iter()
        .filter(|e| e.action == action)
        .map(|e| Stamped {
            seq: e.seq,
            time: e.time.clone(),
            details: details_of(e).unwrap_or_default(),
        })
        .collect()
}

/// Every `timestamp_requested` entry, oldest first.
pub fn requests(entries: &[CustodyEntry]) -> Vec<Stamped<TimestampRequestedDetails>> {
    of_action(entries, Action::TimestampRequested)
}

/// Every `timestamped` entry, oldest first.
pub fn tokens(entries: &[CustodyEntry]) -> Vec<Stamped<TimestampedDetails>> {
    of_action(entries, Action::Timestamped)
}

/// Reads `rel` (a path a custody entry recorded, inside `timestamps/`) and checks it
/// against `sha256`; `seq` names the entry in errors.
pub fn read_checked(case: &Case, seq: u64, rel: &str, sha256: &str) -> Result<Vec<u8>, Error> {
    let inside = rel.starts_with(&format!("{TIMESTAMPS_DIR}/"))
        && !rel.split('/').any(|p| p == ".." || p.is_empty())
        && !Path::new(rel).is_absolute();
    if !inside {
        return Err(Error::BadRecord {
            seq,
            reason: format!("expected a file under {TIMESTAMPS_DIR}/, found path {rel:?}"),
        });
    }
    let path = case.root().join(rel);
    let bytes = std::fs::read(&path).at(&path, "read time-stamp file")?;
    let actual = cloudcase_util::hex::sha256_hex(&bytes);
    if actual != sha256 {
        return Err(Error::BadRecord {
            seq,
            reason: format!("{rel}: expected SHA-256 {sha256} (as recorded), found {actual}"),
        });
    }
    Ok(bytes)
}

/// `details` as a custody entry's JSON value.
fn to_value<T: Serialize>(details: &T, what: &'static str) -> Result<serde_json::Value, Error> {
    serde_json::to_value(details).map_err(|error| Error::Serialize { what, error })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_tokens_are_stored_beside_each_other_and_found_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let case = Case::init(&dir.path().join("c"), "n", "alice", "UTC").expect("init");
        let head = chain_head(&case).expect("head");
        assert_eq!(head.seq, 1);
        let (req, entry) = record_request(
            &case,
            b"request",
            TimestampRequestedDetails {
                covers_seq: head.seq,
                covers_hash: head.hash.clone(),
                nonce: "00000000000000ff".into(),
                ..Default::default()
            },
        )
        .expect("request");
        assert_eq!(req.request, "timestamps/00000001-00000000000000ff.tsq");
        assert_eq!(chain_head(&case).expect("head").seq, entry.seq);
        let (tok, _) = record_token(
            &case,
            b"reply",
            TimestampedDetails {
                covers_seq: head.seq,
                nonce: req.nonce.clone(),
                ..Default::default()
            },
        )
        .expect("token");
        let entries = case.custody().entries().expect("entries");
        let found = tokens(&entries);
        assert_eq!(found.len(), 1);
        assert_eq!(requests(&entries)[0].details, req);
        let d = &found[0].details;
        assert_eq!(d, &tok);
        let bytes = read_checked(&case, found[0].seq, &d.reply, &d.reply_sha256).expect("read");
        assert_eq!(bytes, b"reply");
        std::fs::write(case.root().join(&d.reply), b"tampered").expect("tamper");
        let err = read_checked(&case, found[0].seq, &d.reply, &d.reply_sha256).expect_err("hash");
        assert!(err.to_string().contains("expected SHA-256"), "{err}");
        let err = read_checked(&case, 1, "evidence/x", "").expect_err("outside");
        assert!(err.to_string().contains("timestamps/"), "{err}");
    }
}
