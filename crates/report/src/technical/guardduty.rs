//! GuardDuty findings joined to the document: type, severity band, when, what they joined on,
//! and how many joined nothing. They corroborate; they never decide.

use cloudcase_model::scope::{JoinKind, JoinedFinding};
use cloudcase_model::ScopeResult;

use super::{headers, more, section_title};
use crate::amount::grouped;
use crate::analysis::{code, opt, text};
use crate::i18n::{t, tf, tv, Lang};
use crate::refs::Refs;
use crate::scope_read::voice;
use crate::Block;

/// Most findings shown.
const MAX_FINDINGS: usize = 50;

/// A GuardDuty severity band: findings from `from` up to the next band are in it.
struct Band {
    /// The lowest severity of the band.
    from: f64,
    /// Its name's message key.
    key: &'static str,
}

/// GuardDuty's bands, highest first.
const BANDS: &[Band] = &[
    Band {
        from: 9.0,
        key: "severity.critical",
    },
    Band {
        from: 7.0,
        key: "severity.high",
    },
    Band {
        from: 4.0,
        key: "severity.medium",
    },
    Band {
        from: f64::NEG_INFINITY,
        key: "severity.low",
    },
];

/// The severity with its band: `8.0 (high)`.
pub(crate) fn severity(lang: Lang, value: f64) -> String {
    let band = BANDS
        .iter()
        .find(|b| value >= b.from)
        .map_or("", |b| t(lang, b.key));
    format!("{value:.1} ({band})")
}

/// What a finding was joined on, in words.
fn join_kind(lang: Lang, k: JoinKind) -> &'static str {
    let key = match k {
        JoinKind::AccessKey => "join.access_key",
        JoinKind::Principal => "join.principal",
        JoinKind::Instance => "join.instance",
        JoinKind::Address => "join.address",
        JoinKind::Bucket => "join.bucket",
    };
    t(lang, key)
}

/// The joins of a finding: `access key AKIA…, address 198.51.100.7`.
fn joins(lang: Lang, f: &JoinedFinding) -> String {
    f.joined_on
        .iter()
        .map(|j| format!("{} {}", join_kind(lang, j.on), j.value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The GuardDuty section, or (no findings in the inputs) what would answer.
pub(super) fn guardduty(lang: Lang, s: &ScopeResult, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, section_title(lang, s, "tech.guardduty")));
    let Some(g) = &s.guardduty else {
        blocks.push(Block::Paragraph(t(lang, "gd.none").into()));
        return;
    };
    blocks.push(Block::Paragraph(t(lang, "gd.note").into()));
    if g.findings.is_empty() {
        blocks.push(Block::Paragraph(tv(lang, voice(s), "gd.empty").into()));
    } else {
        let yes_no = |v: bool| t(lang, if v { "yes" } else { "no" }).to_owned();
        let rows = g
            .findings
            .iter()
            .take(MAX_FINDINGS)
            .map(|f| {
                vec![
                    code(&f.finding_type),
                    text(severity(lang, f.severity)),
                    code(opt(&f.title)),
                    text(opt(&f.first_seen)),
                    text(opt(&f.last_seen)),
                    text(f.count.map_or(String::new(), grouped)),
                    text(yes_no(f.archived)),
                    code(joins(lang, f)),
                    refs.cite(&f.refs),
                ]
            })
            .collect();
        blocks.push(Block::Table {
            headers: headers(
                lang,
                &[
                    "col.finding_type",
                    "col.severity",
                    "col.title",
                    "col.first_seen",
                    "col.last_seen",
                    "col.occurrences",
                    "col.archived",
                    "col.joined_on",
                    "col.ref",
                ],
            ),
            rows,
        });
        more(lang, g.findings.len(), MAX_FINDINGS, "gd.more", blocks);
    }
    blocks.push(Block::Paragraph(tf(
        lang,
        "gd.not_joined",
        &[&grouped(g.not_joined)],
    )));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_fall_in_guardduty_bands() {
        for (value, band) in [
            (0.1, "0.1 (low)"),
            (3.9, "3.9 (low)"),
            (4.0, "4.0 (medium)"),
            (6.9, "6.9 (medium)"),
            (7.0, "7.0 (high)"),
            (8.9, "8.9 (high)"),
            (9.0, "9.0 (critical)"),
            (10.0, "10.0 (critical)"),
        ] {
            assert_eq!(severity(Lang::En, value), band);
        }
        assert_eq!(severity(Lang::Ja, 8.0), "8.0 (高)");
    }
}
