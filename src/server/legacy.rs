//! The legacy API: `?action=` calls at `/api/`, parameters in the query
//! string or a form body, authenticated by JWT or by signature.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::auth::{bearer, verify_signature};
use super::{ApiError, DEFAULT_LIMIT, LoggedAction, MAX_LIMIT, ServerState};
use crate::backend::Selection;
use crate::signature::SignedTarget;

/// The actions this server implements.
const ACTIONS: [&str; 4] = [
    "GetActivities",
    "GetActivityTypes",
    "ApproveActivities",
    "CancelActivities",
];

pub async fn handle(
    State(state): State<Arc<ServerState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = parameters(&uri, &headers, &body);
    let action = params
        .iter()
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.clone());
    let mut response = match run(&state, &method, &uri, &headers, &params, action.as_deref()).await
    {
        Ok(response) => response,
        Err(e) => e.into_response(),
    };
    if let Some(action) = action {
        response.extensions_mut().insert(LoggedAction(action));
    }
    response
}

/// Query-string parameters, then form-body ones, in the order sent.
fn parameters(uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> =
        form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form && !body.is_empty() {
        params.extend(form_urlencoded::parse(body).into_owned());
    }
    params
}

async fn run(
    state: &ServerState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    params: &[(String, String)],
    action: Option<&str>,
) -> Result<Response, ApiError> {
    match bearer(headers) {
        Some(token) => {
            state.jwt.verify(token?)?;
        }
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .or_else(|| uri.authority().map(|a| a.as_str()))
                .unwrap_or("");
            let target = SignedTarget {
                method: method.as_str(),
                host,
                path: uri.path(),
            };
            verify_signature(&state.credentials, &target, params, Utc::now())?;
        }
    }
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let action = action.ok_or_else(|| {
        ApiError::bad_request("MissingArgument", "missing required argument: action")
    })?;
    let backend = &state.backend;
    match action {
        "GetActivities" => {
            let query = get("query").unwrap_or("");
            let limit = number(get("limit"), "limit", DEFAULT_LIMIT)?.min(MAX_LIMIT);
            let offset = number(get("offset"), "offset", 0)?;
            let page = backend.activities(query, limit, offset).await?;
            Ok(Json(page.results).into_response())
        }
        "GetActivityTypes" => Ok(Json(backend.activity_types().await?).into_response()),
        "ApproveActivities" | "CancelActivities" => {
            let query = get("query").ok_or_else(|| {
                ApiError::bad_request(
                    "MissingArgument",
                    format!("{action}: missing required argument: query"),
                )
            })?;
            let selection = Selection::Query(query.to_owned());
            let ids = if action == "ApproveActivities" {
                backend.approve(&selection).await?
            } else {
                backend.cancel(&selection).await?
            };
            Ok(Json(ids).into_response())
        }
        other => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "UnknownAction",
            format!(
                "unknown action {other:?}; this server implements {}",
                ACTIONS.join(", ")
            ),
        )),
    }
}

/// A non-negative integer argument, or its default when absent.
pub(super) fn number(value: Option<&str>, name: &str, default: u64) -> Result<u64, ApiError> {
    match value {
        None | Some("") => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| {
            ApiError::bad_request(
                "InvalidArgument",
                format!("{name} must be a non-negative integer, got {v:?}"),
            )
        }),
    }
}
