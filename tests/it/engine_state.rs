//! Durable state: whatever sequence of actions and clock steps was
//! journaled, opening the state again (as after a crash) gives the same
//! engine; a journal cut short mid-record is recovered up to its last
//! whole record and says so; a broken snapshot or record stops the start.

use chrono::{DateTime, Utc};
use landscape_tui::engine::state::{self, Op, StateError};
use landscape_tui::engine::{DemoOptions, Engine, Progress, Selection};
use proptest::prelude::*;

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

use crate::common;

use common::steps::{apply, step};

/// The queries the state test approves by.
const APPROVE_QUERIES: [&str; 3] = ["status:unapproved", "computer:tag:web", "NOT status:failed"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

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
            let ids: Vec<u64> = live.activities("", u64::MAX, 0).unwrap().results.iter().map(|a| a.id).collect();
            // What the backend does: act, and when it worked, journal it.
            let Some((op, done)) = apply(&mut live, &s, &ids, &APPROVE_QUERIES) else {
                continue;
            };
            if done {
                journal.record_and_fold(&mut live, op).unwrap();
            }
        }
        drop(journal);
        // The crash: nothing folded at the end. Open again.
        let (mut reopened, _, recovery) = state::open(&path, &Progress::default(), || panic!("the state exists")).unwrap();
        prop_assert!(recovery.snapshot_loaded);
        // Clock steps after the last change were not journaled; the clock
        // moves the same way whenever it is stepped.
        reopened.step(live.now() - reopened.now());
        prop_assert!(reopened.same_state(&live));
    }
}

#[test]
fn a_journal_cut_short_is_recovered_up_to_its_last_whole_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (mut live, mut journal, _) = state::open(&path, &Progress::default(), fresh).unwrap();
    let unapproved: Vec<u64> = live
        .activities("status:unapproved NOT type:ActivityGroup", 2, 0)
        .unwrap()
        .results
        .iter()
        .map(|a| a.id)
        .collect();
    let sel = Selection::Ids(vec![unapproved[0]]);
    live.approve(&sel).unwrap();
    journal
        .record(live.now(), Op::Approve { selection: sel })
        .unwrap();
    drop(journal);
    // A crash in the middle of writing the next record.
    let journal_path = dir.path().join("state.json.journal");
    let mut text = std::fs::read(&journal_path).unwrap();
    text.extend_from_slice(br#"{"seq":2,"at":"2024-05-01T12:00:00Z","op":"approve","sel"#);
    std::fs::write(&journal_path, &text).unwrap();
    let (reopened, _, recovery) =
        state::open(&path, &Progress::default(), || panic!("exists")).unwrap();
    assert_eq!(recovery.replayed, 1);
    assert!(recovery.dropped_bytes > 0);
    assert!(
        recovery.describe(&path).contains("incomplete"),
        "{recovery:?}"
    );
    assert!(reopened.same_state(&live));
    assert_eq!(
        reopened
            .activity(unapproved[0])
            .unwrap()
            .status()
            .unwrap()
            .as_str(),
        "undelivered"
    );
}

#[test]
fn a_broken_snapshot_or_record_stops_the_start_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    drop(state::open(&path, &Progress::default(), fresh).unwrap());
    let journal_path = dir.path().join("state.json.journal");
    std::fs::write(&journal_path, b"{\"seq\": 1, \"garbage\n").unwrap();
    let e = state::open(&path, &Progress::default(), fresh).unwrap_err();
    assert!(
        e.0.contains("record 1") && e.0.contains("left as it is"),
        "{e}"
    );
    assert_eq!(
        std::fs::read(&journal_path).unwrap(),
        b"{\"seq\": 1, \"garbage\n"
    );
    std::fs::write(&journal_path, b"").unwrap();
    let snapshot = std::fs::read(&path).unwrap();
    std::fs::write(&path, &snapshot[..snapshot.len() / 2]).unwrap();
    let e = state::open(&path, &Progress::default(), fresh).unwrap_err();
    assert!(
        e.0.starts_with("state file") && e.0.contains("left as it is"),
        "{e}"
    );
    assert_eq!(std::fs::read(&path).unwrap().len(), snapshot.len() / 2);
}

/// A long-running server does not keep its whole history in the journal:
/// past the fold size the journal is folded into the snapshot and starts
/// empty, and a start replays only what came after.
#[test]
fn a_growing_journal_is_folded_into_the_snapshot_while_running() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let journal_path = dir.path().join("state.json.journal");
    let (mut live, mut journal, _) = state::open(&path, &Progress::default(), fresh).unwrap();
    journal.fold_after = 1_000;
    let finished: Vec<u64> = live
        .activities("status:succeeded NOT type:ActivityGroup", 40, 0)
        .unwrap()
        .results
        .iter()
        .map(|a| a.id)
        .collect();
    let mut longest = 0;
    for id in &finished {
        live.reapply(&[*id]).unwrap();
        journal
            .record_and_fold(&mut live, Op::Reapply { ids: vec![*id] })
            .unwrap();
        longest = longest.max(std::fs::metadata(&journal_path).unwrap().len());
    }
    assert!(
        longest <= 1_000 + 200,
        "the journal grew to {longest} bytes"
    );
    drop(journal);
    let (reopened, _, recovery) =
        state::open(&path, &Progress::default(), || panic!("exists")).unwrap();
    assert!(recovery.replayed < 20, "{recovery:?}");
    assert!(reopened.same_state(&live));
}
