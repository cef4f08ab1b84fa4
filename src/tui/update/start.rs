//! The dashboard's first requests.

use super::list::fetch_list;
use crate::tui::app::{App, Level};
use crate::tui::event::{Call, Command};
use crate::tui::keys::KeyAction;

/// Where the dashboard opens: a query (`--query`) or a saved view by
/// name (`--view`); neither: every activity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenOn {
    pub query: Option<String>,
    pub view: Option<String>,
}

/// The dashboard started on `on`: the view's or the query's rows first.
/// A query that does not parse opens in the bar with its fault pointed
/// at (nothing is lost), on every activity; an unknown view is said.
pub fn start_on(app: &mut App, on: &OpenOn) -> Vec<Command> {
    if let Some(name) = &on.view {
        let index = app
            .prefs
            .looks
            .views
            .iter()
            .position(|v| v.name.eq_ignore_ascii_case(name));
        match index {
            Some(index) => {
                let mut out = Vec::new();
                super::editor::apply_view(app, index, &mut out);
                // The view's page is asked by `start`.
                app.query.editing = false;
            }
            None => {
                let names: Vec<&str> = app
                    .prefs
                    .looks
                    .views
                    .iter()
                    .map(|v| v.name.as_str())
                    .collect();
                app.say(
                    Level::Error,
                    format!("no view {name:?}; the views are: {}", names.join(", ")),
                );
            }
        }
    } else if let Some(query) = &on.query {
        let n = query.chars().count();
        super::editor::set_query(app, query.clone(), n);
        if app.query.error.is_none() {
            app.query.applied = super::editor::expanded(app, query);
        } else {
            // In the bar, its fault pointed at, for the operator to mend.
            app.query.editing = true;
        }
    }
    start(app)
}

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
