//! POSIX shell quoting and a small AWS CLI command builder.
//!
//! Every value that reaches a command goes through [`quote`]: it is left bare only when it consists
//! of characters that no shell treats specially, and otherwise single-quoted with `'` written as
//! `'\''`. Inside single quotes nothing is special, so `$(…)`, backquotes, `;` and `#` stay text.
//! Newlines and other control characters are rejected before planning (see
//! [`crate::ContainError::UnsafeValue`]), because a newline would end a `#` comment line of the
//! script and turn the rest into a command.

/// Quotes `s` as one word for a POSIX shell.
pub fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@,+%".contains(&b));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Maps `s` to a file-name fragment: characters outside `A-Z a-z 0-9 . _ -` become `_`, and a
/// leading `.` too, so that a name cannot climb directories or hide a file.
pub fn file_fragment(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with('.') || out.is_empty() {
        out.insert(0, '_');
    }
    out
}

/// Builds one command line word by word.
#[derive(Debug, Clone)]
pub(crate) struct Cmd(String);

impl Cmd {
    /// `aws <service> <operation>`.
    pub(crate) fn aws(service: &str, operation: &str) -> Self {
        Cmd(format!("aws {service} {operation}"))
    }

    /// ` <flag> <quoted value>`.
    pub(crate) fn arg(mut self, flag: &str, value: &str) -> Self {
        self.0.push(' ');
        self.0.push_str(flag);
        self.0.push(' ');
        self.0.push_str(&quote(value));
        self
    }

    /// ` <flag> <quoted v1> <quoted v2> …`.
    pub(crate) fn args<S: AsRef<str>>(mut self, flag: &str, values: &[S]) -> Self {
        self.0.push(' ');
        self.0.push_str(flag);
        for v in values {
            self.0.push(' ');
            self.0.push_str(&quote(v.as_ref()));
        }
        self
    }

    /// A flag without a value.
    pub(crate) fn flag(mut self, flag: &str) -> Self {
        self.0.push(' ');
        self.0.push_str(flag);
        self
    }

    /// Shell text written by the planner itself (redirections, variables), never input data.
    pub(crate) fn raw(mut self, text: &str) -> Self {
        self.0.push(' ');
        self.0.push_str(text);
        self
    }

    /// The command line.
    pub(crate) fn done(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_stay_bare() {
        assert_eq!(quote("us-east-1"), "us-east-1");
        assert_eq!(
            quote("arn:aws:iam::123456789012:user/x"),
            "arn:aws:iam::123456789012:user/x"
        );
    }

    #[test]
    fn special_words_are_single_quoted() {
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("$(reboot)"), "'$(reboot)'");
        assert_eq!(quote("x'; rm -rf / #"), r"'x'\''; rm -rf / #'");
        assert_eq!(quote("`id`"), "'`id`'");
    }

    #[test]
    fn file_fragments_cannot_climb() {
        assert_eq!(file_fragment("../../etc/passwd"), "_.._.._etc_passwd");
        assert_eq!(file_fragment(".hidden"), "_.hidden");
        assert_eq!(file_fragment(""), "_");
        assert_eq!(file_fragment("x'; rm -rf / #"), "x___rm_-rf____");
    }
}
