//! `:operations`: Landscape 26.04's long-running operations this session
//! has seen — those running, then those ended, newest first — and, with
//! Enter, the selected one whole: its resource, status, error and log;
//! `w` watches one (its end is also a terminal notification).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::Outcome;
use crate::model::operation::{Operation, OperationState};
use crate::printable::bounded;
use crate::tui::app::App;
use crate::tui::keys::{KeyAction, moved};
use crate::tui::theme::popup_row;

/// Log lines shown under an opened operation.
const LOG_LINES: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Operations {
    pub selected: usize,
    /// The selected one is shown whole.
    pub open: bool,
}

impl Operations {
    /// `len`: how many there are.
    pub fn on_key(&mut self, action: Option<KeyAction>, len: usize) -> Outcome {
        if let Some(moved) = moved(action, self.selected, len) {
            self.selected = moved;
            return Outcome::Stay;
        }
        match action {
            Some(KeyAction::Open) => {
                self.open = !self.open;
                Outcome::Stay
            }
            // `w`: watch (or stop watching) the selected one.
            Some(KeyAction::Watch) => Outcome::Remove,
            Some(KeyAction::Close) => Outcome::Closed,
            _ => Outcome::Stay,
        }
    }
}

/// Those running, then those ended, newest first.
pub fn all(app: &App) -> Vec<&Operation> {
    app.fleet
        .operations
        .iter()
        .chain(app.fleet.ended_operations.iter().rev())
        .collect()
}

pub fn lines(app: &App, o: &Operations) -> Vec<Line<'static>> {
    let all = all(app);
    if all.is_empty() {
        return vec![Line::from(Span::styled(
            "none seen: this server has none running, or is older than Landscape 26.04",
            app.prefs.theme.dim,
        ))];
    }
    let mut lines = Vec::new();
    for (i, op) in all.iter().enumerate() {
        let (word, style) = match op.state() {
            OperationState::Running => ("▶ running", Style::new()),
            OperationState::Succeeded => ("✔ succeeded", app.prefs.theme.success),
            OperationState::Failed => ("✘ failed", app.prefs.theme.error),
        };
        let watched = if app.fleet.watched_operations.contains(&op.name) {
            "  (watched)"
        } else {
            ""
        };
        let text = format!(
            "{word} {:>3}%  {}{watched}",
            op.percent(),
            bounded(op.title(), 200)
        );
        lines.push(Line::from(Span::styled(
            text,
            popup_row(style, i == o.selected),
        )));
        if o.open && i == o.selected {
            lines.extend(whole(app, op));
        }
    }
    lines
}

/// The operation whole: what it works on, how it ended, its log.
fn whole(app: &App, op: &Operation) -> Vec<Line<'static>> {
    let dim = app.prefs.theme.dim;
    let field = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("    {name:<10}"), dim),
            Span::raw(value),
        ])
    };
    let mut lines = vec![field("name", bounded(&op.name, 200))];
    if let Some(r) = &op.metadata.resource {
        lines.push(field("resource", bounded(r, 200)));
    }
    lines.push(field("status", bounded(&op.metadata.status, 40)));
    if let Some(output) = op
        .response
        .as_ref()
        .and_then(|r| r.get("output"))
        .and_then(|o| o.as_str())
        .filter(|o| !o.is_empty())
    {
        lines.push(field("output", bounded(output, 300)));
    }
    if let Some(e) = &op.error {
        lines.push(field(
            "error",
            format!("{}: {}", e.code, bounded(&e.message, 300)),
        ));
        let log = op.log();
        let skipped = log.len().saturating_sub(LOG_LINES);
        if skipped > 0 {
            lines.push(field("log", format!("… {skipped} earlier lines")));
        }
        for (i, l) in log.iter().skip(skipped).enumerate() {
            let name = if i == 0 && skipped == 0 { "log" } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("    {name:<10}"), dim),
                Span::styled(bounded(l, 300), app.prefs.theme.error),
            ]));
        }
    }
    lines
}
