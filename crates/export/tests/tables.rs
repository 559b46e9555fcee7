//! The tables over a generated corpus of every log: the cloudtrail schema's pivot columns are
//! exactly `Pivot::get`, every OCSF value has its column's type, and each log lands in its
//! class (billing in none).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cloudcase_event::{Event, LogSource};
use cloudcase_export::cloudtrail::{CloudTrail, PIVOTS};
use cloudcase_export::columns::Value;
use cloudcase_export::context::Ctx;
use cloudcase_export::ocsf::Ocsf;
use cloudcase_export::schema::{Kind, Table};
use cloudcase_sigma::FieldPath;

fn events() -> Vec<Event> {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = cloudcase_gen::Config {
        seed: 7,
        out_dir: dir.path().to_path_buf(),
        target_bytes: 3_000_000,
        days: 2,
        incident: true,
        sources: cloudcase_gen::Sources::all(),
        threads: 1,
        ..cloudcase_gen::Config::default()
    };
    cloudcase_gen::generate(&cfg).expect("generate");
    let inputs = cloudcase_read::discover(&[dir.path().to_path_buf()], &|_| {}).expect("discover");
    let all = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let all = Arc::clone(&all);
        move |e: Event| all.lock().expect("lock").push(e)
    };
    cloudcase_read::read_files(&inputs.files, Default::default(), vec![sink], &|_| {});
    let mut v = std::mem::take(&mut *all.lock().expect("lock"));
    v.sort_by_key(|e| (e.provenance.file.ordinal, e.provenance.record));
    v
}

fn ctx(e: &Event) -> Ctx<'_> {
    Ctx {
        event: e,
        file: "f",
        sha256: Some("00"),
    }
}

fn kind_fits(kind: Kind, v: &Value<'_>) -> bool {
    matches!(
        (kind, v),
        (Kind::Str, Value::Str(_))
            | (Kind::Int32 | Kind::Int64 | Kind::TimeMicros, Value::Int(_))
            | (Kind::Bool, Value::Bool(_))
    )
}

fn check_types(table: &Table, row: &cloudcase_export::columns::Row<'_>) {
    for (i, leaf) in table.leaves.iter().enumerate() {
        let values: Vec<&Value<'_>> = match leaf.list {
            None => row.value(i).into_iter().collect(),
            Some(_) => row.elements(i).iter().flatten().collect(),
        };
        for v in values {
            assert!(kind_fits(leaf.spec.kind, v), "{} = {v:?}", leaf.spec.path);
        }
        if leaf.spec.required {
            assert!(row.value(i).is_some(), "{} is required", leaf.spec.path);
        }
    }
}

#[test]
fn pivot_columns_hold_exactly_what_the_sigma_engine_reads() {
    let events = events();
    let ct = CloudTrail::new().expect("table");
    let mut seen = 0;
    for e in &events {
        let row = ct.row(&ctx(e));
        check_types(ct.table(), &row);
        for (column, field) in PIVOTS {
            let i = ct.table().leaf(column).expect("pivot column");
            let pivot = FieldPath::new(field).pivot().expect("a pivot");
            let got = match row.value(i) {
                Some(Value::Str(s)) => Some(s.as_ref()),
                _ => None,
            };
            assert_eq!(got, pivot.get(e), "{column}");
            seen += usize::from(got.is_some());
        }
        let raw = ct.table().leaf("raw").expect("raw");
        assert_eq!(row.value(raw), Some(&Value::Str(e.raw.as_ref().into())));
    }
    assert!(seen > events.len(), "pivots mostly empty: {seen}");
}

#[test]
fn every_log_lands_in_its_ocsf_class_with_typed_values() {
    let events = events();
    let ocsf = Ocsf::new().expect("table");
    let class = ocsf.table().leaf("class_uid").expect("class_uid");
    let mut by: BTreeMap<(LogSource, i64), u64> = BTreeMap::new();
    for e in &events {
        match ocsf.row(&ctx(e)) {
            Some(row) => {
                check_types(ocsf.table(), &row);
                let Some(Value::Int(uid)) = row.value(class) else {
                    panic!("no class_uid");
                };
                *by.entry((e.source, *uid)).or_default() += 1;
            }
            None => assert_eq!(e.source, LogSource::Billing),
        }
    }
    let classes: Vec<(LogSource, i64)> = by.keys().copied().collect();
    for want in [
        (LogSource::CloudTrail, 6003),
        (LogSource::CloudTrail, 3001),
        (LogSource::S3Access, 6003),
        (LogSource::VpcFlow, 4001),
        (LogSource::Route53Resolver, 4003),
        (LogSource::GuardDuty, 2004),
    ] {
        assert!(classes.contains(&want), "{want:?} missing from {classes:?}");
    }
}

/// The crate's README documents every column of both tables.
#[test]
fn the_readme_documents_every_column() {
    let readme = include_str!("../README.md");
    let ct = CloudTrail::new().expect("table");
    let ocsf = Ocsf::new().expect("table");
    if std::env::var_os("CLOUDCASE_PRINT_OCSF_TABLE").is_some() {
        for f in cloudcase_export::ocsf::fields::FIELDS {
            let classes: Vec<&str> = cloudcase_export::ocsf::classes::CLASSES
                .iter()
                .filter(|c| f.classes & c.bit != 0)
                .map(|c| c.name)
                .collect();
            let classes = if classes.len() == 6 {
                "all".to_owned()
            } else {
                classes.join(", ")
            };
            println!("| `{}` | {:?} | {} | {} |", f.path, f.kind, classes, f.from);
        }
    }
    for leaf in ct.table().leaves.iter().chain(&ocsf.table().leaves) {
        let cell = format!("| `{}` |", leaf.spec.path);
        assert!(
            readme.contains(&cell),
            "README lacks a row for {}",
            leaf.spec.path
        );
    }
}
