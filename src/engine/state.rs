//! Durable state for the engine (`--state FILE`): a snapshot in the dataset
//! format, written atomically (a temporary file, synced, renamed over the
//! old one), and beside it `FILE.journal`, an append-only log of every
//! change, one JSON line each, synced to disk before the change is
//! answered. A start loads the snapshot and replays the journal after it;
//! once the journal holds a quarter of the snapshot's size, both are folded
//! into a new snapshot.
//!
//! Why a journal: a change is a line of a few dozen bytes, so making each
//! one durable costs one small write and one sync, not a rewrite of a
//! million records. Why not a database: the state is the dataset format
//! this project already reads and writes, and replaying actions through
//! the engine keeps every lifecycle rule in one place.
//!
//! A journal cut short (a crash mid-write) is recovered up to its last
//! whole record, and the start says so. A record that is whole but cannot
//! be read, or a snapshot that cannot be loaded, stops the start: nothing
//! is silently replaced.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ActionError, Engine, Progress, Selection};

/// One change a client was answered for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Its place in the journal, counted from the first change ever.
    pub seq: u64,
    /// The engine's time when it happened.
    pub at: DateTime<Utc>,
    /// Whose change it was: what it creates is theirs when replayed too.
    /// (Journals from before this field replay as the engine's user.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<std::sync::Arc<crate::model::Creator>>,
    #[serde(flatten)]
    pub op: Op,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Op {
    Approve { selection: Selection },
    Cancel { selection: Selection },
    Reapply { ids: Vec<u64> },
    Revert { ids: Vec<u64> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateError(pub String);

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StateError {}

/// The journal file, open for appending, and the snapshot it follows.
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
    next_seq: u64,
    snapshot: PathBuf,
    /// Bytes written since the last snapshot.
    written: u64,
    /// Past this many bytes the journal is folded into a new snapshot.
    pub fold_after: u64,
}

/// The journal is folded once it holds a quarter of the snapshot's size
/// (so a start replays little next to what it loads), and never below this.
const MIN_FOLD_BYTES: u64 = 16 << 20;

fn fold_threshold(snapshot: &Path) -> u64 {
    let size = std::fs::metadata(snapshot).map_or(0, |m| m.len());
    (size / 4).max(MIN_FOLD_BYTES)
}

/// What a start found, for a person.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recovery {
    pub snapshot_loaded: bool,
    pub replayed: u64,
    /// Bytes of an incomplete last record that were dropped.
    pub dropped_bytes: u64,
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
        if self.dropped_bytes > 0 {
            text.push_str(&format!(
                "; the journal's last record was incomplete ({} bytes, a crash mid-write) and was dropped",
                self.dropped_bytes
            ));
        }
        text
    }
}

fn journal_path(state: &Path) -> PathBuf {
    let mut name = state.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

impl Engine {
    /// Applies a change from the journal: the clock moved to when it
    /// happened, then the action, as it ran then.
    pub fn apply(&mut self, change: &Change) -> Result<(), ActionError> {
        // Only a clock that really moved is moved again: a loaded state is
        // not simulated up to its own time (a frozen engine never was).
        if change.at > self.now() {
            self.step(change.at - self.now());
        }
        let user = change
            .by
            .clone()
            .map(|by| std::mem::replace(&mut self.user, by));
        let done = match &change.op {
            Op::Approve { selection } => self.approve(selection).map(drop),
            Op::Cancel { selection } => self.cancel(selection).map(drop),
            Op::Reapply { ids } => self.reapply(ids).map(drop),
            Op::Revert { ids } => self.revert(ids).map(drop),
        };
        if let Some(user) = user {
            self.user = user;
        }
        done?;
        self.journal_seq = change.seq;
        Ok(())
    }

    /// Writes the dataset to `path` so that a crash leaves the old file or
    /// the new one, never half of either.
    pub fn save_atomically(&self, path: &Path) -> Result<(), StateError> {
        let failed = |e: &dyn std::fmt::Display| StateError(format!("{}: {e}", path.display()));
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        self.save(&tmp).map_err(|e| failed(&e))?;
        File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| failed(&e))?;
        std::fs::rename(&tmp, path).map_err(|e| failed(&e))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| failed(&e))?;
        }
        Ok(())
    }
}

/// Opens the state at `path`: loads it (replaying its journal) when it
/// exists, else starts from `fresh()` and writes it.
pub fn open(
    path: &Path,
    progress: &Progress,
    fresh: impl FnOnce() -> Result<Engine, StateError>,
) -> Result<(Engine, Journal, Recovery), StateError> {
    let mut recovery = Recovery::default();
    let mut engine = if path.exists() {
        recovery.snapshot_loaded = true;
        Engine::load_with_progress(path, progress)
            .map_err(|e| StateError(format!("state file: {e}; left as it is")))?
    } else {
        fresh()?
    };
    let jpath = journal_path(path);
    let (changes, good_len, dropped) = read_journal(&jpath)?;
    recovery.dropped_bytes = dropped;
    for (n, change) in changes.iter().enumerate() {
        if change.seq <= engine.journal_seq {
            // Already in the snapshot (a crash between its write and the
            // journal's truncation).
            continue;
        }
        engine.apply(change).map_err(|e| {
            StateError(format!(
                "{}: record {} (change {}) cannot be replayed: {e:?}; left as it is",
                jpath.display(),
                n + 1,
                change.seq
            ))
        })?;
        recovery.replayed += 1;
    }
    if dropped > 0 {
        let f = OpenOptions::new()
            .write(true)
            .open(&jpath)
            .map_err(|e| StateError(format!("{}: {e}", jpath.display())))?;
        f.set_len(good_len)
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
    let written = if recovery.snapshot_loaded {
        good_len
    } else {
        file.set_len(0)
            .map_err(|e| StateError(format!("{}: {e}", jpath.display())))?;
        0
    };
    file.sync_all()
        .map_err(|e| StateError(format!("{}: {e}", jpath.display())))?;
    let next_seq = engine.journal_seq + 1;
    let mut journal = Journal {
        file,
        path: jpath,
        next_seq,
        snapshot: path.to_owned(),
        written,
        fold_after: fold_threshold(path),
    };
    if journal.wants_fold() {
        journal.fold(&engine)?;
    }
    Ok((engine, journal, recovery))
}

/// The whole records of a journal, the length they take, and how many
/// bytes of an incomplete last one follow them.
fn read_journal(path: &Path) -> Result<(Vec<Change>, u64, u64), StateError> {
    let failed = |e: &dyn std::fmt::Display| StateError(format!("{}: {e}", path.display()));
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0, 0)),
        Err(e) => return Err(failed(&e)),
    };
    let mut reader = BufReader::new(file);
    let (mut changes, mut good, mut line) = (Vec::new(), 0u64, Vec::new());
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| failed(&e))?;
        if n == 0 {
            return Ok((changes, good, 0));
        }
        if line.last() != Some(&b'\n') {
            // Cut short by a crash: what came before it stands.
            return Ok((changes, good, n as u64));
        }
        let change: Change = serde_json::from_slice(&line).map_err(|e| {
            StateError(format!(
                "{}: record {} is whole but unreadable ({e}); left as it is",
                path.display(),
                changes.len() + 1
            ))
        })?;
        changes.push(change);
        good += n as u64;
    }
}

impl Journal {
    /// Records `op`, just done by `engine`, on disk before returning; the
    /// engine learns the change's number (a snapshot says what it holds).
    pub fn record_change(&mut self, engine: &mut Engine, op: Op) -> Result<(), StateError> {
        let seq = self.next_seq;
        self.write(engine.now(), Some(engine.user.clone()), op)?;
        engine.journal_seq = seq;
        Ok(())
    }

    /// Whether the journal has grown past [`Journal::fold_after`].
    pub fn wants_fold(&self) -> bool {
        self.written > self.fold_after
    }

    /// Writes `engine` as the new snapshot and starts the journal empty. A
    /// crash between the two is harmless: the snapshot knows the last
    /// change it holds, and a start skips the journal's records up to it.
    pub fn fold(&mut self, engine: &Engine) -> Result<(), StateError> {
        engine.save_atomically(&self.snapshot)?;
        self.file
            .set_len(0)
            .and_then(|()| self.file.seek(std::io::SeekFrom::Start(0)).map(drop))
            .and_then(|()| self.file.sync_all())
            .map_err(|e| StateError(format!("{}: {e}", self.path.display())))?;
        self.written = 0;
        Ok(())
    }

    /// [`Journal::record_change`], then [`Journal::fold`] when it is time.
    pub fn record_and_fold(&mut self, engine: &mut Engine, op: Op) -> Result<(), StateError> {
        self.record_change(engine, op)?;
        if self.wants_fold() {
            self.fold(engine)?;
        }
        Ok(())
    }

    /// Records `op`, done at `at`, on disk before returning.
    pub fn record(&mut self, at: DateTime<Utc>, op: Op) -> Result<(), StateError> {
        self.write(at, None, op)
    }

    fn write(
        &mut self,
        at: DateTime<Utc>,
        by: Option<std::sync::Arc<crate::model::Creator>>,
        op: Op,
    ) -> Result<(), StateError> {
        let change = Change {
            seq: self.next_seq,
            at,
            by,
            op,
        };
        let mut line = serde_json::to_vec(&change)
            .map_err(|e| StateError(format!("{}: {e}", self.path.display())))?;
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| StateError(format!("{}: {e}", self.path.display())))?;
        self.next_seq += 1;
        self.written += line.len() as u64;
        Ok(())
    }
}
