//! Single-core throughput of rule evaluation over events already in memory.
//!
//! ```sh
//! cargo run --release -p cloudcase-sigma --example throughput -- RULES_DIR [LOG_PATH…]
//! ```
//!
//! Without log paths, a corpus is generated (cloudcase-gen, 3 days with an
//! incident) in a temporary directory. Reading and decompression are not
//! timed: only `Engine::evaluate` (and the correlator, if rules define any).

use std::path::PathBuf;
use std::time::Instant;

use cloudcase_event::Event;
use cloudcase_sigma::{Correlator, EventRecord, RuleSet};

struct Collect(Vec<Event>);

impl cloudcase_read::EventSink for Collect {
    fn accept(&mut self, event: Event) {
        self.0.push(event);
    }
}

fn main() {
    let mut args = std::env::args().skip(1).map(PathBuf::from);
    let Some(rules) = args.next() else {
        eprintln!("usage: throughput RULES_DIR [LOG_PATH…]");
        std::process::exit(2);
    };
    let mut logs: Vec<PathBuf> = args.collect();
    let _tmp = if logs.is_empty() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let cfg = cloudcase_gen::Config {
            out_dir: dir.path().to_path_buf(),
            target_bytes: 100_000_000,
            days: 3,
            incident: true,
            ..cloudcase_gen::Config::default()
        };
        cloudcase_gen::generate(&cfg).expect("generate corpus");
        logs.push(dir.path().to_path_buf());
        Some(dir)
    } else {
        None
    };

    let (set, problems) = RuleSet::load_paths(&[rules]);
    for p in &problems {
        eprintln!("{p}");
    }
    let (engine, problems) = set.compile();
    for p in &problems {
        eprintln!("{p}");
    }
    let inputs = cloudcase_read::discover(&logs, &|_| {}).expect("inputs");
    let (sinks, _) = cloudcase_read::read_files(
        &inputs.files,
        cloudcase_read::Limits::default(),
        vec![Collect(Vec::new())],
        &|_| {},
    );
    let mut events: Vec<Event> = sinks.into_iter().flat_map(|s| s.0).collect();
    events.sort_by_key(|e| e.time);
    let bytes: usize = events.iter().map(|e| e.raw.len()).sum();
    println!(
        "{} rules ({} tried on every event), {} correlations; {} events, {:.1} MB of records",
        engine.rules().len(),
        engine.unindexed_rules(),
        engine.correlations().len(),
        events.len(),
        bytes as f64 / 1e6
    );

    let mut hits = Vec::new();
    let mut out = Vec::new();
    let mut best = f64::MAX;
    let mut findings = 0usize;
    for _ in 0..5 {
        let start = Instant::now();
        let mut correlator = Correlator::new(&engine);
        findings = 0;
        out.clear();
        for (i, e) in events.iter().enumerate() {
            let rec = EventRecord::new(e);
            hits.clear();
            engine.evaluate(&rec, &mut hits);
            findings += hits.len();
            if !correlator.is_empty() {
                correlator.observe(e.time.millis(), &rec, &hits, i as u64, &mut out);
            }
        }
        correlator.finish(&mut out);
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "best of 5: {:.3} s, {:.0} events/s, {:.0} MB/s of records on one core; {} rule matches, {} correlation matches",
        best,
        events.len() as f64 / best,
        bytes as f64 / 1e6 / best,
        findings,
        out.len()
    );
}
