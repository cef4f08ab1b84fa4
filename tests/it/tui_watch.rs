//! Watches and guards in the dashboard, driven through `update` against
//! an engine that stays put between looks (what changes, the test does):
//! the first failure and the end are told once each, in the status line,
//! as a terminal notification and in the action log; a guard's stop is an
//! ordinary cancel by query, confirmed, of exactly what had not started.

use crate::common;
use crate::common::tui::said;

use std::sync::Arc;

use common::tui::{code, command, drive, feed, key, typed};
use landscape_tui::backend::Backend;
use landscape_tui::backend::engine::EngineBackend;
use landscape_tui::engine::Engine;
use landscape_tui::model::Selection;
use landscape_tui::tui::app::{App, Dialog};
use landscape_tui::tui::event::{Call, Command, Effect, Event};
use landscape_tui::tui::update::{start, update};
use landscape_tui::tui::{kept, watches};
use ratatui::crossterm::event::KeyCode;

fn rollout(failed: usize, delivered: usize, undelivered: usize) -> Arc<EngineBackend> {
    common::frozen(
        Engine::from_dataset_str(&common::rollout(failed, delivered, undelivered)).unwrap(),
    )
}

/// Backend calls are answered; what the runtime does itself (notify,
/// save, log, copy) comes back.
fn run(app: &mut App, backend: &EngineBackend, commands: Vec<Command>) -> Vec<Command> {
    drive(app, backend, commands, |c| {
        !matches!(
            c,
            Command::Effect(Effect::Notify(_))
                | Command::Effect(Effect::SaveWatches(_))
                | Command::Effect(Effect::LogAction(_))
                | Command::Effect(Effect::SaveHistory(_))
                | Command::Effect(Effect::Copy(_))
        )
    })
}

/// What `f` does to the dashboard, answered as [`run`] answers.
fn act(
    app: &mut App,
    backend: &EngineBackend,
    f: impl FnOnce(&mut App) -> Vec<Command>,
) -> Vec<Command> {
    let commands = f(app);
    run(app, backend, commands)
}

/// The dashboard on `backend`, the list on `query`, the first row selected.
fn at(backend: &EngineBackend, query: &str) -> App {
    let mut app = App::new(backend.info(), false, vec![]);
    app.screen.size = (160, 40);
    let cmds = start(&mut app);
    run(&mut app, backend, cmds);
    let mut cmds = feed(&mut app, [key('/')]);
    cmds.extend(typed(&mut app, query));
    cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
    run(&mut app, backend, cmds);
    app
}

fn notices(commands: &[Command]) -> Vec<String> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::Effect(Effect::Notify(t)) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

fn count(backend: &EngineBackend, query: &str) -> u64 {
    backend.read().activities(query, 1, 0).unwrap().count
}

#[test]
fn a_watch_tells_the_first_failure_then_the_end_once_each() {
    let backend = rollout(1, 2, 1);
    let mut app = at(&backend, "id:500");
    let rest = act(&mut app, &backend, |a| feed(a, [key('w')]));
    // The first look already sees the failed child.
    assert_eq!(
        notices(&rest),
        vec!["watch 1: row 500 Upgrade package curl has a failure (1 failed, 1 of 4 final)"]
    );
    assert!(
        rest.iter()
            .any(|c| matches!(c, Command::Effect(Effect::SaveWatches(l)) if l.len() == 1))
    );
    assert_eq!(app.acting.log[0].action, "watch");
    assert_eq!(app.acting.log[0].ids, vec![500]);
    // Nothing new: nothing told again.
    let rest = act(&mut app, &backend, |a| update(a, Event::RefreshDue));
    assert_eq!(notices(&rest), Vec::<String>::new());
    assert!(
        !rest
            .iter()
            .any(|c| matches!(c, Command::Effect(Effect::SaveWatches(_)))),
        "{rest:?}"
    );
    // The rest ends (canceled here): the end is told, with the outcome.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(backend.cancel(&Selection::Query("parent-id:500 NOT status:failed".into())))
        .unwrap();
    let rest = act(&mut app, &backend, |a| update(a, Event::RefreshDue));
    assert_eq!(
        notices(&rest),
        vec!["watch 1: row 500 Upgrade package curl is done: 0 succeeded, 1 failed, 3 canceled"]
    );
    assert_eq!(app.watches.active(&app.backend.label).count(), 0);
    assert!(said(&app).contains("is done"));
    // Done: no more looks.
    let cmds = update(&mut app, Event::RefreshDue);
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::Call(Call::LookWatches(_)))),
        "{cmds:?}"
    );
    // `:watches` lists it as done.
    command(&mut app, "watches");
    assert!(matches!(
        app.dialog,
        Some(Dialog::Watches(landscape_tui::tui::dialogs::Watches {
            selected: 0
        }))
    ));
    let screen = common::tui::screen(&common::tui::draw(&app));
    assert!(
        screen.contains("done: 0 succeeded, 1 failed, 3 canceled"),
        "{screen}"
    );
    // Its last line: the keys as the keymap has them, and what each does.
    assert!(
        screen.contains("Enter shows its activities   w stops watching   Esc closes"),
        "{screen}"
    );
}

#[test]
fn w_again_stops_the_watch_and_nothing_is_looked_at() {
    let backend = rollout(0, 2, 1);
    let mut app = at(&backend, "id:500");
    act(&mut app, &backend, |a| feed(a, [key('w')]));
    assert_eq!(app.watches.active(&app.backend.label).count(), 1);
    let status = common::tui::screen(&common::tui::draw(&app));
    assert!(status.contains("◉ 1 watched"), "{status}");
    let cmds = feed(&mut app, [key('w')]);
    assert!(said(&app).starts_with("stopped watching row 500"));
    assert!(
        matches!(&cmds[..], [Command::Effect(Effect::SaveWatches(l))] if l.is_empty()),
        "{cmds:?}"
    );
    let cmds = update(&mut app, Event::RefreshDue);
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::Call(Call::LookWatches(_))))
    );
}

/// Asked on each refresh: only what is not final, 100 ids a request and
/// a count per running group, whatever the account holds.
#[test]
fn a_look_asks_only_for_what_is_still_running() {
    let backend = rollout(0, 2, 1);
    let mut app = at(&backend, "");
    // Mark every row: groups 500 and 600, running.
    feed(&mut app, [key(' '), key('j'), key(' ')]);
    act(&mut app, &backend, |a| feed(a, [key('w')]));
    let cmds = update(&mut app, Event::RefreshDue);
    let ask = cmds
        .iter()
        .find_map(|c| match c {
            Command::Call(Call::LookWatches(a)) => Some(a.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(ask.ids, vec![500, 600]);
    assert_eq!(ask.groups, vec![500, 600]);
    // A second refresh while the look is out asks nothing more.
    let again = update(&mut app, Event::RefreshDue);
    assert!(
        !again
            .iter()
            .any(|c| matches!(c, Command::Call(Call::LookWatches(_))))
    );
}

#[test]
fn a_guard_asks_then_cancels_exactly_what_had_not_started() {
    let backend = rollout(3, 2, 5);
    let mut app = at(&backend, "id:500");
    let rest = act(&mut app, &backend, |a| command(a, "guard failed>=3"));
    let told = notices(&rest);
    assert_eq!(
        told,
        vec![
            "guard failed>=3 tripped on row 500 Upgrade package curl: 3 of 10 failed; stopping what has not started"
        ],
        "{rest:?}"
    );
    // The confirmation is the usual one, planned by the server's count.
    let Some(Dialog::Confirm(c)) = &app.dialog else {
        panic!("no confirmation: {:?}", app.dialog)
    };
    assert_eq!(
        c.scope.query,
        "parent-id:500 status:undelivered OR status:unapproved OR status:scheduled"
    );
    assert_eq!(c.plan.as_ref().unwrap().changes(), 5);
    let screen = common::tui::screen(&common::tui::draw(&app));
    assert!(screen.contains("Cancel 5 activities"), "{screen}");
    assert_eq!(
        count(&backend, "parent-id:500 status:canceled"),
        0,
        "asked first"
    );
    let rest = act(&mut app, &backend, |a| feed(a, [key('y')]));
    assert_eq!(said(&app), "canceled 5 activities");
    assert_eq!(count(&backend, "parent-id:500 status:canceled"), 5);
    assert_eq!(count(&backend, "parent-id:500 status:delivered"), 2);
    assert_eq!(count(&backend, "parent-id:500 status:failed"), 3);
    assert_eq!(count(&backend, "parent-id:600 status:undelivered"), 3);
    // The log: the trip, then the cancel it asked for.
    assert_eq!(app.acting.log[0].action, "cancel");
    assert!(
        app.acting.log[0]
            .picked
            .starts_with("guard failed>=3 on row 500"),
        "{:?}",
        app.acting.log[0]
    );
    assert_eq!(app.acting.log[0].changed, 5);
    assert_eq!(app.acting.log[1].action, "guard");
    assert!(
        rest.iter()
            .any(|c| matches!(c, Command::Effect(Effect::LogAction(_))))
    );
    // Tripped once: the next looks do not trip it again.
    let rest = act(&mut app, &backend, |a| update(a, Event::RefreshDue));
    assert!(
        notices(&rest).iter().all(|t| !t.contains("tripped")),
        "{rest:?}"
    );
    assert!(app.dialog.is_none());
}

#[test]
fn an_auto_guard_stops_without_asking_and_below_it_nothing_moves() {
    let backend = rollout(2, 2, 5);
    let mut app = at(&backend, "id:500");
    act(&mut app, &backend, |a| command(a, "guard failed>=3 --auto"));
    assert!(app.dialog.is_none());
    assert_eq!(
        count(&backend, "parent-id:500 status:canceled"),
        0,
        "2 of 9 failed: below"
    );
    assert_eq!(app.watches.list[0].guard.as_ref().unwrap().failed, 2);
    // 3 of 9 is past 30%: the first look trips it and it stops the rest.
    let backend = rollout(3, 1, 5);
    let mut app = at(&backend, "id:500");
    act(&mut app, &backend, |a| {
        command(a, "guard failed>=30% --auto")
    });
    assert!(app.dialog.is_none(), "{:?}", app.dialog);
    assert_eq!(count(&backend, "parent-id:500 status:canceled"), 5);
    assert_eq!(count(&backend, "parent-id:600 status:canceled"), 0);
    assert_eq!(app.acting.log[0].action, "cancel");
    assert!(
        app.acting.log[0]
            .picked
            .starts_with("guard failed>=30% on row 500")
    );
}

#[test]
fn a_guard_tripped_under_an_open_dialog_asks_once_it_closes() {
    let backend = rollout(0, 2, 5);
    let mut app = at(&backend, "id:500");
    act(&mut app, &backend, |a| command(a, "guard failed>=1"));
    // The help is open when the failure comes.
    feed(&mut app, [key('?')]);
    // A child fails: the same rollout with one failure (the engine has
    // no action that fails an activity).
    let failed = rollout(1, 1, 5);
    let rest = act(&mut app, &failed, |a| update(a, Event::RefreshDue));
    assert_eq!(notices(&rest).len(), 1, "the trip told, once: {rest:?}");
    assert!(
        matches!(app.dialog, Some(Dialog::Help(_))),
        "the help stays"
    );
    feed(&mut app, [code(KeyCode::Esc)]);
    act(&mut app, &failed, |a| update(a, Event::RefreshDue));
    let Some(Dialog::Confirm(c)) = &app.dialog else {
        panic!("the stop asks now: {:?}", app.dialog)
    };
    assert_eq!(c.plan.as_ref().unwrap().changes(), 5);
}

#[test]
fn watches_are_kept_in_their_file_and_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("watches.json");
    let backend = rollout(0, 2, 1);
    let mut app = at(&backend, "id:500");
    let rest = act(&mut app, &backend, |a| command(a, "guard failed>=2"));
    let saved = rest
        .iter()
        .rev()
        .find_map(|c| match c {
            Command::Effect(Effect::SaveWatches(l)) => Some(l.clone()),
            _ => None,
        })
        .unwrap();
    kept::save(&path, &saved).unwrap();
    let back: Vec<watches::Watch> = kept::load(Some(&path));
    assert_eq!(back, saved);
    let mut again = App::new(backend.info(), false, vec![]);
    again.watches.list = back;
    let cmds = update(&mut again, Event::RefreshDue);
    assert!(
        cmds.iter().any(
            |c| matches!(c, Command::Call(Call::LookWatches(a)) if a.ids == vec![500] && a.guards.len() == 1)
        ),
        "{cmds:?}"
    );
    // Another server's watches are kept but not looked at there.
    let mut elsewhere = common::tui::remote_app("https://landscape.example.com", (80, 24));
    elsewhere.watches.list = kept::load(Some(&path));
    let cmds = update(&mut elsewhere, Event::RefreshDue);
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::Call(Call::LookWatches(_))))
    );
}

/// One look on Landscape's own routes (no `/top-level`), REST: a request
/// per 100 watched ids still running, a count per running group, two per
/// guard, on a small account as on one twenty times larger, and what it
/// finds is what the engine says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_look_costs_what_is_watched_on_landscapes_routes() {
    use common::proxy::{Hide, Proxy};
    use landscape_tui::backend::remote::{ApiChoice, RemoteBackend};
    use landscape_tui::backend::watched::{Ask, look};
    use landscape_tui::model::guard::{Guard, Threshold};
    let mut costs = Vec::new();
    for activities in [2_000, 40_000] {
        let s =
            common::TestServer::start_with(common::frozen(common::demo(5, 60, activities))).await;
        let proxy = Proxy::start(&s.base, Hide::TopLevel, std::time::Duration::ZERO).await;
        let remote =
            RemoteBackend::new(s.access_key_options(&proxy.base, ApiChoice::Rest)).unwrap();
        let engine = s.backend.read().clone();
        let ids = |q: &str, n: u64| -> Vec<u64> {
            engine
                .activities(q, n, 0)
                .unwrap()
                .results
                .iter()
                .map(|a| a.id)
                .collect()
        };
        let groups = ids(
            "type:ActivityGroup NOT status:succeeded NOT status:failed NOT status:canceled",
            2,
        );
        assert_eq!(groups.len(), 2);
        let mut watched = ids("NOT type:ActivityGroup", 150);
        watched.extend(&groups);
        let ask = Ask {
            ids: watched,
            groups: groups.clone(),
            guards: vec![Guard::on_group(
                groups[0],
                Threshold::parse("failed>=3").unwrap(),
            )],
        };
        remote.activity_types().await.unwrap();
        proxy.reset();
        let seen = look(remote.as_ref(), &ask).await.unwrap();
        costs.push(proxy.requests());
        let local = look(s.backend.as_ref(), &ask).await.unwrap();
        assert_eq!(seen.activities.len(), 152);
        assert_eq!(seen.failed_children, local.failed_children);
        assert_eq!(seen.guards, local.guards);
    }
    assert_eq!(costs[0], costs[1], "{costs:?}");
    // 152 ids: 2 requests; a count for each group; failed and counted
    // for the guard (its failed count is the group's, asked once).
    assert_eq!(costs[0], 2 + 2 + 1, "{costs:?}");
}

/// Watching what is already over ends at the first look, with its
/// outcome (a group's failures counted then); a watch started while a
/// look is out is not taken as looked at by it: the next look is its.
#[test]
fn a_watch_of_what_is_over_ends_at_its_first_look() {
    let backend = rollout(1, 0, 0);
    // Both groups: 500 failed (its one child failed) before it was watched.
    let mut app = at(&backend, "");
    let row_of = |app: &App, id: u64| app.list.rows.iter().position(|a| a.id == id).unwrap();
    let to_500 = row_of(&app, 500);
    feed(&mut app, (0..to_500).map(|_| key('j')));
    let first = feed(&mut app, [key('w')]);
    let ask = first
        .iter()
        .find_map(|c| match c {
            Command::Call(Call::LookWatches(a)) => Some(a.clone()),
            _ => None,
        })
        .expect("the first look asks even for what is final");
    assert_eq!((ask.ids, ask.groups), (vec![500], vec![500]));
    // Group 600 is watched while that look is out.
    feed(&mut app, [key('g')]);
    let to_600 = row_of(&app, 600);
    feed(&mut app, (0..to_600).map(|_| key('j')));
    let second = feed(&mut app, [key('w')]);
    assert!(
        !second
            .iter()
            .any(|c| matches!(c, Command::Call(Call::LookWatches(_)))),
        "one look at a time: {second:?}"
    );
    let rest = run(&mut app, &backend, first);
    assert_eq!(
        notices(&rest),
        vec!["watch 1: row 500 Upgrade package curl is done: 0 succeeded, 1 failed"]
    );
    assert!(
        !app.watches.list[1].looked,
        "not looked at by a look asked before it"
    );
    let next = update(&mut app, Event::RefreshDue);
    let ask = next
        .iter()
        .find_map(|c| match c {
            Command::Call(Call::LookWatches(a)) => Some(a.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(ask.ids, vec![600]);
}

/// A guard on several groups (every match of a query naming them)
/// counts, trips on and stops their children, as one group's guard
/// does: it said "0 of 0 failed" when it counted the groups' ids among
/// single activities.
#[test]
fn a_guard_on_every_match_of_several_groups_counts_and_stops_their_children() {
    let backend = rollout(3, 2, 5);
    let mut app = at(&backend, "id:500 OR id:600");
    assert_eq!(app.list.rows.len(), 2);
    act(&mut app, &backend, |a| feed(a, [key('*')]));
    let rest = act(&mut app, &backend, |a| command(a, "guard failed>=1"));
    let told = notices(&rest);
    assert!(
        told.iter()
            .any(|t| t.contains("tripped") && t.contains("3 of 13 failed")),
        "{told:?} {rest:?}"
    );
    let Some(Dialog::Confirm(c)) = &app.dialog else {
        panic!("no confirmation: {:?}", app.dialog)
    };
    // Both groups' children not started: 5 of 500, 3 of 600.
    assert_eq!(c.plan.as_ref().unwrap().changes(), 8);
    act(&mut app, &backend, |a| feed(a, [key('y')]));
    assert_eq!(count(&backend, "parent-id:500 status:canceled"), 5);
    assert_eq!(count(&backend, "parent-id:600 status:canceled"), 3);
    assert_eq!(count(&backend, "parent-id:500 status:delivered"), 2);
    assert_eq!(count(&backend, "parent-id:500 status:failed"), 3);
}

/// A damaged line in a data file loses that line, not the file: the
/// watches, the query history and the action log each keep the rest.
/// A write that fails is said on screen, and the action log's entry is
/// kept and written before the next one.
#[test]
fn data_files_survive_a_damaged_line_and_a_failed_write_is_said() {
    use landscape_tui::backend::action_log;
    use landscape_tui::tui::history;
    let dir = tempfile::tempdir().unwrap();
    let backend = rollout(0, 2, 1);
    let mut app = at(&backend, "id:500");
    act(&mut app, &backend, |a| command(a, "watch"));
    let mut app2 = at(&backend, "id:600");
    act(&mut app2, &backend, |a| command(a, "watch"));
    let mut list = app.watches.list.clone();
    let mut second = app2.watches.list[0].clone();
    second.number = list[0].number + 1;
    list.push(second);
    let path = dir.path().join("watches.json");
    kept::save(&path, &list).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[3] = 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let back: Vec<watches::Watch> = kept::load(Some(&path));
    assert_eq!(back, list[1..], "the undamaged watch is kept");

    let path = dir.path().join("history");
    std::fs::write(&path, b"status:failed\nid:\xff7\ncomputer:tag:web\n").unwrap();
    assert_eq!(
        history::load(Some(&path)),
        ["status:failed", "computer:tag:web"]
    );

    let path = dir.path().join("actions.jsonl");
    let mut app = at(&backend, "");
    let cmds = act(&mut app, &backend, |a| feed(a, [key('c')]));
    drop(cmds);
    let rest = act(&mut app, &backend, |a| feed(a, [key('y')]));
    let record = rest
        .iter()
        .find_map(|c| match c {
            Command::Effect(Effect::LogAction(r)) => Some(r.clone()),
            _ => None,
        })
        .expect("the cancel is logged");
    action_log::append(&path, &record).unwrap();
    let mut text = std::fs::read(&path).unwrap();
    text.extend_from_slice(b"{\"at\": \xff garbage\n");
    std::fs::write(&path, &text).unwrap();
    action_log::append(&path, &record).unwrap();
    assert_eq!(action_log::load(Some(&path)).len(), 2);

    // A failed write: said, kept, written first next time.
    update(
        &mut app,
        Event::NotSaved {
            what: "the action log",
            error: "actions.jsonl: No space left on device".into(),
            record: Some(record.clone()),
        },
    );
    let said = &said(&app);
    assert!(said.contains("could not write the action log"), "{said}");
    assert!(said.contains("No space left"), "{said}");
    assert_eq!(app.acting.unwritten_log.len(), 1);
    act(&mut app, &backend, |a| feed(a, [key('j'), key('c')]));
    let rest = act(&mut app, &backend, |a| feed(a, [key('y')]));
    let logged = rest
        .iter()
        .filter(|c| matches!(c, Command::Effect(Effect::LogAction(_))))
        .count();
    assert_eq!(logged, 2, "the kept entry, then the new one: {rest:?}");
    assert!(app.acting.unwritten_log.is_empty());
}
