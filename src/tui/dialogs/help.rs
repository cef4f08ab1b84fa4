//! `?`: every key, by context, and notes on the query and the columns.

use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::Outcome;
use crate::tui::app::App;
use crate::tui::keys::KeyAction;
use crate::tui::keys::{Context, HELP_CONTEXTS, HELP_NOTES, keys_text};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Help {
    pub scroll: u16,
}

impl Help {
    /// `lines`: how many the help has.
    pub fn on_key(&mut self, action: Option<KeyAction>, lines: usize) -> Outcome {
        super::scroll_or_close(&mut self.scroll, action, lines)
    }
}

/// The help overlay: every binding of the key table, by context, then
/// notes on the query and the columns.
pub fn lines(app: &App) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for context in HELP_CONTEXTS {
        if !lines.is_empty() {
            lines.push(Line::from(""));
        }
        lines.push(Line::from(Span::styled(
            context.title(),
            app.prefs.theme.key.add_modifier(Modifier::UNDERLINED),
        )));
        for (b, keys) in app.prefs.keymap.bindings(context) {
            lines.push(Line::from(vec![
                Span::styled(format!("{:>22}  ", keys_text(keys)), app.prefs.theme.key),
                Span::raw(b.help),
            ]));
        }
        if context == Context::Panes && !app.prefs.looks.views.is_empty() {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                "Views (saved queries, [[views]] in the config)",
                app.prefs.theme.key.add_modifier(Modifier::UNDERLINED),
            )));
            for v in &app.prefs.looks.views {
                let query = if v.query.is_empty() {
                    "(everything)"
                } else {
                    &v.query
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("{:>22}  ", v.key.name()), app.prefs.theme.key),
                    Span::raw(format!("{}: ", v.name)),
                    Span::styled(query.to_owned(), app.prefs.theme.dim),
                ]));
            }
        }
    }
    lines.push(Line::from(""));
    for note in HELP_NOTES {
        lines.push(Line::from(Span::styled(note, app.prefs.theme.dim)));
    }
    lines
}
