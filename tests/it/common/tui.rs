//! The dashboard without a terminal: an app on the small dataset, events
//! fed to the pure update, commands answered from an engine the way the
//! runtime's tasks would, screens drawn on ratatui's `TestBackend`.

use landscape_tui::backend::engine::{EngineBackend, EngineOptions};
use landscape_tui::backend::{Backend, BackendInfo};
use landscape_tui::engine::Engine;
use landscape_tui::tui::app::App;
use landscape_tui::tui::event::{Call, Command, Event};
use landscape_tui::tui::update::{start, update};
use landscape_tui::tui::{answer, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The hand-written small dataset, frozen.
pub fn small_engine() -> Engine {
    Engine::from_dataset_str(&super::dataset()).unwrap()
}

/// A fresh app for the embedded demo at `size`, its clock at the engine's.
pub fn app(engine: &Engine, size: (u16, u16)) -> App {
    let mut app = App::new(BackendInfo::embedded_engine(), false, vec![]);
    app.screen.size = size;
    // Screens are a function of the state: "5m ago" is measured from here.
    app.clock.now = engine.now();
    app
}

/// An app that has started and had its first answers (pages, children,
/// the vocabulary for completion).
pub fn loaded(engine: &Engine, size: (u16, u16)) -> App {
    let mut app = app(engine, size);
    let commands = start(&mut app);
    for c in answer(&mut app, engine, commands) {
        if c == Command::Call(Call::FetchVocabulary) {
            let computers = engine.computers().cloned().collect();
            update(
                &mut app,
                Event::Vocabulary(Ok((engine.completion_values(), computers))),
            );
        }
    }
    app
}

pub fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn code(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Events as an operator sends them: each key deliberate, a while after
/// the last (so no two are a burst of typing and a confirmation's key
/// counts), and a confirm key left alone until it is carried out.
pub fn feed(app: &mut App, events: impl IntoIterator<Item = Event>) -> Vec<Command> {
    let mut out = Vec::new();
    for e in events {
        if matches!(e, Event::Key(_)) {
            deliberate(app);
        }
        out.extend(update(app, e));
        if app.input.typing.holding() {
            // No key follows: the held key runs.
            app.clock.now += chrono::Duration::seconds(1);
            out.extend(update(app, Event::Tick));
            app.clock.now -= chrono::Duration::seconds(1);
        }
        if let Some(armed) = app.input.gate.armed {
            app.input.gate.armed = Some(armed - chrono::Duration::hours(1));
            out.extend(update(app, Event::Tick));
        }
    }
    out
}

/// The state of an operator who has waited: no burst, no recent key,
/// a confirmation on screen long enough. (The clock itself is left
/// alone: screens show times relative to it.)
pub fn deliberate(app: &mut App) {
    app.input.typing = Default::default();
    if let Some(opened) = app.input.gate.opened {
        app.input.gate.opened = Some(opened - chrono::Duration::hours(1));
    }
}

pub fn typed(app: &mut App, text: &str) -> Vec<Command> {
    feed(app, text.chars().map(key))
}

/// Runs `line` on the `:` command line: what its Enter asks for.
pub fn command(app: &mut App, line: &str) -> Vec<Command> {
    feed(app, [key(':')]);
    typed(app, line);
    feed(app, [code(KeyCode::Enter)])
}

/// Answers the commands `answered` picks from `backend`, through the
/// runtime's own mapping ([`landscape_tui::tui::answer`]), and those their
/// answers cause; returns the other commands.
pub fn drive(
    app: &mut App,
    backend: &dyn Backend,
    mut commands: Vec<Command>,
    answered: impl Fn(&Command) -> bool,
) -> Vec<Command> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut rest = Vec::new();
    while !commands.is_empty() {
        let mut next = Vec::new();
        for c in commands.drain(..) {
            if !answered(&c) {
                rest.push(c);
                continue;
            }
            if let Command::Call(call) = c
                && let Some(event) = rt.block_on(answer::answer(backend, call))
            {
                next.extend(update(app, event));
            }
        }
        commands = next;
    }
    rest
}

pub fn is_read(c: &Command) -> bool {
    matches!(
        c,
        Command::Call(Call::FetchList { .. })
            | Command::Call(Call::FetchChildren { .. })
            | Command::Call(Call::FetchOwnChildren { .. })
            | Command::Call(Call::FetchTitles { .. })
            | Command::Call(Call::FetchComputers(_))
            | Command::Call(Call::FetchClusters { .. })
            | Command::Call(Call::FetchHealth { .. })
            | Command::Call(Call::FetchServerEvents)
    )
}

/// Answers list pages and children from `engine`, also those the answers
/// cause, as the runtime's tasks would; returns the other commands.
pub fn answer(app: &mut App, engine: &Engine, commands: Vec<Command>) -> Vec<Command> {
    drive(app, backend_of(engine).as_ref(), commands, is_read)
}

pub fn draw(app: &App) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(app.screen.size.0, app.screen.size.1)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    t
}

/// The screen's text, a line per row.
pub fn screen(t: &Terminal<TestBackend>) -> String {
    let b = t.backend().buffer();
    let mut s = String::new();
    for y in 0..b.area.height {
        for x in 0..b.area.width {
            s.push_str(b.cell((x, y)).map_or(" ", |c| c.symbol()));
        }
        s.push('\n');
    }
    s
}

/// The engine as the runtime's backend (frozen): what the action
/// commands are answered by.
pub fn backend_of(engine: &Engine) -> std::sync::Arc<EngineBackend> {
    let options = EngineOptions {
        frozen: true,
        ..EngineOptions::default()
    };
    EngineBackend::new(engine.clone(), options)
}

/// Answers the action commands (the dry run and the action itself) as the
/// runtime's tasks would, through the engine as a backend, and the list
/// and children pages they cause; `engine` takes what the action changed.
/// Returns the other commands.
pub fn answer_actions(app: &mut App, engine: &mut Engine, commands: Vec<Command>) -> Vec<Command> {
    let backend = backend_of(engine);
    let rest = drive(app, backend.as_ref(), commands, |c| {
        is_read(c)
            || matches!(
                c,
                Command::Call(Call::Plan { .. }) | Command::Call(Call::CarryOut { .. })
            )
    });
    *engine = backend.read().clone();
    rest
}

/// A dashboard on a server at `label`, as the runtime makes one.
pub fn remote_app(label: &str, size: (u16, u16)) -> App {
    let mut app = App::new(
        landscape_tui::backend::BackendInfo {
            label: label.to_owned(),
            embedded: false,
            sends_action_flags: true,
            sorts_every_column: false,
            unverified_tls: false,
            servers: Vec::new(),
        },
        false,
        vec![],
    );
    app.screen.size = size;
    app
}

/// Runs the dashboard's commands against `backend` until none are left,
/// through the runtime's own mapping, on the test's runtime.
pub async fn drive_remote(app: &mut App, backend: &dyn Backend, mut commands: Vec<Command>) {
    while let Some(c) = commands.pop() {
        if let Command::Call(call) = c
            && let Some(event) = answer::answer(backend, call).await
        {
            commands.extend(update(app, event));
        }
    }
}

/// What the status line says now ("" when it says nothing).
pub fn said(app: &App) -> &str {
    app.status.message.as_ref().map_or("", |m| m.text.as_str())
}
