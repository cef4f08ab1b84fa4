//! One of the operator's commands, `confirm = true`: run it?

use ratatui::text::{Line, Span};

use super::{Outcome, go_or_stay};
use crate::tui::app::App;
use crate::tui::keys::KeyAction;
use crate::tui::user_commands::Mode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunCommand {
    pub name: String,
    pub argv: Vec<String>,
    pub mode: Mode,
}

impl RunCommand {
    /// `Go`: run it.
    pub fn on_key(&self, action: Option<KeyAction>) -> Outcome {
        super::yes_or_no(action)
    }
}

/// One of the operator's `[[commands]]`, about to run: the words it runs.
pub fn lines(
    app: &App,
    argv: &[String],
    mode: crate::tui::user_commands::Mode,
) -> Vec<Line<'static>> {
    vec![
        Line::from(match mode {
            crate::tui::user_commands::Mode::Terminal => {
                "Run this, the terminal handed to it until it ends?"
            }
            crate::tui::user_commands::Mode::Background => {
                "Run this in the background (its output goes to the messages)?"
            }
        }),
        Line::from(""),
        Line::from(Span::styled(
            crate::tui::user_commands::shown(argv),
            app.prefs.theme.key,
        )),
        Line::from(""),
        go_or_stay((&app.prefs.theme, &app.prefs.keymap), "run", "do not"),
    ]
}
