//! The popups: each is one file with its state, its keys and its lines.

pub mod confirm;
pub mod copy_menu;
pub mod refusals;

use crate::model::{ActionKind, Refusal};

pub use confirm::{Choice, Confirm};
pub use refusals::RefusedWhen;

#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Confirm(Box<Confirm>),
    Refusals {
        kind: ActionKind,
        refusals: Vec<Refusal>,
        /// Refused but not listed by the server (it lists a few hundred).
        unlisted: usize,
        when: RefusedWhen,
    },
    Help {
        scroll: u16,
    },
    /// `:messages`: every message said, newest first, whole.
    Messages {
        scroll: u16,
    },
    /// The action log, newest first, the entry `selected` highlighted.
    ActionLog {
        selected: usize,
    },
    /// `:clusters`: the failures grouped ([`App::clusters`]).
    Clusters,
    /// One of the operator's commands, `confirm = true`: run it?
    RunCommand {
        name: String,
        argv: Vec<String>,
        mode: super::user_commands::Mode,
    },
    /// `y`: what of the detail's activity to copy.
    CopyMenu {
        selected: usize,
    },
    /// `:watches`, newest first, the watch `selected` highlighted.
    Watches {
        selected: usize,
    },
    /// `:profile NAME` with marks set: leaving drops them.
    SwitchProfile {
        name: String,
        marks: usize,
    },
}
