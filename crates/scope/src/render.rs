//! Human summaries of the scope document: a terminal table and Markdown.

use cloudcase_report::escape::markdown;
use cloudcase_timeline::sanitize::terminal_safe;
use serde_json::Value;

fn s(v: &Value) -> String {
    match v {
        Value::Null => "-".to_owned(),
        Value::String(x) => x.clone(),
        other => other.to_string(),
    }
}

/// The summary as (section, rows of cells); both renderers share it.
fn sections(doc: &Value) -> Vec<(&'static str, Vec<Vec<String>>)> {
    let arr = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let mut out = Vec::new();
    let i = &doc["intrusion"];
    out.push((
        "subject and intrusion",
        vec![
            vec![
                "subject".into(),
                format!(
                    "{} {}",
                    s(&doc["subject"]["kind"]),
                    s(&doc["subject"]["value"])
                ),
            ],
            vec!["principals".into(), s(&doc["subject"]["principals"])],
            vec!["first attacker event".into(), s(&i["first_attacker_event"])],
            vec![
                "found by".into(),
                format!("{} ({})", s(&i["method"]), s(&i["novel"])),
            ],
            vec!["last attacker event".into(), s(&i["last_attacker_event"])],
        ]
        .into_iter()
        .chain(
            i["explanation"]
                .as_str()
                .map(|e| vec!["no departure found".into(), e.to_owned()]),
        )
        .collect(),
    ));
    let cands = arr(&doc["subject"]["auto_ranking"]);
    if !cands.is_empty() {
        out.push((
            "--auto ranking",
            cands
                .iter()
                .map(|c| vec![s(&c["access_key"]), s(&c["score"]), s(&c["reasons"])])
                .collect(),
        ));
    }
    out.push((
        "attacker sources",
        arr(&doc["attacker_sources"])
            .iter()
            .map(|a| {
                vec![
                    s(&a["ip"]),
                    s(&a["country"]),
                    s(&a["first_seen"]),
                    s(&a["last_seen"]),
                    s(&a["events"]),
                    s(&a["user_agents"]),
                ]
            })
            .collect(),
    ));
    let id = &doc["identities"];
    let mut rows = Vec::new();
    for u in arr(&id["users"]) {
        rows.push(vec![
            "user".into(),
            s(&u["name"]),
            s(&u["created"]),
            format!(
                "login profile: {}",
                if u["login_profile"].is_null() {
                    "no"
                } else {
                    "yes"
                }
            ),
        ]);
    }
    for k in arr(&id["access_keys"]) {
        let from: Vec<String> = arr(&k["used_from"]).iter().map(|u| s(&u["ip"])).collect();
        rows.push(vec![
            "access key".into(),
            s(&k["access_key"]),
            s(&k["created"]),
            format!("user {}; used from {}", s(&k["user"]), from.join(", ")),
        ]);
    }
    for r in arr(&id["roles"]) {
        rows.push(vec![
            format!("role ({})", s(&r["origin"])),
            s(&r["name"]),
            s(&r["time"]),
            format!("trusts {}", s(&r["trust"]["principals"])),
        ]);
    }
    for x in arr(&doc["sessions"]) {
        rows.push(vec![
            format!("session ({})", s(&x["event"])),
            s(&x["session_access_key"]),
            s(&x["time"]),
            s(&x["role_arn"]),
        ]);
    }
    out.push(("attacker identities and sessions", rows));
    out.push((
        "permission changes",
        arr(&doc["permission_changes"])
            .iter()
            .map(|p| {
                vec![
                    s(&p["time"]),
                    s(&p["attribution"]),
                    s(&p["event"]),
                    s(&p["target"]),
                    s(&p["error"]),
                ]
            })
            .collect(),
    ));
    out.push((
        "resources",
        arr(&doc["resources"])
            .iter()
            .map(|r| {
                let name = if r["kind"] == "instance" {
                    s(&r["instance_id"])
                } else if r["kind"] == "spot_request" {
                    s(&r["request_ids"])
                } else {
                    s(if r["name"].is_null() {
                        if r["id"].is_null() {
                            &r["group_id"]
                        } else {
                            &r["id"]
                        }
                    } else {
                        &r["name"]
                    })
                };
                let detail = if r["kind"] == "instance" {
                    format!(
                        "{} launched {} terminated {}",
                        s(&r["instance_type"]),
                        s(&r["launched"]),
                        s(&r["terminated"])
                    )
                } else {
                    s(&r["time"])
                };
                let now = match r["exists_now"]["exists"].as_bool() {
                    Some(true) => "exists now",
                    Some(false) => "gone now",
                    None => "now: unknown",
                };
                vec![s(&r["kind"]), name, s(&r["region"]), detail, now.into()]
            })
            .collect(),
    ));
    out.push((
        "responder actions (not attacker)",
        arr(&doc["responder_actions"])
            .iter()
            .map(|r| {
                vec![
                    s(&r["time"]),
                    s(&r["event"]),
                    s(&r["by"]["arn"]),
                    s(&r["by"]["ip"]),
                ]
            })
            .collect(),
    ));
    out.push((
        "data access",
        arr(&doc["data_access"])
            .iter()
            .map(|d| {
                vec![
                    s(&d["verdict"]).replace('_', " "),
                    s(&d["store"]),
                    s(&d["name"]),
                    s(&d["basis"]),
                ]
            })
            .collect(),
    ));
    let c = &doc["cost"];
    out.push((
        "cost (on-demand list price)",
        vec![vec![
            "total".into(),
            format!("{:.2} USD", c["total_usd"].as_f64().unwrap_or(0.0)),
            format!(
                "{:.1} instance-hours",
                c["total_hours"].as_f64().unwrap_or(0.0)
            ),
        ]]
        .into_iter()
        .chain(arr(&c["by_region"]).iter().map(|g| {
            vec![
                format!("region {}", s(&g["key"])),
                format!("{:.2} USD", g["cost_usd"].as_f64().unwrap_or(0.0)),
                format!("{:.1} h", g["hours"].as_f64().unwrap_or(0.0)),
            ]
        }))
        .collect(),
    ));
    let steps = doc["containment"]["plan"]["steps"]
        .as_array()
        .map_or(0, Vec::len);
    out.push((
        "containment",
        vec![vec![format!(
            "{steps} steps (--format json: containment.plan and containment.script)"
        )]],
    ));
    out.push((
        "unknowns",
        arr(&doc["unknowns"])
            .iter()
            .map(|u| vec![s(&u["question"]), s(&u["why"]), s(&u["would_resolve"])])
            .collect(),
    ));
    out
}

/// Terminal text: every value made terminal-safe.
pub fn table(doc: &Value) -> String {
    let mut out = String::new();
    for (title, rows) in sections(doc) {
        out.push_str(&format!("== {title}\n"));
        if rows.is_empty() {
            out.push_str("  (none)\n");
        }
        for r in rows {
            let cells: Vec<String> = r.iter().map(|c| terminal_safe(c).into_owned()).collect();
            out.push_str(&format!("  {}\n", cells.join("  |  ")));
        }
        out.push('\n');
    }
    out
}

/// Markdown: every value escaped.
pub fn markdown_doc(doc: &Value) -> String {
    let mut out = String::from("# Scope\n\n");
    for (title, rows) in sections(doc) {
        out.push_str(&format!("## {}\n\n", markdown(title)));
        if rows.is_empty() {
            out.push_str("(none)\n\n");
            continue;
        }
        for r in rows {
            let cells: Vec<String> = r.iter().map(|c| markdown(c)).collect();
            out.push_str(&format!("- {}\n", cells.join(" — ")));
        }
        out.push('\n');
    }
    out
}
