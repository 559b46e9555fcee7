//! Errors of the monitoring generator.

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    /// A rule document could not be read.
    #[error("{file}: expected a Sigma rule document: {reason}")]
    Rule {
        /// The rule file.
        file: String,
        /// What was found instead.
        reason: String,
    },
    /// An output could not be rendered.
    #[error("cannot render {format}: {reason}")]
    Render {
        /// The output format.
        format: &'static str,
        /// Why.
        reason: String,
    },
}
