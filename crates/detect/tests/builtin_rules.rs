//! Every built-in rule loads, fires on each of its positive test events and on
//! none of its negative ones (rules/builtin/tests/<rule>/{positive,negative}*.json).

use std::path::{Path, PathBuf};

use cloudcase_event::Event;
use cloudcase_read::{discover, read_files, Limits};
use cloudcase_sigma::{EventRecord, RuleSet};

struct Collect(Vec<Event>);

impl cloudcase_read::EventSink for Collect {
    fn accept(&mut self, e: Event) {
        self.0.push(e);
    }
}

fn events_in(path: &Path) -> Vec<Event> {
    let inputs = discover(&[path.to_path_buf()], &|r| panic!("{r}")).unwrap();
    let (sinks, acc) = read_files(
        &inputs.files,
        Limits::default(),
        vec![Collect(Vec::new())],
        &|r| panic!("{r}"),
    );
    assert_eq!(acc.records_rejected(), 0, "{}", path.display());
    sinks.into_iter().flat_map(|c| c.0).collect()
}

#[test]
fn every_builtin_rule_passes_its_own_tests() {
    let mut set = RuleSet::new();
    let problems = cloudcase_detect::add_builtin(&mut set);
    assert!(problems.is_empty(), "{problems:#?}");
    let (engine, problems) = set.compile();
    assert!(problems.is_empty(), "{problems:#?}");
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/builtin/tests");
    let mut checked = 0;
    for name in cloudcase_detect::builtin_rule_names() {
        let stem = name.trim_end_matches(".yml").trim_end_matches(".yaml");
        let (id, rule) = engine
            .rules()
            .iter()
            .enumerate()
            .find(|(_, r)| r.source() == format!("builtin:{name}"))
            .unwrap_or_else(|| panic!("{name} is not in the engine"));
        assert!(
            rule.meta().attack.len() >= 2,
            "{name} needs ATT&CK tactic and technique tags"
        );
        let dir = tests.join(stem);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{name}: no tests at {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let (mut pos, mut neg) = (0, 0);
        for file in files {
            let fname = file.file_name().unwrap().to_str().unwrap().to_owned();
            let expect = fname.starts_with("positive");
            if expect {
                pos += 1
            } else {
                neg += 1
            }
            for event in events_in(&file) {
                let mut hits = Vec::new();
                engine.evaluate(&EventRecord::new(&event), &mut hits);
                let fired = hits.iter().any(|h| h.index() == id);
                assert_eq!(
                    fired,
                    expect,
                    "{name}: {fname} should {}fire",
                    if expect { "" } else { "not " }
                );
                checked += 1;
            }
        }
        assert!(
            pos >= 1 && neg >= 1,
            "{name}: needs positive and negative events"
        );
    }
    assert!(checked >= 140, "only {checked} test events");
}
