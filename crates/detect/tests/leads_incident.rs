//! Leads on generated incidents: the one pass of a hunt, grouped by identity, puts the
//! attacker's identity first, with reasons that say why — a leaked key, an attack at the
//! start of the logs, stolen instance, Lambda and ECS credentials, a root console takeover,
//! among roaming owners.

use cloudcase_detect::{add_builtin, hunt, HuntOptions, LeadSink};
use cloudcase_model::{Lead, LeadKind};
use cloudcase_read::{discover, Limits, Progress};
use cloudcase_sigma::{Level, RuleSet};

#[test]
fn the_leaked_key_is_the_first_lead_of_three_weeks() {
    let dir = tempfile::tempdir().unwrap();
    let truth = cloudcase_gen::generate(&cloudcase_gen::Config {
        seed: 5,
        out_dir: dir.path().to_path_buf(),
        target_bytes: 4_000_000,
        days: 24,
        incident: true,
        ..cloudcase_gen::Config::default()
    })
    .unwrap();
    let incident = truth.incident.unwrap();
    let leads = leads_of(dir.path(), 2);
    let top = &leads[0];
    assert_eq!(
        (top.kind, top.principal.as_str(), top.access_key.as_deref()),
        (
            LeadKind::User,
            incident.user_name.as_str(),
            Some(incident.access_key_id.as_str())
        ),
        "{leads:#?}"
    );
    assert!(top.findings.high >= 3, "{top:#?}");
    assert!(incident.attacker_ips.contains(&top.sources[0]), "{top:#?}");
    assert!(
        top.reasons
            .iter()
            .any(|r| r.starts_with("first use of a network never seen in its history")),
        "{:#?}",
        top.reasons
    );
    assert!(
        top.reasons
            .iter()
            .any(|r| r.starts_with("behaviour across")),
        "{:#?}",
        top.reasons
    );
    // Well ahead of the runner-up, and ranks are 1, 2, 3, …
    assert!(top.score >= 2 * leads[1].score, "{leads:#?}");
    assert!(leads.iter().zip(1..).all(|(l, r)| l.rank == r));
    // The same input ranks the same way again.
    let again: Vec<(String, u64)> = leads
        .iter()
        .map(|l| (l.principal.clone(), l.score))
        .collect();
    let once_more: Vec<(String, u64)> = leads_of(dir.path(), 1)
        .iter()
        .map(|l| (l.principal.clone(), l.score))
        .collect();
    assert_eq!(again, once_more);
}

/// The ranked leads of a hunt over `dir` at the default minimum level, on `threads` workers.
fn leads_of(dir: &std::path::Path, threads: usize) -> Vec<Lead> {
    let inputs = discover(&[dir.to_path_buf()], &|r| panic!("{r}")).unwrap();
    let mut set = RuleSet::new();
    add_builtin(&mut set);
    let (engine, _) = set.compile();
    let mut sink = LeadSink::new();
    hunt(
        &inputs.files,
        &engine,
        &engine.feeding_rules(),
        &HuntOptions {
            min_level: Level::Low,
            statuses: Vec::new(),
            analytics: true,
            geo: None,
            threads,
            limits: Limits::default(),
            sort_memory: 8 << 20,
            temp_dir: None,
            after_read: &|| {},
        },
        &|r| panic!("{r}"),
        &Progress::default(),
        &mut sink,
    )
    .unwrap();
    sink.leads()
}

#[test]
fn the_attacker_is_the_first_lead_in_every_scenario() {
    use cloudcase_gen::Scenario;
    for scenario in [
        Scenario::LogStart,
        Scenario::InstanceCredential,
        Scenario::LambdaCredential,
        Scenario::EcsCredential,
        Scenario::RootConsole,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let truth = cloudcase_gen::generate(&cloudcase_gen::Config {
            seed: 9,
            out_dir: dir.path().to_path_buf(),
            target_bytes: 3_000_000,
            days: 21,
            scenario,
            roaming: true,
            ..cloudcase_gen::Config::default()
        })
        .unwrap();
        let leads = leads_of(dir.path(), 2);
        let top = &leads[0];
        let (kind, key) = if let Some(i) = &truth.incident {
            (LeadKind::User, Some(i.access_key_id.clone()))
        } else if let Some(c) = &truth.credential {
            assert_eq!(
                top.principal,
                format!("{}/{}", c.role_name, c.session_name),
                "{scenario:?}: {leads:#?}"
            );
            (LeadKind::RoleSession, Some(c.access_key_id.clone()))
        } else {
            (LeadKind::Root, None)
        };
        assert_eq!(top.kind, kind, "{scenario:?}: {leads:#?}");
        if let Some(key) = key {
            assert!(top.access_keys.contains(&key), "{scenario:?}: {top:#?}");
        }
        assert!(top.score > leads[1].score, "{scenario:?}: {leads:#?}");
    }
}
