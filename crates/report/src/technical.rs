//! The technical forensic report: intrusion path, timeline, activity charts,
//! identity graph, resource inventory, permission changes, data-access
//! verdicts with coverage, hunt findings by ATT&CK tactic, log integrity,
//! containment plan, and an appendix of the raw records everything rests on.

use std::collections::BTreeMap;

use cloudcase_evidence::{Action, CustodyEntry};
use serde_json::Value;

use crate::analysis::{code, text, Analysis};
use crate::case_records::AnalysisKind;
use crate::chart::{Chart, Series};
use crate::executive::verdict;
use crate::facts::{items, str_at};
use crate::i18n::{t, tf, Lang};
use crate::refs::Refs;
use crate::tactics::tactic_name;
use crate::{Block, Cell, Document};

/// Most timeline rows, findings per tactic and chart series shown.
const MAX_TIMELINE: usize = 300;
const MAX_FINDINGS_PER_TACTIC: usize = 40;
const MAX_IDENTITY_SERIES: usize = 8;

/// What the report states besides the analysis.
#[derive(Debug, Clone)]
pub struct TechnicalOptions {
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

fn headers(lang: Lang, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t(lang, k).to_owned()).collect()
}

fn by_arn(v: &Value) -> &str {
    str_at(v, "/by/arn")
}

fn intrusion(lang: Lang, s: &Value, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.intrusion").into()));
    blocks.push(Block::KeyValues(vec![
        (
            t(lang, "tech.subject").into(),
            code(format!(
                "{} {}",
                str_at(s, "/subject/kind"),
                str_at(s, "/subject/value")
            )),
        ),
        (
            t(lang, "exec.first_event").into(),
            text(str_at(s, "/intrusion/first_attacker_event")),
        ),
        (
            t(lang, "tech.method").into(),
            code(format!(
                "{} {}",
                str_at(s, "/intrusion/method"),
                str_at(s, "/intrusion/novel")
            )),
        ),
        (
            t(lang, "tech.rule").into(),
            text(str_at(s, "/intrusion/rule")),
        ),
        (
            t(lang, "tech.client").into(),
            code(str_at(s, "/intrusion/attacker_client_family")),
        ),
        (
            t(lang, "exec.last_event").into(),
            text(str_at(s, "/intrusion/last_attacker_event")),
        ),
        (
            t(lang, "col.ref").into(),
            refs.cite(s.get("intrusion").unwrap_or(&Value::Null)),
        ),
    ]));
    let rows = items(s, "/attacker_sources")
        .iter()
        .map(|x| {
            let agents: Vec<&str> = items(x, "/user_agents")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            vec![
                code(str_at(x, "/ip")),
                text(str_at(x, "/first_seen")),
                text(str_at(x, "/last_seen")),
                text(x.get("events").map_or(String::new(), Value::to_string)),
                code(agents.join(" | ")),
                refs.cite(x),
            ]
        })
        .collect();
    blocks.push(Block::Heading(3, t(lang, "tech.sources").into()));
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.ip",
                "col.first",
                "col.last",
                "col.events",
                "col.user_agent",
                "col.ref",
            ],
        ),
        rows,
    });
}

/// Key events: (time, kind, subject, item carrying refs).
fn key_events(s: &Value) -> Vec<(&str, &'static str, String, &Value)> {
    let mut ev = Vec::new();
    if let Some(i) = s.get("intrusion") {
        ev.push((
            str_at(i, "/first_attacker_event"),
            "event.first",
            str_at(s, "/intrusion/novel").to_owned(),
            i,
        ));
    }
    for (ptr, time, name, kind) in [
        ("/identities/users", "/created", "/name", "event.user"),
        (
            "/identities/access_keys",
            "/created",
            "/access_key",
            "event.key",
        ),
        ("/identities/roles", "/time", "/name", "event.role"),
        ("/sessions", "/time", "/role_arn", "event.session"),
    ] {
        for x in items(s, ptr) {
            ev.push((str_at(x, time), kind, str_at(x, name).to_owned(), x));
        }
    }
    for r in items(s, "/resources") {
        let (time, name) = match str_at(r, "/kind") {
            "instance" => (
                "/launched",
                format!(
                    "{} {} {}",
                    str_at(r, "/instance_id"),
                    str_at(r, "/region"),
                    str_at(r, "/instance_type")
                ),
            ),
            "key_pair" => ("/time", str_at(r, "/name").to_owned()),
            "security_group_ingress" => ("/time", str_at(r, "/group_id").to_owned()),
            _ => (
                "/time",
                format!(
                    "{} {}{}",
                    str_at(r, "/kind"),
                    str_at(r, "/id"),
                    str_at(r, "/name")
                ),
            ),
        };
        ev.push((str_at(r, time), "event.resource", name, r));
    }
    for p in items(s, "/permission_changes")
        .iter()
        .filter(|p| str_at(p, "/attribution") == "attacker")
    {
        ev.push((
            str_at(p, "/time"),
            "event.permission",
            format!("{} {}", str_at(p, "/event"), str_at(p, "/target")),
            p,
        ));
    }
    for a in items(s, "/responder_actions") {
        ev.push((
            str_at(a, "/time"),
            "event.responder",
            str_at(a, "/event").to_owned(),
            a,
        ));
    }
    ev.sort_by(|a, b| a.0.cmp(b.0));
    ev
}

fn timeline(lang: Lang, s: &Value, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.timeline").into()));
    let ev = key_events(s);
    if ev.len() > MAX_TIMELINE {
        blocks.push(Block::Paragraph(tf(
            lang,
            "tech.timeline.capped",
            &[&MAX_TIMELINE.to_string(), &ev.len().to_string()],
        )));
    }
    let rows = ev
        .iter()
        .take(MAX_TIMELINE)
        .map(|(time, kind, what, item)| {
            vec![
                text(*time),
                text(t(lang, kind)),
                code(what),
                refs.cite(item),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(lang, &["col.time", "col.kind", "col.what", "col.ref"]),
        rows,
    });
}

fn counts(v: &Value, ptr: &str) -> Vec<u64> {
    items(v, ptr)
        .iter()
        .map(|x| x.as_u64().unwrap_or(0))
        .collect()
}

/// The activity charts, when the scope result has an `activity` section.
fn charts(lang: Lang, s: &Value, blocks: &mut Vec<Block>) {
    let Some(act) = s.get("activity") else { return };
    let daily = act.get("bucket_ms").and_then(Value::as_u64).unwrap_or(0) >= 86_400_000;
    let x_labels: Vec<String> = items(act, "/buckets")
        .iter()
        .map(|b| {
            let b = b.as_str().unwrap_or_default();
            if daily {
                b.get(..10).unwrap_or(b).to_owned()
            } else {
                b.get(5..16).unwrap_or(b).replace('T', " ")
            }
        })
        .collect();
    blocks.push(Block::Heading(2, t(lang, "tech.activity").into()));
    let mut series = Vec::new();
    for r in items(act, "/by_region") {
        let region = str_at(r, "/region");
        for (ptr, attacker) in [("/attacker", true), ("/other", false)] {
            let values = counts(r, ptr);
            if values.iter().any(|v| *v > 0) {
                let who = t(
                    lang,
                    if attacker {
                        "chart.attacker"
                    } else {
                        "chart.other"
                    },
                );
                series.push(Series {
                    name: format!("{region} ({who})"),
                    attacker,
                    values,
                });
            }
        }
    }
    blocks.push(Block::Chart(Chart {
        title: t(lang, "chart.by_region").into(),
        x_labels: x_labels.clone(),
        series,
    }));
    let mut idents: Vec<Series> = items(act, "/by_identity")
        .iter()
        .map(|i| Series {
            name: str_at(i, "/identity").to_owned(),
            attacker: i.get("attacker").and_then(Value::as_bool).unwrap_or(false),
            values: counts(i, "/counts"),
        })
        .collect();
    idents.sort_by_key(|x| (!x.attacker, std::cmp::Reverse(x.values.iter().sum::<u64>())));
    idents.truncate(MAX_IDENTITY_SERIES);
    blocks.push(Block::Chart(Chart {
        title: t(lang, "chart.by_identity").into(),
        x_labels,
        series: idents,
    }));
}

fn identity_graph(lang: Lang, s: &Value, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.graph").into()));
    let mut rows = Vec::new();
    let mut edge = |from: &str, rel: &str, to: String, item: &Value| {
        rows.push(vec![
            code(from),
            text(t(lang, rel)),
            code(to),
            refs.cite(item),
        ]);
    };
    for u in items(s, "/identities/users") {
        edge(
            by_arn(u),
            "rel.created_user",
            str_at(u, "/name").to_owned(),
            u,
        );
        for p in items(u, "/policies") {
            edge(
                str_at(u, "/name"),
                "rel.policy",
                str_at(p, "/policy").to_owned(),
                p,
            );
        }
    }
    for k in items(s, "/identities/access_keys") {
        edge(
            str_at(k, "/user"),
            "rel.key",
            str_at(k, "/access_key").to_owned(),
            k,
        );
    }
    for r in items(s, "/identities/roles") {
        let trust: Vec<&str> = items(r, "/trust/principals")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        edge(
            by_arn(r),
            "rel.role",
            format!("{} ({})", str_at(r, "/name"), str_at(r, "/origin")),
            r,
        );
        edge(str_at(r, "/name"), "rel.trusts", trust.join(", "), r);
    }
    for x in items(s, "/sessions") {
        edge(
            by_arn(x),
            "rel.assumed",
            format!(
                "{} {}",
                str_at(x, "/role_arn"),
                str_at(x, "/role_session_name")
            ),
            x,
        );
    }
    if rows.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "exec.identities.none").into()));
    } else {
        blocks.push(Block::Table {
            headers: headers(lang, &["col.from", "col.relation", "col.to", "col.ref"]),
            rows,
        });
    }
}

fn inventory(lang: Lang, s: &Value, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.resources").into()));
    let yes_no = |v: Option<&Value>| match v.and_then(Value::as_bool) {
        Some(true) => t(lang, "yes").to_owned(),
        Some(false) => t(lang, "no").to_owned(),
        None => String::new(),
    };
    let (instances, others): (Vec<&Value>, Vec<&Value>) = items(s, "/resources")
        .iter()
        .partition(|r| str_at(r, "/kind") == "instance");
    let rows = instances
        .iter()
        .map(|r| {
            vec![
                code(str_at(r, "/instance_id")),
                code(str_at(r, "/region")),
                code(str_at(r, "/instance_type")),
                text(str_at(r, "/launched")),
                text(format!(
                    "{}{}",
                    str_at(r, "/terminated"),
                    str_at(r, "/stopped")
                )),
                text(yes_no(r.get("exists_at_end_of_logs"))),
                refs.cite(r),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.instance",
                "col.region",
                "col.type",
                "col.launched",
                "col.ended",
                "col.exists",
                "col.ref",
            ],
        ),
        rows,
    });
    if !others.is_empty() {
        let rows = others
            .iter()
            .map(|r| {
                let id = [str_at(r, "/group_id"), str_at(r, "/name"), str_at(r, "/id")].concat();
                vec![
                    code(str_at(r, "/kind")),
                    code(id),
                    code(str_at(r, "/region")),
                    text(str_at(r, "/time")),
                    refs.cite(r),
                ]
            })
            .collect();
        blocks.push(Block::Table {
            headers: headers(
                lang,
                &["col.kind", "col.name", "col.region", "col.time", "col.ref"],
            ),
            rows,
        });
    }
}

fn permissions(lang: Lang, s: &Value, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.permissions").into()));
    let rows = items(s, "/permission_changes")
        .iter()
        .map(|p| {
            vec![
                text(str_at(p, "/time")),
                code(str_at(p, "/event")),
                code(str_at(p, "/target")),
                text(str_at(p, "/attribution")),
                code(by_arn(p)),
                code(str_at(p, "/error")),
                refs.cite(p),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.time",
                "col.event",
                "col.target",
                "col.attribution",
                "col.by",
                "col.error",
                "col.ref",
            ],
        ),
        rows,
    });
}

fn data_access(lang: Lang, s: &Value, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.data").into()));
    let rows = items(s, "/data_access")
        .iter()
        .map(|d| {
            let cov = d
                .pointer("/coverage/data_events_in_window")
                .map_or(String::new(), Value::to_string);
            vec![
                code(str_at(d, "/store")),
                code(str_at(d, "/name")),
                text(verdict(lang, str_at(d, "/verdict"))),
                text(str_at(d, "/basis")),
                text(cov),
                refs.cite(d),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.store_kind",
                "col.store",
                "col.verdict",
                "col.basis",
                "col.coverage",
                "col.ref",
            ],
        ),
        rows,
    });
    let gaps = items(s, "/coverage/gaps_over_6h").len();
    blocks.push(Block::Paragraph(tf(
        lang,
        "tech.coverage",
        &[
            str_at(s, "/coverage/first_event"),
            str_at(s, "/coverage/last_event"),
            &gaps.to_string(),
        ],
    )));
}

fn findings(lang: Lang, analysis: &Analysis, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.findings").into()));
    let Some((rec, list)) = &analysis.hunt else {
        blocks.push(Block::Paragraph(tf(
            lang,
            "report.no_hunt",
            &[AnalysisKind::Hunt.command()],
        )));
        return;
    };
    blocks.push(Block::Paragraph(tf(
        lang,
        "tech.findings.basis",
        &[&rec.rel, &rec.sha256, &list.len().to_string()],
    )));
    let mut groups: BTreeMap<(usize, String), Vec<&Value>> = BTreeMap::new();
    for f in list {
        let tactics = str_at(f, "/tactics");
        let first = tactics.split_whitespace().next().unwrap_or("");
        groups.entry(tactic_name(first)).or_default().push(f);
    }
    for ((_, tactic), fs) in groups {
        let name = if tactic.is_empty() {
            t(lang, "tech.no_tactic").to_owned()
        } else {
            tactic
        };
        blocks.push(Block::Heading(3, format!("{name} ({})", fs.len())));
        let rows = fs
            .iter()
            .take(MAX_FINDINGS_PER_TACTIC)
            .map(|f| {
                let r = refs.cite_record(
                    str_at(f, "/file"),
                    f.get("record").and_then(Value::as_u64).unwrap_or(0),
                    str_at(f, "/event_id"),
                );
                vec![
                    text(str_at(f, "/time")),
                    text(str_at(f, "/level")),
                    text(str_at(f, "/rule_title")),
                    code(str_at(f, "/principal")),
                    code(str_at(f, "/source_ip")),
                    r,
                ]
            })
            .collect();
        blocks.push(Block::Table {
            headers: headers(
                lang,
                &[
                    "col.time",
                    "col.level",
                    "col.rule",
                    "col.principal",
                    "col.ip",
                    "col.ref",
                ],
            ),
            rows,
        });
        if fs.len() > MAX_FINDINGS_PER_TACTIC {
            blocks.push(Block::Paragraph(tf(
                lang,
                "exec.more",
                &[&(fs.len() - MAX_FINDINGS_PER_TACTIC).to_string()],
            )));
        }
    }
}

/// The last custody entry of `action`, summarised.
fn last_check(lang: Lang, entries: &[CustodyEntry], action: &Action, never: &str) -> Cell {
    match entries.iter().rev().find(|e| &e.action == action) {
        Some(e) => {
            let ok = match e.details.get("ok").and_then(Value::as_bool) {
                Some(true) => t(lang, "integrity.intact"),
                Some(false) => t(lang, "integrity.problems"),
                None => "?",
            };
            text(format!("{} — {ok} [#{}]", e.time, e.seq))
        }
        None => text(t(lang, never)),
    }
}

fn integrity(lang: Lang, entries: &[CustodyEntry], blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.integrity").into()));
    blocks.push(Block::KeyValues(vec![
        (
            t(lang, "integrity.validate").into(),
            last_check(
                lang,
                entries,
                &Action::Validated,
                "integrity.never_validated",
            ),
        ),
        (
            t(lang, "integrity.verify").into(),
            last_check(lang, entries, &Action::Verified, "integrity.never_verified"),
        ),
    ]));
}

fn containment(lang: Lang, s: &Value, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.containment").into()));
    let yes_no = |v: Option<&Value>| {
        t(
            lang,
            if v.and_then(Value::as_bool) == Some(true) {
                "yes"
            } else {
                "no"
            },
        )
        .to_owned()
    };
    let rows: Vec<Vec<Cell>> = items(s, "/containment/plan/steps")
        .iter()
        .map(|x| {
            vec![
                text(x.get("order").map_or(String::new(), Value::to_string)),
                code(str_at(x, "/phase")),
                code(str_at(x, "/target")),
                text(str_at(x, "/action")),
                text(yes_no(x.get("reversible"))),
                text(yes_no(x.get("destroys_evidence"))),
            ]
        })
        .collect();
    if rows.is_empty() {
        blocks.push(Block::Paragraph(format!(
            "{} {}",
            t(lang, "tech.containment.none"),
            str_at(s, "/containment/error")
        )));
        return;
    }
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.no",
                "col.phase",
                "col.target",
                "col.action",
                "col.reversible",
                "col.destroys",
            ],
        ),
        rows,
    });
    let risks: Vec<Vec<Cell>> = items(s, "/containment/plan/residual_risks")
        .iter()
        .map(|r| vec![text(r.as_str().unwrap_or_default())])
        .collect();
    if !risks.is_empty() {
        blocks.push(Block::Table {
            headers: headers(lang, &["col.residual"]),
            rows: risks,
        });
    }
}

fn unknowns(lang: Lang, s: &Value, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "exec.unknown").into()));
    let rows = items(s, "/unknowns")
        .iter()
        .map(|u| {
            vec![
                text(str_at(u, "/question")),
                text(str_at(u, "/why")),
                text(str_at(u, "/would_resolve")),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(lang, &["col.question", "col.why", "col.would_resolve"]),
        rows,
    });
}

/// Builds the technical report from the recorded analysis and the custody log.
pub fn technical_report(
    analysis: &Analysis,
    entries: &[CustodyEntry],
    opts: &TechnicalOptions,
) -> Document {
    let lang = opts.lang;
    let title = format!("{} — {}", t(lang, "tech.title"), opts.case_name);
    let basis = |r: Option<&crate::case_records::Recorded>, none: &str| match r {
        Some(r) => code(format!("{} (SHA-256 {})", r.rel, r.sha256)),
        None => text(t(lang, none)),
    };
    let mut blocks = vec![Block::KeyValues(vec![
        (t(lang, "case.name").into(), text(&opts.case_name)),
        (t(lang, "report.as_of").into(), text(&opts.as_of)),
        (t(lang, "report.generated").into(), text(&opts.generated)),
        (
            t(lang, "report.basis").into(),
            basis(analysis.scope.as_ref().map(|(r, _)| r), "report.no_scope"),
        ),
        (
            t(lang, "report.hunt_basis").into(),
            basis(
                analysis.hunt.as_ref().map(|(r, _)| r),
                "report.no_hunt.short",
            ),
        ),
        (t(lang, "report.tool").into(), text(&opts.tool)),
    ])];
    let mut refs = Refs::default();
    match &analysis.scope {
        Some((_, s)) => {
            intrusion(lang, s, &mut refs, &mut blocks);
            timeline(lang, s, &mut refs, &mut blocks);
            charts(lang, s, &mut blocks);
            identity_graph(lang, s, &mut refs, &mut blocks);
            inventory(lang, s, &mut refs, &mut blocks);
            permissions(lang, s, &mut refs, &mut blocks);
            data_access(lang, s, &mut refs, &mut blocks);
        }
        None => blocks.push(Block::Paragraph(tf(
            lang,
            "report.no_scope.text",
            &[&opts.as_of, AnalysisKind::Scope.command()],
        ))),
    }
    findings(lang, analysis, &mut refs, &mut blocks);
    integrity(lang, entries, &mut blocks);
    if let Some((_, s)) = &analysis.scope {
        containment(lang, s, &mut blocks);
        unknowns(lang, s, &mut blocks);
    }
    blocks.push(Block::Heading(2, t(lang, "tech.appendix").into()));
    blocks.push(Block::Table {
        headers: headers(lang, &["col.ref", "col.file", "col.record", "col.event_id"]),
        rows: refs.rows(),
    });
    Document {
        title,
        lang: lang.tag(),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case_records::{AnalysisKind, Recorded};
    use crate::Format;
    use serde_json::json;

    fn recorded(kind: AnalysisKind) -> Recorded {
        Recorded {
            kind,
            path: "/c/x".into(),
            rel: "analysis/x".into(),
            sha256: "cd".repeat(32),
            recorded: "2026-01-01T00:00:00Z".into(),
            seq: 1,
            command: vec![],
            summary: Value::Null,
            content: vec![],
        }
    }

    #[test]
    fn events_link_to_the_appendix_and_findings_group_by_tactic() {
        let r =
            |n: u64| json!([{"file": "logs/a.json.gz", "record": n, "event_id": format!("e{n}")}]);
        let scope = json!({
            "subject": {"kind": "access_key", "value": "AKIAEXAMPLE"},
            "intrusion": {"first_attacker_event": "2026-01-01T00:10:00Z", "refs": r(1)},
            "attacker_sources": [{"ip": "203.0.113.9", "user_agents": ["<script>alert(1)</script>"], "refs": r(1)}],
            "identities": {"users": [{"name": "evil", "created": "2026-01-01T00:20:00Z", "by": {"arn": "arn:x"}, "refs": r(2)}]},
            "resources": [{"kind": "instance", "instance_id": "i-0abc", "region": "sa-east-1", "launched": "2026-01-01T00:30:00Z", "refs": r(3)}],
            "activity": {"bucket_ms": 86400000, "buckets": ["2026-01-01T00:00:00Z"],
                "by_region": [{"region": "sa-east-1", "attacker": [5], "other": [0]}],
                "by_identity": [{"identity": "evil", "attacker": true, "counts": [5]}]},
        });
        let findings = vec![
            json!({"time": "t1", "tactics": "persistence", "rule_title": "User created", "file": "logs/a.json.gz", "record": 2}),
            json!({"time": "t2", "tactics": "discovery persistence", "rule_title": "Enumeration", "file": "logs/b.json.gz", "record": 9}),
        ];
        let analysis = Analysis {
            scope: Some((recorded(AnalysisKind::Scope), scope)),
            hunt: Some((recorded(AnalysisKind::Hunt), findings)),
        };
        let opts = TechnicalOptions {
            lang: Lang::En,
            case_name: "c".into(),
            as_of: "T".into(),
            generated: "T".into(),
            tool: "cloudcase test".into(),
        };
        let doc = technical_report(&analysis, &[], &opts);
        let html = Format::Html.render(&doc);
        assert!(html.contains("<a href=\"#ref-1\">[1]</a>"));
        for n in 1..=4 {
            assert!(html.contains(&format!("id=\"ref-{n}\"")), "ref-{n}");
        }
        assert!(!html.contains("id=\"ref-5\""));
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>")
        );
        assert!(html.contains("i-0abc") && html.contains("<svg"));
        let md = Format::Markdown.render(&doc);
        let persistence = md.find("### Persistence (1)").unwrap();
        let discovery = md.find("### Discovery (1)").unwrap();
        assert!(persistence < discovery, "matrix order");
        assert!(md.contains("| 2026-01-01 | 5 |"), "{md}");
        assert!(md.contains("▲ `evil`"), "{md}");
    }
}
