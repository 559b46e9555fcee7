//! A loaded, compiled detection rule.

use cloudcase_event::LogSource;

use crate::detection::Detection;
use crate::eval::Scratch;
use crate::meta::{Level, Metadata, Status};
use crate::record::Record;

/// A Sigma detection rule, compiled once at load time.
#[derive(Debug, Clone)]
pub struct Rule {
    pub(crate) meta: Metadata,
    pub(crate) source: String,
    pub(crate) detection: Detection,
    /// Referenced by a correlation without `generate: true`: its matches feed
    /// correlations only.
    pub(crate) standalone: bool,
    /// The log its `logsource` names, resolved once at load.
    pub(crate) log_source: Option<LogSource>,
}

impl Rule {
    /// Title, id, level, tags and the rest of the metadata.
    pub fn meta(&self) -> &Metadata {
        &self.meta
    }

    /// `title`.
    pub fn title(&self) -> &str {
        &self.meta.title
    }

    /// `id`.
    pub fn id(&self) -> Option<&str> {
        self.meta.id.as_deref()
    }

    /// `level`.
    pub fn level(&self) -> Option<Level> {
        self.meta.level
    }

    /// `status`.
    pub fn status(&self) -> Option<Status> {
        self.meta.status
    }

    /// The file (or name given to [`RuleSet::add_yaml`](crate::RuleSet::add_yaml)) it came from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the rule applies to a log cloudcase reads (`product: aws`
    /// and a known `service`; see [`Logsource::log_source`](crate::Logsource::log_source)).
    pub fn is_applicable(&self) -> bool {
        self.log_source.is_some()
    }

    /// The log whose events the rule is evaluated on, if cloudcase reads it.
    pub fn log_source(&self) -> Option<LogSource> {
        self.log_source
    }

    /// Whether matches are reported on their own. `false` for rules that a
    /// correlation refers to without `generate: true` (and for the selection
    /// of an obsolete aggregation): they only feed the correlation.
    pub fn is_standalone(&self) -> bool {
        self.standalone
    }

    /// Evaluates this rule alone against a record (the [`Engine`](crate::Engine)
    /// is faster for many rules).
    pub fn matches(&self, record: &dyn Record) -> bool {
        self.detection.matches(record, &mut Scratch::default())
    }
}
