//! Every key binding, as data: `update` dispatches through [`action`], the
//! help overlay lists [`TABLE`], and the footer shows the bindings that
//! have a footer label. A key that works is a key the help names.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::model::ActionKind;

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

/// One key: a code with or without Ctrl or Alt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chord {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

const fn key(code: KeyCode) -> Chord {
    Chord {
        code,
        ctrl: false,
        alt: false,
    }
}

const fn ch(c: char) -> Chord {
    key(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Chord {
    Chord {
        code: KeyCode::Char(c),
        ctrl: true,
        alt: false,
    }
}

impl Chord {
    /// A plain character key.
    pub const fn char(c: char) -> Chord {
        ch(c)
    }

    /// Whether the key types a character where text is typed.
    pub fn types(&self) -> bool {
        matches!(self.code, KeyCode::Char(_)) && !self.ctrl && !self.alt
    }

    pub fn matches(&self, event: &KeyEvent) -> bool {
        self.code == event.code
            && self.ctrl == event.modifiers.contains(KeyModifiers::CONTROL)
            && self.alt == event.modifiers.contains(KeyModifiers::ALT)
    }

    /// Reads a key as the config writes it: `a`, `A`, `ctrl-a`, `alt-x`,
    /// `enter`, `esc`, `tab`, `backtab`, `space`, `f5`, `pgdn`, `up`, ….
    pub fn parse(text: &str) -> Result<Chord, String> {
        let mut rest = text;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            let lower = rest.to_ascii_lowercase();
            if lower.starts_with("ctrl-") && rest.len() > 5 {
                ctrl = true;
                rest = &rest[5..];
            } else if lower.starts_with("alt-") && rest.len() > 4 {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" | "shift-tab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" => KeyCode::Insert,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdn" | "pagedown" => KeyCode::PageDown,
                f if f.starts_with('f')
                    && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
                {
                    KeyCode::F(f[1..].parse().unwrap_or(1))
                }
                _ => {
                    return Err(format!(
                        "{text:?} is not a key (write a character, ctrl-a, alt-x, enter, esc, tab, backtab, space, f1…f12, pgup, pgdn, up, down, left, right, home, end, delete, backspace)"
                    ));
                }
            },
        };
        Ok(Chord { code, ctrl, alt })
    }

    /// How the help writes it: `a`, `Enter`, `Ctrl-C`, `↓`.
    pub fn name(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "Shift-Tab".to_owned(),
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            other => format!("{other:?}"),
        };
        let base = match self.code {
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Delete => "Delete".to_owned(),
            KeyCode::Backspace => "Backspace".to_owned(),
            KeyCode::Insert => "Insert".to_owned(),
            _ => base,
        };
        match (self.ctrl, self.alt) {
            (true, true) => format!("Ctrl-Alt-{base}"),
            (true, false) => format!("Ctrl-{base}"),
            (false, true) => format!("Alt-{base}"),
            (false, false) => base,
        }
    }
}

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
pub const TABLE: &[Binding] = &[
    bind(
        Panes,
        A::EditQuery,
        &[ch('/')],
        "edit the query",
        Some("query"),
    ),
    bind(Panes, A::NextPane, &[key(KeyCode::Tab)], "next pane", None),
    bind(
        Panes,
        A::PrevPane,
        &[key(KeyCode::BackTab)],
        "previous pane",
        None,
    ),
    bind(Panes, A::Down, &[ch('j'), key(KeyCode::Down)], "down", None),
    bind(Panes, A::Up, &[ch('k'), key(KeyCode::Up)], "up", None),
    bind(Panes, A::Top, &[ch('g'), key(KeyCode::Home)], "first", None),
    bind(
        Panes,
        A::Bottom,
        &[ch('G'), key(KeyCode::End)],
        "last",
        None,
    ),
    bind(
        Panes,
        A::PageDown,
        &[key(KeyCode::PageDown)],
        "page down",
        None,
    ),
    bind(Panes, A::PageUp, &[key(KeyCode::PageUp)], "page up", None),
    bind(
        Panes,
        A::Open,
        &[key(KeyCode::Enter), key(KeyCode::Right), ch('l')],
        "open the selected parent's children (in the tree: show changes; in the detail: scroll right)",
        None,
    ),
    bind(
        Panes,
        A::Mark,
        &[ch(' ')],
        "mark / unmark (the cursor stays)",
        None,
    ),
    bind(
        Panes,
        A::MarkAllShown,
        &[ch('*')],
        "mark every match of the query (children: those it takes)",
        None,
    ),
    bind(Panes, A::ClearMarks, &[ch('x')], "clear marks", None),
    bind(
        Panes,
        A::RangeMark,
        &[ch('V')],
        "mark a range: V, move, V again (Esc stops)",
        None,
    ),
    bind(Panes, A::Approve, &[ch('a')], "approve", Some("approve")),
    bind(Panes, A::Cancel, &[ch('c')], "cancel", Some("cancel")),
    bind(Panes, A::Reapply, &[ch('R')], "reapply", Some("reapply")),
    bind(Panes, A::Revert, &[ch('u')], "revert", Some("revert")),
    bind(Panes, A::Refresh, &[ch('r')], "refresh now", None),
    bind(
        Panes,
        A::TogglePause,
        &[ch('p')],
        "pause / resume auto-refresh",
        None,
    ),
    bind(
        Panes,
        A::ShowAllChildren,
        &[ch('A')],
        "children: show all / only matching",
        None,
    ),
    bind(
        Panes,
        A::Copy,
        &[ch('y')],
        "copy: JSON, id, result text or web UI link (OSC 52)",
        None,
    ),
    bind(
        Panes,
        A::OpenInWebUi,
        &[ch('o')],
        "open the activity in Landscape's web UI",
        None,
    ),
    bind(
        Panes,
        A::ShowRefusals,
        &[ch('e')],
        "show the last refusals",
        None,
    ),
    bind(
        Panes,
        A::ActionLog,
        &[ch('L')],
        "the action log: what was done and refused, newest first (also :log)",
        None,
    ),
    bind(
        Panes,
        A::Messages,
        &[ch('M')],
        "every message, whole, newest first (also :messages)",
        None,
    ),
    bind(
        Panes,
        A::Sort,
        &[ch('s')],
        "sort by the next column (created, status, type, summary, children, computers)",
        Some("sort"),
    ),
    bind(
        Panes,
        A::ReverseSort,
        &[ch('S')],
        "reverse the sort order",
        None,
    ),
    bind(
        Panes,
        A::Zoom,
        &[ch('z')],
        "zoom: the focused pane full screen (the detail as text beside its JSON)",
        None,
    ),
    bind(
        Panes,
        A::Back,
        &[key(KeyCode::Esc)],
        "back: from the zoom and the search, then from a jump",
        None,
    ),
    bind(
        Panes,
        A::JumpToComputer,
        &[ch('C')],
        "the activity's computer: all its activities",
        None,
    ),
    bind(
        Panes,
        A::Clusters,
        &[ch('F')],
        "failure clusters: the query's failures (or the open group's) by what went wrong (also :clusters)",
        None,
    ),
    bind(
        Panes,
        A::Health,
        &[ch('H')],
        "health picture: the query's activities by status, failures per hour (also :health)",
        None,
    ),
    bind(
        Panes,
        A::Watch,
        &[ch('w')],
        "watch: told of a failure and the end (again: stop)",
        None,
    ),
    bind(
        Panes,
        A::Find,
        &[ch('f')],
        "find text in the detail (zooms it)",
        None,
    ),
    bind(Panes, A::NextMatch, &[ch('n')], "next match", None),
    bind(Panes, A::PrevMatch, &[ch('N')], "previous match", None),
    bind(
        Panes,
        A::ScrollLeft,
        &[ch('h'), key(KeyCode::Left)],
        "detail: scroll left",
        None,
    ),
    bind(
        Panes,
        A::Command,
        &[ch(':')],
        "command line: sort, view, theme, export, profile, log, messages, q (Tab completes)",
        Some("command"),
    ),
    bind(Panes, A::Help, &[ch('?')], "help", Some("help")),
    bind(Panes, A::Quit, &[ch('q'), ctrl('c')], "quit", Some("quit")),
    bind(
        Editor,
        A::RunQuery,
        &[key(KeyCode::Enter)],
        "run the query (or take the completion)",
        Some("run"),
    ),
    bind(
        Editor,
        A::LeaveEditor,
        &[key(KeyCode::Esc)],
        "back, the query as it was (or close the completions)",
        Some("back"),
    ),
    bind(
        Editor,
        A::Complete,
        &[key(KeyCode::Tab)],
        "complete the word at the cursor (again: next completion)",
        Some("complete"),
    ),
    bind(
        Editor,
        A::HistoryBack,
        &[key(KeyCode::Up)],
        "older query (in completions: up)",
        None,
    ),
    bind(
        Editor,
        A::HistoryForward,
        &[key(KeyCode::Down)],
        "newer query (in completions: down)",
        None,
    ),
    bind(Editor, A::Quit, &[ctrl('c')], "quit", None),
    bind(InConfirm, A::Confirm, &[ch('y')], "go ahead", None),
    bind(
        InConfirm,
        A::OtherChoice,
        &[key(KeyCode::Tab)],
        "on one group: what the query brings, or the whole group",
        None,
    ),
    bind(
        InConfirm,
        A::Close,
        &[ch('n'), key(KeyCode::Esc), ch('q')],
        "abort: nothing changes",
        None,
    ),
    bind(InConfirm, A::Quit, &[ctrl('c')], "quit", None),
    bind(
        Popup,
        A::ScrollDown,
        &[ch('j'), key(KeyCode::Down)],
        "scroll down",
        None,
    ),
    bind(
        Popup,
        A::ScrollUp,
        &[ch('k'), key(KeyCode::Up)],
        "scroll up",
        None,
    ),
    bind(
        Popup,
        A::PageDown,
        &[key(KeyCode::PageDown), ch(' ')],
        "scroll a page down",
        None,
    ),
    bind(
        Popup,
        A::PageUp,
        &[key(KeyCode::PageUp)],
        "scroll a page up",
        None,
    ),
    bind(
        Popup,
        A::Open,
        &[key(KeyCode::Enter), ch('o')],
        "action log: show the entry's activities; clusters: show the cluster (or open the computer); elsewhere: close",
        None,
    ),
    bind(
        Popup,
        A::NextPane,
        &[key(KeyCode::Tab)],
        "clusters: between the clusters and the selected one's computers",
        None,
    ),
    bind(
        Popup,
        A::Watch,
        &[ch('w')],
        "watches: stop watching the selected one",
        None,
    ),
    bind(
        Popup,
        A::Mark,
        &[ch('m')],
        "clusters: mark the cluster's activities",
        None,
    ),
    bind(
        Popup,
        A::JumpToComputer,
        &[ch('C')],
        "clusters: the (selected) computer's activities",
        None,
    ),
    bind(
        Popup,
        A::Refresh,
        &[ch('r')],
        "clusters: read the failures again",
        None,
    ),
    bind(
        Popup,
        A::Close,
        &[key(KeyCode::Esc), ch('q'), ch('n'), ch('?'), ch('e')],
        "close",
        None,
    ),
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

/// Lines in the help: a heading and the bindings of each context, blank
/// lines between, the `views` saved views under their own heading, then
/// the notes.
pub fn help_len(views: usize) -> usize {
    let views = if views == 0 { 0 } else { views + 2 };
    HELP_CONTEXTS.len() * 2 + TABLE.len() + views + HELP_NOTES.len()
}

/// The key table with the operator's keys: each binding of [`TABLE`] with
/// its keys, replaced where the config says.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    keys: Vec<Vec<Chord>>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        Keymap {
            keys: TABLE.iter().map(|b| b.keys.to_vec()).collect(),
        }
    }
}

impl Keymap {
    /// Binds the action `name` to `chords` instead of its default keys.
    /// An action in several contexts (quit, page-down, close) takes all
    /// the keys in its first one and, in the others, only keys that type
    /// no character: `quit = "Q"` must not stop anyone typing a Q in the
    /// query, nor take a dialog's own letters. Where none are left, the
    /// default stays.
    pub fn remap(&mut self, name: &str, chords: Vec<Chord>) -> Result<(), String> {
        if chords.is_empty() {
            return Err(format!("{name} needs at least one key"));
        }
        let mut home = None;
        for (b, keys) in TABLE.iter().zip(self.keys.iter_mut()) {
            if b.action.name() != name {
                continue;
            }
            let home = *home.get_or_insert(b.context);
            let usable: Vec<Chord> = if b.context == home && b.context != Context::Editor {
                chords.clone()
            } else {
                chords.iter().copied().filter(|c| !c.types()).collect()
            };
            if !usable.is_empty() {
                *keys = usable;
            }
        }
        if home.is_some() {
            return Ok(());
        }
        let names: Vec<&str> = KeyAction::ALL.iter().map(|a| a.name()).collect();
        Err(format!(
            "unknown action {name:?}; actions: {}",
            names.join(", ")
        ))
    }

    /// An error naming both actions (and their names) when one key means
    /// two in a context.
    pub fn check(&self) -> Result<(), (String, [&'static str; 2])> {
        for (i, a) in TABLE.iter().enumerate() {
            for (j, b) in TABLE.iter().enumerate().skip(i + 1) {
                if a.context != b.context {
                    continue;
                }
                if let Some(k) = self.keys[i].iter().find(|k| self.keys[j].contains(k)) {
                    let name = |x: &Binding| x.action.name();
                    return Err((
                        format!("{} is bound to both {} and {}", k.name(), name(a), name(b)),
                        [name(a), name(b)],
                    ));
                }
            }
        }
        Ok(())
    }

    /// The name (or help) of the action `chord` is bound to in `context`.
    pub fn taken(&self, context: Context, chord: &Chord) -> Option<&'static str> {
        TABLE
            .iter()
            .zip(&self.keys)
            .find(|(b, keys)| b.context == context && keys.contains(chord))
            .map(|(b, _)| b.action.name())
    }

    /// The action `key` stands for in `context`.
    pub fn action(&self, context: Context, key: &KeyEvent) -> Option<KeyAction> {
        TABLE
            .iter()
            .zip(&self.keys)
            .filter(|(b, _)| b.context == context)
            .find(|(_, keys)| keys.iter().any(|k| k.matches(key)))
            .map(|(b, _)| b.action)
    }

    /// Each binding of `context` with its keys, in the table's order.
    pub fn bindings(&self, context: Context) -> impl Iterator<Item = (&'static Binding, &[Chord])> {
        TABLE
            .iter()
            .zip(&self.keys)
            .filter(move |(b, _)| b.context == context)
            .map(|(b, k)| (b, k.as_slice()))
    }

    /// The keys of `action` in `context` (none when it has no binding there).
    pub fn keys_of(&self, context: Context, action: KeyAction) -> &[Chord] {
        self.bindings(context)
            .find(|(b, _)| b.action == action)
            .map_or(&[], |(_, keys)| keys)
    }

    /// The first key of `action` in `context`, as the screen names it:
    /// every key a view or a message names comes from here or [`Self::hint`],
    /// so a remapped key is the key the screen says.
    pub fn first(&self, context: Context, action: KeyAction) -> String {
        self.keys_of(context, action)
            .first()
            .map(Chord::name)
            .unwrap_or_default()
    }

    /// The first two keys of `action` in `context`: `y / Enter`.
    pub fn hint(&self, context: Context, action: KeyAction) -> String {
        let keys = self.keys_of(context, action);
        keys_text(&keys[..keys.len().min(2)])
    }

    /// The bindings the footer shows in `context`.
    pub fn footer(&self, context: Context) -> impl Iterator<Item = (&'static Binding, &[Chord])> {
        self.bindings(context).filter(|(b, _)| b.footer.is_some())
    }
}

/// Keys as the help writes them: `j / ↓`.
pub fn keys_text(keys: &[Chord]) -> String {
    keys.iter().map(Chord::name).collect::<Vec<_>>().join(" / ")
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
