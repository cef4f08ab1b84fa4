//! Typing never acts: an operator who forgets `/` and types a query (or
//! any text) into the list, at a typist's pace, then presses Enter,
//! carries out nothing and runs nothing, whatever the text; the same
//! with the approve dialog already open. The clock is the state's, so
//! the pace is exact.

use crate::common;

use chrono::Duration;
use common::tui::{backend_of, code, deliberate, drive, is_read, key, loaded, small_engine};
use landscape_tui::engine::Engine;
use landscape_tui::tui::app::{App, Dialog};
use landscape_tui::tui::event::{Call, Command, Effect, Event};
use landscape_tui::tui::update::update;
use proptest::prelude::*;
use ratatui::crossterm::event::KeyCode;

/// Reads and dry runs are answered; what acts is left for the test.
fn answered(c: &Command) -> bool {
    is_read(c) || matches!(c, Command::Call(Call::Plan { .. }))
}

fn acts(c: &Command) -> bool {
    matches!(
        c,
        Command::Call(Call::CarryOut { .. })
            | Command::Effect(Effect::RunUserCommand { .. })
            | Command::Call(Call::FetchCommandComputer { .. })
            | Command::Effect(Effect::OpenUrl(_))
    )
}

/// The operator's own commands on letters that words are made of.
fn with_commands(app: &mut App) {
    let mut config = String::new();
    for key in ["t", "i", "d", "X"] {
        config.push_str(&format!(
            "[[commands]]\nkey = \"{key}\"\nname = \"run-{key}\"\nrun = \"true\"\nmode = \"background\"\n"
        ));
    }
    let config = landscape_tui::config::Config::parse(&config).unwrap();
    let settings = landscape_tui::settings::Settings::from_config(&config, false).unwrap();
    app.prefs.set_looks(settings.looks);
}

/// `event` `after_ms` after the last, its reads and dry runs answered:
/// what is left (what would act).
fn step(
    app: &mut App,
    backend: &landscape_tui::backend::engine::EngineBackend,
    event: Event,
    after_ms: i64,
) -> Vec<Command> {
    app.clock.now += Duration::milliseconds(after_ms);
    let cmds = update(app, event);
    drive(app, backend, cmds, answered)
}

/// `text` typed at `gaps` (ms) a key, the runtime's ticks between, then
/// Enter and a few quiet seconds: every command that would act.
fn typed_at_pace(app: &mut App, engine: &Engine, text: &str, gaps: &[i64]) -> Vec<Command> {
    let backend = backend_of(engine);
    let mut acted = Vec::new();
    let mut step = |app: &mut App, event: Event, after_ms: i64| {
        app.clock.now += Duration::milliseconds(after_ms);
        let cmds = update(app, event);
        let left = drive(app, backend.as_ref(), cmds, answered);
        acted.extend(left.into_iter().filter(acts));
    };
    for (i, c) in text.chars().enumerate() {
        let gap = gaps[i % gaps.len()];
        // The runtime ticks every 300 ms while something moves.
        step(app, Event::Tick, gap / 2);
        step(app, key(c), gap - gap / 2);
    }
    step(app, code(KeyCode::Enter), gaps[0]);
    for _ in 0..10 {
        step(app, Event::Tick, 300);
    }
    acted
}

/// The small dataset under `status:unapproved`, deliberately, so that
/// approve has work to do.
fn unapproved(open_dialog: bool) -> (App, Engine) {
    let engine = small_engine();
    let mut app = loaded(&engine, (120, 40));
    with_commands(&mut app);
    let mut cmds = common::tui::typed(&mut app, "/status:unapproved");
    cmds.extend(common::tui::feed(&mut app, [code(KeyCode::Enter)]));
    common::tui::answer(&mut app, &engine, cmds);
    if open_dialog {
        let cmds = common::tui::feed(&mut app, [key('a')]);
        drive(&mut app, backend_of(&engine).as_ref(), cmds, answered);
        assert!(matches!(&app.dialog, Some(Dialog::Confirm(c)) if c.plan.is_some()));
    }
    // The operator has looked for a while before typing.
    deliberate(&mut app);
    app.clock.now += Duration::seconds(5);
    (app, engine)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn text_typed_into_the_list_then_enter_acts_on_nothing(
        text in "[ -~]{1,24}",
        gaps in prop::collection::vec(30i64..=200, 1..8),
        open_dialog in any::<bool>(),
    ) {
        let (mut app, engine) = unapproved(open_dialog);
        let acted = typed_at_pace(&mut app, &engine, &text, &gaps);
        prop_assert!(acted.is_empty(), "typing {:?} acted: {:?}", text, acted);
    }
}

/// The two cases, by name: the query retyped without `/`, and
/// `okay`; the text ends up in the query bar.
#[test]
fn a_query_typed_without_slash_goes_to_the_query_bar() {
    for text in ["status:unapproved", "okay"] {
        let (mut app, engine) = unapproved(false);
        let acted = typed_at_pace(&mut app, &engine, text, &[90]);
        assert!(acted.is_empty(), "{text}: {acted:?}");
        assert!(app.dialog.is_none(), "{text}: {:?}", app.dialog);
        assert!(
            app.query.applied.ends_with(&text[2..]),
            "{text}: {}",
            app.query.applied
        );
    }
}

/// A command key pressed on purpose still runs, once no key follows it.
#[test]
fn a_command_key_alone_runs_after_a_moment() {
    let (mut app, engine) = unapproved(false);
    let backend = backend_of(&engine);
    let step = |app: &mut App, event: Event, after_ms: i64| step(app, &backend, event, after_ms);
    assert!(step(&mut app, key('X'), 0).is_empty(), "held first");
    let ran = step(&mut app, Event::Tick, 350);
    assert!(ran.iter().any(acts), "{ran:?}");
}

/// A command key with another key right after it (Enter, `j`) is not
/// run: two keys at once are no deliberate command.
#[test]
fn a_command_key_with_a_key_right_after_is_not_run() {
    for after in [code(KeyCode::Enter), key('j'), key('k')] {
        let (mut app, engine) = unapproved(false);
        let acted = typed_at_pace(&mut app, &engine, "t", &[120]);
        assert!(acted.is_empty(), "{acted:?}");
        let (mut app, engine) = unapproved(false);
        let backend = backend_of(&engine);
        app.clock.now += Duration::milliseconds(10);
        let mut cmds = update(&mut app, key('t'));
        app.clock.now += Duration::milliseconds(100);
        cmds.extend(update(&mut app, after));
        for _ in 0..5 {
            app.clock.now += Duration::milliseconds(300);
            cmds.extend(update(&mut app, Event::Tick));
        }
        let left = drive(&mut app, backend.as_ref(), cmds, answered);
        assert!(!left.iter().any(acts), "{left:?}");
    }
}

/// A deliberate operator still approves: `a`, a look, `y`, and nothing
/// after it: carried out once the key is alone. `y` right after `a`,
/// or a key right after `y`, is not taken, and the dialog says so.
#[test]
fn a_deliberate_key_after_a_look_confirms_and_a_hasty_one_does_not() {
    let (mut app, engine) = unapproved(false);
    let backend = backend_of(&engine);
    let step = |app: &mut App, event: Event, after_ms: i64| step(app, &backend, event, after_ms);
    step(&mut app, key('a'), 0);
    // Within a burst, `y` is typing: the dialog would close. Just past
    // one, it is a key, but too soon to be an answer.
    assert!(step(&mut app, key('y'), 400).is_empty());
    assert!(app.input.gate.held, "a hasty y is held");
    assert!(matches!(app.dialog, Some(Dialog::Confirm(_))));
    assert!(step(&mut app, Event::Tick, 900).is_empty());
    // A look, then y and another key at once: taken back.
    assert!(step(&mut app, key('y'), 700).is_empty());
    assert!(step(&mut app, code(KeyCode::Down), 100).is_empty());
    assert!(step(&mut app, Event::Tick, 900).is_empty());
    assert!(matches!(app.dialog, Some(Dialog::Confirm(_))));
    // Enter is not a confirmation.
    assert!(step(&mut app, code(KeyCode::Enter), 900).is_empty());
    assert!(step(&mut app, Event::Tick, 900).is_empty());
    // y alone after a look: carried out when no key follows.
    assert!(step(&mut app, key('y'), 900).is_empty());
    let done = step(&mut app, Event::Tick, 450);
    assert!(
        done.iter()
            .any(|c| matches!(c, Command::Call(Call::CarryOut { .. }))),
        "{done:?}"
    );
}
