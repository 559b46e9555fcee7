//! Tests of the whole evidence record over a real case folder.

use std::path::Path;

use super::*;
use crate::Format;

/// A case holding CloudTrail logs and digests of two regions and two days
/// (`per_folder` files in each of the eight folders) plus one loose file.
fn case_with_layout(dir: &Path, per_folder: usize) -> Case {
    let logs = dir.join("bucket-copy");
    for kind in ["CloudTrail", "CloudTrail-Digest"] {
        for region in ["us-east-1", "eu-west-1"] {
            for day in ["17", "18"] {
                let folder = logs.join(format!(
                    "AWSLogs/111122223333/{kind}/{region}/2024/05/{day}"
                ));
                std::fs::create_dir_all(&folder).expect("mkdir");
                for i in 0..per_folder {
                    let body = format!("{{\"Records\":[],\"n\":\"{kind}{region}{day}{i}\"}}");
                    std::fs::write(folder.join(format!("{i}.json")), body).expect("write");
                }
            }
        }
    }
    std::fs::write(logs.join("=loose.json"), "{\"Records\":[]}").expect("write");
    let case = Case::init(&dir.join("case"), "IR-7", "Aiko", "UTC").expect("init");
    case.acquire_paths(&[&logs], &Default::default())
        .expect("acquire");
    case
}

fn record(case: &Case, lang: Lang, listing_dir: &Path) -> EvidenceRecord {
    let custody = CustodyDigest::read(case).expect("custody");
    let opts = EvidenceRecordOptions {
        lang,
        generated: "2024-06-01T00:00:00Z".into(),
        tool: "cloudcase test".into(),
        listing_dir: listing_dir.to_path_buf(),
    };
    evidence_record(case, &custody, &opts).expect("record")
}

fn sha256(bytes: &[u8]) -> String {
    cloudcase_util::hex::sha256_hex(bytes)
}

#[test]
fn a_small_case_gets_groups_listings_and_every_object() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = case_with_layout(dir.path(), 2);
    let out = dir.path().join("reports");
    let rec = record(&case, Lang::En, &out);
    let html = Format::Html.render(&rec.document);
    let manifest = std::fs::read(case.layout().manifest_file()).expect("manifest");
    let lines: Vec<&[u8]> = manifest.split_inclusive(|&b| b == b'\n').collect();
    assert_eq!(lines.len(), 17);
    // Every object is listed in the record of a small case.
    for line in &lines {
        let v: Value = serde_json::from_slice(line).expect("JSON");
        let sha = v["sha256"].as_str().expect("sha256");
        assert!(html.contains(sha), "{sha} not listed");
    }
    // The group of one folder: its hash is that of its two lines, as grep selects them.
    let root = dir.path().join("bucket-copy");
    let prefix = format!(
        "\"source\":\"{}/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2024/05/18/",
        root.display()
    );
    let selected: Vec<u8> = lines
        .iter()
        .filter(|l| l.windows(prefix.len()).any(|w| w == prefix.as_bytes()))
        .flat_map(|l| l.iter().copied())
        .collect();
    assert_eq!(selected.iter().filter(|&&b| b == b'\n').count(), 2);
    assert!(html.contains(&sha256(&selected)), "group hash missing");
    assert!(html.contains(&sha256(&manifest)), "manifest hash missing");
    assert!(html.contains("Grain: day"), "grain stated");
    assert!(
        html.contains("no trusted timestamp recorded")
            || html.contains("No trusted timestamp recorded")
    );
    // Listings: in place only once persisted, then named with rows and hashes.
    assert!(!out.join("evidence-listing.csv").exists());
    let infos: Vec<ListingInfo> = rec
        .listings
        .into_iter()
        .map(|l| l.persist().expect("persist"))
        .collect();
    for info in &infos {
        assert_eq!(info.rows, 17);
        let bytes = std::fs::read(&info.path).expect("listing");
        assert_eq!(sha256(&bytes), info.sha256);
        assert!(html.contains(&info.sha256) && html.contains(&info.file_name));
    }
    let csv = std::fs::read_to_string(&infos[0].path).expect("csv");
    assert!(csv.contains("/=loose.json"), "the loose file is listed");
    assert_eq!(csv.lines().count(), 18, "header and one row per line");
}

#[test]
fn the_japanese_record_uses_japanese_labels() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = case_with_layout(dir.path(), 1);
    let rec = record(&case, Lang::Ja, &dir.path().join("r"));
    let md = Format::Markdown.render(&rec.document);
    for label in [
        "取得元グループ",
        "全件一覧",
        "信頼できるタイムスタンプ",
        "操作別の件数",
        "集計の単位",
    ] {
        assert!(md.contains(label), "{label}");
    }
}

#[test]
fn budgets_add_up_to_a_printable_record() {
    let b = ROW_BUDGET;
    let others = b.custody_listed + b.analysis + b.actions;
    let small = b.groups_small_case + 2 * scan::SMALL_CASE_PAIRS + others;
    let large = b.groups + others;
    assert!(small <= 750 && large <= 600, "{small} / {large} rows");
    assert!(b.groups_small_case < b.groups);
    let (shown, left) = newest(&[1, 2, 3, 4, 5], 2);
    assert_eq!((shown, left), (&[4, 5][..], 3));
}
