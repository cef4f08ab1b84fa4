//! The operator's own commands (`[[commands]]`): their key on the
//! selected activity, the computer read when the template names it, the
//! confirmation when asked for, and what they left said in the messages.

use crate::backend::BackendError;
use crate::model::{Activity, Computer};
use crate::tui::app::{App, Dialog, Level, Pane};
use crate::tui::event::{Call, Command, CommandOutput, Effect};
use crate::tui::user_commands::{Mode, Values, shown};

/// Lines of a background command's output kept in the messages.
const OUTPUT_LINES: usize = 50;

/// The activity a row command runs on: the child the detail shows, else
/// the selected row.
pub(super) fn selected_activity(app: &App) -> Option<&Activity> {
    if app.screen.focus != Pane::List
        && let Some(child) = app.children.rows.get(app.children.selected)
    {
        return Some(child);
    }
    app.list.selected_row()
}

/// The placeholders' values for `a` (its computer is read apart).
pub(super) fn values_of(app: &App, a: &Activity) -> Values {
    Values {
        id: crate::model::origin::local(a.id),
        parent_id: a.parent().map(crate::model::origin::local),
        computer: None,
        summary: a.summary.to_string(),
        query: app.query.applied.clone(),
        url: app.web_ui_url(a.id),
    }
}

/// Command `index`'s key was pressed.
pub(super) fn key(app: &mut App, index: usize, out: &mut Vec<Command>) {
    let Some(command) = app.prefs.looks.commands.get(index) else {
        return;
    };
    let name = command.name.clone();
    let Some(a) = selected_activity(app) else {
        app.say(Level::Info, format!("{name}: select an activity first"));
        return;
    };
    if let Some(why) = command.scope.refuses(a) {
        app.say(
            Level::Info,
            format!("{name} is not for activity {}: {why}", app.id_text(a.id)),
        );
        return;
    }
    let values = values_of(app, a);
    match (command.needs_computer(), a.computer()) {
        (true, Some(computer)) => out.push(Command::Call(Call::FetchCommandComputer {
            command: index,
            values: Box::new(values),
            computer,
        })),
        _ => ready(app, index, &values, out),
    }
}

/// The computer came (or not): the command goes on with it.
pub(super) fn computer_loaded(
    app: &mut App,
    index: usize,
    mut values: Values,
    result: Result<Vec<Computer>, BackendError>,
    out: &mut Vec<Command>,
) {
    match result {
        Ok(found) => {
            values.computer = found.into_iter().next();
            ready(app, index, &values, out);
        }
        Err(e) => {
            let name = app.prefs.looks.commands.get(index).map(|c| c.name.clone());
            app.say(
                Level::Error,
                format!(
                    "{}: its computer could not be read: {e}",
                    name.unwrap_or_default()
                ),
            );
        }
    }
}

/// Everything known: run it, or ask first.
fn ready(app: &mut App, index: usize, values: &Values, out: &mut Vec<Command>) {
    let Some(command) = app.prefs.looks.commands.get(index) else {
        return;
    };
    let name = command.name.clone();
    let mode = command.mode;
    let confirm = command.confirm;
    let argv = match command.argv(values) {
        Ok(argv) => argv,
        Err(e) => return app.say(Level::Error, format!("{name}: not run: {e}")),
    };
    if confirm {
        app.dialog = Some(Dialog::RunCommand(crate::tui::dialogs::RunCommand {
            name,
            argv,
            mode,
        }));
    } else {
        run(app, name, argv, mode, out);
    }
}

pub(super) fn run(
    app: &mut App,
    name: String,
    argv: Vec<String>,
    mode: Mode,
    out: &mut Vec<Command>,
) {
    let how = match mode {
        Mode::Terminal => "running",
        Mode::Background => "running in the background",
    };
    app.say(Level::Info, format!("{name}: {how}: {}", shown(&argv)));
    out.push(Command::Effect(Effect::RunUserCommand { name, argv, mode }));
}

/// It ended: its status said, its output kept in the messages.
pub(super) fn done(app: &mut App, name: &str, result: Result<CommandOutput, String>) {
    match result {
        Ok(o) => {
            for (stream, text) in [("out", &o.stdout), ("err", &o.stderr)] {
                let lines: Vec<&str> = text.lines().collect();
                for line in lines.iter().take(OUTPUT_LINES) {
                    app.note(Level::Info, format!("{name} ({stream}): {line}"));
                }
                if lines.len() > OUTPUT_LINES {
                    app.note(
                        Level::Info,
                        format!(
                            "{name} ({stream}): … {} more lines",
                            lines.len() - OUTPUT_LINES
                        ),
                    );
                }
            }
            if o.dropped > 0 {
                app.note(
                    Level::Info,
                    format!(
                        "{name}: … {} more bytes of output, not kept",
                        crate::printable::thousands(o.dropped)
                    ),
                );
            }
            let first = o.stdout.lines().chain(o.stderr.lines()).next();
            let text = match (o.success, first) {
                (true, Some(line)) => format!("{name}: {line}"),
                (true, None) => format!("{name}: done"),
                (false, Some(line)) => format!("{name}: {}: {line}", o.status),
                (false, None) => format!("{name}: {}", o.status),
            };
            let level = if o.success {
                Level::Success
            } else {
                Level::Error
            };
            app.say(level, text);
        }
        Err(e) => app.say(Level::Error, format!("{name}: could not start: {e}")),
    }
}
