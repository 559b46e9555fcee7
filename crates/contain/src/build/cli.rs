//! Helpers for the AWS CLI lines of a plan: IAM commands, evidence files, JSON arguments.

use crate::shell::{file_fragment, Cmd};

/// IAM is global; its API is served from us-east-1 in the `aws` partition.
pub const IAM_REGION: &str = "us-east-1";

/// Redirection into the evidence directory; JSON files get `--output json` so that a CLI
/// configured for text or table output still writes JSON (the trust-policy copy is a rollback
/// input).
pub(super) fn ev(name: &str) -> String {
    if name.ends_with(".json") {
        format!("--output json > \"$EVIDENCE_DIR/{name}\"")
    } else {
        format!("> \"$EVIDENCE_DIR/{name}\"")
    }
}

/// A JSON value as one compact command-line argument (quoted later by [`Cmd::arg`]).
pub(super) fn json_arg(v: &serde_json::Value) -> String {
    serde_json::to_string(v).expect("JSON values serialize")
}

/// `aws iam <op> --region us-east-1`: IAM is global, the region names its endpoint.
pub(super) fn iam(op: &str) -> Cmd {
    Cmd::aws("iam", op).arg("--region", IAM_REGION)
}

/// An IAM read whose JSON output is saved as evidence.
#[derive(Debug)]
pub(super) struct IamExport {
    /// The read operation (`list-access-keys`).
    pub(super) operation: &'static str,
    /// What the file holds, the suffix of its name (`access-keys`).
    pub(super) what: &'static str,
}

impl IamExport {
    /// The command saving the read of identity `name` (named by `name_flag`) to
    /// `<base>.<what>.json`.
    pub(super) fn save(&self, name_flag: &str, name: &str, base: &str) -> String {
        iam(self.operation)
            .arg(name_flag, name)
            .raw(&ev(&format!("{base}.{}.json", self.what)))
            .done()
    }
}

/// Items an IAM identity owns that are listed by one operation and removed one by one by
/// another: what has to go before the identity can be deleted.
#[derive(Debug)]
pub(super) struct Owned {
    /// The list operation (`list-access-keys`).
    pub(super) list: &'static str,
    /// JMESPath query selecting the ids (`AccessKeyMetadata[].AccessKeyId`).
    pub(super) query: &'static str,
    /// The operation removing one (`delete-access-key`).
    pub(super) remove: &'static str,
    /// Its flag naming the id (`--access-key-id`).
    pub(super) id_flag: &'static str,
}

impl Owned {
    /// A shell loop over the listed ids of identity `name` (named by `name_flag`), with the loop
    /// variable `var`: `for var in $(aws iam list …); do aws iam remove … "$var"; done`.
    pub(super) fn remove_each(&self, var: &str, name_flag: &str, name: &str) -> String {
        let list = iam(self.list)
            .arg(name_flag, name)
            .arg("--query", self.query)
            .arg("--output", "text")
            .done();
        let remove = iam(self.remove)
            .arg(name_flag, name)
            .raw(&format!("{} \"${var}\"", self.id_flag))
            .done();
        format!("for {var} in $({list}); do {remove}; done")
    }
}

/// The stem of an evidence file name: `<kind>-<n>-<part>-<part>…`, each part made safe for a
/// file name; `n` (the position in the findings) keeps names that map to the same fragment apart.
pub(super) fn stem(kind: &str, n: usize, parts: &[&str]) -> String {
    let mut s = format!("{kind}-{n}");
    for p in parts {
        s.push('-');
        s.push_str(&file_fragment(p));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_evidence_is_written_as_json_whatever_the_cli_output_setting() {
        assert_eq!(ev("a.json"), "--output json > \"$EVIDENCE_DIR/a.json\"");
        assert_eq!(ev("a.txt"), "> \"$EVIDENCE_DIR/a.txt\"");
    }

    #[test]
    fn stems_are_numbered_and_safe() {
        assert_eq!(stem("ec2", 3, &["us-east-1", "i-1"]), "ec2-3-us-east-1-i-1");
        assert_eq!(stem("iam-user", 0, &["../../x y"]), "iam-user-0-_.._.._x_y");
    }

    #[test]
    fn owned_items_are_removed_one_by_one() {
        let keys = Owned {
            list: "list-access-keys",
            query: "AccessKeyMetadata[].AccessKeyId",
            remove: "delete-access-key",
            id_flag: "--access-key-id",
        };
        assert_eq!(
            keys.remove_each("x", "--user-name", "u"),
            "for x in $(aws iam list-access-keys --region us-east-1 --user-name u --query \
             'AccessKeyMetadata[].AccessKeyId' --output text); do aws iam delete-access-key \
             --region us-east-1 --user-name u --access-key-id \"$x\"; done"
        );
    }
}
