//! Conformance with the SigmaHQ AWS CloudTrail rules in `../shared/sigma` and
//! the labelled TrailDiscover events in `../shared/datasets/traildiscover`:
//!
//! * every rule under `rules/cloud/aws` loads unmodified; the obsolete rules
//!   under `unsupported/` load where they can be expressed and are otherwise
//!   refused by name with a reason; the placeholder rule needs its placeholders;
//! * each TrailDiscover event linked to a SigmaHQ rule fires that rule, except
//!   for the documented links the (redacted) event cannot satisfy;
//! * no rule fires on any other event beyond a documented list.
//!
//! When `../shared` is absent these tests print `SKIPPED: ../shared not found`
//! and pass, unless `CLOUDCASE_REQUIRE_SHARED=1`, in which case they fail.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use cloudcase_sigma::{EventRecord, RuleSet, Severity};

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[test]
fn every_sigmahq_aws_rule_loads_or_is_refused_with_a_reason() {
    let Some(shared) = common::shared() else {
        return;
    };
    let rules_dir = shared.join("sigma/rules/cloud/aws");
    let (set, problems) = RuleSet::load_paths(std::slice::from_ref(&rules_dir));
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(set.rules().len(), 57, "the snapshot has 57 AWS rules");
    assert!(set.rules().iter().all(|r| r.is_applicable()));
    let (engine, problems) = set.compile();
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(engine.rules().len(), 57);
    // All but a handful are dispatched by eventName / eventSource.
    assert!(
        engine.unindexed_rules() <= 4,
        "{}",
        engine.unindexed_rules()
    );

    // Obsolete aggregation rules: what can be expressed loads as a
    // correlation, the rest is refused by name with the reason.
    let (set, problems) = RuleSet::load_paths(&[shared.join("sigma/unsupported")]);
    let mut refused: BTreeMap<&str, String> = BTreeMap::new();
    let mut not_applicable = BTreeSet::new();
    for p in &problems {
        let name = file_name(&p.source_name);
        assert!(
            p.rule.as_ref().and_then(|r| r.title.as_ref()).is_some(),
            "{p}"
        );
        match p.severity {
            Severity::Refused => {
                refused.insert(name, p.error.to_string());
            }
            Severity::NotApplicable => {
                not_applicable.insert(name);
            }
            Severity::Warning => panic!("unexpected warning {p}"),
        }
    }
    let expected_refusals = [
        ("aws_lambda_function_created_or_invoked.yml", "`near`"),
        (
            "aws_ses_messaging_enabled.yml",
            "`timeframe` without an aggregation",
        ),
        (
            "azure_aad_secops_signin_failure_bad_password_threshold.yml",
            "without `timeframe`",
        ),
    ];
    assert_eq!(refused.len(), expected_refusals.len(), "{refused:#?}");
    for (file, reason) in expected_refusals {
        let got = refused
            .get(file)
            .unwrap_or_else(|| panic!("{file} not refused"));
        assert!(got.contains(reason), "{file}: {got}");
    }
    assert!(not_applicable.is_empty(), "{not_applicable:?}");
    let (engine, problems) = set.compile();
    assert!(problems.is_empty(), "{problems:#?}");
    let kinds: Vec<(String, String)> = engine
        .correlations()
        .iter()
        .map(|c| (file_name(c.source()).to_owned(), c.kind().to_string()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("aws_ec2_download_userdata.yml", "event_count"),
            ("aws_enum_backup.yml", "event_count"),
            ("aws_enum_listing.yml", "event_count"),
            ("aws_enum_network.yml", "event_count"),
            ("aws_enum_storage.yml", "event_count"),
            ("aws_macic_evasion.yml", "event_count"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    // Their selections feed the correlations only.
    assert!(engine.rules().iter().all(|r| !r.is_standalone()));

    // The placeholder rule needs its placeholders' values.
    let placeholder = shared.join("sigma/rules-placeholder");
    let (_, problems) = RuleSet::load_paths(std::slice::from_ref(&placeholder));
    assert_eq!(problems.len(), 1);
    assert!(problems[0].to_string().contains("%Legitimate_Countries%"));
    let mut set = RuleSet::new();
    set.set_placeholder("Legitimate_Countries", vec!["FR".into(), "DE".into()]);
    set.set_placeholder("Legitimate_IP_Ranges", vec!["10.*".into()]);
    assert!(set.add_path(&placeholder).is_empty());
}

/// Linked (event, rule) pairs the event cannot satisfy, with the reason.
const LINK_EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "events/EC2/CreateInstanceExportTask.json.cloudtrail",
        "aws_ec2_vm_export_failure.yml",
        "the captured call failed (Client.UnauthorizedOperation); the rule excludes calls with an errorCode or errorMessage",
    ),
    (
        "events/EC2/ModifyInstanceAttribute.json.cloudtrail",
        "aws_ec2_startup_script_change.yml",
        "requestParameters.attribute is the placeholder TrailDiscoverAttribute, not userData",
    ),
    (
        "events/ECS/CreateCluster.json.cloudtrail",
        "aws_eks_cluster_created_or_deleted.yml",
        "wrong link: an ECS (ecs.amazonaws.com) call, while the rule is for EKS (eks.amazonaws.com)",
    ),
    (
        "events/ECS/RegisterTaskDefinition.json.cloudtrail",
        "aws_ecs_task_definition_cred_endpoint_query.yml",
        "the example file is an empty array: there is no event",
    ),
    (
        "events/IAM/CreateAccessKey.json.cloudtrail",
        "aws_iam_s3browser_user_or_accesskey_creation.yml",
        "captured with aws-cli; the rule needs the S3 Browser user agent",
    ),
    (
        "events/IAM/CreateLoginProfile.json.cloudtrail",
        "aws_iam_s3browser_loginprofile_creation.yml",
        "captured with aws-cli; the rule needs the S3 Browser user agent",
    ),
    (
        "events/IAM/CreateUser.json.cloudtrail",
        "aws_iam_s3browser_user_or_accesskey_creation.yml",
        "captured with aws-cli; the rule needs the S3 Browser user agent",
    ),
    (
        "events/IAM/GetLoginProfile.json.cloudtrail",
        "aws_iam_s3browser_loginprofile_creation.yml",
        "captured with aws-cli; the rule needs the S3 Browser user agent",
    ),
    (
        "events/IAM/PutUserPolicy.json.cloudtrail",
        "aws_iam_s3browser_templated_s3_bucket_policy_creation.yml",
        "captured with aws-cli and denied: no S3 Browser user agent, requestParameters is null",
    ),
    (
        "events/S3/PutBucketVersioning.json.cloudtrail",
        "aws_disable_bucket_versioning.yml",
        "the captured call enables versioning (Status: Enabled); the rule looks for Suspended",
    ),
];

/// Rules that fire on TrailDiscover events other than the ones linked to
/// them, by (rule, eventName; `*` for any), with the reason. Copies of a
/// linked event (TrailDiscover keeps the same call under `docs/logExamples`
/// as `X.json.cloudtrail` and `Service-X.json.cloudtrail`) are expected
/// without being listed.
const EXTRA_FIRES: &[(&str, &str, &str)] = &[
    (
        "aws_sts_assumerole_misuse.yml",
        "*",
        "matches every call made with a role session issued by a role (checked separately below)",
    ),
    (
        "aws_cloudtrail_new_acl_entries.yml",
        "CreateNetworkAclEntry",
        "the rule's own API call; not linked by TrailDiscover",
    ),
    (
        "aws_cloudtrail_new_route_added.yml",
        "CreateRoute",
        "the rule's own API call; not linked by TrailDiscover",
    ),
    (
        "aws_cloudtrail_security_group_change_ingress_egress.yml",
        "AuthorizeSecurityGroupEgress",
        "the rule's own API call; not linked by TrailDiscover",
    ),
    (
        "aws_cloudtrail_security_group_change_ingress_egress.yml",
        "AuthorizeSecurityGroupIngress",
        "the rule's own API call; not linked by TrailDiscover",
    ),
    (
        "aws_cloudtrail_security_group_change_rds.yml",
        "AuthorizeDBSecurityGroupIngress",
        "the rule's own API call; not linked by TrailDiscover",
    ),
    (
        "aws_cloudtrail_security_group_change_rds.yml",
        "CreateDBSecurityGroup",
        "the rule's own API call; not linked by TrailDiscover",
    ),
    (
        "aws_lambda_function_url.yml",
        "CreateFunctionUrlConfig",
        "the rule's own API call; not linked by TrailDiscover",
    ),
    (
        "aws_rds_dbcluster_actions.yml",
        "DeleteDBCluster",
        "the rule's own API call; not linked by TrailDiscover",
    ),
    (
        "aws_susp_saml_activity.yml",
        "UpdateSAMLProvider",
        "the rule's own API call; TrailDiscover links the rule without an example event",
    ),
];

#[test]
fn labelled_traildiscover_events_get_the_linked_verdicts() {
    let Some(shared) = common::shared() else {
        return;
    };
    let (engine, problems) = common::load(&[shared.join("sigma/rules/cloud/aws")]);
    assert!(problems.is_empty(), "{problems:#?}");
    let base = shared.join("datasets/traildiscover");
    let events = common::traildiscover_events(&shared);
    assert!(events.len() > 800, "{} events", events.len());

    // (event file, rule file) for every firing; event file → eventName.
    let mut fired: BTreeSet<(String, String)> = BTreeSet::new();
    let mut event_names: BTreeMap<String, String> = BTreeMap::new();
    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    for e in &events {
        let file = common::event_name(&base, e);
        let file = file.split('#').next().unwrap_or_default().to_owned();
        event_names.insert(file.clone(), e.event_name.clone());
        let rec = EventRecord::new(e);
        for r in engine.matches(&rec) {
            let rule = file_name(r.source()).to_owned();
            *by_rule.entry(rule.clone()).or_default() += 1;
            fired.insert((file.clone(), rule));
        }
    }

    let links: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(base.join("traildiscover_sigma_links.json")).expect("links"),
    )
    .expect("links are JSON");
    let mut linked: BTreeSet<(String, String)> = BTreeSet::new();
    let mut checked = 0;
    let mut missing = Vec::new();
    for link in links.as_array().expect("a list") {
        let rules = link["sigma_rule_local"].as_array().expect("rule list");
        let Some(event) = link["example_log"].as_str() else {
            // aws_susp_saml_activity.yml is linked with no example event.
            continue;
        };
        for rule in rules {
            let rule = file_name(rule.as_str().expect("rule path")).to_owned();
            linked.insert((event.to_owned(), rule.clone()));
            let excused = LINK_EXCEPTIONS
                .iter()
                .any(|(e, r, _)| *e == event && *r == rule);
            let fires = fired.contains(&(event.to_owned(), rule.clone()));
            assert!(
                !(excused && fires),
                "{event} now fires {rule}: remove its exception"
            );
            if !excused && !fires {
                missing.push(format!("{event} did not fire {rule}"));
            }
            checked += 1;
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
    assert_eq!(checked, 27);
    println!(
        "traildiscover: {} links checked, {} fire, {} documented exceptions",
        checked,
        checked - LINK_EXCEPTIONS.len(),
        LINK_EXCEPTIONS.len()
    );

    // Every other firing must be a copy of a linked call or documented.
    let linked_calls: BTreeSet<(String, String)> = linked
        .iter()
        .filter_map(|(e, r)| event_names.get(e).map(|n| (r.clone(), n.clone())))
        .collect();
    let mut unexplained = Vec::new();
    for (event, rule) in &fired {
        if linked.contains(&(event.clone(), rule.clone())) {
            continue;
        }
        let name = event_names.get(event).cloned().unwrap_or_default();
        let explained = linked_calls.contains(&(rule.clone(), name.clone()))
            || EXTRA_FIRES
                .iter()
                .any(|(r, n, _)| *r == rule && (*n == "*" || *n == name));
        if !explained {
            unexplained.push(format!("{rule} fired on {event} ({name})"));
        }
    }
    assert!(unexplained.is_empty(), "{unexplained:#?}");

    // The role-session rule fires exactly on role sessions issued by roles,
    // counted here straight from the JSON.
    let role_sessions = events
        .iter()
        .filter(|e| {
            let v: serde_json::Value = serde_json::from_str(&e.raw).expect("raw is JSON");
            let id = &v["userIdentity"];
            id["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case("AssumedRole"))
                && id["sessionContext"]["sessionIssuer"]["type"]
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case("Role"))
        })
        .count();
    assert!(role_sessions > 100);
    assert_eq!(
        by_rule.get("aws_sts_assumerole_misuse.yml"),
        Some(&role_sessions)
    );
    println!(
        "traildiscover: {} events, firings by rule: {by_rule:?}",
        events.len()
    );
}

#[test]
fn rules_match_through_typed_fields_and_raw_json_alike() {
    // The same events as typed Events and as plain JSON give the same verdicts.
    let Some(shared) = common::shared() else {
        return;
    };
    let (engine, _) = common::load(&[shared.join("sigma/rules/cloud/aws")]);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut events = common::traildiscover_events(&shared);
    events.extend(common::panther_events(&shared, dir.path()));
    let mut compared = 0;
    for e in &events {
        let json: serde_json::Value = serde_json::from_str(&e.raw).expect("raw is JSON");
        let typed: Vec<_> = engine
            .matches(&EventRecord::new(e))
            .map(|r| r.title())
            .collect();
        let plain: Vec<_> = engine
            .matches(&cloudcase_sigma::JsonRecord::new(&json))
            .map(|r| r.title())
            .collect();
        assert_eq!(
            typed,
            plain,
            "{}",
            Path::new(&e.provenance.file.path).display()
        );
        compared += 1;
    }
    assert!(compared > 1000);
}
