//! Self-contained HTML rendering: no scripts, no network fetches, A4 print styles.

use std::fmt::Write;

use crate::escape::html;
use crate::{Block, Cell, Document};

/// Inline style sheet: readable on screen, clean on A4 paper, with fonts
/// that cover Japanese (system CJK fonts; nothing is downloaded).
const STYLE: &str = r#"
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", "IPAexGothic", system-ui, sans-serif; font-size: 10pt; line-height: 1.45; color: #111; max-width: 190mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 18pt; border-bottom: 2px solid #333; padding-bottom: 2mm; }
h2 { font-size: 13pt; margin-top: 7mm; border-bottom: 1px solid #999; break-after: avoid; }
h3 { font-size: 11pt; break-after: avoid; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 8pt; margin: 2mm 0 4mm; }
th, td { border: 1px solid #bbb; padding: 1mm 1.5mm; vertical-align: top; text-align: left; overflow-wrap: anywhere; word-break: break-word; }
th { background: #eee; }
tr { break-inside: avoid; }
code { font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK JP", monospace; font-size: 7.5pt; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.5mm 4mm; }
dt { font-weight: bold; }
dd { margin: 0; overflow-wrap: anywhere; }
"#;

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(s) => html(s),
        Cell::Code(s) => format!("<code>{}</code>", html(s)),
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
                out.push_str("<table>\n<thead><tr>");
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
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
