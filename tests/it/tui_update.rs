//! The dashboard's pure update step: key sequences and backend answers in,
//! state and commands out. No terminal, no backend.

use crate::common::tui::said;
use landscape_tui::backend::action_plan::{ActionReport, Outcome};
use landscape_tui::backend::{BackendError, BackendInfo};
use landscape_tui::engine::Engine;
use landscape_tui::model::scope::{PickedChild, PickedRow, Scope};
use landscape_tui::model::{ActionKind, ActivityStatus, Refusal};
use landscape_tui::tui::app::{App, Dialog, Pane, RefusedWhen};
use landscape_tui::tui::event::{Call, Command, Effect, Event};
use landscape_tui::tui::update::{start, update};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::common;

use common::tui::{
    answer, answer_actions, code, draw, feed, key, screen, small_engine as engine, typed,
};

fn app() -> App {
    common::tui::app(&engine(), (120, 40))
}

fn loaded(engine: &Engine) -> App {
    common::tui::loaded(engine, (120, 40))
}

#[test]
fn start_loads_the_first_page_and_the_vocabulary() {
    let mut app = app();
    let cmds = start(&mut app);
    assert!(
        matches!(&cmds[0], Command::Call(Call::FetchList { offset: 0, query, .. }) if query.is_empty())
    );
    assert!(cmds.contains(&Command::Call(Call::FetchVocabulary)));
    assert!(cmds.contains(&Command::Call(Call::FetchInFlight)));
}

#[test]
fn typing_a_query_and_enter_runs_it_and_keeps_history() {
    let e = engine();
    let mut app = loaded(&e);
    assert_eq!(app.list.total, 7);
    feed(&mut app, [key('/')]);
    assert!(app.query.editing);
    typed(&mut app, "status:failed");
    let cmds = feed(&mut app, [code(KeyCode::Enter)]);
    assert!(!app.query.editing);
    assert!(cmds.iter().any(
        |c| matches!(c, Command::Call(Call::FetchList { query, offset: 0, .. }) if query == "status:failed")
    ));
    assert!(cmds.contains(&Command::Effect(Effect::SaveHistory(vec![
        "status:failed".into()
    ]))));
    answer(&mut app, &e, cmds);
    // 112 failed: its parent 110 is the row shown.
    assert_eq!(app.list.total, 1);
    assert_eq!(app.list.rows[0].id, 110);
    assert_eq!(app.list.total_all, Some(7));
}

/// Relative dates are this client's convenience: accepted while typing,
/// sent as Landscape's ISO-8601 (the operator's day, to the minute), the
/// expansion said and shown, and history keeps what was typed.
#[test]
fn relative_dates_are_sent_written_out_and_history_keeps_them() {
    let e = engine();
    let mut app = loaded(&e);
    app.clock.offset = chrono::FixedOffset::east_opt(3600).unwrap();
    app.clock.now = chrono::DateTime::parse_from_rfc3339("2024-02-07T17:30:45Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    feed(&mut app, [key('/')]);
    typed(&mut app, "created-after:-12h created-before:today");
    assert_eq!(app.query.error, None);
    let cmds = feed(&mut app, [code(KeyCode::Enter)]);
    let sent = "created-after:2024-02-07T05:30 created-before:2024-02-06T23:00";
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Call(Call::FetchList { query, .. }) if query == sent)),
        "{cmds:?}"
    );
    assert_eq!(app.query.applied, sent);
    let said = &said(&app);
    assert!(
        said.contains("created-after:-12h → created-after:2024-02-07T05:30"),
        "{said}"
    );
    assert!(cmds.contains(&Command::Effect(Effect::SaveHistory(vec![
        "created-after:-12h created-before:today".into()
    ]))));
    // A relative date that is not one is pointed at.
    feed(&mut app, [key('/')]);
    feed(&mut app, std::iter::repeat_n(code(KeyCode::Backspace), 80));
    typed(&mut app, "created-after:-12y");
    let err = app.query.error.clone().unwrap();
    assert_eq!(err.span, 14..18);
    assert!(
        err.message.contains("relative dates are"),
        "{}",
        err.message
    );
}

#[test]
fn a_bad_query_is_not_run_and_points_at_the_token() {
    let mut app = loaded(&engine());
    feed(&mut app, [key('/')]);
    typed(&mut app, "status:faild");
    let cmds = feed(&mut app, [code(KeyCode::Enter)]);
    assert!(
        cmds.iter()
            .all(|c| !matches!(c, Command::Call(Call::FetchList { .. })))
    );
    assert!(app.query.editing);
    let e = app.query.error.clone().unwrap();
    assert_eq!(e.span, 7..12);
    assert!(said(&app).contains("unknown status"));
    // Esc backs out to the query the list shows.
    feed(&mut app, [code(KeyCode::Esc)]);
    assert!(!app.query.editing);
    assert_eq!(app.query.editor.text(), "");
}

#[test]
fn tab_completes_and_history_comes_back_with_up() {
    let mut app = loaded(&engine());
    feed(&mut app, [key('/')]);
    typed(&mut app, "sta");
    feed(&mut app, [code(KeyCode::Tab)]);
    assert_eq!(app.query.editor.text(), "status:");
    typed(&mut app, "fai");
    feed(&mut app, [code(KeyCode::Tab)]);
    assert_eq!(app.query.editor.text(), "status:failed");
    feed(&mut app, [code(KeyCode::Enter), key('/')]);
    for _ in 0..13 {
        feed(&mut app, [code(KeyCode::Backspace)]);
    }
    assert_eq!(app.query.editor.text(), "");
    feed(&mut app, [code(KeyCode::Up)]);
    assert_eq!(app.query.editor.text(), "status:failed");
}

#[test]
fn stale_answers_are_dropped() {
    let e = engine();
    let mut app = loaded(&e);
    let old = app.list.generation;
    feed(&mut app, [key('r')]);
    let result = e
        .top_level("status:failed", 400, 0)
        .map_err(BackendError::from);
    feed(
        &mut app,
        [Event::ListLoaded {
            generation: old,
            offset: 0,
            result,
        }],
    );
    assert_eq!(
        app.list.total, 7,
        "an answer to an older request must not land"
    );
}

#[test]
fn selection_follows_the_activity_across_refreshes() {
    let mut e = engine();
    let mut app = loaded(&e);
    feed(&mut app, [key('j'), key('j')]);
    let id = app.list.selected_row().unwrap().id;
    // A new activity appears at the top; the same activity stays selected.
    e.reapply(&[150]).unwrap();
    let cmds = feed(&mut app, [Event::RefreshDue]);
    answer(&mut app, &e, cmds);
    assert_eq!(app.list.selected_row().unwrap().id, id);
    assert_eq!(app.list.selected, 3);
}

#[test]
fn marks_survive_queries_and_refreshes_and_drive_actions() {
    let mut e = engine();
    let mut app = loaded(&e);
    // Space marks where the cursor is and stays there.
    feed(&mut app, [key(' ')]);
    assert_eq!(app.list.selected, 0, "Space does not move");
    feed(&mut app, [key('G'), key(' ')]);
    let marked: Vec<u64> = app.marks.ids.iter().copied().collect();
    assert_eq!(marked, vec![150, 160]);
    feed(&mut app, [key('/')]);
    typed(&mut app, "status:failed");
    let cmds = feed(&mut app, [code(KeyCode::Enter)]);
    answer(&mut app, &e, cmds);
    assert_eq!(app.marks.ids.len(), 2);
    let cmds = feed(&mut app, [key('c')]);
    let Some(Dialog::Confirm(c)) = &app.dialog else {
        panic!("no dialog")
    };
    assert_eq!(c.hidden_marked, 2, "the query hides both marked activities");
    // The marks under the query: what it matches among them.
    // Marked under another query and not shown by this one: how they
    // match it is not known, so each is named with its children.
    let rows = vec![PickedRow::new(150, None), PickedRow::new(160, None)];
    let scope = Scope::picked("status:failed", rows, vec![]).with_work("status:failed");
    assert_eq!(
        cmds,
        vec![Command::Call(Call::Plan {
            kind: ActionKind::Cancel,
            scope,
            other: false,
        })]
    );
    // Auto-refresh waits while the dialog is open.
    assert!(feed(&mut app, [Event::RefreshDue, Event::BackendChanged]).is_empty());
    answer_actions(&mut app, &mut e, cmds);
    let Some(Dialog::Confirm(c)) = &app.dialog else {
        panic!("no dialog")
    };
    // Nothing marked is a failed activity: nothing to cancel, nothing sent.
    assert_eq!(c.plan.as_ref().unwrap().changes(), 0);
    assert!(feed(&mut app, [key('y')]).is_empty());
    assert!(said(&app).contains("nothing to cancel"));
    // Without the query: 160's two pending children can change, 150 (canceled) cannot.
    let mut cmds = feed(&mut app, [key('/'), code(KeyCode::Esc)]);
    cmds.extend(feed(&mut app, [key('/')]));
    for _ in 0.."status:failed".len() {
        cmds.extend(feed(&mut app, [code(KeyCode::Backspace)]));
    }
    cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
    answer(&mut app, &e, cmds);
    assert_eq!(app.query.applied, "");
    let cmds = feed(&mut app, [key('c')]);
    answer_actions(&mut app, &mut e, cmds);
    let Some(Dialog::Confirm(c)) = &app.dialog else {
        panic!("no dialog")
    };
    let plan = c.plan.clone().unwrap();
    assert_eq!((plan.changes(), plan.refused()), (2, 1));
    assert!(c.only_changeable());
    let cmds = feed(&mut app, [key('y')]);
    assert!(app.dialog.is_none());
    answer_actions(&mut app, &mut e, cmds);
    assert_eq!(
        said(&app),
        "canceled 2 activities (e shows what was left out)"
    );
    for id in [161, 162] {
        assert_eq!(
            e.activity(id).unwrap().status(),
            Some(&ActivityStatus::Canceled)
        );
    }
    // The dry run's refusal is shown as left out, never as "nothing changed".
    feed(&mut app, [key('e')]);
    let Some(Dialog::Refusals(landscape_tui::tui::dialogs::Refusals { when, refusals, .. })) =
        &app.dialog
    else {
        panic!("no refusals")
    };
    assert_eq!(*when, RefusedWhen::LeftOut);
    assert_eq!(refusals[0].id, 150);
    let s = common::tui::screen(&common::tui::draw(&app));
    assert!(
        s.contains("1 left out of the cancel: they cannot be canceled; the rest was canceled"),
        "{s}"
    );
    assert!(!s.contains("nothing changed"), "{s}");
    feed(&mut app, [code(KeyCode::Esc)]);
    assert!(app.marks.ids.is_empty(), "marks consumed");
}

#[test]
fn confirmation_waits_for_the_dry_run_and_n_aborts() {
    let mut app = loaded(&engine());
    feed(&mut app, [key('a')]);
    assert!(
        feed(&mut app, [key('y')]).is_empty(),
        "no action before the dry run answered"
    );
    feed(&mut app, [key('n')]);
    assert!(app.dialog.is_none());
    assert!(said(&app).contains("aborted"));
}

#[test]
fn refusals_open_a_popup_and_stay_viewable() {
    let mut app = loaded(&engine());
    let refusals = vec![Refusal {
        id: 111,
        reason: "it has succeeded; only unapproved activities can be approved".into(),
    }];
    let report = ActionReport {
        kind: ActionKind::Approve,
        outcome: Outcome::Refused,
        changed: 0,
        ids: vec![],
        created: vec![],
        refusals: refusals.clone(),
        unlisted: 0,
        not_reached: 1,
        moved: false,
        sent: vec!["id:111".into()],
        planned: 0,
        by_server: vec![],
    };
    let cmds = feed(&mut app, [Event::ActionDone(report)]);
    assert_eq!(
        said(&app),
        "approve refused for 1 activity; nothing changed (e shows why)"
    );
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Call(Call::FetchList { .. }))),
        "the list is re-read after an action"
    );
    assert_eq!(
        app.dialog,
        Some(Dialog::Refusals(landscape_tui::tui::dialogs::Refusals {
            kind: ActionKind::Approve,
            refusals: refusals.clone(),
            unlisted: 0,
            when: RefusedWhen::Refused { changed: 0 },
        }))
    );
    feed(&mut app, [code(KeyCode::Esc)]);
    assert!(app.dialog.is_none());
    feed(&mut app, [key('e')]);
    assert!(matches!(app.dialog, Some(Dialog::Refusals(_))));
}

#[test]
fn errors_keep_the_rows_query_and_marks() {
    let e = engine();
    let mut app = loaded(&e);
    feed(&mut app, [key(' ')]);
    let cmds = feed(&mut app, [key('r')]);
    let Some(Command::Call(Call::FetchList { generation, .. })) = cmds
        .into_iter()
        .find(|c| matches!(c, Command::Call(Call::FetchList { .. })))
    else {
        panic!()
    };
    feed(
        &mut app,
        [Event::ListLoaded {
            generation,
            offset: 0,
            result: Err(BackendError::Transport("timed out: connect".into())),
        }],
    );
    assert_eq!(app.list.rows.len(), 7);
    assert_eq!(app.marks.ids.len(), 1);
    // An outage: named as a state, the error kept whole for :messages.
    assert_eq!(
        app.status.outage.as_ref().map(|o| o.what.as_str()),
        Some("server not answering")
    );
    assert!(
        app.status
            .messages
            .iter()
            .any(|(_, _, m)| m.contains("timed out: connect"))
    );
}

#[test]
fn read_only_refuses_actions_up_front() {
    let mut app = App::new(BackendInfo::embedded_engine(), true, vec![]);
    let cmds = start(&mut app);
    answer(&mut app, &engine(), cmds);
    assert!(feed(&mut app, [key('a')]).is_empty());
    assert!(app.dialog.is_none());
    assert!(said(&app).contains("read-only"));
}

#[test]
fn enter_on_a_parent_opens_its_children() {
    let e = engine();
    let mut app = loaded(&e);
    // Row 0 is 162's parent 160 (newest), its children are loaded.
    assert_eq!(app.list.selected_row().unwrap().id, 160);
    assert_eq!(app.children.parent, Some(160));
    assert_eq!(app.children.rows.len(), 2);
    feed(&mut app, [code(KeyCode::Enter)]);
    assert_eq!(app.screen.focus, Pane::Children);
    // An action now takes the selected child.
    let child = PickedChild {
        id: app.children.rows[0].id,
        parent: 160,
        brought: false,
    };
    let (scope, picked) = app.action_scope().unwrap();
    assert_eq!(scope, Scope::picked("", vec![], vec![child]));
    assert_eq!(picked, format!("child {}", child.id));
}

#[test]
fn ctrl_c_always_quits() {
    let mut app = loaded(&engine());
    feed(&mut app, [key('/')]);
    let cmds = feed(
        &mut app,
        [Event::Key(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
        ))],
    );
    assert_eq!(cmds, vec![Command::Effect(Effect::Quit)]);
}

fn demo() -> Engine {
    use chrono::TimeZone;
    Engine::demo(&landscape_tui::engine::DemoOptions {
        seed: 3,
        computers: 30,
        activities: 6000,
        now: chrono::Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap(),
    })
}

#[test]
fn every_row_is_reachable_even_when_keys_outrun_the_loads() {
    let e = demo();
    let mut app = loaded(&e);
    let total = app.list.total;
    assert!(total > 1000, "{total}");
    // Three page-downs and a jump to the end before any answer comes back.
    let mut cmds = feed(
        &mut app,
        [
            code(KeyCode::PageDown),
            code(KeyCode::PageDown),
            code(KeyCode::PageDown),
            code(KeyCode::End),
        ],
    );
    assert_eq!(app.list.selected, total - 1);
    cmds = answer(&mut app, &e, cmds);
    drop(cmds);
    assert!(!app.list.loading());
    let last = app.list.selected_row().expect("the last row is loaded");
    let expected = e.top_level("", 1, total - 1).unwrap();
    assert_eq!(last.id, expected.rows.results[0].id);
    // A refresh in the middle of the list reloads around the selection.
    let cmds = feed(&mut app, [code(KeyCode::Home)]);
    answer(&mut app, &e, cmds);
    let cmds = feed(&mut app, (0..40).map(|_| code(KeyCode::PageDown)));
    answer(&mut app, &e, cmds);
    let before = app.list.selected_row().map(|a| a.id);
    let cmds = feed(&mut app, [key('r')]);
    answer(&mut app, &e, cmds);
    assert_eq!(app.list.selected_row().map(|a| a.id), before);
}

#[test]
fn a_failed_page_says_so_instead_of_loading_forever() {
    let e = engine();
    let mut app = loaded(&e);
    let generation = app.list.generation + 1;
    app.list.generation = generation;
    app.list.ask(landscape_tui::tui::app::Asked::Window);
    update(
        &mut app,
        Event::ListLoaded {
            generation,
            offset: 0,
            result: Err(BackendError::Http {
                status: 503,
                code: String::new(),
                message: "maintenance".into(),
            }),
        },
    );
    assert!(!app.list.loading());
    assert_eq!(app.list.error.as_deref(), Some("HTTP 503: maintenance"));
    // The rows already loaded stay.
    assert_eq!(app.list.rows.len(), 7);
}

#[test]
fn a_row_matching_through_some_children_acts_on_those_only() {
    let mut e = engine();
    let mut app = loaded(&e);
    let query = "computer:tag:web status:unapproved";
    let mut cmds = feed(&mut app, [key('/')]);
    cmds.extend(typed(&mut app, query));
    cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
    answer(&mut app, &e, cmds);
    let row = app.list.selected_row().unwrap().clone();
    assert_eq!(row.id, 100);
    assert_eq!(app.list.partial(&row), Some(2));
    assert_eq!(app.list.activity_count, 2);
    assert_eq!(app.screen.focus, Pane::List);
    // Showing all children does not widen what an action takes.
    let cmds = feed(&mut app, [key('A')]);
    answer(&mut app, &e, cmds);
    assert_eq!(app.children.rows.len(), 3);
    let cmds = feed(&mut app, [key('a')]);
    // What the query brings of the group, and the whole group offered
    // beside it.
    assert_eq!(
        cmds,
        vec![
            Command::Call(Call::Plan {
                kind: ActionKind::Approve,
                scope: Scope::picked(query, vec![PickedRow::new(100, Some(true))], vec![])
                    .with_work(query),
                other: false,
            }),
            Command::Call(Call::Plan {
                kind: ActionKind::Approve,
                scope: Scope::picked("", vec![PickedRow::new(100, Some(false))], vec![]),
                other: true,
            })
        ]
    );
    answer_actions(&mut app, &mut e, cmds);
    match &app.dialog {
        Some(Dialog::Confirm(c)) => {
            assert_eq!(c.partial, Some(("Upgrade package openssl".into(), 2, 3)));
            assert_eq!(c.plan.as_ref().unwrap().changes(), 2);
        }
        other => panic!("{other:?}"),
    }
    let cmds = feed(&mut app, [key('y')]);
    answer_actions(&mut app, &mut e, cmds);
    assert_eq!(said(&app), "approved 2 activities");
    // db-01's child (103) was not matched and is untouched.
    assert_eq!(
        e.activity(103).unwrap().status(),
        Some(&ActivityStatus::Unapproved)
    );
    for id in [101, 102] {
        assert_eq!(
            e.activity(id).unwrap().status(),
            Some(&ActivityStatus::Undelivered)
        );
    }
}

#[test]
fn star_marks_every_match_and_acts_by_query() {
    let mut e = demo();
    let mut app = loaded(&e);
    let mut cmds = feed(&mut app, [key('/')]);
    cmds.extend(typed(&mut app, "status:unapproved"));
    cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
    answer(&mut app, &e, cmds);
    feed(&mut app, [key('*')]);
    let all = app.marks.all.clone().expect("every match marked");
    let matching = e.activities("status:unapproved", 1, 0).unwrap().count;
    assert_eq!(all.count, matching);
    assert!(all.count as usize > app.list.rows.len().min(10));
    let cmds = feed(&mut app, [key('a')]);
    assert_eq!(
        cmds,
        vec![Command::Call(Call::Plan {
            kind: ActionKind::Approve,
            scope: Scope::every_match("status:unapproved").with_work("status:unapproved"),
            other: false,
        })]
    );
    answer_actions(&mut app, &mut e, cmds);
    // Every unapproved activity that is not a group: the groups stand
    // for their children, which match too.
    let promised = e
        .activities("status:unapproved NOT type:ActivityGroup", 1, 0)
        .unwrap()
        .count;
    let Some(Dialog::Confirm(c)) = &app.dialog else {
        panic!("no dialog")
    };
    assert_eq!(c.plan.as_ref().unwrap().changes(), promised);
    assert!(promised > 10_000 / 100, "{promised}");
    let cmds = feed(&mut app, [key('y')]);
    answer_actions(&mut app, &mut e, cmds);
    let message = said(&app).to_owned();
    assert_eq!(message, format!("approved {promised} activities"));
    assert_eq!(e.activities("status:unapproved", 1, 0).unwrap().count, 0);
    assert!(
        app.marks.all.is_none() && app.marks.ids.is_empty(),
        "marks consumed"
    );
}

#[test]
fn a_new_query_keeps_the_old_rows_until_its_answer() {
    let e = engine();
    let mut app = loaded(&e);
    app.screen.focus = Pane::Detail;
    let before: Vec<u64> = app.list.rows.iter().map(|a| a.id).collect();
    let mut cmds = feed(&mut app, [key('/')]);
    cmds.extend(typed(&mut app, "status:failed"));
    let cmds2 = feed(&mut app, [code(KeyCode::Enter)]);
    assert_eq!(app.screen.focus, Pane::List);
    let now: Vec<u64> = app.list.rows.iter().map(|a| a.id).collect();
    assert_eq!(now, before, "no 'none match' flash while the query runs");
    cmds.extend(cmds2);
    answer(&mut app, &e, cmds);
    assert!(app.list.rows.len() < before.len());
}

#[test]
fn help_scrolls() {
    let e = engine();
    let mut app = loaded(&e);
    feed(&mut app, [key('?'), key('j'), key('j')]);
    assert_eq!(
        app.dialog,
        Some(Dialog::Help(landscape_tui::tui::dialogs::Help {
            scroll: 2
        }))
    );
    feed(&mut app, [key('k')]);
    assert_eq!(
        app.dialog,
        Some(Dialog::Help(landscape_tui::tui::dialogs::Help {
            scroll: 1
        }))
    );
    feed(&mut app, [code(KeyCode::Esc)]);
    assert_eq!(app.dialog, None);
}

#[test]
fn a_server_whose_count_and_pages_disagree_is_not_asked_forever() {
    let e = engine();
    let mut app = loaded(&e);
    let generation = app.list.generation + 1;
    app.list.generation = generation;
    app.list.selected = 500;
    let mut page = e.top_level("", 400, 300).unwrap();
    page.rows.count = 1000;
    let cmds = update(
        &mut app,
        Event::ListLoaded {
            generation,
            offset: 300,
            result: Ok(page),
        },
    );
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::Call(Call::FetchList { .. }))),
        "{cmds:?}"
    );
    assert_eq!(
        app.list.error.as_deref(),
        Some("the server counts 1000 rows but sent none at row 501")
    );
}

#[test]
fn e_shows_the_refusals_of_the_last_dry_run() {
    let e = engine();
    let mut app = loaded(&e);
    // Row 110 (nginx) is finished: approving it is refused.
    let at = app.list.rows.iter().position(|a| a.id == 110).unwrap() as u64;
    let cmds = feed(&mut app, (0..at).map(|_| key('j')));
    answer(&mut app, &e, cmds);
    let cmds = feed(&mut app, [key('a')]);
    let mut scratch = e.clone();
    answer_actions(&mut app, &mut scratch, cmds);
    let Some(Dialog::Confirm(c)) = &app.dialog else {
        panic!("no dialog")
    };
    let plan = c.plan.clone().unwrap();
    // The group alone is named (not its finished children one by one).
    assert_eq!(
        plan.refusals,
        vec![Refusal {
            id: 110,
            reason: "no activity of this group can be approved".into()
        }]
    );
    assert_eq!(plan.refused(), 1);
    feed(&mut app, [code(KeyCode::Esc), key('e')]);
    assert_eq!(
        app.dialog,
        Some(Dialog::Refusals(landscape_tui::tui::dialogs::Refusals {
            kind: ActionKind::Approve,
            refusals: plan.refusals,
            unlisted: 0,
            when: RefusedWhen::WouldBe,
        }))
    );
}

#[test]
fn a_new_query_drops_star_and_its_message() {
    let e = engine();
    let mut app = loaded(&e);
    feed(&mut app, [key('*')]);
    assert!(said(&app).starts_with("all 14 matching marked"));
    let mut cmds = feed(&mut app, [key('/')]);
    cmds.extend(typed(&mut app, "status:failed"));
    cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
    answer(&mut app, &e, cmds);
    assert!(app.marks.all.is_none());
    assert_eq!(
        said(&app),
        "the new query dropped * (every match of the old one)"
    );
}

#[test]
fn star_in_the_children_marks_what_the_query_takes() {
    let e = engine();
    let mut app = loaded(&e);
    let mut cmds = feed(&mut app, [key('/')]);
    cmds.extend(typed(&mut app, "computer:tag:web status:unapproved"));
    cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
    answer(&mut app, &e, cmds);
    // The matching children of 100 (web-01, web-02), not db-01.
    let cmds = feed(&mut app, [code(KeyCode::Enter)]);
    answer(&mut app, &e, cmds);
    feed(&mut app, [key('*')]);
    assert_eq!(
        app.marks.ids.iter().copied().collect::<Vec<_>>(),
        vec![101, 102]
    );
    // With all children shown, * does not guess which match.
    feed(&mut app, [key('x')]);
    let cmds = feed(&mut app, [key('A')]);
    answer(&mut app, &e, cmds);
    assert_eq!(app.children.rows.len(), 3);
    feed(&mut app, [key('*')]);
    assert!(app.marks.ids.is_empty());
    assert!(said(&app).contains("A shows the matching ones"));
}

#[test]
fn a_group_found_by_id_lists_and_takes_all_its_children() {
    let mut e = engine();
    let mut app = loaded(&e);
    let mut cmds = feed(&mut app, [key('/')]);
    cmds.extend(typed(&mut app, "id:100"));
    cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
    answer(&mut app, &e, cmds);
    assert_eq!(app.children.rows.len(), 3, "not '0 (matching)'");
    assert!(app.children.brought);
    let cmds = feed(&mut app, [key('a')]);
    answer_actions(&mut app, &mut e, cmds);
    let Some(Dialog::Confirm(c)) = &app.dialog else {
        panic!("no dialog")
    };
    assert_eq!(c.plan.as_ref().unwrap().changes(), 3);
}

#[test]
fn every_action_is_logged_and_the_log_opens_its_activities() {
    let mut e = engine();
    let mut app = loaded(&e);
    assert!(app.acting.log.is_empty());
    // Nothing logged yet: the log says so, and reads the server's events.
    let cmds = feed(&mut app, [key('L')]);
    assert_eq!(cmds, vec![Command::Call(Call::FetchServerEvents)]);
    answer(&mut app, &e, cmds);
    let shown = screen(&draw(&app));
    assert!(
        shown.contains("No action taken here or by a script yet."),
        "{shown}"
    );
    feed(&mut app, [code(KeyCode::Esc)]);
    assert!(app.dialog.is_none());
    // Reapply the failed group (110): one new group over its two finished children.
    let at = app.list.rows.iter().position(|a| a.id == 110).unwrap();
    let cmds = feed(&mut app, (0..at).map(|_| key('j')));
    answer(&mut app, &e, cmds);
    let cmds = feed(&mut app, [key('R')]);
    let mut rest = answer_actions(&mut app, &mut e, cmds);
    let cmds = feed(&mut app, [key('y')]);
    rest.extend(answer_actions(&mut app, &mut e, cmds));
    let record = app.acting.log[0].clone();
    assert!(rest.contains(&Command::Effect(Effect::LogAction(Box::new(
        record.clone()
    )))));
    assert_eq!(record.action, "reapply");
    assert_eq!(record.picked, "row 110");
    assert_eq!((record.planned, record.changed, record.refused), (2, 2, 0));
    assert_eq!(record.sent, vec!["id:110".to_owned()]);
    assert_eq!(record.ids.len(), 3, "the new group and its two children");
    assert_eq!(record.outcome, "reapplied 2 activities");
    // L opens it; Enter shows the new activities.
    feed(&mut app, [key('L')]);
    assert_eq!(
        app.dialog,
        Some(Dialog::ActionLog(landscape_tui::tui::dialogs::ActionLog {
            selected: 0
        }))
    );
    let cmds = feed(&mut app, [code(KeyCode::Enter)]);
    answer(&mut app, &e, cmds);
    assert!(app.dialog.is_none());
    assert_eq!(app.query.applied, record.query(&[]));
    assert_eq!(app.list.activity_count, 3);
}

#[test]
fn v_marks_a_range_of_rows() {
    let e = engine();
    let mut app = loaded(&e);
    let cmds = feed(&mut app, [key('j'), key('V'), key('j'), key('j'), key('V')]);
    answer(&mut app, &e, cmds);
    let want: Vec<u64> = app.list.rows[1..4].iter().map(|a| a.id).collect();
    let mut marked: Vec<u64> = app.marks.ids.iter().copied().collect();
    marked.sort_unstable();
    let mut want_sorted = want.clone();
    want_sorted.sort_unstable();
    assert_eq!(marked, want_sorted);
    assert!(said(&app).starts_with("marked 3 in the range"));
    // Esc stops a range before its end.
    feed(
        &mut app,
        [key('x'), key('V'), code(KeyCode::Esc), key('j'), key('V')],
    );
    assert!(app.marks.ids.is_empty());
    assert!(
        app.marks.range_from.is_some(),
        "the second V started a new range"
    );
}

#[test]
fn a_standalone_activity_asks_for_its_computers_name() {
    let e = engine();
    let mut app = loaded(&e);
    let at = app
        .list
        .rows
        .iter()
        .position(|a| !a.is_parent() && a.computer().is_some())
        .expect("the small dataset has a standalone activity on a computer");
    let computer = app.list.rows[at].computer().unwrap();
    // As on a server whose fleet is too large to learn up front.
    app.fleet.computer_titles.clear();
    let mut cmds = Vec::new();
    for _ in 0..=at {
        cmds.extend(feed(&mut app, [key('j')]));
    }
    cmds.extend(feed(&mut app, [key('k')]));
    assert_eq!(app.list.selected as usize, at);
    assert!(
        cmds.iter().any(
            |c| matches!(c, Command::Call(Call::FetchTitles { ids, .. }) if ids.contains(&computer))
        ),
        "{cmds:?}"
    );
}

/// `C` on an activity lists its computer's activities; Esc comes back to
/// the list as it was: its query, and the same activity selected.
#[test]
fn jumping_to_a_computer_and_back_keeps_the_list() {
    let e = engine();
    let mut app = loaded(&e);
    let at = app
        .list
        .rows
        .iter()
        .position(|a| a.computer_id.get().is_some())
        .expect("a standalone activity in the small dataset");
    let (id, computer) = {
        let a = &app.list.rows[at];
        (a.id, *a.computer_id.get().unwrap())
    };
    feed(&mut app, std::iter::repeat_n(key('j'), at));
    assert_eq!(app.list.selected_id, Some(id));
    let cmds = feed(&mut app, [key('C')]);
    let jumped = format!("computer:id:{computer}");
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Call(Call::FetchList { query, .. }) if *query == jumped)),
        "{cmds:?}"
    );
    answer(&mut app, &e, cmds);
    assert_eq!(app.query.applied, jumped);
    assert!(
        app.list
            .rows
            .iter()
            .all(|a| a.computer_id.get() == Some(&computer))
    );
    assert!(said(&app).contains("Esc comes back"));
    // Wander off in the computer's list, then back.
    feed(&mut app, [key('j')]);
    let cmds = feed(&mut app, [code(KeyCode::Esc)]);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Call(Call::FetchList { query, .. }) if query.is_empty())),
        "{cmds:?}"
    );
    answer(&mut app, &e, cmds);
    assert_eq!(app.query.applied, "");
    assert_eq!(app.list.selected_id, Some(id));
    assert_eq!(app.list.selected, at as u64);
    // Nothing more to go back to: Esc changes nothing.
    let cmds = feed(&mut app, [code(KeyCode::Esc)]);
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::Call(Call::FetchList { .. })))
    );
}

/// `C` from a child lists its computer's activities, each group row with
/// that computer's own status (its child's), in the list and the detail:
/// group 110 failed, but web-01's part of it succeeded.
#[test]
fn a_computers_activities_show_its_own_status() {
    let e = engine();
    let mut app = loaded(&e);
    let mut cmds = typed(&mut app, "/id:110");
    cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
    answer(&mut app, &e, cmds);
    let cmds = feed(&mut app, [code(KeyCode::Enter)]);
    answer(&mut app, &e, cmds);
    let at = app
        .children
        .rows
        .iter()
        .position(|a| a.id == 111)
        .expect("111 among 110's children");
    feed(&mut app, std::iter::repeat_n(key('j'), at));
    let cmds = feed(&mut app, [key('C')]);
    answer(&mut app, &e, cmds);
    assert_eq!(app.query.applied, "computer:id:1");
    let row = app.list.rows.iter().find(|a| a.id == 110).unwrap();
    assert_eq!(row.status().map(|s| s.as_str()), Some("failed"));
    assert_eq!(app.list.shown(row).id, 111);
    let screen = common::tui::screen(&common::tui::draw(&app));
    let line = screen
        .lines()
        .find(|l| l.contains("Install package nginx"))
        .unwrap();
    assert!(line.contains("succeeded"), "{screen}");
    assert!(!line.contains("failed"), "{screen}");
    // The detail of that row is web-01's child.
    while app.list.selected_row().map(|a| a.id) != Some(110) {
        feed(&mut app, [key('j')]);
    }
    assert_eq!(app.detail_activity().map(|a| a.id), Some(111));
    // Its child is final: an idle refresh does not read it again.
    let asked = std::cell::RefCell::new(Vec::new());
    app.clock.now += chrono::Duration::seconds(5);
    let cmds = update(&mut app, Event::RefreshDue);
    common::tui::drive(&mut app, common::tui::backend_of(&e).as_ref(), cmds, |c| {
        if let Command::Call(Call::FetchOwnChildren { parents, .. }) = c {
            asked.borrow_mut().extend(parents.iter().copied());
        }
        common::tui::is_read(c)
    });
    assert!(!asked.borrow().contains(&110), "{:?}", asked.borrow());
    assert_eq!(app.list.shown(app.list.selected_row().unwrap()).id, 111);
}

/// In an outage a new query's rows never pass for the old ones': until it
/// answers, the list says whose rows they are and when they came, and an
/// action on them is refused.
#[test]
fn an_outage_never_passes_old_rows_off_as_a_new_querys() {
    use landscape_tui::backend::BackendError;
    let e = engine();
    let mut app = loaded(&e);
    let mut cmds = typed(&mut app, "/status:unapproved");
    cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
    answer(&mut app, &e, cmds);
    assert_eq!(app.list.rows.len(), 1);
    // The server is gone; a new query is typed.
    let mut cmds = typed(&mut app, "/");
    cmds.extend(feed(&mut app, (0..20).map(|_| code(KeyCode::Backspace))));
    cmds.extend(typed(&mut app, "status:failed"));
    cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
    let generation = cmds
        .iter()
        .rev()
        .find_map(|c| match c {
            Command::Call(Call::FetchList { generation, .. }) => Some(*generation),
            _ => None,
        })
        .expect("the new query is asked for");
    update(
        &mut app,
        Event::ListLoaded {
            generation,
            offset: 0,
            result: Err(BackendError::Unreachable("connection refused".into())),
        },
    );
    assert_eq!(app.query.applied, "status:failed");
    let screen = common::tui::screen(&common::tui::draw(&app));
    assert!(
        screen.contains("rows of \"status:unapproved\" from"),
        "{screen}"
    );
    let cmds = feed(&mut app, [key('a')]);
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::Call(Call::Plan { .. }))),
        "{cmds:?}"
    );
    assert!(app.dialog.is_none());
    let said = &said(&app);
    assert!(said.contains("has not answered yet"), "{said}");
    // Back: the new query's rows, and actions again.
    let cmds = feed(&mut app, [key('r')]);
    answer(&mut app, &e, cmds);
    assert!(app.rows_of_another_query().is_none());
}

/// A group whose children are all final is not read again on each idle
/// refresh (it cannot change); one with work in flight is, and `r`
/// reads either.
#[test]
fn a_settled_group_is_not_read_again_while_idle() {
    let e = engine();
    let mut app = loaded(&e);
    let mut cmds = typed(&mut app, "/id:110");
    cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
    answer(&mut app, &e, cmds);
    assert_eq!(app.children.parent, Some(110));
    assert!(!app.children.rows.is_empty());
    assert!(
        app.children
            .rows
            .iter()
            .all(|c| c.status().is_some_and(|s| s.is_final()))
    );
    let children_reads = |app: &mut App, events: Vec<Event>| {
        let asked = std::cell::Cell::new(0);
        for event in events {
            app.clock.now += chrono::Duration::seconds(5);
            let cmds = update(app, event);
            common::tui::drive(app, common::tui::backend_of(&e).as_ref(), cmds, |c| {
                if matches!(c, Command::Call(Call::FetchChildren { .. })) {
                    asked.set(asked.get() + 1);
                }
                common::tui::is_read(c)
            });
        }
        asked.get()
    };
    let idle = vec![Event::RefreshDue; 6];
    assert_eq!(
        children_reads(&mut app, idle),
        0,
        "idle refreshes read a settled group"
    );
    assert_eq!(children_reads(&mut app, vec![key('r')]), 1, "r reads it");
    assert!(!app.children.rows.is_empty());

    // A group with children in flight is read on each refresh.
    let moving = moving_group(&e);
    let mut cmds = typed(&mut app, "/");
    cmds.extend(feed(&mut app, (0..20).map(|_| code(KeyCode::Backspace))));
    cmds.extend(typed(&mut app, &format!("id:{moving}")));
    cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
    answer(&mut app, &e, cmds);
    assert_eq!(app.children.parent, Some(moving));
    assert_eq!(children_reads(&mut app, vec![Event::RefreshDue; 2]), 2);
}

/// A slow server: a group's children still loading are not asked for
/// again by the refresh (the newer read would stop the one under way, and
/// a read slower than the refresh would never end); they are once it came.
#[test]
fn children_still_loading_are_not_asked_again_by_a_refresh() {
    let e = engine();
    let mut app = loaded(&e);
    let moving = moving_group(&e);
    let mut cmds = typed(&mut app, &format!("/id:{moving}"));
    cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
    // The list answers; its children's read is left out, as if slow.
    let rest = common::tui::drive(&mut app, common::tui::backend_of(&e).as_ref(), cmds, |c| {
        !matches!(c, Command::Call(Call::FetchChildren { .. })) && common::tui::is_read(c)
    });
    assert_eq!(app.children.parent, Some(moving));
    assert!(app.children.loading);
    let asked = |cmds: &[Command]| {
        cmds.iter()
            .filter(|c| matches!(c, Command::Call(Call::FetchChildren { .. })))
            .count()
    };
    assert_eq!(asked(&rest), 1, "the first read is still out");
    let refresh = feed(&mut app, [Event::RefreshDue, Event::RefreshDue]);
    assert_eq!(asked(&refresh), 0, "a refresh waits for it");
    answer(&mut app, &e, rest);
    assert!(!app.children.loading);
    assert_eq!(
        asked(&feed(&mut app, [Event::RefreshDue])),
        1,
        "then reads again"
    );
}

/// A group with children still moving in the small dataset.
fn moving_group(e: &Engine) -> u64 {
    e.activities(
        "type:ActivityGroup NOT status:succeeded NOT status:failed NOT status:canceled",
        1,
        0,
    )
    .unwrap()
    .results[0]
        .id
}

/// `A` (all children / only matching) keeps the selected child, not its
/// place in the pane (issue 42).
#[test]
fn showing_all_children_keeps_the_selected_child() {
    let e = Engine::from_dataset_str(&common::rollout(3, 2, 5)).unwrap();
    let mut app = loaded(&e);
    let mut cmds = typed(&mut app, "/status:failed");
    cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
    answer(&mut app, &e, cmds);
    while app.list.selected_row().unwrap().id != 500 {
        let cmds = feed(&mut app, [key('j')]);
        answer(&mut app, &e, cmds);
    }
    let cmds = feed(&mut app, [code(KeyCode::Tab)]);
    answer(&mut app, &e, cmds);
    assert_eq!(app.screen.focus, Pane::Children);
    assert_eq!(app.children.rows.len(), 3, "the failed ones");
    let cmds = feed(&mut app, [key('j')]);
    answer(&mut app, &e, cmds);
    let picked = app.children.rows[app.children.selected].id;
    let cmds = feed(&mut app, [key('A')]);
    answer(&mut app, &e, cmds);
    assert_eq!(app.children.rows.len(), 10, "all of them");
    let at = app
        .children
        .rows
        .iter()
        .position(|a| a.id == picked)
        .unwrap();
    assert_ne!(at, 1, "a place that differs, so the test can tell");
    assert_eq!(app.children.rows[app.children.selected].id, picked);
    let cmds = feed(&mut app, [key('A')]);
    answer(&mut app, &e, cmds);
    assert_eq!(
        app.children.rows[app.children.selected].id, picked,
        "and back"
    );
}
