//! The popups. Each is one file: its state, its keys (which change only
//! the popup and return an [`Outcome`] for `update` to carry out) and its
//! lines. `view::popups` boxes them; `update::dialogs` routes their keys.

pub mod action_log;
pub mod clusters;
pub mod confirm;
pub mod copy_menu;
pub mod help;
pub mod messages;
pub mod operations;
pub mod refusals;
pub mod rollouts;
pub mod run_command;
pub mod switch_profile;
pub mod watches;

use ratatui::text::{Line, Span};

use crate::tui::keys::{Context, KeyAction, Keymap, moved};
use crate::tui::theme::Theme;

pub use action_log::ActionLog;
pub use clusters::ClustersState;
pub use confirm::{Choice, Confirm};
pub use copy_menu::CopyMenu;
pub use help::Help;
pub use messages::Messages;
pub use operations::Operations;
pub use refusals::{Refusals, RefusedWhen};
pub use rollouts::Rollouts;
pub use run_command::RunCommand;
pub use switch_profile::SwitchProfile;
pub use watches::Watches;

/// The popup on screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Confirm(Box<Confirm>),
    Refusals(Refusals),
    Help(Help),
    Messages(Messages),
    ActionLog(ActionLog),
    /// `:clusters`: the failures grouped (their state is `App::clusters`,
    /// where their answer comes).
    Clusters,
    RunCommand(RunCommand),
    CopyMenu(CopyMenu),
    Watches(Watches),
    Rollouts(Rollouts),
    SwitchProfile(SwitchProfile),
    Operations(Operations),
}

/// What a key in a popup comes to, for `update` to carry out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The popup stays (its cursor or scroll may have moved).
    Stay,
    /// Closed, nothing done.
    Closed,
    /// Its yes: confirm, run, switch, copy the choice, open the entry.
    Go,
    /// `w` in the watches: stop watching the selected one; `c` in the
    /// rollouts: stop the selected one.
    Remove,
    /// The clusters: open this computer of the selected cluster.
    OpenComputer(usize),
    /// The clusters: mark the selected cluster's members.
    Mark,
    /// The clusters: read them again.
    Reread,
    /// The rollouts: pause or resume the selected one.
    Toggle,
    /// The rollouts: go on past the selected one's crossed gate.
    Proceed,
}

/// A scrolled text popup's key: scrolls within `0..=last`, or closes.
fn scroll_or_close(scroll: &mut u16, action: Option<KeyAction>, last: usize) -> Outcome {
    if let Some(by) = action.and_then(KeyAction::step) {
        let last = i64::try_from(last).unwrap_or(i64::MAX);
        *scroll = (i64::from(*scroll) + by).clamp(0, last) as u16;
        return Outcome::Stay;
    }
    match action {
        Some(KeyAction::Close | KeyAction::Open) => Outcome::Closed,
        _ => Outcome::Stay,
    }
}

/// A list popup's key: moves within `len` entries, opens one, or closes.
fn pick_or_close(selected: &mut usize, action: Option<KeyAction>, len: usize) -> Outcome {
    if let Some(moved) = moved(action, *selected, len) {
        *selected = moved;
        return Outcome::Stay;
    }
    match action {
        Some(KeyAction::Open) => Outcome::Go,
        Some(KeyAction::Close) => Outcome::Closed,
        _ => Outcome::Stay,
    }
}

/// A yes/no popup's key.
fn yes_or_no(action: Option<KeyAction>) -> Outcome {
    match action {
        Some(KeyAction::Close) => Outcome::Closed,
        Some(KeyAction::Confirm) => Outcome::Go,
        _ => Outcome::Stay,
    }
}

/// A scrolled box's title with its keys: " Keys (j / k scroll, Esc closes) ".
pub fn scrolled_title(keymap: &Keymap, name: &str) -> String {
    let key = |action| keymap.first(Context::Popup, action);
    format!(
        " {name} ({} / {} scroll, {} closes) ",
        key(KeyAction::ScrollDown),
        key(KeyAction::ScrollUp),
        key(KeyAction::Close)
    )
}

/// A yes/no box's last line: the keys that go ahead and those that do not.
pub(super) fn go_or_stay(prefs: (&Theme, &Keymap), go: &str, stay: &str) -> Line<'static> {
    let (theme, keymap) = prefs;
    Line::from(vec![
        Span::styled(go_keys(keymap), theme.key),
        Span::raw(format!(" {go}   ")),
        Span::styled(close_keys(keymap), theme.key),
        Span::raw(format!(" {stay}")),
    ])
}

/// A list popup's last line: each key as the keymap has it, then what it
/// does ("Enter copies   Esc closes").
pub(super) fn keys_line(prefs: (&Theme, &Keymap), keys: &[(KeyAction, &str)]) -> Line<'static> {
    let (theme, keymap) = prefs;
    let mut spans = Vec::new();
    for (i, (action, does)) in keys.iter().enumerate() {
        let gap = if i + 1 < keys.len() { "   " } else { "" };
        spans.push(Span::styled(
            keymap.first(Context::Popup, *action),
            theme.key,
        ));
        spans.push(Span::raw(format!(" {does}{gap}")));
    }
    Line::from(spans)
}

/// The keys that go ahead in a dialog: `y / Enter`.
pub(super) fn go_keys(keymap: &Keymap) -> String {
    keymap.hint(Context::Confirm, KeyAction::Confirm)
}

/// The keys that close a dialog, nothing done: `n / Esc`.
pub(super) fn close_keys(keymap: &Keymap) -> String {
    keymap.hint(Context::Confirm, KeyAction::Close)
}

/// `s` with a capital first letter.
pub(super) fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
