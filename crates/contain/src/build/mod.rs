//! From findings to a plan.

use std::collections::BTreeMap;

use crate::model::{
    Findings, ImageKind, Instance, InstanceOrigin, KeyStatus, Role, RoleOrigin, UserOrigin,
};
use crate::plan::{Phase, Plan};
use crate::policy;
use crate::shell::{file_fragment, quote, Cmd};
use crate::ContainError;

mod cli;
mod step;
mod validate;

pub use cli::IAM_REGION;
use cli::{ev, iam, json_arg};
use step::{Draft, Steps};
use validate::validate;

/// AWS's managed quarantine policy, mentioned as an alternative to the inline deny-all.
pub const AWS_QUARANTINE_POLICY_ARN: &str = "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3";

/// Formats `now_ms` as RFC 3339 UTC with whole seconds, rounded up so that every session issued
/// before `now_ms` falls before it.
pub fn token_issue_time(now_ms: i64) -> Result<String, ContainError> {
    let secs = now_ms.div_euclid(1000) + i64::from(now_ms.rem_euclid(1000) > 0);
    let ts = jiff::Timestamp::from_second(secs).map_err(|_| ContainError::InvalidTime(now_ms))?;
    Ok(ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// Builds the plan. Never calls AWS.
pub fn build_plan(f: &Findings) -> Result<Plan, ContainError> {
    validate(f)?;
    let issued_before = token_issue_time(f.now_ms)?;
    let case = &f.case_id;
    let quarantine = format!("cloudcase-quarantine-{case}");
    let revoke_name = format!("cloudcase-revoke-sessions-{case}");
    let deny_all = json_arg(&policy::deny_all());
    let revoke_doc = json_arg(&policy::revoke_older_sessions(&issued_before));
    let mut st = Steps::default();

    // ---------- Preserve ----------
    st.push(Phase::Preserve, Draft {
        target: format!("account:{}", f.account_id),
        action: "Export the IAM credential report and every IAM user, role, group and policy".into(),
        why: "IAM state as it is before any change: who had which keys, passwords, MFA and policies."
            .into(),
        reversible: true,
        destroys_evidence: false,
        commands: vec![
            format!(
                "until [ \"$({})\" = COMPLETE ]; do sleep 2; done",
                iam("generate-credential-report")
                    .arg("--query", "State")
                    .arg("--output", "text")
                    .done()
            ),
            format!(
                "{} | base64 -d {}",
                iam("get-credential-report")
                    .arg("--query", "Content")
                    .arg("--output", "text")
                    .done(),
                ev("iam-credential-report.csv")
            ),
            iam("get-account-authorization-details")
                .raw(&ev("iam-account-authorization-details.json"))
                .done(),
        ],
        rollback: vec![],
    });

    for (n, u) in f.users.iter().enumerate() {
        let base = format!("iam-user-{n}-{}", file_fragment(&u.name));
        let cmds = [
            ("get-user", "user"),
            ("list-access-keys", "access-keys"),
            ("list-attached-user-policies", "attached-policies"),
            ("list-user-policies", "inline-policies"),
            ("list-groups-for-user", "groups"),
            ("list-mfa-devices", "mfa-devices"),
        ]
        .iter()
        .map(|(op, what)| {
            iam(op)
                .arg("--user-name", &u.name)
                .raw(&ev(&format!("{base}.{what}.json")))
                .done()
        })
        .collect();
        st.push(Phase::Preserve, Draft {
            target: format!("iam-user:{}", u.name),
            action: format!("Save the state of IAM user {}", quote(&u.name)),
            why: "The user's keys, policies, groups and MFA devices before containment changes them."
                .into(),
            reversible: true,
            destroys_evidence: false,
            commands: cmds,
            rollback: vec![],
        });
    }

    // Roles in findings, then roles known only from sessions (legitimate roles whose sessions were stolen).
    let mut session_only: Vec<&str> = Vec::new();
    for s in &f.role_sessions {
        if !f.roles.iter().any(|r| r.name == s.role_name)
            && !session_only.contains(&s.role_name.as_str())
        {
            session_only.push(&s.role_name);
        }
    }
    let role_names: Vec<&str> = f
        .roles
        .iter()
        .map(|r| r.name.as_str())
        .chain(session_only.iter().copied())
        .collect();
    let mut trust_file: BTreeMap<&str, String> = BTreeMap::new();
    for (n, name) in role_names.iter().enumerate() {
        let base = format!("iam-role-{n}-{}", file_fragment(name));
        let trust = format!("{base}.trust-policy.json");
        trust_file.insert(name, trust.clone());
        st.push(Phase::Preserve, Draft {
            target: format!("iam-role:{name}"),
            action: format!(
                "Save the state and trust policy of IAM role {}",
                quote(name)
            ),
            why: "The role's trust policy (the rollback of any trust change), policies and instance profiles."
                .into(),
            reversible: true,
            destroys_evidence: false,
            commands: vec![
                iam("get-role").arg("--role-name", name).raw(&ev(&format!("{base}.role.json"))).done(),
                iam("get-role")
                    .arg("--role-name", name)
                    .arg("--query", "Role.AssumeRolePolicyDocument")
                    .raw(&ev(&trust))
                    .done(),
                iam("list-role-policies").arg("--role-name", name).raw(&ev(&format!("{base}.inline-policies.json"))).done(),
                iam("list-attached-role-policies").arg("--role-name", name).raw(&ev(&format!("{base}.attached-policies.json"))).done(),
                iam("list-instance-profiles-for-role").arg("--role-name", name).raw(&ev(&format!("{base}.instance-profiles.json"))).done(),
            ],
            rollback: vec![],
        });
    }

    for (n, i) in f.instances.iter().enumerate() {
        let base = format!(
            "ec2-{n}-{}-{}",
            file_fragment(&i.region),
            file_fragment(&i.id)
        );
        let protection = format!("{base}.termination-protection.txt");
        let shutdown = format!("{base}.shutdown-behavior.txt");
        let attr = |attribute: &str, query: &str, file: &str| {
            Cmd::aws("ec2", "describe-instance-attribute")
                .arg("--region", &i.region)
                .arg("--instance-id", &i.id)
                .arg("--attribute", attribute)
                .arg("--query", query)
                .arg("--output", "text")
                .raw(&ev(file))
                .done()
        };
        let mut cmds = vec![
            Cmd::aws("ec2", "describe-instances")
                .arg("--region", &i.region)
                .arg("--instance-ids", &i.id)
                .raw(&ev(&format!("{base}.describe-instances.json")))
                .done(),
            Cmd::aws("ec2", "describe-instance-attribute")
                .arg("--region", &i.region)
                .arg("--instance-id", &i.id)
                .arg("--attribute", "userData")
                .raw(&ev(&format!("{base}.user-data.json")))
                .done(),
            attr(
                "disableApiTermination",
                "DisableApiTermination.Value",
                &protection,
            ),
            attr(
                "instanceInitiatedShutdownBehavior",
                "InstanceInitiatedShutdownBehavior.Value",
                &shutdown,
            ),
            Cmd::aws("ec2", "modify-instance-attribute")
                .arg("--region", &i.region)
                .arg("--instance-id", &i.id)
                .flag("--disable-api-termination")
                .done(),
            Cmd::aws("ec2", "modify-instance-attribute")
                .arg("--region", &i.region)
                .arg("--instance-id", &i.id)
                .arg("--instance-initiated-shutdown-behavior", "stop")
                .done(),
        ];
        let tags = |extra: &[(&str, &str)]| {
            let mut t = vec![serde_json::json!({"Key": "cloudcase:case", "Value": case})];
            t.extend(
                extra
                    .iter()
                    .map(|(k, v)| serde_json::json!({"Key": k, "Value": v})),
            );
            json_arg(&serde_json::json!([{"ResourceType": "snapshot", "Tags": t}]))
        };
        if i.volumes.is_empty() {
            cmds.push(
                Cmd::aws("ec2", "create-snapshots")
                    .arg("--region", &i.region)
                    .arg("--instance-specification", &format!("InstanceId={}", i.id))
                    .arg(
                        "--description",
                        &format!("cloudcase {case} evidence: {}", i.id),
                    )
                    .arg(
                        "--tag-specifications",
                        &tags(&[("cloudcase:instance", &i.id)]),
                    )
                    .flag("--copy-tags-from-source volume")
                    .raw(&ev(&format!("{base}.snapshots.json")))
                    .done(),
            );
        } else {
            for v in &i.volumes {
                cmds.push(
                    Cmd::aws("ec2", "create-snapshot")
                        .arg("--region", &i.region)
                        .arg("--volume-id", v)
                        .arg(
                            "--description",
                            &format!("cloudcase {case} evidence: {} {v}", i.id),
                        )
                        .arg(
                            "--tag-specifications",
                            &tags(&[("cloudcase:instance", &i.id), ("cloudcase:volume", v)]),
                        )
                        .raw(&format!(
                            "--output json >> \"$EVIDENCE_DIR/{base}.snapshots.json\""
                        ))
                        .done(),
                );
            }
        }
        st.push(Phase::Preserve, Draft {
            target: format!("ec2-instance:{}:{}", i.region, i.id),
            action: format!(
                "Describe instance {} in {}, save its user data, protect it from termination, snapshot its volumes",
                quote(&i.id),
                quote(&i.region)
            ),
            why: "EBS snapshots are point-in-time from the moment they start, so later isolation and stopping \
             do not change them; termination protection and shutdown-behavior stop keep the instance \
             from vanishing (a shutdown from inside would otherwise be able to terminate it). Memory is \
             not captured by any AWS API: capture it from inside the instance first if it matters."
                .into(),
            reversible: true,
            destroys_evidence: false,
            commands: cmds,
            rollback: vec![
                format!(
                    "if [ \"$(cat \"$EVIDENCE_DIR/{protection}\")\" = False ]; then {}; fi",
                    Cmd::aws("ec2", "modify-instance-attribute")
                        .arg("--region", &i.region)
                        .arg("--instance-id", &i.id)
                        .flag("--no-disable-api-termination")
                        .done()
                ),
                Cmd::aws("ec2", "modify-instance-attribute")
                    .arg("--region", &i.region)
                    .arg("--instance-id", &i.id)
                    .raw(&format!(
                        "--instance-initiated-shutdown-behavior \"$(cat \"$EVIDENCE_DIR/{shutdown}\")\""
                    ))
                    .done(),
            ],
        });
    }

    for (n, g) in f.security_groups.iter().enumerate() {
        st.push(
            Phase::Preserve,
            Draft {
                target: format!("ec2-security-group:{}:{}", g.region, g.id),
                action: format!(
                    "Describe security group {} in {}",
                    quote(&g.id),
                    quote(&g.region)
                ),
                why: "The group's rules before the attacker's are revoked.".into(),
                reversible: true,
                destroys_evidence: false,
                commands: vec![Cmd::aws("ec2", "describe-security-groups")
                    .arg("--region", &g.region)
                    .arg("--group-ids", &g.id)
                    .raw(&ev(&format!(
                        "sg-{n}-{}-{}.json",
                        file_fragment(&g.region),
                        file_fragment(&g.id)
                    )))
                    .done()],
                rollback: vec![],
            },
        );
    }

    for (n, k) in f.key_pairs.iter().enumerate() {
        st.push(Phase::Preserve, Draft {
            target: format!("ec2-key-pair:{}:{}", k.region, k.name),
            action: format!("Describe key pair {} in {} with its public key", quote(&k.name), quote(&k.region)),
            why: "The public key identifies the attacker's private key on any other system it was installed on.".into(),
            reversible: true,
            destroys_evidence: false,
            commands: vec![Cmd::aws("ec2", "describe-key-pairs")
                .arg("--region", &k.region)
                .arg("--key-names", &k.name)
                .flag("--include-public-key")
                .raw(&ev(&format!("key-pair-{n}-{}-{}.json", file_fragment(&k.region), file_fragment(&k.name))))
                .done()],
            rollback: vec![],
        });
    }

    for (n, s) in f.shared_images.iter().enumerate() {
        let base = format!(
            "shared-{n}-{}-{}",
            file_fragment(&s.region),
            file_fragment(&s.id)
        );
        let cmds = match s.kind {
            ImageKind::Snapshot => vec![
                Cmd::aws("ec2", "describe-snapshots")
                    .arg("--region", &s.region)
                    .arg("--snapshot-ids", &s.id)
                    .raw(&ev(&format!("{base}.json")))
                    .done(),
                Cmd::aws("ec2", "describe-snapshot-attribute")
                    .arg("--region", &s.region)
                    .arg("--snapshot-id", &s.id)
                    .arg("--attribute", "createVolumePermission")
                    .raw(&ev(&format!("{base}.permissions.json")))
                    .done(),
            ],
            ImageKind::Ami => vec![
                Cmd::aws("ec2", "describe-images")
                    .arg("--region", &s.region)
                    .arg("--image-ids", &s.id)
                    .raw(&ev(&format!("{base}.json")))
                    .done(),
                Cmd::aws("ec2", "describe-image-attribute")
                    .arg("--region", &s.region)
                    .arg("--image-id", &s.id)
                    .arg("--attribute", "launchPermission")
                    .raw(&ev(&format!("{base}.permissions.json")))
                    .done(),
            ],
        };
        st.push(
            Phase::Preserve,
            Draft {
                target: format!("{}:{}:{}", image_kind(s.kind), s.region, s.id),
                action: format!(
                    "Describe {} {} and who it is shared with",
                    image_kind(s.kind),
                    quote(&s.id)
                ),
                why: "Records which accounts were given access, before the sharing is removed."
                    .into(),
                reversible: true,
                destroys_evidence: false,
                commands: cmds,
                rollback: vec![],
            },
        );
    }

    for (n, l) in f.lambda_functions.iter().enumerate() {
        let base = format!(
            "lambda-{n}-{}-{}",
            file_fragment(&l.region),
            file_fragment(&l.name)
        );
        let get = || {
            Cmd::aws("lambda", "get-function")
                .arg("--region", &l.region)
                .arg("--function-name", &l.name)
        };
        st.push(Phase::Preserve, Draft {
            target: format!("lambda-function:{}:{}", l.region, l.name),
            action: format!("Save Lambda function {} in {} with its code", quote(&l.name), quote(&l.region)),
            why: "Configuration, environment and deployment package, before the function is throttled or deleted.".into(),
            reversible: true,
            destroys_evidence: false,
            commands: vec![
                get().raw(&ev(&format!("{base}.json"))).done(),
                format!(
                    "curl -fsS -o \"$EVIDENCE_DIR/{base}.zip\" \"$({})\"",
                    get().arg("--query", "Code.Location").arg("--output", "text").done()
                ),
            ],
            rollback: vec![],
        });
    }

    // ---------- Contain ----------
    for u in &f.users {
        let who = match u.origin {
            UserOrigin::Compromised => "compromised",
            UserOrigin::AttackerCreated => "attacker-created",
        };
        st.push(Phase::Contain, Draft {
            target: format!("iam-user:{}", u.name),
            action: format!("Attach inline deny-all policy {quarantine} to {who} user {}", quote(&u.name)),
            why: format!(
                "An explicit deny overrides every allow (including attached admin policies) at the next request, \
                 for the user's keys, console sessions and GetSessionToken sessions, without deleting anything. \
                 Alternative: AWS's managed {AWS_QUARANTINE_POLICY_ARN} (formerly V2), which denies a list of \
                 high-risk actions rather than everything."
            ),
            reversible: true,
            destroys_evidence: false,
            commands: vec![iam("put-user-policy")
                .arg("--user-name", &u.name)
                .arg("--policy-name", &quarantine)
                .arg("--policy-document", &deny_all)
                .done()],
            rollback: vec![iam("delete-user-policy")
                .arg("--user-name", &u.name)
                .arg("--policy-name", &quarantine)
                .done()],
        });
        let active: Vec<&str> = u
            .access_keys
            .iter()
            .filter(|k| k.status == KeyStatus::Active)
            .map(|k| k.id.as_str())
            .collect();
        if !active.is_empty() {
            let upd = |id: &str, status: &str| {
                iam("update-access-key")
                    .arg("--user-name", &u.name)
                    .arg("--access-key-id", id)
                    .arg("--status", status)
                    .done()
            };
            st.push(Phase::Contain, Draft {
                target: format!("iam-user:{}", u.name),
                action: format!(
                    "Deactivate (not delete) access keys {} of user {}",
                    active.join(", "),
                    quote(&u.name)
                ),
                why: "An inactive key keeps its id and last-used data for the investigation and can be reactivated."
                    .into(),
                reversible: true,
                destroys_evidence: false,
                commands: active.iter().map(|id| upd(id, "Inactive")).collect(),
                rollback: active.iter().map(|id| upd(id, "Active")).collect(),
            });
        }
        if u.has_login_profile {
            match u.origin {
                UserOrigin::AttackerCreated => st.push(Phase::Contain, Draft {
                    target: format!("iam-user:{}", u.name),
                    action: format!("Delete the console password of attacker-created user {}", quote(&u.name)),
                    why: "A console password is not evidence (its creation is in CloudTrail and the credential report). \
                     Rollback creates a new password, not the attacker's."
                        .into(),
                    reversible: true,
                    destroys_evidence: false,
                    commands: vec![iam("delete-login-profile").arg("--user-name", &u.name).done()],
                    rollback: vec![iam("create-login-profile")
                        .arg("--user-name", &u.name)
                        .raw("--password \"${NEW_PASSWORD:?set NEW_PASSWORD}\" --password-reset-required")
                        .done()],
                }),
                UserOrigin::Compromised => st.push(Phase::Contain, Draft {
                    target: format!("iam-user:{}", u.name),
                    action: format!("Reset the console password of user {} to a random one nobody knows", quote(&u.name)),
                    why: "The owner's login profile is kept (its history stays attached to it); the password the attacker \
                     may know stops working. Give the owner a new password after the investigation."
                        .into(),
                    reversible: true,
                    destroys_evidence: false,
                    commands: vec![iam("update-login-profile")
                        .arg("--user-name", &u.name)
                        .raw("--password \"$(openssl rand -base64 30)Aa1!\" --password-reset-required")
                        .done()],
                    rollback: vec![iam("update-login-profile")
                        .arg("--user-name", &u.name)
                        .raw("--password \"${NEW_PASSWORD:?set NEW_PASSWORD}\" --password-reset-required")
                        .done()],
                }),
            }
        }
    }

    for r in &f.roles {
        st.push(Phase::Contain, Draft {
            target: format!("iam-role:{}", r.name),
            action: format!(
                "Attach inline deny-all policy {quarantine} to {} role {}",
                role_kind(r),
                quote(&r.name)
            ),
            why: match r.origin {
                RoleOrigin::AttackerCreated => "Every session of the role, old or new, is denied at its next request.".to_string(),
                _ => "Every session of the role, old or new, is denied at its next request. This is a legitimate \
                      role: whatever uses it (instances, functions, people) stops working too; remove the policy \
                      once the older-sessions revocation below is in place if service must resume."
                    .to_string(),
            },
            reversible: true,
            destroys_evidence: false,
            commands: vec![iam("put-role-policy")
                .arg("--role-name", &r.name)
                .arg("--policy-name", &quarantine)
                .arg("--policy-document", &deny_all)
                .done()],
            rollback: vec![iam("delete-role-policy")
                .arg("--role-name", &r.name)
                .arg("--policy-name", &quarantine)
                .done()],
        });
    }

    // ---------- Revoke ----------
    for name in &role_names {
        let sessions: Vec<String> = f
            .role_sessions
            .iter()
            .filter(|s| s.role_name == *name)
            .map(|s| quote(&s.session_name))
            .collect();
        let known = if sessions.is_empty() {
            String::new()
        } else {
            format!(" Known sessions: {}.", sessions.join(", "))
        };
        st.push(Phase::Revoke, Draft {
            target: format!("iam-role:{name}"),
            action: format!(
                "Deny every session of role {} issued before {issued_before} (inline policy {revoke_name})",
                quote(name)
            ),
            why: format!(
                "Role session credentials cannot be recalled and stay valid until they expire (up to 12 hours); \
                 this aws:TokenIssueTime condition is AWS's revoke-older-sessions pattern and keeps them denied \
                 even after the deny-all is removed. New sessions are unaffected.{known}"
            ),
            reversible: true,
            destroys_evidence: false,
            commands: vec![iam("put-role-policy")
                .arg("--role-name", name)
                .arg("--policy-name", &revoke_name)
                .arg("--policy-document", &revoke_doc)
                .done()],
            rollback: vec![iam("delete-role-policy")
                .arg("--role-name", name)
                .arg("--policy-name", &revoke_name)
                .done()],
        });
    }
    for u in f
        .users
        .iter()
        .filter(|u| u.origin == UserOrigin::Compromised)
    {
        st.push(Phase::Revoke, Draft {
            target: format!("iam-user:{}", u.name),
            action: format!(
                "Deny every temporary session of user {} issued before {issued_before} (inline policy {revoke_name})",
                quote(&u.name)
            ),
            why: "Session tokens the attacker obtained with GetSessionToken outlive the key's deactivation (up to 36 hours); \
             this keeps them denied when the owner's user is returned to service. Long-term keys carry no \
             aws:TokenIssueTime and are not affected."
                .into(),
            reversible: true,
            destroys_evidence: false,
            commands: vec![iam("put-user-policy")
                .arg("--user-name", &u.name)
                .arg("--policy-name", &revoke_name)
                .arg("--policy-document", &revoke_doc)
                .done()],
            rollback: vec![iam("delete-user-policy")
                .arg("--user-name", &u.name)
                .arg("--policy-name", &revoke_name)
                .done()],
        });
    }
    let deny_trust = json_arg(&policy::deny_all_trust());
    for r in f
        .roles
        .iter()
        .filter(|r| r.origin != RoleOrigin::Compromised)
    {
        let rollback = match &r.original_trust_policy {
            Some(doc) => {
                let v: serde_json::Value =
                    serde_json::from_str(doc).expect("validated before planning");
                iam("update-assume-role-policy")
                    .arg("--role-name", &r.name)
                    .arg("--policy-document", &json_arg(&v))
                    .done()
            }
            None => iam("update-assume-role-policy")
                .arg("--role-name", &r.name)
                .raw(&format!(
                    "--policy-document \"file://$EVIDENCE_DIR/{}\"",
                    trust_file[r.name.as_str()]
                ))
                .done(),
        };
        let trusted = if r.trust_principals.is_empty() {
            "unknown principals".to_string()
        } else {
            r.trust_principals
                .iter()
                .map(|p| quote(p))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let extra = if r.origin == RoleOrigin::Backdoored {
            " The owner's legitimate principals lose access too: restore the original trust from the rollback \
             without the backdoor principals once the investigation allows."
        } else {
            ""
        };
        st.push(Phase::Revoke, Draft {
            target: format!("iam-role:{}", r.name),
            action: format!(
                "Replace the trust policy of {} role {} with one that lets nobody assume it",
                role_kind(r),
                quote(&r.name)
            ),
            why: format!(
                "The trust policy lets {trusted} assume the role from outside; no new session can be started after \
                 this. The original is saved by the preserve phase and is the rollback.{extra}"
            ),
            reversible: true,
            destroys_evidence: false,
            commands: vec![iam("update-assume-role-policy")
                .arg("--role-name", &r.name)
                .arg("--policy-document", &deny_trust)
                .done()],
            rollback: vec![rollback],
        });
    }

    // ---------- Isolate ----------
    let mut vpcs: BTreeMap<(String, Option<String>), String> = BTreeMap::new();
    for i in &f.instances {
        let key = (i.region.clone(), i.vpc_id.clone());
        let n = vpcs.len() + 1;
        vpcs.entry(key).or_insert_with(|| format!("QSG_{n}"));
    }
    for ((region, vpc), var) in &vpcs {
        let mut create = Cmd::aws("ec2", "create-security-group")
            .arg("--region", region)
            .arg("--group-name", &format!("cloudcase-quarantine-{case}"))
            .arg(
                "--description",
                &format!("cloudcase {case} quarantine: no inbound, no outbound"),
            );
        if let Some(v) = vpc {
            create = create.arg("--vpc-id", v);
        }
        let create = create
            .arg("--query", "GroupId")
            .arg("--output", "text")
            .done();
        st.push(Phase::Isolate, Draft {
            target: format!("ec2-vpc:{region}:{}", vpc.as_deref().unwrap_or("default")),
            action: format!(
                "Create quarantine security group cloudcase-quarantine-{case} (no rules) in {} {}",
                quote(region),
                vpc.as_deref().map(quote).unwrap_or_else(|| "default VPC".into())
            ),
            why: "A new group allows all outbound traffic by default; that rule is revoked, leaving no rules at all."
                .into(),
            reversible: true,
            destroys_evidence: false,
            commands: vec![
                format!("{var}=\"$({create})\""),
                Cmd::aws("ec2", "revoke-security-group-egress")
                    .arg("--region", region)
                    .raw(&format!("--group-id \"${var}\""))
                    .arg(
                        "--ip-permissions",
                        &json_arg(&serde_json::json!([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])),
                    )
                    .done(),
            ],
            rollback: vec![Cmd::aws("ec2", "delete-security-group")
                .arg("--region", region)
                .raw(&format!("--group-id \"${var}\""))
                .done()],
        });
    }
    for i in &f.instances {
        let var = &vpcs[&(i.region.clone(), i.vpc_id.clone())];
        let rollback = if i.security_groups.is_empty() {
            vec![]
        } else {
            vec![Cmd::aws("ec2", "modify-instance-attribute")
                .arg("--region", &i.region)
                .arg("--instance-id", &i.id)
                .args("--groups", &i.security_groups)
                .done()]
        };
        st.push(Phase::Isolate, Draft {
            target: format!("ec2-instance:{}:{}", i.region, i.id),
            action: format!("Move instance {} to the quarantine security group", quote(&i.id)),
            why: "Replaces all of the instance's security groups (rollback restores them). Untracked flows stop at once; \
             already-tracked connections may persist until they close."
                .into(),
            reversible: !rollback.is_empty(),
            destroys_evidence: false,
            commands: vec![Cmd::aws("ec2", "modify-instance-attribute")
                .arg("--region", &i.region)
                .arg("--instance-id", &i.id)
                .raw(&format!("--groups \"${var}\""))
                .done()],
            rollback,
        });
    }
    for g in &f.security_groups {
        if g.rules.is_empty() {
            continue;
        }
        let perms: Vec<serde_json::Value> = g
            .rules
            .iter()
            .map(|r| {
                let mut p = serde_json::json!({"IpProtocol": r.protocol});
                if let Some(from) = r.from_port {
                    p["FromPort"] = from.into();
                }
                if let Some(to) = r.to_port {
                    p["ToPort"] = to.into();
                }
                if r.cidr.contains(':') {
                    p["Ipv6Ranges"] = serde_json::json!([{"CidrIpv6": r.cidr}]);
                } else {
                    p["IpRanges"] = serde_json::json!([{"CidrIp": r.cidr}]);
                }
                p
            })
            .collect();
        let perms = json_arg(&serde_json::Value::Array(perms));
        let cidrs: Vec<&str> = g.rules.iter().map(|r| r.cidr.as_str()).collect();
        st.push(Phase::Isolate, Draft {
            target: format!("ec2-security-group:{}:{}", g.region, g.id),
            action: format!(
                "Revoke the attacker's ingress rules ({}) from security group {}",
                cidrs.join(", "),
                quote(&g.id)
            ),
            why: "Rules the attacker opened to the internet; the group itself may be the owner's and is kept.".into(),
            reversible: true,
            destroys_evidence: false,
            commands: vec![Cmd::aws("ec2", "revoke-security-group-ingress")
                .arg("--region", &g.region)
                .arg("--group-id", &g.id)
                .arg("--ip-permissions", &perms)
                .done()],
            rollback: vec![Cmd::aws("ec2", "authorize-security-group-ingress")
                .arg("--region", &g.region)
                .arg("--group-id", &g.id)
                .arg("--ip-permissions", &perms)
                .done()],
        });
    }
    for s in &f.shared_images {
        if s.shared_with.is_empty() {
            continue;
        }
        let (users, public): (Vec<&String>, Vec<&String>) =
            s.shared_with.iter().partition(|a| a.as_str() != "all");
        let (cmds, rollback) = match s.kind {
            ImageKind::Snapshot => {
                let c = |op: &str| {
                    let mut c = Cmd::aws("ec2", "modify-snapshot-attribute")
                        .arg("--region", &s.region)
                        .arg("--snapshot-id", &s.id)
                        .arg("--attribute", "createVolumePermission")
                        .arg("--operation-type", op);
                    if !users.is_empty() {
                        c = c.args("--user-ids", &users);
                    }
                    if !public.is_empty() {
                        c = c.arg("--group-names", "all");
                    }
                    c.done()
                };
                (c("remove"), c("add"))
            }
            ImageKind::Ami => {
                let list: Vec<serde_json::Value> = users
                    .iter()
                    .map(|u| serde_json::json!({"UserId": u}))
                    .chain(public.iter().map(|_| serde_json::json!({"Group": "all"})))
                    .collect();
                let c = |op: &str| {
                    Cmd::aws("ec2", "modify-image-attribute")
                        .arg("--region", &s.region)
                        .arg("--image-id", &s.id)
                        .arg(
                            "--launch-permission",
                            &json_arg(&serde_json::json!({ op: list })),
                        )
                        .done()
                };
                (c("Remove"), c("Add"))
            }
        };
        st.push(Phase::Isolate, Draft {
            target: format!("{}:{}:{}", image_kind(s.kind), s.region, s.id),
            action: format!(
                "Stop sharing {} {} with {}",
                image_kind(s.kind),
                quote(&s.id),
                s.shared_with.iter().map(|a| quote(a)).collect::<Vec<_>>().join(", ")
            ),
            why: "Other accounts can no longer create volumes or launch instances from it. Copies they already made are \
             theirs and are not affected."
                .into(),
            reversible: true,
            destroys_evidence: false,
            commands: vec![cmds],
            rollback: vec![rollback],
        });
    }
    for l in &f.lambda_functions {
        st.push(Phase::Isolate, Draft {
            target: format!("lambda-function:{}:{}", l.region, l.name),
            action: format!("Throttle Lambda function {} to zero concurrent executions", quote(&l.name)),
            why: "The function can no longer run (invocations are throttled), and nothing about it is lost.".into(),
            reversible: true,
            destroys_evidence: false,
            commands: vec![Cmd::aws("lambda", "put-function-concurrency")
                .arg("--region", &l.region)
                .arg("--function-name", &l.name)
                .arg("--reserved-concurrent-executions", "0")
                .done()],
            rollback: vec![Cmd::aws("lambda", "delete-function-concurrency")
                .arg("--region", &l.region)
                .arg("--function-name", &l.name)
                .done()],
        });
    }
    let attacker_instances: Vec<&Instance> = f
        .instances
        .iter()
        .filter(|i| i.origin == InstanceOrigin::AttackerLaunched)
        .collect();
    for i in &attacker_instances {
        st.push(Phase::Isolate, Draft {
            target: format!("ec2-instance:{}:{}", i.region, i.id),
            action: format!("Stop (not terminate) attacker instance {}", quote(&i.id)),
            why: "Stops the cost. Run only after its snapshots are started (preserve phase): stopping loses memory and \
             instance-store data, which is why this step is commented out. EBS volumes are kept; start-instances undoes it."
                .into(),
            reversible: true,
            destroys_evidence: true,
            commands: vec![Cmd::aws("ec2", "stop-instances")
                .arg("--region", &i.region)
                .arg("--instance-ids", &i.id)
                .done()],
            rollback: vec![Cmd::aws("ec2", "start-instances")
                .arg("--region", &i.region)
                .arg("--instance-ids", &i.id)
                .done()],
        });
    }

    // ---------- Eradicate ----------
    for i in &attacker_instances {
        st.push(Phase::Eradicate, Draft {
            target: format!("ec2-instance:{}:{}", i.region, i.id),
            action: format!("Terminate attacker instance {}", quote(&i.id)),
            why: "Only once its snapshots are completed and verified: termination deletes volumes marked delete-on-termination."
                .into(),
            reversible: false,
            destroys_evidence: true,
            commands: vec![
                Cmd::aws("ec2", "wait")
                    .raw("snapshot-completed")
                    .arg("--region", &i.region)
                    .arg("--filters", &format!("Name=tag:cloudcase:instance,Values={}", i.id))
                    .done(),
                Cmd::aws("ec2", "modify-instance-attribute")
                    .arg("--region", &i.region)
                    .arg("--instance-id", &i.id)
                    .flag("--no-disable-api-termination")
                    .done(),
                Cmd::aws("ec2", "terminate-instances")
                    .arg("--region", &i.region)
                    .arg("--instance-ids", &i.id)
                    .done(),
            ],
            rollback: vec![],
        });
    }
    for k in &f.key_pairs {
        st.push(Phase::Eradicate, Draft {
            target: format!("ec2-key-pair:{}:{}", k.region, k.name),
            action: format!("Delete attacker key pair {} in {}", quote(&k.name), quote(&k.region)),
            why: "Prevents launching new instances with it. Instances already launched keep the key in authorized_keys."
                .into(),
            reversible: false,
            destroys_evidence: true,
            commands: vec![Cmd::aws("ec2", "delete-key-pair")
                .arg("--region", &k.region)
                .arg("--key-name", &k.name)
                .done()],
            rollback: vec![],
        });
    }
    for l in &f.lambda_functions {
        st.push(
            Phase::Eradicate,
            Draft {
                target: format!("lambda-function:{}:{}", l.region, l.name),
                action: format!("Delete Lambda function {}", quote(&l.name)),
                why: "Its configuration and code were saved in the preserve phase.".into(),
                reversible: false,
                destroys_evidence: true,
                commands: vec![Cmd::aws("lambda", "delete-function")
                    .arg("--region", &l.region)
                    .arg("--function-name", &l.name)
                    .done()],
                rollback: vec![],
            },
        );
    }
    for r in f
        .roles
        .iter()
        .filter(|r| r.origin == RoleOrigin::AttackerCreated)
    {
        let n = quote(&r.name);
        let list = |op: &str, query: &str| {
            iam(op)
                .arg("--role-name", &r.name)
                .arg("--query", query)
                .arg("--output", "text")
                .done()
        };
        st.push(Phase::Eradicate, Draft {
            target: format!("iam-role:{}", r.name),
            action: format!("Delete attacker-created role {n}"),
            why: "Removes it from instance profiles, detaches and deletes its policies (including the quarantine), then deletes it."
                .into(),
            reversible: false,
            destroys_evidence: true,
            commands: vec![
                format!(
                    "for p in $({}); do {}; done",
                    list("list-instance-profiles-for-role", "InstanceProfiles[].InstanceProfileName"),
                    iam("remove-role-from-instance-profile").arg("--role-name", &r.name).raw("--instance-profile-name \"$p\"").done()
                ),
                format!(
                    "for p in $({}); do {}; done",
                    list("list-attached-role-policies", "AttachedPolicies[].PolicyArn"),
                    iam("detach-role-policy").arg("--role-name", &r.name).raw("--policy-arn \"$p\"").done()
                ),
                format!(
                    "for p in $({}); do {}; done",
                    list("list-role-policies", "PolicyNames[]"),
                    iam("delete-role-policy").arg("--role-name", &r.name).raw("--policy-name \"$p\"").done()
                ),
                iam("delete-role").arg("--role-name", &r.name).done(),
            ],
            rollback: vec![],
        });
    }
    for u in f
        .users
        .iter()
        .filter(|u| u.origin == UserOrigin::AttackerCreated)
    {
        let n = quote(&u.name);
        let list = |op: &str, query: &str| {
            iam(op)
                .arg("--user-name", &u.name)
                .arg("--query", query)
                .arg("--output", "text")
                .done()
        };
        let each = |op: &str, query: &str, del: Cmd| {
            format!("for x in $({}); do {}; done", list(op, query), del.done())
        };
        let mut cmds = vec![
            each(
                "list-access-keys",
                "AccessKeyMetadata[].AccessKeyId",
                iam("delete-access-key")
                    .arg("--user-name", &u.name)
                    .raw("--access-key-id \"$x\""),
            ),
            format!(
                "if {} >/dev/null 2>&1; then {}; fi",
                iam("get-login-profile").arg("--user-name", &u.name).done(),
                iam("delete-login-profile")
                    .arg("--user-name", &u.name)
                    .done()
            ),
            each(
                "list-mfa-devices",
                "MFADevices[].SerialNumber",
                iam("deactivate-mfa-device")
                    .arg("--user-name", &u.name)
                    .raw("--serial-number \"$x\""),
            ),
            each(
                "list-ssh-public-keys",
                "SSHPublicKeys[].SSHPublicKeyId",
                iam("delete-ssh-public-key")
                    .arg("--user-name", &u.name)
                    .raw("--ssh-public-key-id \"$x\""),
            ),
            each(
                "list-signing-certificates",
                "Certificates[].CertificateId",
                iam("delete-signing-certificate")
                    .arg("--user-name", &u.name)
                    .raw("--certificate-id \"$x\""),
            ),
            each(
                "list-service-specific-credentials",
                "ServiceSpecificCredentials[].ServiceSpecificCredentialId",
                iam("delete-service-specific-credential")
                    .arg("--user-name", &u.name)
                    .raw("--service-specific-credential-id \"$x\""),
            ),
            each(
                "list-groups-for-user",
                "Groups[].GroupName",
                iam("remove-user-from-group")
                    .arg("--user-name", &u.name)
                    .raw("--group-name \"$x\""),
            ),
        ];
        for arn in &u.admin_policies {
            cmds.push(format!(
                "{} || true",
                iam("detach-user-policy")
                    .arg("--user-name", &u.name)
                    .arg("--policy-arn", arn)
                    .done()
            ));
        }
        cmds.push(each(
            "list-attached-user-policies",
            "AttachedPolicies[].PolicyArn",
            iam("detach-user-policy")
                .arg("--user-name", &u.name)
                .raw("--policy-arn \"$x\""),
        ));
        cmds.push(each(
            "list-user-policies",
            "PolicyNames[]",
            iam("delete-user-policy")
                .arg("--user-name", &u.name)
                .raw("--policy-name \"$x\""),
        ));
        cmds.push(iam("delete-user").arg("--user-name", &u.name).done());
        st.push(Phase::Eradicate, Draft {
            target: format!("iam-user:{}", u.name),
            action: format!("Delete attacker-created user {n}"),
            why: "Deletes its keys, password, MFA, SSH keys, certificates and service credentials, removes it from groups, \
             detaches and deletes its policies (the quarantine last), then deletes it. Access key last-used data is lost."
                .into(),
            reversible: false,
            destroys_evidence: true,
            commands: cmds,
            rollback: vec![],
        });
    }

    let residual_risks = residual_risks(f, &issued_before);
    Ok(Plan {
        case_id: f.case_id.clone(),
        account_id: f.account_id.clone(),
        token_issued_before: issued_before,
        steps: st.finish(),
        residual_risks,
    })
}

fn image_kind(k: ImageKind) -> &'static str {
    match k {
        ImageKind::Snapshot => "ebs-snapshot",
        ImageKind::Ami => "ami",
    }
}

fn role_kind(r: &Role) -> &'static str {
    match r.origin {
        RoleOrigin::Compromised => "compromised",
        RoleOrigin::AttackerCreated => "attacker-created",
        RoleOrigin::Backdoored => "backdoored",
    }
}

fn residual_risks(f: &Findings, issued_before: &str) -> Vec<String> {
    let mut r = vec![
        format!(
            "Role sessions already issued stay valid until they expire (up to 12 hours, 36 for GetSessionToken) \
             wherever the deny-all or the aws:TokenIssueTime < {issued_before} policy is not applied or is removed."
        ),
        "Credentials of instance profiles on running instances (the attacker's or ones the attacker reached) keep \
         working from anywhere until the role's older sessions are revoked; isolation cuts the instance's network, \
         not credentials already copied off it."
            .into(),
        "S3 presigned URLs already issued remain usable until they expire unless the signing principal is denied \
         or its key deactivated; data already downloaded or copied is out of reach."
            .into(),
        "Resources outside IAM keep running: instances, spot requests and fleets, Lambda triggers, scheduled \
         events, and anything in regions not covered by the logs."
            .into(),
        "Resource policies (S3 bucket, KMS key, SQS, SNS, Lambda, Secrets Manager) granting access to other \
         accounts or to everyone are not touched by deny-all identity policies."
            .into(),
        "IAM Identity Center (SSO) and other federated sessions, and the account root user, are not covered: \
         check root MFA and access keys, and revoke SSO sessions separately."
            .into(),
        "Snapshots and AMIs that other accounts already copied remain theirs.".into(),
        "SSH keys the attacker placed on instances stay in authorized_keys; deleting a key pair does not remove them."
            .into(),
        "IAM changes are eventually consistent: allow a few seconds before relying on them.".into(),
        "AWS's managed quarantine policy (AWSCompromisedKeyQuarantineV3, formerly V2) denies a list of actions, \
         not everything; this plan uses an inline deny-all instead."
            .into(),
    ];
    for role in f
        .roles
        .iter()
        .filter(|r| r.origin != RoleOrigin::Compromised)
    {
        let outside: Vec<String> = role
            .trust_principals
            .iter()
            .filter(|p| !p.contains(&f.account_id) && !p.ends_with(".amazonaws.com"))
            .map(|p| quote(p))
            .collect();
        if !outside.is_empty() {
            r.push(format!(
                "Role {} trusts {}: sessions those principals already hold last until expiry unless the revocation \
                 policy is applied, and any other role that trusts them is open to them too.",
                quote(&role.name),
                outside.join(", ")
            ));
        }
    }
    if f.users
        .iter()
        .any(|u| u.origin == UserOrigin::AttackerCreated)
    {
        r.push(
            "Attacker-created users may have registered MFA devices, SSH keys or service-specific credentials \
             not seen in the logs; the deny-all covers them until the users are deleted."
                .into(),
        );
    }
    r
}
