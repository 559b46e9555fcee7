//! A rule the SQL backend does not compile, with the reason: printed on
//! stderr by the command and listed in the query's comment header.

/// A rule (or correlation) left out of the SQL, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlRefusal {
    /// Rule title.
    pub title: String,
    /// Rule id, when it has one.
    pub id: Option<String>,
    /// The file (or `builtin:<file>`) it came from.
    pub source: String,
    /// Why it cannot be expressed exactly.
    pub reason: String,
}

impl std::fmt::Display for SqlRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: rule {:?}", self.source, self.title)?;
        if let Some(id) = &self.id {
            write!(f, " ({id})")?;
        }
        write!(f, " not compiled to SQL: {}", self.reason)
    }
}

/// Why no correlation is compiled.
pub(crate) const CORRELATION: &str = "correlation rules are not compiled: the engine's Correlator counts and orders events per group within sliding timespans as they stream in time order, and no window-function form reproduces its windows exactly";
