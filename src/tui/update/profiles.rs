//! `:profile NAME`: another server's backend in place of this one, the
//! dashboard started afresh on it (its query history, keys and looks kept).

use super::start::start;
use crate::backend::BackendInfo;
use crate::tui::app::{App, Level};
use crate::tui::event::{Command, Effect};

/// What the runtime said of a switch: connected, or not (and still here).
pub(super) fn profile_switched(
    app: &mut App,
    name: String,
    result: Result<(BackendInfo, bool), String>,
    out: &mut Vec<Command>,
) {
    match result {
        Ok((info, read_only)) => out.extend(connected(app, name, info, read_only)),
        Err(e) => app.say(
            Level::Error,
            format!("profile {name}: {e} (still on {})", app.backend.label),
        ),
    }
}

pub(super) fn switch_profile(app: &mut App, name: String, out: &mut Vec<Command>) {
    app.say(Level::Info, format!("connecting to profile {name} …"));
    out.push(Command::Effect(Effect::SwitchProfile(name)));
}

/// Another backend answers now: nothing of the old one is kept (rows,
/// marks, query, names, refusals), and the list starts again.
fn connected(
    app: &mut App,
    name: String,
    info: crate::backend::BackendInfo,
    read_only: bool,
) -> Vec<Command> {
    let history = std::mem::take(&mut app.query.editor.history);
    let mut fresh = App::new(info, read_only, history);
    // Answers the old backend still sends are for older requests.
    fresh.list.generation = app.list.generation;
    // The clocks and the operator's preferences are the operator's, not
    // the server's: they carry over whole.
    fresh.clock.now = app.clock.now;
    fresh.clock.offset = app.clock.offset;
    fresh.screen.size = app.screen.size;
    fresh.prefs = std::mem::take(&mut app.prefs);
    fresh.prompt.line.history = std::mem::take(&mut app.prompt.line.history);
    *app = fresh;
    app.say(Level::Success, format!("connected to profile {name}"));
    start(app)
}
