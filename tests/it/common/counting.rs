//! A backend that counts the calls it passes on: served by `serve`, it
//! counts the requests that reach the server, so a test (or a bench) can
//! hold a plan's cost to what is shown, not to the account.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use landscape_tui::backend::{Backend, BackendError, BackendInfo, CompletionValues, Selection};
use landscape_tui::model::{Activity, Computer, ListSort, Page, RowPage};
use tokio::sync::watch;

pub struct Counting {
    inner: Arc<dyn Backend>,
    calls: AtomicUsize,
}

impl Counting {
    pub fn new(inner: Arc<dyn Backend>) -> Arc<Counting> {
        Arc::new(Counting {
            inner,
            calls: AtomicUsize::new(0),
        })
    }

    /// Calls so far; `reset` starts again from zero.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub fn reset(&self) {
        self.calls.store(0, Ordering::SeqCst);
    }

    fn one(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl Backend for Counting {
    fn info(&self) -> BackendInfo {
        self.inner.info()
    }
    async fn activities(
        &self,
        q: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Activity>, BackendError> {
        self.one();
        self.inner.activities(q, limit, offset).await
    }
    async fn top_level(&self, q: &str, limit: u64, offset: u64) -> Result<RowPage, BackendError> {
        self.one();
        self.inner.top_level(q, limit, offset).await
    }
    async fn top_level_sorted(
        &self,
        q: &str,
        sort: ListSort,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        self.one();
        self.inner.top_level_sorted(q, sort, limit, offset).await
    }
    async fn activity(&self, id: u64) -> Result<Activity, BackendError> {
        self.one();
        self.inner.activity(id).await
    }
    async fn children(&self, parent: u64, q: Option<&str>) -> Result<Vec<Activity>, BackendError> {
        self.one();
        self.inner.children(parent, q).await
    }
    async fn activity_types(&self) -> Result<Vec<String>, BackendError> {
        self.one();
        self.inner.activity_types().await
    }
    async fn completion_values(&self) -> Result<CompletionValues, BackendError> {
        self.one();
        self.inner.completion_values().await
    }
    async fn computers(&self) -> Result<Vec<Computer>, BackendError> {
        self.one();
        self.inner.computers().await
    }
    async fn computers_page(
        &self,
        q: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Computer>, BackendError> {
        self.one();
        self.inner.computers_page(q, limit, offset).await
    }
    async fn computer_titles(
        &self,
        ids: &[u64],
        fresh: bool,
    ) -> Result<HashMap<u64, String>, BackendError> {
        self.one();
        self.inner.computer_titles(ids, fresh).await
    }
    async fn first_page(&self, q: &str, limit: u64) -> Result<Page<Activity>, BackendError> {
        self.one();
        self.inner.first_page(q, limit).await
    }
    async fn count(&self, q: &str) -> Result<u64, BackendError> {
        self.one();
        self.inner.count(q).await
    }
    async fn approve(&self, s: &Selection) -> Result<Vec<u64>, BackendError> {
        self.one();
        self.inner.approve(s).await
    }
    async fn cancel(&self, s: &Selection) -> Result<Vec<u64>, BackendError> {
        self.one();
        self.inner.cancel(s).await
    }
    async fn reapply(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        self.one();
        self.inner.reapply(ids).await
    }
    async fn revert(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        self.one();
        self.inner.revert(ids).await
    }
    fn changes(&self) -> watch::Receiver<u64> {
        self.inner.changes()
    }
    fn now(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.inner.now()
    }
}
