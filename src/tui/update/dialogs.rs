//! The keys of the dialogs: the confirmation, the refusals, the help and
//! the action log.

use super::editor::run_query;
use super::profiles::switch_profile;
use crate::printable::activities;
use crate::tui::app::{App, COPY_CHOICES, Dialog, Level};
use crate::tui::event::Command;
use crate::tui::keys::{self, KeyAction, moved};

pub(super) fn on_dialog_key(app: &mut App, action: Option<KeyAction>, out: &mut Vec<Command>) {
    let Some(dialog) = app.dialog.clone() else {
        return;
    };
    let close = action == Some(KeyAction::Close);
    match dialog {
        Dialog::Confirm(c) => {
            if close {
                app.dialog = None;
                app.say(Level::Info, format!("{} aborted", c.kind.verb()));
            } else if action == Some(KeyAction::OtherChoice) {
                if let Some(Dialog::Confirm(c)) = &mut app.dialog {
                    c.switch();
                }
            } else if action == Some(KeyAction::Confirm)
                && let Some(plan) = &c.plan
            {
                app.dialog = None;
                if plan.changes() == 0 {
                    app.say(
                        Level::Warning,
                        format!("nothing to {}: nothing selected can change", c.kind.verb()),
                    );
                    return;
                }
                let only_changeable = c.only_changeable();
                app.marks.consuming = c.from_marks;
                app.acting.picked = Some((c.picked.clone(), only_changeable));
                app.say(
                    Level::Info,
                    format!("{} {} …", c.kind.ongoing(), activities(plan.changes())),
                );
                out.push(Command::CarryOut {
                    plan: Box::new(plan.clone()),
                    only_changeable,
                });
            }
        }
        Dialog::Help { scroll } => {
            let lines = keys::help_len(app.prefs.looks.views.len());
            match scrolled(action, scroll, lines) {
                Some(scroll) => app.dialog = Some(Dialog::Help { scroll }),
                None if close || action == Some(KeyAction::Open) => app.dialog = None,
                None => {}
            }
        }
        Dialog::Messages { scroll } => {
            let last = app.status.messages.len().saturating_sub(1);
            match scrolled(action, scroll, last) {
                Some(scroll) => app.dialog = Some(Dialog::Messages { scroll }),
                None if close || action == Some(KeyAction::Open) => app.dialog = None,
                None => {}
            }
        }
        Dialog::Clusters => super::clusters::on_clusters_key(app, action, out),
        Dialog::CopyMenu { selected } => copy_menu_key(app, selected, action, out),
        Dialog::Watches { selected } => super::watches::on_key(app, selected, action, out),
        Dialog::Refusals { .. } => {
            if close || action == Some(KeyAction::Open) {
                app.dialog = None;
            }
        }
        Dialog::ActionLog { selected } => {
            if let Some(selected) = moved(action, selected, app.acting.log.len()) {
                app.dialog = Some(Dialog::ActionLog { selected });
                return;
            }
            match action {
                Some(KeyAction::Open) => {
                    app.dialog = None;
                    if let Some(record) = app.acting.log.get(selected) {
                        run_query(app, record.query(), out);
                    }
                }
                _ if close => app.dialog = None,
                _ => {}
            }
        }
        Dialog::RunCommand { name, argv, mode } => {
            if close {
                app.dialog = None;
                app.say(Level::Info, format!("{name}: not run"));
            } else if action == Some(KeyAction::Confirm) {
                app.dialog = None;
                super::user_commands::run(app, name, argv, mode, out);
            }
        }
        Dialog::SwitchProfile { name, .. } => {
            if close {
                app.dialog = None;
                app.say(Level::Info, "staying: marks kept");
            } else if action == Some(KeyAction::Confirm) {
                app.dialog = None;
                switch_profile(app, name, out);
            }
        }
    }
}

/// A key in a confirmation, before it is read: `false` when the gate
/// takes it. The confirm key counts only after a quiet moment, and is
/// carried out when no key follows ([`settled`]); a key that follows
/// takes it back.
pub(super) fn gate_key(
    app: &mut App,
    action: Option<KeyAction>,
    previous_key: Option<chrono::DateTime<chrono::Utc>>,
) -> bool {
    let confirm = app
        .prefs
        .keymap
        .first(keys::Context::Confirm, KeyAction::Confirm);
    if app.input.gate.armed.take().is_some() {
        if action == Some(KeyAction::Close) {
            return true;
        }
        app.say(
            Level::Warning,
            format!("not confirmed: another key came right after {confirm}; press {confirm} alone"),
        );
        return false;
    }
    if action != Some(KeyAction::Confirm) {
        return true;
    }
    if matches!(&app.dialog, Some(Dialog::Confirm(c)) if c.plan.is_none()) {
        app.say(Level::Info, "still counting what would change");
        return false;
    }
    if !app.input.gate.quiet(app.clock.now, previous_key) {
        app.input.gate.held = true;
        return false;
    }
    app.input.gate.held = false;
    app.input.gate.armed = Some(app.clock.now);
    false
}

/// A confirm key no other key followed: carried out.
pub(super) fn settled(app: &mut App, out: &mut Vec<Command>) {
    if app.input.gate.due(app.clock.now) {
        app.input.gate.armed = None;
        on_dialog_key(app, Some(KeyAction::Confirm), out);
    }
}

/// The most a copy puts on the clipboard (OSC 52 travels through the
/// terminal; a record is a few KiB).
const CLIPBOARD_MAX: usize = 256 * 1024;

fn copy_menu_key(
    app: &mut App,
    selected: usize,
    action: Option<KeyAction>,
    out: &mut Vec<Command>,
) {
    if let Some(selected) = moved(action, selected, COPY_CHOICES.len()) {
        app.dialog = Some(Dialog::CopyMenu { selected });
        return;
    }
    match action {
        Some(KeyAction::Open) => {
            app.dialog = None;
            let Some(a) = app.detail_activity() else {
                return;
            };
            let id = a.id;
            let text = match selected {
                // One line: a pasted newline would run what came before.
                0 => Some(serde_json::to_string(a).unwrap_or_default()),
                1 => Some(id.to_string()),
                2 => a.result_text.get().map(|t| t.to_string()),
                _ => crate::tui::user_commands::web_ui_url(
                    &app.backend.label,
                    app.backend.embedded,
                    id,
                ),
            };
            match text {
                Some(text) => {
                    out.push(Command::Copy(crate::printable::bounded(
                        &text,
                        CLIPBOARD_MAX,
                    )));
                    app.say(
                        Level::Success,
                        format!("copied activity {id}'s {}", COPY_CHOICES[selected]),
                    );
                }
                None if selected == 2 => {
                    app.say(Level::Info, format!("activity {id} has no result text"))
                }
                None => app.say(Level::Info, "the demo engine has no web UI link"),
            }
        }
        _ if action == Some(KeyAction::Close) => app.dialog = None,
        _ => {}
    }
}

/// `L` / `:log`: what was done, newest first.
/// Beside it, the server's own events log is read (who did what there,
/// from any client): shown below this dashboard's and scripts' entries.
pub(super) fn open_action_log(app: &mut App, out: &mut Vec<Command>) {
    app.acting.server_events = None;
    out.push(Command::FetchServerEvents);
    app.dialog = Some(Dialog::ActionLog { selected: 0 });
}

/// The server's events came (or it has none).
pub(super) fn server_events_loaded(
    app: &mut App,
    result: Result<crate::model::Page<crate::model::event::Event>, crate::backend::BackendError>,
) {
    app.acting.server_events = Some(match result {
        Ok(page) => Ok(page.results),
        Err(crate::backend::BackendError::Unsupported(_)) => Ok(Vec::new()),
        Err(e) => Err(e.to_string()),
    });
}

pub(super) fn open_messages(app: &mut App) {
    if app.status.messages.is_empty() {
        app.say(Level::Info, "no messages yet");
    } else {
        app.dialog = Some(Dialog::Messages { scroll: 0 });
    }
}

/// A text popup's scroll after `action`, kept within `0..=last`; `None`
/// when the action does not scroll.
fn scrolled(action: Option<KeyAction>, scroll: u16, last: usize) -> Option<u16> {
    let by = action?.step()?;
    let last = i64::try_from(last).unwrap_or(i64::MAX);
    Some((i64::from(scroll) + by).clamp(0, last) as u16)
}
