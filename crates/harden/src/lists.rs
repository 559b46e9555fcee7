//! The lists beside the policies: remove, rotate, CI keys, secrets to move.

use cloudcase_event::EventTime;
use cloudcase_model::scope::RecordRef;
use serde::Serialize;

use crate::collect::{PrincipalUse, TimedRef, Usage};
use crate::exclude::Exclusion;
use crate::table::data_lines;

/// User-agent substrings of CI and unattended tools, one a line.
const CI_AGENTS: &str = include_str!("../data/ci-agents.tsv");
/// A long-term key used from at least this many source addresses counts as spread over hosts.
pub const MANY_HOSTS: usize = 3;
/// A key runs on a schedule when this share of its calls falls in at most two hours of the
/// day, on at least `SCHEDULE_DAYS` days.
const SCHEDULE_SHARE: f64 = 0.8;
/// See [`SCHEDULE_SHARE`].
const SCHEDULE_DAYS: usize = 5;

/// The hours (UTC) a key's calls keep to, when they keep to a schedule.
fn schedule(u: &Usage) -> Option<Vec<usize>> {
    if u.days.len() < SCHEDULE_DAYS || u.calls == 0 {
        return None;
    }
    let mut hours: Vec<(usize, u64)> = u.hours.iter().copied().enumerate().collect();
    hours.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    hours.truncate(2);
    let top: u64 = hours.iter().map(|(_, c)| c).sum();
    if (top as f64) < SCHEDULE_SHARE * u.calls as f64 {
        return None;
    }
    let mut out: Vec<usize> = hours
        .into_iter()
        .filter(|(_, c)| *c > 0)
        .map(|(h, _)| h)
        .collect();
    out.sort_unstable();
    Some(out)
}
const DAY_MS: i64 = 86_400_000;

/// A principal or key to remove.
#[derive(Debug, Clone, Serialize)]
pub struct RemoveItem {
    /// The principal (ARN, or user/role name for attacker-created ones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// The access key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key: Option<String>,
    /// Why.
    pub reason: String,
    /// The records that show it.
    pub refs: Vec<RecordRef>,
}

/// A key to rotate.
#[derive(Debug, Clone, Serialize)]
pub struct RotateItem {
    /// The key.
    pub access_key: String,
    /// Its user.
    pub principal: String,
    /// Its age in days, at least (from its first use in the logs).
    pub age_days: i64,
    /// Why.
    pub reason: String,
    /// Its first recorded use.
    pub refs: Vec<RecordRef>,
}

/// A long-term key that could be a role session, or a secret spread over hosts.
#[derive(Debug, Clone, Serialize)]
pub struct KeyFinding {
    /// The key, when the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key: Option<String>,
    /// Its principal.
    pub principal: String,
    /// Why.
    pub reason: String,
    /// The secrets read (ARNs), for the Secrets Manager list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
    /// The records that show it.
    pub refs: Vec<RecordRef>,
}

fn refs(r: &[TimedRef]) -> Vec<RecordRef> {
    r.iter().map(TimedRef::to_ref).collect()
}

/// The time text of `ms`.
pub(crate) fn utc(ms: i64) -> String {
    EventTime::from_millis(ms).to_utc_string()
}

/// Attacker-created identities, then principals and keys unused for `days` before `now_ms`.
pub fn remove(
    principals: &[(&String, &PrincipalUse)],
    exclusion: &Exclusion,
    days: i64,
    now_ms: i64,
) -> Vec<RemoveItem> {
    let mut out: Vec<RemoveItem> = exclusion
        .created
        .iter()
        .map(|c| {
            let what = match c.kind {
                "user" => "user",
                "role" => "role",
                _ => "access key",
            };
            let (principal, access_key) = match c.kind {
                "access_key" => (None, Some(c.name.clone())),
                _ => (Some(c.name.clone()), None),
            };
            RemoveItem {
                principal,
                access_key,
                reason: format!(
                    "{what} created by the attacker at {} (recorded scope result)",
                    c.created
                ),
                refs: c.refs.clone(),
            }
        })
        .collect();
    let cutoff = now_ms - days * DAY_MS;
    for (arn, p) in principals {
        if p.usage.calls > 0 && p.usage.last_ms < cutoff {
            out.push(RemoveItem {
                principal: Some((*arn).clone()),
                access_key: None,
                reason: format!(
                    "unused for {days} days: last call {} in the logs",
                    utc(p.usage.last_ms)
                ),
                refs: refs(&p.usage.refs[p.usage.refs.len().saturating_sub(1)..]),
            });
        }
        for (k, u) in &p.keys {
            if u.last_ms < cutoff {
                out.push(RemoveItem {
                    principal: None,
                    access_key: Some(k.clone()),
                    reason: format!(
                        "key of {arn} unused for {days} days: last call {} in the logs",
                        utc(u.last_ms)
                    ),
                    refs: refs(&u.refs[u.refs.len().saturating_sub(1)..]),
                });
            }
        }
    }
    out
}

/// Long-term keys first seen more than `days` before `now_ms`.
pub fn rotate(principals: &[(&String, &PrincipalUse)], days: i64, now_ms: i64) -> Vec<RotateItem> {
    let mut out = Vec::new();
    for (arn, p) in principals {
        for (k, u) in &p.keys {
            let age = (now_ms - u.first_ms) / DAY_MS;
            if age > days {
                out.push(RotateItem {
                    access_key: k.clone(),
                    principal: (*arn).clone(),
                    age_days: age,
                    reason: format!(
                        "older than {days} days: first used {} in the logs (no aws:iam inventory CreateDate read)",
                        utc(u.first_ms)
                    ),
                    refs: refs(&u.refs[..u.refs.len().min(1)]),
                });
            }
        }
    }
    out
}

fn ci_agents(u: &Usage) -> Vec<&str> {
    let mut found: Vec<&str> = data_lines(CI_AGENTS)
        .map(|(_, l)| l)
        .filter(|needle| u.agents.iter().any(|a| a.contains(needle)))
        .collect();
    found.dedup();
    found
}

/// Long-term keys used by CI or unattended tools, or from many hosts: candidates for role
/// sessions (OIDC federation, instance or task roles).
pub fn ci_keys(principals: &[(&String, &PrincipalUse)]) -> Vec<KeyFinding> {
    let mut out = Vec::new();
    for (arn, p) in principals {
        for (k, u) in &p.keys {
            let tools = ci_agents(u);
            let many = u.hosts.len() >= MANY_HOSTS;
            let hours = schedule(u);
            if tools.is_empty() && !many && hours.is_none() {
                continue;
            }
            let mut why = Vec::new();
            if !tools.is_empty() {
                why.push(format!(
                    "user agents of unattended tools ({})",
                    tools.join(", ")
                ));
            }
            if many {
                why.push(format!(
                    "used from {} addresses in {} networks",
                    u.hosts.len(),
                    u.networks.len()
                ));
            }
            if let Some(h) = hours {
                let h: Vec<String> = h.iter().map(|h| format!("{h:02}:00")).collect();
                why.push(format!(
                    "on a schedule: {:.0} % or more of its calls in the hours {} UTC on {} days",
                    SCHEDULE_SHARE * 100.0,
                    h.join(", "),
                    u.days.len()
                ));
            }
            out.push(KeyFinding {
                access_key: Some(k.clone()),
                principal: (*arn).clone(),
                reason: format!(
                    "long-term key: {}; a role session (OIDC federation or an instance/task role) would need no stored key",
                    why.join("; ")
                ),
                secrets: Vec::new(),
                refs: refs(&u.refs[..u.refs.len().min(3)]),
            });
        }
    }
    out
}

/// Words that make a Parameter Store name look like a secret.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "credential",
    "private",
    "apikey",
    "api-key",
    "api_key",
];

/// Whether `arn` is a Parameter Store parameter whose name looks like a secret.
fn secret_parameter(arn: &str) -> bool {
    let lower = arn.to_ascii_lowercase();
    lower.contains(":ssm:") && SECRET_WORDS.iter().any(|w| lower.contains(w))
}

/// Secrets kept in environment-style places: Parameter Store parameters named like secrets,
/// and secrets read with a long-term key (itself a credential stored in the caller's
/// environment, the more so when used from many hosts). Candidates for Secrets Manager read
/// by a role session.
pub fn secrets(principals: &[(&String, &PrincipalUse)]) -> Vec<KeyFinding> {
    let mut out = Vec::new();
    for (arn, p) in principals {
        if p.secret_reads.is_empty() {
            continue;
        }
        let params: Vec<String> = p
            .secrets
            .iter()
            .filter(|s| secret_parameter(s))
            .cloned()
            .collect();
        let key = p.keys.iter().max_by_key(|(_, u)| u.hosts.len());
        let mut why = Vec::new();
        if !params.is_empty() {
            why.push(format!(
                "{} Parameter Store parameters named like secrets",
                params.len()
            ));
        }
        if let Some((k, u)) = key {
            why.push(format!(
                "secrets read with long-term key {k}, a credential stored where the caller runs, used from {} addresses{}",
                u.hosts.len(),
                if u.hosts.len() >= MANY_HOSTS { " (many hosts)" } else { "" }
            ));
        }
        if why.is_empty() {
            continue;
        }
        out.push(KeyFinding {
            access_key: key.map(|(k, _)| k.clone()),
            principal: (*arn).clone(),
            reason: format!(
                "{}: move to Secrets Manager, read by a role session",
                why.join("; ")
            ),
            secrets: if params.is_empty() {
                p.secrets.iter().cloned().collect()
            } else {
                params
            },
            refs: refs(&p.secret_reads),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_parameters_by_name() {
        assert!(secret_parameter(
            "arn:aws:ssm:us-east-1:1:parameter/app/db-password"
        ));
        assert!(!secret_parameter(
            "arn:aws:ssm:us-east-1:1:parameter/app/db-host"
        ));
        assert!(!secret_parameter(
            "arn:aws:secretsmanager:us-east-1:1:secret:token-*"
        ));
    }

    #[test]
    fn scheduled_keys() {
        let mut u = Usage {
            calls: 10,
            days: (0..5).collect(),
            ..Usage::default()
        };
        u.hours[3] = 9;
        u.hours[15] = 1;
        assert_eq!(schedule(&u), Some(vec![3, 15]));
        u.hours[3] = 4;
        u.hours[9] = 3;
        u.hours[15] = 3;
        assert_eq!(schedule(&u), None, "70 % in two hours");
        u.hours = [0; 24];
        u.hours[3] = 10;
        u.days = (0..4).collect();
        assert_eq!(schedule(&u), None, "four days");
    }

    #[test]
    fn ci_keys_by_agent_or_hosts() {
        let mut p = PrincipalUse::default();
        let mut u = Usage::default();
        u.agents
            .insert("APN/1.0 HashiCorp/1.0 Terraform/1.9.4".into());
        p.keys.insert("AKIAX".into(), u);
        let arn = "arn:aws:iam::1:user/ci".to_owned();
        let found = ci_keys(&[(&arn, &p)]);
        assert_eq!(found.len(), 1);
        assert!(found[0].reason.contains("Terraform"), "{}", found[0].reason);
        p.keys.get_mut("AKIAX").unwrap().agents.clear();
        assert!(ci_keys(&[(&arn, &p)]).is_empty());
        for h in ["1.1.1.1", "2.2.2.2", "3.3.3.3"] {
            p.keys.get_mut("AKIAX").unwrap().hosts.insert(h.into());
        }
        assert!(ci_keys(&[(&arn, &p)])[0].reason.contains("3 addresses"));
    }

    #[test]
    fn unused_principals_and_created_identities_are_removed() {
        let mut p = PrincipalUse::default();
        p.usage.calls = 1;
        p.usage.last_ms = 0;
        let arn = "arn:aws:iam::1:user/old".to_owned();
        let mut x = Exclusion::none();
        x.created.push(crate::exclude::CreatedIdentity {
            kind: "user",
            name: "evil".into(),
            created: "2024-01-01T00:00:00Z".into(),
            refs: Vec::new(),
        });
        let r = remove(&[(&arn, &p)], &x, 90, 100 * DAY_MS);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].principal.as_deref(), Some("evil"));
        assert!(r[1].reason.contains("unused for 90 days"));
        assert_eq!(
            remove(&[(&arn, &p)], &Exclusion::none(), 90, 89 * DAY_MS).len(),
            0
        );
    }
}
