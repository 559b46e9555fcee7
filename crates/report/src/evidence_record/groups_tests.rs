//! Tests of source grouping: classification, coarsening, group hashes.

use std::collections::BTreeMap;
use std::fmt::Write;

use cloudcase_evidence::ManifestRecord;

use super::super::grouper::Grouper;
use super::*;

fn fields(source: &str) -> SourceFields<'_> {
    classify(source, "2024-06-01T10:00:00.5Z")
}

fn date(f: &SourceFields<'_>) -> Option<(String, DateBasis)> {
    f.date
        .map(|d| (format!("{}-{}-{}", d.year, d.month, d.day), d.basis))
}

#[test]
fn cloudtrail_layouts_give_root_type_account_region_and_day() {
    let f = fields("s3://trail/org/AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2024/05/18/111122223333_CloudTrail_us-east-1_20240518T0935Z_x.json.gz");
    assert_eq!(f.root, "s3://trail/org");
    assert_eq!(f.log_type, LogType::CloudTrail);
    assert_eq!(f.account, Some("111122223333"));
    assert_eq!(f.region, Some("us-east-1"));
    assert_eq!(date(&f), Some(("2024-05-18".into(), DateBasis::Path)));

    let f = fields(
        "/cases/copy/AWSLogs/111122223333/CloudTrail-Digest/ap-northeast-1/2024/05/19/d.json.gz",
    );
    assert_eq!(f.root, "/cases/copy");
    assert_eq!(f.log_type, LogType::CloudTrailDigest);
    assert_eq!(f.region, Some("ap-northeast-1"));
    assert_eq!(date(&f), Some(("2024-05-19".into(), DateBasis::Path)));

    let f = fields("s3://b/AWSLogs/111122223333/vpcflowlogs/us-gov-west-1/2024/01/02/f.log.gz");
    assert_eq!((f.root, f.log_type), ("s3://b", LogType::Other));
    assert_eq!(f.region, Some("us-gov-west-1"));
}

#[test]
fn other_locations_fall_back_to_parent_folder_file_name_and_acquisition_day() {
    let f = fields("/tmp/loose/111122223333_CloudTrail_us-east-1_20240518T0935Z_x.json.gz");
    assert_eq!(f.root, "/tmp/loose");
    assert_eq!(f.log_type, LogType::CloudTrail);
    assert_eq!((f.account, f.region), (None, None));
    assert_eq!(date(&f), Some(("2024-06-01".into(), DateBasis::Acquired)));

    let f = fields("/exports/2023/12/31/events.jsonl");
    assert_eq!(f.root, "/exports/2023/12/31");
    assert_eq!(date(&f), Some(("2023-12-31".into(), DateBasis::Path)));

    let f = fields("/x/AWSLogs/not-an-account/2024/13/01/f.json");
    assert_eq!((f.account, f.log_type), (None, LogType::Other));
    assert_eq!(date(&f).map(|d| d.1), Some(DateBasis::Acquired));

    let f = fields("aws:lookup-events?region=us-east-1&since=2024-01-01");
    assert_eq!((f.root, f.log_type), ("aws:lookup-events", LogType::AwsApi));
    assert_eq!(date(&f), Some(("2024-06-01".into(), DateBasis::Acquired)));

    let f = classify(
        "/AWSLogs/111122223333/CloudTrail/eu-west-1/2024/02/29/a",
        "garbage",
    );
    assert_eq!(f.root, "/");
    assert_eq!(date(&f), Some(("2024-02-29".into(), DateBasis::Path)));
    assert_eq!(classify("/a", "garbage").date, None);
}

/// A record for grouping tests; only `source`, `size` and `acquired` matter.
fn record(source: String, acquired: &str) -> ManifestRecord {
    ManifestRecord {
        sha256: "0".repeat(64),
        size: 10,
        object: String::new(),
        source,
        source_kind: "file".into(),
        mtime: None,
        acquired: acquired.into(),
        examiner: "e".into(),
        host: "h".into(),
        tool: "t".into(),
        command: Vec::new(),
        identity: None,
        metadata: BTreeMap::new(),
    }
}

#[test]
fn a_huge_case_is_coarsened_until_it_fits_and_says_why() {
    // 400 accounts × 17 regions × 365 days: 2 482 000 day groups.
    let regions: Vec<String> = (0..17).map(|i| format!("ap-region-{}", i + 1)).collect();
    let mut g = Grouper::new(300);
    let mut r = record(String::new(), "2025-01-02T00:00:00Z");
    let mut n = 0u64;
    let start = jiff::civil::date(2024, 1, 1);
    for day in 0..365 {
        let d = start
            .checked_add(jiff::Span::new().days(day))
            .expect("date in 2024");
        let ymd = d.strftime("%Y/%m/%d").to_string();
        for region in &regions {
            for account in 0..400u64 {
                r.source.clear();
                let _ = write!(
                    r.source,
                    "s3://trail/AWSLogs/{:012}/CloudTrail/{region}/{ymd}/f.json.gz",
                    100_000_000_000 + account
                );
                g.add(r.source.as_bytes(), &r);
                n += 1;
            }
        }
    }
    let s = g.finish();
    assert_eq!(n, 2_482_000);
    assert_eq!(s.grain, Grain::NoAccount);
    assert_eq!(s.too_fine, Some(Grain::NoRegion));
    assert_eq!(s.roots, vec!["s3://trail".to_owned()]);
    assert_eq!(s.groups.len(), 12, "one group per month");
    assert!(s.groups.len() + s.roots.len() <= s.budget);
    assert_eq!(s.groups.iter().map(|g| g.lines).sum::<u64>(), n);
    let first = &s.groups[0].key;
    assert_eq!(first.account, Field::Merged);
    assert_eq!(first.region, Field::Merged);
    assert_eq!(
        first.period,
        PeriodField::Value(Period {
            text: "2024-01".into(),
            basis: DateBasis::Path
        })
    );
}

#[test]
fn any_number_of_roots_ends_in_one_group_per_log_type() {
    let mut g = Grouper::new(20);
    for i in 0..500 {
        let digest = if i % 2 == 0 {
            "CloudTrail"
        } else {
            "CloudTrail-Digest"
        };
        let src = format!("/copies/{i}/AWSLogs/111122223333/{digest}/us-east-1/2024/05/18/f");
        g.add(src.as_bytes(), &record(src.clone(), "2024-05-18T00:00:00Z"));
    }
    let s = g.finish();
    assert_eq!((s.grain, s.too_fine), (Grain::TypeOnly, Some(Grain::Whole)));
    assert!(s.roots.is_empty());
    let types: Vec<LogType> = s.groups.iter().map(|g| g.key.log_type).collect();
    assert_eq!(types, vec![LogType::CloudTrail, LogType::CloudTrailDigest]);
}

#[test]
fn the_grain_does_not_depend_on_the_order_of_lines() {
    let sources: Vec<String> = (0..40)
        .map(|i| {
            format!(
                "s3://t/AWSLogs/11112222333{}/CloudTrail/us-east-{}/2024/0{}/1{}/f",
                i % 4,
                i % 2 + 1,
                i % 3 + 1,
                i % 5
            )
        })
        .collect();
    let run = |order: &mut dyn Iterator<Item = &String>| {
        let mut g = Grouper::new(12);
        for s in order {
            g.add(s.as_bytes(), &record(s.clone(), "2024-05-18T00:00:00Z"));
        }
        let s = g.finish();
        let keys: Vec<GroupKey> = s.groups.iter().map(|g| g.key.clone()).collect();
        (s.grain, keys)
    };
    let forward = run(&mut sources.iter());
    let backward = run(&mut sources.iter().rev());
    assert_eq!(forward, backward);
    assert_eq!(forward.0, Grain::NoAccount);
}

/// SHA-256 hex of `bytes`, computed here without the grouper.
fn sha256(bytes: &[u8]) -> String {
    cloudcase_util::hex::sha256_hex(bytes)
}

#[test]
fn a_group_hash_is_the_hash_of_its_manifest_lines_as_grep_selects_them() {
    // Interleaved days, regions and log types, as serialized manifest lines.
    let mut manifest = Vec::new();
    let mut g = Grouper::new(300);
    for i in 0..60u32 {
        let kind = ["CloudTrail", "CloudTrail-Digest"][(i % 2) as usize];
        let region = ["us-east-1", "eu-west-1"][(i / 2 % 2) as usize];
        let day = 17 + i % 3;
        let src =
            format!("/c/logs/AWSLogs/111122223333/{kind}/{region}/2024/05/{day}/f{i}.json.gz");
        let mut r = record(src, &format!("2024-06-0{}T10:00:00Z", 1 + i % 7));
        r.size = u64::from(i);
        let mut line = serde_json::to_vec(&r).expect("serialized");
        line.push(b'\n');
        g.add(&line, &r);
        manifest.extend_from_slice(&line);
    }
    let s = g.finish();
    assert_eq!(s.grain, Grain::Day);
    assert_eq!(s.groups.len(), 2 * 2 * 3);
    for group in &s.groups {
        let (Field::Value(root), Field::Value(acct), Field::Value(region)) =
            (&group.key.root, &group.key.account, &group.key.region)
        else {
            panic!("{group:?}");
        };
        let PeriodField::Value(p) = &group.key.period else {
            panic!("{group:?}");
        };
        let kind = match group.key.log_type {
            LogType::CloudTrail => "CloudTrail",
            _ => "CloudTrail-Digest",
        };
        // What `grep -F '"source":"<prefix>' manifest.jsonl | sha256sum` computes.
        let prefix = format!(
            "\"source\":\"{root}/AWSLogs/{acct}/{kind}/{region}/{}/",
            p.text.replace('-', "/")
        );
        let selected: Vec<u8> = manifest
            .split_inclusive(|&b| b == b'\n')
            .filter(|l| l.windows(prefix.len()).any(|w| w == prefix.as_bytes()))
            .flatten()
            .copied()
            .collect();
        assert_eq!(group.lines, 5, "{prefix}");
        assert_eq!(group.sha256, sha256(&selected), "{prefix}");
        assert!(group.first <= group.last);
    }
}

#[test]
fn shared_hash_states_give_every_grain_the_hash_of_its_own_lines() {
    // Interleaved roots, accounts, regions, types and days, so that levels
    // share hash states, split them and are dropped at different lines.
    let mut lines: Vec<(Vec<u8>, ManifestRecord)> = Vec::new();
    for i in 0..600u32 {
        let x = i.wrapping_mul(2_654_435_761) >> 7;
        let root = ["s3://a", "s3://b/p", "/copy"][(x % 3) as usize];
        let kind = ["CloudTrail", "CloudTrail-Digest"][(x / 3 % 2) as usize];
        let acct = 111_122_223_333u64 + u64::from(x / 6 % 3);
        let region = ["us-east-1", "eu-west-1", "ap-south-1"][(x / 18 % 3) as usize];
        let (month, day) = (1 + x / 54 % 2, 1 + x / 108 % 3);
        let src = if i % 50 == 7 {
            format!("aws:lookup-events?region={region}")
        } else if i % 9 == 4 {
            format!("/loose/{}/2024/0{month}/0{day}/f{i}.json", x % 40)
        } else {
            format!("{root}/AWSLogs/{acct}/{kind}/{region}/2024/0{month}/0{day}/f{i}.json.gz")
        };
        let r = record(src, &format!("2024-0{month}-1{day}T00:00:0{}Z", i % 10));
        let mut line = serde_json::to_vec(&r).expect("serialized");
        line.push(b'\n');
        lines.push((line, r));
    }
    let mut grains = Vec::new();
    for budget in [1000, 400, 330, 300, 260, 200, 120, 60, 30, 12, 8, 4] {
        let mut g = Grouper::new(budget);
        for (line, r) in &lines {
            g.add(line, r);
        }
        let s = g.finish();
        grains.push(s.grain);
        let spec = GRAINS.iter().find(|x| x.grain == s.grain).expect("spec");
        assert!(s.groups.len() + s.roots.len() <= budget, "{budget}");
        assert_eq!(s.groups.iter().map(|g| g.lines).sum::<u64>(), 600);
        for group in &s.groups {
            let mine: Vec<u8> = lines
                .iter()
                .filter(|(_, r)| GroupKey::of(spec, &classify(&r.source, &r.acquired)) == group.key)
                .flat_map(|(l, _)| l.iter().copied())
                .collect();
            assert_eq!(group.sha256, sha256(&mine), "{budget} {:?}", group.key);
        }
    }
    let mut distinct = grains.clone();
    distinct.dedup();
    assert!(distinct.len() >= 6, "{grains:?}");
    assert!(grains.contains(&Grain::DayLooseMerged), "{grains:?}");
}

#[test]
fn many_loose_folders_are_merged_before_days_are() {
    let mut g = Grouper::new(50);
    for day in 1..=20 {
        let src =
            format!("s3://t/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/{day:02}/f.json.gz");
        g.add(src.as_bytes(), &record(src.clone(), "2024-06-01T00:00:00Z"));
    }
    // A case folder acquired by mistake: one folder per shard.
    for shard in 0..256 {
        let src = format!("/copy/case/evidence/objects/sha256/{shard:02x}/{shard:064x}");
        g.add(src.as_bytes(), &record(src.clone(), "2024-06-01T00:00:00Z"));
    }
    let s = g.finish();
    assert_eq!(
        (s.grain, s.too_fine),
        (Grain::DayLooseMerged, Some(Grain::Day))
    );
    assert!(s.grain.merges_loose_roots());
    assert_eq!(s.roots, vec!["s3://t".to_owned()]);
    assert_eq!(
        s.groups.len(),
        21,
        "20 days of CloudTrail and the merged folders"
    );
    let loose: Vec<&GroupRow> = s
        .groups
        .iter()
        .filter(|g| g.key.root == Field::Merged)
        .collect();
    assert_eq!(loose.len(), 1);
    assert_eq!(loose[0].lines, 256);
}
