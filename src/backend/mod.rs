//! The one interface the dashboard (and the scripting commands) talk to.
//!
//! Implemented in process by the embedded engine and over HTTP by the remote
//! client, so everything above this module works the same on both.

pub mod action_log;
pub mod action_plan;
pub mod action_report;
pub mod clusters;
pub mod deadline;
pub mod engine;
mod error;
pub mod health;
pub mod logged;
mod reader_first;
pub mod remote;
pub mod several;
pub mod source;
pub mod watched;

use std::collections::HashMap;

use async_trait::async_trait;
use tokio::sync::watch;

pub use crate::model::ActionKind;
pub use crate::model::Selection;
use crate::model::operation::Operation;
use crate::model::{Activity, Computer, ListSort, Page, RowPage, SortColumn};

/// What a server without Landscape 26.04's debarchive service says.
pub const NO_OPERATIONS: &str =
    "this server has no long-running operations (Landscape 26.04's debarchive service)";

/// Reads of activities by id sent at once: enough to hide a network's
/// round trips, few enough not to crowd a server.
const IDS_READS_AT_ONCE: usize = 4;

pub use crate::query::CompletionValues;
pub use error::{BackendError, Refusal};

/// A short description for the status bar: `DEMO` or the server URL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BackendInfo {
    pub label: String,
    /// True for the embedded engine (no server involved).
    pub embedded: bool,
    /// Whether the backend sends per-activity `actions` flags.
    pub sends_action_flags: bool,
    /// Whether [`Backend::top_level_sorted`] sorts by every column (else
    /// only by creation time, and the dashboard sorts loaded rows).
    pub sorts_every_column: bool,
    /// TLS certificates are not verified (`insecure = true`): said for as
    /// long as the dashboard runs, never only once.
    pub unverified_tls: bool,
    /// Several servers in one list: each by name, in the order their
    /// ids are tagged ([`crate::model::origin`]); empty for one.
    pub servers: Vec<crate::model::origin::ServerName>,
}

impl BackendInfo {
    /// The embedded engine: it sends action flags and sorts by any column.
    pub fn embedded_engine() -> BackendInfo {
        BackendInfo {
            label: "DEMO".into(),
            embedded: true,
            sends_action_flags: true,
            sorts_every_column: true,
            unverified_tls: false,
            servers: Vec::new(),
        }
    }
}

/// Which events to read (`GET /events?days&search&limit&offset`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFilter {
    pub days: Option<u64>,
    pub search: String,
    pub limit: u64,
    pub offset: u64,
}

#[async_trait]
pub trait Backend: Send + Sync {
    fn info(&self) -> BackendInfo;

    /// What the backend's start found that the operator should hear once
    /// (a state file loaded, a journal recovered).
    fn take_start_note(&self) -> Option<String> {
        None
    }

    /// Activities matching `query`, newest first.
    async fn activities(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Activity>, BackendError>;

    /// What the dashboard's list shows for `query`: top-level activities
    /// (parents and standalone ones) that match, plus every parent with a
    /// matching child; newest first, counted as rows.
    async fn top_level(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError>;

    /// [`Backend::top_level`] in `sort`'s order. Servers order by creation
    /// time only: oldest first is read from the far end, and any other
    /// column is left to the caller (see [`BackendInfo::sorts_every_column`]).
    async fn top_level_sorted(
        &self,
        query: &str,
        sort: ListSort,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        if sort.column != SortColumn::Created || sort.descending {
            return self.top_level(query, limit, offset).await;
        }
        let count = self.top_level(query, 1, 0).await?.rows.count;
        let end = count.saturating_sub(offset);
        let start = end.saturating_sub(limit);
        let mut page = self.top_level(query, end - start, start).await?;
        page.rows.results.reverse();
        Ok(page)
    }

    async fn activity(&self, id: u64) -> Result<Activity, BackendError>;

    /// The children of a parent; with `query`, only those that match it.
    async fn children(
        &self,
        parent_id: u64,
        query: Option<&str>,
    ) -> Result<Vec<Activity>, BackendError>;

    async fn activity_types(&self) -> Result<Vec<String>, BackendError>;

    async fn completion_values(&self) -> Result<CompletionValues, BackendError>;

    /// Computers for completion (tags, hostnames, titles). Servers whose
    /// fleet is not loaded whole answer none.
    async fn computers(&self) -> Result<Vec<Computer>, BackendError> {
        Ok(Vec::new())
    }

    /// Computers matching a computer query (`tag:web hostname:db-01`), a
    /// page of them, as `GetComputers` and `GET /computers` answer.
    async fn computers_page(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Computer>, BackendError>;

    /// Computers that asked to be registered and wait for acceptance
    /// (`GetPendingComputers`'s records).
    async fn pending_computers(&self) -> Result<Vec<serde_json::Value>, BackendError> {
        Ok(Vec::new())
    }

    /// Saved searches (`search:NAME` in computer queries), in order.
    async fn saved_searches(&self) -> Result<Vec<crate::model::SavedSearch>, BackendError> {
        Ok(Vec::new())
    }

    /// The events log (who approved, canceled, reapplied or reverted what),
    /// newest first: those of the last `days` that mention `search`. A
    /// backend without one says so.
    async fn events(
        &self,
        _filter: &EventFilter,
    ) -> Result<Page<crate::model::event::ServerEvent>, BackendError> {
        Err(BackendError::Unsupported(
            "this server keeps no events log".into(),
        ))
    }

    /// The computers `ids` as records (with their last contact), for
    /// saying why an activity waits; ids the server does not know are
    /// left out. Never cached: contact times move.
    async fn computers_by_id(&self, ids: &[u64]) -> Result<Vec<Computer>, BackendError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(
                self.computers_page(&format!("id:{id}"), 1, 0)
                    .await?
                    .results,
            );
        }
        Ok(out)
    }

    /// Titles of the computers `ids`, for naming them on screen; ids the
    /// server does not know are left out. `fresh` skips any cache.
    async fn computer_titles(
        &self,
        ids: &[u64],
        fresh: bool,
    ) -> Result<HashMap<u64, String>, BackendError>;

    /// The activities named, in requests of [`IDS_PER_QUERY`](crate::model::scope::IDS_PER_QUERY) ids
    /// (`id:1 OR id:2 …`), a few requests at a time (over a network the
    /// reads cost a round trip, not one per hundred); an id not found is
    /// left out.
    async fn activities_by_id(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        use futures::{StreamExt, TryStreamExt};
        let queries: Vec<(String, u64)> = ids
            .chunks(crate::model::scope::IDS_PER_QUERY)
            .map(|chunk| {
                let query = crate::model::scope::ids_chain(chunk.iter().copied());
                (query, chunk.len() as u64)
            })
            .collect();
        let pages: Vec<Vec<Activity>> = futures::stream::iter(queries)
            .map(|(query, n)| async move { self.activities(&query, n, 0).await.map(|p| p.results) })
            .buffered(IDS_READS_AT_ONCE)
            .try_collect()
            .await?;
        Ok(pages.into_iter().flatten().collect())
    }

    /// How many activities match `query`, exactly (what a page's `count`
    /// says; a server whose pages have no count is probed).
    async fn count(&self, query: &str) -> Result<u64, BackendError> {
        Ok(self.activities(query, 1, 0).await?.count)
    }

    /// The first `limit` matches of `query` with their exact count: one
    /// request where pages carry the count (a server whose pages do not
    /// counts first).
    async fn first_page(&self, query: &str, limit: u64) -> Result<Page<Activity>, BackendError> {
        self.activities(query, limit, 0).await
    }

    async fn approve(&self, selection: &Selection) -> Result<Vec<u64>, BackendError>;
    async fn cancel(&self, selection: &Selection) -> Result<Vec<u64>, BackendError>;
    async fn reapply(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError>;
    async fn revert(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError>;

    /// Bumps whenever the data may have changed (an action, the engine's
    /// clock moving); the dashboard refreshes on it. Remote backends that
    /// cannot know bump on their own poll interval.
    fn changes(&self) -> watch::Receiver<u64>;

    /// The backend's time now, where it keeps one: the engine's clock, or
    /// a server's from its answers' `Date`. Relative dates, `{today}` and
    /// "how long ago" are read against it, so a demo or `serve` dataset
    /// whose clock is not the wall's shows its own today.
    fn now(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        None
    }

    /// The operator asks to try refused credentials again (`r`): a
    /// client that holds back after a refusal (so that a server never
    /// locks the account out) sends the next request.
    fn retry_credentials(&self) {}

    /// Landscape 26.04's long-running operations not done yet (mirror
    /// syncs, imports, publications, in the debarchive service): none on
    /// a server without them.
    async fn operations_in_flight(&self) -> Result<Vec<Operation>, BackendError> {
        Ok(Vec::new())
    }

    /// The operations named (`operations/ID` or `ID`, as
    /// `operations:batchGet` takes them); one not found is left out.
    async fn operations(&self, _names: &[String]) -> Result<Vec<Operation>, BackendError> {
        Err(BackendError::Unsupported(NO_OPERATIONS.into()))
    }

    /// A page of the debarchive's `mirrors`, `locals` or `publications`
    /// from `offset`, each with its `lastOperation`, and the next page's
    /// offset (what `serve` answers).
    async fn debarchive_resources(
        &self,
        _plural: &str,
        _size: usize,
        _offset: usize,
    ) -> Result<(Vec<serde_json::Value>, Option<usize>), BackendError> {
        Err(BackendError::Unsupported(NO_OPERATIONS.into()))
    }

    /// Starts a sync of the mirror `id`: its operation.
    async fn sync_mirror(&self, _id: &str) -> Result<Operation, BackendError> {
        Err(BackendError::Unsupported(NO_OPERATIONS.into()))
    }

    /// With several servers, each on its own (its reads and actions, ids
    /// tagged): an action is planned and sent per server. Empty for one.
    fn servers(&self) -> Vec<several::Server> {
        Vec::new()
    }
}

/// Why `kind` may not be applied to `activity` now, or `None` when it may.
/// Uses the record's `actions` flags when the server sent them (a server
/// knows rules we may not), and the lifecycle rules otherwise.
pub fn refusal_reason(kind: ActionKind, activity: &Activity) -> Option<String> {
    let rules = kind.refusal(activity);
    let Some(flags) = activity.actions.get() else {
        return rules;
    };
    let allowed = match kind {
        ActionKind::Approve => flags.approvable,
        ActionKind::Cancel => flags.cancelable,
        ActionKind::Reapply => flags.reappliable,
        // No flag for revert: the rules decide.
        ActionKind::Revert => return rules,
    };
    if allowed {
        None
    } else {
        Some(rules.unwrap_or_else(|| {
            format!(
                "the server does not allow {} for this activity",
                kind.verb()
            )
        }))
    }
}
