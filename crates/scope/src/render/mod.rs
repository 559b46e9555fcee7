//! Human summaries of the scope document: a terminal table and Markdown, times in the reader's
//! time zone.

use cloudcase_event::EventTime;
use cloudcase_model::scope::ScopeResult;
use cloudcase_util::escape::markdown;
use cloudcase_util::sanitize::terminal_safe;
use jiff::tz::TimeZone;

mod logs;
mod sections;

use sections::{sections, Section};

/// A document time (RFC 3339 UTC) in `tz`; anything else as it is.
fn localize(s: &str, tz: &TimeZone) -> String {
    if s.len() >= 20 && s.ends_with('Z') && s.as_bytes().get(10) == Some(&b'T') {
        if let Ok(t) = EventTime::parse(s) {
            return t.to_zoned_string(tz);
        }
    }
    s.to_owned()
}

/// Terminal text: every value made terminal-safe, times in `tz`.
pub fn render_table(doc: &ScopeResult, tz: &TimeZone) -> String {
    let local = |s: &str| localize(s, tz);
    let mut out = String::new();
    for Section { title, rows } in sections(doc, &local) {
        out.push_str(&format!("== {title}\n"));
        if rows.is_empty() {
            out.push_str("  (none)\n");
        }
        for r in rows {
            let cells: Vec<String> = r.iter().map(|c| terminal_safe(c).into_owned()).collect();
            out.push_str(&format!("  {}\n", cells.join("  |  ")));
        }
        out.push('\n');
    }
    out
}

/// Markdown: every value escaped, times in `tz`.
pub fn render_markdown(doc: &ScopeResult, tz: &TimeZone) -> String {
    let local = |s: &str| localize(s, tz);
    let mut out = String::from("# Scope\n\n");
    for Section { title, rows } in sections(doc, &local) {
        out.push_str(&format!("## {}\n\n", markdown(title)));
        if rows.is_empty() {
            out.push_str("(none)\n\n");
            continue;
        }
        for r in rows {
            let cells: Vec<String> = r.iter().map(|c| markdown(c)).collect();
            out.push_str(&format!("- {}\n", cells.join(" — ")));
        }
        out.push('\n');
    }
    out
}
