//! Every key binding, as data: `update` dispatches through [`action`], the
//! help overlay lists [`TABLE`], and the footer shows the bindings that
//! have a footer label. A key that works is a key the help names.
//!
//! Here: where a key is read and what it does; `chord.rs` one key,
//! `table.rs` every binding, `keymap.rs` the operator's keys over them.

use crate::model::ActionKind;

mod chord;
mod keymap;
mod table;

pub use chord::{Chord, keys_text};
pub use keymap::Keymap;
pub use table::{Binding, HELP_CONTEXTS, HELP_NOTES, TABLE, help_len};

/// Where a key is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The list, the children and the detail.
    Panes,
    /// Typing a query.
    Editor,
    /// The confirmation of an action.
    Confirm,
    /// The refusals of the last action, or the help.
    Popup,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Panes => "Panes",
            Context::Editor => "Query editor, search and command line",
            Context::Confirm => "Confirmation",
            Context::Popup => "Help and refusals",
        }
    }
}

/// The actions, each with the name a `[keys]` entry gives it: one list,
/// from which the enum, [`KeyAction::ALL`] and [`KeyAction::name`] are made.
macro_rules! key_actions {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal,)*) => {
        /// What a key asks for.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum KeyAction {
            $($(#[doc = $doc])* $variant,)*
        }

        impl KeyAction {
            /// Every action, in the list's order.
            pub const ALL: &[KeyAction] = &[$(KeyAction::$variant,)*];

            /// The name a `[keys]` config entry gives the action.
            pub fn name(self) -> &'static str {
                match self {
                    $(KeyAction::$variant => $name,)*
                }
            }
        }
    };
}

key_actions! {
    EditQuery = "edit-query",
    NextPane = "next-pane",
    PrevPane = "prev-pane",
    Down = "down",
    Up = "up",
    Top = "top",
    Bottom = "bottom",
    PageDown = "page-down",
    PageUp = "page-up",
    Open = "open",
    Mark = "mark",
    MarkAllShown = "mark-all",
    ClearMarks = "clear-marks",
    Approve = "approve",
    Cancel = "cancel",
    Reapply = "reapply",
    Revert = "revert",
    Refresh = "refresh",
    TogglePause = "pause",
    ShowAllChildren = "show-all-children",
    Copy = "copy",
    /// The activity in Landscape's web UI (the system's opener).
    OpenInWebUi = "open-in-web-ui",
    ShowRefusals = "show-refusals",
    /// The action log, newest first.
    ActionLog = "action-log",
    /// Every message said, whole, newest first.
    Messages = "messages",
    /// Marks every row between here and where the cursor goes next.
    RangeMark = "range-mark",
    Help = "help",
    Quit = "quit",
    /// The list: next sort column / reverse the order.
    Sort = "sort",
    ReverseSort = "reverse-sort",
    /// The focused pane full screen, and back.
    Zoom = "zoom",
    Back = "back",
    JumpToComputer = "jump-to-computer",
    /// The failures of the query grouped by what went wrong.
    Clusters = "clusters",
    /// The health picture above the list, shown or hidden.
    Health = "health",
    /// Watch the selected or marked activities (again: stop).
    Watch = "watch",
    /// The zoomed detail: type a search; next and previous match.
    Find = "find",
    NextMatch = "next-match",
    PrevMatch = "prev-match",
    /// The detail's JSON: scroll left (Open scrolls right).
    ScrollLeft = "scroll-left",
    /// The `:` command line.
    Command = "command",
    /// Editor: run the query (or take the highlighted completion).
    RunQuery = "run",
    /// Editor: back to the panes, the query as it was (or close the
    /// completions).
    LeaveEditor = "leave",
    /// Editor: complete the word at the cursor (or the next completion).
    Complete = "complete",
    /// Editor: older / newer query from history (or move in completions).
    HistoryBack = "history-back",
    HistoryForward = "history-forward",
    /// Dialogs: go ahead.
    Confirm = "confirm",
    /// A confirmation on one group: what the query brings, or the whole.
    OtherChoice = "other-choice",
    /// Dialogs: close, nothing done.
    Close = "close",
    /// Help: scroll.
    ScrollDown = "scroll-down",
    ScrollUp = "scroll-up",
}

impl KeyAction {
    /// The Landscape action the key starts, if it starts one.
    pub fn act(self) -> Option<ActionKind> {
        match self {
            KeyAction::Approve => Some(ActionKind::Approve),
            KeyAction::Cancel => Some(ActionKind::Cancel),
            KeyAction::Reapply => Some(ActionKind::Reapply),
            KeyAction::Revert => Some(ActionKind::Revert),
            _ => None,
        }
    }
}

impl KeyAction {
    /// How far a list or a text moves on this key: a line, or a page of 10.
    pub fn step(self) -> Option<i64> {
        match self {
            KeyAction::ScrollDown => Some(1),
            KeyAction::ScrollUp => Some(-1),
            KeyAction::PageDown => Some(10),
            KeyAction::PageUp => Some(-10),
            _ => None,
        }
    }
}

/// A popup list's selection after `action`, kept within its `len`
/// entries; `None` when the action does not move it.
pub fn moved(action: Option<KeyAction>, at: usize, len: usize) -> Option<usize> {
    let by = action?.step()?;
    let last = len.saturating_sub(1) as i64;
    Some((at as i64 + by).clamp(0, last) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_binding_and_its_own_name() {
        for a in KeyAction::ALL {
            assert!(TABLE.iter().any(|b| b.action == *a), "{a:?} has no binding");
            let same: Vec<_> = KeyAction::ALL
                .iter()
                .filter(|b| b.name() == a.name())
                .collect();
            assert_eq!(same.len(), 1, "{} names {same:?}", a.name());
        }
    }

    #[test]
    fn no_key_means_two_things_in_one_context() {
        for (i, a) in TABLE.iter().enumerate() {
            for b in &TABLE[i + 1..] {
                if a.context != b.context {
                    continue;
                }
                for k in a.keys {
                    assert!(
                        !b.keys.contains(k),
                        "{} is bound to {:?} and {:?}",
                        k.name(),
                        a.action,
                        b.action
                    );
                }
            }
        }
    }
}
