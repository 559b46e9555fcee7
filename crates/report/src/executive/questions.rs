//! The summary's answers to "was customer data read?", "did data leave over the network?" and
//! "what did it cost?", from the logs beyond CloudTrail where the document has them: the S3
//! server access logs behind bucket verdicts, the VPC flow logs behind the exfiltration
//! verdict, and the Cost and Usage Report beside the list-price estimate. An answer the logs
//! cannot give is an open question, never a "no".

use cloudcase_model::cost::{ActualCost, Cost};
use cloudcase_model::scope::{
    DataAccess, ExfiltrationVerdict, LogReader, Network, Reader, StoreCoverage, Verdict,
};
use cloudcase_model::ScopeResult;

use crate::amount::{bytes, grouped};
use crate::analysis::{opt, text};
use crate::i18n::{t, tv, tvf, Lang, Voice};
use crate::scope_read::voice;
use crate::technical::{billed, estimate, flow_coverage, requester, span_words};
use crate::{Block, Cell};

/// What the logs show about a store with a verdict: who read it (from the server access logs
/// or CloudTrail), or the coverage behind "not observed".
pub(super) fn shown(lang: Lang, voice: Voice, d: &DataAccess) -> String {
    match d.verdict {
        Verdict::Accessed => accessed(lang, voice, d),
        Verdict::NotObserved => not_observed(lang, voice, d),
        Verdict::Unknown => String::new(),
    }
}

/// Who read an accessed store: the first reader, and how many others there were.
fn accessed(lang: Lang, voice: Voice, d: &DataAccess) -> String {
    let log_reads = d.access_log_reads.as_deref().unwrap_or_default();
    let trail_reads = d.readers.as_deref().unwrap_or_default();
    let (mut s, others) = match (log_reads.first(), trail_reads.first()) {
        (Some(r), _) => (log_read(lang, voice, r), log_reads.len() - 1),
        (None, Some(r)) => (trail_read(lang, voice, r), trail_reads.len() - 1),
        (None, None) => return t(lang, "answer.accessed").to_owned(),
    };
    if others > 0 {
        s.push_str(&tvf(lang, voice, "answer.others", &[&others.to_string()]));
    }
    s
}

/// A read from the server access logs, naming the requester.
fn log_read(lang: Lang, voice: Voice, r: &LogReader) -> String {
    tvf(
        lang,
        voice,
        "answer.read_by",
        &[
            &requester(lang, r).text(),
            &r.ip,
            &grouped(r.objects),
            &bytes(lang, r.bytes_sent),
            &r.first,
            &r.last,
        ],
    )
}

/// A read from CloudTrail, naming the access key.
fn trail_read(lang: Lang, voice: Voice, r: &Reader) -> String {
    tvf(
        lang,
        voice,
        "answer.read_with_key",
        &[&r.access_key, &r.ip, &grouped(r.events), &r.first, &r.last],
    )
}

/// The coverage behind a "not observed" verdict.
fn not_observed(lang: Lang, voice: Voice, d: &DataAccess) -> String {
    match &d.coverage {
        Some(StoreCoverage::S3AccessLog {
            first,
            last,
            lines_in_window,
            window,
            ..
        }) => tvf(
            lang,
            voice,
            "answer.not_observed.s3log",
            &[
                opt(first),
                opt(last),
                &grouped(*lines_in_window),
                span_words(lang, voice, *window),
            ],
        ),
        Some(StoreCoverage::DataEvents {
            data_events_in_window,
            ..
        }) => tvf(
            lang,
            voice,
            "answer.not_observed.data_events",
            &[&grouped(*data_events_in_window)],
        ),
        Some(StoreCoverage::ManagementReads {
            region,
            management_read_events_in_window,
        }) => tvf(
            lang,
            voice,
            "answer.not_observed.management",
            &[region, &grouped(*management_read_events_in_window)],
        ),
        Some(StoreCoverage::NotInCloudtrail { .. }) | None => d.basis.clone(),
    }
}

/// "Did data leave over the network?" answered from the flow logs; `None` when they cannot
/// say (no flow logs, or none in the window): the question is then an open one.
pub(super) fn network_answer(lang: Lang, voice: Voice, n: Option<&Network>) -> Option<String> {
    let n = n?;
    let x = &n.exfiltration;
    match x.verdict {
        ExfiltrationVerdict::Observed => {
            let mut dests: Vec<_> = x.destinations.iter().collect();
            dests.sort_by_key(|d| std::cmp::Reverse(d.bytes));
            let top = dests.first()?;
            let mut s = tvf(
                lang,
                voice,
                "answer.exfil.observed",
                &[
                    &bytes(lang, x.bytes_to_attacker),
                    &top.address,
                    &top.first,
                    &top.last,
                ],
            );
            if dests.len() > 1 {
                let more = (dests.len() - 1).to_string();
                s.push_str(&tvf(lang, voice, "answer.exfil.more", &[&more]));
            }
            Some(s)
        }
        ExfiltrationVerdict::NotObserved => Some(tvf(
            lang,
            voice,
            "answer.exfil.not_observed",
            &[&flow_coverage(lang, voice, &n.coverage)],
        )),
        ExfiltrationVerdict::Unknown => None,
    }
}

/// The open question when the flow logs cannot say whether data left over the network.
pub(super) fn network_unknown(lang: Lang, scope: &ScopeResult) -> Option<Vec<Cell>> {
    let voice = voice(scope);
    if network_answer(lang, voice, scope.network.as_ref()).is_some() {
        return None;
    }
    Some(vec![
        text(tv(lang, voice, "exec.unknown.network")),
        text(tv(lang, voice, "exec.unknown.network_resolve")),
    ])
}

/// The answer to "did data leave over the network?" in the known part, when there is one.
pub(super) fn network_block(lang: Lang, scope: &ScopeResult, blocks: &mut Vec<Block>) {
    let voice = voice(scope);
    if let Some(answer) = network_answer(lang, voice, scope.network.as_ref()) {
        blocks.push(Block::Heading(3, t(lang, "exec.q.network").into()));
        blocks.push(Block::Paragraph(answer));
    }
}

/// The cost line of the impact when the inputs hold a bill: the billed figure with its
/// period, the list-price estimate beside it.
pub(super) fn billed_line(lang: Lang, voice: Voice, c: &Cost, a: &ActualCost) -> (String, String) {
    let mut value = tvf(
        lang,
        voice,
        "exec.cost.billed.value",
        &[
            &billed(a),
            opt(&a.period_from),
            opt(&a.period_to),
            &estimate(lang, c),
        ],
    );
    if !a.covers_window {
        value.push_str(tv(lang, voice, "exec.cost.billed.partial"));
    }
    (tv(lang, voice, "exec.cost.billed").to_owned(), value)
}
