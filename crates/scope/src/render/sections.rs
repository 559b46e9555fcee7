//! The summary both human renderers share: the scope document cut into titled sections of
//! rows of cells, one builder per section, so each section can be read (and changed) alone.

use serde_json::Value;

/// One titled part of the summary: its rows, each a list of cells (plain text, not escaped;
/// the renderer escapes them for its medium).
pub(crate) struct Section {
    /// The heading, e.g. `resources`.
    pub title: &'static str,
    /// The rows, in document order; an empty list renders as "(none)".
    pub rows: Vec<Vec<String>>,
}

/// Builds one section from the scope document, or `None` when it is left out entirely
/// (only the `--auto` ranking is optional).
type Builder = fn(&Value) -> Option<Section>;

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
    cost,
    containment,
    unknowns,
];

/// The whole summary, section by section.
pub(crate) fn sections(doc: &Value) -> Vec<Section> {
    BUILDERS.iter().filter_map(|build| build(doc)).collect()
}

/// A value as one cell: `-` for null, strings as they are, anything else as JSON.
fn s(v: &Value) -> String {
    match v {
        Value::Null => "-".to_owned(),
        Value::String(x) => x.clone(),
        other => other.to_string(),
    }
}

/// The elements of an array value (none when it is not an array).
fn arr(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_default()
}

/// A section whose rows are the elements of `list`, one cell per JSON pointer in `columns`.
fn columns(title: &'static str, list: &Value, pointers: &[&str]) -> Option<Section> {
    let rows = arr(list)
        .iter()
        .map(|item| {
            pointers
                .iter()
                .map(|p| s(item.pointer(p).unwrap_or(&Value::Null)))
                .collect()
        })
        .collect();
    Some(Section { title, rows })
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

fn subject_and_intrusion(doc: &Value) -> Option<Section> {
    let i = &doc["intrusion"];
    let subject = &doc["subject"];
    let mut rows = vec![
        vec![
            "subject".into(),
            format!("{} {}", s(&subject["kind"]), s(&subject["value"])),
        ],
        vec!["principals".into(), s(&subject["principals"])],
        vec!["first attacker event".into(), s(&i["first_attacker_event"])],
        vec![
            "found by".into(),
            format!("{} ({})", s(&i["method"]), s(&i["novel"])),
        ],
        vec!["last attacker event".into(), s(&i["last_attacker_event"])],
    ];
    if let Some(e) = i["explanation"].as_str() {
        rows.push(row(&["no departure found", e]));
    }
    Some(Section {
        title: "subject and intrusion",
        rows,
    })
}

fn auto_ranking(doc: &Value) -> Option<Section> {
    let ranking = &doc["subject"]["auto_ranking"];
    if arr(ranking).is_empty() {
        return None;
    }
    columns(
        "--auto ranking",
        ranking,
        &["/access_key", "/score", "/reasons"],
    )
}

fn attacker_sources(doc: &Value) -> Option<Section> {
    columns(
        "attacker sources",
        &doc["attacker_sources"],
        &[
            "/ip",
            "/country",
            "/first_seen",
            "/last_seen",
            "/events",
            "/user_agents",
        ],
    )
}

fn identities_and_sessions(doc: &Value) -> Option<Section> {
    let id = &doc["identities"];
    let mut rows = Vec::new();
    rows.extend(arr(&id["users"]).iter().map(user_row));
    rows.extend(arr(&id["access_keys"]).iter().map(access_key_row));
    rows.extend(arr(&id["roles"]).iter().map(role_row));
    rows.extend(arr(&doc["sessions"]).iter().map(session_row));
    Some(Section {
        title: "attacker identities and sessions",
        rows,
    })
}

fn user_row(u: &Value) -> Vec<String> {
    let profile = if u["login_profile"].is_null() {
        "no"
    } else {
        "yes"
    };
    vec![
        "user".into(),
        s(&u["name"]),
        s(&u["created"]),
        format!("login profile: {profile}"),
    ]
}

fn access_key_row(k: &Value) -> Vec<String> {
    let from: Vec<String> = arr(&k["used_from"]).iter().map(|u| s(&u["ip"])).collect();
    vec![
        "access key".into(),
        s(&k["access_key"]),
        s(&k["created"]),
        format!("user {}; used from {}", s(&k["user"]), from.join(", ")),
    ]
}

fn role_row(r: &Value) -> Vec<String> {
    vec![
        format!("role ({})", s(&r["origin"])),
        s(&r["name"]),
        s(&r["time"]),
        format!("trusts {}", s(&r["trust"]["principals"])),
    ]
}

fn session_row(x: &Value) -> Vec<String> {
    vec![
        format!("session ({})", s(&x["event"])),
        s(&x["session_access_key"]),
        s(&x["time"]),
        s(&x["role_arn"]),
    ]
}

fn permission_changes(doc: &Value) -> Option<Section> {
    columns(
        "permission changes",
        &doc["permission_changes"],
        &["/time", "/attribution", "/event", "/target", "/error"],
    )
}

fn resources(doc: &Value) -> Option<Section> {
    Some(Section {
        title: "resources",
        rows: arr(&doc["resources"]).iter().map(resource_row).collect(),
    })
}

/// Kind, name, region, detail and whether it exists now.
fn resource_row(r: &Value) -> Vec<String> {
    let now = match r["exists_now"]["exists"].as_bool() {
        Some(true) => "exists now",
        Some(false) => "gone now",
        None => "now: unknown",
    };
    vec![
        s(&r["kind"]),
        resource_name(r),
        s(&r["region"]),
        resource_detail(r),
        now.into(),
    ]
}

/// Instance id, spot request ids, or else the first of name, id and group id that is set.
fn resource_name(r: &Value) -> String {
    if r["kind"] == "instance" {
        return s(&r["instance_id"]);
    }
    if r["kind"] == "spot_request" {
        return s(&r["request_ids"]);
    }
    let named = ["name", "id"].iter().map(|k| &r[*k]).find(|v| !v.is_null());
    s(named.unwrap_or(&r["group_id"]))
}

/// Type and lifetime for an instance; the time of creation for anything else.
fn resource_detail(r: &Value) -> String {
    if r["kind"] != "instance" {
        return s(&r["time"]);
    }
    format!(
        "{} launched {} terminated {}",
        s(&r["instance_type"]),
        s(&r["launched"]),
        s(&r["terminated"])
    )
}

fn responder_actions(doc: &Value) -> Option<Section> {
    columns(
        "responder actions (not attacker)",
        &doc["responder_actions"],
        &["/time", "/event", "/by/arn", "/by/ip"],
    )
}

fn data_access(doc: &Value) -> Option<Section> {
    let mut section = columns(
        "data access",
        &doc["data_access"],
        &["/verdict", "/store", "/name", "/basis"],
    )?;
    for r in &mut section.rows {
        r[0] = r[0].replace('_', " ");
    }
    Some(section)
}

fn usd(v: &Value) -> String {
    format!("{:.2} USD", v.as_f64().unwrap_or(0.0))
}

fn cost(doc: &Value) -> Option<Section> {
    let c = &doc["cost"];
    let total = vec![
        "total".into(),
        usd(&c["total_usd"]),
        format!(
            "{:.1} instance-hours",
            c["total_hours"].as_f64().unwrap_or(0.0)
        ),
    ];
    let regions = arr(&c["by_region"]).into_iter().map(|g| {
        vec![
            format!("region {}", s(&g["key"])),
            usd(&g["cost_usd"]),
            format!("{:.1} h", g["hours"].as_f64().unwrap_or(0.0)),
        ]
    });
    Some(Section {
        title: "cost (on-demand list price)",
        rows: std::iter::once(total).chain(regions).collect(),
    })
}

fn containment(doc: &Value) -> Option<Section> {
    let steps = doc["containment"]["plan"]["steps"]
        .as_array()
        .map_or(0, Vec::len);
    Some(Section {
        title: "containment",
        rows: vec![vec![format!(
            "{steps} steps (--format json: containment.plan and containment.script)"
        )]],
    })
}

fn unknowns(doc: &Value) -> Option<Section> {
    columns(
        "unknowns",
        &doc["unknowns"],
        &["/question", "/why", "/would_resolve"],
    )
}
