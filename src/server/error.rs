//! Error bodies of both APIs: a non-200 status with
//! `{"error": "<Code>", "message": "<text>"}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::backend::BackendError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds a client should wait (sent as `Retry-After`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn unauthorised(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorised", message)
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 429, with `Retry-After` (seconds) on the answer.
    pub fn too_many_attempts(retry_after: u64) -> ApiError {
        ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyAttempts",
                format!("too many wrong logins; try again in {retry_after} s"),
            )
        }
    }
}

/// A path no route answers.
pub fn no_route(uri: &axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("no route {}", uri.path()),
    )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(json!({"error": self.code, "message": self.message})),
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

/// Refusals listed in one answer at most; the rest are counted, so refusing
/// a quarter of a million activities is a short answer, not 74 MB.
pub const LISTED_REFUSALS: usize = 500;

/// `<id> => <reason>` lines, ids ascending, then `… and N more refused`.
fn refusal_lines(refusals: &[crate::model::Refusal], unlisted: usize) -> String {
    let mut lines: Vec<String> = refusals
        .iter()
        .take(LISTED_REFUSALS)
        .map(ToString::to_string)
        .collect();
    let more = refusals.len().saturating_sub(LISTED_REFUSALS) + unlisted;
    if more > 0 {
        lines.push(format!("… and {more} more refused"));
    }
    lines.join("\n")
}

impl From<BackendError> for ApiError {
    fn from(e: BackendError) -> ApiError {
        match e {
            BackendError::InvalidQuery { message, .. } => {
                ApiError::bad_request("InvalidQuery", message)
            }
            BackendError::Refused { refusals, unlisted } => ApiError::bad_request(
                "InvalidActivityStatusChange",
                refusal_lines(&refusals, unlisted),
            ),
            BackendError::NotFound(id) => ApiError::new(
                StatusCode::NOT_FOUND,
                "NotFound",
                format!("activity {id} not found"),
            ),
            BackendError::Auth(m) => ApiError::unauthorised(m),
            BackendError::ReadOnly => ApiError::new(
                StatusCode::FORBIDDEN,
                "ReadOnly",
                "this server is read-only",
            ),
            e @ BackendError::NotSaved(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "StateNotWritable",
                format!(
                    "{e}; this server takes no changes until it can write its state again (reads go on)"
                ),
            ),
            e @ (BackendError::Transport(_)
            | BackendError::Unreachable(_)
            | BackendError::Unsupported(_)
            | BackendError::Setup(_)
            | BackendError::Http { .. }
            | BackendError::Protocol(_)) => {
                ApiError::new(StatusCode::BAD_GATEWAY, "BackendError", e.to_string())
            }
        }
    }
}
