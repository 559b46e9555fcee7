//! The executive summary: what happened in plain words, what is known and
//! what is not yet known (strictly apart), business impact, what was done,
//! the decisions needed now and the next steps — short enough for three A4
//! pages, versioned, and saying what changed since the previous version.

use serde_json::Value;

use crate::analysis::{code, text, Analysis};
use crate::facts::{items, str_at, Change, Facts};
use crate::i18n::{t, tf, Lang};
use crate::versions::Placement;
use crate::{Block, Cell, Document};
use cloudcase_evidence::results::AnalysisKind;

/// Longest list shown in the summary; the rest is counted and left to the
/// technical report.
const TOP: usize = 5;

/// What the summary states besides the analysis.
#[derive(Debug, Clone)]
pub struct ExecutiveOptions {
    /// Language.
    pub lang: Lang,
    /// Case name.
    pub case_name: String,
    /// The as-of time, RFC 3339 UTC.
    pub as_of: String,
    /// When it is produced, RFC 3339 UTC.
    pub generated: String,
    /// Tool name and version.
    pub tool: String,
}

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

/// The verdict code in words.
pub(crate) fn verdict(lang: Lang, code: &str) -> String {
    match code {
        "ACCESSED" => t(lang, "verdict.accessed").to_owned(),
        "NOT_OBSERVED" => t(lang, "verdict.not_observed").to_owned(),
        "UNKNOWN" => t(lang, "verdict.unknown").to_owned(),
        other => other.to_owned(),
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
fn confidence(lang: Lang, code: &str) -> &str {
    match code {
        "ACCESSED" => t(lang, "confidence.accessed"),
        "NOT_OBSERVED" => t(lang, "confidence.not_observed"),
        _ => t(lang, "confidence.unknown"),
    }
}

/// Counts of attacker identities by kind, as `(users, keys, roles)`.
fn identity_counts(scope: &Value) -> [usize; 3] {
    [
        items(scope, "/identities/users").len(),
        items(scope, "/identities/access_keys").len(),
        items(scope, "/identities/roles").len(),
    ]
}

/// What separates two sentences: a space in English, nothing in Japanese.
fn sentence_gap(lang: Lang) -> &'static str {
    match lang {
        Lang::En => " ",
        Lang::Ja => "",
    }
}

/// "What happened", in plain words, from facts only.
fn story(lang: Lang, scope: &Value, facts: &Facts) -> String {
    let [users, keys, roles] = identity_counts(scope);
    let regions: Vec<&str> = {
        let mut r: Vec<&str> = facts
            .instances
            .iter()
            .filter_map(|i| i.split('/').next())
            .collect();
        r.sort_unstable();
        r.dedup();
        r
    };
    let mut s = tf(
        lang,
        "exec.story.key",
        &[
            &facts.compromised,
            str_at(scope, "/intrusion/first_attacker_event"),
            &items(scope, "/attacker_sources").len().to_string(),
        ],
    );
    s.push_str(sentence_gap(lang));
    s.push_str(&tf(
        lang,
        "exec.story.created",
        &[&users.to_string(), &keys.to_string(), &roles.to_string()],
    ));
    if !facts.instances.is_empty() {
        s.push_str(sentence_gap(lang));
        s.push_str(&tf(
            lang,
            "exec.story.instances",
            &[
                &facts.instances.len().to_string(),
                &regions.join(", "),
                &facts.cost_usd,
            ],
        ));
    }
    s
}

fn known(lang: Lang, scope: &Value, facts: &Facts, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "exec.known").into()));
    blocks.push(Block::Paragraph(t(lang, "exec.known.note").into()));
    let sources: Vec<String> = items(scope, "/attacker_sources")
        .iter()
        .take(TOP)
        .map(|s| str_at(s, "/ip").to_owned())
        .collect();
    blocks.push(Block::KeyValues(vec![
        (t(lang, "exec.compromised").into(), code(&facts.compromised)),
        (
            t(lang, "exec.compromised_user").into(),
            code(
                items(scope, "/identities/compromised/principals")
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
        (
            t(lang, "exec.first_event").into(),
            text(str_at(scope, "/intrusion/first_attacker_event")),
        ),
        (
            t(lang, "exec.last_event").into(),
            text(str_at(scope, "/intrusion/last_attacker_event")),
        ),
        (t(lang, "exec.sources").into(), code(sources.join(", "))),
    ]));
    blocks.push(Block::Heading(3, t(lang, "exec.identities").into()));
    let mut rows = Vec::new();
    for (ptr, name, kind) in [
        ("/identities/users", "/name", "kind.user"),
        ("/identities/access_keys", "/access_key", "kind.access_key"),
        ("/identities/roles", "/name", "kind.role"),
    ] {
        for x in items(scope, ptr) {
            let created = match str_at(x, "/created") {
                "" => str_at(x, "/time"),
                c => c,
            };
            rows.push(vec![
                text(t(lang, kind)),
                code(str_at(x, name)),
                text(created),
            ]);
        }
    }
    if rows.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "exec.identities.none").into()));
    } else {
        blocks.push(table(lang, &["col.kind", "col.name", "col.created"], rows));
    }
    let accessed: Vec<&Value> = items(scope, "/data_access")
        .iter()
        .filter(|d| str_at(d, "/verdict") != "UNKNOWN")
        .collect();
    if !accessed.is_empty() {
        blocks.push(Block::Heading(3, t(lang, "exec.data_known").into()));
        let rows = accessed
            .iter()
            .map(|d| {
                vec![
                    code(str_at(d, "/name")),
                    text(verdict(lang, str_at(d, "/verdict"))),
                    text(confidence(lang, str_at(d, "/verdict"))),
                ]
            })
            .collect();
        blocks.push(table(
            lang,
            &["col.store", "col.verdict", "col.confidence"],
            rows,
        ));
    }
}

fn not_known(lang: Lang, scope: &Value, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "exec.unknown").into()));
    let mut rows: Vec<Vec<Cell>> = items(scope, "/data_access")
        .iter()
        .filter(|d| str_at(d, "/verdict") == "UNKNOWN")
        .map(|d| {
            vec![
                text(tf(
                    lang,
                    "exec.unknown.store",
                    &[&store_kind(lang, str_at(d, "/store")), str_at(d, "/name")],
                )),
                text(match str_at(d, "/would_resolve") {
                    "" => t(lang, "exec.unknown.store_resolve"),
                    w => w,
                }),
            ]
        })
        .collect();
    let stores: Vec<&str> = items(scope, "/data_access")
        .iter()
        .map(|d| str_at(d, "/name"))
        .collect();
    rows.extend(
        items(scope, "/unknowns")
            .iter()
            .filter(|u| {
                !stores
                    .iter()
                    .any(|s| !s.is_empty() && str_at(u, "/question").contains(s))
            })
            .map(|u| {
                vec![
                    text(str_at(u, "/question")),
                    text(str_at(u, "/would_resolve")),
                ]
            }),
    );
    if rows.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "exec.unknown.none").into()));
    } else {
        blocks.push(table(lang, &["col.question", "col.would_resolve"], rows));
    }
}

fn impact(lang: Lang, scope: &Value, facts: &Facts, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "exec.impact").into()));
    let bound = if facts.cost_lower_bound {
        t(lang, "exec.cost.lower_bound")
    } else {
        ""
    };
    let running = items(scope, "/resources")
        .iter()
        .filter(|r| {
            str_at(r, "/kind") == "instance"
                && r.get("exists_at_end_of_logs").and_then(Value::as_bool) == Some(true)
        })
        .count();
    blocks.push(Block::KeyValues(vec![
        (
            t(lang, "exec.cost").into(),
            text(format!("USD {}{bound}", facts.cost_usd)),
        ),
        (
            t(lang, "exec.instances").into(),
            text(tf(
                lang,
                "exec.instances.value",
                &[&facts.instances.len().to_string(), &running.to_string()],
            )),
        ),
        (
            t(lang, "exec.service").into(),
            text(t(lang, "exec.service.value")),
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

fn done(lang: Lang, scope: &Value, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "exec.done").into()));
    let rows: Vec<Vec<Cell>> = items(scope, "/responder_actions")
        .iter()
        .map(|a| vec![text(str_at(a, "/time")), code(str_at(a, "/event"))])
        .collect();
    if rows.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "exec.done.none").into()));
    } else {
        blocks.push(table(lang, &["col.time", "col.action"], rows));
    }
    let steps = items(scope, "/containment/plan/steps").len();
    blocks.push(Block::Paragraph(tf(
        lang,
        "exec.containment",
        &[&steps.to_string()],
    )));
}

fn decisions(lang: Lang, scope: &Value, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "exec.decisions").into()));
    let exposed: Vec<&str> = items(scope, "/data_access")
        .iter()
        .filter(|d| str_at(d, "/verdict") != "NOT_OBSERVED")
        .map(|d| str_at(d, "/name"))
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
            .map(|k| vec![text(t(lang, k))])
            .collect(),
    });
    blocks.push(Block::Paragraph(t(lang, "exec.not_legal_advice").into()));
}

fn next_steps(lang: Lang, scope: &Value, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "exec.next").into()));
    let mut steps = vec![t(lang, "next.contain")];
    if items(scope, "/data_access")
        .iter()
        .any(|d| str_at(d, "/verdict") == "UNKNOWN")
    {
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

fn change_rows(lang: Lang, changes: &[Change]) -> Vec<Vec<Cell>> {
    changes
        .iter()
        .map(|c| match c {
            Change::Added(f, v) => vec![
                text(t(lang, "change.added")),
                text(t(lang, &format!("fact.{f}"))),
                code(v),
            ],
            Change::Removed(f, v) => vec![
                text(t(lang, "change.removed")),
                text(t(lang, &format!("fact.{f}"))),
                code(v),
            ],
            Change::Changed(f, item, old, new) => vec![
                text(t(lang, "change.changed")),
                text(t(lang, &format!("fact.{f}"))),
                code(format!("{item} {old} → {new}").trim().to_owned()),
            ],
        })
        .collect()
}

/// Builds the executive summary and the facts it states.
pub fn executive_summary(
    analysis: &Analysis,
    placement: &Placement,
    opts: &ExecutiveOptions,
) -> (Document, Facts) {
    let lang = opts.lang;
    let mut blocks = vec![Block::KeyValues(vec![
        (t(lang, "case.name").into(), text(&opts.case_name)),
        (
            t(lang, "report.version").into(),
            text(placement.version.to_string()),
        ),
        (t(lang, "report.as_of").into(), text(&opts.as_of)),
        (t(lang, "report.generated").into(), text(&opts.generated)),
        (
            t(lang, "report.basis").into(),
            match &analysis.scope {
                Some((r, _)) => code(format!("{} (SHA-256 {})", r.rel, r.sha256)),
                None => text(t(lang, "report.no_scope")),
            },
        ),
        (t(lang, "report.tool").into(), text(&opts.tool)),
    ])];
    let title = format!("{} — {}", t(lang, "exec.title"), opts.case_name);
    let Some((_, scope)) = &analysis.scope else {
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
                    change_rows(lang, &changes),
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
    use crate::versions::Previous;
    use crate::Format;
    use cloudcase_evidence::results::Recorded;
    use serde_json::json;

    fn analysis(scope: Value) -> Analysis {
        let rec = Recorded {
            kind: AnalysisKind::Scope,
            path: "/c/analysis/scope/x.json".into(),
            rel: "analysis/scope/x.json".into(),
            sha256: "ab".repeat(32),
            recorded: "2026-01-01T00:00:00Z".into(),
            seq: 4,
            command: vec![],
            summary: Value::Null,
            content: vec![],
        };
        Analysis {
            scope: Some((rec, scope)),
            hunt: None,
        }
    }

    fn opts(lang: Lang) -> ExecutiveOptions {
        ExecutiveOptions {
            lang,
            case_name: "c".into(),
            as_of: "2026-01-02T00:00:00Z".into(),
            generated: "2026-01-02T00:00:00Z".into(),
            tool: "cloudcase test".into(),
        }
    }

    fn scope() -> Value {
        let users: Vec<Value> = (0..12)
            .map(|i| json!({"name": format!("u{i:02}"), "created": "2026-01-01T01:00:00Z"}))
            .collect();
        json!({
            "subject": {"kind": "access_key", "value": "AKIAEXAMPLE"},
            "intrusion": {"first_attacker_event": "2026-01-01T00:10:00Z"},
            "identities": {"users": users, "access_keys": [{"access_key": "AKIANEW"}], "roles": []},
            "cost": {"total_usd": 10.0, "unpriced_runs": 0},
            "data_access": [
                {"store": "s3_bucket", "name": "secret-bucket", "verdict": "UNKNOWN"},
                {"store": "secret", "name": "db-pass", "verdict": "ACCESSED"}
            ],
            "unknowns": [{"question": "Were objects in secret-bucket read?", "would_resolve": "data events"},
                         {"question": "Do the resources exist now?", "would_resolve": "describe calls"}],
        })
    }

    #[test]
    fn known_and_not_known_are_apart_and_long_lists_are_capped() {
        let first = Placement {
            version: 1,
            previous: None,
        };
        let (doc, facts) = executive_summary(&analysis(scope()), &first, &opts(Lang::En));
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
        let (doc, _) = executive_summary(&analysis(scope()), &second, &opts(Lang::Ja));
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
