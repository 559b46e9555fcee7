//! The summary both human renderers share: the scope document cut into titled sections of
//! rows of cells, one builder per section, so each section can be read (and changed) alone.

use cloudcase_model::scope::{
    AccessKey, Attribution, Intrusion, Resource, Role, ScopeResult, SectionsAttribution, Session,
    SourceUse, User,
};
use serde::Serialize;

use super::logs;

/// One titled part of the summary: its rows, each a list of cells (plain text, not escaped;
/// the renderer escapes them for its medium).
pub(crate) struct Section {
    /// The heading, e.g. `resources`.
    pub title: &'static str,
    /// The rows, in document order; an empty list renders as "(none)".
    pub rows: Vec<Vec<String>>,
}

/// How times are shown: RFC 3339 UTC strings in, the reader's time zone out.
pub(crate) type Local<'a> = &'a dyn Fn(&str) -> String;

/// Builds one section from the scope document, or `None` when it is left out entirely
/// (the `--auto` ranking, and the sections of logs the inputs do not hold).
type Builder = fn(&ScopeResult, Local<'_>) -> Option<Section>;

/// The sections in the order they are printed.
const BUILDERS: &[Builder] = &[
    subject_and_intrusion,
    auto_ranking,
    attacker_sources,
    identities_and_sessions,
    permission_changes,
    resources,
    responder_actions,
    data_access,
    logs::access_log_reads,
    logs::network,
    logs::guardduty,
    logs::dns,
    cost,
    containment,
    unknowns,
];

/// The whole summary, section by section.
pub(crate) fn sections(doc: &ScopeResult, local: Local<'_>) -> Vec<Section> {
    BUILDERS
        .iter()
        .filter_map(|build| build(doc, local))
        .collect()
}

/// An optional text as one cell: `-` when absent.
fn opt(v: Option<&str>) -> String {
    v.unwrap_or("-").to_owned()
}

/// An optional time as one cell, in the reader's zone: `-` when absent.
fn opt_time(v: Option<&str>, local: Local<'_>) -> String {
    v.map_or_else(|| "-".to_owned(), local)
}

/// A list (or any value) as one cell, written as JSON.
fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn subject_and_intrusion(doc: &ScopeResult, local: Local<'_>) -> Option<Section> {
    let subject = &doc.subject;
    let principals = subject
        .principals
        .as_ref()
        .map_or_else(|| "-".to_owned(), json);
    let mut rows = vec![
        vec![
            "subject".into(),
            format!(
                "{} {}",
                subject.kind.as_str(),
                opt(subject.value.as_deref())
            ),
        ],
        vec!["principals".into(), principals],
    ];
    match &doc.intrusion {
        Intrusion::Found(d) => {
            rows.push(vec![
                "first attacker event".into(),
                local(&d.first_attacker_event),
            ]);
            rows.push(vec![
                "found by".into(),
                format!("{} ({})", d.method.as_str(), d.novel),
            ]);
            rows.push(vec!["confidence".into(), d.confidence.as_str().to_owned()]);
            let signals: Vec<String> = d
                .signals
                .iter()
                .map(|x| format!("{} ({:+})", x.signal, x.weight))
                .collect();
            rows.push(vec!["signals".into(), signals.join(", ")]);
            rows.push(vec![
                "last attacker event".into(),
                opt_time(d.last_attacker_event.as_deref(), local),
            ]);
        }
        Intrusion::NoDeparture(n) => {
            rows.push(vec!["first attacker event".into(), "-".into()]);
            rows.push(vec!["found by".into(), "- (-)".into()]);
            rows.push(vec!["last attacker event".into(), "-".into()]);
            rows.push(vec!["no departure found".into(), n.explanation.clone()]);
            if unattributed(doc) && doc.cost.is_some() {
                rows.push(vec![
                    "sections below".into(),
                    "activity of the named credential (not attributed to an attacker): not proof of misuse, nor of its absence".into(),
                ]);
            }
        }
    }
    Some(Section {
        title: "subject and intrusion",
        rows,
    })
}

fn auto_ranking(doc: &ScopeResult, _: Local<'_>) -> Option<Section> {
    let ranking = &doc.subject.auto_ranking;
    if ranking.is_empty() {
        return None;
    }
    let rows = ranking
        .iter()
        .map(|r| {
            vec![
                opt(r.principal.as_deref().or(r.access_key.as_deref())),
                opt(r.kind.as_deref()),
                r.score.to_string(),
                opt(r.confidence.map(|c| c.as_str())),
                json(&r.reasons),
            ]
        })
        .collect();
    Some(Section {
        title: "--auto ranking",
        rows,
    })
}

fn source_row(s: &SourceUse, local: Local<'_>) -> Vec<String> {
    vec![
        s.ip.clone(),
        opt(s.country.as_ref().and_then(|c| c.as_deref())),
        local(&s.first_seen),
        local(&s.last_seen),
        s.events.to_string(),
        json(&s.user_agents),
    ]
}

/// Whether the sections show the named credential's activity, not attributed to an attacker.
fn unattributed(doc: &ScopeResult) -> bool {
    doc.attribution == SectionsAttribution::Unattributed
}

fn attacker_sources(doc: &ScopeResult, local: Local<'_>) -> Option<Section> {
    let title = if unattributed(doc) {
        "sources: activity of the named credential (not attributed to an attacker)"
    } else {
        "attacker sources"
    };
    Some(Section {
        title,
        rows: doc
            .attacker_sources
            .iter()
            .map(|s| source_row(s, local))
            .collect(),
    })
}

fn identities_and_sessions(doc: &ScopeResult, local: Local<'_>) -> Option<Section> {
    let id = &doc.identities;
    let mut rows = Vec::new();
    rows.extend(id.users.iter().map(|u| user_row(u, local)));
    rows.extend(id.access_keys.iter().map(|k| access_key_row(k, local)));
    rows.extend(id.roles.iter().map(|r| role_row(r, local)));
    rows.extend(doc.sessions.iter().map(|s| session_row(s, local)));
    let title = if unattributed(doc) {
        "identities and sessions: activity of the named credential (not attributed to an attacker)"
    } else {
        "attacker identities and sessions"
    };
    Some(Section { title, rows })
}

fn user_row(u: &User, local: Local<'_>) -> Vec<String> {
    let profile = if u.login_profile.is_some() {
        "yes"
    } else {
        "no"
    };
    vec![
        "user".into(),
        u.name.clone(),
        local(&u.created),
        format!("login profile: {profile}"),
    ]
}

fn access_key_row(k: &AccessKey, local: Local<'_>) -> Vec<String> {
    let from: Vec<&str> = k.used_from.iter().map(|u| u.ip.as_str()).collect();
    vec![
        "access key".into(),
        k.access_key.clone(),
        local(&k.created),
        format!("user {}; used from {}", k.user, from.join(", ")),
    ]
}

fn role_row(r: &Role, local: Local<'_>) -> Vec<String> {
    let trusts = r
        .trust
        .as_ref()
        .map_or_else(|| "-".to_owned(), |t| json(&t.principals));
    vec![
        format!("role ({})", r.origin.as_str()),
        r.name.clone(),
        local(&r.time),
        format!("trusts {trusts}"),
    ]
}

fn session_row(x: &Session, local: Local<'_>) -> Vec<String> {
    vec![
        format!("session ({})", x.event),
        opt(x.session_access_key.as_deref()),
        local(&x.time),
        opt(x.role_arn.as_deref()),
    ]
}

fn permission_changes(doc: &ScopeResult, local: Local<'_>) -> Option<Section> {
    let rows = doc
        .permission_changes
        .iter()
        .map(|p| {
            vec![
                local(&p.time),
                match p.attribution {
                    Attribution::Attacker if unattributed(doc) => "named credential".to_owned(),
                    a => a.as_str().to_owned(),
                },
                p.event.clone(),
                p.target.clone(),
                opt(p.error.as_deref()),
            ]
        })
        .collect();
    Some(Section {
        title: "permission changes",
        rows,
    })
}

fn resources(doc: &ScopeResult, local: Local<'_>) -> Option<Section> {
    let title = if unattributed(doc) {
        "resources: activity of the named credential (not attributed to an attacker)"
    } else {
        "resources"
    };
    Some(Section {
        title,
        rows: doc
            .resources
            .iter()
            .map(|r| resource_row(r, local))
            .collect(),
    })
}

/// Kind, name, region, detail (type and lifetime for an instance, else the time of creation)
/// and whether it exists now.
fn resource_row(r: &Resource, local: Local<'_>) -> Vec<String> {
    let now = match r.exists_now() {
        Some(true) => "exists now",
        Some(false) => "gone now",
        None => "now: unknown",
    };
    let (name, detail) = match r {
        Resource::Instance(i) => (
            i.instance_id.clone(),
            format!(
                "{} launched {} terminated {}",
                i.instance_type,
                local(&i.launched),
                opt_time(i.terminated.as_deref(), local)
            ),
        ),
        Resource::SpotRequest(s) => (json(&s.request_ids), local(&s.time)),
        Resource::SecurityGroupIngress(g) => (g.group_id.clone(), local(&g.time)),
        Resource::KeyPair(k) => (k.name.clone(), local(&k.time)),
        Resource::SnapshotShare(s) | Resource::AmiShare(s) => (s.id.clone(), local(&s.time)),
        Resource::LambdaFunction(f) => (f.name.clone(), local(&f.time)),
    };
    vec![
        r.kind().to_owned(),
        name,
        r.region().to_owned(),
        detail,
        now.into(),
    ]
}

fn responder_actions(doc: &ScopeResult, local: Local<'_>) -> Option<Section> {
    let rows = doc
        .responder_actions
        .iter()
        .map(|a| {
            vec![
                local(&a.time),
                a.event.clone(),
                opt(a.by.arn.as_deref()),
                opt(a.by.ip.as_deref()),
            ]
        })
        .collect();
    Some(Section {
        title: "responder actions (not attacker)",
        rows,
    })
}

fn data_access(doc: &ScopeResult, _: Local<'_>) -> Option<Section> {
    let rows = doc
        .data_access
        .iter()
        .map(|d| {
            vec![
                d.verdict.as_str().to_owned(),
                d.store.as_str().to_owned(),
                d.name.clone(),
                d.basis.clone(),
            ]
        })
        .collect();
    Some(Section {
        title: "data access",
        rows,
    })
}

fn usd(v: f64) -> String {
    format!("{v:.2} USD")
}

fn cost(doc: &ScopeResult, _: Local<'_>) -> Option<Section> {
    let (total_usd, total_hours) = doc
        .cost
        .as_ref()
        .map_or((0.0, 0.0), |c| (c.total_usd, c.total_hours));
    let total = vec![
        "total".into(),
        usd(total_usd),
        format!("{total_hours:.1} instance-hours"),
    ];
    let regions = doc.cost.iter().flat_map(|c| &c.by_region).map(|g| {
        vec![
            format!("region {}", g.key),
            usd(g.cost_usd),
            format!("{:.1} h", g.hours),
        ]
    });
    Some(Section {
        title: "cost (on-demand list price)",
        rows: std::iter::once(total)
            .chain(regions)
            .chain(logs::actual_cost(doc))
            .collect(),
    })
}

fn containment(doc: &ScopeResult, _: Local<'_>) -> Option<Section> {
    let steps = doc
        .containment
        .as_ref()
        .and_then(|c| c.plan.as_ref())
        .map_or(0, |p| p.steps.len());
    Some(Section {
        title: "containment",
        rows: vec![vec![format!(
            "{steps} steps (--format json: containment.plan and containment.script)"
        )]],
    })
}

fn unknowns(doc: &ScopeResult, _: Local<'_>) -> Option<Section> {
    let rows = doc
        .unknowns
        .iter()
        .map(|u| vec![u.question.clone(), u.why.clone(), u.would_resolve.clone()])
        .collect();
    Some(Section {
        title: "unknowns",
        rows,
    })
}
