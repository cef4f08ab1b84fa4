//! The embedded engine as a `Backend`: in process, behind a lock, with a
//! thread that runs its clock and tells the dashboard when anything moved.
//!
//! Engine work never runs on an async worker: each call goes to tokio's
//! blocking pool, so a long scan holds up no other request's I/O. Changes
//! (actions and the clock) take turns under one writer lock, which also
//! holds the journal: each is worked out under a read lock (reads go on),
//! written to the journal and synced with no engine lock held, then
//! applied in a short write. So a full disk means the change is not made,
//! and a slow disk stalls no reader.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use parking_lot::{RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::watch;

use super::reader_first::ReaderFirstLock;
use super::{Backend, BackendError, BackendInfo, CompletionValues, Selection};
use crate::engine::state::{Journal, StateError};
use crate::engine::{ActionError, Done, Engine};
use crate::model::{ActionKind, Activity, Computer, Page, RowPage};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineOptions {
    /// Engine seconds per wall second.
    pub speed: f64,
    /// Keep the clock still (tests, screenshots).
    pub frozen: bool,
    /// Refuse every action.
    pub read_only: bool,
    /// How often the clock thread advances the engine.
    pub tick: Duration,
    /// Landscape 26.04's debarchive service: mirrors, local repositories
    /// and publications whose operations move with the clock (off: a
    /// Landscape before 26.04, whose mirror syncs are activities only).
    pub debarchive: bool,
}

impl Default for EngineOptions {
    fn default() -> EngineOptions {
        EngineOptions {
            speed: 1.0,
            frozen: false,
            read_only: false,
            tick: Duration::from_millis(500),
            debarchive: false,
        }
    }
}

pub struct EngineBackend {
    shared: Arc<Shared>,
    /// Landscape 26.04's mirrors and their operations, on the engine's
    /// clock; none for an older Landscape.
    debarchive: Option<Mutex<crate::engine::debarchive::Debarchive>>,
    /// What the start found (a state loaded, a journal recovered).
    start_note: Mutex<Option<String>>,
}

/// What the blocking pool and the clock thread share with the backend.
struct Shared {
    engine: ReaderFirstLock<Engine>,
    /// The engine's time when [`Backend::now`] last read it (seconds).
    seen_now: std::sync::atomic::AtomicI64,
    /// Held by whatever changes the engine (an action, the clock), one at
    /// a time; with `--state`, the journal each change is written to first.
    writer: Mutex<Option<Journal>>,
    changes: watch::Sender<u64>,
    read_only: bool,
}

impl EngineBackend {
    /// Wraps `engine`; unless frozen, starts the clock thread. The thread
    /// stops when the backend is dropped.
    pub fn new(engine: Engine, options: EngineOptions) -> Arc<EngineBackend> {
        EngineBackend::with_journal(engine, options, None)
    }

    /// The same, writing every change to `journal` before making it.
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
        let debarchive = options
            .debarchive
            .then(|| Mutex::new(crate::engine::debarchive::Debarchive::demo(engine.now())));
        let shared = Arc::new(Shared {
            seen_now: std::sync::atomic::AtomicI64::new(engine.now().timestamp()),
            engine: ReaderFirstLock::new(engine),
            writer: Mutex::new(journal),
            changes,
            read_only: options.read_only,
        });
        if !options.frozen {
            let weak = Arc::downgrade(&shared);
            let started = std::thread::Builder::new()
                .name("engine-clock".into())
                .spawn(move || {
                    let mut complained = false;
                    loop {
                        std::thread::sleep(options.tick);
                        let Some(shared) = weak.upgrade() else { break };
                        match shared.tick() {
                            Ok(_) => complained = false,
                            // Said once, not every tick; the clock waits.
                            Err(e) if !complained => {
                                complained = true;
                                eprintln!(
                                    "landscape-tui: the clock is held: {e}; activities move on once the state can be written"
                                );
                            }
                            Err(_) => {}
                        }
                    }
                });
            if let Err(e) = started {
                eprintln!(
                    "landscape-tui: the engine's clock could not start ({e}); it stays still"
                );
            }
        }
        Arc::new(EngineBackend {
            shared,
            debarchive,
            start_note: Mutex::new(None),
        })
    }

    /// The clock's time, which runs even while no activity moves (the
    /// engine's own time waits for the next change): operations move on it.
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        self.shared.engine.read().clock().now()
    }

    fn debarchive(
        &self,
    ) -> Option<std::sync::MutexGuard<'_, crate::engine::debarchive::Debarchive>> {
        self.debarchive
            .as_ref()
            .map(|m| m.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn set_start_note(&self, note: String) {
        *self.start_note.lock().unwrap_or_else(|p| p.into_inner()) = Some(note);
    }

    /// Whose activities reapply and revert create from now on (`serve`'s
    /// logged-in user).
    /// Saves a search (`serve --saved-search NAME=QUERY`).
    pub fn save_search(
        &self,
        search: crate::model::SavedSearch,
    ) -> Result<(), crate::query::QueryError> {
        self.write().save_search(search)
    }

    pub fn set_user(&self, user: crate::model::Creator) {
        let _writer = self.shared.writer();
        self.write().set_user(user);
    }

    /// Reads never see half a change: changes hold the write lock. A read
    /// does not wait behind a writer that waits (see `reader_first`).
    pub fn read(&self) -> RwLockReadGuard<'_, Engine> {
        self.shared.engine.read()
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, Engine> {
        self.shared.engine.write()
    }

    /// Runs `work` on the blocking pool (inline outside a runtime).
    async fn off_the_workers<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Shared) -> T + Send + 'static,
    ) -> Result<T, BackendError> {
        let shared = self.shared.clone();
        // A request's time goes with the work: a query past it stops.
        let deadline = super::deadline::current();
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => handle
                .spawn_blocking(move || crate::engine::deadline::within(deadline, || work(&shared)))
                .await
                .map_err(|e| BackendError::Transport(format!("the engine failed: {e}"))),
            Err(_) => Ok(work(&shared)),
        }
    }

    /// Reads the engine off the async workers.
    async fn reading<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Engine) -> T + Send + 'static,
    ) -> Result<T, BackendError> {
        self.off_the_workers(move |shared| work(&shared.engine.read()))
            .await
    }

    async fn act(&self, kind: ActionKind, selection: Selection) -> Result<Done, BackendError> {
        self.off_the_workers(move |shared| shared.act(kind, &selection))
            .await?
    }
}

impl Shared {
    fn writer(&self) -> MutexGuard<'_, Option<Journal>> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn changed(&self) {
        self.changes.send_modify(|n| *n += 1);
    }

    /// One change: worked out on the state as it is, written to the
    /// journal, then made. Nothing else changes the engine meanwhile (the
    /// writer lock is held), so what was worked out is what is made.
    fn act(&self, kind: ActionKind, selection: &Selection) -> Result<Done, BackendError> {
        if self.read_only {
            return Err(BackendError::ReadOnly);
        }
        let mut writer = self.writer();
        // Actions happen at the clock's time, with what it moved by then.
        self.move_clock(&mut writer, false)
            .map_err(|e| BackendError::NotSaved(e.0))?;
        let prepared = self
            .engine
            .read()
            .prepare(kind, selection)
            .map_err(BackendError::from)?;
        let mut seq = None;
        if let Some(journal) = writer.as_mut()
            && !prepared.changes_nothing()
        {
            let engine = self.engine.read();
            seq = Some(
                journal
                    .write_ahead(&engine, &prepared)
                    .map_err(|e| BackendError::NotSaved(e.0))?,
            );
        }
        let done = {
            let mut engine = self.engine.write();
            if let Some(seq) = seq {
                Journal::applied(&mut engine, seq);
            }
            engine.perform(prepared)
        };
        self.fold_when_due(&mut writer);
        self.changed();
        Ok(done)
    }

    /// Moves the engine to the clock's time, writing the clock's record
    /// first when that moves any activity. True when anything moved.
    /// With `only_if_moved`, the engine's time is left as it is when no
    /// activity moves (a quiet engine takes no lock for writing).
    fn move_clock(
        &self,
        writer: &mut Option<Journal>,
        only_if_moved: bool,
    ) -> Result<bool, StateError> {
        let moves = self.engine.read().moves_now();
        if moves.to().is_none() || (only_if_moved && moves.is_empty()) {
            return Ok(false);
        }
        let mut seq = None;
        if let (Some(journal), Some(to)) = (writer.as_mut(), moves.to())
            && !moves.is_empty()
        {
            seq = Some(journal.write_clock(to)?);
        }
        let mut engine = self.engine.write();
        if let Some(seq) = seq {
            Journal::applied(&mut engine, seq);
        }
        Ok(engine.make_moves(moves))
    }

    /// The clock thread's step: moves activities along; watchers hear of it.
    fn tick(&self) -> Result<bool, StateError> {
        let mut writer = self.writer();
        // When nothing moves, the time alone moves on with the next change.
        let moved = self.move_clock(&mut writer, true)?;
        self.fold_when_due(&mut writer);
        drop(writer);
        if moved {
            self.changed();
        }
        Ok(moved)
    }

    /// Folds the journal when it has grown enough (see
    /// [`Journal::fold_when_due`]). Reads go on meanwhile; changes wait.
    fn fold_when_due(&self, writer: &mut Option<Journal>) {
        if let Some(journal) = writer.as_mut() {
            journal.fold_when_due(&self.engine.read());
        }
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
        let query = query.to_owned();
        Ok(self
            .reading(move |e| e.activities(&query, limit, offset))
            .await??)
    }

    async fn top_level(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        let query = query.to_owned();
        Ok(self
            .reading(move |e| e.top_level(&query, limit, offset))
            .await??)
    }

    async fn top_level_sorted(
        &self,
        query: &str,
        sort: crate::model::ListSort,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        let query = query.to_owned();
        Ok(self
            .reading(move |e| e.top_level_sorted(&query, sort, limit, offset))
            .await??)
    }

    async fn activity(&self, id: u64) -> Result<Activity, BackendError> {
        self.reading(move |e| e.activity(id))
            .await?
            .ok_or(BackendError::NotFound(id))
    }

    async fn children(
        &self,
        parent_id: u64,
        query: Option<&str>,
    ) -> Result<Vec<Activity>, BackendError> {
        let query = query.map(str::to_owned);
        self.reading(move |engine| {
            if engine.activity(parent_id).is_none() {
                return Err(BackendError::NotFound(parent_id));
            }
            Ok(engine.children(parent_id, query.as_deref())?)
        })
        .await?
    }

    async fn activity_types(&self) -> Result<Vec<String>, BackendError> {
        self.reading(Engine::activity_types).await
    }

    async fn completion_values(&self) -> Result<CompletionValues, BackendError> {
        self.reading(Engine::completion_values).await
    }

    async fn computers(&self) -> Result<Vec<Computer>, BackendError> {
        self.reading(|e| e.computers().cloned().collect()).await
    }

    async fn computers_page(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Computer>, BackendError> {
        let query = query.to_owned();
        Ok(self
            .reading(move |e| e.computers_page(&query, limit, offset))
            .await??)
    }

    async fn saved_searches(&self) -> Result<Vec<crate::model::SavedSearch>, BackendError> {
        self.reading(|e| e.saved_searches().to_vec()).await
    }

    async fn pending_computers(&self) -> Result<Vec<serde_json::Value>, BackendError> {
        self.reading(|e| e.pending_computers().to_vec()).await
    }

    async fn events(
        &self,
        filter: &super::EventFilter,
    ) -> Result<Page<crate::model::event::ServerEvent>, BackendError> {
        let f = filter.clone();
        self.reading(move |e| e.events(f.days, &f.search, f.limit, f.offset))
            .await
    }

    async fn computers_by_id(&self, ids: &[u64]) -> Result<Vec<Computer>, BackendError> {
        let ids = ids.to_vec();
        self.reading(move |e| e.computers_by_id(&ids)).await
    }

    async fn computer_titles(
        &self,
        ids: &[u64],
        _fresh: bool,
    ) -> Result<HashMap<u64, String>, BackendError> {
        let ids = ids.to_vec();
        self.reading(move |e| e.computer_titles(&ids)).await
    }

    async fn approve(&self, selection: &Selection) -> Result<Vec<u64>, BackendError> {
        Ok(self
            .act(ActionKind::Approve, selection.clone())
            .await?
            .ids())
    }

    async fn cancel(&self, selection: &Selection) -> Result<Vec<u64>, BackendError> {
        Ok(self.act(ActionKind::Cancel, selection.clone()).await?.ids())
    }

    async fn reapply(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        let selection = Selection::Ids(ids.to_vec());
        Ok(self.act(ActionKind::Reapply, selection).await?.created())
    }

    async fn revert(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        let selection = Selection::Ids(ids.to_vec());
        Ok(self.act(ActionKind::Revert, selection).await?.created())
    }

    fn changes(&self) -> watch::Receiver<u64> {
        self.shared.changes.subscribe()
    }

    /// Asked by the dashboard's loop at every event: it never waits for
    /// a change in progress, and answers the time last seen meanwhile.
    async fn operations_in_flight(
        &self,
    ) -> Result<Vec<crate::model::operation::Operation>, BackendError> {
        let now = self.clock_now();
        Ok(self
            .debarchive()
            .map_or_else(Vec::new, |d| d.in_flight(now)))
    }

    async fn operations(
        &self,
        names: &[String],
    ) -> Result<Vec<crate::model::operation::Operation>, BackendError> {
        let now = self.clock_now();
        let d = self
            .debarchive()
            .ok_or_else(|| BackendError::Unsupported(super::NO_OPERATIONS.into()))?;
        Ok(names.iter().filter_map(|n| d.operation(n, now)).collect())
    }

    async fn debarchive_resources(
        &self,
        plural: &str,
        size: usize,
        offset: usize,
    ) -> Result<(Vec<serde_json::Value>, Option<usize>), BackendError> {
        let d = self
            .debarchive()
            .ok_or_else(|| BackendError::Unsupported(super::NO_OPERATIONS.into()))?;
        let kind = crate::engine::debarchive::Kind::parse(plural)
            .ok_or_else(|| BackendError::Unsupported(format!("no such resource: {plural}")))?;
        Ok(d.list(kind, size, offset))
    }

    async fn sync_mirror(
        &self,
        id: &str,
    ) -> Result<crate::model::operation::Operation, BackendError> {
        if self.shared.read_only {
            return Err(BackendError::ReadOnly);
        }
        let now = self.clock_now();
        let mut d = self
            .debarchive()
            .ok_or_else(|| BackendError::Unsupported(super::NO_OPERATIONS.into()))?;
        let op = d
            .sync(id, now)
            .ok_or_else(|| BackendError::Unsupported(format!("no mirror {id}")))?;
        self.shared.changes.send_modify(|n| *n += 1);
        Ok(op)
    }

    fn now(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        use std::sync::atomic::Ordering;
        if let Some(engine) = self.shared.engine.try_read() {
            let now = engine.now().timestamp();
            self.shared.seen_now.store(now, Ordering::Relaxed);
        }
        chrono::DateTime::from_timestamp(self.shared.seen_now.load(Ordering::Relaxed), 0)
    }
}
