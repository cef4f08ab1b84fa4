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
    /// A server lists a few hundred at most and counts the rest: `unlisted`.
    #[error("{} activit{} refused", refusals.len() + unlisted, if refusals.len() + unlisted == 1 { "y" } else { "ies" })]
    Refused {
        refusals: Vec<Refusal>,
        unlisted: usize,
    },
    #[error("activity {0} not found")]
    NotFound(u64),
    /// Credentials missing, wrong or expired (after one re-login).
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The request never reached the server (no connection could be
    /// made): nothing it asked happened.
    #[error("{0}")]
    Unreachable(String),
    /// No answer: the connection broke or timed out after the request
    /// was sent, so what it asked may or may not have happened.
    #[error("{0}")]
    Transport(String),
    /// The server answered with an error status (its error code and
    /// message, when it sent them).
    #[error("{}", http_text(*status, code, message))]
    Http {
        status: u16,
        code: String,
        message: String,
    },
    /// An answer that cannot be used: not the expected JSON, a redirect,
    /// larger than the client accepts.
    #[error("{0}")]
    Protocol(String),
    /// The server cannot do this (it has no such route or API).
    #[error("{0}")]
    Unsupported(String),
    /// The client cannot be set up as configured (a URL, a CA file): no
    /// request was made, and none would help.
    #[error("{0}")]
    Setup(String),
    /// The change was not made: the server could not make it durable
    /// (its disk is full or failing), and takes no changes until it can.
    #[error("the change was not made: {0}")]
    NotSaved(String),
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

impl BackendError {
    /// What this says about the server being there, when it says the
    /// server is not (for the dashboard's outage line); `None` for errors
    /// about the request itself.
    pub fn outage(&self) -> Option<String> {
        match self {
            BackendError::Unreachable(_) => Some("server unreachable".into()),
            BackendError::Transport(m) if m.contains("timed out") => {
                Some("server not answering".into())
            }
            BackendError::Transport(_) => Some("connection lost".into()),
            BackendError::Http { status, .. } if *status >= 500 => {
                Some(format!("server error (HTTP {status})"))
            }
            BackendError::Auth(_) => Some("credentials refused".into()),
            _ => None,
        }
    }

    /// Whether trying the same read again may help: a lost answer, a
    /// server that could not be reached (nothing was sent), a server-side
    /// failure (5xx). Never a refusal, a 4xx, an answer that breaks the
    /// API, or something the server cannot do.
    pub fn is_retryable(&self) -> bool {
        match self {
            BackendError::Transport(_) | BackendError::Unreachable(_) => true,
            BackendError::Http { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

impl BackendError {
    /// Said for a person: a refusal lists each activity and why, a query
    /// error says where it is.
    pub fn explain(&self) -> String {
        match self {
            BackendError::Refused { refusals, unlisted } => {
                let total = refusals.len() + unlisted;
                let mut s = format!(
                    "refused, nothing changed ({total} activit{}):",
                    if total == 1 { "y" } else { "ies" }
                );
                for r in refusals {
                    s.push_str(&format!("\n  {r}"));
                }
                if *unlisted > 0 {
                    s.push_str(&format!("\n  … and {unlisted} more refused"));
                }
                s
            }
            BackendError::InvalidQuery {
                message,
                span: Some(span),
            } => format!("invalid query (at {}..{}): {message}", span.start, span.end),
            other => other.to_string(),
        }
    }
}

fn http_text(status: u16, code: &str, message: &str) -> String {
    match (code.is_empty(), message.is_empty()) {
        (true, true) => format!("HTTP {status}"),
        (true, false) => format!("HTTP {status}: {message}"),
        (false, true) => format!("HTTP {status} {code}"),
        (false, false) => format!("HTTP {status} {code}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lost_answers_unreachable_servers_and_5xx_are_retried() {
        let http = |status| BackendError::Http {
            status,
            code: String::new(),
            message: String::new(),
        };
        let retried = [
            BackendError::Transport("timed out".into()),
            BackendError::Unreachable("could not connect".into()),
            http(500),
            http(503),
        ];
        let not = [
            http(400),
            http(404),
            http(429),
            BackendError::Auth("expired".into()),
            BackendError::Protocol("login answer has no token".into()),
            BackendError::Unsupported("no REST API".into()),
            BackendError::Setup("CA file".into()),
            BackendError::ReadOnly,
            BackendError::NotFound(7),
            BackendError::InvalidQuery {
                message: "x".into(),
                span: None,
            },
            BackendError::Refused {
                refusals: vec![],
                unlisted: 1,
            },
        ];
        for e in &retried {
            assert!(e.is_retryable(), "{e:?}");
        }
        for e in &not {
            assert!(!e.is_retryable(), "{e:?}");
        }
    }
}
