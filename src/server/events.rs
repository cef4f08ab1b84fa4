//! The events log over HTTP: `GET /events?days&limit&offset&search` (the
//! web UI's Events log page) and the legacy `GetEventLog`. Every approve,
//! cancel, reapply and revert made through this server is one, whoever
//! sent it and by which API; the engine keeps them with its state.

use axum::Json;
use axum::http::Uri;
use serde_json::{Value, json};

use super::authorised::Authorised;
use super::{ApiError, DEFAULT_LIMIT, limits};
use crate::backend::EventFilter;

/// The filter `get` names (`days`, `search`, `limit`, `offset`).
pub fn filter(get: &dyn Fn(&str) -> Option<String>) -> Result<EventFilter, ApiError> {
    let number = |name: &str| -> Result<Option<u64>, ApiError> {
        match get(name).filter(|v| !v.trim().is_empty()) {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| {
                ApiError::bad_request(
                    "InvalidParameter",
                    format!("{name}: {v:?} is not a whole number"),
                )
            }),
        }
    };
    Ok(EventFilter {
        days: number("days")?,
        search: get("search").unwrap_or_default(),
        limit: limits::page_size(number("limit")?.unwrap_or(DEFAULT_LIMIT))?,
        offset: number("offset")?.unwrap_or(0),
    })
}

/// `GET /events`: a page of the events log, newest first.
pub async fn events(Authorised(backend): Authorised, uri: Uri) -> Result<Json<Value>, ApiError> {
    let pairs = super::params::of_query(uri.query());
    let get = |name: &str| super::params::first(&pairs, name).map(str::to_owned);
    let page = backend.events(&filter(&get)?).await?;
    Ok(Json(json!({
        "results": page.results,
        "count": page.count,
        "next": null,
        "previous": null,
    })))
}
