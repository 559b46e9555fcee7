//! The analytics on a generated incident: the attacker's first call from a new
//! network is found, with the exact record; the owners' background is quiet.

use cloudcase_detect::Analytics;
use cloudcase_event::Event;
use cloudcase_read::{discover, read_files, EventSink, Limits};
use cloudcase_sigma::Level;

struct Sink(Analytics);

impl EventSink for Sink {
    fn accept(&mut self, event: Event) {
        self.0.observe(&event, None);
    }
}

#[test]
fn leaked_key_first_use_from_a_new_network_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let truth = cloudcase_gen::generate(&cloudcase_gen::Config {
        seed: 11,
        out_dir: dir.path().to_path_buf(),
        target_bytes: 4_000_000,
        days: 21,
        incident: true,
        ..cloudcase_gen::Config::default()
    })
    .unwrap();
    let incident = truth.incident.unwrap();
    let inputs = discover(&[dir.path().to_path_buf()], &|r| panic!("{r}")).unwrap();
    let mut all = Analytics::new(1 << 20, None);
    let sinks = vec![Sink(all.share()), Sink(all.share())];
    let (sinks, _) = read_files(&inputs.files, Limits::default(), sinks, &|r| panic!("{r}"));
    for s in sinks {
        all.merge(s.0);
    }
    let findings = all
        .findings(&inputs.files, Limits::default(), Level::Informational)
        .unwrap()
        .findings;
    let first_attack = incident.first_attacker_event_time * 1000;
    let network = findings
        .iter()
        .find(|f| {
            f.rule_id == "cloudcase.analytics.new-network"
                && f.witness.access_key.as_deref() == Some(incident.access_key_id.as_str())
        })
        .expect("new network for the leaked key");
    assert_eq!(network.witness.time.millis(), first_attack, "{network:?}");
    assert!(incident
        .attacker_ips
        .contains(network.witness.source_ip.as_ref().unwrap()));
    assert!(findings
        .iter()
        .any(|f| f.rule_id == "cloudcase.analytics.access-denied-burst"));
    let noisy: Vec<_> = findings
        .iter()
        .filter(|f| f.level > Level::Low && f.witness.time.millis() < first_attack)
        .collect();
    assert!(
        noisy.len() <= 3,
        "background produced {} findings above low: {noisy:#?}",
        noisy.len()
    );
}
