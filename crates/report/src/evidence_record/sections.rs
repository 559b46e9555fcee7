//! The sections of the evidence record that summarise the objects: totals,
//! listings, source groups and, for a small case, every object.

use jiff::Timestamp;

use super::groups::{classify, DateBasis, Field, GroupRow, GroupSummary, PeriodField};
use super::listing::ListingInfo;
use super::scan::{Pair, Totals, SMALL_CASE_PAIRS};
use super::{code, headers, text};
use crate::i18n::{t, tf, Lang};
use crate::{Block, Cell};

/// Length of a source root or source beyond which its middle is elided in
/// the record (the listings hold every full source), so that no single row
/// can fill pages.
const PATH_DISPLAY_CHARS: usize = 200;

/// A time to the second, or "—".
pub(crate) fn time(t: Option<Timestamp>) -> String {
    t.map_or_else(
        || "—".to_owned(),
        |t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

/// The totals of the manifest pass, as labelled values.
pub(crate) fn totals(lang: Lang, totals: &Totals, groups: &GroupSummary) -> Vec<(String, Cell)> {
    let mut kv = vec![
        (
            t(lang, "summary.pairs").into(),
            text(totals.pairs.to_string()),
        ),
        (
            t(lang, "summary.bytes").into(),
            text(totals.bytes.to_string()),
        ),
        (t(lang, "summary.first").into(), text(time(totals.first))),
        (t(lang, "summary.last").into(), text(time(totals.last))),
        (
            t(lang, "summary.groups").into(),
            text(format!(
                "{} — {}",
                groups.groups.len(),
                t(lang, groups.grain.label_key())
            )),
        ),
        (
            t(lang, "summary.manifest_lines").into(),
            text(totals.lines.lines.to_string()),
        ),
        (
            t(lang, "summary.manifest_sha256").into(),
            code(&totals.manifest_sha256),
        ),
    ];
    if totals.lines.unparsable > 0 {
        kv.push((
            t(lang, "summary.unparsable").into(),
            text(totals.lines.unparsable.to_string()),
        ));
    }
    if totals.lines.torn_tail_bytes > 0 {
        kv.push((
            t(lang, "summary.torn").into(),
            text(totals.lines.torn_tail_bytes.to_string()),
        ));
    }
    kv
}

/// The listings: what they hold, their names, rows and hashes.
pub(crate) fn listings(lang: Lang, infos: &[ListingInfo], blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "listings").into()));
    blocks.push(Block::Paragraph(t(lang, "listings.text").into()));
    blocks.push(Block::Table {
        headers: headers(lang, &["col.file", "col.format", "col.rows", "col.sha256"]),
        rows: infos
            .iter()
            .map(|i| {
                vec![
                    code(&i.file_name),
                    text(i.format.as_str()),
                    text(i.rows.to_string()),
                    code(&i.sha256),
                ]
            })
            .collect(),
    });
}

/// A field of a group's key as shown.
fn field(lang: Lang, f: &Field) -> Cell {
    match f {
        Field::Merged => text(t(lang, "group.merged")),
        Field::Absent => text("—"),
        Field::Value(v) => text(v),
    }
}

/// A group's period as shown: the date, marked when it is the acquisition day.
fn period(lang: Lang, p: &PeriodField) -> Cell {
    match p {
        PeriodField::Merged => text(t(lang, "group.merged")),
        PeriodField::Absent => text("—"),
        PeriodField::Value(p) if p.basis == DateBasis::Acquired => {
            text(format!("{}{}", p.text, t(lang, "period.acquired")))
        }
        PeriodField::Value(p) => text(&p.text),
    }
}

/// `path` with its middle elided when longer than [`PATH_DISPLAY_CHARS`].
fn shown_path(path: &str) -> String {
    let n = path.chars().count();
    if n <= PATH_DISPLAY_CHARS {
        return path.to_owned();
    }
    let keep = PATH_DISPLAY_CHARS / 2;
    let head: String = path.chars().take(keep).collect();
    let tail: String = path.chars().skip(n - keep).collect();
    format!("{head}…{tail}")
}

/// `source` with its root written as the root's number (`R1/AWSLogs/…`)
/// when the record lists that root, so that a row holds less of the same path.
fn under_root(source: &str, acquired: &str, roots: &[String]) -> String {
    let root = classify(source, acquired).root;
    let rest = source.strip_prefix(root).filter(|r| !r.is_empty());
    match (roots.binary_search_by(|r| r.as_str().cmp(root)), rest) {
        (Ok(i), Some(rest)) if root != "/" => format!("R{}{rest}", i + 1),
        _ => source.to_owned(),
    }
}

/// An RFC 3339 time shown to the second (the listings keep it exactly).
fn to_second(time_text: &str) -> String {
    time_text
        .parse::<Timestamp>()
        .map_or_else(|_| time_text.to_owned(), |t| time(Some(t)))
}

/// One group's identity and counts; the root column only when the groups'
/// roots differ.
fn group_row(lang: Lang, no: usize, g: &GroupRow, s: &GroupSummary, show_root: bool) -> Vec<Cell> {
    let mut row = vec![
        text(format!("G{no}")),
        text(t(lang, g.key.log_type.label_key())),
    ];
    if show_root {
        row.push(match &g.key.root {
            Field::Value(r) => s
                .roots
                .binary_search(r)
                .map_or_else(|_| code(shown_path(r)), |i| code(format!("R{}", i + 1))),
            Field::Merged if s.grain.merges_loose_roots() => text(t(lang, "group.loose")),
            other => field(lang, other),
        });
    }
    row.extend([
        field(lang, &g.key.account),
        field(lang, &g.key.region),
        period(lang, &g.key.period),
        text(g.lines.to_string()),
        text(g.bytes.to_string()),
    ]);
    row
}

/// Columns of the group table (the root column only when roots differ).
const GROUP_COLUMNS: &[&str] = &[
    "col.no",
    "col.log_type",
    "col.root",
    "col.account",
    "col.region",
    "col.period",
    "col.objects",
    "col.bytes",
];

/// Columns of the table of the groups' times and hashes.
const GROUP_HASH_COLUMNS: &[&str] = &[
    "col.no",
    "col.first_acquired",
    "col.last_acquired",
    "col.group_sha256",
];

/// The grain used and why.
fn grain_text(lang: Lang, s: &GroupSummary) -> String {
    let grain = tf(lang, "groups.grain", &[t(lang, s.grain.label_key())]);
    let why = match s.too_fine {
        None => t(lang, "groups.finest").to_owned(),
        Some(finer) => tf(
            lang,
            "groups.coarsened",
            &[t(lang, finer.label_key()), &s.budget.to_string()],
        ),
    };
    // Japanese sentences follow one another without a space.
    let space = if lang == Lang::Ja { "" } else { " " };
    format!("{grain}{space}{why}")
}

/// The source groups: the grain and why, the roots, then two tables keyed
/// by group number — what each group is (with counts), and its first and
/// last acquisition and hash — so that each fits the page width.
pub(crate) fn groups(lang: Lang, s: &GroupSummary, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "groups").into()));
    if s.groups.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "objects.none").into()));
        return;
    }
    blocks.push(Block::Paragraph(t(lang, "groups.text").into()));
    blocks.push(Block::Paragraph(grain_text(lang, s)));
    if !s.roots.is_empty() {
        blocks.push(Block::Heading(3, t(lang, "groups.roots").into()));
        blocks.push(Block::Table {
            headers: headers(lang, &["col.no", "col.root"]),
            rows: s
                .roots
                .iter()
                .enumerate()
                .map(|(i, r)| vec![text(format!("R{}", i + 1)), code(shown_path(r))])
                .collect(),
        });
    }
    blocks.push(Block::Heading(3, t(lang, "groups.table").into()));
    let show_root = s.groups.iter().any(|g| g.key.root != s.groups[0].key.root);
    if !show_root && s.roots.len() == 1 {
        blocks.push(Block::Paragraph(t(lang, "groups.one_root").into()));
    }
    let columns: Vec<&str> = GROUP_COLUMNS
        .iter()
        .copied()
        .filter(|c| *c != "col.root" || show_root)
        .collect();
    blocks.push(Block::Table {
        headers: headers(lang, &columns),
        rows: s
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| group_row(lang, i + 1, g, s, show_root))
            .collect(),
    });
    blocks.push(Block::Heading(3, t(lang, "groups.hashes").into()));
    blocks.push(Block::Table {
        headers: headers(lang, GROUP_HASH_COLUMNS),
        rows: s
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                vec![
                    text(format!("G{}", i + 1)),
                    text(time(g.first)),
                    text(time(g.last)),
                    code(&g.sha256),
                ]
            })
            .collect(),
    });
}

/// Every object of a small case and every source of each, or why they are
/// not listed: one table of objects (number, SHA-256, size) and one of their
/// sources (object number, original source, acquisition time), so that a
/// hash and a path never share a row's width and 300 pairs print on a few
/// pages.
pub(crate) fn objects(
    lang: Lang,
    small: Option<&[Pair]>,
    pairs: u64,
    roots: &[String],
    blocks: &mut Vec<Block>,
) {
    blocks.push(Block::Heading(2, t(lang, "objects").into()));
    let Some(small) = small else {
        blocks.push(Block::Paragraph(tf(
            lang,
            "objects.too_many",
            &[&pairs.to_string(), &SMALL_CASE_PAIRS.to_string()],
        )));
        return;
    };
    let Some(first) = small.first() else {
        blocks.push(Block::Paragraph(t(lang, "objects.none").into()));
        return;
    };
    let mut objects: Vec<&Pair> = Vec::new();
    for p in small {
        if p.object_no > objects.len() {
            objects.push(p);
        }
    }
    blocks.push(Block::Table {
        headers: headers(lang, &["col.no", "col.sha256", "col.size"]),
        rows: objects
            .iter()
            .map(|p| {
                vec![
                    text(p.object_no.to_string()),
                    code(&p.sha256),
                    text(p.size.to_string()),
                ]
            })
            .collect(),
    });
    blocks.push(Block::Heading(3, t(lang, "objects.sources").into()));
    let one_examiner = small.iter().all(|p| p.examiner == first.examiner);
    blocks.push(Block::Paragraph(if one_examiner {
        tf(lang, "objects.one_examiner", &[&first.examiner])
    } else {
        t(lang, "objects.times").to_owned()
    }));
    let mut columns = vec!["col.object_no", "col.source", "col.acquired"];
    if !one_examiner {
        columns.push("col.examiner");
    }
    blocks.push(Block::Table {
        headers: headers(lang, &columns),
        rows: small
            .iter()
            .map(|p| {
                let mut row = vec![
                    text(p.object_no.to_string()),
                    code(shown_path(&under_root(&p.source, &p.acquired, roots))),
                    text(to_second(&p.acquired)),
                ];
                if !one_examiner {
                    row.push(text(&p.examiner));
                }
                row
            })
            .collect(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_paths_are_elided_in_the_middle_and_times_shown_to_the_second() {
        assert_eq!(shown_path("s3://b"), "s3://b");
        let long = format!("/{}", "x".repeat(1000));
        let shown = shown_path(&long);
        assert_eq!(shown.chars().count(), PATH_DISPLAY_CHARS + 1);
        assert!(shown.starts_with("/xx") && shown.contains('…'));
        assert_eq!(
            to_second("2024-06-01T10:00:01.000000001Z"),
            "2024-06-01T10:00:01Z"
        );
        assert_eq!(to_second("yesterday"), "yesterday");
    }

    #[test]
    fn sources_name_their_root_by_number() {
        let roots = vec!["/cases/copy".to_owned(), "s3://trail".to_owned()];
        let at = "2024-05-18T00:00:00Z";
        assert_eq!(
            under_root(
                "s3://trail/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/18/f.gz",
                at,
                &roots
            ),
            "R2/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/18/f.gz"
        );
        assert_eq!(under_root("/cases/copy/f.json", at, &roots), "R1/f.json");
        assert_eq!(
            under_root("/elsewhere/f.json", at, &roots),
            "/elsewhere/f.json"
        );
        assert_eq!(
            under_root("/AWSLogs/x", at, &["/".to_owned()]),
            "/AWSLogs/x"
        );
    }
}
