//! The embedded engine as a `Backend`: in process, behind a lock, with a
//! task that runs its clock and tells the dashboard when anything moved.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::{RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::watch;

use super::reader_first::ReaderFirstLock;
use super::{Backend, BackendError, BackendInfo, CompletionValues, Selection};
use crate::engine::state::{Journal, Op};
use crate::engine::{ActionError, Engine};
use crate::model::{Activity, Computer, Page, RowPage};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineOptions {
    /// Engine seconds per wall second.
    pub speed: f64,
    /// Keep the clock still (tests, screenshots).
    pub frozen: bool,
    /// Refuse every action.
    pub read_only: bool,
    /// How often the clock task advances the engine.
    pub tick: Duration,
}

impl Default for EngineOptions {
    fn default() -> EngineOptions {
        EngineOptions {
            speed: 1.0,
            frozen: false,
            read_only: false,
            tick: Duration::from_millis(500),
        }
    }
}

pub struct EngineBackend {
    engine: ReaderFirstLock<Engine>,
    options: EngineOptions,
    changes: watch::Sender<u64>,
    /// With `--state`: where each change is made durable before it is answered.
    journal: Option<std::sync::Mutex<Journal>>,
    /// What the start found (a state loaded, a journal recovered).
    start_note: std::sync::Mutex<Option<String>>,
}

impl EngineBackend {
    /// Wraps `engine`; unless frozen, starts the clock task (call inside a
    /// tokio runtime). The task stops when the backend is dropped.
    pub fn new(engine: Engine, options: EngineOptions) -> Arc<EngineBackend> {
        EngineBackend::with_journal(engine, options, None)
    }

    /// The same, recording every change in `journal` before answering it.
    pub fn with_journal(
        mut engine: Engine,
        options: EngineOptions,
        journal: Option<Journal>,
    ) -> Arc<EngineBackend> {
        if options.frozen {
            engine.freeze_clock();
        } else {
            engine.run_clock(options.speed);
        }
        let (changes, _) = watch::channel(0);
        let backend = Arc::new(EngineBackend {
            engine: ReaderFirstLock::new(engine),
            options,
            changes,
            journal: journal.map(std::sync::Mutex::new),
            start_note: std::sync::Mutex::new(None),
        });
        if !options.frozen {
            let weak = Arc::downgrade(&backend);
            tokio::spawn(async move {
                let mut interval = tokio::time::interval(options.tick);
                loop {
                    interval.tick().await;
                    let Some(backend) = weak.upgrade() else { break };
                    if backend.write().advance() {
                        backend.changed();
                    }
                }
            });
        }
        backend
    }

    pub fn set_start_note(&self, note: String) {
        *self.start_note.lock().unwrap_or_else(|p| p.into_inner()) = Some(note);
    }

    /// Reads never see half an action: actions hold the write lock. A
    /// read does not wait behind a writer that waits (see `reader_first`).
    /// Whose activities reapply and revert create from now on (`serve`'s
    /// logged-in user).
    pub fn set_user(&self, user: crate::model::Creator) {
        self.write().set_user(user);
    }

    pub fn read(&self) -> RwLockReadGuard<'_, Engine> {
        self.engine.read()
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, Engine> {
        self.engine.write()
    }

    fn changed(&self) {
        self.changes.send_modify(|n| *n += 1);
    }

    fn writable(&self) -> Result<(), BackendError> {
        if self.options.read_only {
            Err(BackendError::ReadOnly)
        } else {
            Ok(())
        }
    }

    /// Runs an action under the write lock; tells watchers when it changed anything.
    /// With a journal, the change is on disk before this returns, under
    /// the write lock, so the journal's order is the order things happened.
    fn act<T>(
        &self,
        op: Op,
        run: impl FnOnce(&mut Engine) -> Result<T, ActionError>,
    ) -> Result<T, BackendError> {
        self.writable()?;
        let result: Result<Result<T, BackendError>, ActionError> = off_the_workers(|| {
            let mut engine = self.write();
            let done = run(&mut engine)?;
            if let Some(journal) = &self.journal {
                let mut journal = journal.lock().unwrap_or_else(|p| p.into_inner());
                if let Err(e) = journal.record_change(&mut engine, op) {
                    return Ok(Err(BackendError::Transport(format!(
                        "the change was made but could not be saved: {e}"
                    ))));
                }
                if journal.wants_fold() {
                    // Reads go on while the snapshot is written; changes
                    // wait (the journal is held).
                    let engine = parking_lot::RwLockWriteGuard::downgrade(engine);
                    // A failed fold loses nothing: the change is in the
                    // journal, and the fold is tried after the next change
                    // (whose own write would report a full disk).
                    let _ = journal.fold(&engine);
                }
            }
            Ok(Ok(done))
        });
        if result.is_ok() {
            self.changed();
        }
        result.map_err(BackendError::from)?
    }
}

/// Runs engine work (a scan of a million activities, an action) without
/// holding up the async workers: on a multi-threaded runtime the worker
/// hands its other tasks on while this one blocks.
fn off_the_workers<T>(work: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(work),
        _ => work(),
    }
}

impl From<ActionError> for BackendError {
    fn from(e: ActionError) -> BackendError {
        match e {
            ActionError::Query(q) => q.into(),
            ActionError::Refused(refusals) => BackendError::Refused {
                refusals,
                unlisted: 0,
            },
        }
    }
}

#[async_trait]
impl Backend for EngineBackend {
    fn take_start_note(&self) -> Option<String> {
        self.start_note
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    fn info(&self) -> BackendInfo {
        BackendInfo::embedded_engine()
    }

    async fn activities(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Activity>, BackendError> {
        Ok(off_the_workers(|| {
            self.read().activities(query, limit, offset)
        })?)
    }

    async fn top_level(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        Ok(off_the_workers(|| {
            self.read().top_level(query, limit, offset)
        })?)
    }

    async fn top_level_sorted(
        &self,
        query: &str,
        sort: crate::model::ListSort,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        Ok(off_the_workers(|| {
            self.read().top_level_sorted(query, sort, limit, offset)
        })?)
    }

    async fn activity(&self, id: u64) -> Result<Activity, BackendError> {
        self.read().activity(id).ok_or(BackendError::NotFound(id))
    }

    async fn children(
        &self,
        parent_id: u64,
        query: Option<&str>,
    ) -> Result<Vec<Activity>, BackendError> {
        off_the_workers(|| {
            let engine = self.read();
            if engine.activity(parent_id).is_none() {
                return Err(BackendError::NotFound(parent_id));
            }
            Ok(engine.children(parent_id, query)?)
        })
    }

    async fn activity_types(&self) -> Result<Vec<String>, BackendError> {
        Ok(self.read().activity_types())
    }

    async fn completion_values(&self) -> Result<CompletionValues, BackendError> {
        Ok(self.read().completion_values())
    }

    async fn computers(&self) -> Result<Vec<Computer>, BackendError> {
        Ok(self.read().computers().cloned().collect())
    }

    async fn computers_page(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Computer>, BackendError> {
        Ok(off_the_workers(|| {
            self.read().computers_page(query, limit, offset)
        })?)
    }

    async fn computer_titles(
        &self,
        ids: &[u64],
        _fresh: bool,
    ) -> Result<HashMap<u64, String>, BackendError> {
        Ok(self.read().computer_titles(ids))
    }

    async fn approve(&self, selection: &Selection) -> Result<Vec<u64>, BackendError> {
        let op = Op::Approve {
            selection: selection.clone(),
        };
        self.act(op, |e| e.approve(selection))
    }

    async fn cancel(&self, selection: &Selection) -> Result<Vec<u64>, BackendError> {
        let op = Op::Cancel {
            selection: selection.clone(),
        };
        self.act(op, |e| e.cancel(selection))
    }

    async fn reapply(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        self.act(Op::Reapply { ids: ids.to_vec() }, |e| e.reapply(ids))
    }

    async fn revert(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        self.act(Op::Revert { ids: ids.to_vec() }, |e| e.revert(ids))
    }

    fn changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }
}
