//! One session as it is written to the sort and read back: its key, ARN, what was seen of it
//! and its earliest uses off compute, as little-endian fields (`cloudcase_util::fields`) behind
//! a length prefix.

use cloudcase_util::fields::{put_entry, put_str, Fields};

use super::{KeyUse, Use};
use crate::analytics::at::At;

/// Flag bits of the entry's one byte of flags.
const COMPUTE: u8 = 1;
const INSTANCE: u8 = 2;
const OTHER: u8 = 4;
const DESKTOP: u8 = 8;

/// One session read back: a worker's part of it, or several parts combined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SessionEntry {
    /// The session's access key.
    pub key: Box<str>,
    /// The session's ARN.
    pub arn: Box<str>,
    /// What is known of it.
    pub state: KeyUse,
}

impl SessionEntry {
    /// Appends the session (`key`, `arn`) and its `state` to `out`, length first.
    pub fn encode(key: &str, arn: &str, state: &KeyUse, out: &mut Vec<u8>) {
        put_entry(out, |out| {
            put_str(out, Some(key));
            put_str(out, Some(arn));
            let flags = [
                (state.compute, COMPUTE),
                (state.instance, INSTANCE),
                (state.other.is_some(), OTHER),
                (state.desktop.is_some(), DESKTOP),
            ];
            out.push(
                flags
                    .iter()
                    .filter(|(on, _)| *on)
                    .fold(0, |f, (_, bit)| f | bit),
            );
            for used in [&state.other, &state.desktop].into_iter().flatten() {
                used.at.encode(out);
                put_str(out, Some(&used.client));
            }
        });
    }

    /// Reads one entry's body (without its length); `None` if it is short or malformed.
    pub fn decode(body: &[u8]) -> Option<SessionEntry> {
        let mut f = Fields::new(body);
        let key = f.str()?.into();
        let arn = f.str()?.into();
        let flags = f.u8()?;
        if flags & !(COMPUTE | INSTANCE | OTHER | DESKTOP) != 0 {
            return None;
        }
        let mut read_use = |present: bool| -> Option<Option<Use>> {
            if !present {
                return Some(None);
            }
            let at = At::decode(&mut f)?;
            let client = f.str()?.into();
            Some(Some(Use { at, client }))
        };
        let other = read_use(flags & OTHER != 0)?;
        let desktop = read_use(flags & DESKTOP != 0)?;
        let state = KeyUse {
            compute: flags & COMPUTE != 0,
            instance: flags & INSTANCE != 0,
            other,
            desktop,
        };
        f.is_empty().then_some(SessionEntry { key, arn, state })
    }

    /// Whether `other` is another part of the same session.
    pub fn same_session(&self, other: &SessionEntry) -> bool {
        (&self.key, &self.arn) == (&other.key, &other.arn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(other: bool) -> KeyUse {
        let at = |ms| At {
            ms,
            file: 3,
            record: 9,
            member: None,
        };
        KeyUse {
            compute: true,
            instance: false,
            other: other.then(|| Use {
                at: at(-5),
                client: "aws-cli/\u{1b}[31m\"<b>".into(),
            }),
            desktop: Some(Use {
                at: at(1_000),
                client: "boto3/macos".into(),
            }),
        }
    }

    fn encoded(s: &KeyUse) -> Vec<u8> {
        let mut out = Vec::new();
        SessionEntry::encode(
            "ASIAEXAMPLE",
            "arn:aws:sts::1:assumed-role/r/s",
            s,
            &mut out,
        );
        out
    }

    #[test]
    fn an_entry_reads_back_as_written() {
        for other in [true, false] {
            let out = encoded(&state(other));
            let len = u32::from_le_bytes([out[0], out[1], out[2], out[3]]) as usize;
            assert_eq!(len, out.len() - 4);
            let back = SessionEntry::decode(&out[4..]).expect("decodes");
            assert_eq!(back.state, state(other));
            assert_eq!(&*back.key, "ASIAEXAMPLE");
            assert!(back.same_session(&back.clone()));
        }
    }

    #[test]
    fn short_malformed_or_longer_entries_are_refused() {
        let out = encoded(&state(true));
        for cut in 4..out.len() {
            assert_eq!(SessionEntry::decode(&out[4..cut]), None, "cut at {cut}");
        }
        let mut longer = out[4..].to_vec();
        longer.push(0);
        assert_eq!(SessionEntry::decode(&longer), None, "trailing byte");
        // An unknown flag.
        let mut flagged = out[4..].to_vec();
        let at = 4 + "ASIAEXAMPLE".len() + 4 + "arn:aws:sts::1:assumed-role/r/s".len();
        flagged[at] |= 0x80;
        assert_eq!(SessionEntry::decode(&flagged), None);
    }
}
