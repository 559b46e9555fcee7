//! The resource inventory, permission changes and data-access verdicts.

use cloudcase_model::scope::{Attribution, Coverage, Instance, RecordRef, Resource, StoreCoverage};
use cloudcase_model::ScopeResult;

use super::{by_arn, headers, section_title};
use crate::analysis::{code, opt, text};
use crate::executive::verdict;
use crate::i18n::Voice;
use crate::i18n::{t, tf, Lang};
use crate::refs::Refs;
use crate::scope_read::{log_span, voice};
use crate::Block;

/// The name or id of a resource (for an instance, shown in its own table: its id), and
/// when it was made.
fn other_resource(r: &Resource) -> (&str, &str) {
    match r {
        Resource::SecurityGroupIngress(g) => (&g.group_id, &g.time),
        Resource::KeyPair(k) => (&k.name, &k.time),
        Resource::LambdaFunction(l) => (&l.name, &l.time),
        Resource::SnapshotShare(x) | Resource::AmiShare(x) => (&x.id, &x.time),
        Resource::SpotRequest(x) => ("", &x.time),
        Resource::Instance(i) => (&i.instance_id, &i.launched),
    }
}

/// The records a resource rests on.
fn resource_refs(r: &Resource) -> &[RecordRef] {
    match r {
        Resource::Instance(x) => &x.refs,
        Resource::SpotRequest(x) => &x.refs,
        Resource::SecurityGroupIngress(x) => &x.refs,
        Resource::KeyPair(x) => &x.refs,
        Resource::SnapshotShare(x) | Resource::AmiShare(x) => &x.refs,
        Resource::LambdaFunction(x) => &x.refs,
    }
}

pub(super) fn inventory(lang: Lang, s: &ScopeResult, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, section_title(lang, s, "tech.resources")));
    let yes_no = |v: bool| t(lang, if v { "yes" } else { "no" }).to_owned();
    let instances: Vec<&Instance> = s
        .resources
        .iter()
        .filter_map(|r| match r {
            Resource::Instance(i) => Some(i),
            _ => None,
        })
        .collect();
    let others: Vec<&Resource> = s
        .resources
        .iter()
        .filter(|r| !matches!(r, Resource::Instance(_)))
        .collect();
    let rows = instances
        .iter()
        .map(|r| {
            vec![
                code(&r.instance_id),
                code(&r.region),
                code(&r.instance_type),
                text(&r.launched),
                text(format!("{}{}", opt(&r.terminated), opt(&r.stopped))),
                text(yes_no(r.exists_at_end_of_logs)),
                refs.cite(&r.refs),
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
                let (id, time) = other_resource(r);
                vec![
                    code(r.kind()),
                    code(id),
                    code(r.region()),
                    text(time),
                    refs.cite(resource_refs(r)),
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

/// Whose change it is: `attacker` reads as the named credential in a document that
/// attributes nothing to an attacker.
fn attribution(lang: Lang, s: &ScopeResult, a: Attribution) -> &str {
    match (a, voice(s)) {
        (Attribution::Attacker, Voice::Named) => t(lang, "attr.named"),
        (a, _) => a.as_str(),
    }
}

pub(super) fn permissions(lang: Lang, s: &ScopeResult, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(
        2,
        section_title(lang, s, "tech.permissions"),
    ));
    let rows = s
        .permission_changes
        .iter()
        .map(|p| {
            vec![
                text(&p.time),
                code(&p.event),
                code(&p.target),
                text(attribution(lang, s, p.attribution)),
                code(by_arn(&p.by)),
                code(opt(&p.error)),
                refs.cite(&p.refs),
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

pub(super) fn data_access(lang: Lang, s: &ScopeResult, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, section_title(lang, s, "tech.data")));
    let rows = s
        .data_access
        .iter()
        .map(|d| {
            let cov = match &d.coverage {
                Some(
                    StoreCoverage::DataEvents {
                        data_events_in_window,
                        ..
                    }
                    | StoreCoverage::S3AccessLog {
                        data_events_in_window,
                        ..
                    },
                ) => data_events_in_window.to_string(),
                _ => String::new(),
            };
            vec![
                code(d.store.as_str()),
                code(&d.name),
                text(verdict(lang, d.verdict)),
                text(&d.basis),
                text(cov),
                refs.cite(&d.refs),
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
    let gaps = match &s.coverage {
        Coverage::Window(w) => w.gaps_over_6h.len(),
        Coverage::Span(_) => 0,
    };
    let [first, last] = log_span(&s.coverage);
    blocks.push(Block::Paragraph(tf(
        lang,
        "tech.coverage",
        &[first, last, &gaps.to_string()],
    )));
}
