//! Whose lead a finding belongs to: one person or credential, or, for unauthenticated
//! activity, one source address.

use cloudcase_model::LeadKind;

use crate::finding::FindingView;

/// Names CloudTrail records where no principal is known (a console sign-in of an
/// unknown user, an anonymous request).
const UNAUTHENTICATED_NAMES: &[&str] = &["HIDDEN_DUE_TO_SECURITY_REASONS", "ANONYMOUS_PRINCIPAL"];

/// A `userIdentity.type` and the lead kind its findings group under.
struct TypeKind {
    principal_type: &'static str,
    kind: LeadKind,
}

/// Identity types with a kind of their own; any other type is a named [`LeadKind::Principal`].
const TYPE_KINDS: &[TypeKind] = &[
    TypeKind {
        principal_type: "IAMUser",
        kind: LeadKind::User,
    },
    TypeKind {
        principal_type: "Root",
        kind: LeadKind::Root,
    },
    TypeKind {
        principal_type: "AssumedRole",
        kind: LeadKind::RoleSession,
    },
    TypeKind {
        principal_type: "AWSService",
        kind: LeadKind::Service,
    },
];

/// The identity a lead gathers: its kind, its name (for [`LeadKind::Address`], the source
/// address) and the account of its calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Who {
    /// What is grouped.
    pub kind: LeadKind,
    /// User name, `ROLE/SESSION`, `root`, service or principal name, or source address.
    pub name: String,
    /// The account of the calls (none for unauthenticated addresses).
    pub account: Option<String>,
}

impl Who {
    /// The principal as a lead shows it.
    pub fn principal(&self) -> &str {
        match self.kind {
            LeadKind::Address => "unauthenticated",
            _ => &self.name,
        }
    }
}

/// The kind of a named principal without a recorded type, from the shape of its name.
fn kind_by_name(name: &str) -> LeadKind {
    if name.ends_with(".amazonaws.com") || name == "AWS Internal" {
        LeadKind::Service
    } else if name.starts_with("arn:") && name.ends_with(":root") {
        LeadKind::Root
    } else if !name.starts_with("arn:") && name.contains('/') {
        LeadKind::RoleSession
    } else {
        LeadKind::Principal
    }
}

/// Whose lead `f` belongs to.
///
/// An IAM user's long-term keys, console sessions and session tokens all carry its user
/// name, so they are one lead; a role session is its `ROLE/SESSION`; root is `root` of its
/// account. A finding without a principal or access key is unauthenticated and belongs to
/// its source address.
pub(crate) fn who(f: &FindingView<'_>) -> Who {
    let key = f.access_key.filter(|k| !k.is_empty());
    let name = f
        .principal
        .map(str::trim)
        .filter(|p| !p.is_empty() && !UNAUTHENTICATED_NAMES.contains(p));
    let account = f.account.filter(|a| !a.is_empty()).map(str::to_owned);
    let Some(name) = name.or(key) else {
        return Who {
            kind: LeadKind::Address,
            name: f.source_ip.unwrap_or("-").to_owned(),
            account: None,
        };
    };
    let kind = f
        .principal_type
        .and_then(|t| TYPE_KINDS.iter().find(|k| k.principal_type == t))
        .map_or_else(|| kind_by_name(name), |k| k.kind);
    let name = match kind {
        LeadKind::Root => "root".to_owned(),
        _ => name.to_owned(),
    };
    Who {
        kind,
        name,
        account,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::testing::{source, view};

    #[test]
    fn keys_and_sessions_of_a_user_are_the_user() {
        let file = source();
        let mut f = view(&file);
        let long_term = who(&f);
        f.access_key = Some("ASIACONSOLESESSION");
        assert_eq!(who(&f), long_term);
        assert_eq!(
            (long_term.kind, long_term.principal()),
            (LeadKind::User, "alice")
        );
    }

    #[test]
    fn root_role_sessions_and_services_have_kinds_of_their_own() {
        let file = source();
        let mut f = view(&file);
        f.principal_type = Some("Root");
        f.principal = Some("arn:aws:iam::123456789012:root");
        assert_eq!(who(&f).principal(), "root");
        f.principal_type = Some("AssumedRole");
        f.principal = Some("ec2-app/i-0abc");
        assert_eq!(who(&f).kind, LeadKind::RoleSession);
        f.principal_type = None;
        assert_eq!(who(&f).kind, LeadKind::RoleSession);
        f.principal = Some("arn:aws:iam::123456789012:root");
        assert_eq!(who(&f).kind, LeadKind::Root);
        f.principal = Some("cloudformation.amazonaws.com");
        assert_eq!(who(&f).kind, LeadKind::Service);
    }

    #[test]
    fn unauthenticated_activity_is_its_source_address() {
        let file = source();
        let mut f = view(&file);
        f.principal = Some("HIDDEN_DUE_TO_SECURITY_REASONS");
        f.access_key = Some("");
        let w = who(&f);
        assert_eq!(
            (w.kind, w.name.as_str(), w.principal()),
            (LeadKind::Address, "198.51.100.7", "unauthenticated")
        );
        f.principal = Some("");
        f.access_key = None;
        assert_eq!(who(&f), w);
    }
}
