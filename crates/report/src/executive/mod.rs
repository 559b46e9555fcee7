//! The executive summary: what happened in plain words, what is known and
//! what is not yet known (strictly apart), business impact, what was done,
//! the decisions needed now and the next steps — short enough for three A4
//! pages, versioned, and saying what changed since the previous version.

mod questions;
mod story;

use cloudcase_evidence::results::AnalysisKind;
use cloudcase_model::scope::{
    Confidence, DataAccess, Resource, SubjectKind, UnknownTopic, Verdict,
};
use cloudcase_model::ScopeResult;

use crate::analysis::{code, opt, text, Analysis};
use crate::facts::{Change, Facts};
use crate::i18n::{t, tf, tv, tvf, Lang, Voice};
use crate::scope_read::{departure, first_event, last_event, plan_steps, stated_confidence, voice};
use crate::versions::Placement;
use crate::{Block, Cell, Document, DocumentOptions};
use story::story;
pub(crate) use story::{confidence_level, confidence_words};

/// Longest list shown in the summary; the rest is counted and left to the
/// technical report.
const TOP: usize = 5;

/// `rows` capped at [`TOP`], with a last row counting the rest.
fn capped(lang: Lang, mut rows: Vec<Vec<Cell>>, width: usize) -> Vec<Vec<Cell>> {
    if rows.len() > TOP {
        let more = rows.len() - TOP;
        rows.truncate(TOP);
        let mut last = vec![text(tf(lang, "exec.more", &[&more.to_string()]))];
        last.resize(width, text(""));
        rows.push(last);
    }
    rows
}

fn table(lang: Lang, headers: &[&str], rows: Vec<Vec<Cell>>) -> Block {
    Block::Table {
        headers: headers.iter().map(|h| t(lang, h).to_owned()).collect(),
        rows: capped(lang, rows, headers.len()),
    }
}

/// The verdict in words.
pub(crate) fn verdict(lang: Lang, v: Verdict) -> String {
    match v {
        Verdict::Accessed => t(lang, "verdict.accessed").to_owned(),
        Verdict::NotObserved => t(lang, "verdict.not_observed").to_owned(),
        Verdict::Unknown => t(lang, "verdict.unknown").to_owned(),
    }
}

/// The store kind in words (the code itself for a kind without a translation).
fn store_kind(lang: Lang, kind: &str) -> String {
    let key = format!("store.{kind}");
    match t(lang, &key) {
        same if same == key => kind.to_owned(),
        words => words.to_owned(),
    }
}

/// How firmly the logs support a verdict.
fn confidence(lang: Lang, v: Verdict) -> &'static str {
    match v {
        Verdict::Accessed => t(lang, "confidence.accessed"),
        Verdict::NotObserved => t(lang, "confidence.not_observed"),
        Verdict::Unknown => t(lang, "confidence.unknown"),
    }
}

/// Counts of attacker identities by kind, as `(users, keys, roles)`.
pub(super) fn identity_counts(scope: &ScopeResult) -> [usize; 3] {
    let ids = &scope.identities;
    [ids.users.len(), ids.access_keys.len(), ids.roles.len()]
}

/// The data stores whose verdict is (`is`) or is not (`!is`) `v`.
fn stores_where(scope: &ScopeResult, v: Verdict, is: bool) -> impl Iterator<Item = &DataAccess> {
    scope
        .data_access
        .iter()
        .filter(move |d| (d.verdict == v) == is)
}

/// What separates two sentences: a space in English, nothing in Japanese.
pub(super) fn sentence_gap(lang: Lang) -> &'static str {
    match lang {
        Lang::En => " ",
        Lang::Ja => "",
    }
}

/// The times of the first and last event the summary states: the attacker's, or (no
/// intrusion established) the named credential's own.
fn span(scope: &ScopeResult, voice: Voice) -> [&str; 2] {
    match voice {
        Voice::Attacker => [first_event(&scope.intrusion), last_event(&scope.intrusion)],
        Voice::Named => [
            opt(&scope.subject.first_seen),
            opt(&scope.subject.last_seen),
        ],
    }
}

/// The key facts: the credential, the span, the sources and how sure the finding is.
fn key_facts(lang: Lang, scope: &ScopeResult, facts: &Facts) -> Block {
    let voice = voice(scope);
    let sources: Vec<&str> = scope
        .attacker_sources
        .iter()
        .take(TOP)
        .map(|s| s.ip.as_str())
        .collect();
    let principals = scope
        .identities
        .compromised
        .as_ref()
        .map_or(String::new(), |c| c.principals.join(", "));
    let [first, last] = span(scope, voice);
    let credential = match (voice, scope.subject.kind) {
        (Voice::Attacker, SubjectKind::Principal | SubjectKind::Auto | SubjectKind::Ip) => {
            t(lang, "exec.compromised.identity")
        }
        _ => tv(lang, voice, "exec.compromised"),
    };
    let mut rows = vec![
        (credential.into(), code(&facts.compromised)),
        (t(lang, "exec.compromised_user").into(), code(principals)),
    ];
    if voice == Voice::Named {
        rows.push((
            t(lang, "exec.finding").into(),
            text(t(lang, "exec.finding.named")),
        ));
    }
    rows.extend([
        (tv(lang, voice, "exec.first_event").into(), text(first)),
        (tv(lang, voice, "exec.last_event").into(), text(last)),
        (
            tv(lang, voice, "exec.sources").into(),
            code(sources.join(", ")),
        ),
    ]);
    if let Some(level) = departure(&scope.intrusion).and_then(stated_confidence) {
        rows.push((
            t(lang, "exec.confidence").into(),
            text(confidence_words(lang, level)),
        ));
    }
    Block::KeyValues(rows)
}

fn known(lang: Lang, scope: &ScopeResult, facts: &Facts, blocks: &mut Vec<Block>) {
    let voice = voice(scope);
    blocks.push(Block::Heading(2, t(lang, "exec.known").into()));
    blocks.push(Block::Paragraph(t(lang, "exec.known.note").into()));
    blocks.push(key_facts(lang, scope, facts));
    blocks.push(Block::Heading(3, tv(lang, voice, "exec.identities").into()));
    let ids = &scope.identities;
    let row = |kind: &str, name: &str, created: &str| {
        vec![text(t(lang, kind)), code(name), text(created)]
    };
    let rows: Vec<Vec<Cell>> = ids
        .users
        .iter()
        .map(|u| row("kind.user", &u.name, &u.created))
        .chain(
            ids.access_keys
                .iter()
                .map(|k| row("kind.access_key", &k.access_key, &k.created)),
        )
        .chain(ids.roles.iter().map(|r| row("kind.role", &r.name, &r.time)))
        .collect();
    if rows.is_empty() {
        blocks.push(Block::Paragraph(
            tv(lang, voice, "exec.identities.none").into(),
        ));
    } else {
        blocks.push(table(lang, &["col.kind", "col.name", "col.created"], rows));
    }
    let accessed: Vec<&DataAccess> = stores_where(scope, Verdict::Unknown, false).collect();
    if !accessed.is_empty() {
        blocks.push(Block::Heading(3, t(lang, "exec.q.data").into()));
        let rows = accessed
            .iter()
            .map(|d| {
                vec![
                    code(&d.name),
                    text(verdict(lang, d.verdict)),
                    text(questions::shown(lang, voice, d)),
                    text(confidence(lang, d.verdict)),
                ]
            })
            .collect();
        blocks.push(table(
            lang,
            &["col.store", "col.verdict", "col.shown", "col.confidence"],
            rows,
        ));
    }
    questions::network_block(lang, scope, blocks);
}

/// What the finding itself leaves open, first among the open questions: with no intrusion
/// established, that this is not proof of no misuse; with a low-confidence claim, whether the
/// activity is the owner's.
fn doubts(lang: Lang, scope: &ScopeResult) -> Vec<Vec<Cell>> {
    let row = |q: &str, r: &str| vec![text(t(lang, q)), text(t(lang, r))];
    if voice(scope) == Voice::Named {
        return vec![row("exec.unknown.misuse", "exec.unknown.misuse_resolve")];
    }
    match departure(&scope.intrusion).and_then(stated_confidence) {
        Some(Confidence::Low) => vec![row("exec.unknown.low", "exec.unknown.low_resolve")],
        _ => Vec::new(),
    }
}

fn not_known(lang: Lang, scope: &ScopeResult, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "exec.unknown").into()));
    let mut rows = doubts(lang, scope);
    rows.extend(stores_where(scope, Verdict::Unknown, true).map(|d| {
        vec![
            text(tf(
                lang,
                "exec.unknown.store",
                &[&store_kind(lang, d.store.as_str()), &d.name],
            )),
            text(tv(lang, voice(scope), "exec.unknown.store_resolve")),
        ]
    }));
    let network = questions::network_unknown(lang, scope);
    let asked = network.is_some();
    rows.extend(network);
    rows.extend(
        scope
            .unknowns
            .iter()
            .filter(|u| match &u.about {
                // Shown above, in the store rows.
                Some(UnknownTopic::DataStore { .. }) => false,
                Some(UnknownTopic::Exfiltration) => !asked,
                None => true,
            })
            .map(|u| vec![text(&u.question), text(&u.would_resolve)]),
    );
    if rows.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "exec.unknown.none").into()));
    } else {
        blocks.push(table(lang, &["col.question", "col.would_resolve"], rows));
    }
}

fn impact(lang: Lang, scope: &ScopeResult, facts: &Facts, blocks: &mut Vec<Block>) {
    let voice = voice(scope);
    blocks.push(Block::Heading(2, t(lang, "exec.impact").into()));
    let bound = if facts.cost_lower_bound {
        t(lang, "exec.cost.lower_bound")
    } else {
        ""
    };
    let running = scope
        .resources
        .iter()
        .filter(|r| matches!(r, Resource::Instance(i) if i.exists_at_end_of_logs))
        .count();
    let (cost_key, cost_value) = match scope
        .cost
        .as_ref()
        .and_then(|c| c.actual.as_ref().map(|a| (c, a)))
    {
        Some((c, a)) => questions::billed_line(lang, voice, c, a),
        None => (
            tv(lang, voice, "exec.cost").to_owned(),
            format!("USD {}{bound}", facts.cost_usd),
        ),
    };
    blocks.push(Block::KeyValues(vec![
        (cost_key, text(cost_value)),
        (
            tv(lang, voice, "exec.instances").into(),
            text(tf(
                lang,
                "exec.instances.value",
                &[&facts.instances.len().to_string(), &running.to_string()],
            )),
        ),
        (
            t(lang, "exec.service").into(),
            text(tv(lang, voice, "exec.service.value")),
        ),
    ]));
    let count = |code: &str| {
        facts
            .verdicts
            .values()
            .filter(|v| v.as_str() == code)
            .count()
            .to_string()
    };
    blocks.push(Block::KeyValues(vec![(
        t(lang, "exec.verdicts").into(),
        text(tf(
            lang,
            "exec.verdicts.value",
            &[
                &count("ACCESSED"),
                &count("NOT_OBSERVED"),
                &count("UNKNOWN"),
            ],
        )),
    )]));
}

fn done(lang: Lang, scope: &ScopeResult, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "exec.done").into()));
    let rows: Vec<Vec<Cell>> = scope
        .responder_actions
        .iter()
        .map(|a| vec![text(&a.time), code(&a.event)])
        .collect();
    if rows.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "exec.done.none").into()));
    } else {
        blocks.push(table(lang, &["col.time", "col.action"], rows));
    }
    let steps = plan_steps(scope).len();
    blocks.push(Block::Paragraph(tvf(
        lang,
        voice(scope),
        "exec.containment",
        &[&steps.to_string()],
    )));
}

fn decisions(lang: Lang, scope: &ScopeResult, blocks: &mut Vec<Block>) {
    let voice = voice(scope);
    blocks.push(Block::Heading(2, t(lang, "exec.decisions").into()));
    let exposed: Vec<&str> = stores_where(scope, Verdict::NotObserved, false)
        .map(|d| d.name.as_str())
        .collect();
    let exposed = if exposed.is_empty() {
        t(lang, "exec.none").to_owned()
    } else {
        exposed.join(", ")
    };
    blocks.push(Block::KeyValues(vec![
        (
            t(lang, "exec.notify").into(),
            text(tf(lang, "exec.notify.text", &[&exposed])),
        ),
        (t(lang, "exec.appi").into(), text(t(lang, "exec.appi.text"))),
    ]));
    blocks.push(Block::Table {
        headers: vec![t(lang, "col.fact_to_check").into()],
        rows: ["appi.1", "appi.2", "appi.3", "appi.4", "appi.5"]
            .iter()
            .map(|k| vec![text(tv(lang, voice, k))])
            .collect(),
    });
    blocks.push(Block::Paragraph(t(lang, "exec.not_legal_advice").into()));
}

fn next_steps(lang: Lang, scope: &ScopeResult, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "exec.next").into()));
    let mut steps = vec![tv(lang, voice(scope), "next.contain")];
    if stores_where(scope, Verdict::Unknown, true).next().is_some() {
        steps.push(t(lang, "next.data_events"));
    }
    steps.push(t(lang, "next.validate"));
    steps.push(t(lang, "next.update"));
    blocks.push(Block::Table {
        headers: vec![t(lang, "col.no").into(), t(lang, "col.step").into()],
        rows: steps
            .iter()
            .enumerate()
            .map(|(i, s)| vec![text((i + 1).to_string()), text(*s)])
            .collect(),
    });
}

fn change_rows(lang: Lang, voice: Voice, changes: &[Change]) -> Vec<Vec<Cell>> {
    changes
        .iter()
        .map(|c| match c {
            Change::Added(f, v) => vec![
                text(t(lang, "change.added")),
                text(tv(lang, voice, &format!("fact.{f}"))),
                code(v),
            ],
            Change::Removed(f, v) => vec![
                text(t(lang, "change.removed")),
                text(tv(lang, voice, &format!("fact.{f}"))),
                code(v),
            ],
            Change::Changed(f, item, old, new) => vec![
                text(t(lang, "change.changed")),
                text(tv(lang, voice, &format!("fact.{f}"))),
                code(format!("{item} {old} → {new}").trim().to_owned()),
            ],
        })
        .collect()
}

/// Builds the executive summary and the facts it states.
pub fn executive_summary(
    analysis: &Analysis,
    placement: &Placement,
    opts: &DocumentOptions,
) -> (Document, Facts) {
    let lang = opts.lang;
    let mut head = opts.head_rows(analysis);
    // The version follows the case name.
    head.insert(
        1,
        (
            t(lang, "report.version").into(),
            text(placement.version.to_string()),
        ),
    );
    head.push(opts.tool_row());
    let mut blocks = vec![Block::KeyValues(head)];
    let title = format!("{} — {}", t(lang, "exec.title"), opts.case_name);
    let Some(scope) = analysis.scope.as_ref().map(|s| &s.result) else {
        blocks.push(Block::Paragraph(tf(
            lang,
            "report.no_scope.text",
            &[&opts.as_of, AnalysisKind::Scope.command()],
        )));
        let doc = Document {
            title,
            lang: lang.tag(),
            blocks,
        };
        return (doc, Facts::default());
    };
    let facts = Facts::from_scope(scope);
    blocks.push(Block::Heading(2, t(lang, "exec.what_happened").into()));
    blocks.push(Block::Paragraph(story(lang, scope, &facts)));
    known(lang, scope, &facts, &mut blocks);
    not_known(lang, scope, &mut blocks);
    impact(lang, scope, &facts, &mut blocks);
    done(lang, scope, &mut blocks);
    decisions(lang, scope, &mut blocks);
    next_steps(lang, scope, &mut blocks);
    blocks.push(Block::Heading(2, t(lang, "exec.changes").into()));
    match &placement.previous {
        None => blocks.push(Block::Paragraph(t(lang, "exec.changes.first").into())),
        Some(previous) => {
            let changes = facts.changes_since(&previous.facts);
            blocks.push(Block::Paragraph(tf(
                lang,
                "exec.changes.since",
                &[&previous.version.to_string(), &previous.as_of],
            )));
            if changes.is_empty() {
                blocks.push(Block::Paragraph(t(lang, "exec.changes.none").into()));
            } else {
                blocks.push(table(
                    lang,
                    &["col.change", "col.fact", "col.value"],
                    change_rows(lang, voice(scope), &changes),
                ));
            }
        }
    }
    let doc = Document {
        title,
        lang: lang.tag(),
        blocks,
    };
    (doc, facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::fixtures;
    use crate::versions::Previous;
    use crate::Format;

    use serde_json::{json, Value};

    fn opts(lang: Lang) -> DocumentOptions {
        fixtures::document_options(lang, "2026-01-02T00:00:00Z")
    }

    fn scope() -> ScopeResult {
        let users: Vec<Value> = (0..12)
            .map(|i| fixtures::user(&format!("u{i:02}"), "2026-01-01T01:00:00Z"))
            .collect();
        fixtures::scope(json!({
            "subject": fixtures::subject("AKIAEXAMPLE"),
            "intrusion": fixtures::departure("2026-01-01T00:10:00Z"),
            "identities": fixtures::identities(users, vec![fixtures::key("AKIANEW")], vec![]),
            "cost": fixtures::cost(10.0, 0),
            "data_access": [
                fixtures::data_access("s3_bucket", "secret-bucket", "UNKNOWN"),
                fixtures::data_access("secret", "db-pass", "ACCESSED"),
            ],
            "unknowns": [fixtures::unknown_about("Were objects in secret-bucket read?", "data events",
                json!({"kind": "data_store", "store": "s3_bucket", "name": "secret-bucket"})),
                         fixtures::unknown("Do the resources exist now?", "describe calls")],
        }))
    }

    #[test]
    fn known_and_not_known_are_apart_and_long_lists_are_capped() {
        let first = fixtures::first_version();
        let (doc, facts) = executive_summary(&fixtures::analysis(scope()), &first, &opts(Lang::En));
        let md = Format::Markdown.render(&doc);
        let known = md.find("## What is known").unwrap();
        let unknown = md.find("## What is not yet known").unwrap();
        let impact = md.find("## Business impact").unwrap();
        let bucket: Vec<usize> = md.match_indices("secret-bucket").map(|(i, _)| i).collect();
        assert!(bucket.iter().all(|i| *i > unknown), "{md}");
        assert!(bucket.iter().any(|i| *i < impact));
        assert!(md[known..unknown].contains("db-pass"));
        assert!(md[known..unknown].contains("AKIAEXAMPLE"));
        assert!(md.contains("u04") && !md.contains("u05"), "capped at {TOP}");
        assert!(md.contains("… and 8 more"));
        assert!(md.contains("USD 10.00"));
        assert!(md.contains("Do the resources exist now?"));
        assert_eq!(md.matches("Were objects in secret-bucket read?").count(), 0);
        assert!(md.contains("This is the first version."));
        let second = Placement {
            version: 2,
            previous: Some(Previous {
                version: 1,
                as_of: "T".into(),
                facts: Facts::default(),
            }),
        };
        let (doc, _) = executive_summary(&fixtures::analysis(scope()), &second, &opts(Lang::Ja));
        let md = Format::Markdown.render(&doc);
        assert!(md.contains("まだ分からないこと") && md.contains("分かったこと"));
        assert!(md.contains("第 1 版"));
        assert!(md.contains(&format!("`{}`", facts.identities[0])));
    }

    #[test]
    fn without_a_recorded_scope_the_summary_says_how_to_record_one() {
        let p = Placement {
            version: 1,
            previous: None,
        };
        let (doc, facts) = executive_summary(&Analysis::default(), &p, &opts(Lang::En));
        let md = Format::Markdown.render(&doc);
        assert!(md.contains("No scope result is recorded"), "{md}");
        assert!(md.contains("cloudcase scope --case DIR"));
        assert_eq!(facts, Facts::default());
    }
}
