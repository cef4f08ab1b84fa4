//! The key table: every binding, where it works, its keys and how the
//! help and the footer say it; the help's contexts and notes.

use ratatui::crossterm::event::KeyCode;

use super::chord::{Chord, ch, ctrl, key, keys_text};
use super::{Context, KeyAction};

/// One binding: where, what, which keys, and how the help and the footer
/// say it.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub context: Context,
    pub action: KeyAction,
    pub keys: &'static [Chord],
    pub help: &'static str,
    /// The footer's short label, for the bindings the footer shows.
    pub footer: Option<&'static str>,
}

impl Binding {
    /// The default keys as the help writes them: `j / ↓`.
    pub fn keys_text(&self) -> String {
        keys_text(self.keys)
    }
}

const fn bind(
    context: Context,
    action: KeyAction,
    keys: &'static [Chord],
    help: &'static str,
    footer: Option<&'static str>,
) -> Binding {
    Binding {
        context,
        action,
        keys,
        help,
        footer,
    }
}

use Context::{Confirm as InConfirm, Editor, Panes, Popup};
use KeyAction as A;

/// Every binding. Order is the help's order; within a context, the first
/// binding a key matches wins.
#[rustfmt::skip]
pub const TABLE: &[Binding] = &[
    bind(Panes, A::EditQuery, &[ch('/')], "edit the query", Some("query")),
    bind(Panes, A::NextPane, &[key(KeyCode::Tab)], "next pane", None),
    bind(Panes, A::PrevPane, &[key(KeyCode::BackTab)], "previous pane", None),
    bind(Panes, A::Down, &[ch('j'), key(KeyCode::Down)], "down", None),
    bind(Panes, A::Up, &[ch('k'), key(KeyCode::Up)], "up", None),
    bind(Panes, A::Top, &[ch('g'), key(KeyCode::Home)], "first", None),
    bind(Panes, A::Bottom, &[ch('G'), key(KeyCode::End)], "last", None),
    bind(Panes, A::PageDown, &[key(KeyCode::PageDown)], "page down", None),
    bind(Panes, A::PageUp, &[key(KeyCode::PageUp)], "page up", None),
    bind(Panes, A::Open, &[key(KeyCode::Enter), key(KeyCode::Right), ch('l')], "open the selected parent's children (in the tree: show changes; in the detail: scroll right)", None),
    bind(Panes, A::Mark, &[ch(' ')], "mark / unmark (the cursor stays)", None),
    bind(Panes, A::MarkAllShown, &[ch('*')], "mark every match of the query (children: those it takes)", None),
    bind(Panes, A::ClearMarks, &[ch('x')], "clear marks", None),
    bind(Panes, A::RangeMark, &[ch('V')], "mark a range: V, move, V again (Esc stops)", None),
    bind(Panes, A::Approve, &[ch('a')], "approve", Some("approve")),
    bind(Panes, A::Cancel, &[ch('c')], "cancel", Some("cancel")),
    bind(Panes, A::Reapply, &[ch('R')], "reapply", Some("reapply")),
    bind(Panes, A::Revert, &[ch('u')], "revert", Some("revert")),
    bind(Panes, A::Refresh, &[ch('r')], "refresh now", None),
    bind(Panes, A::TogglePause, &[ch('p')], "pause / resume auto-refresh", None),
    bind(Panes, A::ShowAllChildren, &[ch('A')], "children: show all / only matching", None),
    bind(Panes, A::Copy, &[ch('y')], "copy: JSON, id, result text or web UI link (OSC 52)", None),
    bind(Panes, A::OpenInWebUi, &[ch('o')], "open the activity in Landscape's web UI", None),
    bind(Panes, A::ShowRefusals, &[ch('e')], "show the last refusals", None),
    bind(Panes, A::ActionLog, &[ch('L')], "the action log: what was done and refused, newest first (also :log)", None),
    bind(Panes, A::Messages, &[ch('M')], "every message, whole, newest first (also :messages)", None),
    bind(Panes, A::Sort, &[ch('s')], "sort by the next column (created, status, type, summary, children, computers)", Some("sort")),
    bind(Panes, A::ReverseSort, &[ch('S')], "reverse the sort order", None),
    bind(Panes, A::Zoom, &[ch('z')], "zoom: the focused pane full screen (the detail as text beside its JSON)", None),
    bind(Panes, A::Back, &[key(KeyCode::Esc)], "back: from the zoom and the search, then from a jump", None),
    bind(Panes, A::JumpToComputer, &[ch('C')], "the activity's computer: all its activities", None),
    bind(Panes, A::Clusters, &[ch('F')], "failure clusters: the query's failures (or the open group's) by what went wrong (also :clusters)", None),
    bind(Panes, A::Health, &[ch('H')], "health picture: the query's activities by status, failures per hour (also :health)", None),
    bind(Panes, A::Watch, &[ch('w')], "watch: told of a failure and the end (again: stop)", None),
    bind(Panes, A::Find, &[ch('f')], "find text in the detail (zooms it)", None),
    bind(Panes, A::NextMatch, &[ch('n')], "next match", None),
    bind(Panes, A::PrevMatch, &[ch('N')], "previous match", None),
    bind(Panes, A::ScrollLeft, &[ch('h'), key(KeyCode::Left)], "detail: scroll left", None),
    bind(Panes, A::Command, &[ch(':')], "command line (Tab completes): sort, view, theme, export, profile, columns, computer, back, clusters, health, gauges, watch, watches, guard, rollout, rollouts, operations, log, messages, stop, q", Some("command")),
    bind(Panes, A::Help, &[ch('?')], "help", Some("help")),
    bind(Panes, A::Quit, &[ch('q'), ctrl('c')], "quit", Some("quit")),
    bind(Editor, A::RunQuery, &[key(KeyCode::Enter)], "run the query (or take the completion)", Some("run")),
    bind(Editor, A::LeaveEditor, &[key(KeyCode::Esc)], "back, the query as it was (or close the completions)", Some("back")),
    bind(Editor, A::Complete, &[key(KeyCode::Tab)], "complete the word at the cursor (again: next completion)", Some("complete")),
    bind(Editor, A::HistoryBack, &[key(KeyCode::Up)], "older query (in completions: up)", None),
    bind(Editor, A::HistoryForward, &[key(KeyCode::Down)], "newer query (in completions: down)", None),
    bind(Editor, A::Quit, &[ctrl('c')], "quit", None),
    bind(InConfirm, A::Confirm, &[ch('y')], "go ahead", None),
    bind(InConfirm, A::OtherChoice, &[key(KeyCode::Tab)], "on one group: what the query brings, or the whole group", None),
    bind(InConfirm, A::Close, &[ch('n'), key(KeyCode::Esc), ch('q')], "abort: nothing changes", None),
    bind(InConfirm, A::Quit, &[ctrl('c')], "quit", None),
    bind(Popup, A::ScrollDown, &[ch('j'), key(KeyCode::Down)], "scroll down", None),
    bind(Popup, A::ScrollUp, &[ch('k'), key(KeyCode::Up)], "scroll up", None),
    bind(Popup, A::PageDown, &[key(KeyCode::PageDown), ch(' ')], "scroll a page down", None),
    bind(Popup, A::PageUp, &[key(KeyCode::PageUp)], "scroll a page up", None),
    bind(Popup, A::Open, &[key(KeyCode::Enter), ch('o')], "action log: show the entry's activities; clusters: show the cluster (or open the computer); elsewhere: close", None),
    bind(Popup, A::NextPane, &[key(KeyCode::Tab)], "clusters: between the clusters and the selected one's computers", None),
    bind(Popup, A::Watch, &[ch('w')], "watches: stop watching it; operations: watch it (notified at its end)", None),
    bind(Popup, A::TogglePause, &[ch('p')], "rollouts: pause / resume the selected one", None),
    bind(Popup, A::Approve, &[ch('a')], "rollouts: go on past a crossed gate (the next wave asks first)", None),
    bind(Popup, A::Cancel, &[ch('c')], "rollouts: stop the selected one (what is not released stays unapproved; again: forget it)", None),
    bind(Popup, A::Mark, &[ch('m')], "clusters: mark the cluster's activities", None),
    bind(Popup, A::JumpToComputer, &[ch('C')], "clusters: the (selected) computer's activities", None),
    bind(Popup, A::Refresh, &[ch('r')], "clusters: read the failures again", None),
    bind(Popup, A::Close, &[key(KeyCode::Esc), ch('q'), ch('n'), ch('?'), ch('e')], "close", None),
    bind(Popup, A::Quit, &[ctrl('c')], "quit", None),
];

/// The contexts in the order the help lists them.
pub const HELP_CONTEXTS: [Context; 4] = [
    Context::Panes,
    Context::Editor,
    Context::Confirm,
    Context::Popup,
];

/// What the help says after the bindings.
pub const HELP_NOTES: [&str; 3] = [
    "Query: status:failed computer:tag:web OR computer:tag:db NOT creator:bot@example.com",
    "Children column: succeeded / pending / failed-or-canceled children (ok/pending/bad)",
    "A real server: set LANDSCAPE_API_URI with LANDSCAPE_API_KEY and LANDSCAPE_API_SECRET \
     (or LANDSCAPE_EMAIL and LANDSCAPE_PASSWORD), or run with --profile NAME from \
     ~/.config/landscape-tui/config.toml (see config.example.toml)",
];

/// Lines in the help: a heading and the bindings of each context, blank
/// lines between, the `views` saved views under their own heading, then
/// the notes.
pub fn help_len(views: usize) -> usize {
    let views = if views == 0 { 0 } else { views + 2 };
    HELP_CONTEXTS.len() * 2 + TABLE.len() + views + HELP_NOTES.len()
}
