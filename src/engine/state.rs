//! Durable state for the engine (`--state FILE`): a snapshot in the dataset
//! format, written atomically (a temporary file, synced, renamed over the
//! old one), and beside it `FILE.journal`, an append-only log of every
//! change. A change is written and synced *before* it is applied, so what
//! a client is shown is always on disk, and a change that could not be
//! written is not made at all. A start loads the snapshot and replays the
//! journal after it; the journal is folded into a new snapshot when it
//! holds a quarter of the snapshot's size or [`FOLD_RECORDS`] records, so
//! a start replays little next to what it loads.
//!
//! Each record is one line: its CRC-32C in hex, a space, its JSON. Records
//! are numbered from the first change ever and must follow one another.
//! A journal records the ids a change touched, never the query that chose
//! them, so a replay does no searching; and the clock's position whenever
//! it moved an activity, so a restart never un-finishes what clients saw
//! finish.
//!
//! A last record cut short or failing its checksum (a crash mid-write) is
//! cut off at start, and the start says what was dropped: it was never
//! answered. A damaged record with whole ones after it, a gap in the
//! numbers, or a snapshot that cannot be loaded stops the start: nothing is
//! silently replaced. `FILE.lock` and a lock on the journal itself keep a
//! second server off the same state.
//!
//! Why a journal: a change is a line of a few dozen bytes, so making each
//! one durable costs one small write and one sync, not a rewrite of a
//! million records. Why not a database: the state is the dataset format
//! this project already reads and writes.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

pub use super::journal_records::{Change, Op};
use super::journal_records::{encode, read_journal};
use super::{ActionError, Done, Engine, Prepared, Progress, Selection};
use crate::model::ActionKind;
use crate::progress::Unit;

impl Op {
    /// What the journal records for `prepared`.
    pub fn of(prepared: &Prepared) -> Op {
        let ids = prepared.ids().to_vec();
        match prepared.kind() {
            ActionKind::Approve => Op::Approved { ids },
            ActionKind::Cancel => Op::Canceled { ids },
            ActionKind::Reapply => Op::Reapply { ids },
            ActionKind::Revert => Op::Revert { ids },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateError(pub String);

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StateError {}

/// Where the journal's bytes go: a file, or in tests one that fails on
/// demand (a full disk without filling one).
pub trait JournalFile: Send {
    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()>;
    /// Makes what was appended durable (`fdatasync`).
    fn sync(&mut self) -> std::io::Result<()>;
    /// Cuts the file to `len` bytes, durably.
    fn cut(&mut self, len: u64) -> std::io::Result<()>;
}

impl JournalFile for File {
    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.write_all(bytes)
    }

    fn sync(&mut self) -> std::io::Result<()> {
        self.sync_data()
    }

    fn cut(&mut self, len: u64) -> std::io::Result<()> {
        // Opened to append: the next write goes to the new end.
        self.set_len(len)?;
        self.sync_all()
    }
}

/// The journal, open for appending, and the snapshot it follows.
pub struct Journal {
    file: Box<dyn JournalFile>,
    path: PathBuf,
    next_seq: u64,
    snapshot: PathBuf,
    /// Bytes of whole records since the last snapshot.
    written: u64,
    /// Records since the last snapshot.
    records: u64,
    /// Past this many bytes the journal is folded into a new snapshot.
    pub fold_after: u64,
    /// Past this many records, likewise.
    pub fold_after_records: u64,
    /// After a failed fold (a disk with room for the journal, not for a
    /// second snapshot), no fold is tried for this long, doubled at each
    /// failure up to [`FOLD_BACKOFF_MAX`]: a fold of a large state every
    /// change would take the server's time for nothing.
    pub fold_backoff: std::time::Duration,
    /// The failed folds of the present streak, and when the last was.
    fold_failed: Option<(u32, std::time::Instant)>,
    /// Folds tried (for tests and the operator's log).
    fold_attempts: u64,
    /// Why the last write failed, while what it left may still be on disk
    /// (it is cut off before anything else is written).
    failed: Option<String>,
    /// Held while the journal is open: no second server on this state.
    /// It also says the last change acknowledged (see [`Acknowledged`]).
    lock: File,
    /// The journal itself locked too: deleting `FILE.lock` cannot let a
    /// second server write the same state.
    _journal_lock: File,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .field("next_seq", &self.next_seq)
            .field("written", &self.written)
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

/// How long after a failed fold the next is tried (then doubled).
pub const FOLD_BACKOFF: std::time::Duration = std::time::Duration::from_secs(60);
/// The longest wait between two folds after failures.
pub const FOLD_BACKOFF_MAX: std::time::Duration = std::time::Duration::from_secs(1800);

/// The journal is folded once it holds a quarter of the snapshot's size,
/// and never below this.
const MIN_FOLD_BYTES: u64 = 16 << 20;
/// Or once it holds this many records: a replay of them costs less than
/// loading the snapshot.
pub const FOLD_RECORDS: u64 = 20_000;

fn fold_threshold(snapshot: &Path) -> u64 {
    let size = std::fs::metadata(snapshot).map_or(0, |m| m.len());
    (size / 4).max(MIN_FOLD_BYTES)
}

/// What a start found, for a person.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recovery {
    pub snapshot_loaded: bool,
    pub replayed: u64,
    /// Bytes of an incomplete or damaged last record that were dropped.
    pub dropped_bytes: u64,
    /// What the dropped record was, when it could be read.
    pub dropped: Option<String>,
    /// Changes acknowledged as done that the journal no longer holds: the
    /// last it holds, and how many after it are lost.
    pub lost: Option<(u64, u64)>,
}

impl Recovery {
    pub fn describe(&self, path: &Path) -> String {
        let mut text = if self.snapshot_loaded {
            format!(
                "state {}: loaded, {} change(s) replayed",
                path.display(),
                self.replayed
            )
        } else {
            format!("state {}: new", path.display())
        };
        if let Some((last, lost)) = self.lost {
            text.push_str(&format!(
                "; {lost} change(s) answered as done after change {last} are not in the journal (it was cut or damaged after they were written): they are lost"
            ));
        }
        if self.dropped_bytes > 0 {
            text.push_str(&format!(
                "; the journal's last record ({} bytes{}) was cut short or damaged by a crash mid-write and was dropped: it was never answered as done",
                self.dropped_bytes,
                self.dropped
                    .as_deref()
                    .map(|d| format!(", {d}"))
                    .unwrap_or_default()
            ));
        }
        text
    }
}

fn beside(state: &Path, suffix: &str) -> PathBuf {
    let mut name = state.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

impl Engine {
    /// Applies a change from the journal: the clock moved to when it
    /// happened, then the action, as it ran then. A clock record moves
    /// nothing yet (see [`replay`]).
    pub fn apply(&mut self, change: &Change) -> Result<(), ActionError> {
        // Only a clock that really moved is moved again: a loaded state is
        // not simulated up to its own time (a frozen engine never was).
        if change.at > self.now() {
            match &change.op {
                // Moved at the end of the replay (see `replay`).
                Op::Clock => {}
                // Every change sees the whole state as it was then (a
                // reapply copies what the clock made of its originals).
                _ => {
                    self.advance_to(change.at);
                }
            }
        }
        let user = change
            .by
            .clone()
            .map(|by| std::mem::replace(&mut self.user, by));
        let done = self.apply_op(&change.op);
        if let Some(user) = user {
            self.user = user;
        }
        done?;
        self.journal_seq = change.seq;
        Ok(())
    }

    fn apply_op(&mut self, op: &Op) -> Result<(), ActionError> {
        let recorded = |kind, ids: &Vec<u64>| (kind, ids.clone());
        let (kind, ids) = match op {
            Op::Clock => return Ok(()),
            Op::Approve { selection } => return self.approve(selection).map(drop),
            Op::Cancel { selection } => return self.cancel(selection).map(drop),
            Op::Approved { ids } => recorded(ActionKind::Approve, ids),
            Op::Canceled { ids } => recorded(ActionKind::Cancel, ids),
            Op::Reapply { ids } => recorded(ActionKind::Reapply, ids),
            Op::Revert { ids } => recorded(ActionKind::Revert, ids),
        };
        let prepared = self.prepared_from_journal(kind, &ids)?;
        self.perform(prepared);
        Ok(())
    }

    /// Writes the dataset to `path` so that a crash leaves the old file or
    /// the new one, never half of either; a failure leaves no temporary
    /// file behind.
    pub fn save_atomically(&self, path: &Path) -> Result<(), StateError> {
        let failed = |e: &dyn std::fmt::Display| StateError(format!("{}: {e}", path.display()));
        let tmp = beside(path, ".tmp");
        let written = self
            .save(&tmp)
            .map_err(|e| failed(&e))
            .and_then(|()| {
                File::open(&tmp)
                    .and_then(|f| f.sync_all())
                    .map_err(|e| failed(&e))
            })
            .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| failed(&e)));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| failed(&e))?;
        }
        Ok(())
    }
}

/// What `FILE.lock` says: the process that held it and the last change
/// it acknowledged. Written (not synced) after each record is synced: a
/// kill keeps it, and a journal that ends before it lost changes that
/// were answered as done, which a start counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Acknowledged {
    pid: u32,
    seq: u64,
}

impl Acknowledged {
    /// Fixed width: rewritten in place.
    fn line(self) -> String {
        format!("{:>10} {:>20}\n", self.pid, self.seq)
    }

    fn parse(text: &str) -> Option<Acknowledged> {
        let mut words = text.split_whitespace();
        let pid = words.next()?.parse().ok()?;
        let seq = words.next()?.parse().ok()?;
        Some(Acknowledged { pid, seq })
    }
}

/// Takes `FILE.lock` for this process, or says who holds it; with the
/// last change the previous holder acknowledged, when it said.
fn lock(state: &Path) -> Result<(File, Option<u64>), StateError> {
    let path = beside(state, ".lock");
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| StateError(format!("{}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => {
            let before = std::fs::read_to_string(&path).unwrap_or_default();
            let acknowledged = Acknowledged::parse(&before).map(|a| a.seq);
            // Carried over: a start that changes nothing keeps what was
            // acknowledged before it (a state made afresh starts at 0).
            let mine = Acknowledged {
                pid: std::process::id(),
                seq: if state.exists() {
                    acknowledged.unwrap_or(0)
                } else {
                    0
                },
            };
            let _ = file
                .set_len(0)
                .and_then(|()| file.write_all(mine.line().as_bytes()));
            Ok((file, acknowledged))
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            let holder = holder.split_whitespace().next().unwrap_or("");
            Err(StateError(format!(
                "state {} is held by another landscape-tui{} (through {}); stop it first, or give this one another --state",
                state.display(),
                if holder.is_empty() {
                    String::new()
                } else {
                    format!(" (pid {holder})")
                },
                path.display()
            )))
        }
        Err(std::fs::TryLockError::Error(e)) => {
            Err(StateError(format!("{}: cannot lock: {e}", path.display())))
        }
    }
}

/// Locks the journal `jpath` of the state at `state` (made when there is
/// none yet), or says another server holds it.
fn lock_journal(state: &Path, jpath: &Path) -> Result<File, StateError> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(jpath)
        .map_err(|e| StateError(format!("{}: {e}", jpath.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StateError(format!(
            "state {} is held by another landscape-tui (its journal {} is locked; was {} deleted?); stop it first, or give this one another --state",
            state.display(),
            jpath.display(),
            beside(state, ".lock").display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(StateError(format!("{}: cannot lock: {e}", jpath.display())))
        }
    }
}

/// Opens the state at `path`: loads it (replaying its journal) when it
/// exists, else starts from `fresh()` and writes it.
pub fn open(
    path: &Path,
    progress: &Progress,
    fresh: impl FnOnce() -> Result<Engine, StateError>,
) -> Result<(Engine, Journal, Recovery), StateError> {
    open_with(path, progress, fresh, |f| Box::new(f))
}

/// [`open`], with the journal's bytes going through `wrap` (tests).
pub fn open_with(
    path: &Path,
    progress: &Progress,
    fresh: impl FnOnce() -> Result<Engine, StateError>,
    wrap: impl FnOnce(File) -> Box<dyn JournalFile>,
) -> Result<(Engine, Journal, Recovery), StateError> {
    let (held, acknowledged) = lock(path)?;
    let jpath = beside(path, ".journal");
    let journal_lock = lock_journal(path, &jpath)?;
    let mut recovery = Recovery::default();
    let mut engine = if path.exists() {
        recovery.snapshot_loaded = true;
        Engine::load_with_progress(path, progress)
            .map_err(|e| StateError(format!("state file: {e}; left as it is")))?
    } else {
        fresh()?
    };
    let read = read_journal(&jpath).map_err(StateError)?;
    if !recovery.snapshot_loaded && !read.changes.is_empty() {
        // Its changes were made to a snapshot that is gone: replayed on
        // fresh data they would mean something else.
        return Err(StateError(format!(
            "state {} is missing but its journal {} holds {} change(s) made to it: restore the state file, or move the journal away to start afresh; left as it is",
            path.display(),
            jpath.display(),
            read.changes.len()
        )));
    }
    recovery.dropped_bytes = read.dropped_bytes;
    recovery.dropped = read.dropped.clone();
    recovery.replayed = replay(&mut engine, &read.changes, &jpath, progress)?;
    let last = engine
        .journal_seq
        .max(read.changes.last().map_or(0, |c| c.seq));
    if let Some(acknowledged) = acknowledged.filter(|a| *a > last && recovery.snapshot_loaded) {
        recovery.lost = Some((last, acknowledged - last));
    }
    if read.dropped_bytes > 0 {
        let f = OpenOptions::new()
            .write(true)
            .open(&jpath)
            .map_err(|e| StateError(format!("{}: {e}", jpath.display())))?;
        f.set_len(read.good_len)
            .and_then(|()| f.sync_all())
            .map_err(|e| StateError(format!("{}: {e}", jpath.display())))?;
    }
    // A new state gets its first snapshot. A loaded one keeps its journal
    // and goes on appending to it: a start costs a load, not a load and a
    // rewrite of a million records; the journal is folded when it grows.
    if !recovery.snapshot_loaded {
        engine.save_atomically(path)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&jpath)
        .map_err(|e| StateError(format!("{}: {e}", jpath.display())))?;
    let (written, records) = if recovery.snapshot_loaded {
        (read.good_len, read.changes.len() as u64)
    } else {
        file.set_len(0)
            .map_err(|e| StateError(format!("{}: {e}", jpath.display())))?;
        (0, 0)
    };
    file.sync_all()
        .map_err(|e| StateError(format!("{}: {e}", jpath.display())))?;
    let next_seq = engine
        .journal_seq
        .max(read.changes.last().map_or(0, |c| c.seq))
        + 1;
    let mut journal = Journal {
        file: wrap(file),
        path: jpath,
        next_seq,
        snapshot: path.to_owned(),
        written,
        records,
        fold_after: fold_threshold(path),
        fold_after_records: FOLD_RECORDS,
        fold_backoff: FOLD_BACKOFF,
        fold_failed: None,
        fold_attempts: 0,
        failed: None,
        lock: held,
        _journal_lock: journal_lock,
    };
    if journal.wants_fold() {
        journal.fold(&engine)?;
    }
    Ok((engine, journal, recovery))
}

/// Replays `changes` after what the snapshot in `engine` holds; how many.
/// The clock is moved once to the last position the journal recorded, not
/// once per record (each activity's path depends only on the time, so
/// the result is the same).
fn replay(
    engine: &mut Engine,
    changes: &[Change],
    jpath: &Path,
    progress: &Progress,
) -> Result<u64, StateError> {
    progress.start(changes.len() as u64, Unit::Changes);
    let mut replayed = 0;
    let mut clock = None;
    // Whether any change came after the snapshot's time (the clock ran).
    let mut moved = false;
    for (n, change) in changes.iter().enumerate() {
        progress.set(n as u64);
        if change.seq <= engine.journal_seq {
            // Already in the snapshot (a crash between its write and the
            // journal's truncation).
            continue;
        }
        if change.seq != engine.journal_seq + 1 {
            return Err(StateError(format!(
                "{}: the snapshot holds changes up to {} but the journal's next record is change {}: changes {}..{} are missing; left as it is",
                jpath.display(),
                engine.journal_seq,
                change.seq,
                engine.journal_seq + 1,
                change.seq - 1
            )));
        }
        if change.op == Op::Clock {
            clock = clock.max(Some(change.at));
        }
        moved |= change.at > engine.now();
        engine.apply(change).map_err(|e| {
            StateError(format!(
                "{}: record {} (change {}) cannot be replayed: {e:?}; left as it is",
                jpath.display(),
                n + 1,
                change.seq
            ))
        })?;
        replayed += 1;
    }
    let to = clock.max(Some(engine.now()));
    if let Some(to) = to.filter(|_| replayed > 0 && moved) {
        engine.advance_to(to);
    }
    engine.freeze_clock();
    progress.set(changes.len() as u64);
    Ok(replayed)
}

impl Journal {
    /// Writes and syncs the record of `prepared`, about to be done by
    /// `engine`; its number, for [`Journal::applied`]. Only when this
    /// succeeds may the change be made: on an error nothing of it stays
    /// in the journal (or it is cut off before the next record is
    /// written), and the change must not be applied.
    pub fn write_ahead(&mut self, engine: &Engine, prepared: &Prepared) -> Result<u64, StateError> {
        self.append(engine.now(), Some(engine.user.clone()), Op::of(prepared))
    }

    /// Records that the clock reached `at`, before the engine is moved
    /// there.
    pub fn write_clock(&mut self, at: DateTime<Utc>) -> Result<u64, StateError> {
        self.append(at, None, Op::Clock)
    }

    /// Tells `engine` it now holds record `seq` (so a snapshot of it says so).
    pub fn applied(engine: &mut Engine, seq: u64) {
        engine.journal_seq = engine.journal_seq.max(seq);
    }

    /// One change as the backend makes it, for a caller that holds the
    /// engine alone: the clock caught up, the change worked out, written,
    /// then made. Refused (the inner error) or not written (the outer),
    /// nothing changes.
    pub fn commit(
        &mut self,
        engine: &mut Engine,
        kind: ActionKind,
        selection: &Selection,
    ) -> Result<Result<Done, ActionError>, StateError> {
        self.catch_up(engine)?;
        let prepared = match engine.prepare(kind, selection) {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        if !prepared.changes_nothing() {
            let seq = self.write_ahead(engine, &prepared)?;
            Journal::applied(engine, seq);
        }
        let done = engine.perform(prepared);
        self.fold_when_due(engine);
        Ok(Ok(done))
    }

    /// Moves `engine` to its clock's time, writing the clock's record first
    /// when that moves any activity. True when anything moved.
    pub fn catch_up(&mut self, engine: &mut Engine) -> Result<bool, StateError> {
        let moves = engine.moves_now();
        if let (false, Some(to)) = (moves.is_empty(), moves.to()) {
            let seq = self.write_clock(to)?;
            Journal::applied(engine, seq);
        }
        Ok(engine.make_moves(moves))
    }

    /// Folds when the journal has grown enough. A failed fold loses
    /// nothing (every change is in the journal); it is said on stderr once
    /// and tried again after a backoff (a minute, doubling to half an
    /// hour), so that space coming back is found without a fold per change.
    pub fn fold_when_due(&mut self, engine: &Engine) {
        if !self.wants_fold() {
            return;
        }
        if let Some((streak, at)) = self.fold_failed {
            let wait = self
                .fold_backoff
                .saturating_mul(1 << (streak - 1).min(16))
                .min(FOLD_BACKOFF_MAX);
            if at.elapsed() < wait {
                return;
            }
        }
        self.fold_attempts += 1;
        match self.fold(engine) {
            Ok(()) => {
                if self.fold_failed.take().is_some() {
                    eprintln!("landscape-tui: the state is folded into a new snapshot again");
                }
            }
            Err(e) => {
                let streak = self.fold_failed.map_or(0, |(n, _)| n) + 1;
                if streak == 1 {
                    eprintln!(
                        "landscape-tui: the state could not be folded into a new snapshot: {e}; the journal keeps every change, and the fold is tried again in {} s, then less often",
                        self.fold_backoff.as_secs()
                    );
                }
                self.fold_failed = Some((streak, std::time::Instant::now()));
            }
        }
    }

    /// Folds tried while running.
    pub fn fold_attempts(&self) -> u64 {
        self.fold_attempts
    }

    /// Whether the journal has grown past what a fold waits for.
    pub fn wants_fold(&self) -> bool {
        self.written > self.fold_after || self.records >= self.fold_after_records
    }

    /// Why the journal cannot be written now, if the last try failed.
    pub fn failure(&self) -> Option<&str> {
        self.failed.as_deref()
    }

    /// Writes `engine` as the new snapshot and starts the journal empty. A
    /// crash between the two is harmless: the snapshot knows the last
    /// change it holds, and a start skips the journal's records up to it.
    pub fn fold(&mut self, engine: &Engine) -> Result<(), StateError> {
        engine.save_atomically(&self.snapshot)?;
        self.file
            .cut(0)
            .map_err(|e| StateError(format!("{}: {e}", self.path.display())))?;
        self.written = 0;
        self.records = 0;
        self.fold_after = fold_threshold(&self.snapshot);
        Ok(())
    }

    /// Says in `FILE.lock` that change `seq` was written: not synced (the
    /// journal is), so it costs a write, and a kill keeps it.
    fn acknowledge(&self, seq: u64) {
        use std::os::unix::fs::FileExt;
        let line = Acknowledged {
            pid: std::process::id(),
            seq,
        }
        .line();
        let _ = self.lock.write_at(line.as_bytes(), 0);
    }

    /// Records `op`, done at `at`, on disk before returning.
    pub fn record(&mut self, at: DateTime<Utc>, op: Op) -> Result<u64, StateError> {
        self.append(at, None, op)
    }

    /// Appends one record and syncs it; its number. A failure cuts the
    /// journal back to its last whole record (now, or before the next
    /// write when that fails too), so a torn line never has records
    /// written after it.
    fn append(
        &mut self,
        at: DateTime<Utc>,
        by: Option<std::sync::Arc<crate::model::Creator>>,
        op: Op,
    ) -> Result<u64, StateError> {
        let not_written =
            |e: &dyn std::fmt::Display, path: &Path| StateError(format!("{}: {e}", path.display()));
        if self.failed.is_some() {
            self.file
                .cut(self.written)
                .map_err(|e| not_written(&e, &self.path))?;
            self.failed = None;
        }
        let seq = self.next_seq;
        let change = Change { seq, at, by, op };
        let line = encode(&change).map_err(|e| not_written(&e, &self.path))?;
        if let Err(e) = self.file.append(&line).and_then(|()| self.file.sync()) {
            self.failed = Some(e.to_string());
            if self.file.cut(self.written).is_ok() {
                self.failed = None;
            }
            return Err(not_written(&e, &self.path));
        }
        self.next_seq += 1;
        self.written += line.len() as u64;
        self.records += 1;
        self.acknowledge(seq);
        Ok(seq)
    }
}
