//! Landscape 26.04's long-running operations (the debarchive service),
//! followed at the cost of what is in flight: the resources that carry a
//! `lastOperation` are listed once (and again every [`RELIST`]), then a
//! refresh asks `operations:batchGet` for those still running — nothing
//! when none are. A server without the service (404) is asked once a
//! session and never again, and nothing is said.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::state::Api;
use super::state::RemoteBackend;
use super::transport::no_such_route;
use crate::backend::BackendError;
use crate::model::operation::Operation;

/// New operations (started elsewhere) are found by listing again.
const RELIST: Duration = Duration::from_secs(600);
/// `operations:batchGet` takes at most this many names.
const BATCH: usize = 100;
/// Resources per page (the service's most).
const PAGE_SIZE: usize = 1000;
/// The resources that carry a `lastOperation`.
const RESOURCES: [&str; 3] = ["mirrors", "locals", "publications"];

fn named(name: &str) -> String {
    if name.starts_with("operations/") {
        name.to_owned()
    } else {
        format!("operations/{name}")
    }
}

impl RemoteBackend {
    /// The operations still running: see the module's note for the cost.
    pub(super) async fn in_flight(&self) -> Result<Vec<Operation>, BackendError> {
        let mut followed = self.operations.lock().await;
        if followed.supported == Some(false) {
            return Ok(Vec::new());
        }
        let mut names = followed.in_flight.clone();
        if followed.listed.is_none_or(|t| t.elapsed() >= RELIST) {
            match self.last_operations().await {
                Ok(found) => {
                    followed.supported = Some(true);
                    followed.listed = Some(Instant::now());
                    names.extend(found);
                    names.sort();
                    names.dedup();
                }
                Err(e) if no_such_route(&e) || matches!(e, BackendError::Unsupported(_)) => {
                    followed.supported = Some(false);
                    return Ok(Vec::new());
                }
                Err(e) => return Err(e),
            }
        }
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let running: Vec<Operation> = self
            .batch_get(&names)
            .await?
            .into_iter()
            .filter(|o| !o.done)
            .collect();
        followed.in_flight = running.iter().map(|o| o.name.clone()).collect();
        Ok(running)
    }

    /// Every resource's `lastOperation`, page by page.
    async fn last_operations(&self) -> Result<Vec<String>, BackendError> {
        if self.api().await? == Api::Legacy {
            return Err(BackendError::Unsupported(
                crate::backend::NO_OPERATIONS.into(),
            ));
        }
        let mut found = Vec::new();
        for (i, plural) in RESOURCES.iter().enumerate() {
            let mut token: Option<String> = None;
            loop {
                let mut query = vec![("pageSize", PAGE_SIZE.to_string())];
                if let Some(t) = &token {
                    query.push(("pageToken", t.clone()));
                }
                let path = format!("/{plural}");
                let answer: Result<Value, BackendError> = self
                    .retrying(|| {
                        self.rest_at(&self.endpoints.debarchive, Method::GET, &path, &query, None)
                    })
                    .await;
                let page = match answer {
                    Ok(page) => page,
                    // Only the first says whether the service is there.
                    Err(e) if i > 0 && no_such_route(&e) => break,
                    Err(e) => return Err(e),
                };
                let list = page[*plural].as_array().cloned().unwrap_or_default();
                found.extend(
                    list.iter()
                        .filter_map(|r| r["lastOperation"].as_str().map(named)),
                );
                token = page["nextPageToken"]
                    .as_str()
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned);
                if token.is_none() || list.is_empty() {
                    break;
                }
            }
        }
        Ok(found)
    }

    /// `operations:batchGet`, [`BATCH`] names a request.
    pub(super) async fn batch_get(&self, names: &[String]) -> Result<Vec<Operation>, BackendError> {
        if self.api().await? == Api::Legacy {
            return Err(BackendError::Unsupported(
                crate::backend::NO_OPERATIONS.into(),
            ));
        }
        let mut all = Vec::new();
        for chunk in names.chunks(BATCH) {
            let body = json!({
                "names": chunk.iter().map(|n| named(n)).collect::<Vec<_>>(),
                "returnPartialSuccess": true,
            });
            let page: Value = self
                .retrying(|| {
                    self.rest_at(
                        &self.endpoints.debarchive,
                        Method::POST,
                        "/operations:batchGet",
                        &[],
                        Some(&body),
                    )
                })
                .await
                .map_err(|e| {
                    if no_such_route(&e) {
                        BackendError::Unsupported(crate::backend::NO_OPERATIONS.into())
                    } else {
                        e
                    }
                })?;
            let list = page["operations"].as_array().cloned().unwrap_or_default();
            for o in list {
                all.push(serde_json::from_value(o).map_err(|e| {
                    BackendError::Protocol(format!("an operation the service sent: {e}"))
                })?);
            }
        }
        Ok(all)
    }
}
