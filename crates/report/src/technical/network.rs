//! The network section: whether bytes reached attacker addresses (with its basis and the
//! flow-log coverage first), the attacker's instances and their flow logs, then the flows per
//! instance and interface.

use cloudcase_model::scope::{
    ExfiltrationVerdict, FlowGroup, FlowLogCoverage, FlowLogState, FlowReason, InstanceTraffic,
    Network, WindowSpan,
};
use cloudcase_model::ScopeResult;

use super::{more, section_title, span_words, voiced_headers};
use crate::amount::{bytes, grouped};
use crate::analysis::{code, opt, text};
use crate::i18n::{t, tv, tvf, Lang, Voice};
use crate::refs::Refs;
use crate::scope_read::voice;
use crate::{Block, Cell};

/// Most flow rows shown.
const MAX_FLOWS: usize = 60;
/// Most destination and instance rows shown.
const MAX_ROWS: usize = 30;
/// Most SKIPDATA windows named per instance.
const MAX_SKIPDATA: usize = 2;

/// The exfiltration verdict in words.
fn exfiltration_words(lang: Lang, voice: Voice, v: ExfiltrationVerdict) -> &'static str {
    match v {
        ExfiltrationVerdict::Observed => tv(lang, voice, "exfil.observed"),
        ExfiltrationVerdict::NotObserved => t(lang, "exfil.not_observed"),
        ExfiltrationVerdict::Unknown => t(lang, "exfil.unknown"),
    }
}

/// What the flow logs in the inputs cover, in one sentence (and one more for records counted
/// beyond the groups kept).
pub(crate) fn flow_coverage(lang: Lang, voice: Voice, c: &FlowLogCoverage) -> String {
    let mut s = tvf(
        lang,
        voice,
        "flow.coverage",
        &[
            &grouped(c.records),
            &grouped(c.records_in_window),
            &grouped(c.interfaces),
            opt(&c.first),
            opt(&c.last),
            span_words(lang, voice, c.window),
            &grouped(c.skipdata_records),
        ],
    );
    if c.ungrouped_records > 0 {
        s.push(' ');
        s.push_str(&tvf(
            lang,
            voice,
            "flow.ungrouped",
            &[
                &grouped(c.ungrouped_records),
                &bytes(lang, c.ungrouped_bytes),
            ],
        ));
    }
    s
}

/// The network section, or (no flow logs, no instance) what log would answer.
pub(super) fn network(lang: Lang, s: &ScopeResult, refs: &mut Refs, blocks: &mut Vec<Block>) {
    let voice = voice(s);
    blocks.push(Block::Heading(2, section_title(lang, s, "tech.network")));
    let Some(n) = &s.network else {
        blocks.push(Block::Paragraph(tv(lang, voice, "net.none").into()));
        return;
    };
    exfiltration(lang, voice, n, blocks);
    instances(lang, voice, &n.instances, blocks);
    flows(lang, voice, &n.flows, refs, blocks);
}

/// Whether bytes reached attacker addresses: verdict, basis, bytes and the flow-log coverage,
/// then the bytes per destination.
fn exfiltration(lang: Lang, voice: Voice, n: &Network, blocks: &mut Vec<Block>) {
    let x = &n.exfiltration;
    blocks.push(Block::Heading(3, tv(lang, voice, "net.exfil").into()));
    blocks.push(Block::KeyValues(vec![
        (
            t(lang, "col.verdict").into(),
            text(exfiltration_words(lang, voice, x.verdict)),
        ),
        (t(lang, "col.basis").into(), text(&x.basis)),
        (
            tv(lang, voice, "net.bytes_to_attacker").into(),
            text(bytes(lang, x.bytes_to_attacker)),
        ),
        (
            t(lang, "net.coverage").into(),
            text(flow_coverage(lang, voice, &n.coverage)),
        ),
    ]));
    if n.coverage.window != WindowSpan::Whole && x.verdict != ExfiltrationVerdict::Observed {
        blocks.push(Block::Paragraph(tv(lang, voice, "net.partial").into()));
    }
    if x.destinations.is_empty() {
        return;
    }
    let rows = x
        .destinations
        .iter()
        .take(MAX_ROWS)
        .map(|d| {
            vec![
                code(&d.address),
                text(bytes(lang, d.bytes)),
                code(d.interfaces.join(" ")),
                text(&d.first),
                text(&d.last),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: voiced_headers(
            lang,
            voice,
            &[
                "col.destination",
                "col.bytes_sent",
                "col.interfaces",
                "col.first",
                "col.last",
            ],
        ),
        rows,
    });
    more(
        lang,
        x.destinations.len(),
        MAX_ROWS,
        "net.rows.more",
        blocks,
    );
}

/// The SKIPDATA windows of an instance: how many, and the first few.
fn skipdata(lang: Lang, i: &InstanceTraffic) -> String {
    if i.skipdata.is_empty() {
        return t(lang, "exec.none").to_owned();
    }
    let windows: Vec<String> = i
        .skipdata
        .iter()
        .take(MAX_SKIPDATA)
        .map(|w| format!("{} – {}", w.from, w.to))
        .collect();
    format!("{} ({})", i.skipdata.len(), windows.join(", "))
}

/// The attacker's instances: interfaces, whether flow logs recorded them, span, SKIPDATA
/// gaps and bytes.
fn instances(lang: Lang, voice: Voice, list: &[InstanceTraffic], blocks: &mut Vec<Block>) {
    if list.is_empty() {
        return;
    }
    blocks.push(Block::Heading(3, tv(lang, voice, "net.instances").into()));
    let rows = list
        .iter()
        .take(MAX_ROWS)
        .map(|i| {
            let logged = match i.flow_logs {
                FlowLogState::Logged => t(lang, "flowlogs.logged"),
                FlowLogState::Unknown => t(lang, "flowlogs.unknown"),
            };
            vec![
                code(&i.instance_id),
                code(i.interfaces.join(" ")),
                text(logged),
                text(grouped(i.records)),
                text(opt(&i.first)),
                text(opt(&i.last)),
                text(skipdata(lang, i)),
                text(bytes(lang, i.bytes_out)),
                text(bytes(lang, i.bytes_in)),
                text(grouped(i.remote_addresses)),
                text(&i.basis),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: voiced_headers(
            lang,
            voice,
            &[
                "col.instance",
                "col.interfaces",
                "col.flow_logs",
                "col.records",
                "col.first",
                "col.last",
                "col.skipdata",
                "col.bytes_out",
                "col.bytes_in",
                "col.remotes",
                "col.basis",
            ],
        ),
        rows,
    });
    more(lang, list.len(), MAX_ROWS, "net.rows.more", blocks);
}

/// Why a flow is listed, in words.
fn reason(lang: Lang, voice: Voice, r: FlowReason) -> &'static str {
    match r {
        FlowReason::AttackerInstance => tv(lang, voice, "flow.reason.instance"),
        FlowReason::AttackerAddress => tv(lang, voice, "flow.reason.address"),
    }
}

/// One flow row.
fn flow_row(lang: Lang, voice: Voice, f: &FlowGroup, refs: &mut Refs) -> Vec<Cell> {
    vec![
        code(opt(&f.instance_id)),
        code(&f.interface_id),
        code(&f.remote_address),
        text(f.port.map_or(String::new(), |p| p.to_string())),
        code(&f.protocol),
        text(bytes(lang, f.bytes_in)),
        text(bytes(lang, f.bytes_out)),
        text(&f.first),
        text(&f.last),
        code(f.actions.join(" ")),
        text(reason(lang, voice, f.reason)),
        refs.cite(&f.refs),
    ]
}

/// The flows per instance and interface, bounded, each citing its first record.
fn flows(lang: Lang, voice: Voice, list: &[FlowGroup], refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(3, tv(lang, voice, "net.flows").into()));
    if list.is_empty() {
        blocks.push(Block::Paragraph(tv(lang, voice, "net.flows.none").into()));
        return;
    }
    let mut sorted: Vec<&FlowGroup> = list.iter().collect();
    sorted.sort_by(|a, b| {
        (opt(&a.instance_id), &a.interface_id).cmp(&(opt(&b.instance_id), &b.interface_id))
    });
    let rows = sorted
        .iter()
        .take(MAX_FLOWS)
        .map(|f| flow_row(lang, voice, f, refs))
        .collect();
    blocks.push(Block::Table {
        headers: voiced_headers(
            lang,
            voice,
            &[
                "col.instance",
                "col.interface",
                "col.remote",
                "col.port",
                "col.protocol",
                "col.bytes_in",
                "col.bytes_out",
                "col.first",
                "col.last",
                "col.flow_action",
                "col.why_listed",
                "col.ref",
            ],
        ),
        rows,
    });
    more(lang, list.len(), MAX_FLOWS, "net.flows.more", blocks);
}
