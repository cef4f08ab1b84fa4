//! `:rollout` and `:rollouts` in the dashboard, driven through `update`
//! against the engine with a stepped clock: each wave is the ordinary
//! confirmation (or, `--auto`, goes ahead), a wave's end and a stop are
//! told, a crossed gate leaves the rest unapproved until the operator
//! goes on, a declined wave pauses, and the rollouts survive a restart.

use crate::common;

use common::tui::{backend_of, code, command, draw, drive, feed, key, loaded, said, screen};
use landscape_tui::backend::engine::EngineBackend;
use landscape_tui::engine::Engine;
use landscape_tui::model::ActivityStatus;
use landscape_tui::tui::app::{App, Dialog};
use landscape_tui::tui::event::{Command, Effect, Event};
use landscape_tui::tui::update::update;
use ratatui::crossterm::event::KeyCode;

use crate::rollout_cli::seeds;
use crate::rollout_law::fleet;

fn unapproved(backend: &EngineBackend) -> usize {
    let e = backend.read();
    (501..521)
        .filter(|id| e.activity(*id).unwrap().status() == Some(&ActivityStatus::Unapproved))
        .count()
}

/// The dashboard on group 500 of `fleet(20, 20, seed)`, its row selected.
fn on_group(seed: u64) -> (App, std::sync::Arc<EngineBackend>) {
    let engine = Engine::from_dataset_str(&fleet(20, 20, seed)).unwrap();
    let backend = backend_of(&engine);
    let mut app = loaded(&engine, (100, 30));
    while app.list.selected_row().unwrap().id != 500 {
        feed(&mut app, [key('j')]);
    }
    (app, backend)
}

/// Answers every call; the effects left (saves, notices, the log).
fn run(app: &mut App, backend: &EngineBackend, commands: Vec<Command>) -> Vec<Command> {
    drive(app, backend, commands, |c| matches!(c, Command::Call(_)))
}

/// A day of the engine's clock, then a refresh: what it leaves.
fn a_day_later(app: &mut App, backend: &EngineBackend) -> Vec<Command> {
    backend.write().step(chrono::Duration::days(1));
    app.clock.now = backend.read().now();
    let out = update(app, Event::RefreshDue);
    run(app, backend, out)
}

fn confirm_shows(app: &App) -> (String, u64) {
    match &app.dialog {
        Some(Dialog::Confirm(c)) => (c.picked.clone(), c.plan.as_ref().unwrap().changes()),
        other => panic!("no confirmation: {other:?}"),
    }
}

#[test]
fn each_wave_is_confirmed_and_a_crossed_gate_waits_for_the_operator() {
    let (failing, _) = seeds();
    let (mut app, backend) = on_group(failing);
    let out = command(&mut app, "rollout 50% --gate failed<=0");
    run(&mut app, &backend, out);
    let (picked, changes) = confirm_shows(&app);
    assert_eq!(changes, 10, "wave 1 is half");
    assert!(picked.starts_with("rollout 1 wave 1/2 (50%)"), "{picked}");
    assert_eq!(unapproved(&backend), 20, "nothing before the yes");

    let out = feed(&mut app, [key('y')]);
    run(&mut app, &backend, out);
    assert_eq!(unapproved(&backend), 10);
    // Not final yet: the next wave waits (no dialog), whatever refreshes.
    let out = update(&mut app, Event::RefreshDue);
    run(&mut app, &backend, out);
    assert!(app.dialog.is_none());

    let effects = a_day_later(&mut app, &backend);
    assert!(
        said(&app).contains("stopped after wave 1/2"),
        "{}",
        said(&app)
    );
    assert!(said(&app).contains("10 left unapproved"), "{}", said(&app));
    assert!(effects.iter().any(|c| matches!(c, Command::Effect(Effect::Notify(t)) if t.contains("crosses the gate failed<=0"))));
    assert!(
        effects
            .iter()
            .any(|c| matches!(c, Command::Effect(Effect::LogAction(r)) if r.action == "rollout"))
    );
    assert!(app.dialog.is_none(), "a crossed gate asks for nothing");
    let out = update(&mut app, Event::RefreshDue);
    run(&mut app, &backend, out);
    assert_eq!(unapproved(&backend), 10, "the rest stays unapproved");

    command(&mut app, "rollouts");
    let text = screen(&draw(&app));
    assert!(text.contains("Rollouts"), "{text}");
    assert!(text.contains("CROSSED"), "{text}");
    assert!(text.contains("10/10 final"), "{text}");
    // Going on asks for the next wave with the usual confirmation.
    let out = feed(&mut app, [key('a')]);
    run(&mut app, &backend, out);
    let (picked, changes) = confirm_shows(&app);
    assert_eq!(changes, 10);
    assert!(picked.starts_with("rollout 1 wave 2/2 (100%)"), "{picked}");
    let out = feed(&mut app, [key('y')]);
    run(&mut app, &backend, out);
    assert_eq!(unapproved(&backend), 0);
    a_day_later(&mut app, &backend);
    // The gate is read after every wave, the last one too.
    assert!(
        said(&app).contains("every wave released: "),
        "{}",
        said(&app)
    );
    assert!(app.rollouts.list[0].ended.is_some());
}

#[test]
fn a_declined_wave_pauses_the_rollout_until_resumed() {
    let (_, clean) = seeds();
    let (mut app, backend) = on_group(clean);
    let out = command(&mut app, "rollout 25%");
    run(&mut app, &backend, out);
    confirm_shows(&app);
    feed(&mut app, [code(KeyCode::Esc)]);
    let out = update(&mut app, Event::RefreshDue);
    run(&mut app, &backend, out);
    assert!(
        said(&app).contains("not approved: paused"),
        "{}",
        said(&app)
    );
    assert!(app.dialog.is_none());
    let out = update(&mut app, Event::RefreshDue);
    run(&mut app, &backend, out);
    assert!(app.dialog.is_none(), "paused: nothing asked");
    assert_eq!(unapproved(&backend), 20);
    command(&mut app, "rollouts");
    assert!(screen(&draw(&app)).contains("paused before wave 1/2"));
    let out = feed(&mut app, [key('p')]);
    run(&mut app, &backend, out);
    assert!(
        matches!(app.dialog, Some(Dialog::Rollouts(_))),
        "the wave waits for the popup"
    );
    feed(&mut app, [code(KeyCode::Esc)]);
    let out = update(&mut app, Event::RefreshDue);
    run(&mut app, &backend, out);
    assert_eq!(confirm_shows(&app).1, 5, "resumed: wave 1 asks again");
}

#[test]
fn an_auto_rollout_releases_its_waves_without_asking_and_is_kept_across_a_restart() {
    let (_, clean) = seeds();
    let (mut app, backend) = on_group(clean);
    let out = command(&mut app, "rollout 25%,50% --auto");
    let mut effects = run(&mut app, &backend, out);
    assert!(app.dialog.is_none());
    assert_eq!(unapproved(&backend), 15, "wave 1 went ahead");
    for _ in 0..3 {
        effects.extend(a_day_later(&mut app, &backend));
    }
    assert_eq!(unapproved(&backend), 0);
    assert!(
        said(&app).contains("done: 20 of 20 released in 3 waves"),
        "{}",
        said(&app)
    );
    let told: Vec<&str> = effects
        .iter()
        .filter_map(|c| match c {
            Command::Effect(Effect::Notify(t)) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        told.iter()
            .any(|t| t.contains("wave 1/3 final: 0 failed of 5")),
        "{told:?}"
    );
    assert!(
        told.iter()
            .any(|t| t.contains("wave 2/3 final: 0 failed of 10")),
        "{told:?}"
    );

    // What was saved last is what a restart loads.
    let saved = effects
        .iter()
        .rev()
        .find_map(|c| match c {
            Command::Effect(Effect::SaveRollouts(list)) => Some(list.clone()),
            _ => None,
        })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rollouts.json");
    landscape_tui::tui::kept::save(&path, &saved).unwrap();
    let back: Vec<landscape_tui::tui::rollouts::Tracked> =
        landscape_tui::tui::kept::load(Some(&path));
    assert_eq!(back, saved);
    assert_eq!(
        back[0].ended.as_deref(),
        app.rollouts.list[0].ended.as_deref()
    );
}

/// On Landscape's own routes (`/top-level` hidden), a rollout's refreshes
/// cost what it has running, not its set: a wave of 5 running costs the
/// same requests a refresh whether the group has 40 children or 400.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollout_costs_what_runs_not_its_set() {
    use crate::common::proxy::{Hide, Proxy};
    use common::tui::{drive_remote, remote_app, typed};
    use landscape_tui::backend::remote::{ApiChoice, RemoteBackend};
    use landscape_tui::tui::update::start;
    let mut costs = Vec::new();
    for n in [40, 400] {
        let engine = Engine::from_dataset_str(&fleet(n, n, 3)).unwrap();
        let s = common::TestServer::start_with(common::frozen(engine)).await;
        let proxy = Proxy::start(&s.base, Hide::TopLevel, std::time::Duration::ZERO).await;
        let remote =
            RemoteBackend::new(s.access_key_options(&proxy.base, ApiChoice::Rest)).unwrap();
        let mut app = remote_app(&proxy.base, (160, 40));
        let cmds = start(&mut app);
        drive_remote(&mut app, remote.as_ref(), cmds).await;
        let mut cmds = typed(&mut app, "/id:500");
        cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
        drive_remote(&mut app, remote.as_ref(), cmds).await;
        let cmds = command(&mut app, "rollout 5 --auto");
        drive_remote(&mut app, remote.as_ref(), cmds).await;
        let released = s
            .backend
            .read()
            .activities("parent-id:500 NOT status:unapproved", 0, 0)
            .unwrap()
            .count;
        assert_eq!(released, 5, "wave 1 went ahead");
        proxy.reset();
        for _ in 0..6 {
            app.clock.now += chrono::Duration::seconds(5);
            let cmds = update(&mut app, Event::RefreshDue);
            drive_remote(&mut app, remote.as_ref(), cmds).await;
        }
        // The wave's five, by id, once a refresh (501: computer 1's, first).
        let looks = proxy
            .log()
            .iter()
            .filter(|l| l.contains("query=id%3A501+OR+id%3A"))
            .count();
        assert_eq!(looks, 6, "{:?}", proxy.log());
        costs.push(proxy.requests());
    }
    assert_eq!(
        costs[0], costs[1],
        "40 and 400 children cost the same refreshes"
    );
}

/// A group whose summary is hostile (a leading '-', `$(…)`, quotes, an
/// escape sequence, bidi, a megabyte): a rollout of it tells and shows it
/// as data. The terminal's notification carries no control of the
/// summary's and is bounded; the panel draws no escape or raw bidi; the
/// action log keeps the text as it is.
#[test]
fn a_hostile_summary_stays_data_in_the_rollouts_notices_and_panel() {
    use landscape_tui::tui::notify::Notify;
    let (_, clean) = seeds();
    let hostile = format!(
        "-rf $(reboot) \"q\" 'x' \u{1b}]0;pwned\u{7} \u{202e}evil {}",
        "A".repeat(1 << 20)
    );
    let mut data: serde_json::Value = serde_json::from_str(&fleet(20, 20, clean)).unwrap();
    for a in data["activities"].as_array_mut().unwrap() {
        if a["id"] == 500 {
            a["summary"] = hostile.clone().into();
        }
    }
    let engine = Engine::from_dataset_str(&data.to_string()).unwrap();
    let backend = backend_of(&engine);
    let mut app = loaded(&engine, (100, 30));
    while app.list.selected_row().unwrap().id != 500 {
        feed(&mut app, [key('j')]);
    }
    let out = command(&mut app, "rollout 25% --auto");
    let mut effects = run(&mut app, &backend, out);
    for _ in 0..2 {
        effects.extend(a_day_later(&mut app, &backend));
    }
    assert!(said(&app).contains("done: 20 of 20"), "{}", said(&app));
    let mut told = 0;
    for c in &effects {
        match c {
            Command::Effect(Effect::Notify(text)) => {
                told += 1;
                let seq = Notify::Osc9.sequence(text);
                assert_eq!(
                    seq.matches('\u{1b}').count(),
                    1,
                    "only the frame's: {seq:?}"
                );
                assert_eq!(seq.matches('\u{7}').count(), 1, "{seq:?}");
                assert!(!seq.contains('\u{202e}'), "{seq:?}");
                assert!(seq.len() < 300, "bounded: {}", seq.len());
            }
            Command::Effect(Effect::LogAction(r)) if r.action == "rollout" => {
                assert!(r.picked.contains("$(reboot)"), "kept as written");
            }
            _ => {}
        }
    }
    assert!(told >= 2, "the wave and the end were told");
    command(&mut app, "rollouts");
    let text = screen(&draw(&app));
    assert!(text.contains("Rollouts"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text}"
    );
}
