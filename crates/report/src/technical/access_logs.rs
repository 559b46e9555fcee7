//! The S3 server access logs behind bucket verdicts: how much of the attacker window each
//! bucket's log spans and from which files, and the attacker's reads they show.

use cloudcase_model::scope::{
    DataAccess, LogReader, LogReaderMatch, StoreCoverage, StoreKind, Verdict, WindowSpan,
};
use cloudcase_model::ScopeResult;

use super::{headers, more, voiced_headers};
use crate::amount::{bytes, grouped};
use crate::analysis::{code, opt, text};
use crate::executive::verdict;
use crate::i18n::{t, tf, tv, tvf, Lang, Voice};
use crate::refs::Refs;
use crate::scope_read::voice;
use crate::{Block, Cell};

/// Most log files named per bucket (the scope result names up to twenty).
const MAX_FILES_PER_BUCKET: usize = 5;
/// Most object keys shown per reader (the scope result keeps up to twenty).
const MAX_KEYS: usize = 3;
/// Most reader rows shown.
const MAX_READERS: usize = 50;

/// A bucket's server access log coverage, as the scope result states it.
struct LogCoverage<'a> {
    files: u64,
    file_names: &'a [String],
    first: &'a str,
    last: &'a str,
    lines: u64,
    lines_in_window: u64,
    window: WindowSpan,
    longest_quiet_hours: u64,
}

/// A store whose verdict rests on its server access logs.
struct Logged<'a> {
    /// The store and its verdict.
    store: &'a DataAccess,
    /// Its access-log coverage.
    coverage: LogCoverage<'a>,
}

/// One reader of a store, from its access logs.
struct LogRead<'a> {
    /// The store read.
    store: &'a DataAccess,
    /// Who read it.
    reader: &'a LogReader,
}

/// The access-log coverage of a store, when its verdict rests on one.
fn log_coverage(d: &DataAccess) -> Option<LogCoverage<'_>> {
    match &d.coverage {
        Some(StoreCoverage::S3AccessLog {
            files,
            file_names,
            first,
            last,
            lines,
            lines_in_window,
            window,
            longest_quiet_hours,
            ..
        }) => Some(LogCoverage {
            files: *files,
            file_names,
            first: opt(first),
            last: opt(last),
            lines: *lines,
            lines_in_window: *lines_in_window,
            window: *window,
            longest_quiet_hours: *longest_quiet_hours,
        }),
        _ => None,
    }
}

/// How much of the window a log spans, in words.
pub(crate) fn span_words(lang: Lang, voice: Voice, w: WindowSpan) -> &'static str {
    let key = match w {
        WindowSpan::Whole => "span.whole",
        WindowSpan::Partial => "span.partial",
        WindowSpan::None => "span.none",
    };
    tv(lang, voice, key)
}

/// Why a requester counts as the attacker, in words.
fn matched_words(lang: Lang, voice: Voice, m: LogReaderMatch) -> &'static str {
    let key = match m {
        LogReaderMatch::AttackerIdentity => "match.attacker_identity",
        LogReaderMatch::CompromisedPrincipal => "match.compromised_principal",
        LogReaderMatch::AttackerAddress => "match.attacker_address",
    };
    tv(lang, voice, key)
}

/// The requester as logged, or words for an anonymous request.
pub(crate) fn requester(lang: Lang, r: &LogReader) -> Cell {
    match r.requester.as_deref() {
        Some(arn) if !arn.is_empty() => code(arn),
        _ => text(t(lang, "s3log.anonymous")),
    }
}

/// The first keys read (the objects column says how many there were).
fn keys(r: &LogReader) -> Cell {
    let shown: Vec<&str> = r.keys.iter().take(MAX_KEYS).map(String::as_str).collect();
    code(shown.join(" "))
}

/// The server access log subsection of the data-access verdicts: coverage per bucket, files,
/// partial spans stated, and the reads. Nothing when no verdict rests on access logs; a
/// sentence naming the log when a bucket is UNKNOWN without one.
pub(super) fn access_logs(lang: Lang, s: &ScopeResult, refs: &mut Refs, blocks: &mut Vec<Block>) {
    let voice = voice(s);
    let logged: Vec<Logged> = s
        .data_access
        .iter()
        .filter_map(|store| log_coverage(store).map(|coverage| Logged { store, coverage }))
        .collect();
    if logged.is_empty() {
        let unlogged = s
            .data_access
            .iter()
            .any(|d| d.verdict == Verdict::Unknown && d.store == StoreKind::S3Bucket);
        if unlogged {
            blocks.push(Block::Paragraph(t(lang, "s3log.none").into()));
        }
        return;
    }
    blocks.push(Block::Heading(3, t(lang, "s3log.title").into()));
    coverage_table(lang, voice, &logged, blocks);
    for l in &logged {
        if l.coverage.window != WindowSpan::Whole {
            blocks.push(Block::Paragraph(tvf(
                lang,
                voice,
                "s3log.partial",
                &[&l.store.name, span_words(lang, voice, l.coverage.window)],
            )));
        }
    }
    files_table(lang, &logged, blocks);
    reads_table(lang, voice, &logged, refs, blocks);
}

/// One row per bucket: verdict, files, first and last line, lines, span of the window.
fn coverage_table(lang: Lang, voice: Voice, logged: &[Logged], blocks: &mut Vec<Block>) {
    let rows = logged
        .iter()
        .map(
            |Logged {
                 store: d,
                 coverage: c,
             }| {
                vec![
                    code(&d.name),
                    text(verdict(lang, d.verdict)),
                    text(grouped(c.files)),
                    text(c.first),
                    text(c.last),
                    text(tf(
                        lang,
                        "s3log.lines",
                        &[&grouped(c.lines_in_window), &grouped(c.lines)],
                    )),
                    text(span_words(lang, voice, c.window)),
                    text(c.longest_quiet_hours.to_string()),
                ]
            },
        )
        .collect();
    blocks.push(Block::Table {
        headers: voiced_headers(
            lang,
            voice,
            &[
                "col.store",
                "col.verdict",
                "col.log_files",
                "col.first_line",
                "col.last_line",
                "col.lines_in_window",
                "col.window_span",
                "col.quiet_hours",
            ],
        ),
        rows,
    });
}

/// The first log files of each bucket, with how many more there are.
fn files_table(lang: Lang, logged: &[Logged], blocks: &mut Vec<Block>) {
    let mut rows = Vec::new();
    for Logged {
        store: d,
        coverage: c,
    } in logged
    {
        rows.extend(
            c.file_names
                .iter()
                .take(MAX_FILES_PER_BUCKET)
                .map(|f| vec![code(&d.name), code(f)]),
        );
        let shown = c.file_names.len().min(MAX_FILES_PER_BUCKET) as u64;
        if c.files > shown {
            rows.push(vec![
                code(&d.name),
                text(tf(lang, "s3log.files.more", &[&grouped(c.files - shown)])),
            ]);
        }
    }
    if !rows.is_empty() {
        blocks.push(Block::Table {
            headers: headers(lang, &["col.store", "col.log_file"]),
            rows,
        });
    }
}

/// The attacker's reads in the access logs, each citing its first line.
fn reads_table(
    lang: Lang,
    voice: Voice,
    logged: &[Logged],
    refs: &mut Refs,
    blocks: &mut Vec<Block>,
) {
    let reads: Vec<LogRead> = logged
        .iter()
        .flat_map(|l| {
            l.store
                .access_log_reads
                .iter()
                .flatten()
                .map(|reader| LogRead {
                    store: l.store,
                    reader,
                })
        })
        .collect();
    if reads.is_empty() {
        blocks.push(Block::Paragraph(tv(lang, voice, "s3log.no_reads").into()));
        return;
    }
    let rows = reads
        .iter()
        .take(MAX_READERS)
        .map(
            |LogRead {
                 store: d,
                 reader: r,
             }| {
                let mut row = vec![
                    code(&d.name),
                    requester(lang, r),
                    code(&r.ip),
                    text(matched_words(lang, voice, r.matched)),
                    text(grouped(r.requests)),
                    code(r.operations.join(" ")),
                    text(grouped(r.objects)),
                ];
                row.extend([
                    keys(r),
                    text(bytes(lang, r.bytes_sent)),
                    text(&r.first),
                    text(&r.last),
                    refs.cite(&r.refs),
                ]);
                row
            },
        )
        .collect();
    blocks.push(Block::Heading(3, tv(lang, voice, "s3log.reads").into()));
    blocks.push(Block::Table {
        headers: voiced_headers(
            lang,
            voice,
            &[
                "col.store",
                "col.requester",
                "col.ip",
                "col.matched",
                "col.requests",
                "col.operations",
                "col.objects_read",
                "col.keys",
                "col.bytes_sent",
                "col.first",
                "col.last",
                "col.ref",
            ],
        ),
        rows,
    });
    more(lang, reads.len(), MAX_READERS, "s3log.reads.more", blocks);
}
