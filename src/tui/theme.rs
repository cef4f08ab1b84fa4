//! Colours and symbols, in one place.

use ratatui::style::{Color, Modifier, Style};

use crate::model::ActivityStatus;

/// Symbol and colour of a status, readable without colour too.
pub fn status(s: Option<&ActivityStatus>) -> (&'static str, Style) {
    let (symbol, color) = match s {
        Some(ActivityStatus::Succeeded) => ("✔", Color::Green),
        Some(ActivityStatus::Failed) => ("✘", Color::Red),
        Some(ActivityStatus::Canceled) => ("⊘", Color::DarkGray),
        Some(ActivityStatus::Unapproved) => ("?", Color::Yellow),
        Some(ActivityStatus::Undelivered) => ("…", Color::Cyan),
        Some(ActivityStatus::Scheduled) => ("◷", Color::Cyan),
        Some(ActivityStatus::Delivered) => ("▶", Color::Blue),
        Some(ActivityStatus::Waiting) => ("⧗", Color::Magenta),
        Some(ActivityStatus::Blocked) => ("■", Color::Magenta),
        Some(ActivityStatus::Other(_)) | None => ("·", Color::Gray),
    };
    (symbol, Style::new().fg(color))
}

pub const GOOD: Color = Color::Green;
pub const WARNING: Color = Color::Yellow;
pub const BAD: Color = Color::Red;

pub fn focused_border() -> Style {
    Style::new().fg(Color::Cyan)
}

pub fn border() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

pub fn marked() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}

pub fn flash() -> Style {
    Style::new().bg(Color::Rgb(40, 70, 40))
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn key() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

pub fn error() -> Style {
    Style::new().fg(Color::Red)
}

pub fn warning() -> Style {
    Style::new().fg(Color::Yellow)
}

pub fn success() -> Style {
    Style::new().fg(Color::Green)
}
