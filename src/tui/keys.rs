//! Every key binding, listed once: the help overlay and the status bar read
//! this table, and `update` matches on the same actions.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::model::ActionKind;

/// What a key asks for outside the query editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    EditQuery,
    NextPane,
    PrevPane,
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    Open,
    Mark,
    MarkAllShown,
    ClearMarks,
    Act(ActionKind),
    Refresh,
    TogglePause,
    ShowAllChildren,
    Copy,
    ShowRefusals,
    Help,
    Quit,
}

/// (keys shown, what they do, action)
pub const BINDINGS: &[(&str, &str, KeyAction)] = &[
    (
        "/",
        "edit the query (Enter run, Esc back, ↑/↓ history, Tab complete)",
        KeyAction::EditQuery,
    ),
    (
        "Tab / Shift-Tab",
        "next / previous pane",
        KeyAction::NextPane,
    ),
    ("j / ↓", "down", KeyAction::Down),
    ("k / ↑", "up", KeyAction::Up),
    ("g / Home", "first", KeyAction::Top),
    ("G / End", "last", KeyAction::Bottom),
    ("PgDn / PgUp", "page down / up", KeyAction::PageDown),
    (
        "Enter",
        "open the selected parent's children (in the tree: show changes)",
        KeyAction::Open,
    ),
    ("Space", "mark / unmark", KeyAction::Mark),
    ("*", "mark every activity shown", KeyAction::MarkAllShown),
    ("x", "clear marks", KeyAction::ClearMarks),
    ("a", "approve", KeyAction::Act(ActionKind::Approve)),
    ("c", "cancel", KeyAction::Act(ActionKind::Cancel)),
    ("R", "reapply", KeyAction::Act(ActionKind::Reapply)),
    ("u", "revert", KeyAction::Act(ActionKind::Revert)),
    ("r", "refresh now", KeyAction::Refresh),
    ("p", "pause / resume auto-refresh", KeyAction::TogglePause),
    (
        "A",
        "children: show all / only matching",
        KeyAction::ShowAllChildren,
    ),
    ("y", "copy the detail JSON (OSC 52)", KeyAction::Copy),
    ("e", "show the last refusals", KeyAction::ShowRefusals),
    ("?", "help", KeyAction::Help),
    ("q / Ctrl-C", "quit", KeyAction::Quit),
];

/// The action a key stands for in the panes.
pub fn action(key: &KeyEvent) -> Option<KeyAction> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('c') if ctrl => KeyAction::Quit,
        KeyCode::Char('/') => KeyAction::EditQuery,
        KeyCode::Tab => KeyAction::NextPane,
        KeyCode::BackTab => KeyAction::PrevPane,
        KeyCode::Char('j') | KeyCode::Down => KeyAction::Down,
        KeyCode::Char('k') | KeyCode::Up => KeyAction::Up,
        KeyCode::Char('g') | KeyCode::Home => KeyAction::Top,
        KeyCode::Char('G') | KeyCode::End => KeyAction::Bottom,
        KeyCode::PageDown => KeyAction::PageDown,
        KeyCode::PageUp => KeyAction::PageUp,
        KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') => KeyAction::Open,
        KeyCode::Char(' ') => KeyAction::Mark,
        KeyCode::Char('*') => KeyAction::MarkAllShown,
        KeyCode::Char('x') => KeyAction::ClearMarks,
        KeyCode::Char('a') => KeyAction::Act(ActionKind::Approve),
        KeyCode::Char('c') => KeyAction::Act(ActionKind::Cancel),
        KeyCode::Char('R') => KeyAction::Act(ActionKind::Reapply),
        KeyCode::Char('u') => KeyAction::Act(ActionKind::Revert),
        KeyCode::Char('r') => KeyAction::Refresh,
        KeyCode::Char('p') => KeyAction::TogglePause,
        KeyCode::Char('A') => KeyAction::ShowAllChildren,
        KeyCode::Char('y') => KeyAction::Copy,
        KeyCode::Char('e') => KeyAction::ShowRefusals,
        KeyCode::Char('?') => KeyAction::Help,
        KeyCode::Char('q') => KeyAction::Quit,
        _ => return None,
    })
}
