//! `--format jsonl`: the original record, plus where it came from.

use std::io::Write;

use cloudcase_event::Event;

use super::{Clock, LineFormat};
use cloudcase_util::sanitize::{push_json_string, push_json_text};

/// One line per event: the CloudTrail record exactly as logged (compacted,
/// unwrapped from envelopes), with a first key `cloudcase` holding the
/// normalized time (in the display zone), the log `source` (`cloudtrail`,
/// `s3_access`), principal, and provenance
/// (`file`, `record`, `offset`, and `sha256` when known), and `time_field`
/// when the time is a SIEM wrapper's (`@timestamp`, `_time`) rather than the
/// record's `eventTime`. Existing keys are
/// never overwritten, so `jq '.eventName'` works as on raw CloudTrail.
pub(crate) struct Jsonl {
    pub(crate) clock: Clock,
}

impl LineFormat for Jsonl {
    /// The record text holds them.
    fn reads_bodies(&self) -> bool {
        false
    }

    fn header(&self) -> Option<String> {
        None
    }

    fn write_line(&self, event: &Event, out: &mut Vec<u8>) {
        let p = &event.provenance;
        out.extend_from_slice(b"{\"cloudcase\":{\"time\":");
        push_json_string(out, &self.clock.render(event.time));
        out.extend_from_slice(b",\"source\":");
        push_json_string(out, event.source.as_str());
        if !event.timed_by_record() {
            out.extend_from_slice(b",\"time_field\":");
            push_json_string(out, event.time_field);
        }
        if let Some(who) = event.identity.display_name() {
            out.extend_from_slice(b",\"principal\":");
            push_json_string(out, who);
        }
        out.extend_from_slice(b",\"file\":");
        match p.file.path.to_str() {
            Some(path) => push_json_string(out, path),
            None => push_json_string(out, &p.file.path.to_string_lossy()),
        }
        if let Some(sha) = &p.file.sha256 {
            out.extend_from_slice(b",\"sha256\":");
            push_json_string(out, sha);
        }
        if let Some(origin) = &p.file.origin {
            out.extend_from_slice(b",\"origin\":");
            push_json_string(out, origin);
        }
        // Writing into a Vec cannot fail.
        let _ = write!(out, ",\"record\":{},\"offset\":{}}}", p.record, p.offset);
        let rest = event.raw.strip_prefix('{').unwrap_or("}");
        if !rest.trim_start().starts_with('}') {
            out.push(b',');
        }
        push_json_text(out, rest);
        out.push(b'\n');
    }
}
