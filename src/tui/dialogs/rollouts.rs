//! `:rollouts`: each rollout, newest first: its waves as progress bars
//! (final of each wave's share, failures, the gate's reading), where it
//! stands, and the keys to pause, go on past a crossed gate or stop.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::Outcome;
use crate::model::rollout::run::Stand;
use crate::printable::printable;
use crate::tui::app::App;
use crate::tui::keys::{KeyAction, moved};
use crate::tui::rollouts::Tracked;
use crate::tui::theme::popup_row;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rollouts {
    pub selected: usize,
}

impl Rollouts {
    /// `len`: how many rollouts there are.
    pub fn on_key(&mut self, action: Option<KeyAction>, len: usize) -> Outcome {
        if let Some(moved) = moved(action, self.selected, len) {
            self.selected = moved;
            return Outcome::Stay;
        }
        match action {
            Some(KeyAction::Open) => Outcome::Go,
            Some(KeyAction::TogglePause) => Outcome::Toggle,
            Some(KeyAction::Approve) => Outcome::Proceed,
            Some(KeyAction::Cancel) => Outcome::Remove,
            Some(KeyAction::Close) => Outcome::Closed,
            _ => Outcome::Stay,
        }
    }
}

/// Cells of a wave's bar.
const BAR: u64 = 12;

pub fn lines(app: &App, selected: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    // The selected one first on screen, and those after it.
    for (i, t) in app
        .rollouts
        .list
        .iter()
        .rev()
        .enumerate()
        .skip(selected.saturating_sub(1))
        .take(3)
    {
        let style = if !t.is_active() {
            app.prefs.theme.dim
        } else if t.run.count(|s| s == Stand::Failed) > 0 {
            app.prefs.theme.warning
        } else {
            Style::new()
        };
        let since = t.since.with_timezone(&app.clock.offset).format("%H:%M");
        let gate = t
            .run
            .gate
            .map(|g| format!(" · gate {g}"))
            .unwrap_or_default();
        let auto = if t.auto { " · --auto" } else { "" };
        lines.push(Line::from(Span::styled(
            format!(
                "#{:<3} since {since}  {}{gate}{auto}",
                t.number,
                printable(&t.label)
            ),
            popup_row(style, i == selected),
        )));
        lines.extend(
            waves(t)
                .into_iter()
                .map(|w| Line::from(Span::styled(w, style))),
        );
        lines.push(Line::from(Span::styled(
            format!("      {}", printable(&t.phase)),
            style,
        )));
    }
    lines.push(Line::from(""));
    lines.push(super::keys_line(
        (&app.prefs.theme, &app.prefs.keymap),
        &[
            (KeyAction::TogglePause, "pauses/resumes"),
            (KeyAction::Approve, "goes on past the gate"),
            (KeyAction::Cancel, "stops"),
            (KeyAction::Open, "shows what waits"),
        ],
    ));
    lines
}

/// "  1   10% ████████████  4/4 final · 1 failed · held"
fn waves(t: &Tracked) -> Vec<String> {
    let tallies = t.run.by_wave();
    let mut from = 0;
    tallies
        .iter()
        .enumerate()
        .map(|(k, tally)| {
            let size = t.run.targets[k] - from;
            from = t.run.targets[k];
            let n = |s: Stand| tally.get(&s).copied().unwrap_or(0);
            let final_ = n(Stand::Succeeded) + n(Stand::Failed) + n(Stand::Canceled);
            let filled = (final_ * BAR).checked_div(size).unwrap_or(0).min(BAR);
            let failed = match n(Stand::Failed) {
                0 => String::new(),
                f => format!(" · {f} failed"),
            };
            let gate = match t.run.facts[k].gate {
                Some((_, true)) => " · held",
                Some((_, false)) => " · CROSSED",
                None => "",
            };
            format!(
                "  {:<3}{:>5} {}{} {final_}/{size} final{failed}{gate}",
                k + 1,
                t.run.waves[k].to_string(),
                "█".repeat(filled as usize),
                "░".repeat((BAR - filled) as usize),
            )
        })
        .collect()
}
