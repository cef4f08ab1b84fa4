//! `y`: what of the detail's activity to copy.

use ratatui::text::{Line, Span};

use super::Outcome;
use crate::tui::app::App;
use crate::tui::keys::KeyAction;
use ratatui::style::Style;

use crate::printable::printable;
use crate::tui::theme::popup_row;

/// What `y` offers to copy, in its order.
pub const COPY_CHOICES: [&str; 4] = ["JSON", "id", "result text", "web UI link"];

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CopyMenu {
    pub selected: usize,
}

impl CopyMenu {
    /// `Go`: copy the selected choice.
    pub fn on_key(&mut self, action: Option<KeyAction>) -> Outcome {
        super::pick_or_close(&mut self.selected, action, COPY_CHOICES.len())
    }
}

/// `y`'s choices, the selected one highlighted, each with what it copies.
pub fn lines(app: &App, selected: usize) -> Vec<Line<'static>> {
    use crate::tui::app::COPY_CHOICES;
    let a = app.detail_activity();
    let mut lines: Vec<Line> = COPY_CHOICES
        .iter()
        .enumerate()
        .map(|(i, choice)| {
            let what = match (i, a) {
                (_, None) => String::new(),
                (0, Some(a)) => format!("activity {} as JSON", app.id_text(a.id)),
                (1, Some(a)) => crate::model::origin::local(a.id).to_string(),
                (2, Some(a)) => a.result_text.get().map_or("(none)".to_owned(), |t| {
                    printable(t.lines().next().unwrap_or_default()).into_owned()
                }),
                (_, Some(a)) => app
                    .web_ui_url(a.id)
                    .unwrap_or_else(|| "(the demo has no web UI)".to_owned()),
            };
            let style = popup_row(Style::new(), i == selected);
            Line::from(vec![
                Span::styled(format!("{choice:<12}"), style),
                Span::styled(format!(" {what}"), app.prefs.theme.dim),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(super::keys_line(
        (&app.prefs.theme, &app.prefs.keymap),
        &[(KeyAction::Open, "copies"), (KeyAction::Close, "closes")],
    ));
    lines
}
