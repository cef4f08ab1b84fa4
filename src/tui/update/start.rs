//! The dashboard's first requests.

use super::list::fetch_list;
use crate::tui::app::{App, Level};
use crate::tui::event::{Call, Command};
use crate::tui::keys::KeyAction;

/// The commands that start the dashboard: first page, vocabulary, gauges.
pub fn start(app: &mut App) -> Vec<Command> {
    // (What the start or the config said comes first.)
    if app.backend.embedded && app.status.message.is_none() {
        let text = format!(
            "demo engine: {} shows how to connect",
            app.pane_key(KeyAction::Help)
        );
        app.say(Level::Info, text);
    }
    vec![
        fetch_list(app, 0),
        Command::Call(Call::FetchVocabulary),
        Command::Call(Call::FetchInFlight),
        Command::Call(Call::FetchOperations),
    ]
}
