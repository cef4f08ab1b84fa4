//! Durable state: whatever sequence of actions and clock steps was
//! answered, opening the state again (as after a crash) gives the same
//! engine; a change that could not be written is not made; a journal cut
//! short or damaged at its end is recovered up to its last whole record
//! and says so; damage before the end, a gap, a broken snapshot or a
//! second server on the same state stops the start.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration, Utc};
use landscape_tui::engine::state::{self, StateError};
use landscape_tui::engine::{DemoOptions, Engine, Progress, Selection};
use landscape_tui::model::{ActionKind, ActivityStatus};
use proptest::prelude::*;

use crate::common;
use common::disk::FillingDisk;
use common::steps::{Step, action, step};

fn fresh() -> Result<Engine, StateError> {
    let now = DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    Ok(Engine::demo(&DemoOptions {
        seed: 8,
        computers: 8,
        activities: 150,
        now,
    }))
}

fn exists() -> Result<Engine, StateError> {
    panic!("the state exists")
}

/// The queries the state test approves by.
const APPROVE_QUERIES: [&str; 3] = ["status:unapproved", "computer:tag:web", "NOT status:failed"];

/// Statuses by id: what a client was shown.
fn statuses(e: &Engine) -> Vec<(u64, ActivityStatus)> {
    let mut all: Vec<_> = e
        .activities("", u64::MAX, 0)
        .unwrap()
        .results
        .into_iter()
        .map(|a| {
            (
                a.id,
                a.status().cloned().unwrap_or(ActivityStatus::Undelivered),
            )
        })
        .collect();
    all.sort_by_key(|(id, _)| *id);
    all
}

/// Why opening `path` is refused (it must be).
fn refused(path: &std::path::Path) -> StateError {
    match state::open(path, &Progress::default(), fresh) {
        Ok(_) => panic!("{} opened", path.display()),
        Err(e) => e,
    }
}

fn unapproved(e: &Engine, n: u64) -> Vec<u64> {
    e.activities("status:unapproved NOT type:ActivityGroup", n, 0)
        .unwrap()
        .results
        .iter()
        .map(|a| a.id)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The clock runs the way the backend's does (its moves journaled);
    /// after the crash every activity is where clients last saw it.
    #[test]
    fn reopening_gives_the_state_every_answered_change_left(
        steps in prop::collection::vec(step(3, 3600), 1..20),
        fold_after in prop_oneof![Just(0u64), Just(400), Just(u64::MAX)],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let (mut live, mut journal, _) = state::open(&path, &Progress::default(), fresh).unwrap();
        // Folds into a new snapshot after every change, now and then, or never.
        journal.fold_after = fold_after;
        for s in steps {
            let ids: Vec<u64> = statuses(&live).iter().map(|(id, _)| *id).collect();
            match (&s, action(&s, &ids, &APPROVE_QUERIES)) {
                (Step::Clock(secs), _) => {
                    live.wind_clock(Duration::seconds(*secs));
                    journal.catch_up(&mut live).unwrap();
                }
                (_, Some((kind, selection))) => {
                    let _ = journal.commit(&mut live, kind, &selection).unwrap();
                }
                (_, None) => unreachable!(),
            }
        }
        let shown = statuses(&live);
        drop(journal);
        // The crash: nothing folded at the end. Open again.
        let (reopened, _, recovery) = state::open(&path, &Progress::default(), exists).unwrap();
        prop_assert!(recovery.snapshot_loaded);
        let mut reopened = reopened;
        prop_assert_eq!(statuses(&reopened), shown);
        // A clock step that moved nothing wrote nothing: only the time differs.
        reopened.step(live.now() - reopened.now());
        prop_assert!(reopened.same_state(&live));
    }
}

/// A disk that fills up: the change whose record could not be written is
/// refused and not made; the journal is left with no torn line; once
/// there is room again changes go on; a restart has every acknowledged
/// change and none of the refused ones.
#[test]
fn a_change_that_could_not_be_written_is_not_made() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let full = Arc::new(AtomicBool::new(false));
    let (mut live, mut journal, _) =
        state::open_with(&path, &Progress::default(), fresh, FillingDisk::wrap(&full)).unwrap();
    let ids = unapproved(&live, 3);
    let approve = |id| Selection::Ids(vec![id]);
    journal
        .commit(&mut live, ActionKind::Approve, &approve(ids[0]))
        .unwrap()
        .unwrap();
    let journal_path = dir.path().join("state.json.journal");
    let before = std::fs::read(&journal_path).unwrap();
    full.store(true, Ordering::SeqCst);
    let Err(e) = journal.commit(&mut live, ActionKind::Approve, &approve(ids[1])) else {
        panic!("a change was answered on a full disk");
    };
    assert!(e.0.contains("No space left"), "{e}");
    let status = |e: &Engine, id| e.activity(id).unwrap().status().cloned();
    assert_eq!(status(&live, ids[1]), Some(ActivityStatus::Unapproved));
    assert_eq!(
        std::fs::read(&journal_path).unwrap(),
        before,
        "no torn line left"
    );
    full.store(false, Ordering::SeqCst);
    journal
        .commit(&mut live, ActionKind::Approve, &approve(ids[2]))
        .unwrap()
        .unwrap();
    drop(journal);
    let (reopened, _, recovery) = state::open(&path, &Progress::default(), exists).unwrap();
    assert_eq!(recovery.dropped_bytes, 0, "{recovery:?}");
    assert_eq!(status(&reopened, ids[0]), Some(ActivityStatus::Undelivered));
    assert_eq!(status(&reopened, ids[1]), Some(ActivityStatus::Unapproved));
    assert_eq!(status(&reopened, ids[2]), Some(ActivityStatus::Undelivered));
    assert!(reopened.same_state(&live));
}

/// What a journal says of an approve by query: the ids it changed, so a
/// start never runs the query again; an approve that changes nothing
/// writes nothing.
#[test]
fn the_journal_records_the_ids_a_query_changed_and_skips_no_ops() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (mut live, mut journal, _) = state::open(&path, &Progress::default(), fresh).unwrap();
    let mut expected = unapproved(&live, u64::MAX);
    expected.sort_unstable();
    let by_query = Selection::Query("status:unapproved NOT type:ActivityGroup".into());
    journal
        .commit(&mut live, ActionKind::Approve, &by_query)
        .unwrap()
        .unwrap();
    journal
        .commit(&mut live, ActionKind::Approve, &by_query)
        .unwrap()
        .unwrap();
    let text = std::fs::read_to_string(dir.path().join("state.json.journal")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    let json: serde_json::Value = serde_json::from_str(&lines[0][9..]).unwrap();
    assert_eq!(json["op"], "approved");
    let mut ids: Vec<u64> = serde_json::from_value(json["ids"].clone()).unwrap();
    // In the order the query matched them: the set is what is recorded.
    ids.sort_unstable();
    assert_eq!(ids, expected);
    assert!(!lines[0].contains("status:"), "{text}");
}

fn one_approve_journaled() -> (tempfile::TempDir, std::path::PathBuf, Engine, Vec<u64>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (mut live, mut journal, _) = state::open(&path, &Progress::default(), fresh).unwrap();
    let ids = unapproved(&live, 2);
    for id in &ids {
        journal
            .commit(&mut live, ActionKind::Approve, &Selection::Ids(vec![*id]))
            .unwrap()
            .unwrap();
    }
    (dir, path, live, ids)
}

#[test]
fn a_journal_cut_short_is_recovered_up_to_its_last_whole_record() {
    let (dir, path, live, ids) = one_approve_journaled();
    // A crash in the middle of writing the next record.
    let journal_path = dir.path().join("state.json.journal");
    let mut text = std::fs::read(&journal_path).unwrap();
    let whole = text.len();
    text.extend_from_slice(br#"1a2b3c4d {"seq":3,"at":"2024-05-01T12:00:00Z","op":"appro"#);
    std::fs::write(&journal_path, &text).unwrap();
    let (reopened, _, recovery) = state::open(&path, &Progress::default(), exists).unwrap();
    assert_eq!(recovery.replayed, 2);
    assert!(recovery.dropped_bytes > 0);
    let said = recovery.describe(&path);
    assert!(
        said.contains("record 3: is cut short") && said.contains("never answered"),
        "{said}"
    );
    assert!(reopened.same_state(&live));
    assert_eq!(std::fs::read(&journal_path).unwrap().len(), whole);
    let status = reopened.activity(ids[1]).unwrap().status().cloned();
    assert_eq!(status, Some(ActivityStatus::Undelivered));
}

/// One changed byte: in the last record it is a torn write (cut off and
/// said); anywhere before, the start stops and leaves the journal as it is.
#[test]
fn a_changed_byte_is_caught_by_the_checksum() {
    let (dir, path, _live, _) = one_approve_journaled();
    let journal_path = dir.path().join("state.json.journal");
    let good = std::fs::read(&journal_path).unwrap();
    let first_end = good.iter().position(|b| *b == b'\n').unwrap();
    // A digit of an id in the first record: still valid JSON.
    let at = good[..first_end]
        .iter()
        .rposition(|b| b.is_ascii_digit())
        .unwrap();
    let mut bad = good.clone();
    bad[at] = if bad[at] == b'9' { b'8' } else { bad[at] + 1 };
    std::fs::write(&journal_path, &bad).unwrap();
    let e = refused(&path);
    assert!(
        e.0.contains("record 1") && e.0.contains("checksum") && e.0.contains("left as it is"),
        "{e}"
    );
    assert_eq!(std::fs::read(&journal_path).unwrap(), bad);
    // The same in the last record.
    let mut bad = good.clone();
    let at = bad.len() - 3;
    bad[at] ^= 0x01;
    std::fs::write(&journal_path, &bad).unwrap();
    let (_, _, recovery) = state::open(&path, &Progress::default(), exists).unwrap();
    assert_eq!(recovery.replayed, 1);
    assert!(
        recovery
            .describe(&path)
            .contains("record 2: its checksum does not match")
    );
}

/// Lines without a checksum (bare JSON) are read only as a journal from
/// before checksums: first, before any line that has one. After one, a
/// bare line is damage, not a record that skips its check.
#[test]
fn a_bare_line_after_checksummed_ones_is_not_trusted() {
    let (dir, path, live, _) = one_approve_journaled();
    let journal_path = dir.path().join("state.json.journal");
    let text = std::fs::read_to_string(&journal_path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    let bare = |line: &str| line.split_once(' ').unwrap().1.to_owned();
    let reopen = |content: String| {
        std::fs::write(&journal_path, content).unwrap();
        state::open(&path, &Progress::default(), exists).unwrap()
    };
    // From before checksums, whole or in part: read.
    for content in [
        format!("{}\n{}\n", bare(lines[0]), bare(lines[1])),
        format!("{}\n{}\n", bare(lines[0]), lines[1]),
    ] {
        let (reopened, journal, recovery) = reopen(content);
        assert_eq!(recovery.replayed, 2);
        assert_eq!(statuses(&reopened), statuses(&live));
        drop(journal);
    }
    // A bare line after a checksummed one: not read, and said.
    let (_, journal, recovery) = reopen(format!("{}\n{}\n", lines[0], bare(lines[1])));
    assert_eq!(recovery.replayed, 1);
    let said = recovery.describe(&path);
    assert!(said.contains("record 2: has no checksum"), "{said}");
    drop(journal);
}

/// A journal that lost whole records from its end (cut at a line, so no
/// record is torn) is caught by what the lock file says was acknowledged:
/// the start counts the changes answered as done that are gone.
#[test]
fn acknowledged_changes_cut_from_the_journal_are_counted() {
    let (dir, path, _live, _) = one_approve_journaled();
    // A restart that changes nothing loses nothing, and forgets nothing.
    let (_, journal, recovery) = state::open(&path, &Progress::default(), exists).unwrap();
    assert_eq!((recovery.replayed, recovery.lost), (2, None));
    drop(journal);
    let journal_path = dir.path().join("state.json.journal");
    let text = std::fs::read_to_string(&journal_path).unwrap();
    let first = text.lines().next().unwrap().to_owned() + "\n";
    std::fs::write(&journal_path, first).unwrap();
    let (_, _journal, recovery) = state::open(&path, &Progress::default(), exists).unwrap();
    assert_eq!(recovery.replayed, 1);
    assert_eq!(recovery.lost, Some((1, 1)));
    let said = recovery.describe(&path);
    assert!(
        said.contains("1 change(s) answered as done after change 1 are not in the journal"),
        "{said}"
    );
}

/// A deleted snapshot with its journal kept stops the start, saying so:
/// the journal's changes are not replayed onto fresh data as if new.
#[test]
fn a_journal_without_its_snapshot_stops_the_start() {
    let (dir, path, _live, _) = one_approve_journaled();
    std::fs::remove_file(&path).unwrap();
    let e = refused(&path);
    assert!(e.0.contains("is missing but its journal"), "{e}");
    assert!(e.0.contains("2 change(s)"), "{e}");
    assert!(!path.exists(), "nothing written in its place");
    assert!(dir.path().join("state.json.journal").exists());
}

#[test]
fn a_gap_in_the_records_stops_the_start() {
    let (dir, path, _live, _) = one_approve_journaled();
    let journal_path = dir.path().join("state.json.journal");
    let text = std::fs::read_to_string(&journal_path).unwrap();
    // The first record lost: the journal starts at change 2.
    let second = text.lines().nth(1).unwrap().to_owned() + "\n";
    std::fs::write(&journal_path, second).unwrap();
    let e = refused(&path);
    assert!(e.0.contains("missing") || e.0.contains("expected"), "{e}");
}

#[test]
fn a_second_server_on_the_same_state_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let first = state::open(&path, &Progress::default(), fresh).unwrap();
    let e = refused(&path);
    assert!(
        e.0.contains("is held by another landscape-tui")
            && e.0.contains(&format!("pid {}", std::process::id())),
        "{e}"
    );
    // Deleting the lock file does not let a second server in: the
    // journal itself is locked.
    std::fs::remove_file(dir.path().join("state.json.lock")).unwrap();
    let e = refused(&path);
    assert!(e.0.contains("is held by another landscape-tui"), "{e}");
    assert!(e.0.contains("journal"), "{e}");
    drop(first);
    assert!(state::open(&path, &Progress::default(), exists).is_ok());
}

/// Activities the clock finished stay finished after a restart, also when
/// no action came after them.
#[test]
fn a_restart_keeps_what_the_clock_finished() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (mut live, mut journal, _) = state::open(&path, &Progress::default(), fresh).unwrap();
    let before = statuses(&live);
    live.wind_clock(Duration::hours(6));
    assert!(journal.catch_up(&mut live).unwrap());
    let shown = statuses(&live);
    assert_ne!(before, shown, "the clock moved nothing to check");
    drop(journal);
    let (reopened, _, _) = state::open(&path, &Progress::default(), exists).unwrap();
    assert_eq!(statuses(&reopened), shown);
    assert_eq!(reopened.now(), live.now());
}

#[test]
fn a_broken_snapshot_or_record_stops_the_start_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    drop(state::open(&path, &Progress::default(), fresh).unwrap());
    let journal_path = dir.path().join("state.json.journal");
    // A damaged record with a whole one after it.
    let damaged = b"{\"seq\": 1, \"garbage\n{\"seq\":2}\n";
    std::fs::write(&journal_path, damaged).unwrap();
    let e = refused(&path);
    assert!(
        e.0.contains("record 1") && e.0.contains("left as it is"),
        "{e}"
    );
    assert_eq!(std::fs::read(&journal_path).unwrap(), damaged);
    std::fs::write(&journal_path, b"").unwrap();
    let snapshot = std::fs::read(&path).unwrap();
    std::fs::write(&path, &snapshot[..snapshot.len() / 2]).unwrap();
    let e = refused(&path);
    assert!(
        e.0.starts_with("state file") && e.0.contains("left as it is"),
        "{e}"
    );
    assert_eq!(std::fs::read(&path).unwrap().len(), snapshot.len() / 2);
}

/// A long-running server does not keep its whole history in the journal:
/// past the fold size, or the fold count, the journal is folded into the
/// snapshot and starts empty, and a start replays only what came after.
#[test]
fn a_growing_journal_is_folded_into_the_snapshot_while_running() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let journal_path = dir.path().join("state.json.journal");
    let (mut live, mut journal, _) = state::open(&path, &Progress::default(), fresh).unwrap();
    journal.fold_after = 1_000;
    journal.fold_after_records = 7;
    let finished: Vec<u64> = live
        .activities("status:succeeded NOT type:ActivityGroup", 40, 0)
        .unwrap()
        .results
        .iter()
        .map(|a| a.id)
        .collect();
    let mut longest = 0;
    let mut most = 0;
    for id in &finished {
        journal
            .commit(&mut live, ActionKind::Reapply, &Selection::Ids(vec![*id]))
            .unwrap()
            .unwrap();
        let text = std::fs::read_to_string(&journal_path).unwrap();
        longest = longest.max(text.len());
        most = most.max(text.lines().count());
    }
    assert!(
        longest <= 1_000 + 200,
        "the journal grew to {longest} bytes"
    );
    assert!(most < 7, "the journal held {most} records");
    drop(journal);
    let (reopened, _, recovery) = state::open(&path, &Progress::default(), exists).unwrap();
    assert!(recovery.replayed < 7, "{recovery:?}");
    assert!(reopened.same_state(&live));
    assert!(!dir.path().join("state.json.tmp").exists());
}

/// A fold that fails (room for the journal, not for a second snapshot)
/// backs off instead of being tried after every change; once its wait
/// has passed and there is room, it folds, and nothing was lost.
#[test]
fn a_failed_fold_backs_off_and_folds_when_there_is_room() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (mut live, mut journal, _) = state::open(&path, &Progress::default(), fresh).unwrap();
    journal.fold_after_records = 1;
    // The snapshot's temporary file cannot be written.
    let blocker = dir.path().join("state.json.tmp");
    std::fs::create_dir(&blocker).unwrap();
    let finished: Vec<u64> = live
        .activities("status:succeeded NOT type:ActivityGroup", 20, 0)
        .unwrap()
        .results
        .iter()
        .map(|a| a.id)
        .collect();
    assert!(finished.len() >= 10);
    for id in &finished[..10] {
        journal
            .commit(&mut live, ActionKind::Reapply, &Selection::Ids(vec![*id]))
            .unwrap()
            .unwrap();
    }
    assert_eq!(journal.fold_attempts(), 1, "one try, then the backoff");
    // Room again, and the wait over: the next change folds.
    std::fs::remove_dir(&blocker).unwrap();
    journal.fold_backoff = std::time::Duration::ZERO;
    journal
        .commit(
            &mut live,
            ActionKind::Reapply,
            &Selection::Ids(vec![finished[10]]),
        )
        .unwrap()
        .unwrap();
    assert_eq!(journal.fold_attempts(), 2);
    let journal_text = std::fs::read_to_string(dir.path().join("state.json.journal")).unwrap();
    assert!(journal_text.is_empty(), "folded: the journal starts empty");
    drop(journal);
    let (reopened, _, _) = state::open(&path, &Progress::default(), exists).unwrap();
    assert!(reopened.same_state(&live), "nothing was lost");
}

/// The events log is part of the state: after a restart (the journal
/// replayed, or folded into the snapshot) it says what it said before.
#[test]
fn the_events_log_outlives_a_restart() {
    let (_dir, path, live, ids) = one_approve_journaled();
    let before = live.events(None, "", 100, 0);
    assert_eq!(
        before.count, 2,
        "one event per approve: {:?}",
        before.results
    );
    assert!(
        before
            .results
            .iter()
            .all(|e| e.message.contains("approved"))
    );
    drop(live);
    let (again, _journal, _) = state::open(&path, &Progress::default(), exists).unwrap();
    assert_eq!(again.events(None, "", 100, 0), before);
    // Saved whole (as a fold does) and read back: the same.
    let snapshot = path.with_extension("copy.json");
    again.save(&snapshot).unwrap();
    let read = Engine::load(&snapshot).unwrap();
    assert_eq!(read.events(None, "", 100, 0), before);
    let _ = ids;
}
