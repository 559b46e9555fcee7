//! Trust policies: who a role lets in.

use serde_json::Value;

/// Principals allowed by a trust policy, and the accounts they belong to.
pub use cloudcase_model::scope::Trust;

/// Decodes `%XX` escapes (IAM returns policy documents URL-encoded in responses).
pub fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn account_of(p: &str) -> Option<String> {
    if p.len() == 12 && p.bytes().all(|c| c.is_ascii_digit()) {
        return Some(p.to_owned());
    }
    let rest = p.strip_prefix("arn:")?;
    let acct = rest.split(':').nth(3)?;
    (acct.len() == 12 && acct.bytes().all(|c| c.is_ascii_digit())).then(|| acct.to_owned())
}

/// Parses a trust policy document (JSON text, or URL-encoded JSON text) and lists what its `Allow`
/// statements let in. `None` when the text is not a JSON policy.
pub fn trust_principals(doc: &str) -> Option<Trust> {
    let text = doc.trim();
    let decoded;
    let text = if text.starts_with('%') {
        decoded = url_decode(text);
        decoded.as_str()
    } else {
        text
    };
    let v: Value = serde_json::from_str(text).ok()?;
    let statements = match v.get("Statement")? {
        Value::Array(a) => a.clone(),
        s @ Value::Object(_) => vec![s.clone()],
        _ => return None,
    };
    let mut t = Trust::default();
    for s in &statements {
        if s.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let Some(p) = s.get("Principal") else {
            continue;
        };
        let mut push = |x: &str| {
            if x == "*" {
                t.public = true;
            }
            if let Some(a) = account_of(x) {
                t.accounts.push(a);
            }
            t.principals.push(x.to_owned());
        };
        match p {
            Value::String(x) => push(x),
            Value::Object(m) => {
                for v in m.values() {
                    match v {
                        Value::String(x) => push(x),
                        Value::Array(a) => a.iter().filter_map(Value::as_str).for_each(&mut push),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    t.accounts.sort();
    t.accounts.dedup();
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_principals_and_accounts() {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}"#;
        let t = trust_principals(doc).unwrap();
        assert_eq!(t.principals, vec!["arn:aws:iam::999988887777:root"]);
        assert_eq!(t.accounts, vec!["999988887777"]);
        assert!(!t.public);
    }

    #[test]
    fn arrays_services_public_and_deny() {
        let doc = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::444455556666:user/x"],"Service":"ec2.amazonaws.com"}}}"#;
        let t = trust_principals(doc).unwrap();
        assert_eq!(t.accounts, vec!["111122223333", "444455556666"]);
        assert!(t.principals.contains(&"ec2.amazonaws.com".to_owned()));
        let t = trust_principals(r#"{"Statement":[{"Effect":"Allow","Principal":"*"},{"Effect":"Deny","Principal":{"AWS":"222233334444"}}]}"#).unwrap();
        assert!(t.public);
        assert!(t.accounts.is_empty());
        assert!(trust_principals("not json").is_none());
    }

    #[test]
    fn url_encoded_documents() {
        let doc = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22arn%3Aaws%3Aiam%3A%3A123456789012%3Aroot%22%7D%7D%5D%7D";
        assert_eq!(
            trust_principals(doc).unwrap().accounts,
            vec!["123456789012"]
        );
    }
}
