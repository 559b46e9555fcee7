//! Reports rendered by headless Chromium (Debian's `chromium`): every report
//! kind, in English and Japanese, as HTML laid out at the A4 text width, printed
//! to PDF and screenshotted. Checks page size and count, that nothing is wider
//! than the page, that the HTML is self-contained and that attacker text stays
//! inert. Without Chromium the tests print `SKIPPED: chromium not installed`
//! and pass, unless `CLOUDCASE_REQUIRE_CHROMIUM=1` (CI), where they fail.

mod common;
use common::ok;

use std::path::{Path, PathBuf};
use std::process::Command;

use cloudcase_report::chromium::{
    pdf_page_count, pdf_page_sizes, Chromium, Probe, A4_TEXT_WIDTH_PX,
};

/// Planted in the case name and examiner: each would set `window.__xss`
/// (or leave an element behind) if it were ever parsed as markup.
const HOSTILE: &str = "<script>window.__xss=1;alert(1)</script><img src=x onerror=\"window.__xss=2\"><svg onload=\"window.__xss=3\">";

/// One row per report kind: its name on the command line and the most A4
/// pages allowed for the small generated case (the executive summary's bound
/// is the issue's).
struct Kind {
    name: &'static str,
    max_pages: usize,
}

const KINDS: &[Kind] = &[
    // The evidence record is a summary (every object is in the listings beside
    // it): under 50 pages for any case.
    Kind {
        name: "evidence",
        max_pages: 49,
    },
    Kind {
        name: "executive",
        max_pages: 3,
    },
    Kind {
        name: "technical",
        max_pages: 80,
    },
    // The runbook: five sections, one table each, commands wrapped to the page.
    Kind {
        name: "runbook",
        max_pages: 12,
    },
];

/// The browser, or `None` after printing `SKIPPED: chromium not installed`;
/// with `CLOUDCASE_REQUIRE_CHROMIUM=1` a missing browser fails the test.
fn chromium() -> Option<Chromium> {
    match Chromium::locate() {
        Ok(c) => Some(c),
        Err(e) => {
            assert!(
                std::env::var("CLOUDCASE_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
                "CLOUDCASE_REQUIRE_CHROMIUM=1 but {e}"
            );
            println!("SKIPPED: chromium not installed ({e})");
            None
        }
    }
}

/// A case holding a small generated incident, named and examined by hostile text.
fn hostile_case(dir: &Path) -> String {
    let logs = dir.join("logs");
    cloudcase_gen::generate(&cloudcase_gen::Config {
        seed: 11,
        out_dir: logs.clone(),
        target_bytes: 300_000,
        days: 4,
        incident: true,
        ..cloudcase_gen::Config::default()
    })
    .expect("generated logs");
    let case = dir.join("case").to_string_lossy().into_owned();
    let name = format!("Bill tripled {HOSTILE}");
    ok(&[
        "case",
        "init",
        &case,
        "--name",
        &name,
        "--examiner",
        HOSTILE,
        "--tz",
        "Asia/Tokyo",
    ]);
    ok(&["acquire", "--case", &case, &logs.to_string_lossy()]);
    ok(&["verify", "--case", &case]);
    // Reports read recorded analysis results: scope and hunt record theirs in the case.
    ok(&["scope", "--case", &case, "--auto", "--format", "json"]);
    ok(&["hunt", "--case", &case, "--format", "jsonl"]);
    case
}

/// The kinds `cloudcase report --help` offers, in table order.
fn offered_kinds() -> Vec<&'static Kind> {
    let help = ok(&["report", "--help"]);
    let offered: Vec<&Kind> = KINDS
        .iter()
        .filter(|k| {
            help.contains(&format!("- {}:", k.name))
                || help.contains(&format!(" {},", k.name))
                || help.contains(&format!(" {}]", k.name))
        })
        .collect();
    assert!(
        offered.iter().any(|k| k.name == "evidence"),
        "report --help lists no evidence kind:\n{help}"
    );
    offered
}

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 24);
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

/// `pdfinfo`'s page count, when poppler-utils is installed (required in CI).
fn pdfinfo_pages(pdf: &Path) -> Option<usize> {
    let out = Command::new("pdfinfo").arg(pdf).output();
    let Ok(out) = out else {
        assert!(
            std::env::var("CLOUDCASE_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "pdfinfo (poppler-utils) is required with CLOUDCASE_REQUIRE_CHROMIUM=1"
        );
        return None;
    };
    assert!(out.status.success(), "pdfinfo {}", pdf.display());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = text.lines().find(|l| l.starts_with("Pages:"))?;
    line["Pages:".len()..].trim().parse().ok()
}

/// Whether fontconfig knows a font covering Japanese (none is bundled).
fn japanese_font_installed() -> bool {
    Command::new("fc-list")
        .args([":lang=ja", "family"])
        .output()
        .is_ok_and(|o| o.status.success() && !o.stdout.is_empty())
}

fn assert_clean(what: &str, p: &Probe) {
    assert!(
        !p.overflows(),
        "{what}: wider than the page ({} px laid out in {} px): {:#?}",
        p.document_width,
        p.viewport_width,
        p.offenders
    );
    assert!(p.active.is_empty(), "{what}: active content {:?}", p.active);
    assert!(
        p.fetches.is_empty(),
        "{what}: not self-contained {:?}",
        p.fetches
    );
    assert!(!p.xss_marker, "{what}: injected script ran");
}

/// Prints `html` to PDF and PNG beside it; checks the PDF's pages are A4,
/// at most `max_pages`, as `pdfinfo` counts them; returns the page count.
fn print_and_check(chromium: &Chromium, html: &Path, max_pages: usize) -> usize {
    let pdf = html.with_extension("pdf");
    chromium.print_pdf(html, &pdf).expect("printed to PDF");
    let bytes = std::fs::read(&pdf).expect("PDF written");
    let pages = pdf_page_count(&bytes);
    let sizes = pdf_page_sizes(&bytes);
    assert!(
        pages >= 1 && pages <= max_pages,
        "{}: {pages} pages, at most {max_pages}",
        html.display()
    );
    assert_eq!(
        sizes.len(),
        pages,
        "{}: one MediaBox per page",
        html.display()
    );
    for (w, h) in sizes {
        assert!(
            (w - 595.0).abs() <= 1.0 && (h - 842.0).abs() <= 1.0,
            "{}: page {w}×{h} pt is not A4",
            html.display()
        );
    }
    if let Some(expected) = pdfinfo_pages(&pdf) {
        assert_eq!(
            pages,
            expected,
            "{}: page count disagrees with pdfinfo",
            html.display()
        );
    }
    let png = html.with_extension("png");
    chromium
        .screenshot(html, &png, 1000, 1400)
        .expect("screenshot");
    let shot = std::fs::read(&png).expect("PNG written");
    assert_eq!(png_size(&shot), (1000, 1400));
    // A blank 1000×1400 page compresses to a few kB; text and tables do not.
    assert!(
        shot.len() > 20_000,
        "{}: screenshot looks blank ({} bytes)",
        png.display(),
        shot.len()
    );
    pages
}

#[test]
fn every_report_kind_prints_on_a4_without_overflow_in_both_languages() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let case = hostile_case(dir.path());
    for kind in offered_kinds() {
        for lang in ["en", "ja"] {
            if lang == "ja" {
                assert!(
                    japanese_font_installed(),
                    "no Japanese font: install fonts-noto-cjk"
                );
            }
            let html: PathBuf = dir.path().join(format!("{}.{lang}.html", kind.name));
            let html_s = html.to_string_lossy().into_owned();
            ok(&[
                "report", kind.name, "--case", &case, "--lang", lang, "--format", "html", "--out",
                &html_s,
            ]);
            let what = format!("{} ({lang})", kind.name);
            let probe = chromium.probe(&html, A4_TEXT_WIDTH_PX).expect("probed");
            assert_clean(&what, &probe);
            let pages = print_and_check(&chromium, &html, kind.max_pages);
            println!("{what}: {pages} A4 pages");
        }
    }
}

#[test]
fn the_probe_sees_overflow_scripts_and_remote_references() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><p>ok</p><div style=\"width:2000px\">wide</div><pre>unbroken_________________________________________________________________________________________________________________________________________</pre><img src=\"http://192.0.2.1/x.png\"><script>window.__xss=1</script></body></html>",
    )
    .expect("written");
    let p = chromium.probe(&page, A4_TEXT_WIDTH_PX).expect("probed");
    assert!(
        (p.viewport_width - f64::from(A4_TEXT_WIDTH_PX)).abs() < 1.0,
        "{p:?}"
    );
    assert!(p.overflows() && p.document_width >= 2000.0, "{p:?}");
    assert!(
        p.offenders
            .iter()
            .any(|o| o.tag == "div" && o.text == "wide"),
        "{p:?}"
    );
    assert!(p.offenders.iter().any(|o| o.tag == "pre"), "{p:?}");
    assert!(
        p.xss_marker && p.active.contains(&"<script>".to_owned()),
        "{p:?}"
    );
    assert!(p.fetches.iter().any(|f| f.contains("192.0.2.1")), "{p:?}");
}

#[test]
fn printing_a_page_that_cannot_load_is_an_error_not_a_hang() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.html");
    assert!(chromium
        .print_pdf(&missing, &dir.path().join("x.pdf"))
        .is_err());
    let page = dir.path().join("p.html");
    std::fs::write(&page, "<p>x</p>").expect("written");
    let slow = chromium.with_timeout(std::time::Duration::from_millis(1));
    let err = slow
        .print_pdf(&page, &dir.path().join("y.pdf"))
        .expect_err("1 ms is too short");
    assert!(err.to_string().contains("longer than"), "{err}");
    assert!(!dir.path().join("y.pdf").exists());
}

#[test]
fn a_full_small_case_record_prints_under_50_pages() {
    let Some(chromium) = chromium() else { return };
    // 300 (object, source) pairs — the most the record lists one by one — with long
    // paths, over more day groups than the small-case budget, so groups are merged.
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir
        .path()
        .join("an-examiner-s-long-folder-name-for-the-copy-of-the-organisation-trail-bucket");
    for i in 0..300u32 {
        let kind = if i % 4 == 0 {
            "CloudTrail-Digest"
        } else {
            "CloudTrail"
        };
        let region = ["us-east-1", "ap-northeast-1", "eu-central-1"][(i % 3) as usize];
        let (month, day) = (1 + i / 28 % 12, 1 + i % 28);
        let folder = root.join(format!(
            "AWSLogs/o-abcdefghij/111122223333/{kind}/{region}/2024/{month:02}/{day:02}"
        ));
        std::fs::create_dir_all(&folder).expect("folder");
        let name = format!(
            "111122223333_{kind}_{region}_2024{month:02}{day:02}T{i:04}Z_0123456789abcdef.json.gz"
        );
        std::fs::write(folder.join(name), format!("{{\"n\":{i}}}")).expect("file");
    }
    let case = dir.path().join("case").to_string_lossy().into_owned();
    common::init_case(&case, "Full small case", "Aiko Tanaka");
    ok(&["acquire", "--case", &case, &root.to_string_lossy()]);
    ok(&["verify", "--case", &case]);
    for lang in ["en", "ja"] {
        let html = dir.path().join(format!("evidence-full.{lang}.html"));
        let html_s = html.to_string_lossy().into_owned();
        ok(&[
            "report", "evidence", "--case", &case, "--lang", lang, "--format", "html", "--out",
            &html_s,
        ]);
        let text = std::fs::read_to_string(&html).expect("record");
        assert!(
            text.contains("R1/AWSLogs/o-abcdefghij/111122223333/"),
            "every source is listed, under its root's number"
        );
        let pages = print_and_check(&chromium, &html, 49);
        println!("evidence, 300 pairs ({lang}): {pages} A4 pages");
    }
}
