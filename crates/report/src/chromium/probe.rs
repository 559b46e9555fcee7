//! Measuring a report as laid out by the browser: what is wider than the
//! page, and whether anything active or remote made it into the page.
//!
//! The report is loaded into an iframe exactly as wide as the text area of
//! the page, inside a wrapper page of ours whose script measures it (the
//! report's own Content-Security-Policy forbids scripts, and must). The
//! wrapper writes its findings into its DOM, which `--dump-dom` prints.

use std::path::Path;

use serde_json::Value;

use super::{file_url, io, Chromium, ChromiumError};

const WHAT: &str = "measure the page";

/// Where the wrapper writes its findings, percent-encoded JSON.
const MARK: &str = "<pre id=\"cloudcase-probe\">";

/// The wrapper's script: runs once the report (and so the wrapper) has loaded.
const SCRIPT: &str = r#"
window.addEventListener('load', function () {
  var r = {};
  try {
    var w = document.getElementById('report').contentWindow, d = w.document, root = d.documentElement;
    var limit = root.clientWidth;
    r.viewport = limit;
    r.document = Math.max(root.scrollWidth, d.body ? d.body.scrollWidth : 0);
    r.offenders = [];
    var all = d.body ? d.body.querySelectorAll('*') : [];
    for (var i = 0; i < all.length && r.offenders.length < 50; i++) {
      var el = all[i], b = el.getBoundingClientRect();
      var spills = el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1;
      if (b.right > limit + 0.5 || spills) {
        r.offenders.push({tag: el.tagName.toLowerCase(), text: (el.textContent || '').trim().slice(0, 80),
                          right: b.right, width: Math.max(b.width, el.scrollWidth || 0)});
      }
    }
    r.active = [];
    d.querySelectorAll('script,iframe,frame,object,embed,applet,base,form,meta[http-equiv="refresh" i]').forEach(function (e) {
      r.active.push('<' + e.tagName.toLowerCase() + '>');
    });
    d.querySelectorAll('*').forEach(function (e) {
      for (var k = 0; k < e.attributes.length; k++) {
        var a = e.attributes[k].name;
        if (/^on/i.test(a)) r.active.push(e.tagName.toLowerCase() + ' ' + a);
      }
    });
    r.fetches = [];
    d.querySelectorAll('[src],[href],[srcset],[poster],[data]').forEach(function (e) {
      ['src', 'href', 'srcset', 'poster', 'data'].forEach(function (n) {
        var v = e.getAttribute(n);
        if (v !== null && !/^\s*(#|data:)/i.test(v)) r.fetches.push(e.tagName.toLowerCase() + ' ' + n + '=' + v);
      });
    });
    d.querySelectorAll('style').forEach(function (s) {
      var m = s.textContent.match(/@import|url\(\s*['"]?(?!#|data:)[^)]*\)/gi);
      if (m) m.forEach(function (x) { r.fetches.push('style ' + x); });
    });
    w.performance.getEntriesByType('resource').forEach(function (e) { r.fetches.push('loaded ' + e.name); });
    r.xss = typeof w.__xss !== 'undefined';
  } catch (e) {
    r.error = String(e);
  }
  document.getElementById('cloudcase-probe').textContent = encodeURIComponent(JSON.stringify(r));
});
"#;

/// An element that reaches past the right edge of the page, or whose content
/// spills out of its own box.
#[derive(Debug, Clone, PartialEq)]
pub struct Offender {
    /// Its tag name, lower case.
    pub tag: String,
    /// The start of its text, to find it in the report.
    pub text: String,
    /// Its right edge, CSS px from the left of the page's text area.
    pub right: f64,
    /// Its width or the width of its content, whichever is larger, CSS px.
    pub width: f64,
}

/// What [`Chromium::probe`] measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The width the report was laid out at, CSS px.
    pub viewport_width: f64,
    /// The width of the laid-out document; larger means horizontal scrolling
    /// on screen and cut-off text on paper.
    pub document_width: f64,
    /// Elements wider than the page or spilling out of their box (first 50).
    pub offenders: Vec<Offender>,
    /// Active content found in the DOM: script, frame, object, form elements,
    /// `on…` event-handler attributes. Escaped text never creates any.
    pub active: Vec<String>,
    /// References to anything outside the file (attributes, style sheet
    /// `url()`/`@import`, resources the page loaded). A self-contained report
    /// has none.
    pub fetches: Vec<String>,
    /// Whether the page set `window.__xss`, the marker that injection tests
    /// plant in attacker-controlled text.
    pub xss_marker: bool,
}

impl Probe {
    /// Whether anything is wider than the page.
    pub fn overflows(&self) -> bool {
        self.document_width > self.viewport_width + 0.5 || !self.offenders.is_empty()
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The findings in the wrapper's DOM, as printed by `--dump-dom`.
fn parse(dom: &str) -> Result<Probe, ChromiumError> {
    let bad = |detail: String| ChromiumError::NoOutput { what: WHAT, detail };
    let start = dom
        .find(MARK)
        .ok_or_else(|| bad("the probe page was not printed".into()))?
        + MARK.len();
    let end = dom[start..]
        .find("</pre>")
        .ok_or_else(|| bad("the probe output is cut short".into()))?;
    let encoded = &dom[start..start + end];
    let json = percent_decode(encoded)
        .ok_or_else(|| bad(format!("unreadable probe output {encoded:.80}")))?;
    let v: Value =
        serde_json::from_str(&json).map_err(|e| bad(format!("probe output: {e}: {json:.80}")))?;
    if let Some(error) = v["error"].as_str() {
        return Err(bad(format!("the probe script failed: {error}")));
    }
    let number = |key: &str| {
        v[key]
            .as_f64()
            .ok_or_else(|| bad(format!("probe output lacks {key}: {json:.200}")))
    };
    let offenders = v["offenders"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| Offender {
                    tag: o["tag"].as_str().unwrap_or_default().to_owned(),
                    text: o["text"].as_str().unwrap_or_default().to_owned(),
                    right: o["right"].as_f64().unwrap_or_default(),
                    width: o["width"].as_f64().unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Probe {
        viewport_width: number("viewport")?,
        document_width: number("document")?,
        offenders,
        active: strings(&v["active"]),
        fetches: strings(&v["fetches"]),
        xss_marker: v["xss"].as_bool().unwrap_or(false),
    })
}

impl Chromium {
    /// Lays the HTML file `html` out `width_px` CSS px wide (for a report,
    /// [`A4_TEXT_WIDTH_PX`](super::A4_TEXT_WIDTH_PX): the text width of its
    /// printed page) and reports what overflows, what is active and what
    /// refers outside the file. The report itself is loaded unchanged,
    /// Content-Security-Policy and all.
    pub fn probe(&self, html: &Path, width_px: u32) -> Result<Probe, ChromiumError> {
        let report = file_url(html)?;
        let scratch = tempfile::tempdir().map_err(io(Path::new("temporary directory")))?;
        let wrapper = scratch.path().join("probe.html");
        let page = format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body style=\"margin:0\">\n<iframe id=\"report\" src=\"{report}\" style=\"width:{width_px}px;height:1123px;border:0\"></iframe>\n{MARK}pending</pre>\n<script>{SCRIPT}</script>\n</body></html>\n"
        );
        std::fs::write(&wrapper, page).map_err(io(&wrapper))?;
        let dom = self.run(
            WHAT,
            &[
                "--allow-file-access-from-files".into(),
                "--hide-scrollbars".into(),
                "--dump-dom".into(),
                file_url(&wrapper)?.into(),
            ],
        )?;
        parse(&String::from_utf8_lossy(&dom))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_read_from_the_dumped_dom() {
        let json = r#"{"viewport":703,"document":900,"offenders":[{"tag":"div","text":"wide","right":900,"width":900}],"active":["<script>"],"fetches":["img src=http://x/"],"xss":true}"#;
        let encoded: String = json
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let dom = format!("<html><body>{MARK}{encoded}</pre></body></html>");
        let p = parse(&dom).expect("parsed");
        assert!(p.overflows() && p.xss_marker);
        assert_eq!(p.offenders[0].tag, "div");
        assert_eq!(p.active, vec!["<script>"]);
        assert_eq!(p.fetches, vec!["img src=http://x/"]);
    }

    #[test]
    fn a_probe_that_did_not_run_is_an_error() {
        let dom = format!("<html><body>{MARK}pending</pre></body></html>");
        assert!(matches!(parse(&dom), Err(ChromiumError::NoOutput { .. })));
        assert!(parse("<html></html>").is_err());
        let failed = format!("{MARK}%7B%22error%22%3A%22SecurityError%22%7D</pre>");
        let err = parse(&failed).expect_err("script error");
        assert!(err.to_string().contains("SecurityError"), "{err}");
    }
}
