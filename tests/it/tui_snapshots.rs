//! Whole screens of the dashboard's main states on the small dataset, with
//! the engine's frozen clock, at 80×24, 160×45 and 200×50. A change to any
//! of them shows up as a snapshot diff: review with `cargo insta review`.

use crate::common;

use common::tui::{code, draw, feed, key, loaded, screen, small_engine, typed};
use landscape_tui::backend::action_plan;
use landscape_tui::engine::Engine;
use landscape_tui::model::ActionKind;
use landscape_tui::model::scope::Scope;
use landscape_tui::tui::app::App;
use landscape_tui::tui::event::{Command, Event};
use landscape_tui::tui::update::update;
use ratatui::crossterm::event::KeyCode;

const SIZES: [(u16, u16); 3] = [(80, 24), (160, 45), (200, 50)];

/// Answers the dry runs a confirmation waits for, and the reads.
fn settle(app: &mut App, engine: &Engine, commands: Vec<Command>) {
    // Dry runs change nothing: a scratch copy answers them.
    let mut scratch = engine.clone();
    common::tui::answer_actions(app, &mut scratch, commands);
}

/// The app after `steps`, at `size`.
fn state(size: (u16, u16), steps: impl Fn(&mut App, &Engine)) -> String {
    let engine = small_engine();
    let mut app = loaded(&engine, size);
    steps(&mut app, &engine);
    screen(&draw(&app))
}

fn check(name: &str, steps: impl Fn(&mut App, &Engine)) {
    for size in SIZES {
        let text = state(size, &steps);
        // The names and place the files had when this was its own test binary.
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("tui_snapshots__{name}_{}x{}", size.0, size.1), text);
        });
    }
}

#[test]
fn the_list() {
    check("list", |_, _| {});
}

#[test]
fn a_parent_open_on_its_children() {
    check("children", |app, engine| {
        let c = feed(app, [code(KeyCode::Enter)]);
        settle(app, engine, c);
    });
}

#[test]
fn the_detail_pane() {
    check("detail", |app, engine| {
        let c = feed(app, [code(KeyCode::Enter), code(KeyCode::Tab)]);
        settle(app, engine, c);
    });
}

#[test]
fn a_confirmation_with_what_changes_and_what_is_refused() {
    check("confirm", |app, engine| {
        let mut c = typed(app, "/status:unapproved");
        c.extend(feed(app, [code(KeyCode::Enter)]));
        settle(app, engine, c);
        let c = feed(app, [code(KeyCode::Enter), key('A'), key('a')]);
        settle(app, engine, c);
    });
}

/// The operator's keys, through the config as the binary reads it.
fn remapped(app: &mut App) {
    let config = landscape_tui::config::Config::parse(
        "[keys]\nconfirm = [\"Y\", \"f2\"]\nclose = [\"N\", \"esc\"]\napprove = \"ctrl-a\"\nedit-query = \"f3\"\n",
    )
    .unwrap();
    let settings = landscape_tui::settings::Settings::from_config(&config, false).unwrap();
    app.prefs.keymap = settings.keymap;
}

/// Approving the unapproved group's children, every key the operator's.
fn approve_under_remapped_keys(app: &mut App, engine: &Engine) {
    remapped(app);
    let mut c = feed(app, [code(KeyCode::F(3))]);
    c.extend(typed(app, "status:unapproved"));
    c.extend(feed(app, [code(KeyCode::Enter)]));
    settle(app, engine, c);
    let ctrl_a = Event::Key(ratatui::crossterm::event::KeyEvent::new(
        KeyCode::Char('a'),
        ratatui::crossterm::event::KeyModifiers::CONTROL,
    ));
    let c = feed(app, [code(KeyCode::Enter), key('A'), ctrl_a]);
    settle(app, engine, c);
}

#[test]
fn a_confirmation_under_the_operators_keys() {
    // Every key on the screen is the operator's: the query bar's and the
    // dialog's.
    check("confirm_remapped", approve_under_remapped_keys);
    // And the keys it names are the keys that work.
    let engine = small_engine();
    let mut app = loaded(&engine, (120, 40));
    approve_under_remapped_keys(&mut app, &engine);
    let text = screen(&draw(&app));
    assert!(text.contains("Y / F2 approve"), "{text}");
    assert!(text.contains("N / Esc abort"), "{text}");
    assert!(!text.contains("n / Esc"), "{text}");
    feed(&mut app, [key('n')]);
    assert!(app.dialog.is_some(), "n is no longer a key of the dialog");
    feed(&mut app, [key('N')]);
    assert!(app.dialog.is_none(), "N closes it, as the dialog says");
}

#[test]
fn a_refusal_popup() {
    check("refusals", |app, engine| {
        // What the engine says when asked to approve finished activities.
        let backend = common::tui::backend_of(engine);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let scope = Scope::every_match("status:succeeded");
        let report = rt.block_on(async {
            let plan = action_plan::plan(backend.as_ref(), ActionKind::Approve, &scope)
                .await
                .unwrap();
            action_plan::carry_out(backend.as_ref(), &plan, false).await
        });
        assert!(!report.refusals.is_empty());
        let c = update(app, Event::ActionDone(report));
        settle(app, engine, c);
    });
}

#[test]
fn an_error_in_the_query() {
    check("query_error", |app, _| {
        typed(app, "/status:faild computer:tag:web");
    });
}

#[test]
fn the_help() {
    check("help", |app, _| {
        feed(app, [key('?')]);
    });
}

#[test]
fn sorted_by_type() {
    check("sorted_by_type", |app, engine| {
        let c = feed(app, [key('s'), key('s')]);
        settle(app, engine, c);
    });
}

#[test]
fn a_saved_view() {
    check("view_needs_approval", |app, engine| {
        let c = feed(app, [key('1')]);
        settle(app, engine, c);
    });
}

#[test]
fn the_detail_zoomed_with_a_search() {
    check("detail_zoomed_search", |app, engine| {
        // The failed child of the nginx install: its result and changes.
        let c = feed(app, [key('/')]);
        settle(app, engine, c);
        typed(app, "id:112");
        let c = feed(app, [code(KeyCode::Enter)]);
        settle(app, engine, c);
        let c = feed(app, [code(KeyCode::Enter)]);
        settle(app, engine, c);
        feed(app, [key('f')]);
        typed(app, "nginx");
        feed(app, [code(KeyCode::Enter)]);
    });
}

#[test]
fn the_command_line_completing() {
    check("command_line", |app, _| {
        feed(app, [key(':')]);
        typed(app, "sort ");
    });
}

#[test]
fn the_mono_theme() {
    // Text as any theme draws it; no colour anywhere (see tui_daily).
    check("mono", |app, _| {
        let mut looks = app.prefs.looks.clone();
        looks.theme_name = "mono".into();
        app.prefs.set_looks(looks);
        feed(app, [key('?')]);
    });
}

/// `check` on the generated demo (many kinds of failure, store kiosks
/// offline), at the sizes the triage screens are judged at.
fn check_demo(name: &str, steps: impl Fn(&mut App, &Engine)) {
    for size in [(80, 24), (160, 45)] {
        let engine = common::demo(7, 40, 3_000);
        let mut app = loaded(&engine, size);
        steps(&mut app, &engine);
        let text = screen(&draw(&app));
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("tui_snapshots__{name}_{}x{}", size.0, size.1), text);
        });
    }
}

#[test]
fn the_failure_clusters() {
    check_demo("clusters", |app, engine| {
        let c = feed(app, [key('F')]);
        settle(app, engine, c);
    });
}

#[test]
fn a_cluster_s_computers() {
    check_demo("clusters_computers", |app, engine| {
        let c = feed(app, [key('F')]);
        settle(app, engine, c);
        feed(app, [code(KeyCode::Tab), code(KeyCode::Down)]);
    });
}

#[test]
fn why_a_group_on_offline_kiosks_waits() {
    check_demo("waiting", |app, engine| {
        let mut c = typed(app, "/computer:tag:kiosk status:undelivered");
        c.extend(feed(app, [code(KeyCode::Enter)]));
        settle(app, engine, c);
        let c = feed(app, [code(KeyCode::Enter), code(KeyCode::Tab)]);
        settle(app, engine, c);
    });
}

#[test]
fn the_health_picture() {
    check_demo("health", |app, engine| {
        let c = feed(app, [key('H')]);
        settle(app, engine, c);
    });
}

#[test]
fn columns_of_the_operators_choosing() {
    check_demo("columns", |app, engine| {
        let mut c = typed(
            app,
            ":columns status id created-at duration creator computer summary",
        );
        c.extend(feed(app, [code(KeyCode::Enter)]));
        settle(app, engine, c);
    });
}
