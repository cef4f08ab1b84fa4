//! The errors a backend reports, typed so the dashboard can show each well.

pub use crate::model::Refusal;
use crate::query::QueryError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BackendError {
    /// The query did not parse (locally, or the server refused it). The span
    /// is known when the local parser found the fault.
    #[error("invalid query: {message}")]
    InvalidQuery {
        message: String,
        span: Option<std::ops::Range<usize>>,
    },
    /// All or nothing: nothing changed because these activities could not.
    #[error("{} activit{} refused", refusals.len(), if refusals.len() == 1 { "y" } else { "ies" })]
    Refused { refusals: Vec<Refusal> },
    #[error("activity {0} not found")]
    NotFound(u64),
    /// Credentials missing, wrong or expired (after one re-login).
    #[error("authentication failed: {0}")]
    Auth(String),
    /// Network, timeout, server error, malformed answer.
    #[error("{0}")]
    Transport(String),
    /// The backend is read-only and refuses every action.
    #[error("read-only: actions are disabled")]
    ReadOnly,
}

impl From<QueryError> for BackendError {
    fn from(e: QueryError) -> Self {
        BackendError::InvalidQuery {
            span: Some(e.span.clone()),
            message: e.message,
        }
    }
}
