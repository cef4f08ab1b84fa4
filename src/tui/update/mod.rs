//! The pure step: `update(app, event) -> commands`. No terminal, no I/O:
//! requests leave as commands and come back as events. Each file is one
//! room: the keys of a context (`panes`, `editor`, `prompt`, `dialogs`),
//! what they act on (`list`, `marks`, `detail`, `actions`, `profiles`),
//! and the backend's answers (`answers`).

mod actions;
mod answers;
mod clusters;
mod detail;
mod dialogs;
mod editor;
mod health;
mod list;
mod marks;
mod navigation;
mod panes;
mod profiles;
mod prompt;
mod rollouts;
mod start;
mod user_commands;
mod watches;

use ratatui::crossterm::event::{KeyEvent, KeyEventKind};

use super::app::{App, Dialog, Level};
use super::event::{Command, Effect, Event};
use super::keys::{Context, KeyAction};

pub use start::{OpenOn, start, start_on};

pub fn update(app: &mut App, event: Event) -> Vec<Command> {
    let mut out = Vec::new();
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => on_key(app, key, &mut out),
        Event::Key(_) => {}
        Event::Mouse(mouse) => panes::on_mouse(app, mouse, &mut out),
        Event::Resize(w, h) => {
            app.screen.size = (w, h);
            list::keep_visible(app);
        }
        Event::Tick => on_tick(app, &mut out),
        Event::RefreshDue | Event::BackendChanged => {
            if app.dialog.is_none() && !app.clock.paused {
                list::refresh(app, &mut out);
                out.extend(health::when_due(app));
            }
            // Watches are told about in any view, a dialog open or paused;
            // rollouts move on likewise (a wave waits for a free moment).
            watches::look_now(app, &mut out);
            rollouts::advance(app, &mut out);
        }
        Event::NotSaved {
            what,
            error,
            record,
        } => not_saved(app, what, &error, record),
        answer => on_answer(app, answer, &mut out),
    }
    // A confirmation that appeared (a key, or a guard's trip) starts its
    // quiet moment now.
    let confirming = matches!(
        app.dialog,
        Some(Dialog::Confirm(_) | Dialog::SwitchProfile(_) | Dialog::RunCommand(_))
    );
    match (confirming, app.input.gate.opened) {
        (true, None) => app.input.gate.opened = Some(app.clock.now),
        (false, Some(_)) => app.input.gate = Default::default(),
        _ => {}
    }
    out
}

/// The timer: what fades, a confirm key no other key followed, a key
/// held back while typing.
fn on_tick(app: &mut App, out: &mut Vec<Command>) {
    tick(app);
    dialogs::settled(app, out);
    if let Some((key, action)) = app.input.typing.due(app.clock.now)
        && app.dialog.is_none()
        && !app.query.editing
        && app.prompt.kind.is_none()
    {
        panes::on_pane_key(app, key, action, out);
    }
}

/// A file could not be written: said, and what was not written kept.
fn not_saved(
    app: &mut App,
    what: &str,
    error: &str,
    record: Option<Box<crate::backend::action_plan::ActionRecord>>,
) {
    let kept = if let Some(record) = record {
        app.acting.unwritten_log.push(*record);
        "kept here and written with the next entry"
    } else {
        "kept here and written at the next change"
    };
    app.say(
        Level::Error,
        format!("could not write {what} ({error}); {kept}"),
    );
}

/// A backend call's answer, to the room that asked.
fn on_answer(app: &mut App, event: Event, out: &mut Vec<Command>) {
    match event {
        Event::CommandComputerLoaded {
            command,
            values,
            result,
        } => user_commands::computer_loaded(app, command, *values, result, out),
        Event::UserCommandDone { name, result } => user_commands::done(app, &name, result),
        Event::ServerEventsLoaded(result) => dialogs::server_events_loaded(app, result),
        Event::WatchesLooked(result) => watches::looked(app, result, out),
        Event::RolloutSetRead {
            query,
            label,
            spec,
            result,
        } => rollouts::set_read(app, (query, label, spec), result, out),
        Event::RolloutLooked { number, result } => rollouts::looked(app, number, result, out),
        Event::WatchQueryLoaded {
            query,
            guard,
            result,
        } => watches::query_loaded(app, &query, guard, result, out),
        Event::ListLoaded {
            generation,
            offset,
            result,
        } => list::list_loaded(app, generation, offset, result, out),
        Event::ChildrenLoaded { parent, result } => {
            answers::children_loaded(app, parent, result, out)
        }
        Event::OwnChildrenLoaded { generation, result } => {
            list::own_children_loaded(app, generation, result)
        }
        Event::PlanLoaded {
            kind,
            scope,
            result,
        } => actions::plan_loaded(app, kind, &scope, result, out),
        Event::ActionDone(report) => {
            actions::action_done(app, report, out);
            // A rollout's wave read back at once.
            rollouts::advance(app, out);
        }
        Event::InFlightLoaded(result) => answers::in_flight_loaded(app, result),
        Event::OperationsLoaded(result) => answers::operations_loaded(app, result, out),
        Event::OperationsEnded(result) => answers::operations_ended(app, result, out),
        Event::TitlesLoaded(result) => answers::titles_loaded(app, result),
        Event::Exported { path, result } => answers::exported(app, &path, result),
        Event::ProfileSwitched { name, result } => {
            profiles::profile_switched(app, name, result, out)
        }
        Event::Vocabulary(result) => answers::vocabulary(app, result),
        Event::HealthLoaded { generation, result } => {
            health::health_loaded(app, generation, result)
        }
        Event::ComputersLoaded(result) => answers::computers_loaded(app, result),
        Event::ClustersLoaded { generation, result } => {
            clusters::clusters_loaded(app, generation, result, out)
        }
        Event::Key(_)
        | Event::Mouse(_)
        | Event::Resize(..)
        | Event::Tick
        | Event::RefreshDue
        | Event::BackendChanged
        | Event::NotSaved { .. } => {}
    }
}

/// The spinner turns, highlights and messages fade.
fn tick(app: &mut App) {
    app.status.spinner = app.status.spinner.wrapping_add(1);
    app.acting.flash.retain(|_, ticks| {
        *ticks = ticks.saturating_sub(1);
        *ticks > 0
    });
    if let Some(m) = &mut app.status.message {
        m.ttl = m.ttl.saturating_sub(1);
        if m.ttl == 0 {
            app.status.message = None;
        }
    }
}

/// An entry for the action log file, after any a failed write left.
/// Ticks (of 300 ms) a notice stays in the status line: told while the
/// operator may be looking elsewhere, it stays longer than a passing
/// message.
const NOTICE_TICKS: u8 = 60;

/// Tells the operator what `record` says three ways: the status line
/// (for a while), the terminal (a notification) and the action log.
fn tell(
    app: &mut App,
    level: Level,
    record: crate::backend::action_plan::ActionRecord,
    out: &mut Vec<Command>,
) {
    app.say(level, record.outcome.clone());
    if let Some(m) = &mut app.status.message {
        m.ttl = NOTICE_TICKS;
    }
    out.push(Command::Effect(Effect::Notify(record.outcome.clone())));
    app.acting.log.insert(0, record.clone());
    log_action(app, record, out);
}

fn log_action(
    app: &mut App,
    record: crate::backend::action_plan::ActionRecord,
    out: &mut Vec<Command>,
) {
    for earlier in std::mem::take(&mut app.acting.unwritten_log) {
        out.push(Command::Effect(Effect::LogAction(Box::new(earlier))));
    }
    out.push(Command::Effect(Effect::LogAction(Box::new(record))));
}

/// The character a key types, if it types one.
fn printable(key: &KeyEvent) -> Option<char> {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

/// Whether a key reaches outside the dashboard (runs one of the
/// operator's commands, opens a browser): held until it is clearly not
/// the first letter of a word typed by mistake.
fn reaches_out(app: &App, key: &KeyEvent, action: Option<KeyAction>) -> bool {
    printable(key).is_some()
        && match action {
            Some(a) => a == KeyAction::OpenInWebUi,
            None => app.prefs.looks.commands.iter().any(|c| c.key.matches(key)),
        }
}

/// Whether a key moves (in a burst, held-down `j` is not typing).
fn moves(action: Option<KeyAction>) -> bool {
    use KeyAction as A;
    matches!(
        action,
        Some(
            A::Down
                | A::Up
                | A::Top
                | A::Bottom
                | A::PageDown
                | A::PageUp
                | A::Mark
                | A::RangeMark
                | A::Open
                | A::ScrollLeft
                | A::ScrollDown
                | A::ScrollUp
        )
    )
}

/// A key goes to the context it was pressed in: a dialog, the line at the
/// bottom, the query editor, or the panes. Quit works in each.
fn on_key(app: &mut App, key: KeyEvent, out: &mut Vec<Command>) {
    let context = match &app.dialog {
        Some(Dialog::Confirm(_) | Dialog::SwitchProfile(_) | Dialog::RunCommand(_)) => {
            Context::Confirm
        }
        Some(_) => Context::Popup,
        None if app.query.editing || app.prompt.kind.is_some() => Context::Editor,
        None => Context::Panes,
    };
    let action = app.prefs.keymap.action(context, &key);
    match app.input.typing.release(app.clock.now) {
        Some(Ok((held, held_action))) if context == Context::Panes => {
            panes::on_pane_key(app, held, held_action, out);
        }
        Some(Err(held)) => {
            let name = printable(&held).map(String::from).unwrap_or_default();
            app.say(
                Level::Warning,
                format!("{name} not run: another key came right after it (typing?)"),
            );
        }
        _ => {}
    }
    let previous_key = app.input.typing.last();
    let typing = app
        .input
        .typing
        .key(app.clock.now, printable(&key), moves(action));
    if typing && context != Context::Editor && action != Some(KeyAction::Close) {
        // Text typed where commands are read: it goes to the query bar,
        // and a confirmation it opened closes unanswered.
        if context != Context::Panes {
            app.dialog = None;
        }
        editor::typed_into_list(app);
        return;
    }
    if context == Context::Panes && reaches_out(app, &key, action) {
        app.input.typing.hold(key, action, app.clock.now);
        return;
    }
    if context == Context::Confirm && !dialogs::gate_key(app, action, previous_key) {
        return;
    }
    if action == Some(KeyAction::Quit) {
        app.screen.quit = true;
        out.push(Command::Effect(Effect::Quit));
        return;
    }
    match context {
        Context::Confirm | Context::Popup => dialogs::on_dialog_key(app, action, out),
        Context::Editor if app.prompt.kind.is_some() => {
            prompt::on_prompt_key(app, key, action, out)
        }
        Context::Editor => editor::on_query_key(app, key, action, out),
        Context::Panes => panes::on_pane_key(app, key, action, out),
    }
}
