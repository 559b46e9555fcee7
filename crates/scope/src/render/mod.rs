//! Human summaries of the scope document: a terminal table and Markdown.

use cloudcase_util::escape::markdown;
use cloudcase_util::sanitize::terminal_safe;
use serde_json::Value;

mod sections;

use sections::{sections, Section};

/// Terminal text: every value made terminal-safe.
pub fn table(doc: &Value) -> String {
    let mut out = String::new();
    for Section { title, rows } in sections(doc) {
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

/// Markdown: every value escaped.
pub fn markdown_doc(doc: &Value) -> String {
    let mut out = String::from("# Scope\n\n");
    for Section { title, rows } in sections(doc) {
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
