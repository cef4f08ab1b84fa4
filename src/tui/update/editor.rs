//! The query editor's keys: typing, completion, history, running the
//! query; and saved views, which set the query and run it.

use ratatui::crossterm::event::KeyEvent;

use super::list::apply_query;
use crate::query::{complete, parse_with};
use crate::tui::app::{App, Level};
use crate::tui::event::{Command, Effect};
use crate::tui::keys::KeyAction;

pub(super) fn revalidate(app: &mut App) {
    let types = app.fleet.values.types.clone();
    let parsed = parse_with(app.query.editor.text(), &app.parse_options(&types));
    app.query.warning = parsed
        .as_ref()
        .ok()
        .and_then(|p| p.warnings.first().cloned());
    app.query.error = parsed.err();
}

pub(super) fn set_query(app: &mut App, text: String, cursor_chars: usize) {
    app.query.editor.set_at(text, cursor_chars);
    revalidate(app);
}

/// Keys typed into the list as text: the query bar opens with them,
/// and nothing they were bound to runs.
pub(super) fn typed_into_list(app: &mut App) {
    let text = app.input.typing.burst().to_owned();
    let chars = text.chars().count();
    app.prompt.kind = None;
    app.query.editing = true;
    app.query.editor.history_pos = None;
    set_query(app, text, chars);
    let key = app
        .prefs
        .keymap
        .first(crate::tui::keys::Context::Panes, KeyAction::EditQuery);
    app.say(
        Level::Warning,
        format!("that was typing, so it went to the query bar (next time type {key} first): Enter runs it, Esc leaves it"),
    );
}

pub(super) fn on_query_key(
    app: &mut App,
    key: KeyEvent,
    action: Option<KeyAction>,
    out: &mut Vec<Command>,
) {
    // How many completions are shown (the list is open when any are).
    let shown = app
        .query
        .editor
        .completions
        .as_ref()
        .map_or(0, |c| c.items.len());
    let popup = shown > 0;
    match action {
        Some(KeyAction::RunQuery) if popup => apply_completion(app),
        Some(KeyAction::RunQuery) => {
            revalidate(app);
            if let Some(e) = &app.query.error {
                let message = e.message.clone();
                app.say(Level::Error, message);
                return;
            }
            let text = app.query.editor.text().trim().to_owned();
            app.query.editing = false;
            app.query.editor.completions = None;
            if !text.is_empty() {
                app.query.editor.remember(&text);
                out.push(Command::Effect(Effect::SaveHistory(
                    app.query.editor.history.clone(),
                )));
            }
            app.query.view = None;
            let sent = expanded(app, &text);
            apply_query(app, sent, out);
        }
        Some(KeyAction::LeaveEditor) if popup => app.query.editor.completions = None,
        Some(KeyAction::LeaveEditor) => {
            app.query.editing = false;
            let applied = app.query.applied.clone();
            let n = applied.chars().count();
            set_query(app, applied, n);
            app.query.editor.completions = None;
        }
        Some(KeyAction::HistoryBack | KeyAction::HistoryForward) if popup => {
            let down = action == Some(KeyAction::HistoryForward);
            app.query.editor.cycle_completion(shown, down);
        }
        Some(KeyAction::HistoryBack | KeyAction::HistoryForward) => {
            if app
                .query
                .editor
                .history_step(action == Some(KeyAction::HistoryBack))
            {
                revalidate(app);
            }
        }
        Some(KeyAction::Complete) => {
            if popup {
                app.query.editor.cycle_completion(shown, true);
                return;
            }
            let c = complete(
                app.query.editor.text(),
                app.query.editor.cursor_byte(),
                &app.fleet.values,
            );
            app.query.editor.completion = 0;
            match c.items.len() {
                0 => app.query.editor.completions = None,
                1 => {
                    app.query.editor.completions = Some(c);
                    apply_completion(app);
                }
                _ => app.query.editor.completions = Some(c),
            }
        }
        _ => {
            app.query.editor.type_key(key);
            app.query.editor.completions = None;
            revalidate(app);
        }
    }
}

pub(super) fn apply_completion(app: &mut App) {
    let Some(c) = app.query.editor.completions.take() else {
        return;
    };
    let Some(item) = c.items.get(app.query.editor.completion) else {
        return;
    };
    let value = app.query.editor.text();
    let mut text = String::with_capacity(value.len() + item.text.len());
    text.push_str(&value[..c.replace.start]);
    text.push_str(&item.text);
    let cursor = text.chars().count();
    text.push_str(&value[c.replace.end..]);
    set_query(app, text, cursor);
}

/// Puts `query` in the bar (the cursor at its end) and runs it: what a
/// popup's entry shows.
pub(super) fn run_query(app: &mut App, query: String, out: &mut Vec<Command>) {
    let n = query.chars().count();
    set_query(app, query.clone(), n);
    super::list::apply_query(app, query, out);
}

/// Applies the saved view `index`: its query, named after it.
pub(super) fn apply_view(app: &mut App, index: usize, out: &mut Vec<Command>) {
    let Some(view) = app.prefs.looks.views.get(index).cloned() else {
        return;
    };
    let text = view.query_at(app.server_now(), app.clock.offset);
    let n = text.chars().count();
    set_query(app, text.clone(), n);
    if let Some(e) = &app.query.error {
        let message = format!("view {:?}: {}", view.name, e.message);
        app.say(Level::Error, message);
        return;
    }
    app.query.view = Some(view.name.clone());
    let sent = expanded(app, &text);
    apply_query(app, sent, out);
}

/// `text` with its relative dates written out as of now (what is sent;
/// history keeps what was typed), saying what they became.
pub(super) fn expanded(app: &mut App, text: &str) -> String {
    let e = crate::query::expand_relative_dates(text, app.server_now(), app.clock.offset);
    if !e.changed.is_empty() {
        let said: Vec<String> = e
            .changed
            .iter()
            .map(|(from, to)| format!("{from} → {to}"))
            .collect();
        app.say(Level::Info, format!("sent as {}", said.join(", ")));
    }
    e.text
}
