//! `:watches`: each watch, newest first, with how far it has got, its
//! failures and its guard.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::Outcome;
use crate::printable::printable;
use crate::tui::app::App;
use crate::tui::keys::{KeyAction, moved};
use crate::tui::theme::popup_row;
use crate::tui::watches::Watch;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Watches {
    pub selected: usize,
}

impl Watches {
    /// `Go`: show the selected watch's activities; `Remove`: stop
    /// watching it. `len`: how many watches there are.
    pub fn on_key(&mut self, action: Option<KeyAction>, len: usize) -> Outcome {
        if let Some(moved) = moved(action, self.selected, len) {
            self.selected = moved;
            return Outcome::Stay;
        }
        match action {
            Some(KeyAction::Open) => Outcome::Go,
            Some(KeyAction::Watch) => Outcome::Remove,
            Some(KeyAction::Close) => Outcome::Closed,
            _ => Outcome::Stay,
        }
    }
}

/// Cells of the small progress bar.
const BAR: u64 = 10;

pub fn lines(app: &App, selected: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    // Keep the selected one on screen: the eight around it.
    let first = selected.saturating_sub(7);
    for (i, w) in app
        .watches
        .list
        .iter()
        .rev()
        .enumerate()
        .skip(first)
        .take(8)
    {
        let style = if w.done {
            app.prefs.theme.dim
        } else if w.failed() > 0 {
            app.prefs.theme.warning
        } else {
            Style::new()
        };
        let style = popup_row(style, i == selected);
        let since = w.since.with_timezone(&app.clock.offset).format("%H:%M");
        let server = if w.server == app.backend.label {
            String::new()
        } else {
            format!(" (on {})", printable(&w.server))
        };
        lines.push(Line::from(Span::styled(
            format!(
                "#{:<3} since {since}  {}{server}",
                w.number,
                printable(&w.label)
            ),
            style,
        )));
        lines.push(Line::from(vec![
            Span::raw("      "),
            Span::styled(state(w), style),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(super::keys_line(
        (&app.prefs.theme, &app.prefs.keymap),
        &[
            (KeyAction::Open, "shows its activities"),
            (KeyAction::Watch, "stops watching"),
            (KeyAction::Close, "closes"),
        ],
    ));
    lines
}

/// "██████░░░░ 6/10 final · 3 failed · guard failed>=3: 3 of 10, tripped"
fn state(w: &Watch) -> String {
    let (done, all) = w.progress();
    let mut text = if w.done {
        format!("done: {}", w.outcome())
    } else {
        let filled = (done * BAR).checked_div(all).unwrap_or(0);
        format!(
            "{}{} {done}/{all} final",
            "█".repeat(filled as usize),
            "░".repeat((BAR - filled) as usize)
        )
    };
    if !w.done && w.failed() > 0 {
        text.push_str(&format!(" · {} failed", w.failed()));
    }
    if let Some(g) = &w.guard {
        text.push_str(&format!(
            " · guard {}: {} of {} failed{}",
            g.guard.threshold,
            g.failed,
            g.of,
            match (g.tripped, g.auto) {
                (true, _) => ", tripped",
                (false, true) => " (stops without asking)",
                (false, false) => "",
            }
        ));
    }
    text
}
