//! Every style on screen, by what it is for: views take their colours
//! from a [`Theme`] value in the app state, never from colour literals, so
//! a theme is swapped by replacing one value.

use ratatui::style::{Color, Modifier, Style};

use crate::model::ActivityStatus;

/// Named styles, one per thing on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub border: Style,
    pub focused_border: Style,
    /// The selected row.
    pub selected: Style,
    /// A marked row.
    pub marked: Style,
    /// A row an action just changed.
    pub flash: Style,
    /// Secondary text: hints, counts, placeholders.
    pub dim: Style,
    /// Key names, ids, and other things to find at a glance.
    pub key: Style,
    pub error: Style,
    pub warning: Style,
    pub success: Style,
    /// Children counts by health: succeeded, pending, failed or canceled.
    pub good: Style,
    pub pending: Style,
    pub bad: Style,
    /// The query bar's highlighting.
    pub query_key: Style,
    pub query_value: Style,
    pub query_keyword: Style,
    /// The JSON detail pane.
    pub json_key: Style,
    pub json_value: Style,
    /// Progress gauges, running and failed.
    pub gauge: Style,
    pub gauge_failed: Style,
    pub json_number: Style,
    pub json_literal: Style,
    /// The status bar's badges: the backend (embedded engine or server)
    /// and read-only.
    pub badge_engine: Style,
    pub badge_server: Style,
    pub badge_read_only: Style,
    /// Each status's style (its symbol is in [`status_symbol`]).
    pub succeeded: Style,
    pub failed: Style,
    pub canceled: Style,
    pub unapproved: Style,
    pub queued: Style,
    pub in_progress: Style,
    pub held: Style,
    pub unknown_status: Style,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme::dark()
    }
}

impl Theme {
    /// The default: for a dark terminal background.
    pub fn dark() -> Theme {
        let fg = |c: Color| Style::new().fg(c);
        Theme {
            border: fg(Color::DarkGray),
            focused_border: fg(Color::Cyan),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            marked: fg(Color::Yellow).add_modifier(Modifier::BOLD),
            flash: Style::new().bg(Color::Rgb(40, 70, 40)),
            dim: fg(Color::DarkGray),
            key: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            error: fg(Color::Red),
            warning: fg(Color::Yellow),
            success: fg(Color::Green),
            good: fg(Color::Green),
            pending: fg(Color::Yellow),
            bad: fg(Color::Red),
            query_key: fg(Color::Cyan),
            query_value: fg(Color::Green),
            query_keyword: fg(Color::Magenta).add_modifier(Modifier::BOLD),
            json_key: fg(Color::Cyan),
            json_value: fg(Color::Green),
            gauge: fg(Color::Blue).bg(Color::Black),
            gauge_failed: fg(Color::Red),
            json_number: fg(Color::Magenta),
            json_literal: fg(Color::Yellow),
            badge_engine: fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            badge_server: fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            badge_read_only: fg(Color::Black).bg(Color::Red),
            succeeded: fg(Color::Green),
            failed: fg(Color::Red),
            canceled: fg(Color::DarkGray),
            unapproved: fg(Color::Yellow),
            queued: fg(Color::Cyan),
            in_progress: fg(Color::Blue),
            held: fg(Color::Magenta),
            unknown_status: fg(Color::Gray),
        }
    }

    /// A status's symbol and style, readable without colour too.
    pub fn status(&self, s: Option<&ActivityStatus>) -> (&'static str, Style) {
        let style = match s {
            Some(ActivityStatus::Succeeded) => self.succeeded,
            Some(ActivityStatus::Failed) => self.failed,
            Some(ActivityStatus::Canceled) => self.canceled,
            Some(ActivityStatus::Unapproved) => self.unapproved,
            Some(ActivityStatus::Undelivered | ActivityStatus::Scheduled) => self.queued,
            Some(ActivityStatus::Delivered) => self.in_progress,
            Some(ActivityStatus::Waiting | ActivityStatus::Blocked) => self.held,
            Some(ActivityStatus::Other(_)) | None => self.unknown_status,
        };
        (status_symbol(s), style)
    }
}

/// A status's symbol: the status reads without colour.
pub fn status_symbol(s: Option<&ActivityStatus>) -> &'static str {
    match s {
        Some(ActivityStatus::Succeeded) => "✔",
        Some(ActivityStatus::Failed) => "✘",
        Some(ActivityStatus::Canceled) => "⊘",
        Some(ActivityStatus::Unapproved) => "?",
        Some(ActivityStatus::Undelivered) => "…",
        Some(ActivityStatus::Scheduled) => "◷",
        Some(ActivityStatus::Delivered) => "▶",
        Some(ActivityStatus::Waiting) => "⧗",
        Some(ActivityStatus::Blocked) => "■",
        Some(ActivityStatus::Other(_)) | None => "·",
    }
}
