//! `:messages`: every message said, newest first, whole.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::Outcome;
use crate::printable::printable;
use crate::tui::app::App;
use crate::tui::app::Level;
use crate::tui::keys::KeyAction;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Messages {
    pub scroll: u16,
}

impl Messages {
    /// `last`: the last message's index.
    pub fn on_key(&mut self, action: Option<KeyAction>, last: usize) -> Outcome {
        super::scroll_or_close(&mut self.scroll, action, last)
    }
}

/// Each message whole, with its time, newest first; a message of several
/// lines (an operation's log) on as many, each line as text.
pub fn lines(app: &App, scroll: u16) -> Vec<Line<'static>> {
    app.status
        .messages
        .iter()
        .rev()
        .skip(usize::from(scroll))
        .flat_map(|(at, level, text)| {
            let style = match level {
                Level::Error => app.prefs.theme.error,
                Level::Warning => app.prefs.theme.warning,
                Level::Success => app.prefs.theme.success,
                Level::Info => Style::new(),
            };
            let mut parts = text.split('\n');
            let first = Line::from(vec![
                Span::styled(
                    format!(
                        "{} ",
                        at.with_timezone(&app.clock.offset).format("%H:%M:%S")
                    ),
                    app.prefs.theme.dim,
                ),
                Span::styled(
                    printable(parts.next().unwrap_or_default()).into_owned(),
                    style,
                ),
            ]);
            let rest: Vec<Line<'static>> = parts
                .map(|part| {
                    Line::from(Span::styled(format!("         {}", printable(part)), style))
                })
                .collect();
            std::iter::once(first).chain(rest)
        })
        .collect()
}
