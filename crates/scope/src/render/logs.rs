//! Summary sections of the logs beyond CloudTrail: the attacker's reads in S3 server access
//! logs, network flows and the exfiltration statement, joined GuardDuty findings, resolver
//! queries.

use cloudcase_model::scope::{FlowGroup, InstanceTraffic, ScopeResult};

use super::sections::{Local, Section};

/// Rows of the actual cost from Cost and Usage Reports, after the estimate's.
pub(super) fn actual_cost(doc: &ScopeResult) -> Vec<Vec<String>> {
    let Some(a) = doc.cost.as_ref().and_then(|c| c.actual.as_ref()) else {
        return Vec::new();
    };
    let totals: Vec<String> = a
        .totals
        .iter()
        .map(|t| format!("{:.2} {}", t.cost, t.currency))
        .collect();
    let head = vec![
        "actual (Cost and Usage Report)".to_owned(),
        totals.join(" + "),
        a.basis.clone(),
    ];
    let items = a.items.iter().map(|i| {
        vec![
            format!("actual {}", i.resource_id),
            format!("{:.2} {}", i.cost, i.currency),
            format!(
                "{} {} in {}",
                i.usage_amount,
                i.usage_type.as_deref().unwrap_or("-"),
                i.region.as_deref().unwrap_or("-")
            ),
        ]
    });
    std::iter::once(head).chain(items).collect()
}

/// Rows of the attacker's reads seen in access logs, one per (bucket, requester, address).
pub(super) fn access_log_reads(doc: &ScopeResult, local: Local<'_>) -> Option<Section> {
    let rows: Vec<Vec<String>> = doc
        .data_access
        .iter()
        .flat_map(|d| d.access_log_reads.iter().flatten().map(move |r| (d, r)))
        .map(|(d, r)| {
            vec![
                d.name.clone(),
                r.requester
                    .clone()
                    .unwrap_or_else(|| "anonymous".to_owned()),
                r.ip.clone(),
                format!(
                    "{} request(s), {} object(s), {} byte(s)",
                    r.requests, r.objects, r.bytes_sent
                ),
                format!("{} – {}", local(&r.first), local(&r.last)),
            ]
        })
        .collect();
    (!rows.is_empty()).then_some(Section {
        title: "bucket reads in S3 server access logs",
        rows,
    })
}

fn flow_row(g: &FlowGroup, local: Local<'_>) -> Vec<String> {
    vec![
        format!(
            "{} ({})",
            g.interface_id,
            g.instance_id.as_deref().unwrap_or("-")
        ),
        format!(
            "{} ↔ {} {}/{}",
            g.local_address.as_deref().unwrap_or("?"),
            g.remote_address,
            g.protocol,
            g.port.map_or_else(|| "-".to_owned(), |p| p.to_string())
        ),
        format!(
            "out {} B, in {} B, {} packet(s)",
            g.bytes_out, g.bytes_in, g.packets
        ),
        g.actions.join("/"),
        format!("{} – {}", local(&g.first), local(&g.last)),
    ]
}

fn instance_row(i: &InstanceTraffic) -> Vec<String> {
    vec![format!("instance {}", i.instance_id), i.basis.clone()]
}

/// The network section: the exfiltration statement, attacker instances, then the flows.
pub(super) fn network(doc: &ScopeResult, local: Local<'_>) -> Option<Section> {
    let n = doc.network.as_ref()?;
    let verdict = serde_json::to_value(n.exfiltration.verdict).unwrap_or_default();
    let head = vec![
        format!("exfiltration {}", verdict.as_str().unwrap_or("")),
        n.exfiltration.basis.clone(),
    ];
    let rows = std::iter::once(head)
        .chain(n.instances.iter().map(instance_row))
        .chain(n.flows.iter().map(|g| flow_row(g, local)))
        .collect();
    Some(Section {
        title: "network (VPC flow logs)",
        rows,
    })
}

/// The GuardDuty findings joined to the document.
pub(super) fn guardduty(doc: &ScopeResult, local: Local<'_>) -> Option<Section> {
    let g = doc.guardduty.as_ref()?;
    let rows = g
        .findings
        .iter()
        .map(|f| {
            let on: Vec<String> = f
                .joined_on
                .iter()
                .map(|j| {
                    format!(
                        "{}={}",
                        serde_json::to_value(j.on)
                            .unwrap_or_default()
                            .as_str()
                            .unwrap_or(""),
                        j.value
                    )
                })
                .collect();
            vec![
                format!("{:.1}", f.severity),
                f.finding_type.clone(),
                on.join(", "),
                f.first_seen
                    .as_deref()
                    .map_or_else(|| "-".to_owned(), local),
            ]
        })
        .chain(std::iter::once(vec![format!(
            "{} finding(s) not joined; {}",
            g.not_joined, g.note
        )]))
        .collect();
    Some(Section {
        title: "guardduty findings",
        rows,
    })
}

/// Resolver queries of attacker instances.
pub(super) fn dns(doc: &ScopeResult, local: Local<'_>) -> Option<Section> {
    let d = doc.dns.as_ref()?;
    let rows = d
        .queries
        .iter()
        .map(|q| {
            vec![
                q.query_name.clone(),
                q.query_types.join("/"),
                format!("{} quer(ies) by {}", q.count, q.instances.join(", ")),
                format!("{} – {}", local(&q.first), local(&q.last)),
            ]
        })
        .collect();
    Some(Section {
        title: "dns queries of attacker instances",
        rows,
    })
}
