//! The intrusion path and the timeline of key events.

use cloudcase_model::scope::{Attribution, RecordRef, Resource};
use cloudcase_model::ScopeResult;

use super::{headers, MAX_TIMELINE};
use crate::analysis::{code, opt, text, wire};
use crate::i18n::{t, tf, Lang};
use crate::refs::Refs;
use crate::scope_read::{departure, first_event, last_event};
use crate::Block;

pub(super) fn intrusion(lang: Lang, s: &ScopeResult, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.intrusion").into()));
    let found = departure(&s.intrusion);
    let method = found.map_or(String::new(), |d| d.method.as_str().to_owned());
    let novel = found.map_or("", |d| d.novel.as_str());
    blocks.push(Block::KeyValues(vec![
        (
            t(lang, "tech.subject").into(),
            code(format!(
                "{} {}",
                wire(&s.subject.kind),
                opt(&s.subject.value)
            )),
        ),
        (
            t(lang, "exec.first_event").into(),
            text(first_event(&s.intrusion)),
        ),
        (
            t(lang, "tech.method").into(),
            code(format!("{method} {novel}")),
        ),
        (
            t(lang, "tech.rule").into(),
            text(found.map_or("", |d| opt(&d.rule))),
        ),
        (
            t(lang, "tech.client").into(),
            code(found.map_or("", |d| opt(&d.attacker_client_family))),
        ),
        (
            t(lang, "exec.last_event").into(),
            text(last_event(&s.intrusion)),
        ),
        (
            t(lang, "col.ref").into(),
            refs.cite(found.map_or(&[], |d| d.refs.as_slice())),
        ),
    ]));
    let rows = s
        .attacker_sources
        .iter()
        .map(|x| {
            vec![
                code(&x.ip),
                text(&x.first_seen),
                text(&x.last_seen),
                text(x.events.to_string()),
                code(x.user_agents.join(" | ")),
                refs.cite(&x.refs),
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

/// One row of the timeline.
struct KeyEvent<'a> {
    /// When, RFC 3339.
    time: &'a str,
    /// Message key of its kind.
    kind: &'static str,
    /// What: names and identifiers.
    what: String,
    /// The records it rests on.
    refs: &'a [RecordRef],
}

/// The timeline row of an attacker resource.
fn resource_event(r: &Resource) -> KeyEvent<'_> {
    let (time, what, refs) = match r {
        Resource::Instance(i) => (
            i.launched.as_str(),
            format!("{} {} {}", i.instance_id, i.region, i.instance_type),
            &i.refs,
        ),
        Resource::KeyPair(k) => (k.time.as_str(), k.name.clone(), &k.refs),
        Resource::SecurityGroupIngress(g) => (g.time.as_str(), g.group_id.clone(), &g.refs),
        Resource::SpotRequest(x) => (x.time.as_str(), format!("{} ", r.kind()), &x.refs),
        Resource::SnapshotShare(x) | Resource::AmiShare(x) => {
            (x.time.as_str(), format!("{} {}", r.kind(), x.id), &x.refs)
        }
        Resource::LambdaFunction(x) => {
            (x.time.as_str(), format!("{} {}", r.kind(), x.name), &x.refs)
        }
    };
    KeyEvent {
        time,
        kind: "event.resource",
        what,
        refs,
    }
}

/// A timeline row naming `what`.
fn ev<'a>(time: &'a str, kind: &'static str, what: &str, refs: &'a [RecordRef]) -> KeyEvent<'a> {
    KeyEvent {
        time,
        kind,
        what: what.to_owned(),
        refs,
    }
}

/// Key events in time order: the first attacker event, identities and sessions created,
/// resources, the attacker's permission changes and the responder's actions.
fn key_events(s: &ScopeResult) -> Vec<KeyEvent<'_>> {
    let found = departure(&s.intrusion);
    let mut out = vec![ev(
        first_event(&s.intrusion),
        "event.first",
        found.map_or("", |d| d.novel.as_str()),
        found.map_or(&[], |d| d.refs.as_slice()),
    )];
    let ids = &s.identities;
    out.extend(
        ids.users
            .iter()
            .map(|u| ev(&u.created, "event.user", &u.name, &u.refs)),
    );
    out.extend(
        ids.access_keys
            .iter()
            .map(|k| ev(&k.created, "event.key", &k.access_key, &k.refs)),
    );
    out.extend(
        ids.roles
            .iter()
            .map(|r| ev(&r.time, "event.role", &r.name, &r.refs)),
    );
    out.extend(
        s.sessions
            .iter()
            .map(|x| ev(&x.time, "event.session", opt(&x.role_arn), &x.refs)),
    );
    out.extend(s.resources.iter().map(resource_event));
    out.extend(
        s.permission_changes
            .iter()
            .filter(|p| p.attribution == Attribution::Attacker)
            .map(|p| KeyEvent {
                time: &p.time,
                kind: "event.permission",
                what: format!("{} {}", p.event, p.target),
                refs: &p.refs,
            }),
    );
    out.extend(
        s.responder_actions
            .iter()
            .map(|a| ev(&a.time, "event.responder", &a.event, &a.refs)),
    );
    out.sort_by(|a, b| a.time.cmp(b.time));
    out
}

pub(super) fn timeline(lang: Lang, s: &ScopeResult, refs: &mut Refs, blocks: &mut Vec<Block>) {
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
        .map(|e| {
            vec![
                text(e.time),
                text(t(lang, e.kind)),
                code(&e.what),
                refs.cite(e.refs),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(lang, &["col.time", "col.kind", "col.what", "col.ref"]),
        rows,
    });
}
