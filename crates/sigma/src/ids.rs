//! Positions of rules and correlation rules in an engine: plain indexes that
//! the modules resolving, evaluating and correlating rules share.

/// A rule's position in its [`Engine`](crate::Engine).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleId(pub(crate) u32);

impl RuleId {
    /// The index into [`Engine::rules`](crate::Engine::rules).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A correlation rule's position in its [`Engine`](crate::Engine).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CorrelationId(pub(crate) u32);

impl CorrelationId {
    /// The index into [`Engine::correlations`](crate::Engine::correlations).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
