//! The shipped IAM policy allows every call the code makes: the code is scanned
//! for SDK operation calls, each must be in the actions table, and each table
//! permission must be in `policy/cloudcase-readonly-policy.json`.

use std::collections::BTreeSet;
use std::path::Path;

use cloudcase_aws::actions::ACTIONS;

/// Prefixes of the SDK's fluent operation methods the tool may call.
const OPERATION_PREFIXES: &[&str] = &[
    "list_",
    "get_",
    "describe_",
    "lookup_",
    "generate_",
    "put_",
    "head_",
    "create_",
];

/// Methods with an operation's prefix that are not operations (field getters).
const NOT_OPERATIONS: &[&str] = &[
    "get_requests",
    "create_date",
    "create_time",
    "create_volume_permissions",
];

fn normalise(name: &str) -> String {
    name.replace('_', "").to_ascii_lowercase()
}

/// `.operation_name()` calls (no arguments: the SDK's fluent builders) in the crate's code.
fn called_operations(dir: &Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("read src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            called_operations(&path, found);
            continue;
        }
        let code = std::fs::read_to_string(&path).expect("read source");
        for (i, _) in code.match_indices("()") {
            let before = &code[..i];
            let start = before
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |p| p + 1);
            let name = &before[start..];
            if before[..start].ends_with('.')
                && OPERATION_PREFIXES.iter().any(|p| name.starts_with(p))
                && !NOT_OPERATIONS.contains(&name)
            {
                found.insert(name.to_owned());
            }
        }
    }
}

#[test]
fn every_called_operation_is_in_the_actions_table() {
    let mut called = BTreeSet::new();
    called_operations(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut called,
    );
    assert!(
        called.contains("get_object") && called.contains("list_users"),
        "{called:?}"
    );
    let table: BTreeSet<String> = ACTIONS.iter().map(|(op, _)| normalise(op)).collect();
    let missing: Vec<&String> = called
        .iter()
        .filter(|c| !table.contains(&normalise(c)))
        .collect();
    assert!(
        missing.is_empty(),
        "operations called but missing from actions::ACTIONS: {missing:?}"
    );
}

#[test]
fn the_shipped_policy_allows_every_permission_in_the_table() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policy/cloudcase-readonly-policy.json");
    let policy: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read policy"))
            .expect("policy is JSON");
    let allowed: BTreeSet<&str> = policy["Statement"]
        .as_array()
        .expect("Statement array")
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .flat_map(|s| s["Action"].as_array().expect("Action array"))
        .filter_map(|a| a.as_str())
        .collect();
    let missing: Vec<&str> = ACTIONS
        .iter()
        .map(|(_, p)| *p)
        .filter(|p| !allowed.contains(p))
        .collect();
    assert!(
        missing.is_empty(),
        "permissions missing from {}: {missing:?}",
        path.display()
    );
    let writes: Vec<&&str> = allowed
        .iter()
        .filter(|a| {
            !a.contains(":Get")
                && !a.contains(":List")
                && !a.contains(":Describe")
                && !a.contains(":Lookup")
        })
        .collect();
    assert_eq!(
        writes,
        [
            &"ec2:CreateSnapshot",
            &"ec2:CreateTags",
            &"iam:GenerateCredentialReport",
            &"s3:PutObject"
        ],
        "the only non-read permissions: the credential report, replication, and the optional snapshot"
    );
    // The mutating snapshot call is its own statement, which can be left out.
    for write in ["ec2:CreateSnapshot", "ec2:CreateTags"] {
        let holders: Vec<&str> = policy["Statement"]
            .as_array()
            .expect("Statement array")
            .iter()
            .filter(|s| {
                s["Action"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x == write))
            })
            .map(|s| s["Sid"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(holders.len(), 1, "{write} in one statement: {holders:?}");
        assert!(holders[0].starts_with("CloudcaseOptional"), "{holders:?}");
    }
}

#[test]
fn the_ebs_calls_are_scanned() {
    let mut called = BTreeSet::new();
    called_operations(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut called,
    );
    for op in [
        "list_snapshot_blocks",
        "get_snapshot_block",
        "create_snapshot",
        "describe_snapshots",
    ] {
        assert!(called.contains(op), "{op} not found in {called:?}");
    }
}
