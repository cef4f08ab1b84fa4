//! The engine follows `reference/lifecycle.md`: transitions, all-or-nothing
//! actions, parent derivation, reapply and revert, and the clock.

use chrono::{DateTime, Duration, Utc};
use landscape_tui::engine::{ActionError, DemoOptions, Engine, Selection};
use landscape_tui::model::{ActivityStatus, Field};

fn small() -> Engine {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo-small.json"
    ))
    .unwrap();
    Engine::from_dataset_str(&text).unwrap()
}

fn status(e: &Engine, id: u64) -> ActivityStatus {
    e.activity(id).unwrap().status().unwrap().clone()
}

fn ids(q: &str) -> Selection {
    Selection::Query(q.into())
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn approve_moves_unapproved_to_undelivered_and_stamps_times() {
    let mut e = small();
    let changed = e.approve(&Selection::Ids(vec![101])).unwrap();
    assert_eq!(changed, vec![101]);
    let a = e.activity(101).unwrap();
    assert_eq!(a.status(), Some(&ActivityStatus::Undelivered));
    assert_eq!(a.approval_time.copied(), Some(e.now()));
    assert_eq!(a.modification_time.copied(), Some(e.now()));
    // The parent still has unapproved children.
    assert_eq!(status(&e, 100), ActivityStatus::Unapproved);
}

#[test]
fn approve_with_a_future_deliver_after_time_schedules() {
    let mut e = small();
    let later = e.now() + Duration::hours(2);
    // Give 102 a delivery window in the future through a dataset round trip.
    let mut data = e.to_dataset();
    for a in data["activities"].as_array_mut().unwrap() {
        if a["id"] == 102 {
            a["deliver_after_time"] = serde_json::json!(later);
        }
    }
    e = Engine::from_dataset_str(&data.to_string()).unwrap();
    e.approve(&Selection::Ids(vec![102])).unwrap();
    assert_eq!(status(&e, 102), ActivityStatus::Scheduled);
    // It becomes due when the time passes, then is delivered.
    e.step(Duration::hours(2) + Duration::seconds(1));
    assert_ne!(status(&e, 102), ActivityStatus::Scheduled);
}

#[test]
fn refused_transitions_name_each_activity_ids_ascending() {
    let mut e = small();
    let before = e.to_dataset();
    let err = e.approve(&ids("id:150 OR id:101 OR id:111")).unwrap_err();
    let ActionError::Refused(refusals) = err else {
        panic!()
    };
    let refused: Vec<u64> = refusals.iter().map(|r| r.id).collect();
    assert_eq!(refused, vec![111, 150]);
    assert!(
        refusals[0].reason.contains("succeeded"),
        "{}",
        refusals[0].reason
    );
    // All or nothing: 101 was not approved.
    assert_eq!(e.to_dataset(), before);
}

#[test]
fn cancel_from_every_pending_status_and_never_from_final() {
    let mut e = small();
    // unapproved, undelivered, delivered
    let mut changed = e.cancel(&Selection::Ids(vec![101, 130, 161])).unwrap();
    changed.sort();
    assert_eq!(changed, vec![101, 130, 161]);
    for id in [101, 130, 161] {
        let a = e.activity(id).unwrap();
        assert_eq!(a.status(), Some(&ActivityStatus::Canceled));
        assert_eq!(a.completion_time.copied(), Some(e.now()));
    }
    let err = e.cancel(&Selection::Ids(vec![101])).unwrap_err();
    assert!(matches!(err, ActionError::Refused(r) if r[0].reason.contains("already finished")));
}

#[test]
fn a_parent_stands_for_the_children_the_rule_allows() {
    let mut e = small();
    e.approve(&Selection::Ids(vec![101])).unwrap();
    // 100 has 101 undelivered, 102 and 103 unapproved: approving it approves those two.
    let changed = e.approve(&Selection::Ids(vec![100])).unwrap();
    assert_eq!(changed, vec![100]);
    assert_eq!(status(&e, 102), ActivityStatus::Undelivered);
    assert_eq!(status(&e, 103), ActivityStatus::Undelivered);
    // Nothing in 110 can be approved: refused.
    assert!(e.approve(&Selection::Ids(vec![110])).is_err());
}

#[test]
fn parent_fields_derive_from_children() {
    let mut e = small();
    let p = e.activity(100).unwrap();
    assert_eq!(p.children_count.copied(), Some(3));
    assert_eq!(p.computer_count.copied(), Some(3));
    assert_eq!(p.children_statuses.get().unwrap().warning, 3);
    e.cancel(&Selection::Ids(vec![100])).unwrap();
    let p = e.activity(100).unwrap();
    assert_eq!(p.status(), Some(&ActivityStatus::Canceled));
    assert_eq!(p.children_statuses.get().unwrap().bad, 3);
    assert!(p.completion_time.is_some());
    let p = e.activity(110).unwrap();
    assert_eq!(p.status(), Some(&ActivityStatus::Failed));
    assert_eq!(p.children_statuses.get().unwrap().good, 1);
}

#[test]
fn unknown_ids_are_refused_and_empty_selections_succeed() {
    let mut e = small();
    let err = e.approve(&Selection::Ids(vec![101, 999])).unwrap_err();
    assert!(
        matches!(err, ActionError::Refused(r) if r.len() == 1 && r[0].id == 999 && r[0].reason == "no such activity")
    );
    assert_eq!(
        e.approve(&Selection::Ids(vec![])).unwrap(),
        Vec::<u64>::new()
    );
    assert_eq!(
        e.cancel(&ids("creator:nobody@example.com")).unwrap(),
        Vec::<u64>::new()
    );
    assert!(matches!(
        e.approve(&ids("status:nope")),
        Err(ActionError::Query(_))
    ));
}

#[test]
fn reapply_copies_finished_activities_as_new_undelivered_ones() {
    let mut e = small();
    let created = e.reapply(&[112, 150]).unwrap();
    assert_eq!(created.len(), 2);
    for (new, old) in created.iter().zip([112, 150]) {
        let old = e.activity(old).unwrap();
        assert_eq!(new.status(), Some(&ActivityStatus::Undelivered));
        assert_eq!(new.computer_id, old.computer_id);
        assert_eq!(new.activity_type, old.activity_type);
        assert_eq!(new.summary, old.summary);
        assert_eq!(
            new.changes.get().cloned().unwrap_or_default(),
            old.changes.get().cloned().unwrap_or_default()
        );
        assert_eq!(new.creation_time, e.now());
        assert_eq!(new.creator_email(), Some("admin@example.com"));
    }
    // A parent is reapplied as one new parent over its finished children.
    let created = e.reapply(&[110]).unwrap();
    assert_eq!(created.len(), 3);
    assert!(created[0].is_parent());
    assert_eq!(created[0].children_count.copied(), Some(2));
    assert!(
        created[1..]
            .iter()
            .all(|c| c.parent() == Some(created[0].id))
    );
    // Unfinished ones are refused, all or nothing.
    let before = e.activity_count();
    assert!(e.reapply(&[101, 112]).is_err());
    assert_eq!(e.activity_count(), before);
}

#[test]
fn revert_undoes_succeeded_package_changes() {
    let mut e = small();
    let created = e.revert(&[111]).unwrap();
    let change = &created[0].changes.get().unwrap()[0];
    assert_eq!(&*change.package, "nginx");
    assert_eq!(&*change.change_type, "remove");
    assert_eq!(&*created[0].summary, "Revert: Install package nginx");
    // Upgrade becomes downgrade with the versions swapped.
    let mut data = small().to_dataset();
    for a in data["activities"].as_array_mut().unwrap() {
        if a["id"] == 111 {
            a["changes"] = serde_json::json!([{"package": "openssl", "type": "upgrade", "complemented": false,
                "install_version": "3.0.2-0ubuntu1.15", "remove_version": "3.0.2-0ubuntu1.12"}]);
        }
    }
    let mut e = Engine::from_dataset_str(&data.to_string()).unwrap();
    let c = e.revert(&[111]).unwrap()[0].changes.get().unwrap()[0].clone();
    assert_eq!(&*c.change_type, "downgrade");
    assert_eq!(c.install_version, Field::Value("3.0.2-0ubuntu1.12".into()));
    assert_eq!(c.remove_version, Field::Value("3.0.2-0ubuntu1.15".into()));
    // Failed, or not a package change: refused.
    assert!(e.revert(&[112]).is_err());
    assert!(e.revert(&[130]).is_err());
}

/// The small dataset with café-01 (computer 5) back in touch.
fn small_all_online() -> Engine {
    let mut data = small().to_dataset();
    for c in data["computers"].as_array_mut().unwrap() {
        c["alerts"] = serde_json::json!([]);
    }
    Engine::from_dataset_str(&data.to_string()).unwrap()
}

#[test]
fn nothing_reaches_an_offline_computer_until_it_is_back() {
    // 130 is queued for café-01, which has the computer-offline alert.
    let mut e = small();
    e.step(Duration::hours(6));
    assert_eq!(status(&e, 130), ActivityStatus::Undelivered);
    let cafe = e.computers_by_id(&[5]).remove(0);
    assert!(
        !cafe.extra.contains_key("last_ping_time"),
        "an offline computer's contact is not made up"
    );
    // Its neighbour in touch pings on the engine's clock.
    let web = e.computers_by_id(&[1]).remove(0);
    let ping = web.extra["last_ping_time"].as_str().unwrap();
    let ping = t(ping);
    assert!(
        e.now() - ping < Duration::seconds(30),
        "{ping} vs {}",
        e.now()
    );
}

#[test]
fn the_clock_delivers_completes_and_expires() {
    let mut e = small_all_online();
    // 130 is undelivered: within a few minutes it is delivered, then finished.
    e.step(Duration::minutes(2));
    assert_ne!(status(&e, 130), ActivityStatus::Undelivered);
    e.step(Duration::hours(1));
    let a = e.activity(130).unwrap();
    assert!(a.status().unwrap().is_final(), "{:?}", a.status());
    assert!(a.result_text.get().is_some());
    assert!(a.completion_time.copied().unwrap() <= e.now());
    // Expiry: an undelivered activity whose deliver_before_time passes fails.
    let mut data = small().to_dataset();
    for a in data["activities"].as_array_mut().unwrap() {
        if a["id"] == 162 {
            a["deliver_before_time"] = serde_json::json!("2024-02-07T18:00:01Z");
            a["creation_time"] = serde_json::json!("2024-02-07T18:00:00Z");
        }
    }
    let mut e = Engine::from_dataset_str(&data.to_string()).unwrap();
    e.step(Duration::minutes(10));
    let a = e.activity(162).unwrap();
    assert_eq!(a.status(), Some(&ActivityStatus::Failed));
    assert!(a.result_text.get().unwrap().contains("expired"));
    assert_eq!(a.completion_time.copied(), Some(t("2024-02-07T18:00:01Z")));
}

#[test]
fn long_running_activities_report_progress_until_done() {
    let mut e = small();
    assert_eq!(e.activity(140).unwrap().progress.copied(), Some(37));
    let mut last = 37;
    let mut seen_final = false;
    for _ in 0..200 {
        e.step(Duration::seconds(30));
        let a = e.activity(140).unwrap();
        let p = a.progress.copied().unwrap();
        if a.status().unwrap().is_final() {
            assert!(p == 100 || p == -1, "{p}");
            assert_eq!(p == 100, a.status() == Some(&ActivityStatus::Succeeded));
            seen_final = true;
            break;
        }
        assert!(p >= last && (0..100).contains(&p), "{last} -> {p}");
        last = p;
    }
    assert!(seen_final);
}

#[test]
fn stepping_differently_to_the_same_time_gives_the_same_state() {
    let mut a = Engine::demo(&DemoOptions {
        seed: 7,
        computers: 20,
        activities: 400,
        now: t("2024-05-01T12:00:00Z"),
    });
    let mut b = a.clone();
    a.step(Duration::hours(2));
    for _ in 0..240 {
        b.step(Duration::seconds(30));
    }
    assert!(a.same_state(&b));
}

#[test]
fn a_seed_gives_the_same_demo_and_another_seed_another() {
    let o = DemoOptions {
        seed: 3,
        computers: 30,
        activities: 500,
        now: t("2024-05-01T12:00:00Z"),
    };
    let a = Engine::demo(&o);
    assert!(a.same_state(&Engine::demo(&o)));
    assert!(!a.same_state(&Engine::demo(&DemoOptions {
        seed: 4,
        ..o.clone()
    })));
    assert!(a.activity_count() >= 500);
}

#[test]
fn the_default_demo_has_something_to_act_on() {
    let e = Engine::demo(&DemoOptions {
        now: t("2024-05-01T12:00:00Z"),
        ..DemoOptions::default()
    });
    assert_eq!(e.computers().count(), 50);
    let count = |q: &str| e.activities(q, 0, 0).unwrap().count;
    assert!(count("status:unapproved") > 0);
    assert!(count("status:delivered") > 0);
    assert!(count("status:failed") > 0);
    assert!(count("type:ActivityGroup") > 50);
    assert!(count("type:SyncPocketRequest") > 0);
    // Long syncs under way, so the demo's gauges move.
    let syncing = e
        .activities("type:SyncPocketRequest status:delivered", 10, 0)
        .unwrap()
        .results;
    assert!(syncing.len() >= 3);
    assert!(
        syncing
            .iter()
            .all(|a| a.progress.copied().is_some_and(|p| (0..100).contains(&p)))
    );
    // Something to approve at the start.
    let approved = e
        .clone()
        .approve(&Selection::Query("status:unapproved".into()))
        .unwrap();
    assert!(!approved.is_empty());
}

#[test]
fn top_level_shows_parents_of_matching_children() {
    let e = small();
    let page = e.top_level("computer:web-02", 100, 0).unwrap();
    let ids: Vec<u64> = page.rows.results.iter().map(|a| a.id).collect();
    // 102, 112 and 162 ran on web-02: their parents are shown, not the children.
    assert_eq!(ids, vec![160, 100, 110]);
    let all = e.top_level("", 100, 0).unwrap();
    assert_eq!(all.rows.count, 7);
    assert!(all.rows.results.iter().all(|a| a.parent().is_none()));
}

#[test]
fn records_carry_action_flags() {
    let e = small();
    let a = e.activity(101).unwrap();
    let f = a.actions.get().unwrap();
    assert!(f.approvable && f.cancelable && !f.reappliable);
    let p = e.activity(110).unwrap();
    let f = p.actions.get().unwrap();
    assert!(!f.approvable && !f.cancelable && f.reappliable);
}

/// The backend's clock thread moves activities along on its own and tells
/// watchers; what a client sees moved is also what a restart of its
/// `--state` has (the clock's moves are journaled before they are shown).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_running_clock_moves_activities_and_journals_its_moves() {
    use landscape_tui::backend::Backend;
    use landscape_tui::backend::engine::{EngineBackend, EngineOptions};
    use landscape_tui::engine::{Progress, state};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let demo = crate::common::demo(5, 20, 600);
    let (engine, journal, _) = state::open(&path, &Progress::default(), || Ok(demo)).unwrap();
    let moving = |e: &landscape_tui::engine::Engine| {
        e.activities("status:delivered OR status:undelivered", u64::MAX, 0)
            .unwrap()
            .count
    };
    let before = moving(&engine);
    assert!(before > 0, "nothing to move");
    let options = EngineOptions {
        speed: 3_600.0,
        tick: std::time::Duration::from_millis(20),
        ..EngineOptions::default()
    };
    let backend = EngineBackend::with_journal(engine, options, Some(journal));
    let mut changes = backend.changes();
    tokio::time::timeout(std::time::Duration::from_secs(20), changes.changed())
        .await
        .expect("the clock moved something")
        .unwrap();
    // Hours of engine time later, what was under way has moved on.
    let mut left = before;
    for _ in 0..200 {
        left = backend
            .activities("status:delivered OR status:undelivered", 1, 0)
            .await
            .unwrap()
            .count;
        if left < before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(left < before, "{left} of {before} still moving");
    // What a client saw finish (the clock may move on after this).
    let finished = |e: &landscape_tui::engine::Engine| -> Vec<(u64, String)> {
        e.activities("status:succeeded OR status:failed", u64::MAX, 0)
            .unwrap()
            .results
            .iter()
            .map(|a| (a.id, a.status().unwrap().as_str().to_owned()))
            .collect()
    };
    let shown = finished(&backend.read());
    // A crash: no fold, no last write. Every finish shown is on disk.
    drop(backend);
    let reopened = loop {
        match state::open(&path, &Progress::default(), || unreachable!()) {
            Ok((engine, _, _)) => break engine,
            // The clock thread lets go of the state within a tick.
            Err(e) if e.0.contains("is held by") => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await
            }
            Err(e) => panic!("{e}"),
        }
    };
    let kept = finished(&reopened);
    for done in &shown {
        assert!(kept.contains(done), "{done:?} un-finished by the restart");
    }
}

/// A group and one of its children named together are copied once: the
/// child with its group, not a second time beside it.
#[test]
fn a_child_named_beside_its_group_is_reapplied_once() {
    let mut e = landscape_tui::engine::Engine::from_dataset_str(&crate::common::dataset()).unwrap();
    let before = e.activity_count();
    // Group 110: 111 succeeded, 112 failed.
    let made = e.reapply(&[110, 112]).unwrap();
    let copies = made.iter().filter(|a| !a.is_parent()).count();
    assert_eq!(copies, 2, "{made:?}");
    assert_eq!(e.activity_count(), before + 3, "one group, two children");
}

/// One reapply creates at most `MAX_CREATED` activities (a group with
/// the children it copies): asked for more, it is refused whole, each id
/// past the limit saying why, and nothing is made; the same ids in two
/// requests are each within it.
#[test]
fn one_reapply_creates_at_most_its_quota() {
    use landscape_tui::engine::MAX_CREATED;
    let mut e = crate::common::demo(7, 100, 40_000);
    let finished: Vec<u64> = e
        .activities("status:succeeded OR status:failed", u64::MAX, 0)
        .unwrap()
        .results
        .into_iter()
        .filter(|a| a.parent().is_none())
        .map(|a| a.id)
        .collect();
    let before = e.activity_count();
    let Err(ActionError::Refused(refusals)) = e.reapply(&finished) else {
        panic!("{} activities reapplied in one request", finished.len());
    };
    assert_eq!(e.activity_count(), before, "nothing made");
    assert!(!refusals.is_empty());
    assert!(
        refusals
            .iter()
            .all(|r| r.reason.contains("new activities one reapply may create")),
        "{:?}",
        &refusals[..3]
    );
    // In requests of 500 ids (as the dashboard sends 100), each is within it.
    let mut made = 0;
    for chunk in finished.chunks(500) {
        match e.reapply(chunk) {
            Ok(created) => made += created.len(),
            Err(err) => panic!("{} ids refused: {:.300}", chunk.len(), format!("{err:?}")),
        }
    }
    assert!(made > MAX_CREATED, "{made}");
}

/// A read past its request's deadline stops (the engine is told through
/// the backend, on the thread the work runs on) and says why; with time
/// left, or no deadline at all, the same read answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_past_its_deadline_stops_and_says_why() {
    use landscape_tui::backend::{Backend, deadline};
    use std::time::{Duration, Instant};
    let backend = crate::common::frozen(crate::common::demo(3, 20, 5_000));
    let query = "status:failed OR upgrade";
    let late = deadline::scope(Instant::now(), backend.activities(query, 5, 0)).await;
    let e = late.unwrap_err().to_string();
    assert!(e.contains("stopped: the request's time ran out"), "{e}");
    let in_time = deadline::scope(
        Instant::now() + Duration::from_secs(60),
        backend.activities(query, 5, 0),
    )
    .await;
    let without = backend.activities(query, 5, 0).await.unwrap();
    assert_eq!(in_time.unwrap().count, without.count);
    assert!(without.count > 0);
    // The engine alone, on a thread with no deadline, is never stopped.
    let engine = crate::common::demo(3, 20, 5_000);
    let stopped = landscape_tui::engine::deadline::within(Some(Instant::now()), || {
        engine.activities(query, 5, 0)
    });
    assert!(stopped.is_err());
    assert_eq!(engine.activities(query, 5, 0).unwrap().count, without.count);
}
