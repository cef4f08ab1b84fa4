//! A backend that logs each call it passes on: what was asked, how long it
//! took, and how it ended (rows, ids, or the error). Queries and ids are
//! logged; credentials never reach this layer.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use tokio::sync::watch;

use super::{Backend, BackendError, BackendInfo, CompletionValues, Selection};
use crate::model::{Activity, Computer, ListSort, Page, RowPage};

pub struct Logged {
    inner: Arc<dyn Backend>,
}

/// `backend`, logged when logging is on.
pub fn when_logging(backend: Arc<dyn Backend>) -> Arc<dyn Backend> {
    if crate::logging::active() {
        Logged::wrap(backend)
    } else {
        backend
    }
}

impl Logged {
    /// `inner`, logging every call at `info` (errors at `warn`).
    pub fn wrap(inner: Arc<dyn Backend>) -> Arc<dyn Backend> {
        Arc::new(Logged { inner })
    }
}

/// Logs `call` with its time and outcome, and hands the result back.
async fn timed<T>(
    call: String,
    outcome: impl FnOnce(&T) -> String,
    work: impl std::future::Future<Output = Result<T, BackendError>>,
) -> Result<T, BackendError> {
    let start = Instant::now();
    let result = work.await;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    match &result {
        Ok(v) => {
            tracing::info!(target: "landscape_tui::backend", "{call}: {} in {ms:.1} ms", outcome(v))
        }
        Err(e) => {
            tracing::warn!(target: "landscape_tui::backend", "{call}: failed in {ms:.1} ms: {e}")
        }
    }
    result
}

fn rows<T>(p: &Page<T>) -> String {
    format!("{} of {}", p.results.len(), p.count)
}

fn ids(list: &[u64]) -> String {
    if list.len() <= 8 {
        format!("{list:?}")
    } else {
        format!("{} ids ({:?} …)", list.len(), &list[..8])
    }
}

fn selection(s: &Selection) -> String {
    match s {
        Selection::Ids(list) => ids(list),
        Selection::Query(q) => format!("query {q:?}"),
    }
}

#[async_trait]
impl Backend for Logged {
    fn info(&self) -> BackendInfo {
        self.inner.info()
    }

    fn take_start_note(&self) -> Option<String> {
        self.inner.take_start_note()
    }

    async fn activities(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Activity>, BackendError> {
        timed(
            format!("activities {query:?} limit {limit} offset {offset}"),
            rows,
            self.inner.activities(query, limit, offset),
        )
        .await
    }

    async fn top_level(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        timed(
            format!("rows {query:?} limit {limit} offset {offset}"),
            |p: &RowPage| rows(&p.rows),
            self.inner.top_level(query, limit, offset),
        )
        .await
    }

    async fn top_level_sorted(
        &self,
        query: &str,
        sort: ListSort,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        timed(
            format!(
                "rows {query:?} by {} {} limit {limit} offset {offset}",
                sort.column.name(),
                sort.arrow()
            ),
            |p: &RowPage| rows(&p.rows),
            self.inner.top_level_sorted(query, sort, limit, offset),
        )
        .await
    }

    async fn activity(&self, id: u64) -> Result<Activity, BackendError> {
        timed(
            format!("activity {id}"),
            |_| "found".into(),
            self.inner.activity(id),
        )
        .await
    }

    async fn children(
        &self,
        parent_id: u64,
        query: Option<&str>,
    ) -> Result<Vec<Activity>, BackendError> {
        timed(
            format!("children of {parent_id} matching {query:?}"),
            |v: &Vec<Activity>| format!("{} children", v.len()),
            self.inner.children(parent_id, query),
        )
        .await
    }

    async fn activity_types(&self) -> Result<Vec<String>, BackendError> {
        timed(
            "activity types".into(),
            |v: &Vec<String>| format!("{} types", v.len()),
            self.inner.activity_types(),
        )
        .await
    }

    async fn completion_values(&self) -> Result<CompletionValues, BackendError> {
        timed(
            "completion values".into(),
            |v: &CompletionValues| format!("{} types", v.types.len()),
            self.inner.completion_values(),
        )
        .await
    }

    async fn computers(&self) -> Result<Vec<Computer>, BackendError> {
        timed(
            "computers".into(),
            |v: &Vec<Computer>| format!("{} computers", v.len()),
            self.inner.computers(),
        )
        .await
    }

    async fn computers_page(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Computer>, BackendError> {
        timed(
            format!("computers {query:?} limit {limit} offset {offset}"),
            rows,
            self.inner.computers_page(query, limit, offset),
        )
        .await
    }

    async fn saved_searches(&self) -> Result<Vec<crate::model::SavedSearch>, BackendError> {
        self.inner.saved_searches().await
    }

    async fn pending_computers(&self) -> Result<Vec<serde_json::Value>, BackendError> {
        self.inner.pending_computers().await
    }

    async fn events(
        &self,
        filter: &super::EventFilter,
    ) -> Result<Page<crate::model::event::ServerEvent>, BackendError> {
        timed(
            format!("events {filter:?}"),
            |p: &Page<crate::model::event::ServerEvent>| {
                format!("{} of {} events", p.results.len(), p.count)
            },
            self.inner.events(filter),
        )
        .await
    }

    async fn computers_by_id(&self, list: &[u64]) -> Result<Vec<Computer>, BackendError> {
        timed(
            format!("computers {}", ids(list)),
            |v: &Vec<Computer>| format!("{} computers", v.len()),
            self.inner.computers_by_id(list),
        )
        .await
    }

    async fn computer_titles(
        &self,
        list: &[u64],
        fresh: bool,
    ) -> Result<HashMap<u64, String>, BackendError> {
        timed(
            format!(
                "computer titles of {}{}",
                ids(list),
                if fresh { " (fresh)" } else { "" }
            ),
            |v: &HashMap<u64, String>| format!("{} named", v.len()),
            self.inner.computer_titles(list, fresh),
        )
        .await
    }

    async fn first_page(&self, query: &str, limit: u64) -> Result<Page<Activity>, BackendError> {
        timed(
            format!("first {limit} of {query:?}, counted"),
            rows,
            self.inner.first_page(query, limit),
        )
        .await
    }

    async fn count(&self, query: &str) -> Result<u64, BackendError> {
        timed(
            format!("count {query:?}"),
            |n: &u64| format!("{n} match"),
            self.inner.count(query),
        )
        .await
    }

    async fn approve(&self, s: &Selection) -> Result<Vec<u64>, BackendError> {
        timed(
            format!("approve {}", selection(s)),
            |v: &Vec<u64>| format!("{} approved", v.len()),
            self.inner.approve(s),
        )
        .await
    }

    async fn cancel(&self, s: &Selection) -> Result<Vec<u64>, BackendError> {
        timed(
            format!("cancel {}", selection(s)),
            |v: &Vec<u64>| format!("{} canceled", v.len()),
            self.inner.cancel(s),
        )
        .await
    }

    async fn reapply(&self, list: &[u64]) -> Result<Vec<Activity>, BackendError> {
        timed(
            format!("reapply {}", ids(list)),
            |v: &Vec<Activity>| format!("{} created", v.len()),
            self.inner.reapply(list),
        )
        .await
    }

    async fn revert(&self, list: &[u64]) -> Result<Vec<Activity>, BackendError> {
        timed(
            format!("revert {}", ids(list)),
            |v: &Vec<Activity>| format!("{} created", v.len()),
            self.inner.revert(list),
        )
        .await
    }

    fn changes(&self) -> watch::Receiver<u64> {
        self.inner.changes()
    }

    fn now(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.inner.now()
    }

    fn retry_credentials(&self) {
        self.inner.retry_credentials()
    }

    fn servers(&self) -> Vec<super::several::Server> {
        self.inner.servers()
    }

    async fn operations_in_flight(
        &self,
    ) -> Result<Vec<crate::model::operation::Operation>, BackendError> {
        self.inner.operations_in_flight().await
    }

    async fn operations(
        &self,
        names: &[String],
    ) -> Result<Vec<crate::model::operation::Operation>, BackendError> {
        self.inner.operations(names).await
    }

    async fn debarchive_resources(
        &self,
        plural: &str,
        size: usize,
        offset: usize,
    ) -> Result<(Vec<serde_json::Value>, Option<usize>), BackendError> {
        self.inner.debarchive_resources(plural, size, offset).await
    }

    async fn sync_mirror(
        &self,
        id: &str,
    ) -> Result<crate::model::operation::Operation, BackendError> {
        self.inner.sync_mirror(id).await
    }
}
