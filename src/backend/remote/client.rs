//! `RemoteBackend`: the `Backend` trait over HTTP.
//!
//! REST v2 with a JWT when the server has it (Landscape 24.04+), the legacy
//! API with signed requests otherwise. Reads are retried on connection
//! errors and 5xx; actions never are: an action whose answer was lost is
//! re-read, not re-sent. Its other parts, one job each: `state.rs` (what
//! it holds), `session.rs` (the API, the login, held-back credentials),
//! `transport.rs` (requests and their errors), `row_reads.rs` (the reads
//! that feed the fold of rows).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::sync::{Mutex, watch};

use super::endpoints::Endpoints;
use super::options::RemoteOptions;
use super::row_reads::*;
use super::state::*;
use super::transport::*;
use crate::backend::{Backend, BackendError, BackendInfo, CompletionValues, Selection};
use crate::model::{Activity, Computer, Page, RowPage};

impl RemoteBackend {
    /// Builds the client; no request is sent until the first call.
    pub fn new(options: RemoteOptions) -> Result<Arc<RemoteBackend>, BackendError> {
        let endpoints = Endpoints::parse(&options.url)?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            // Credentials go to the configured origin only: a redirect is an error.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("landscape-tui/", env!("CARGO_PKG_VERSION")));
        if let Some(ca) = &options.ca_file {
            let pem = std::fs::read(ca)
                .map_err(|e| BackendError::Setup(format!("CA file {}: {e}", ca.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| BackendError::Setup(format!("CA file {}: {e}", ca.display())))?;
            if certs.is_empty() {
                // Not a PEM file (a DER certificate, a key, a typo): trusting
                // nothing extra would fail later with no word of why.
                return Err(BackendError::Setup(format!(
                    "CA file {} holds no PEM certificate (-----BEGIN CERTIFICATE-----); convert a DER one with: openssl x509 -inform der -in FILE -out FILE.pem",
                    ca.display()
                )));
            }
            builder = builder.tls_certs_merge(certs);
        }
        if options.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let http = builder
            .build()
            .map_err(|e| BackendError::Setup(format!("HTTP client: {e}")))?;
        let (changes, _) = watch::channel(0);
        Ok(Arc::new(RemoteBackend {
            http,
            options,
            endpoints,
            session: Mutex::new(Session::default()),
            server_rows: std::sync::Mutex::new(None),
            lazy: Mutex::new(None),
            titles: std::sync::Mutex::new(HashMap::new()),
            changes,
            skew: std::sync::atomic::AtomicI64::new(UNKNOWN_SKEW),
            hold: std::sync::Mutex::new(Hold::default()),
            operations: Mutex::new(Default::default()),
        }))
    }

    /// The computers `ids`, [`COMPUTERS_PER_REQUEST`] a request
    /// (`id:1 OR id:2 …`, a few requests at a time): what is shown costs
    /// what is shown, never the whole fleet.
    async fn fetch_computers(&self, ids: &[u64]) -> Result<Vec<Computer>, BackendError> {
        use futures::{StreamExt, TryStreamExt};
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let queries: Vec<(String, u64)> = ids
            .chunks(COMPUTERS_PER_REQUEST)
            .map(|chunk| {
                let chain: Vec<String> = chunk.iter().map(|id| format!("id:{id}")).collect();
                (chain.join(" OR "), chunk.len() as u64)
            })
            .collect();
        let pages: Vec<Vec<Computer>> =
            futures::stream::iter(queries)
                .map(|(query, n)| async move {
                    self.computers_page(&query, n, 0).await.map(|p| p.results)
                })
                .buffer_unordered(4)
                .try_collect()
                .await?;
        Ok(pages.into_iter().flatten().collect())
    }

    async fn status_change(
        &self,
        action: &str,
        selection: &Selection,
    ) -> Result<Vec<u64>, BackendError> {
        if self.options.read_only {
            return Err(BackendError::ReadOnly);
        }
        let query = match selection {
            Selection::Query(q) => q.clone(),
            Selection::Ids(ids) if ids.is_empty() => return Ok(Vec::new()),
            Selection::Ids(ids) => crate::model::scope::ids_chain(ids.iter().copied()),
        };
        check_query(&query)?;
        let result = match self.legacy(action, &[("query", query.clone())]).await {
            Ok(answer) if answer.status.is_success() => parse_json(&answer.body),
            Ok(answer) => Err(with_local_span(self.error_of(answer), &query)),
            Err(e) => Err(e),
        };
        match result {
            Ok(ids) => {
                self.changes.send_modify(|n| *n += 1);
                Ok(ids)
            }
            // The answer was lost: the change may have happened. Re-read, never re-send.
            Err(e @ BackendError::Transport(_)) => {
                self.changes.send_modify(|n| *n += 1);
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    async fn create(&self, path: &str, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        if self.options.read_only {
            return Err(BackendError::ReadOnly);
        }
        if self.api().await? == Api::Legacy {
            return Err(BackendError::Unsupported(
                "reapply and revert need the REST API (Landscape 24.04 or later)".into(),
            ));
        }
        let body = json!({"activity_ids": ids});
        let answer = self.rest(Method::POST, path, &[], Some(&body)).await?;
        self.changes.send_modify(|n| *n += 1);
        if answer.status.is_success() {
            parse_json(&answer.body)
        } else {
            Err(self.error_of(answer))
        }
    }
}

#[async_trait]
impl Backend for RemoteBackend {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            label: self.endpoints.legacy.clone(),
            embedded: false,
            sends_action_flags: true,
            sorts_every_column: false,
            unverified_tls: self.options.insecure,
            servers: Vec::new(),
        }
    }

    async fn activities(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Activity>, BackendError> {
        self.page(query, limit, offset).await
    }

    async fn top_level(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        check_query(query)?;
        if self.api().await? == Api::Rest && *lock(&self.server_rows) != Some(false) {
            let params = list_params(query, limit, offset);
            let answer = self
                .retrying(|| self.rest(Method::GET, "/activities/top-level", &params, None))
                .await;
            match answer {
                Ok(page) => {
                    *lock(&self.server_rows) = Some(true);
                    return Ok(page);
                }
                Err(e) if no_such_route(&e) => *lock(&self.server_rows) = Some(false),
                Err(e) => return Err(with_local_span(e, query)),
            }
        }
        self.lazy_rows(query, limit, offset).await
    }

    async fn activity(&self, id: u64) -> Result<Activity, BackendError> {
        match self.api().await? {
            Api::Rest => {
                let path = format!("/activities/{id}");
                let answer = self.rest(Method::GET, &path, &[], None).await;
                match answer {
                    Ok(a) if a.status == StatusCode::NOT_FOUND => Err(BackendError::NotFound(id)),
                    Ok(a) if a.status.is_success() => parse_json(&a.body),
                    Ok(a) => Err(self.error_of(a)),
                    Err(e) => Err(e),
                }
            }
            Api::Legacy => self
                .activities_by_id(&[id])
                .await?
                .into_iter()
                .next()
                .ok_or(BackendError::NotFound(id)),
        }
    }

    async fn children(
        &self,
        parent_id: u64,
        query: Option<&str>,
    ) -> Result<Vec<Activity>, BackendError> {
        let query = format!("parent-id:{parent_id} {}", query.unwrap_or(""));
        Ok(self.page(query.trim(), CHILDREN_LIMIT, 0).await?.results)
    }

    async fn activity_types(&self) -> Result<Vec<String>, BackendError> {
        self.retrying(|| self.legacy("GetActivityTypes", &[])).await
    }

    async fn completion_values(&self) -> Result<CompletionValues, BackendError> {
        let types = self.activity_types().await.unwrap_or_default();
        let recent = self.page("", 500, 0).await?;
        let mut creators: Vec<String> = recent
            .results
            .iter()
            .filter_map(|a| a.creator_email().map(str::to_owned))
            .collect();
        creators.sort();
        creators.dedup();
        Ok(CompletionValues {
            creators,
            types,
            ..CompletionValues::default()
        })
    }

    /// By REST when the server has it; the legacy list has no count, so
    /// there it counts what was seen.
    async fn computers_page(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Computer>, BackendError> {
        match self.api().await? {
            Api::Rest => {
                let params = list_params(query, limit, offset);
                self.retrying(|| self.rest(Method::GET, "/computers", &params, None))
                    .await
            }
            Api::Legacy => {
                let args = [
                    ("query", query.to_owned()),
                    ("limit", limit.to_string()),
                    ("offset", offset.to_string()),
                ];
                let results: Vec<Computer> =
                    self.retrying(|| self.legacy("GetComputers", &args)).await?;
                // A full page may have more behind it.
                let full = results.len() as u64 >= limit && limit > 0;
                Ok(Page {
                    count: offset.saturating_add(results.len() as u64),
                    results,
                    next: None,
                    previous: None,
                    count_is_lower_bound: full,
                })
            }
        }
    }

    async fn events(
        &self,
        filter: &crate::backend::EventFilter,
    ) -> Result<Page<crate::model::event::ServerEvent>, BackendError> {
        let mut params = vec![
            ("limit", filter.limit.to_string()),
            ("offset", filter.offset.to_string()),
        ];
        if let Some(days) = filter.days {
            params.push(("days", days.to_string()));
        }
        if !filter.search.is_empty() {
            params.push(("search", filter.search.clone()));
        }
        let answer = match self.api().await? {
            Api::Rest => {
                self.retrying(|| self.rest(Method::GET, "/events", &params, None))
                    .await
            }
            Api::Legacy => self
                .retrying(|| self.legacy("GetEventLog", &params))
                .await
                .map(|results: Vec<crate::model::event::ServerEvent>| Page {
                    count: filter.offset.saturating_add(results.len() as u64),
                    results,
                    next: None,
                    previous: None,
                    count_is_lower_bound: true,
                }),
        };
        match answer {
            // A server without an events log says so as the trait does.
            Err(e) if no_such_route(&e) => Err(BackendError::Unsupported(
                "this server keeps no events log".into(),
            )),
            other => other,
        }
    }

    async fn computers_by_id(&self, ids: &[u64]) -> Result<Vec<Computer>, BackendError> {
        match self.fetch_computers(ids).await {
            Ok(found) => {
                lock(&self.titles).extend(found.iter().map(|c| (c.id, c.title.clone())));
                Ok(found.into_iter().filter(|c| ids.contains(&c.id)).collect())
            }
            // A server without a computer API: nothing is known of them.
            Err(e) if no_such_route(&e) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    async fn computer_titles(
        &self,
        ids: &[u64],
        fresh: bool,
    ) -> Result<HashMap<u64, String>, BackendError> {
        let mut missing: Vec<u64> = {
            let known = lock(&self.titles);
            ids.iter()
                .copied()
                .filter(|id| fresh || !known.contains_key(id))
                .collect()
        };
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            match self.fetch_computers(&missing).await {
                Ok(found) => lock(&self.titles).extend(found.into_iter().map(|c| (c.id, c.title))),
                // A server without a computer API: names stay numbers.
                Err(e) if no_such_route(&e) => {}
                Err(e) => return Err(e),
            }
        }
        let known = lock(&self.titles);
        Ok(ids
            .iter()
            .filter_map(|id| Some((*id, known.get(id)?.clone())))
            .collect())
    }

    async fn first_page(&self, query: &str, limit: u64) -> Result<Page<Activity>, BackendError> {
        if self.api().await? == Api::Rest {
            return self.page(query, limit, 0).await;
        }
        let count = self.count(query).await?;
        let mut page = match count {
            0 => Page::empty(),
            _ => self.page(query, limit, 0).await?,
        };
        page.count = count;
        Ok(page)
    }

    /// REST pages carry the count. A legacy answer is a bare list, so
    /// there a short first page says a small count, and a larger one is
    /// found by probing offsets with one-record pages (doubling, then
    /// halving): about 2·log2(count / 100) small requests more.
    async fn count(&self, query: &str) -> Result<u64, BackendError> {
        if self.api().await? == Api::Rest {
            return Ok(self.page(query, 1, 0).await?.count);
        }
        // Most counts are small: one short page says them exactly.
        let first = self.page(query, COUNT_FIRST_PAGE, 0).await?.results.len() as u64;
        if first < COUNT_FIRST_PAGE {
            return Ok(first);
        }
        self.count_from(query, COUNT_FIRST_PAGE - 1).await
    }

    async fn approve(&self, selection: &Selection) -> Result<Vec<u64>, BackendError> {
        self.status_change("ApproveActivities", selection).await
    }

    async fn cancel(&self, selection: &Selection) -> Result<Vec<u64>, BackendError> {
        self.status_change("CancelActivities", selection).await
    }

    async fn reapply(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        self.create("/activities/reapply", ids).await
    }

    async fn revert(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        self.create("/activities/revert", ids).await
    }

    fn changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn now(&self) -> Option<chrono::DateTime<Utc>> {
        match self.skew.load(std::sync::atomic::Ordering::Relaxed) {
            UNKNOWN_SKEW => None,
            skew => Some(Utc::now() + chrono::Duration::seconds(skew)),
        }
    }

    async fn operations_in_flight(
        &self,
    ) -> Result<Vec<crate::model::operation::Operation>, BackendError> {
        self.in_flight().await
    }

    async fn operations(
        &self,
        names: &[String],
    ) -> Result<Vec<crate::model::operation::Operation>, BackendError> {
        self.batch_get(names).await
    }

    fn retry_credentials(&self) {
        self.hold.lock().expect("hold").refused = None;
    }
}
