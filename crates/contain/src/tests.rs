use super::*;

const INJECT_1: &str = "x'; rm -rf / #";
const INJECT_2: &str = "$(reboot)";

fn user(name: &str, origin: UserOrigin, keys: &[(&str, KeyStatus)], login: bool) -> User {
    User {
        name: name.into(),
        origin,
        access_keys: keys
            .iter()
            .map(|(id, status)| AccessKey {
                id: (*id).into(),
                status: *status,
            })
            .collect(),
        has_login_profile: login,
        admin_policies: vec!["arn:aws:iam::aws:policy/AdministratorAccess".into()],
    }
}

fn fixture() -> Findings {
    Findings {
        case_id: "case-2024-05".into(),
        account_id: "123456789012".into(),
        now_ms: 1_714_564_800_000,
        users: vec![
            user(
                "alice",
                UserOrigin::Compromised,
                &[
                    ("AKIAALICEACTIVE00001", KeyStatus::Active),
                    ("AKIAALICEOLD00000002", KeyStatus::Inactive),
                ],
                true,
            ),
            user(
                INJECT_1,
                UserOrigin::AttackerCreated,
                &[("AKIAATTACKER00000003", KeyStatus::Active)],
                true,
            ),
            user(INJECT_2, UserOrigin::AttackerCreated, &[], false),
        ],
        roles: vec![
            Role {
                name: "backdoor".into(),
                origin: RoleOrigin::AttackerCreated,
                trust_principals: vec!["arn:aws:iam::999999999999:root".into()],
                original_trust_policy: None,
            },
            Role {
                name: "deploy".into(),
                origin: RoleOrigin::Backdoored,
                trust_principals: vec![
                    "ec2.amazonaws.com".into(),
                    "arn:aws:iam::999999999999:root".into(),
                ],
                original_trust_policy: Some(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#.into(),
                ),
            },
        ],
        role_sessions: vec![
            RoleSession {
                role_name: "app-role".into(),
                session_name: "i-0aaa".into(),
            },
            RoleSession {
                role_name: "backdoor".into(),
                session_name: INJECT_2.into(),
            },
        ],
        instances: vec![
            Instance {
                id: "i-0miner".into(),
                region: "ap-south-1".into(),
                vpc_id: Some("vpc-0abc".into()),
                origin: InstanceOrigin::AttackerLaunched,
                security_groups: vec!["sg-0open".into()],
                volumes: vec!["vol-01".into(), "vol-02".into()],
            },
            Instance {
                id: "i-0web".into(),
                region: "us-east-1".into(),
                vpc_id: None,
                origin: InstanceOrigin::Compromised,
                security_groups: vec!["sg-0web".into(), "sg-0ssh".into()],
                volumes: vec![],
            },
        ],
        security_groups: vec![SecurityGroup {
            id: "sg-0open".into(),
            region: "ap-south-1".into(),
            rules: vec![
                IngressRule {
                    protocol: "tcp".into(),
                    from_port: Some(22),
                    to_port: Some(22),
                    cidr: "0.0.0.0/0".into(),
                },
                IngressRule {
                    protocol: "-1".into(),
                    from_port: None,
                    to_port: None,
                    cidr: "::/0".into(),
                },
            ],
        }],
        key_pairs: vec![KeyPair {
            name: INJECT_1.into(),
            region: "ap-south-1".into(),
        }],
        shared_images: vec![
            SharedImage {
                kind: ImageKind::Snapshot,
                id: "snap-0db".into(),
                region: "us-east-1".into(),
                shared_with: vec!["999999999999".into(), "all".into()],
            },
            SharedImage {
                kind: ImageKind::Ami,
                id: "ami-0gold".into(),
                region: "us-east-1".into(),
                shared_with: vec!["999999999999".into()],
            },
        ],
        lambda_functions: vec![LambdaFunction {
            name: "miner-scheduler".into(),
            region: "eu-west-1".into(),
        }],
    }
}

fn plan() -> Plan {
    build_plan(&fixture()).expect("fixture plans")
}

/// Splits one shell line into words the way a POSIX shell would quote them, and reports for each
/// byte whether it was inside single quotes. Only what the planner emits is supported.
fn scan(line: &str) -> (Vec<String>, Vec<bool>) {
    #[derive(PartialEq)]
    enum S {
        Normal,
        Single,
        Double,
    }
    let mut state = S::Normal;
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut single = vec![false; line.len()];
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match state {
            S::Single => {
                if c == '\'' {
                    state = S::Normal;
                } else {
                    single[i..i + c.len_utf8()].fill(true);
                    cur.push(c);
                }
            }
            S::Double => match c {
                '"' => state = S::Normal,
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        cur.push(n);
                    }
                }
                _ => cur.push(c),
            },
            S::Normal => match c {
                '\'' => {
                    state = S::Single;
                    in_word = true;
                }
                '"' => {
                    state = S::Double;
                    in_word = true;
                }
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        cur.push(n);
                        in_word = true;
                    }
                }
                c if c.is_whitespace() => {
                    if in_word {
                        words.push(std::mem::take(&mut cur));
                        in_word = false;
                    }
                }
                _ => {
                    cur.push(c);
                    in_word = true;
                }
            },
        }
    }
    assert!(state == S::Normal, "unterminated quote in {line}");
    if in_word {
        words.push(cur);
    }
    (words, single)
}

fn all_command_lines(p: &Plan) -> Vec<&String> {
    p.steps
        .iter()
        .flat_map(|s| s.commands.iter().chain(s.rollback.iter()))
        .collect()
}

#[test]
fn steps_are_numbered_and_ordered_by_phase() {
    let p = plan();
    assert!(!p.steps.is_empty());
    for (i, s) in p.steps.iter().enumerate() {
        assert_eq!(s.order as usize, i + 1);
    }
    for w in p.steps.windows(2) {
        assert!(w[0].phase <= w[1].phase, "{:?} before {:?}", w[0], w[1]);
    }
    let phases: Vec<Phase> = p.steps.iter().map(|s| s.phase).collect();
    for ph in [
        Phase::Preserve,
        Phase::Contain,
        Phase::Revoke,
        Phase::Isolate,
        Phase::Eradicate,
    ] {
        assert!(phases.contains(&ph), "{ph:?} missing");
    }
}

#[test]
fn no_eradicate_step_before_preserve_and_contain_of_its_target() {
    let p = plan();
    let eradicate: Vec<&Step> = p
        .steps
        .iter()
        .filter(|s| s.phase == Phase::Eradicate)
        .collect();
    assert_eq!(
        eradicate.len(),
        6,
        "instance, key pair, lambda, role, 2 users"
    );
    for e in eradicate {
        assert!(e.destroys_evidence && !e.reversible);
        let same: Vec<&Step> = p
            .steps
            .iter()
            .filter(|s| s.target == e.target && s.phase != Phase::Eradicate)
            .collect();
        assert!(
            same.iter().any(|s| s.phase == Phase::Preserve),
            "no preserve for {}",
            e.target
        );
        for s in same {
            assert!(
                s.order < e.order,
                "{} step {} after eradicate",
                e.target,
                s.order
            );
        }
    }
    // Identities are contained before they are deleted.
    for t in ["iam-user:$(reboot)", "iam-role:backdoor"] {
        let contain = p
            .steps
            .iter()
            .find(|s| s.target == t && s.phase == Phase::Contain)
            .unwrap();
        let erase = p
            .steps
            .iter()
            .find(|s| s.target == t && s.phase == Phase::Eradicate)
            .unwrap();
        assert!(contain.order < erase.order);
    }
}

#[test]
fn destructive_commands_are_commented_out_in_the_script() {
    let p = plan();
    let script = shell_script(&p);
    let lines: Vec<&str> = script.lines().collect();
    assert!(lines.contains(&"set -euo pipefail"));
    assert!(script.contains("REVIEW EVERY STEP BEFORE RUNNING"));
    for s in &p.steps {
        for c in &s.commands {
            if s.is_destructive() {
                assert!(!lines.contains(&c.as_str()), "live destructive line: {c}");
                assert!(lines.contains(&format!("# {c}").as_str()));
            } else {
                assert!(lines.contains(&c.as_str()), "missing live line: {c}");
            }
        }
    }
    for verb in [
        "terminate-instances",
        "stop-instances",
        "delete-key-pair",
        "delete-function",
        "delete-role ",
        "delete-user ",
        "delete-access-key",
    ] {
        for l in lines.iter().filter(|l| l.contains(verb)) {
            assert!(l.starts_with('#'), "{verb} live: {l}");
        }
    }
    // Never deleted, only deactivated; a compromised user's password is reset, not deleted.
    let live: Vec<&&str> = lines.iter().filter(|l| !l.starts_with('#')).collect();
    assert!(live.iter().any(|l| l.contains("update-access-key")
        && l.contains("AKIAALICEACTIVE00001")
        && l.contains("--status Inactive")));
    assert!(!live.iter().any(|l| l.contains("AKIAALICEOLD00000002")));
    assert!(live
        .iter()
        .any(|l| l.contains("update-login-profile") && l.contains("--user-name alice")));
    assert!(!script
        .lines()
        .any(|l| l.contains("delete-login-profile --user-name alice")));
    // The compromised instance is isolated, never stopped or terminated.
    assert!(!script.lines().any(|l| (l.contains("stop-instances")
        || l.contains("terminate-instances"))
        && l.contains("i-0web")));
}

#[test]
fn every_command_names_its_region() {
    for c in all_command_lines(&plan()) {
        let (words, _) = scan(c);
        for (i, w) in words.iter().enumerate() {
            if w == "aws" && words.get(i + 1).map(String::as_str) != Some("sts") {
                assert!(
                    words[i..].iter().any(|w| w == "--region"),
                    "no --region: {c}"
                );
            }
        }
    }
}

#[test]
fn injection_text_is_only_inside_single_quotes() {
    let p = plan();
    let script = shell_script(&p);
    // Every line the shell executes, and every command and rollback (commented out or not).
    let mut lines: Vec<&str> = script.lines().filter(|l| !l.starts_with('#')).collect();
    lines.extend(all_command_lines(&p).into_iter().map(String::as_str));
    let mut seen = 0;
    for l in lines {
        let (_, single) = scan(l);
        for needle in ["rm -rf", "$(reboot)"] {
            for (at, _) in l.match_indices(needle) {
                seen += 1;
                assert!(
                    single[at..at + needle.len()].iter().all(|&b| b),
                    "unquoted {needle:?} in {l}"
                );
            }
        }
    }
    assert!(seen > 10, "the payloads reach the commands ({seen})");
    // Descriptive text is on comment lines only: no payload starts a line.
    for l in script.lines() {
        assert!(!l.starts_with("rm") && !l.starts_with("$("));
    }
}

#[test]
fn script_is_valid_bash() {
    let script = shell_script(&plan());
    let Ok(mut child) = std::process::Command::new("bash")
        .arg("-n")
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        eprintln!("SKIPPED: bash not found");
        return;
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the script against a stub `aws` that records its arguments: payloads that would create
/// files if they were ever evaluated must arrive as plain arguments and create nothing.
#[test]
fn script_runs_with_payload_names_inert() {
    if std::process::Command::new("bash")
        .arg("-c")
        .arg("command -v base64")
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        eprintln!("SKIPPED: bash or base64 not found");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let stub = bin.join("aws");
    std::fs::write(
        &stub,
        "#!/usr/bin/env bash\n\
         for a in \"$@\"; do printf '%s\\n' \"$a\" >> \"$AWS_LOG\"; done\n\
         case \"$1 $2\" in\n\
         'sts get-caller-identity') echo 123456789012;;\n\
         'iam generate-credential-report') echo COMPLETE;;\n\
         'iam get-credential-report') echo dXNlcgo=;;\n\
         'ec2 create-security-group') echo sg-0quarantine;;\n\
         *) echo '{}';;\n\
         esac\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let payloads = [
        "$(touch PWNED1)",
        "x'; touch PWNED2 #",
        "`touch PWNED3`",
        "a\"; touch PWNED4; \"",
    ];
    let mut f = Findings {
        case_id: "exec".into(),
        account_id: "123456789012".into(),
        now_ms: 1_714_564_800_000,
        ..Findings::default()
    };
    for p in payloads {
        f.users.push(user(
            p,
            UserOrigin::AttackerCreated,
            &[("AKIAX", KeyStatus::Active)],
            true,
        ));
        f.roles.push(Role {
            name: p.into(),
            origin: RoleOrigin::AttackerCreated,
            trust_principals: vec![p.into()],
            original_trust_policy: None,
        });
        f.key_pairs.push(KeyPair {
            name: p.into(),
            region: "us-east-1".into(),
        });
    }
    f.instances.push(Instance {
        id: "i-1".into(),
        region: "us-east-1".into(),
        vpc_id: Some("vpc-1".into()),
        origin: InstanceOrigin::AttackerLaunched,
        security_groups: vec!["sg-1".into()],
        volumes: vec!["vol-1".into()],
    });
    let script = shell_script(&build_plan(&f).unwrap());
    let path = dir.path().join("plan.sh");
    std::fs::write(&path, &script).unwrap();
    let log = dir.path().join("aws.log");
    let out = std::process::Command::new("bash")
        .arg(&path)
        .current_dir(dir.path())
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("AWS_LOG", &log)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for n in 1..=4 {
        assert!(
            !dir.path().join(format!("PWNED{n}")).exists(),
            "payload {n} ran"
        );
    }
    let logged = std::fs::read_to_string(&log).unwrap();
    let args: Vec<&str> = logged.lines().collect();
    for p in payloads {
        assert!(args.contains(&p), "{p} did not arrive as one argument");
    }
    assert!(dir
        .path()
        .join("cloudcase-evidence-exec/iam-credential-report.csv")
        .exists());
}

#[test]
fn policy_and_json_arguments_parse() {
    let p = plan();
    let mut policies = 0;
    for c in all_command_lines(&p) {
        let (words, _) = scan(c);
        for w in words.windows(2) {
            if [
                "--policy-document",
                "--ip-permissions",
                "--tag-specifications",
                "--launch-permission",
            ]
            .contains(&w[0].as_str())
                && !w[1].starts_with("file://")
            {
                let v: serde_json::Value =
                    serde_json::from_str(&w[1]).unwrap_or_else(|e| panic!("{e}: {} in {c}", w[1]));
                if w[0] == "--policy-document" {
                    policies += 1;
                    assert_eq!(v["Version"], "2012-10-17");
                }
            }
        }
    }
    assert!(policies >= 10, "{policies}");
    // The backdoored role's rollback is its original trust policy; the attacker's role uses the saved copy.
    let trust_rollback = |role: &str| {
        p.steps
            .iter()
            .find(|s| {
                s.target == format!("iam-role:{role}")
                    && s.commands[0].contains("update-assume-role-policy")
            })
            .unwrap()
            .rollback[0]
            .clone()
    };
    assert!(trust_rollback("deploy").contains("ec2.amazonaws.com"));
    assert!(trust_rollback("backdoor")
        .contains("file://$EVIDENCE_DIR/iam-role-0-backdoor.trust-policy.json"));
    // The saved copy is JSON whatever output format the CLI is configured with.
    assert!(p.steps.iter().any(|s| s.phase == Phase::Preserve
        && s.commands.iter().any(|c| c.contains(
            "Role.AssumeRolePolicyDocument --output json > \"$EVIDENCE_DIR/iam-role-0-backdoor.trust-policy.json\""
        ))));
}

#[test]
fn token_issue_time_is_rfc3339_utc_rounded_up() {
    assert_eq!(
        token_issue_time(1_714_564_800_000).unwrap(),
        "2024-05-01T12:00:00Z"
    );
    assert_eq!(
        token_issue_time(1_714_564_800_001).unwrap(),
        "2024-05-01T12:00:01Z"
    );
    assert!(token_issue_time(i64::MAX).is_err());
    let p = plan();
    assert_eq!(p.token_issued_before, "2024-05-01T12:00:00Z");
    let revoke = p
        .steps
        .iter()
        .find(|s| s.phase == Phase::Revoke && s.target == "iam-role:app-role")
        .expect("session-only role revoked");
    let (words, _) = scan(&revoke.commands[0]);
    let i = words.iter().position(|w| w == "--policy-document").unwrap();
    let v: serde_json::Value = serde_json::from_str(&words[i + 1]).unwrap();
    assert_eq!(
        v["Statement"][0]["Condition"]["DateLessThan"]["aws:TokenIssueTime"],
        "2024-05-01T12:00:00Z"
    );
    // A role known only from a session is not quarantined with deny-all.
    assert!(!p
        .steps
        .iter()
        .any(|s| s.target == "iam-role:app-role" && s.phase == Phase::Contain));
}

#[test]
fn unsafe_input_is_rejected() {
    let mut f = fixture();
    f.users[0].name = "a\nrm -rf /".into();
    assert!(matches!(
        build_plan(&f),
        Err(ContainError::UnsafeValue { .. })
    ));
    let mut f = fixture();
    f.key_pairs[0].name = "k\r".into();
    assert!(matches!(
        build_plan(&f),
        Err(ContainError::UnsafeValue { .. })
    ));
    let mut f = fixture();
    f.case_id = "a b".into();
    assert!(matches!(
        build_plan(&f),
        Err(ContainError::InvalidCaseId(_))
    ));
    let mut f = fixture();
    f.account_id = "12345".into();
    assert!(matches!(
        build_plan(&f),
        Err(ContainError::InvalidAccountId(_))
    ));
    let mut f = fixture();
    f.roles[1].original_trust_policy = Some("{not json".into());
    assert!(matches!(
        build_plan(&f),
        Err(ContainError::InvalidPolicyDocument { .. })
    ));
}

#[test]
fn plan_serializes_and_findings_deserialize() {
    let v = serde_json::to_value(plan()).unwrap();
    assert_eq!(v["steps"][0]["phase"], "preserve");
    assert_eq!(v["steps"][0]["order"], 1);
    assert!(v["residual_risks"].as_array().unwrap().len() >= 8);
    let f: Findings = serde_json::from_str(
        r#"{"case_id":"c1","account_id":"123456789012","now_ms":0,
            "users":[{"name":"u","origin":"attacker_created","access_keys":[{"id":"AKIA1","status":"active"}]}]}"#,
    )
    .unwrap();
    let p = build_plan(&f).unwrap();
    assert_eq!(p.token_issued_before, "1970-01-01T00:00:00Z");
    assert!(serde_json::to_string_pretty(&p)
        .unwrap()
        .contains("cloudcase-quarantine-c1"));
}

#[test]
fn residual_risks_name_what_deny_all_leaves() {
    let p = plan();
    let all = p.residual_risks.join("\n");
    for needle in [
        "aws:TokenIssueTime",
        "instance profiles",
        "presigned",
        "root user",
        "SSO",
        "AWSCompromisedKeyQuarantineV3",
        "999999999999",
    ] {
        assert!(all.contains(needle), "{needle} missing");
    }
}
