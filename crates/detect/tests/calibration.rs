//! Calibration on a generated month where employees roam between the office, home ISPs with
//! dynamic addresses, mobile networks and CI: their new /24s are not medium findings, the
//! routine rules of every day do not fill the medium findings, and the leaked key's attack
//! is still found.

use cloudcase_detect::{
    add_builtin, hunt, FindingSink, FindingView, HuntOptions, HuntSummary, SinkError,
};
use cloudcase_read::{discover, Limits, Progress};
use cloudcase_sigma::{Level, RuleSet};

/// What the test looks at of each finding.
#[derive(Debug)]
struct Seen {
    rule_id: String,
    level: Level,
    principal: String,
    access_key: String,
    source_ip: String,
    millis: i64,
}

/// Keeps every finding.
#[derive(Default)]
struct Keep(Vec<Seen>);

impl FindingSink for Keep {
    fn finding(&mut self, f: &FindingView<'_>) -> Result<(), SinkError> {
        self.0.push(Seen {
            rule_id: f.rule_id.to_owned(),
            level: f.level,
            principal: f.principal.unwrap_or_default().to_owned(),
            access_key: f.access_key.unwrap_or_default().to_owned(),
            source_ip: f.source_ip.unwrap_or_default().to_owned(),
            millis: f.time.millis(),
        });
        Ok(())
    }

    fn finish(&mut self, _: &HuntSummary) -> Result<(), SinkError> {
        Ok(())
    }
}

const NOVELTY: &[&str] = &[
    "cloudcase.analytics.new-network",
    "cloudcase.analytics.new-source-ip",
    "cloudcase.analytics.new-client",
];

#[test]
fn roaming_owners_stay_quiet_and_the_leaked_key_is_still_found() {
    let dir = tempfile::tempdir().unwrap();
    let truth = cloudcase_gen::generate(&cloudcase_gen::Config {
        seed: 3,
        out_dir: dir.path().to_path_buf(),
        target_bytes: 8_000_000,
        days: 30,
        scenario: cloudcase_gen::Scenario::LeakedKey,
        incident: true,
        roaming: true,
        ..cloudcase_gen::Config::default()
    })
    .unwrap();
    let incident = truth.incident.unwrap();
    assert!(truth.roaming_owners.len() >= 2);
    let inputs = discover(&[dir.path().to_path_buf()], &|r| panic!("{r}")).unwrap();
    let mut set = RuleSet::new();
    add_builtin(&mut set);
    let (engine, _) = set.compile();
    let mut keep = Keep::default();
    hunt(
        &inputs.files,
        &engine,
        &engine.feeding_rules(),
        &HuntOptions {
            min_level: Level::Medium,
            statuses: Vec::new(),
            analytics: true,
            geo: None,
            threads: 2,
            limits: Limits::default(),
            sort_memory: 8 << 20,
            temp_dir: None,
            after_read: &|| {},
        },
        &|r| panic!("{r}"),
        &Progress::default(),
        &mut keep,
    )
    .unwrap();
    let first_attack = incident.first_attacker_event_time * 1000;
    let attacker = |s: &Seen| {
        s.access_key == incident.access_key_id || incident.attacker_ips.contains(&s.source_ip)
    };
    let roaming = |s: &Seen| {
        truth
            .roaming_owners
            .iter()
            .any(|r| s.access_key == r.access_key_id || s.principal == r.user_name)
    };
    let roaming_novelty: Vec<&Seen> = keep
        .0
        .iter()
        .filter(|s| roaming(s) && NOVELTY.contains(&s.rule_id.as_str()))
        .collect();
    assert!(roaming_novelty.len() <= 2, "{roaming_novelty:#?}");
    let outside: Vec<&Seen> = keep.0.iter().filter(|s| !attacker(s)).collect();
    assert!(
        outside.len() <= 30,
        "{} outside the attack: {outside:#?}",
        outside.len()
    );
    let network = keep
        .0
        .iter()
        .find(|s| {
            s.rule_id == "cloudcase.analytics.new-network" && s.access_key == incident.access_key_id
        })
        .expect("the leaked key's first use from a new network");
    assert_eq!(network.millis, first_attack, "{network:?}");
    assert!(network.level >= Level::Medium, "{network:?}");
    let on_attack = keep.0.iter().filter(|s| attacker(s)).count();
    assert!(on_attack >= 10, "{on_attack}");
}
