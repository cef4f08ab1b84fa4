//! The panes' own rooms: which has focus and fills the screen, the
//! selected group's children, and the detail's scroll and search.

use std::collections::HashSet;

use crate::model::Activity;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    List,
    Children,
    Detail,
}

/// The selected parent's children.
#[derive(Debug, Clone, Default)]
pub struct ChildrenState {
    pub parent: Option<u64>,
    pub rows: Vec<Activity>,
    pub selected: usize,
    /// Children whose changes are shown.
    pub expanded: HashSet<u64>,
    /// All children, or only those the query matches.
    pub show_all: bool,
    pub loading: bool,
    /// Whether `rows` are only the children the query matches.
    pub filtered: bool,
    /// The parent matches the query in its own right, so every child is
    /// in an action's scope.
    pub brought: bool,
}

/// The detail pane's own state: where it is scrolled, and the zoomed
/// text view's search. (Zoom itself is the layout's: any pane can fill
/// the screen.)
#[derive(Debug, Clone, Default)]
pub struct DetailState {
    pub scroll: u16,
    /// Columns the zoomed detail's JSON is scrolled right.
    pub hscroll: u16,
    /// What the zoomed detail searches for (`f`; `n` / `N` move).
    pub search: String,
    /// The text view's line of the current match.
    pub search_at: Option<usize>,
}

/// The screen: which pane has focus, whether it fills the screen, and
/// the terminal's size (set by the loop).
#[derive(Debug, Clone)]
pub struct Screen {
    pub focus: Pane,
    /// The focused pane fills the screen.
    pub zoomed: bool,
    pub size: (u16, u16),
    /// The operator asked to leave: the loop ends.
    pub quit: bool,
}

impl Default for Screen {
    fn default() -> Screen {
        Screen {
            focus: Pane::List,
            zoomed: false,
            size: (80, 24),
            quit: false,
        }
    }
}
