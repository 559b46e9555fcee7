//! Candidate events as bytes, so that pass 2 can spill them to a temporary file and the build
//! can read them back in order (see [`super::Candidates`]).
//!
//! An entry is its `u32` length (of the rest), then the pointer (time, file ordinal, record,
//! event id), the caller, the call's strings, `readOnly`, whether it is the subject's, and its
//! body, in the fields of [`cloudcase_util::fields`]. The file is written as its ordinal (and
//! what the list cannot give of it: [`cloudcase_read::put_member`]) and found again in the
//! run's input list ([`FileFinder`]), so that no copy of its path is kept.

use std::sync::Arc;

use cloudcase_util::fields::{put_entry, put_i64, put_str, put_u64, Fields};

use super::candidate::{shared, Body, CallerIdentity, SessionCall};
use cloudcase_read::{put_member, read_member, FileFinder};

use super::Candidate;
use crate::record::{EventId, Ptr};

/// Event-id forms.
const NO_ID: u8 = 0;
const UUID: u8 = 1;
const OTHER_ID: u8 = 2;
/// Body forms.
const RAW: u8 = 0;
const SESSION: u8 = 1;

/// Appends `c` as one entry.
pub(super) fn encode(c: &Candidate, out: &mut Vec<u8>) {
    put_entry(out, |out| {
        encode_ptr(&c.ptr, out);
        for s in [&c.name, &c.service, &c.region] {
            put_str(out, Some(s));
        }
        let who = &c.who;
        for s in [
            &who.key,
            &who.arn,
            &who.kind,
            &who.user,
            &who.issuer,
            &who.account,
            &c.ip,
            &c.ua,
            &c.error,
        ] {
            put_str(out, s.as_deref());
        }
        out.push(c.read_only.map_or(0, |ro| 1 + u8::from(ro)));
        out.push(u8::from(c.subject));
        encode_body(&c.body, out);
    });
}

/// Appends a pointer: time, file, record, event id.
pub(super) fn encode_ptr(p: &Ptr, out: &mut Vec<u8>) {
    put_i64(out, p.ms);
    put_u64(out, p.file.ordinal);
    put_member(out, &p.file);
    put_u64(out, p.record);
    match &p.event_id {
        None => out.push(NO_ID),
        Some(EventId::Uuid(bytes)) => {
            out.push(UUID);
            out.extend_from_slice(bytes);
        }
        Some(EventId::Other(s)) => {
            out.push(OTHER_ID);
            put_str(out, Some(s));
        }
    }
}

/// Reads a pointer [`encode_ptr`] wrote; `None` if malformed or `files` does not hold its file.
pub(super) fn decode_ptr(f: &mut Fields<'_>, files: &mut FileFinder<'_>) -> Option<Ptr> {
    let ms = f.i64()?;
    let ordinal = f.u64()?;
    let member = read_member(f)?;
    let file = files.get(ordinal, member)?;
    let record = f.u64()?;
    let event_id = match f.u8()? {
        NO_ID => None,
        UUID => Some(EventId::Uuid(f.take(16)?.try_into().ok()?)),
        OTHER_ID => Some(EventId::Other(f.str()?.into())),
        _ => return None,
    };
    Some(Ptr {
        ms,
        file,
        record,
        event_id,
    })
}

fn encode_body(body: &Body, out: &mut Vec<u8>) {
    match body {
        Body::Raw { req, resp } => {
            out.push(RAW);
            put_str(out, Some(req));
            put_str(out, Some(resp));
        }
        Body::Session(call) => {
            out.push(SESSION);
            for s in [
                &call.role_arn,
                &call.role_session_name,
                &call.source_identity,
                &call.name,
            ] {
                put_str(out, s.as_deref());
            }
            put_str(out, call.access_key_id.as_deref());
        }
    }
}

/// Decodes one entry (without its length prefix); `None` if it is malformed or names a file
/// `files` does not hold.
pub(super) fn decode(body: &[u8], files: &mut FileFinder<'_>) -> Option<Candidate> {
    let mut f = Fields::new(body);
    let ptr = decode_ptr(&mut f, files)?;
    let (name, service, region) = (f.str()?, f.str()?, f.str()?);
    let who = CallerIdentity {
        key: shared(f.opt()?),
        arn: shared(f.opt()?),
        kind: shared(f.opt()?),
        user: shared(f.opt()?),
        issuer: shared(f.opt()?),
        account: shared(f.opt()?),
    };
    let (ip, ua, error) = (shared(f.opt()?), shared(f.opt()?), shared(f.opt()?));
    let read_only = match f.u8()? {
        0 => None,
        n => Some(n == 2),
    };
    let subject = f.u8()? == 1;
    let body = decode_body(&mut f)?;
    f.is_empty().then(|| Candidate {
        ptr,
        name: name.into(),
        service: service.into(),
        region: region.into(),
        who: Arc::new(who),
        ip,
        ua,
        error,
        read_only,
        subject,
        body,
    })
}

fn decode_body(f: &mut Fields<'_>) -> Option<Body> {
    match f.u8()? {
        RAW => Some(Body::Raw {
            req: f.str()?.into(),
            resp: f.str()?.into(),
        }),
        SESSION => Some(Body::Session(SessionCall {
            role_arn: shared(f.opt()?),
            role_session_name: shared(f.opt()?),
            source_identity: shared(f.opt()?),
            name: shared(f.opt()?),
            access_key_id: f.opt()?.map(Into::into),
        })),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudcase_event::{ArchiveMember, SourceFile};

    fn file() -> Arc<SourceFile> {
        let mut file = SourceFile::plain("AWSLogs/x.json.gz");
        file.ordinal = 3;
        Arc::new(file)
    }

    /// The run's input list the samples come from.
    fn list() -> Vec<Arc<SourceFile>> {
        vec![file()]
    }

    /// Decodes `body` against `list`.
    fn decode_in(body: &[u8], list: &[Arc<SourceFile>]) -> Option<Candidate> {
        decode(body, &mut FileFinder::bare(&list.to_vec()))
    }

    fn sample(body: Body, event_id: Option<EventId>) -> Candidate {
        let who = CallerIdentity {
            key: shared(Some("AKIAEXAMPLE")),
            arn: shared(Some("arn:aws:iam::1:user/a\"b\u{202e}")),
            kind: shared(Some("IAMUser")),
            user: None,
            issuer: shared(Some("")),
            account: shared(Some("1")),
        };
        Candidate {
            ptr: Ptr {
                ms: -1_700_000,
                file: file(),
                record: 41,
                event_id,
            },
            name: "CreateUser".into(),
            service: "iam".into(),
            region: "".into(),
            who: Arc::new(who),
            ip: shared(Some("203.0.113.5")),
            ua: None,
            error: shared(Some("AccessDenied")),
            read_only: Some(false),
            subject: true,
            body,
        }
    }

    /// Every field of a candidate, written out.
    fn text(c: &Candidate) -> String {
        format!("{c:?} {} {}", c.req_json(), c.resp_json())
    }

    #[test]
    fn candidates_read_back_as_written() {
        let raw = Body::Raw {
            req: r#"{"userName":"x\u0000y"}"#.into(),
            resp: "null".into(),
        };
        let session = Body::Session(SessionCall {
            role_arn: shared(Some("arn:aws:iam::1:role/r")),
            role_session_name: None,
            source_identity: shared(Some("é")),
            name: None,
            access_key_id: Some("ASIAISSUED".into()),
        });
        let ids = [
            None,
            Some(EventId::new("3038ebd2-c98a-4c65-9b6e-e22506292313")),
            Some(EventId::new("evt-1")),
        ];
        for (body, id) in [raw, session].into_iter().zip(ids.iter().cycle()) {
            let c = sample(body, id.clone());
            let mut out = Vec::new();
            encode(&c, &mut out);
            let len = u32::from_le_bytes(out[..4].try_into().unwrap()) as usize;
            assert_eq!(len, out.len() - 4);
            let back = decode_in(&out[4..], &list()).expect("decodes");
            assert_eq!(text(&back), text(&c));
        }
    }

    #[test]
    fn a_member_of_an_archive_found_while_reading_reads_back_as_itself() {
        let archive = file();
        let mut c = sample(
            Body::Raw {
                req: "{}".into(),
                resp: "{}".into(),
            },
            None,
        );
        for (index, name) in [(4, "b.json"), (0, "a.json")] {
            let mut m = SourceFile::plain(format!("AWSLogs/x.json.gz!{name}"));
            m.ordinal = archive.ordinal;
            m.member = Some(ArchiveMember {
                archive: Arc::clone(&archive),
                index,
                members: 0,
            });
            c.ptr.file = Arc::new(m);
            let mut out = Vec::new();
            encode(&c, &mut out);
            let back = decode_in(&out[4..], &list()).expect("decodes");
            assert_eq!(*back.ptr.file, *c.ptr.file, "the member written");
        }
    }

    #[test]
    fn malformed_entries_and_unknown_files_decode_to_none() {
        let c = sample(
            Body::Raw {
                req: "{}".into(),
                resp: "{}".into(),
            },
            None,
        );
        let mut out = Vec::new();
        encode(&c, &mut out);
        let body = &out[4..];
        for cut in 0..body.len() {
            assert!(decode_in(&body[..cut], &list()).is_none(), "cut at {cut}");
        }
        let mut longer = body.to_vec();
        longer.push(0);
        assert!(decode_in(&longer, &list()).is_none(), "trailing bytes");
        let elsewhere = [Arc::new(SourceFile::plain("AWSLogs/y.json.gz"))];
        assert!(
            decode_in(body, &elsewhere).is_none(),
            "a file not in the list"
        );
    }
}
