//! How the intrusion was judged: the method in words, the weighted signals behind the claim
//! (each citing the record it rests on), and the candidates `--auto` ranked.

use cloudcase_model::scope::{AutoRank, Departure, IntrusionSignal, Method};
use cloudcase_model::ScopeResult;

use super::headers;
use crate::analysis::{code, opt, text};
use crate::executive::confidence_level;
use crate::i18n::{t, tf, Lang};
use crate::refs::Refs;
use crate::{Block, Cell};

/// Most `--auto` candidates shown.
const MAX_CANDIDATES: usize = 5;

/// What a method means, in words.
pub(crate) fn method_words(lang: Lang, m: Method) -> &'static str {
    let key = match m {
        Method::Network => "intrusion.method.network",
        Method::ClientFamily => "intrusion.method.client_family",
        Method::Indicator => "intrusion.method.indicator",
        Method::Behaviour => "intrusion.method.behaviour",
        Method::CredentialMisuse => "intrusion.method.credential_misuse",
    };
    t(lang, key)
}

/// The signals behind the claim, highest weight first: signal, weight,
/// detail and the record each rests on. Nothing for a document written before signals
/// existed.
pub(super) fn signals(lang: Lang, d: &Departure, refs: &mut Refs, blocks: &mut Vec<Block>) {
    if d.signals.is_empty() {
        return;
    }
    blocks.push(Block::Heading(3, t(lang, "tech.signals").into()));
    blocks.push(Block::Paragraph(t(lang, "tech.signals.note").into()));
    let mut ordered: Vec<&IntrusionSignal> = d.signals.iter().collect();
    ordered.sort_by_key(|x| std::cmp::Reverse(x.weight));
    let rows = ordered
        .iter()
        .map(|x| {
            vec![
                code(&x.signal),
                text(format!("{:+}", x.weight)),
                text(&x.detail),
                refs.cite(&x.refs),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &["col.signal", "col.weight", "col.details", "col.ref"],
        ),
        rows,
    });
}

/// One `--auto` candidate's row.
fn candidate(lang: Lang, rank: usize, c: &AutoRank) -> Vec<Cell> {
    let who = c.principal.as_ref().or(c.access_key.as_ref());
    vec![
        text(rank.to_string()),
        code(who.map_or("", String::as_str)),
        code(opt(&c.kind)),
        text(c.score.to_string()),
        text(
            c.confidence
                .map_or("", |level| confidence_level(lang, level)),
        ),
        text(&c.first_departure),
        text(c.reasons.join("; ")),
    ]
}

/// The top candidates `--auto` ranked, with their kind, score and confidence.
pub(super) fn ranking(lang: Lang, s: &ScopeResult, blocks: &mut Vec<Block>) {
    let ranked = &s.subject.auto_ranking;
    if ranked.is_empty() {
        return;
    }
    blocks.push(Block::Heading(3, t(lang, "tech.ranking").into()));
    if ranked.len() > MAX_CANDIDATES {
        blocks.push(Block::Paragraph(tf(
            lang,
            "tech.ranking.capped",
            &[&MAX_CANDIDATES.to_string(), &ranked.len().to_string()],
        )));
    }
    let rows = ranked
        .iter()
        .take(MAX_CANDIDATES)
        .zip(1..)
        .map(|(c, rank)| candidate(lang, rank, c))
        .collect();
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.rank",
                "col.principal",
                "col.kind",
                "col.score",
                "col.confidence",
                "col.first_departure",
                "col.reasons",
            ],
        ),
        rows,
    });
}
