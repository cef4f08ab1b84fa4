//! The dashboard's whole state. `update` changes it; the view only reads it.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, FixedOffset, Utc};
use tui_input::Input;

use crate::backend::{ActionPreview, BackendInfo, CompletionValues, refusal_reason};
use crate::model::{ActionKind, Activity, ListSort, Refusal, SortColumn};
use crate::query::{Completions, Mode, QueryError};

/// Rows fetched around the selection at a time.
pub const PAGE: u64 = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    List,
    Children,
    Detail,
}

/// The list of top-level activities: a window of loaded rows over `total`.
#[derive(Debug, Clone, Default)]
pub struct ListState {
    pub total: u64,
    /// Absolute index of `rows[0]`.
    pub window_start: u64,
    pub rows: Vec<Activity>,
    /// Absolute index of the selected row.
    pub selected: u64,
    /// Absolute index of the first row on screen.
    pub top: u64,
    /// Kept so a refresh finds the same activity again.
    pub selected_id: Option<u64>,
    pub loading: bool,
    /// A request generation: answers to older ones are dropped.
    pub generation: u64,
    /// Data moved while a request was out: ask again when it is back.
    pub stale: bool,
    pub loaded_once: bool,
    /// Top-level activities in all, learnt from an unfiltered load.
    pub total_all: Option<u64>,
    /// Activities the query matched (children included).
    pub activity_count: u64,
    /// Parent id → matching children, for rows shown only through some of
    /// their children (`3 of 8 match`).
    pub matching_children: HashMap<u64, u64>,
    /// Why the last load failed, shown in the list until one succeeds.
    pub error: Option<String>,
    /// A new query is loading: its answer starts at the top.
    pub new_query: bool,
    /// The rows were sorted here, not by the backend: the order holds
    /// within the loaded rows only.
    pub sorted_locally: bool,
}

impl ListState {
    pub fn row(&self, index: u64) -> Option<&Activity> {
        index
            .checked_sub(self.window_start)
            .and_then(|i| self.rows.get(i as usize))
    }

    pub fn selected_row(&self) -> Option<&Activity> {
        self.row(self.selected)
    }

    /// How many children of `parent` match, when it is shown only through
    /// some of them.
    pub fn partial(&self, parent: &Activity) -> Option<u64> {
        self.matching_children.get(&parent.id).copied()
    }
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
}

#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Confirm(Confirm),
    Refusals {
        kind: ActionKind,
        refusals: Vec<Refusal>,
        /// Refused but not listed by the server (it lists a few hundred).
        unlisted: usize,
    },
    Help {
        scroll: u16,
    },
    /// `:profile NAME` with marks set: leaving drops them.
    SwitchProfile {
        name: String,
        marks: usize,
    },
}

/// `*`: every activity the query matches, acted on by query.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkAll {
    pub query: String,
    pub count: u64,
}

/// What a confirmation says before an action runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub kind: ActionKind,
    /// What the operator asked for (marked, or the selection).
    pub targets: Vec<u64>,
    /// Filled in by the dry run; `None` while it runs.
    pub preview: Option<ActionPreview>,
    /// Marked activities the current query does not show.
    pub hidden_marked: usize,
    /// Acting on every match of this query (`*`), not on ids.
    pub by_query: Option<String>,
    /// Acting on only the matching children of a row shown through them:
    /// (parent summary, matching, all children).
    pub partial: Option<(String, u64, u64)>,
    /// The marks this action consumes when it succeeds.
    pub from_marks: bool,
}

impl Confirm {
    /// What "proceed" sends: for approve and cancel the activities the dry
    /// run found allowed (a parent stands for its children, so the answer
    /// counts what the dialog counted); for reapply and revert the targets
    /// it did not refuse.
    pub fn sendable(&self) -> Vec<u64> {
        let Some(preview) = &self.preview else {
            return Vec::new();
        };
        if matches!(self.kind, ActionKind::Approve | ActionKind::Cancel) {
            return preview.allowed.iter().map(|a| a.id).collect();
        }
        let refused: HashSet<u64> = preview.refused.iter().map(|r| r.id).collect();
        self.targets
            .iter()
            .copied()
            .filter(|id| !refused.contains(id))
            .collect()
    }
}

/// A line typed at the bottom of the screen.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: Input,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `f`: what to find in the zoomed detail.
    Search,
    /// `:`: a command (`:sort type`, `:export file.csv`, …).
    Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Success,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub level: Level,
    /// Ticks left before it fades (errors stay until replaced).
    pub ttl: u8,
}

pub struct App {
    pub backend: BackendInfo,
    pub read_only: bool,
    pub mode: Mode,
    pub query: Input,
    /// The query the list shows.
    pub applied: String,
    pub editing: bool,
    pub query_error: Option<QueryError>,
    /// What the query means that its writer may not expect (a bare `AND`).
    pub query_warning: Option<crate::query::QueryWarning>,
    pub completions: Option<Completions>,
    pub completion_index: usize,
    pub history: Vec<String>,
    pub history_pos: Option<usize>,
    pub list: ListState,
    pub children: ChildrenState,
    pub detail_scroll: u16,
    /// Columns the zoomed detail's JSON is scrolled right.
    pub detail_hscroll: u16,
    /// The focused pane fills the screen.
    pub zoomed: bool,
    /// What the zoomed detail searches for (`f`; `n` / `N` move).
    pub search: String,
    /// The text view's line of the current match.
    pub search_at: Option<usize>,
    /// The line being typed at the bottom: a search or a command.
    pub prompt: Option<Prompt>,
    /// Commands run before (`:` then ↑).
    pub command_history: Vec<String>,
    pub command_history_pos: Option<usize>,
    /// Completions of the command line, and the highlighted one.
    pub command_completions: Vec<String>,
    pub command_completion: usize,
    /// The config's profiles, for `:profile`.
    pub profiles: Vec<String>,
    pub focus: Pane,
    pub marks: BTreeSet<u64>,
    pub mark_all: Option<MarkAll>,
    /// The marks the action under way will consume when it succeeds.
    pub consuming_marks: bool,
    /// What the confirmation of the action under way counted, so the
    /// result counts the same activities.
    pub acting_on: Option<HashSet<u64>>,
    pub dialog: Option<Dialog>,
    pub last_refusals: Option<(ActionKind, Vec<Refusal>, usize)>,
    pub message: Option<Message>,
    pub last_refresh: Option<DateTime<Utc>>,
    /// The wall clock as of the event being handled (set by the loop), so
    /// a screen is a function of the state alone.
    pub now: DateTime<Utc>,
    /// The operator's offset from UTC, for the times shown (an input like
    /// the clock: set by the runtime, UTC in tests).
    pub offset: FixedOffset,
    /// The styles every view draws with.
    pub theme: super::theme::Theme,
    /// The key table with the operator's own keys.
    pub keymap: super::keys::Keymap,
    /// The theme's name, overrides and views from the config.
    pub looks: super::Looks,
    /// The saved view the list shows, while its query is the one applied.
    pub view: Option<String>,
    /// The list's order.
    pub sort: ListSort,
    pub paused: bool,
    pub in_flight: Vec<Activity>,
    pub values: CompletionValues,
    pub computer_titles: HashMap<u64, String>,
    /// Rows changed by the last action, highlighted for a few ticks.
    pub flash: HashMap<u64, u8>,
    pub size: (u16, u16),
    pub spinner: usize,
    pub quit: bool,
}

impl App {
    pub fn new(backend: BackendInfo, read_only: bool, history: Vec<String>) -> App {
        let mode = if backend.embedded {
            Mode::Strict
        } else {
            Mode::Lenient
        };
        App {
            backend,
            read_only,
            mode,
            query: Input::default(),
            applied: String::new(),
            editing: false,
            query_error: None,
            query_warning: None,
            completions: None,
            completion_index: 0,
            history,
            history_pos: None,
            list: ListState::default(),
            children: ChildrenState::default(),
            detail_scroll: 0,
            detail_hscroll: 0,
            zoomed: false,
            search: String::new(),
            search_at: None,
            prompt: None,
            command_history: Vec::new(),
            command_history_pos: None,
            command_completions: Vec::new(),
            command_completion: 0,
            profiles: Vec::new(),
            focus: Pane::List,
            marks: BTreeSet::new(),
            mark_all: None,
            consuming_marks: false,
            acting_on: None,
            dialog: None,
            last_refusals: None,
            message: None,
            last_refresh: None,
            now: Utc::now(),
            offset: FixedOffset::east_opt(0).expect("UTC"),
            theme: super::theme::Theme::default(),
            keymap: super::keys::Keymap::default(),
            looks: super::Looks {
                theme_name: "dark".to_owned(),
                views: super::views::SavedView::defaults(),
                ..super::Looks::default()
            },
            view: None,
            sort: ListSort::default(),
            paused: false,
            in_flight: Vec::new(),
            values: CompletionValues::default(),
            computer_titles: HashMap::new(),
            flash: HashMap::new(),
            size: (80, 24),
            spinner: 0,
            quit: false,
        }
    }

    /// The zoomed detail's text view, wrapped to its width.
    pub fn detail_text_lines(&self) -> Vec<String> {
        let width = super::layout::detail_text_width(self);
        match self.detail_activity() {
            Some(a) if width > 0 => super::detail_text::wrap(
                &super::detail_text::lines(a, &self.computer_titles, self.offset),
                width,
            ),
            _ => Vec::new(),
        }
    }

    /// Whether the list's order is the dashboard's own, over loaded rows:
    /// a server sorts by creation time only.
    pub fn sorts_locally(&self) -> bool {
        !self.backend.sorts_every_column && self.sort.column != SortColumn::Created
    }

    /// Takes the config's theme and views.
    pub fn set_looks(&mut self, looks: super::Looks) {
        if let Some(theme) = looks.theme(&looks.theme_name) {
            self.theme = theme;
        }
        self.looks = looks;
    }

    /// The activity the detail pane shows: the selected child when the
    /// children pane has focus or was last used, else the selected row.
    pub fn detail_activity(&self) -> Option<&Activity> {
        if self.focus != Pane::List
            && let Some(c) = self.children.rows.get(self.children.selected)
        {
            return Some(c);
        }
        self.list.selected_row()
    }

    /// What an action applies to: the marked activities, else the selected
    /// child (when the children pane has focus), else the selected row — or,
    /// for a row shown only through some children, those children.
    pub fn targets(&self) -> Vec<u64> {
        if !self.marks.is_empty() {
            return self.marks.iter().copied().collect();
        }
        if self.focus == Pane::Children
            && let Some(c) = self.children.rows.get(self.children.selected)
        {
            return vec![c.id];
        }
        match self.partial_selection() {
            Some(children) => children,
            None => self
                .list
                .selected_row()
                .map(|a| vec![a.id])
                .unwrap_or_default(),
        }
    }

    /// The matching children of the selected row when it is shown only
    /// through them and they are loaded (filtered) in the children pane.
    pub fn partial_selection(&self) -> Option<Vec<u64>> {
        let row = self.list.selected_row()?;
        self.list.partial(row)?;
        (self.children.parent == Some(row.id) && self.children.filtered && !self.children.loading)
            .then(|| self.children.rows.iter().map(|a| a.id).collect())
    }

    /// Whether anything the action would apply to allows it (for dimming
    /// the key). Targets not loaded here are given the benefit of the doubt.
    pub fn allows(&self, kind: ActionKind) -> bool {
        if self.read_only {
            return false;
        }
        let targets = self.targets();
        !targets.is_empty()
            && targets.iter().any(|id| match self.find(*id) {
                Some(a) => refusal_reason(kind, a).is_none(),
                None => true,
            })
    }

    /// A loaded record by id.
    pub fn find(&self, id: u64) -> Option<&Activity> {
        self.list
            .rows
            .iter()
            .chain(self.children.rows.iter())
            .find(|a| a.id == id)
    }

    /// Rows the list pane has room for at the current size.
    pub fn list_height(&self) -> u64 {
        u64::from(super::layout::list_rows(self))
    }

    /// Whether the screen is too narrow for the panes side by side: then
    /// only the focused pane is drawn, under a tab line.
    pub fn tabbed(&self) -> bool {
        self.size.0 < super::layout::SIDE_BY_SIDE_WIDTH
    }

    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            level,
            ttl: if level == Level::Error { 30 } else { 15 },
        });
    }

    /// True while something changes on its own (spinner, fading messages).
    pub fn animating(&self) -> bool {
        self.list.loading
            || self.children.loading
            || !self.flash.is_empty()
            || self.message.is_some()
    }
}
