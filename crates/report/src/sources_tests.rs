//! The sections of the logs beyond CloudTrail, rendered from typed results: S3 server access
//! logs behind bucket verdicts, network flows and exfiltration, GuardDuty findings, DNS
//! queries and the billed cost, in both reports and both languages, with hostile text inert.

use cloudcase_model::ScopeResult;
use serde_json::json;

use crate::{executive_summary, fixtures, technical_report, Format, Lang};

/// The technical report of `scope` in `lang` and `format`.
pub(crate) fn technical(scope: &ScopeResult, lang: Lang, format: Format) -> String {
    let opts = fixtures::document_options(lang, AS_OF);
    format.render(&technical_report(
        &fixtures::analysis(scope.clone()),
        &[],
        &opts,
    ))
}

/// The executive summary of `scope` in `lang` and `format`.
pub(crate) fn executive(scope: &ScopeResult, lang: Lang, format: Format) -> String {
    let opts = fixtures::document_options(lang, AS_OF);
    let analysis = fixtures::analysis(scope.clone());
    format.render(&executive_summary(&analysis, &fixtures::first_version(), &opts).0)
}

/// When the reports are made.
const AS_OF: &str = "2026-01-03T00:00:00Z";

/// `md` from the heading `from` to the next heading of the same level.
fn section<'a>(md: &'a str, from: &str) -> &'a str {
    let start = md
        .find(from)
        .unwrap_or_else(|| panic!("no {from:?} in {md}"));
    let level = from.split(' ').next().unwrap_or("##");
    let rest = &md[start + from.len()..];
    let end = rest
        .find(&format!("\n{level} "))
        .map_or(md.len(), |e| start + from.len() + e);
    &md[start..end]
}

/// An incident with every source: a bucket read (access logs), one not observed, one
/// unknown; flows of the attacker instance; findings; queries; a bill.
pub(crate) fn every_source(flows: usize) -> ScopeResult {
    let flows = (0..flows)
        .map(|i| {
            let port = u16::try_from(1000 + i).unwrap_or(u16::MAX);
            fixtures::flow("i-0abc", "eni-1", "203.0.113.9", port, 1000)
        })
        .collect();
    fixtures::scope(json!({
        "resources": [fixtures::instance("i-0abc", "us-east-1")],
        "data_access": [
            fixtures::logged_bucket("customer-data", "ACCESSED", "whole", vec![
                fixtures::log_reader(Some("arn:aws:iam::1:user/svc-backup"), "203.0.113.9",
                    &["exports/a.csv", "exports/b.csv", "exports/c.csv", "exports/d.csv"], 7),
            ]),
            fixtures::logged_bucket("marketing-assets", "NOT_OBSERVED", "whole", vec![]),
            fixtures::data_access("s3_bucket", "payroll", "UNKNOWN"),
        ],
        "network": fixtures::network("OBSERVED", flows, "whole"),
        "guardduty": fixtures::guardduty(vec![
            fixtures::finding("CryptoCurrency:EC2/BitcoinTool.B!DNS", 8.0, "mining"),
            fixtures::finding("Recon:EC2/PortProbeUnprotectedPort", 2.0, "probe"),
        ], 3),
        "dns": fixtures::dns(vec![fixtures::dns_query("pool.minexmr.com.")]),
        "cost": fixtures::billed_cost(20.84, 21.08, true),
    }))
}

#[test]
fn network_states_the_verdict_and_coverage_before_a_bounded_flow_table() {
    let md = technical(&every_source(65), Lang::En, Format::Markdown);
    let net = section(&md, "## Network: VPC flow logs");
    let verdict = net
        .find("observed: flow records show bytes")
        .expect("verdict");
    let basis = net.find("**Basis**: flow basis").expect("basis");
    let coverage = net
        .find("14 flow record(s), 12 of them in the attacker window, on 2 interface(s)")
        .expect("coverage");
    let flows = net
        .find("### Flows per instance and interface")
        .expect("flows");
    assert!(
        verdict < basis && basis < coverage && coverage < flows,
        "{net}"
    );
    assert!(net.contains("52,450,900 bytes (52.5 MB)"));
    assert!(
        net.contains("1 (2026-01-01T03:10:00Z – 2026-01-01T03:19:59Z)"),
        "SKIPDATA"
    );
    let rows = net[flows..].matches("| `i-0abc` | `eni-1` |").count();
    assert_eq!(rows, 60, "bounded");
    assert!(net.contains("… and 5 more flow group(s)"), "{net}");
    assert!(
        net.contains("| 1000 | `tcp` | 400 bytes | 1,000 bytes (1.0 kB) |"),
        "{net}"
    );
    // Each flow row links its first record.
    let html = technical(&every_source(2), Lang::En, Format::Html);
    for port in [1000, 1001] {
        let anchor = html.find(&format!(">{port}<")).expect("the port is shown");
        assert!(
            html[anchor..].contains("<a href=\"#ref-"),
            "flow {port} cites its record"
        );
    }
    assert!(html.contains(">flows.log.gz<") || html.contains("flows.log.gz</code>"));
}

#[test]
fn bucket_verdicts_show_the_access_log_reads_files_and_partial_spans() {
    let md = technical(&every_source(1), Lang::En, Format::Markdown);
    let logs = section(&md, "### S3 server access logs behind the bucket verdicts");
    assert!(logs.contains(
        "| `customer-data` | accessed | 7 | 2026-01-01T00:00:00Z | 2026-01-02T23:00:00Z | 12 of 40 | the whole attacker window | 3 |"
    ), "{logs}");
    assert!(logs.contains("`s3-access-logs/customer-data/f4`"));
    assert!(!logs.contains("customer-data/f5"), "five files per bucket");
    assert!(logs.contains("… and 2 more file(s)"));
    let reads = section(&md, "### Reads by the attacker in the server access logs");
    assert!(
        reads.contains(
            "`arn:aws:iam::1:user/svc-backup` | `203.0.113.9` | an attacker identity | 9 |"
        ),
        "{reads}"
    );
    assert!(reads.contains("`exports/a.csv exports/b.csv exports/c.csv`"));
    assert!(!reads.contains("exports/d.csv"), "three keys per reader");
    assert!(reads.contains("124,604,531 bytes (124.6 MB)"));
    assert!(
        reads.contains("[\\["),
        "each read cites its first line: {reads}"
    );
    assert!(
        !logs.contains("payroll"),
        "an unknown bucket has no access-log coverage"
    );

    let partial = fixtures::scope(json!({"data_access": [
        fixtures::logged_bucket("half", "UNKNOWN", "partial", vec![])]}));
    let md = technical(&partial, Lang::En, Format::Markdown);
    assert!(md.contains(
        "half: the server access logs span only part of the attacker window, so its verdict covers that part only."
    ), "{md}");
    assert!(md.contains("The server access logs show no read by the attacker."));
    let unlogged = fixtures::scope(json!({"data_access": [
        fixtures::data_access("s3_bucket", "b", "UNKNOWN")]}));
    let md = technical(&unlogged, Lang::En, Format::Markdown);
    assert!(md.contains("The inputs hold no S3 server access logs of these buckets"));
}

#[test]
fn findings_queries_and_the_bill_are_shown_with_their_records() {
    let md = technical(&every_source(1), Lang::En, Format::Markdown);
    let gd = section(&md, "## GuardDuty findings");
    assert!(gd.contains("| `CryptoCurrency:EC2/BitcoinTool.B!DNS` | 8.0 (high) | `mining` | 2026-01-01T02:30:00Z | 2026-01-01T05:00:00Z | 42 | no | `address 203.0.113.9` | [\\["), "{gd}");
    assert!(gd.contains("2.0 (low)"));
    assert!(gd.contains("3 finding(s) in the inputs join nothing in this document."));
    assert!(gd.contains("never decide the intrusion or a verdict"));
    let dns = section(&md, "## DNS queries by attacker instances");
    assert!(dns.contains("4 Resolver query record(s) in the inputs, from 2026-01-01T02:26:00Z to 2026-01-01T04:00:00Z."));
    assert!(dns.contains("| `pool.minexmr.com.` | `A` | `i-0abc` | 2 | 2026-01-01T02:39:00Z | 2026-01-01T03:39:00Z | [\\["), "{dns}");
    let cost = section(&md, "## Cost of attacker resources");
    let billed = cost
        .find("**Billed (Cost and Usage Report)**: USD 21.08")
        .expect("billed");
    let estimate = cost
        .find("**List-price estimate**: USD 20.84")
        .expect("estimate");
    assert!(billed < estimate);
    assert!(cost.contains("2026-01-01T00:00:00Z to 2026-01-02T10:00:00Z"));
    assert!(cost.contains("| `i-0abc` | `us-east-1` | `BoxUsage:c5.4xlarge` | USD 21.08 |"));
    assert!(!cost.contains("lower bound"));

    let short = fixtures::scope(json!({"cost": fixtures::billed_cost(20.0, 3.5, false)}));
    let md = technical(&short, Lang::En, Format::Markdown);
    assert!(md.contains(
        "The report does not span the whole attacker window: the billed figure is a lower bound."
    ));
}

#[test]
fn absent_sources_say_which_log_would_answer() {
    let bare = fixtures::scope(json!({"cost": fixtures::cost(5.0, 0)}));
    let md = technical(&bare, Lang::En, Format::Markdown);
    for says in [
        "The inputs hold no VPC flow logs: whether data left over the network cannot be told",
        "The inputs hold no GuardDuty findings.",
        "their absence says nothing about what happened",
        "The inputs hold no Route 53 Resolver query logs",
        "The inputs hold no Cost and Usage Report: the figure above is a list-price estimate.",
    ] {
        assert!(md.contains(says), "{says}: {md}");
    }
    let exec = executive(&bare, Lang::En, Format::Markdown);
    let unknown = section(&exec, "## What is not yet known");
    assert!(
        unknown.contains("| Whether data left over the network | VPC flow logs of"),
        "{unknown}"
    );
    assert!(!exec.contains("Did data leave over the network?"));
    assert!(exec.contains("**Estimated cost of attacker resources**: USD 5.00"));
    assert!(!exec.contains("from the bill"));
}

#[test]
fn the_summary_answers_from_the_access_logs_flows_and_bill() {
    let md = executive(&every_source(1), Lang::En, Format::Markdown);
    let known = section(&md, "## What is known");
    let data = section(known, "### Was customer data read?");
    assert!(data.contains(
        "| `customer-data` | accessed | read by arn:aws:iam::1:user/svc-backup from 203.0.113.9: 8 object(s), 124,604,531 bytes (124.6 MB) sent,"
    ), "{data}");
    assert!(data.contains(
        "| `marketing-assets` | not observed (logging covered it) | server access logs span 2026-01-01T00:00:00Z to 2026-01-02T23:00:00Z (12 line(s) in the attacker window; they span the whole attacker window)"
    ), "{data}");
    assert!(!known.contains("payroll"), "UNKNOWN is not known");
    let network = section(known, "### Did data leave over the network?");
    assert!(network.contains(
        "Yes: VPC flow logs show 52,450,900 bytes (52.5 MB) sent to attacker addresses, the most to 203.0.113.9"
    ), "{network}");
    let unknown = section(&md, "## What is not yet known");
    assert!(unknown.contains("payroll"));
    assert!(!unknown.contains("left over the network"));
    let impact = section(&md, "## Business impact");
    assert!(impact.contains(
        "**Cost of attacker resources, from the bill**: USD 21.08 (Cost and Usage Report, 2026-01-01T00:00:00Z to 2026-01-02T10:00:00Z); list-price estimate USD 20.84"
    ), "{impact}");
    assert!(md.contains("the bill (Cost and Usage Report, 2026-01-01T00:00:00Z to 2026-01-02T10:00:00Z) shows USD 21.08"));

    let mut quiet = every_source(1);
    quiet.network =
        serde_json::from_value(fixtures::network("NOT_OBSERVED", vec![], "partial")).ok();
    let md = executive(&quiet, Lang::En, Format::Markdown);
    let network = section(&md, "### Did data leave over the network?");
    assert!(network.contains("Not observed: the flow records show no byte sent to attacker addresses. 14 flow record(s), 12 of them in the attacker window"), "{network}");
    assert!(network.contains("they span only part of the attacker window"));
    let tech = technical(&quiet, Lang::En, Format::Markdown);
    assert!(tech.contains("The flow logs span only part of the attacker window"));

    let mut blind = every_source(1);
    blind.network = serde_json::from_value(fixtures::network("UNKNOWN", vec![], "none")).ok();
    blind.unknowns = serde_json::from_value(json!([fixtures::unknown_about(
        "whether data left the account for the attacker addresses",
        "VPC Flow Logs",
        json!({"kind": "exfiltration"})
    )]))
    .unwrap_or_default();
    let md = executive(&blind, Lang::En, Format::Markdown);
    assert!(!md.contains("Did data leave over the network?"));
    let unknown = section(&md, "## What is not yet known");
    assert_eq!(unknown.matches("left").count(), 1, "asked once: {unknown}");
    assert!(unknown.contains("Whether data left over the network"));
}

#[test]
fn japanese_reports_have_the_new_headings_and_no_untranslated_key() {
    let scope = every_source(2);
    let tech = technical(&scope, Lang::Ja, Format::Markdown);
    for heading in [
        "### バケットの判定の根拠となった S3 サーバーアクセスログ",
        "### サーバーアクセスログに記録された攻撃者による読み取り",
        "## ネットワーク: VPC フローログ",
        "### ネットワーク経由でデータが持ち出されたか",
        "### 攻撃者のインスタンスとフローログ",
        "### インスタンス・インターフェースごとの通信",
        "## GuardDuty の検出結果",
        "## 攻撃者のインスタンスによる DNS クエリ",
        "## 攻撃者のリソースの費用",
    ] {
        assert!(tech.contains(heading), "{heading}: {tech}");
    }
    assert!(tech.contains("8.0 (高)") && tech.contains("52,450,900 バイト (52.5 MB)"));
    let exec = executive(&scope, Lang::Ja, Format::Markdown);
    for heading in [
        "### 顧客データは読み取られたか",
        "### ネットワーク経由でデータが持ち出されたか",
        "攻撃者のリソースの費用 (請求額)",
    ] {
        assert!(exec.contains(heading), "{heading}: {exec}");
    }
    let keys = [
        "amount.",
        "span.",
        "match.",
        "s3log.",
        "net.",
        "flow.",
        "exfil.",
        "flowlogs.",
        "gd.",
        "severity.",
        "join.",
        "dns.",
        "cost.",
        "answer.",
        "col.",
        "exec.",
        "tech.",
    ];
    for md in [&tech, &exec] {
        for key in keys {
            let leaked = md
                .match_indices(key)
                .map(|(i, _)| &md[i..md.len().min(i + 30)])
                .find(|rest| rest[key.len()..].starts_with(|c: char| c.is_ascii_lowercase()));
            assert!(leaked.is_none(), "untranslated key {leaked:?}");
        }
    }
}

/// `md` without its code spans (a run of backticks to the next run of the same length).
fn outside_code(md: &str) -> String {
    let mut out = String::new();
    let mut rest = md;
    while let Some(open) = rest.find('`') {
        out.push_str(&rest[..open]);
        let fence_len = rest[open..].len() - rest[open..].trim_start_matches('`').len();
        let after = &rest[open + fence_len..];
        let fence = "`".repeat(fence_len);
        match after.find(&fence) {
            Some(close) => rest = after[close + fence_len..].trim_start_matches('`'),
            None => {
                out.push_str(&rest[open..]);
                return out;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every table row of `md` has as many unescaped cell separators as its header row.
fn tables_hold(md: &str) {
    let lines: Vec<&str> = md.lines().collect();
    let cells = |l: &str| l.replace("\\|", "").matches('|').count();
    let mut width = 0;
    for (i, line) in lines.iter().enumerate() {
        if lines.get(i + 1).is_some_and(|n| n.starts_with("|---")) {
            width = cells(line);
        } else if line.starts_with('|') && !line.starts_with("|---") {
            assert_eq!(cells(line), width, "a cell broke the table: {line}");
        }
    }
}

#[test]
fn hostile_text_in_the_new_sections_stays_inert() {
    const SCRIPT: &str = "<script>alert(1)</script>";
    let pipes = "a|b`c``d|e";
    let control = "evil\u{1b}[31m\u{7}.example.";
    let mut scope = every_source(1);
    let hostile = fixtures::scope(json!({
        "data_access": [fixtures::logged_bucket("customer-data", "ACCESSED", "whole", vec![
            fixtures::log_reader(Some(SCRIPT), "203.0.113.9", &[pipes, control], 7),
            fixtures::log_reader(None, "198.51.100.1", &["[x](http://e)"], 8),
        ])],
        "guardduty": fixtures::guardduty(vec![fixtures::finding(pipes, 9.5, SCRIPT)], 0),
        "dns": fixtures::dns(vec![fixtures::dns_query(control), fixtures::dns_query(SCRIPT)]),
    }));
    scope.data_access = hostile.data_access;
    scope.guardduty = hostile.guardduty;
    scope.dns = hostile.dns;
    for lang in [Lang::En, Lang::Ja] {
        for text in [
            technical(&scope, lang, Format::Html),
            executive(&scope, lang, Format::Html),
        ] {
            assert!(!text.contains("<script>"), "markup let through");
            assert!(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}'),
                "control characters"
            );
        }
        // The technical report shows the keys in code spans, the summary names the
        // requester in a sentence.
        for (md, shown) in [
            (
                technical(&scope, lang, Format::Markdown),
                "```a\\|b`c``d\\|e```",
            ),
            (
                executive(&scope, lang, Format::Markdown),
                "&lt;script&gt;alert(1)&lt;/script&gt;",
            ),
        ] {
            assert!(
                !md.contains('\u{1b}') && !md.contains('\u{7}'),
                "control characters"
            );
            assert!(
                !outside_code(&md).contains("<script>"),
                "markup outside code spans"
            );
            assert!(
                !md.contains("](http://e)") || md.contains("`[x](http://e)`"),
                "no link"
            );
            assert!(md.contains(shown), "the hostile values are shown: {md}");
            tables_hold(&md);
        }
    }
    let md = technical(&scope, Lang::En, Format::Markdown);
    assert!(
        md.contains("| `customer-data` | anonymous | `198.51.100.1` |"),
        "{md}"
    );
    assert!(md.contains("9.5 (critical)"));
}

#[test]
fn facts_record_the_bill_and_the_exfiltration_verdict_and_their_changes() {
    use crate::facts::{Change, Facts};
    let bare = Facts::from_scope(&fixtures::scope(json!({})));
    assert_eq!(
        (bare.cost_billed.as_str(), bare.exfiltration.as_str()),
        ("", "")
    );
    let stored = serde_json::to_value(&bare).expect("json");
    assert!(stored.get("cost_billed").is_none() && stored.get("exfiltration").is_none());
    let full = Facts::from_scope(&every_source(1));
    assert_eq!(full.cost_billed, "USD 21.08");
    assert_eq!(full.exfiltration, "OBSERVED");
    assert_eq!(
        full.changes_since(&bare),
        [
            Change::Added("cost_billed", "USD 21.08".into()),
            Change::Added("exfiltration", "OBSERVED".into()),
            Change::Added("instances", "us-east-1/i-0abc".into()),
            Change::Changed("cost", String::new(), "0.00".into(), "20.84".into()),
            Change::Added("verdicts", "s3_bucket:customer-data ACCESSED".into()),
            Change::Added("verdicts", "s3_bucket:marketing-assets NOT_OBSERVED".into()),
            Change::Added("verdicts", "s3_bucket:payroll UNKNOWN".into()),
        ]
    );
    let mut short = every_source(1);
    short.cost = serde_json::from_value(fixtures::billed_cost(20.84, 3.5, false)).ok();
    let partial = Facts::from_scope(&short);
    assert_eq!(partial.cost_billed, "USD 3.50+");
    assert_eq!(
        partial.changes_since(&full),
        [Change::Changed(
            "cost_billed",
            String::new(),
            "USD 21.08".into(),
            "USD 3.50+".into()
        )]
    );
}
