//! The intrusion path and the timeline of key events.

use serde_json::Value;

use super::{headers, MAX_TIMELINE};
use crate::analysis::{code, text};
use crate::facts::{items, str_at};
use crate::i18n::{t, tf, Lang};
use crate::refs::Refs;
use crate::Block;

pub(super) fn intrusion(lang: Lang, s: &Value, refs: &mut Refs, blocks: &mut Vec<Block>) {
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

pub(super) fn timeline(lang: Lang, s: &Value, refs: &mut Refs, blocks: &mut Vec<Block>) {
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
