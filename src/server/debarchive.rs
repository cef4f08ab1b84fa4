//! Landscape 26.04's debarchive service over the engine: mirrors, local
//! repositories and publications (paged by `pageSize` and `pageToken`),
//! a mirror's sync, and its long-running operations (one, or up to 100
//! by `operations:batchGet`). A backend without the service (an older
//! Landscape, `serve --before-26.04`) answers 404 on every route, as
//! such a server does.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::ApiError;
use super::authorised::Authorised;
use crate::backend::BackendError;

/// Resources a page by default, and at most (the service's limits).
const PAGE_DEFAULT: usize = 100;
const PAGE_MOST: usize = 1000;
/// Names one `operations:batchGet` takes.
const BATCH_MOST: usize = 100;

fn not_found(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "NotFound", message)
}

/// The service missing (or a name unknown) is a 404, as on Landscape.
fn missing(e: BackendError) -> ApiError {
    match e {
        BackendError::Unsupported(why) => not_found(why),
        other => other.into(),
    }
}

/// `GET /debarchive/v1beta1/{mirrors|locals|publications}`.
pub async fn list(
    Authorised(backend): Authorised,
    Path(plural): Path<String>,
    uri: axum::http::Uri,
) -> Result<Json<Value>, ApiError> {
    let pairs = super::params::of_query(uri.query());
    let get = |name: &str| super::params::first(&pairs, name).map(str::to_owned);
    let size = match get("pageSize") {
        None => PAGE_DEFAULT,
        Some(v) => match v.parse::<usize>() {
            Ok(0) => PAGE_DEFAULT,
            Ok(n) => n.min(PAGE_MOST),
            Err(_) => {
                return Err(ApiError::bad_request(
                    "InvalidArgument",
                    "pageSize must be a number",
                ));
            }
        },
    };
    let offset = match get("pageToken").filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) => t.parse::<usize>().map_err(|_| {
            ApiError::bad_request("InvalidArgument", "pageToken is not one this server gave")
        })?,
    };
    let (page, next) = backend
        .debarchive_resources(&plural, size, offset)
        .await
        .map_err(missing)?;
    let mut answer = json!({ plural.as_str(): page });
    if let Some(next) = next {
        answer["nextPageToken"] = next.to_string().into();
    }
    Ok(Json(answer))
}

/// `POST /debarchive/v1beta1/mirrors/{mirror}:sync`: its operation.
pub async fn sync(
    Authorised(backend): Authorised,
    Path(action): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let Some(mirror) = action.strip_suffix(":sync") else {
        return Err(not_found(format!("no route mirrors/{action}")));
    };
    let op = backend.sync_mirror(mirror).await.map_err(missing)?;
    Ok(Json(serde_json::to_value(op).unwrap_or_default()))
}

/// `GET /debarchive/v1beta1/operations/{id}`.
pub async fn operation(
    Authorised(backend): Authorised,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let found = backend
        .operations(std::slice::from_ref(&id))
        .await
        .map_err(missing)?;
    match found.into_iter().next() {
        Some(op) => Ok(Json(serde_json::to_value(op).unwrap_or_default())),
        None => Err(not_found(format!("operation {id} was not found"))),
    }
}

/// `POST /debarchive/v1beta1/operations:batchGet` `{names,
/// returnPartialSuccess}`: those found, and (with partial success) the
/// names not found as `unreachable`.
pub async fn batch_get(
    Authorised(backend): Authorised,
    Json(body): Json<Value>,
) -> Result<Json<Value>, ApiError> {
    let names: Vec<String> = body["names"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if names.len() > BATCH_MOST {
        return Err(ApiError::bad_request(
            "InvalidArgument",
            format!("at most {BATCH_MOST} names a request"),
        ));
    }
    let found = backend.operations(&names).await.map_err(missing)?;
    let unreachable: Vec<&String> = names
        .iter()
        .filter(|n| {
            let id = n.strip_prefix("operations/").unwrap_or(n);
            !found.iter().any(|o| o.id() == id)
        })
        .collect();
    if !unreachable.is_empty() && body["returnPartialSuccess"] != true {
        return Err(not_found(format!(
            "The following operations could not be found: {}",
            unreachable
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let mut answer = json!({ "operations": found });
    if !unreachable.is_empty() {
        answer["unreachable"] = json!(unreachable);
    }
    Ok(Json(answer))
}
