//! The one interface the dashboard (and the scripting commands) talk to.
//!
//! Implemented in process by the embedded engine and over HTTP by the remote
//! client, so everything above this module works the same on both.

mod error;
pub mod remote;

use async_trait::async_trait;
use tokio::sync::watch;

use crate::model::{Activity, Page};

pub use crate::query::CompletionValues;
pub use error::{BackendError, Refusal};

/// Which activities an approve or cancel applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Everything the search-language query selects.
    Query(String),
    /// These activities (a parent stands for its children).
    Ids(Vec<u64>),
}

/// The four things an operator can do to activities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    Approve,
    Cancel,
    Reapply,
    Revert,
}

impl ActionKind {
    pub const ALL: [ActionKind; 4] = [
        ActionKind::Approve,
        ActionKind::Cancel,
        ActionKind::Reapply,
        ActionKind::Revert,
    ];

    pub fn verb(self) -> &'static str {
        match self {
            ActionKind::Approve => "approve",
            ActionKind::Cancel => "cancel",
            ActionKind::Reapply => "reapply",
            ActionKind::Revert => "revert",
        }
    }
}

/// What an action did: ids changed (approve, cancel) or activities created
/// (reapply, revert).
#[derive(Debug, Clone, PartialEq)]
pub enum ActionOutcome {
    Changed(Vec<u64>),
    Created(Vec<Activity>),
}

/// A dry run: what the action would change and what it would refuse.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionPreview {
    /// Activities that would change (children stand in for their parent).
    pub allowed: Vec<Activity>,
    /// Activities that would be refused, ids ascending.
    pub refused: Vec<Refusal>,
}

/// A short description for the status bar: `DEMO` or the server URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendInfo {
    pub label: String,
    /// True for the embedded engine (no server involved).
    pub embedded: bool,
    /// Whether the backend sends per-activity `actions` flags.
    pub sends_action_flags: bool,
}

#[async_trait]
pub trait Backend: Send + Sync {
    fn info(&self) -> BackendInfo;

    /// Activities matching `query`, newest first.
    async fn activities(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Activity>, BackendError>;

    /// What the dashboard's list shows for `query`: top-level activities
    /// (parents and standalone ones) that match, plus every parent with a
    /// matching child; newest first.
    async fn top_level(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Activity>, BackendError>;

    async fn activity(&self, id: u64) -> Result<Activity, BackendError>;

    /// The children of a parent; with `query`, only those that match it.
    async fn children(
        &self,
        parent_id: u64,
        query: Option<&str>,
    ) -> Result<Vec<Activity>, BackendError>;

    async fn activity_types(&self) -> Result<Vec<String>, BackendError>;

    async fn completion_values(&self) -> Result<CompletionValues, BackendError>;

    /// Dry run of `kind` on `ids`: nothing changes.
    async fn preview(&self, kind: ActionKind, ids: &[u64]) -> Result<ActionPreview, BackendError>;

    async fn approve(&self, selection: &Selection) -> Result<Vec<u64>, BackendError>;
    async fn cancel(&self, selection: &Selection) -> Result<Vec<u64>, BackendError>;
    async fn reapply(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError>;
    async fn revert(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError>;

    /// Bumps whenever the data may have changed (an action, the engine's
    /// clock moving); the dashboard refreshes on it. Remote backends that
    /// cannot know bump on their own poll interval.
    fn changes(&self) -> watch::Receiver<u64>;
}

impl ActionKind {
    /// Runs this action on `ids` through `backend`.
    pub async fn run(
        self,
        backend: &dyn Backend,
        ids: &[u64],
    ) -> Result<ActionOutcome, BackendError> {
        let selection = Selection::Ids(ids.to_vec());
        Ok(match self {
            ActionKind::Approve => ActionOutcome::Changed(backend.approve(&selection).await?),
            ActionKind::Cancel => ActionOutcome::Changed(backend.cancel(&selection).await?),
            ActionKind::Reapply => ActionOutcome::Created(backend.reapply(ids).await?),
            ActionKind::Revert => ActionOutcome::Created(backend.revert(ids).await?),
        })
    }
}

/// Why `kind` may not be applied to `activity` now, or `None` when it may.
/// Uses the record's `actions` flags when the server sent them, and the
/// lifecycle rules (`reference/lifecycle.md`) otherwise.
pub fn refusal_reason(kind: ActionKind, activity: &Activity) -> Option<String> {
    use crate::model::ActivityStatus as S;
    let status = activity.status();
    let flags = activity.actions.get();
    let allowed = match (kind, flags) {
        (ActionKind::Approve, Some(f)) => f.approvable,
        (ActionKind::Cancel, Some(f)) => f.cancelable,
        (ActionKind::Reapply, Some(f)) => f.reappliable,
        (ActionKind::Approve, None) => status == Some(&S::Unapproved),
        (ActionKind::Cancel, None) => matches!(
            status,
            Some(
                S::Unapproved
                    | S::Undelivered
                    | S::Scheduled
                    | S::Waiting
                    | S::Blocked
                    | S::Delivered
            )
        ),
        (ActionKind::Reapply, None) => status.is_some_and(S::is_final),
        (ActionKind::Revert, _) => {
            status == Some(&S::Succeeded) && activity.activity_type == "ChangePackagesRequest"
        }
    };
    if allowed {
        return None;
    }
    let status = status.map_or("without a status", |s| s.as_str());
    Some(match kind {
        ActionKind::Approve => {
            format!("activity is {status}; only unapproved activities can be approved")
        }
        ActionKind::Cancel => format!("activity is {status}; it has already finished"),
        ActionKind::Reapply => {
            format!("activity is {status}; only finished activities can be reapplied")
        }
        ActionKind::Revert => {
            if activity.activity_type != "ChangePackagesRequest" {
                format!(
                    "{} cannot be reverted; only package changes can",
                    activity.activity_type
                )
            } else {
                format!("activity is {status}; only succeeded package changes can be reverted")
            }
        }
    })
}
