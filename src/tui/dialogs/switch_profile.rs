//! `:profile NAME` with marks set: leaving drops them.

use ratatui::text::Line;

use super::{Outcome, go_or_stay};
use crate::tui::app::App;
use crate::tui::keys::KeyAction;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwitchProfile {
    pub name: String,
    pub marks: usize,
}

impl SwitchProfile {
    /// `Go`: switch.
    pub fn on_key(&self, action: Option<KeyAction>) -> Outcome {
        super::yes_or_no(action)
    }
}

/// `:profile NAME` with marks: what switching drops.
pub fn lines(app: &App, name: &str, marks: usize) -> Vec<Line<'static>> {
    vec![
        Line::from(format!("Connect to profile {name}?")),
        Line::from(""),
        Line::from(format!(
            "{marks} marked activit{} of {} will be dropped: nothing of this server is kept.",
            if marks == 1 { "y" } else { "ies" },
            app.backend.label
        )),
        Line::from(""),
        go_or_stay((&app.prefs.theme, &app.prefs.keymap), "switch", "stay"),
    ]
}
