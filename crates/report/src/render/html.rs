//! Self-contained HTML rendering: no scripts, no network fetches, A4 print styles.

use std::fmt::Write;

use crate::chart::to_svg;
use crate::escape::html;
use crate::{Block, Cell, Document};

/// Inline style sheet: readable on screen, clean on A4 paper. Fonts are the
/// system's (nothing is bundled or downloaded): Noto Sans CJK JP from Debian's
/// `fonts-noto-cjk` first, then other common Japanese fonts, so Japanese
/// never falls back to boxes where any of them is installed. The page margins
/// match [`A4_TEXT_WIDTH_PX`](crate::chromium::A4_TEXT_WIDTH_PX). Nothing may
/// be wider than the text area: tables have a fixed layout, and identifiers,
/// hashes and long words wrap anywhere.
const STYLE: &str = r#"
@page { size: A4; margin: 14mm 12mm; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", "Meiryo", "IPAexGothic", "IPAGothic", system-ui, sans-serif; font-size: 10pt; line-height: 1.45; color: #111; max-width: 190mm; margin: 0 auto; padding: 8mm 4mm; overflow-wrap: anywhere; }
body:lang(ja) { line-height: 1.55; }
h1 { font-size: 18pt; border-bottom: 2px solid #333; padding-bottom: 2mm; margin: 0 0 4mm; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1px solid #999; }
h3 { font-size: 11pt; margin: 4mm 0 1.5mm; }
h1, h2, h3, h4, h5, h6 { break-after: avoid; break-inside: avoid; }
p { margin: 1.5mm 0 2.5mm; orphans: 3; widows: 3; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 8pt; margin: 2mm 0 4mm; }
thead { display: table-header-group; }
th, td { border: 1px solid #bbb; padding: 1mm 1.5mm; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
th { background: #eee; }
tr { break-inside: avoid; }
code { font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK JP", monospace; font-size: 7.5pt; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: fit-content(45%) minmax(0, 1fr); gap: 0.5mm 4mm; }
dt { font-weight: bold; overflow-wrap: anywhere; }
dd { margin: 0; overflow-wrap: anywhere; min-width: 0; }
img, svg { max-width: 100%; }
figure.chart { margin: 2mm 0 4mm; break-inside: avoid; }
figure.chart svg { display: block; width: 100%; height: auto; }
a { color: #124; }
@media print { body { max-width: none; padding: 0; font-size: 9.5pt; } h2 { margin-top: 5mm; } }
"#;

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(s) => html(s),
        Cell::Code(s) => format!("<code>{}</code>", html(s)),
        Cell::Ref(n) => format!("<a href=\"#ref-{n}\">[{n}]</a>"),
        Cell::Anchor(n) => format!("<span id=\"ref-{n}\">{n}</span>"),
    }
}

/// Renders `doc` as one HTML file. A Content-Security-Policy forbids scripts
/// and every network fetch, as a second line of defence behind escaping.
pub(crate) fn render(doc: &Document) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        doc.lang,
        html(&doc.title),
        html(&doc.title)
    );
    for block in &doc.blocks {
        match block {
            Block::Heading(level, text) => {
                let l = (*level).clamp(2, 6);
                let _ = writeln!(out, "<h{l}>{}</h{l}>", html(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "<p>{}</p>", html(text));
            }
            Block::KeyValues(pairs) => {
                out.push_str("<dl>\n");
                for (k, v) in pairs {
                    let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", html(k), cell(v));
                }
                out.push_str("</dl>\n");
            }
            Block::Table { headers, rows } => {
                out.push_str("<table>\n<colgroup>");
                for w in column_widths(headers, rows) {
                    let _ = write!(out, "<col style=\"width:{w:.1}%\">");
                }
                out.push_str("</colgroup>\n<thead><tr>");
                for h in headers {
                    let _ = write!(out, "<th>{}</th>", html(h));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for c in row {
                        let _ = write!(out, "<td>{}</td>", cell(c));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::Chart(chart) => {
                let _ = writeln!(out, "<figure class=\"chart\">{}</figure>", to_svg(chart));
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// Display width of a text in half-width units: wide (CJK) characters count two.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

/// Narrowest and widest share a column may claim, in half-width characters.
const COLUMN_WEIGHT: (usize, usize) = (8, 40);

/// Column widths in percent, by the widest header or cell of each column (clamped), so that a
/// number column stays narrow and a sentence column gets the room; the table layout stays fixed,
/// so nothing can push the table past the page.
fn column_widths(headers: &[String], rows: &[Vec<Cell>]) -> Vec<f64> {
    let weights: Vec<usize> = (0..headers.len())
        .map(|i| {
            let cells = rows
                .iter()
                .filter_map(|r| r.get(i))
                .map(|c| display_width(&c.text()));
            cells
                .chain(std::iter::once(display_width(&headers[i])))
                .max()
                .unwrap_or(0)
                .clamp(COLUMN_WEIGHT.0, COLUMN_WEIGHT.1)
        })
        .collect();
    let total: usize = weights.iter().sum::<usize>().max(1);
    weights
        .iter()
        .map(|w| 100.0 * *w as f64 / total as f64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_columns_stay_narrow_and_widths_add_up() {
        let headers = vec!["#".to_owned(), "対応".to_owned()];
        let rows = vec![vec![
            Cell::Text("1".into()),
            Cell::Text("証拠を保全したうえで、範囲内の封じ込め計画を実施する".into()),
        ]];
        let w = column_widths(&headers, &rows);
        assert!(w[0] < 20.0 && w[1] > 80.0, "{w:?}");
        assert!((w.iter().sum::<f64>() - 100.0).abs() < 0.01);
        assert!(column_widths(&[], &[]).is_empty());
    }

    #[test]
    fn style_is_offline_and_its_page_matches_the_probe_width() {
        assert!(!STYLE.contains("url(") && !STYLE.contains("@import"));
        let page = STYLE
            .lines()
            .find(|l| l.starts_with("@page"))
            .expect("an @page rule");
        let side_mm: f64 = page
            .split("margin:")
            .nth(1)
            .and_then(|m| m.split_whitespace().nth(1))
            .and_then(|m| m.trim_end_matches([';', '}']).strip_suffix("mm"))
            .and_then(|m| m.parse().ok())
            .expect("margin: <top>mm <side>mm");
        let text_px = (210.0 - 2.0 * side_mm) * 96.0 / 25.4;
        assert_eq!(
            text_px.round(),
            f64::from(crate::chromium::A4_TEXT_WIDTH_PX)
        );
    }

    #[test]
    fn hostile_text_is_inert() {
        let doc = Document {
            title: "<img src=x onerror=alert(1)>".into(),
            lang: "en",
            blocks: vec![Block::Table {
                headers: vec!["user agent".into()],
                rows: vec![
                    vec![Cell::Text("<script>alert(1)</script>".into())],
                    vec![Cell::Code("</code><script>x</script>".into())],
                ],
            }],
        };
        let out = render(&doc);
        assert!(!out.contains("<script>") && !out.contains("<img"));
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(out.contains("default-src 'none'"));
    }
}
