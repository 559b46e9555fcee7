//! Leads on a generated incident: the one pass of a hunt, grouped by identity, puts the
//! leaked key's user first, with reasons that say why.

use cloudcase_detect::{add_builtin, hunt, HuntOptions, LeadSink};
use cloudcase_model::LeadKind;
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
    let inputs = discover(&[dir.path().to_path_buf()], &|r| panic!("{r}")).unwrap();
    let mut set = RuleSet::new();
    add_builtin(&mut set);
    let (engine, _) = set.compile();
    let opts = HuntOptions {
        min_level: Level::Low,
        statuses: Vec::new(),
        analytics: true,
        geo: None,
        threads: 2,
        limits: Limits::default(),
        sort_memory: 8 << 20,
        temp_dir: None,
        after_read: &|| {},
    };
    let mut sink = LeadSink::new();
    hunt(
        &inputs.files,
        &engine,
        &engine.feeding_rules(),
        &opts,
        &|r| panic!("{r}"),
        &Progress::default(),
        &mut sink,
    )
    .unwrap();
    let leads = sink.leads();
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
    let mut sink = LeadSink::new();
    hunt(
        &inputs.files,
        &engine,
        &engine.feeding_rules(),
        &HuntOptions { threads: 1, ..opts },
        &|r| panic!("{r}"),
        &Progress::default(),
        &mut sink,
    )
    .unwrap();
    let once_more: Vec<(String, u64)> = sink
        .leads()
        .iter()
        .map(|l| (l.principal.clone(), l.score))
        .collect();
    assert_eq!(again, once_more);
}
