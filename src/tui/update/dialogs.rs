//! A key in a popup: routed to the popup's own file (`tui::dialogs`),
//! and what it comes to (its `Outcome`) carried out here: an action sent,
//! a query shown, a copy, a command run, a profile switched.

use super::editor::run_query;
use super::profiles::switch_profile;
use crate::printable::activities;
use crate::tui::app::{App, COPY_CHOICES, Confirm, Dialog, Level};
use crate::tui::dialogs::Outcome;
use crate::tui::event::{Call, Command, Effect};
use crate::tui::keys::{self, KeyAction};

pub(super) fn on_dialog_key(app: &mut App, action: Option<KeyAction>, out: &mut Vec<Command>) {
    let help = keys::help_len(app.prefs.looks.views.len());
    let last_message = app.status.messages.len().saturating_sub(1);
    let (log, watches) = (app.acting.log.len(), app.watches.list.len());
    let rollouts = app.rollouts.list.len();
    let operations = crate::tui::dialogs::operations::all(app).len();
    let outcome = match &mut app.dialog {
        None => return,
        Some(Dialog::Confirm(c)) => c.on_key(action),
        Some(Dialog::Help(h)) => h.on_key(action, help),
        Some(Dialog::Messages(m)) => m.on_key(action, last_message),
        Some(Dialog::Refusals(r)) => r.on_key(action),
        Some(Dialog::ActionLog(l)) => l.on_key(action, log),
        Some(Dialog::CopyMenu(c)) => c.on_key(action),
        Some(Dialog::RunCommand(r)) => r.on_key(action),
        Some(Dialog::SwitchProfile(s)) => s.on_key(action),
        Some(Dialog::Watches(w)) => w.on_key(action, watches),
        Some(Dialog::Rollouts(r)) => r.on_key(action, rollouts),
        Some(Dialog::Operations(o)) => o.on_key(action, operations),
        Some(Dialog::Clusters) => app.clusters.on_key(action),
    };
    if outcome == Outcome::Stay {
        return;
    }
    let Some(dialog) = app.dialog.take() else {
        return;
    };
    match dialog {
        Dialog::Confirm(c) => confirmed(app, &c, outcome, out),
        Dialog::ActionLog(l) if outcome == Outcome::Go => {
            if let Some(record) = app.acting.log.get(l.selected) {
                run_query(app, record.query(&app.backend.servers), out);
            }
        }
        Dialog::CopyMenu(c) if outcome == Outcome::Go => copy(app, c.selected, out),
        Dialog::RunCommand(r) if outcome == Outcome::Go => {
            super::user_commands::run(app, r.name, r.argv, r.mode, out);
        }
        Dialog::RunCommand(r) => app.say(Level::Info, format!("{}: not run", r.name)),
        Dialog::SwitchProfile(s) if outcome == Outcome::Go => switch_profile(app, s.name, out),
        Dialog::SwitchProfile(_) => app.say(Level::Info, "staying: marks kept"),
        Dialog::Watches(w) => super::watches::on_outcome(app, w, outcome, out),
        Dialog::Rollouts(r) => super::rollouts::on_outcome(app, r, outcome, out),
        Dialog::Clusters => super::clusters::on_outcome(app, outcome, out),
        Dialog::Operations(o) if outcome == Outcome::Remove => {
            super::answers::watch_operation(app, o.selected);
            app.dialog = Some(Dialog::Operations(o));
        }
        Dialog::Help(_)
        | Dialog::Messages(_)
        | Dialog::Refusals(_)
        | Dialog::ActionLog(_)
        | Dialog::Operations(_)
        | Dialog::CopyMenu(_) => {}
    }
}

/// A confirmation's answer: carried out, or aborted.
fn confirmed(app: &mut App, c: &Confirm, outcome: Outcome, out: &mut Vec<Command>) {
    let plan = match (&c.plan, outcome) {
        (Some(plan), Outcome::Go) => plan,
        _ => {
            app.say(Level::Info, format!("{} aborted", c.kind.verb()));
            return;
        }
    };
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
    out.push(Command::Call(Call::CarryOut {
        plan: Box::new(plan.clone()),
        only_changeable,
    }));
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

/// Copies the detail's activity as `COPY_CHOICES[selected]` says.
fn copy(app: &mut App, selected: usize, out: &mut Vec<Command>) {
    let Some(a) = app.detail_activity() else {
        return;
    };
    let id = a.id;
    let text = match selected {
        // One line: a pasted newline would run what came before.
        0 => Some(serde_json::to_string(&crate::model::origin::as_served(a)).unwrap_or_default()),
        1 => Some(crate::model::origin::local(id).to_string()),
        2 => a.result_text.get().map(|t| t.to_string()),
        _ => app.web_ui_url(id),
    };
    match text {
        Some(text) => {
            out.push(Command::Effect(Effect::Copy(crate::printable::bounded(
                &text,
                CLIPBOARD_MAX,
            ))));
            app.say(
                Level::Success,
                format!(
                    "copied activity {}'s {}",
                    app.id_text(id),
                    COPY_CHOICES[selected]
                ),
            );
        }
        None if selected == 2 => {
            let id = app.id_text(id);
            app.say(Level::Info, format!("activity {id} has no result text"))
        }
        None => app.say(Level::Info, "the demo engine has no web UI link"),
    }
}

/// `L` / `:log`: what was done, newest first.
/// Beside it, the server's own events log is read (who did what there,
/// from any client): shown below this dashboard's and scripts' entries.
pub(super) fn open_action_log(app: &mut App, out: &mut Vec<Command>) {
    app.acting.server_events = None;
    out.push(Command::Call(Call::FetchServerEvents));
    app.dialog = Some(Dialog::ActionLog(crate::tui::dialogs::ActionLog {
        selected: 0,
    }));
}

/// The server's events came (or it has none).
pub(super) fn server_events_loaded(
    app: &mut App,
    result: Result<
        crate::model::Page<crate::model::event::ServerEvent>,
        crate::backend::BackendError,
    >,
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
        app.dialog = Some(Dialog::Messages(crate::tui::dialogs::Messages {
            scroll: 0,
        }));
    }
}
