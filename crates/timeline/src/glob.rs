//! Wildcard patterns (`*` any run, `?` one character), case-insensitive.

/// A compiled wildcard pattern such as `Create*` or `Put?ucketPolicy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: Vec<char>,
}

impl Glob {
    /// Compiles `pattern`; `*` matches any run of characters, `?` one character,
    /// everything else itself, ignoring case.
    pub fn new(pattern: &str) -> Self {
        Glob {
            pattern: pattern.chars().flat_map(char::to_lowercase).collect(),
        }
    }

    /// Whether `text` matches the whole pattern. ASCII text (every event
    /// name and source) is matched in place, without allocating.
    pub fn matches(&self, text: &str) -> bool {
        if text.is_ascii() && self.pattern.iter().all(char::is_ascii) {
            let lower = |c: &u8| char::from(c.to_ascii_lowercase());
            return wildcard(&self.pattern, text.as_bytes(), |p, b| p == lower(b));
        }
        let chars: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
        wildcard(&self.pattern, &chars, |p, c| p == *c)
    }
}

/// Wildcard matching of `p` against `t` with backtracking on the last `*`;
/// `eq` compares a pattern character with a text element.
fn wildcard<T>(p: &[char], t: &[T], eq: impl Fn(char, &T) -> bool) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && eq(p[pi], &t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if let Some((star, matched)) = backtrack {
            pi = star + 1;
            ti = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::Glob;

    #[test]
    fn matches_wildcards_ignoring_case() {
        assert!(Glob::new("Create*").matches("CreateAccessKey"));
        assert!(Glob::new("create*key").matches("CreateAccessKey"));
        assert!(Glob::new("*Bucket*").matches("PutBucketPolicy"));
        assert!(Glob::new("Get?bject").matches("GetObject"));
        assert!(Glob::new("RunInstances").matches("runinstances"));
        assert!(!Glob::new("Create*").matches("DeleteUser"));
        assert!(!Glob::new("Get?bject").matches("GetObjectAcl"));
        assert!(Glob::new("*").matches(""));
        assert!(!Glob::new("a*b*c").matches("aXbY"));
    }
}
