//! Input validation: findings are attacker-influenced, so every value is checked before planning.

use crate::ContainError;
use cloudcase_model::contain::Findings;

/// Rejects an empty value or one with a control character (a newline would end a comment line
/// of the script).
fn check(field: &str, value: &str) -> Result<(), ContainError> {
    if value.is_empty() || value.chars().any(char::is_control) {
        return Err(ContainError::UnsafeValue {
            field: field.to_string(),
            value: format!("{value:?}"),
        });
    }
    Ok(())
}

/// Checks every value of the findings before anything is built from them: the case id (it
/// becomes part of names), the account id, every name and id ([`check`]) and every original trust
/// policy (it becomes a rollback command).
pub(super) fn validate(f: &Findings) -> Result<(), ContainError> {
    let case_ok = (1..=64).contains(&f.case_id.len())
        && f.case_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !case_ok {
        return Err(ContainError::InvalidCaseId(format!("{:?}", f.case_id)));
    }
    if f.account_id.len() != 12 || !f.account_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ContainError::InvalidAccountId(format!(
            "{:?}",
            f.account_id
        )));
    }
    for u in &f.users {
        check("users[].name", &u.name)?;
        for k in &u.access_keys {
            check("users[].access_keys[].id", &k.id)?;
        }
        for p in &u.admin_policies {
            check("users[].admin_policies[]", p)?;
        }
    }
    for r in &f.roles {
        check("roles[].name", &r.name)?;
        for p in &r.trust_principals {
            check("roles[].trust_principals[]", p)?;
        }
        if let Some(doc) = &r.original_trust_policy {
            serde_json::from_str::<serde_json::Value>(doc).map_err(|source| {
                ContainError::InvalidPolicyDocument {
                    role: r.name.clone(),
                    source,
                }
            })?;
        }
    }
    for s in &f.role_sessions {
        check("role_sessions[].role_name", &s.role_name)?;
        check("role_sessions[].session_name", &s.session_name)?;
    }
    for i in &f.instances {
        check("instances[].id", &i.id)?;
        check("instances[].region", &i.region)?;
        if let Some(v) = &i.vpc_id {
            check("instances[].vpc_id", v)?;
        }
        for g in &i.security_groups {
            check("instances[].security_groups[]", g)?;
        }
        for v in &i.volumes {
            check("instances[].volumes[]", v)?;
        }
    }
    for g in &f.security_groups {
        check("security_groups[].id", &g.id)?;
        check("security_groups[].region", &g.region)?;
        for r in &g.rules {
            check("security_groups[].rules[].protocol", &r.protocol)?;
            check("security_groups[].rules[].cidr", &r.cidr)?;
        }
    }
    for k in &f.key_pairs {
        check("key_pairs[].name", &k.name)?;
        check("key_pairs[].region", &k.region)?;
    }
    for s in &f.shared_images {
        check("shared_images[].id", &s.id)?;
        check("shared_images[].region", &s.region)?;
        for a in &s.shared_with {
            check("shared_images[].shared_with[]", a)?;
        }
    }
    for l in &f.lambda_functions {
        check("lambda_functions[].name", &l.name)?;
        check("lambda_functions[].region", &l.region)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::{findings, instance, rich};
    use cloudcase_model::contain::InstanceOrigin;

    /// The field an [`ContainError::UnsafeValue`] names.
    fn unsafe_field(f: &Findings) -> String {
        match validate(f) {
            Err(ContainError::UnsafeValue { field, .. }) => field,
            other => panic!("expected UnsafeValue, got {other:?}"),
        }
    }

    #[test]
    fn rich_findings_are_valid() {
        validate(&rich()).unwrap();
    }

    #[test]
    fn the_error_names_the_offending_field() {
        let mut f = findings();
        let mut i = instance(
            "i-1",
            "eu-west-1",
            Some("vpc-1\n"),
            InstanceOrigin::Compromised,
        );
        f.instances = vec![i.clone()];
        assert_eq!(unsafe_field(&f), "instances[].vpc_id");
        i.vpc_id = None;
        i.volumes = vec!["".into()];
        f.instances = vec![i];
        assert_eq!(unsafe_field(&f), "instances[].volumes[]");
        let mut f = rich();
        f.shared_images[0].shared_with.push("a\u{7}".into());
        assert_eq!(unsafe_field(&f), "shared_images[].shared_with[]");
    }

    #[test]
    fn case_and_account_ids_have_a_fixed_shape() {
        for (case, ok) in [("a", true), ("A.b_c-9", true), ("", false), ("a/b", false)] {
            let mut f = findings();
            f.case_id = case.into();
            assert_eq!(validate(&f).is_ok(), ok, "{case:?}");
        }
        let mut f = findings();
        f.case_id = "x".repeat(65);
        assert!(matches!(validate(&f), Err(ContainError::InvalidCaseId(_))));
        f.case_id = "x".repeat(64);
        f.account_id = "12345678901a".into();
        assert!(matches!(
            validate(&f),
            Err(ContainError::InvalidAccountId(_))
        ));
    }
}
