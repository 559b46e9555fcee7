//! Leads as a short table for people: one row per lead, its reasons beneath.

use std::io::{self, Write};

use cloudcase_model::{Lead, LevelCounts};
use cloudcase_util::sanitize::terminal_safe;

use crate::sink::push_cell;

/// One column: its title and width (0: the last column, not padded).
struct Column {
    title: &'static str,
    width: usize,
}

/// The table's columns, in order.
const COLUMNS: &[Column] = &[
    Column {
        title: "RANK",
        width: 4,
    },
    Column {
        title: "SCORE",
        width: 6,
    },
    Column {
        title: "FINDINGS",
        width: 16,
    },
    Column {
        title: "PRINCIPAL",
        width: 40,
    },
    Column {
        title: "ACCESS KEY",
        width: 20,
    },
    Column {
        title: "SOURCES",
        width: 24,
    },
    Column {
        title: "FIRST",
        width: 24,
    },
    Column {
        title: "LAST",
        width: 0,
    },
];

/// `1C 9H 9M 3L`: findings by level, highest first, informational left out.
fn levels(c: &LevelCounts) -> String {
    let parts: Vec<String> = [
        (c.critical, 'C'),
        (c.high, 'H'),
        (c.medium, 'M'),
        (c.low, 'L'),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, l)| format!("{n}{l}"))
    .collect();
    if parts.is_empty() {
        format!("{}I", c.informational)
    } else {
        parts.join(" ")
    }
}

/// The first source, and how many more.
fn sources(lead: &Lead) -> String {
    let more = lead.sources.len().saturating_sub(1) as u64 + lead.other_sources;
    match lead.sources.first() {
        None => "-".to_owned(),
        Some(s) if more == 0 => s.clone(),
        Some(s) => format!("{s} +{more}"),
    }
}

/// Writes `leads` as a table (principals, sources and reasons made terminal-safe), then a
/// line saying how many of `total` leads were shown.
pub fn write_leads_table(mut out: impl Write, leads: &[Lead], total: usize) -> io::Result<()> {
    let mut buf = Vec::new();
    for column in COLUMNS {
        push_cell(&mut buf, column.title, column.width);
    }
    buf.push(b'\n');
    for lead in leads {
        let principal = match (&lead.account, lead.kind) {
            (Some(account), cloudcase_model::LeadKind::Root) => format!("root ({account})"),
            _ => lead.principal.clone(),
        };
        let cells = [
            lead.rank.to_string(),
            lead.score.to_string(),
            levels(&lead.findings),
            principal,
            lead.access_key.clone().unwrap_or_else(|| "-".to_owned()),
            sources(lead),
            lead.first.clone(),
            lead.last.clone(),
        ];
        for (cell, column) in cells.iter().zip(COLUMNS) {
            push_cell(&mut buf, cell, column.width);
        }
        buf.push(b'\n');
        for reason in &lead.reasons {
            buf.extend_from_slice(b"      - ");
            buf.extend_from_slice(terminal_safe(reason).as_bytes());
            buf.push(b'\n');
        }
    }
    buf.extend_from_slice(
        format!(
            "\n{} of {} leads shown (--top N for more); findings grouped by identity, unauthenticated activity and hosts' flows and DNS queries by source address\n",
            leads.len(),
            total
        )
        .as_bytes(),
    );
    out.write_all(&buf)?;
    out.flush()
}
