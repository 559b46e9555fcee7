//! What the technical report and the runbook state about themselves: the case, the as-of
//! time, when and by which tool they were produced, and the scope result they rest on.

use crate::analysis::{basis, text, Analysis};
use crate::i18n::{t, Lang};
use crate::Cell;

/// What a case document states besides the analysis.
#[derive(Debug, Clone)]
pub struct DocumentOptions {
    /// Language.
    pub lang: Lang,
    /// Case name.
    pub case_name: String,
    /// The as-of time, RFC 3339 UTC.
    pub as_of: String,
    /// When it is produced, RFC 3339 UTC.
    pub generated: String,
    /// Tool name and version.
    pub tool: String,
}

impl DocumentOptions {
    /// The header's first rows: case, as of, generated, and the recorded scope result relied
    /// on. Each document adds its own rows and then [`DocumentOptions::tool_row`].
    pub(crate) fn head_rows(&self, analysis: &Analysis) -> Vec<(String, Cell)> {
        let lang = self.lang;
        vec![
            (t(lang, "case.name").into(), text(&self.case_name)),
            (t(lang, "report.as_of").into(), text(&self.as_of)),
            (t(lang, "report.generated").into(), text(&self.generated)),
            (
                t(lang, "report.basis").into(),
                basis(
                    lang,
                    analysis.scope.as_ref().map(|s| &s.record),
                    "report.no_scope",
                ),
            ),
        ]
    }

    /// The header's last row: the tool that produced the document.
    pub(crate) fn tool_row(&self) -> (String, Cell) {
        (t(self.lang, "report.tool").into(), text(&self.tool))
    }
}
