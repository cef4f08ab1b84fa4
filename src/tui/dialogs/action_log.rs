//! `L` / `:log`: every action taken here and by scripts, newest first,
//! and below them the server's own events (any client's actions).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::Outcome;
use crate::printable::{printable, thousands};
use crate::tui::app::App;
use crate::tui::keys::Context;
use crate::tui::keys::KeyAction;
use crate::tui::theme::popup_row;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActionLog {
    pub selected: usize,
}

impl ActionLog {
    /// `Go`: show the selected entry's activities; `entries`: how many.
    pub fn on_key(&mut self, action: Option<KeyAction>, entries: usize) -> Outcome {
        super::pick_or_close(&mut self.selected, action, entries)
    }
}

/// The action log: an entry a line (when, what, on what, how it ended),
/// the selected one opened below with what was sent.
pub fn lines(app: &App, selected: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    // Keep the selected entry on screen: show the ten around it.
    let first = selected.saturating_sub(9);
    for (i, r) in app.acting.log.iter().enumerate().skip(first).take(10) {
        let when =
            r.at.with_timezone(&app.clock.offset)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string();
        let style = if r.refused > 0 || r.changed < r.planned {
            app.prefs.theme.warning
        } else {
            Style::new()
        };
        let style = popup_row(style, i == selected);
        lines.push(Line::from(Span::styled(
            format!(
                "{when}  {:<8} {}: {}",
                r.action,
                printable(&r.picked),
                printable(&r.outcome)
            ),
            style,
        )));
    }
    if let Some(r) = app.acting.log.get(selected) {
        lines.push(Line::from(""));
        lines.push(Line::from(format!(
            "On {}: planned {}, changed {}, refused {}{}",
            printable(&r.server),
            thousands(r.planned),
            thousands(r.changed),
            thousands(r.refused),
            if r.only_changeable {
                " (only what could change was sent)"
            } else {
                ""
            }
        )));
        for q in r.sent.iter().take(3) {
            lines.push(Line::from(Span::styled(
                format!("  sent: {}", printable(q)),
                app.prefs.theme.dim,
            )));
        }
        if !r.ids.is_empty() {
            let shown: Vec<String> = r.ids.iter().take(12).map(u64::to_string).collect();
            let more = r.ids.len().saturating_sub(12);
            lines.push(Line::from(format!(
                "  {} ids: {}{}",
                if r.action == "reapply" || r.action == "revert" {
                    "new"
                } else {
                    "answered"
                },
                shown.join(" "),
                if more > 0 {
                    format!(" … and {more} more")
                } else {
                    String::new()
                }
            )));
        }
    }
    if app.acting.log.is_empty() {
        lines.push(Line::from(Span::styled(
            "No action taken here or by a script yet.",
            app.prefs.theme.dim,
        )));
    }
    lines.extend(server_event_lines(app));
    lines.push(Line::from(""));
    let key = |action| app.prefs.keymap.first(Context::Popup, action);
    lines.push(Line::from(Span::styled(
        format!(
            "{} / {} move · {} shows the entry's activities · {} closes",
            key(KeyAction::ScrollDown),
            key(KeyAction::ScrollUp),
            key(KeyAction::Open),
            key(KeyAction::Close)
        ),
        app.prefs.theme.dim,
    )));
    lines
}

/// The server's events log below the action log: what anyone did there
/// (the web UI, other operators' scripts), newest first.
fn server_event_lines(app: &App) -> Vec<Line<'static>> {
    let heading = |text: String| Line::from(Span::styled(text, app.prefs.theme.key));
    match &app.acting.server_events {
        None => vec![
            Line::from(""),
            Line::from(Span::styled(
                "Reading the server's events log …",
                app.prefs.theme.dim,
            )),
        ],
        Some(Ok(events)) if events.is_empty() => Vec::new(),
        Some(Ok(events)) => {
            let mut lines = vec![
                Line::from(""),
                heading(format!(
                    "The server's events log, last {} days (newest first):",
                    crate::tui::answer::SERVER_EVENTS_DAYS
                )),
            ];
            for e in events.iter().take(8) {
                let when = e
                    .creation_time
                    .with_timezone(&app.clock.offset)
                    .format("%Y-%m-%d %H:%M:%S");
                lines.push(Line::from(vec![
                    Span::styled(format!("{when}  "), app.prefs.theme.dim),
                    Span::raw(format!(
                        "{} · {} {}: {}",
                        printable(&e.person_name),
                        printable(&e.entity_type),
                        printable(&e.entity_name),
                        printable(&e.message)
                    )),
                ]));
            }
            lines
        }
        Some(Err(e)) => vec![
            Line::from(""),
            Line::from(Span::styled(
                format!(
                    "The server's events log could not be read: {}",
                    printable(e)
                ),
                app.prefs.theme.warning,
            )),
        ],
    }
}
