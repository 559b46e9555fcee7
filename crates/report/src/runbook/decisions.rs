//! The decisions of the next incident and who takes them, one row each: the decision, the
//! owner's role, when, and the input it needs, filled from what this case showed.

use cloudcase_model::scope::{Resource, Verdict};
use cloudcase_model::ScopeResult;

use crate::analysis::text;
use crate::i18n::{headers, t, tf, Lang};
use crate::scope_read::last_event;
use crate::{Block, Cell, Facts};

/// One decision: message keys of its text, owner and moment, and what this case tells it.
struct Decision {
    what: &'static str,
    owner: &'static str,
    when: &'static str,
    input: fn(Lang, &ScopeResult) -> String,
}

/// The stores with a verdict other than NOT_OBSERVED, joined (or "none").
fn exposed(lang: Lang, s: &ScopeResult) -> String {
    let names: Vec<&str> = s
        .data_access
        .iter()
        .filter(|d| d.verdict != Verdict::NotObserved)
        .map(|d| d.name.as_str())
        .collect();
    let list = if names.is_empty() {
        t(lang, "exec.none").to_owned()
    } else {
        names.join(", ")
    };
    tf(lang, "rb.in.notify", &[&list])
}

fn rotate(lang: Lang, s: &ScopeResult) -> String {
    let facts = Facts::from_scope(s);
    tf(
        lang,
        "rb.in.rotate",
        &[&facts.compromised, last_event(&s.intrusion)],
    )
}

fn instances(lang: Lang, s: &ScopeResult) -> String {
    let n = s
        .resources
        .iter()
        .filter(|r| matches!(r, Resource::Instance(_)))
        .count();
    tf(lang, "rb.in.terminate", &[&n.to_string()])
}

fn support(lang: Lang, s: &ScopeResult) -> String {
    let cost = s
        .cost
        .as_ref()
        .map_or(String::new(), |c| format!("USD {:.2}", c.total_usd));
    tf(lang, "rb.in.support", &[&cost])
}

fn identities(lang: Lang, s: &ScopeResult) -> String {
    let ids = &s.identities;
    let n = ids.users.len() + ids.access_keys.len() + ids.roles.len();
    tf(lang, "rb.in.remove", &[&n.to_string()])
}

fn update(lang: Lang, s: &ScopeResult) -> String {
    tf(lang, "rb.in.update", &[&s.unknowns.len().to_string()])
}

const DECISIONS: &[Decision] = &[
    Decision {
        what: "rb.dec.rotate",
        owner: "rb.role.ic",
        when: "rb.when.hour1",
        input: rotate,
    },
    Decision {
        what: "rb.dec.remove",
        owner: "rb.role.ic",
        when: "rb.when.after_preserve",
        input: identities,
    },
    Decision {
        what: "rb.dec.terminate",
        owner: "rb.role.owner",
        when: "rb.when.after_snapshot",
        input: instances,
    },
    Decision {
        what: "rb.dec.support",
        owner: "rb.role.ic",
        when: "rb.when.day1",
        input: support,
    },
    Decision {
        what: "rb.dec.notify",
        owner: "rb.role.legal",
        when: "rb.when.appi",
        input: exposed,
    },
    Decision {
        what: "rb.dec.report",
        owner: "rb.role.exec",
        when: "rb.when.day1",
        input: update,
    },
];

/// The section.
pub fn section(lang: Lang, scope: Option<&ScopeResult>, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "rb.decisions").into()));
    let rows: Vec<Vec<Cell>> = DECISIONS
        .iter()
        .map(|d| {
            let input = scope.map_or(String::new(), |s| (d.input)(lang, s));
            vec![
                text(t(lang, d.what)),
                text(t(lang, d.owner)),
                text(t(lang, d.when)),
                text(input),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "rb.col.decision",
                "rb.col.owner",
                "rb.col.when",
                "rb.col.input",
            ],
        ),
        rows,
    });
}
