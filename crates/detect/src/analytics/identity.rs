//! Whose history an event belongs to, for novelty analytics.

use std::net::IpAddr;

use cloudcase_event::Event;

/// A stable identity with a history worth comparing against: a long-term
/// access key, or a principal (IAM user, root, or a role — sessions of the
/// same role share one history).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// A long-term `AKIA…` access key.
    AccessKey(String),
    /// A principal ARN (for assumed roles, the role's ARN).
    Principal(String),
}

impl Subject {
    /// Human label: `access key AKIA…` or `principal arn:…`.
    pub fn label(&self) -> String {
        match self {
            Subject::AccessKey(k) => format!("access key {k}"),
            Subject::Principal(p) => format!("principal {p}"),
        }
    }
}

/// The source address of a call made from the internet or a VPC; `None`
/// for calls AWS services make (`ec2.amazonaws.com`, `AWS Internal`).
pub fn source_address(event: &Event) -> Option<IpAddr> {
    event.source_ip.as_deref()?.parse().ok()
}

/// The subjects an event adds history to: its long-term access key, and its
/// principal when that is a long-lived one (IAM user, root).
///
/// Role sessions are left out: CI runners, Lambda functions and shared SSO
/// roles legitimately come from ever-changing addresses, so their "new
/// network" says nothing. Calls AWS services make on a principal's behalf
/// carry no history either.
pub fn subjects(event: &Event) -> Vec<Subject> {
    let id = &event.identity;
    if id.invoked_by.is_some() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(2);
    if let Some(key) = id
        .access_key_id
        .as_deref()
        .filter(|k| k.starts_with("AKIA"))
    {
        out.push(Subject::AccessKey(key.to_owned()));
    }
    if matches!(id.kind.as_deref(), Some("IAMUser") | Some("Root")) {
        if let Some(arn) = id.arn.as_deref() {
            out.push(Subject::Principal(arn.to_owned()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{source_address, subjects, Subject};
    use crate::analytics::fixtures::{read_trail, role_call, user_call, via_service};

    const T: &str = "2024-03-01T10:00:00Z";

    #[test]
    fn a_user_with_a_long_term_key_has_the_key_and_the_user_as_history() {
        let trail = read_trail(vec![
            user_call(
                "alice",
                "AKIAIOSFODNN7EXAMPLE",
                T,
                "ListBuckets",
                "198.51.100.7",
            ),
            user_call(
                "alice",
                "ASIAIOSFODNN7EXAMPLE",
                T,
                "ListBuckets",
                "198.51.100.7",
            ),
        ]);
        let user = Subject::Principal("arn:aws:iam::111122223333:user/alice".to_owned());
        assert_eq!(
            subjects(&trail.events[0]),
            [
                Subject::AccessKey("AKIAIOSFODNN7EXAMPLE".to_owned()),
                user.clone()
            ]
        );
        // A temporary key of the same user (console or GetSessionToken) is no history of its own.
        assert_eq!(subjects(&trail.events[1]), [user]);
        assert_eq!(
            Subject::AccessKey("AKIAIOSFODNN7EXAMPLE".to_owned()).label(),
            "access key AKIAIOSFODNN7EXAMPLE"
        );
    }

    #[test]
    fn role_sessions_and_service_calls_have_no_history() {
        let trail = read_trail(vec![
            role_call("ci-deploy", "run-1", T, "ListBuckets", "198.51.100.7"),
            via_service(
                user_call(
                    "alice",
                    "AKIAIOSFODNN7EXAMPLE",
                    T,
                    "ListBuckets",
                    "198.51.100.7",
                ),
                "cloudformation.amazonaws.com",
            ),
        ]);
        assert!(subjects(&trail.events[0]).is_empty());
        assert!(subjects(&trail.events[1]).is_empty());
        assert_eq!(
            source_address(&trail.events[0])
                .map(|ip| ip.to_string())
                .as_deref(),
            Some("198.51.100.7")
        );
        assert_eq!(source_address(&trail.events[1]), None);
    }
}
