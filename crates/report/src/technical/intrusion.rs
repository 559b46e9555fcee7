//! The intrusion path and the timeline of key events.

use cloudcase_model::scope::{Attribution, Departure, Intrusion, RecordRef, Resource};
use cloudcase_model::ScopeResult;

use super::{headers, judgement, section_title, MAX_TIMELINE};
use crate::analysis::{code, opt, text, wire};
use crate::executive::confidence_words;
use crate::i18n::{t, tf, tv, Lang, Voice};
use crate::refs::Refs;
use crate::scope_read::{departure, first_event, last_event, stated_confidence, voice};
use crate::{Block, Cell};

/// The intrusion as claimed: how it was found, in words, and how sure it is.
fn found_rows(lang: Lang, s: &ScopeResult, d: &Departure, refs: &mut Refs) -> Vec<(String, Cell)> {
    let mut rows = vec![
        (
            t(lang, "exec.first_event").into(),
            text(&d.first_attacker_event),
        ),
        (
            t(lang, "tech.method").into(),
            code(format!("{} {}", d.method.as_str(), d.novel)),
        ),
    ];
    rows.push((
        t(lang, "tech.method.meaning").into(),
        text(judgement::method_words(lang, d.method)),
    ));
    if let Some(level) = stated_confidence(d) {
        rows.push((
            t(lang, "exec.confidence").into(),
            text(confidence_words(lang, level)),
        ));
    }
    rows.extend([
        (t(lang, "tech.rule").into(), text(opt(&d.rule))),
        (
            t(lang, "tech.client").into(),
            code(opt(&d.attacker_client_family)),
        ),
        (
            t(lang, "exec.last_event").into(),
            text(last_event(&s.intrusion)),
        ),
        (t(lang, "col.ref").into(), refs.cite(&d.refs)),
    ]);
    rows
}

/// No intrusion established: the finding, why, and what the sections list instead.
fn named_rows(lang: Lang, s: &ScopeResult, why: &str) -> Vec<(String, Cell)> {
    let subject = &s.subject;
    let mut rows = vec![
        (
            t(lang, "exec.finding").into(),
            text(t(lang, "exec.finding.named")),
        ),
        (t(lang, "col.why").into(), text(why)),
    ];
    if let Some(events) = subject.events {
        rows.extend([
            (t(lang, "tech.events").into(), text(events.to_string())),
            (
                tv(lang, Voice::Named, "exec.first_event").into(),
                text(opt(&subject.first_seen)),
            ),
            (
                tv(lang, Voice::Named, "exec.last_event").into(),
                text(opt(&subject.last_seen)),
            ),
        ]);
    }
    rows
}

pub(super) fn intrusion(lang: Lang, s: &ScopeResult, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(
        2,
        tv(lang, voice(s), "tech.intrusion").into(),
    ));
    let mut rows = vec![(
        t(lang, "tech.subject").into(),
        code(format!(
            "{} {}",
            wire(&s.subject.kind),
            opt(&s.subject.value)
        )),
    )];
    let found = departure(&s.intrusion);
    rows.extend(match (&s.intrusion, voice(s)) {
        (Intrusion::Found(d), Voice::Attacker) => found_rows(lang, s, d, refs),
        (Intrusion::NoDeparture(n), _) => named_rows(lang, s, &n.explanation),
        (Intrusion::Found(_), Voice::Named) => named_rows(lang, s, ""),
    });
    blocks.push(Block::KeyValues(rows));
    if voice(s) == Voice::Named {
        blocks.push(Block::Paragraph(t(lang, "tech.named.note").into()));
    }
    if let Some(d) = found.filter(|_| voice(s) == Voice::Attacker) {
        judgement::signals(lang, d, refs, blocks);
    }
    judgement::ranking(lang, s, blocks);
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
    blocks.push(Block::Heading(3, section_title(lang, s, "tech.sources")));
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
    let mut out = match voice(s) {
        Voice::Attacker => vec![ev(
            first_event(&s.intrusion),
            "event.first",
            found.map_or("", |d| d.novel.as_str()),
            found.map_or(&[], |d| d.refs.as_slice()),
        )],
        Voice::Named => s
            .subject
            .first_seen
            .as_deref()
            .map(|first| ev(first, "event.first.named", opt(&s.subject.value), &[]))
            .into_iter()
            .collect(),
    };
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
    blocks.push(Block::Heading(2, section_title(lang, s, "tech.timeline")));
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
