//! The dashboard's whole state. `update` changes it; the view only reads it.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, FixedOffset, Utc};

use super::line_editor::LineEditor;

use crate::backend::action_plan::ActionPlan;
use crate::backend::{BackendInfo, CompletionValues, refusal_reason};
use crate::model::scope::{PickedChild, PickedRow, Scope, Target};
use crate::model::{ActionKind, Activity, ListSort, Refusal, RowPage, SortColumn};
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
    /// The query the rows answer, and when they came: until a new query
    /// answers, its rows are the previous query's.
    pub rows_query: String,
    pub rows_at: Option<DateTime<Utc>>,
    /// The one matching child of a row shown through exactly one (a group
    /// under `computer:id:7`): its status is that computer's, and the row
    /// and the detail show it.
    pub own_child: HashMap<u64, Activity>,
    /// `total` is an estimate: the backend has not read every row yet.
    pub rows_estimated: bool,
    /// The load under way re-reads only the rows on screen.
    pub screen_refresh: bool,
    /// The selected activity a refresh lost sight of, being looked for in
    /// a whole window (once).
    pub seeking: Option<u64>,
    /// `G` was pressed: the selection stays on the last row while an
    /// estimated end moves.
    pub to_end: bool,
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

    /// What a row stands for on screen: its one matching child when it is
    /// shown through exactly one (that computer's own status), else itself.
    pub fn shown<'a>(&'a self, row: &'a Activity) -> &'a Activity {
        self.own_child.get(&row.id).unwrap_or(row)
    }

    /// Rows on the page shown through exactly one child.
    pub fn through_one(&self) -> Vec<u64> {
        self.rows
            .iter()
            .filter(|a| self.matching_children.get(&a.id) == Some(&1))
            .map(|a| a.id)
            .collect()
    }

    /// How many children of `parent` match, when it is shown only through
    /// some of them.
    pub fn partial(&self, parent: &Activity) -> Option<u64> {
        self.matching_children.get(&parent.id).copied()
    }

    /// One past the last row loaded.
    pub fn window_end(&self) -> u64 {
        self.window_start + self.rows.len() as u64
    }

    pub fn in_window(&self, index: u64) -> bool {
        index >= self.window_start && index < self.window_end()
    }

    /// Scrolls so that the selected row is among the `height` on screen.
    pub fn keep_visible(&mut self, height: u64) {
        let h = height.max(1);
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + h {
            self.top = self.selected + 1 - h;
        }
        self.top = self.top.min(self.total.saturating_sub(h));
    }

    /// Whether row `to` needs the rows around it fetched: it is outside
    /// the window, or near an edge with more beyond, so scrolling on does
    /// not wait.
    pub fn needs_rows_around(&self, to: u64) -> bool {
        let (start, end) = (self.window_start, self.window_end());
        let margin = (PAGE / 8).min(self.total);
        let near_end = to + margin >= end && end < self.total;
        let near_start = to < start + margin && start > 0;
        near_end || near_start || !self.in_window(to)
    }

    /// Where a refresh asks from: the window shown, or the rows around a
    /// selection that has moved past it.
    pub fn refresh_offset(&self) -> u64 {
        if self.in_window(self.selected) || self.total == 0 {
            self.window_start
        } else {
            self.around_selected()
        }
    }

    /// What a refresh asks for: the rows on screen (`height` from the
    /// top) when the window holds them, so a refresh re-reads what is
    /// shown, not the whole window; else a window around the selection.
    pub fn refresh_range(&self, height: u64) -> (u64, u64) {
        let h = height.max(1);
        let end = (self.top + h).min(self.total);
        if self.loaded_once && self.in_window(self.top) && end <= self.window_end() {
            (self.top, end - self.top)
        } else {
            (self.refresh_offset(), PAGE)
        }
    }

    /// The offset of a page centred on the selection.
    pub fn around_selected(&self) -> u64 {
        self.selected.saturating_sub(PAGE / 2)
    }

    /// Takes the page answered at `offset`, keeping the same activity
    /// selected if it is still there; `sort` orders the rows here when
    /// the backend cannot.
    pub fn take_page(&mut self, offset: u64, page: RowPage, sort: Option<ListSort>) {
        let RowPage {
            rows: page,
            activity_count,
            matching_children,
            rows_estimated,
        } = page;
        let n = page.results.len() as u64;
        // A refresh of the rows on screen: the same rows in the same
        // places are put in place, and the rest of the window stays.
        let splice = !self.new_query
            && sort.is_none()
            && !self.sorted_locally
            && page.count == self.total
            && offset >= self.window_start
            && offset + n <= self.window_end()
            && n < self.rows.len() as u64
            && page.results.iter().enumerate().all(|(i, a)| {
                self.row(offset + i as u64)
                    .is_some_and(|old| old.id == a.id)
            });
        self.rows_estimated = rows_estimated;
        self.activity_count = activity_count;
        self.error = None;
        self.loaded_once = true;
        if splice {
            let at = (offset - self.window_start) as usize;
            for (i, a) in page.results.into_iter().enumerate() {
                self.matching_children.remove(&a.id);
                self.rows[at + i] = a;
            }
            self.matching_children.extend(matching_children);
            return;
        }
        self.total = page.count;
        self.matching_children = matching_children.into_iter().collect();
        self.own_child
            .retain(|parent, _| self.matching_children.get(parent) == Some(&1));
        if std::mem::take(&mut self.new_query) {
            self.selected = 0;
            self.top = 0;
        }
        self.window_start = offset;
        self.rows = page.results;
        self.sorted_locally = sort.is_some();
        if let Some(sort) = sort {
            self.rows.sort_by(|a, b| sort.compare(a, b));
        }
        let found = self
            .selected_id
            .and_then(|id| self.rows.iter().position(|a| a.id == id));
        match found {
            Some(i) => self.selected = offset + i as u64,
            None => self.selected = self.selected.min(self.total.saturating_sub(1)),
        }
        self.selected_id = self.selected_row().map(|a| a.id);
    }
}

/// A list as it was before a jump: its query (as typed and as sent), the
/// saved view it came from, and its selection.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub typed: String,
    pub applied: String,
    pub view: Option<String>,
    pub selected_id: Option<u64>,
    pub window_start: u64,
}

/// `:clusters`: a query's failures, grouped by what went wrong.
#[derive(Debug, Clone, Default)]
pub struct ClustersState {
    /// What was clustered, said for the operator ("the query's failures").
    pub of: String,
    /// The query whose failures these are: narrowing starts from it.
    pub base: String,
    pub report: Option<crate::backend::clusters::ClusterReport>,
    pub error: Option<String>,
    pub loading: bool,
    pub selected: usize,
    /// The selected cluster's computer list has focus, at this index.
    pub computer: Option<usize>,
    /// A request generation: answers to older ones are dropped.
    pub generation: u64,
}

impl ClustersState {
    pub fn selected_cluster(&self) -> Option<&crate::model::failure::FailureCluster> {
        self.report.as_ref()?.clusters.get(self.selected)
    }
}

/// The health picture above the list: the query's activities by status
/// and its failures per hour, counted by the backend.
#[derive(Debug, Clone, Default)]
pub struct HealthState {
    pub shown: bool,
    pub health: Option<crate::backend::health::Health>,
    pub error: Option<String>,
    pub loading: bool,
    /// A request generation: answers to older ones are dropped.
    pub generation: u64,
    /// When it was last asked for (it is asked again at most each minute).
    pub asked: Option<DateTime<Utc>>,
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

/// What a list of refusals is about, so it is never read as more (or
/// less) than what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusedWhen {
    /// The dry run found them; nothing was sent yet.
    WouldBe,
    /// Only what could change was sent, and it changed: these were left out.
    LeftOut,
    /// The server refused; after `changed` activities (of earlier
    /// requests of the same action) had changed.
    Refused { changed: u64 },
}

/// `*`: every activity the query matches, acted on by query.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkAll {
    pub query: String,
    pub count: u64,
}

/// What `y` offers to copy, in its order.
pub const COPY_CHOICES: [&str; 4] = ["JSON", "id", "result text", "web UI link"];

/// What a confirmation says before an action runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub kind: ActionKind,
    /// What the action acts on; the plan counts it and proceeding sends it.
    pub scope: Scope,
    /// What was picked, said for the operator ("2 marked", "row 7").
    pub picked: String,
    /// Filled in by the dry run; `None` while it runs.
    pub plan: Option<ActionPlan>,
    /// Marked activities the current query does not show.
    pub hidden_marked: usize,
    /// The selected row is shown only through some children:
    /// (its summary, matching children, all children).
    pub partial: Option<(String, u64, u64)>,
    /// The marks this action consumes when it succeeds.
    pub from_marks: bool,
    /// A group picked under a query: the other choice (what the query
    /// brings of it, or the whole group).
    pub choice: Option<Choice>,
}

/// The choice a confirmation on one group offers besides the one shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub other: Scope,
    pub plan: Option<ActionPlan>,
    /// What was picked, said of the other choice.
    pub picked: String,
    /// The dialog shows the whole group now (the other is the query's).
    pub whole: bool,
}

impl Confirm {
    /// Shows the other choice.
    pub fn switch(&mut self) {
        if let Some(choice) = &mut self.choice {
            std::mem::swap(&mut self.scope, &mut choice.other);
            std::mem::swap(&mut self.plan, &mut choice.plan);
            std::mem::swap(&mut self.picked, &mut choice.picked);
            choice.whole = !choice.whole;
        }
    }
}

impl Confirm {
    /// Proceeding sends only what can change when Landscape would refuse
    /// the whole (all or nothing).
    pub fn only_changeable(&self) -> bool {
        self.plan.as_ref().is_some_and(ActionPlan::would_be_refused)
    }
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

/// What the operator marked, and how: the rows and children an action
/// takes when no single row is meant.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    /// Every marked id, rows and children.
    pub ids: BTreeSet<u64>,
    /// Marks set in the children pane: which group each belongs to.
    pub children: HashMap<u64, PickedChild>,
    /// Marked rows: the query they were marked under and whether they
    /// matched it only through some children.
    pub rows: HashMap<u64, (String, bool)>,
    /// `*`: every match of a query.
    pub all: Option<MarkAll>,
    /// The marks the action under way will consume when it succeeds.
    pub consuming: bool,
    /// `V` was pressed at this row (list) or child (children pane): the
    /// next `V` marks everything in between.
    pub range_from: Option<(Pane, u64)>,
}

impl Marks {
    /// No mark of any kind.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.all.is_none()
    }

    /// Drops every mark (a range being marked stays).
    pub fn clear(&mut self) {
        self.ids.clear();
        self.children.clear();
        self.rows.clear();
        self.all = None;
    }
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

/// How long a computer read is kept before a row showing it reads it
/// again: a last contact minutes old still says how long it is silent.
pub const CONTACTS_LIFETIME: chrono::Duration = chrono::Duration::minutes(5);

/// Messages `:messages` keeps.
pub const MESSAGES_KEPT: usize = 500;

/// The server stopped answering the list: how, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outage {
    /// "server unreachable", "credentials refused", …
    pub what: String,
    /// The error as it came, for `:messages`.
    pub detail: String,
    pub since: DateTime<Utc>,
    /// Not retried on the timer (refused credentials): the operator's
    /// refresh key tries again.
    pub manual: bool,
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
    /// The query being edited, its history and its completions.
    pub query: LineEditor<Option<Completions>>,
    /// The query the list shows.
    pub applied: String,
    pub editing: bool,
    pub query_error: Option<QueryError>,
    /// What the query means that its writer may not expect (a bare `AND`).
    pub query_warning: Option<crate::query::QueryWarning>,
    pub list: ListState,
    pub children: ChildrenState,
    pub detail: DetailState,
    /// The focused pane fills the screen.
    pub zoomed: bool,
    /// What the line at the bottom is being typed for: a search or a
    /// command.
    pub prompt: Option<PromptKind>,
    /// The line at the bottom; its history is the commands run before
    /// (`:` then ↑), its completions the command line's.
    pub line: LineEditor<Vec<String>>,
    /// The config's profiles, for `:profile`.
    pub profiles: Vec<String>,
    pub focus: Pane,
    pub marks: Marks,
    /// What the action under way was picked as, and whether it sends only
    /// what can change: for its log entry.
    pub acting: Option<(String, bool)>,
    /// Every action taken here and by scripts, newest first.
    pub action_log: Vec<crate::backend::action_plan::ActionRecord>,
    /// The server's events log (any client's actions), read when the
    /// action log opens: `None` while it is read.
    pub server_events: Option<Result<Vec<crate::model::event::Event>, String>>,
    pub dialog: Option<Dialog>,
    pub last_refusals: Option<(ActionKind, Vec<Refusal>, usize, RefusedWhen)>,
    pub message: Option<Message>,
    /// Every message said, oldest first (the last few hundred), for
    /// `:messages`: nothing is lost when the status line moves on.
    pub messages: std::collections::VecDeque<(DateTime<Utc>, Level, String)>,
    /// The server is not answering: named in the status line, rows shown
    /// as stale and actions refused until a load succeeds.
    pub outage: Option<Outage>,
    /// How often the dashboard refreshes (the runtime's timer).
    pub refresh_every: std::time::Duration,
    /// When the list was last asked for.
    pub list_asked: Option<DateTime<Utc>>,
    pub last_refresh: Option<DateTime<Utc>>,
    /// The wall clock as of the event being handled (set by the loop), so
    /// a screen is a function of the state alone.
    pub now: DateTime<Utc>,
    /// How far the backend's clock is from the wall's (the demo's engine,
    /// a `serve` dataset's, a server's off by minutes): activity times are
    /// read against [`App::server_now`]. Set by the loop; zero in tests.
    pub server_skew: chrono::Duration,
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
    /// The list's columns, in order (`[list] columns`, `:columns`).
    pub columns: Vec<super::list_columns::ListColumn>,
    pub paused: bool,
    pub in_flight: Vec<Activity>,
    /// How many are in flight in all, and whether that is only "at
    /// least" (the legacy API does not count).
    pub in_flight_count: (u64, bool),
    pub values: CompletionValues,
    pub computer_titles: HashMap<u64, String>,
    /// When computers were last heard from, for saying why an activity
    /// waits: read for the waiting activities shown.
    pub contacts: HashMap<u64, crate::model::waiting::Contact>,
    /// When each computer was read: kept for [`CONTACTS_LIFETIME`], so an
    /// idle dashboard re-reads no computer (`r` reads them again).
    pub contacts_read: HashMap<u64, DateTime<Utc>>,
    /// The health picture (`H`, `:health`).
    pub health: HealthState,
    /// The gauges panel is hidden (`:gauges`).
    pub gauges_hidden: bool,
    /// `:clusters`' failures, kept while its popup is open.
    pub clusters: ClustersState,
    /// Activities the operator is told about, and their guards.
    pub watches: super::watches::Watches,
    /// A guard's stop that goes ahead without a confirmation (`--auto`):
    /// its plan is carried out when it comes, and what it was picked as.
    pub auto_stop: Option<(Scope, String)>,
    /// Action log entries a write failed to keep: written before the next.
    pub unwritten_log: Vec<crate::backend::action_plan::ActionRecord>,
    /// The keys of the current burst: typing is never a command.
    pub typing: super::typing::Typing,
    /// The confirmation on screen takes its key after a quiet moment.
    pub gate: super::typing::Gate,
    /// Where a jump (to a computer's activities) came from, newest last:
    /// Back returns there.
    pub came_from: Vec<Place>,
    /// Rows changed by the last action, highlighted for a few ticks.
    pub flash: HashMap<u64, u8>,
    pub size: (u16, u16),
    pub spinner: usize,
    pub quit: bool,
}

impl App {
    /// Now on the backend's clock: what "today", "-12h" and "3 m ago"
    /// mean for its activities.
    pub fn server_now(&self) -> DateTime<Utc> {
        self.now + self.server_skew
    }

    /// How this dashboard parses a query: its mode, the types it knows,
    /// and its now and time zone for relative dates (which it expands
    /// before sending).
    pub fn parse_options<'a>(&self, types: &'a [String]) -> crate::query::ParseOptions<'a> {
        crate::query::ParseOptions {
            mode: self.mode,
            types,
            relative_to: Some((self.server_now(), self.offset)),
        }
    }

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
            query: LineEditor::new(history),
            applied: String::new(),
            editing: false,
            query_error: None,
            query_warning: None,
            list: ListState::default(),
            children: ChildrenState::default(),
            detail: DetailState::default(),
            zoomed: false,
            prompt: None,
            line: LineEditor::new(Vec::new()),
            profiles: Vec::new(),
            focus: Pane::List,
            marks: Marks::default(),
            acting: None,
            action_log: Vec::new(),
            dialog: None,
            last_refusals: None,
            message: None,
            messages: Default::default(),
            outage: None,
            refresh_every: std::time::Duration::from_secs(5),
            list_asked: None,
            last_refresh: None,
            now: Utc::now(),
            server_skew: chrono::Duration::zero(),
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
            columns: super::list_columns::DEFAULT_COLUMNS.to_vec(),
            paused: false,
            in_flight: Vec::new(),
            in_flight_count: (0, false),
            values: CompletionValues::default(),
            computer_titles: HashMap::new(),
            contacts: HashMap::new(),
            contacts_read: HashMap::new(),
            health: HealthState::default(),
            gauges_hidden: false,
            clusters: ClustersState::default(),
            came_from: Vec::new(),
            watches: Default::default(),
            server_events: None,
            auto_stop: None,
            unwritten_log: Vec::new(),
            typing: Default::default(),
            gate: Default::default(),
            flash: HashMap::new(),
            size: (80, 24),
            spinner: 0,
            quit: false,
        }
    }

    /// Why `a` waits, in words (`None` when it is final): its computer's
    /// last contact is used once it has been read.
    pub fn why_waiting(&self, a: &Activity) -> Option<Vec<String>> {
        let id = a.computer();
        crate::model::waiting::verdict(
            a,
            id.and_then(|id| self.computer_titles.get(&id))
                .map(String::as_str),
            id.and_then(|id| self.contacts.get(&id).copied()),
            self.server_now(),
        )
    }

    /// The open group's waiting children and their computers, said once.
    pub fn group_waiting(&self) -> Option<String> {
        self.children.parent?;
        let children: Vec<_> = self
            .children
            .rows
            .iter()
            .filter_map(|c| {
                let status = c.status()?.clone();
                let contact = c.computer().and_then(|id| self.contacts.get(&id).copied());
                Some((status, contact))
            })
            .collect();
        crate::model::waiting::group_verdict(&children, self.server_now())
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
        if !looks.columns.is_empty() {
            self.columns = looks.columns.clone();
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
        self.list.selected_row().map(|row| self.list.shown(row))
    }

    /// What an action applies to (the rule is `model::scope`'s): every
    /// match after `*`; else the marked rows and children; else the
    /// selected child (when the children or detail pane has focus, as the
    /// detail shows it); else the selected row. With what was picked, said for the operator.
    pub fn action_scope(&self) -> Option<(Scope, String)> {
        let work = crate::query::split_work(&self.applied).work;
        self.picked_scope()
            .map(|(scope, picked)| (scope.with_work(&work), picked))
    }

    fn picked_scope(&self) -> Option<(Scope, String)> {
        let query = self.applied.as_str();
        if let Some(all) = &self.marks.all {
            let picked = if all.query.trim().is_empty() {
                "every activity".to_owned()
            } else {
                format!(
                    "every match of \"{}\"",
                    crate::printable::printable(&all.query)
                )
            };
            return Some((Scope::every_match(&all.query), picked));
        }
        if !self.marks.ids.is_empty() {
            let (children, rows): (Vec<u64>, Vec<u64>) = self
                .marks
                .ids
                .iter()
                .partition(|id| self.marks.children.contains_key(id));
            let children = children.iter().map(|id| self.marks.children[id]).collect();
            let rows = rows.into_iter().map(|id| self.row_pick(id)).collect();
            let picked = format!("{} marked", self.marks.ids.len());
            return Some((Scope::picked(query, rows, children), picked));
        }
        // The child the detail pane shows, when it shows one.
        if self.focus != Pane::List
            && let Some(child) = self.selected_child()
        {
            let picked = format!("child {}", child.id);
            return Some((Scope::picked(query, Vec::new(), vec![child]), picked));
        }
        let row = self.list.selected_row()?;
        Some((
            Scope::picked(query, vec![self.row_pick(row.id)], Vec::new()),
            format!("row {}", row.id),
        ))
    }

    /// The rows shown answer another query than the one applied (it has
    /// not answered yet, say in an outage): `(that query, when)`.
    pub fn rows_of_another_query(&self) -> Option<(&str, DateTime<Utc>)> {
        let at = self.list.rows_at?;
        (self.list.rows_query != self.applied && !self.list.rows.is_empty())
            .then_some((self.list.rows_query.as_str(), at))
    }

    /// Row `id` as a pick: whether it matches the applied query in its own
    /// right or through children, from the loaded rows, else from when it
    /// was marked under the same query, else not known.
    pub fn row_pick(&self, id: u64) -> PickedRow {
        if self.applied.trim().is_empty() {
            return PickedRow::new(id, Some(false));
        }
        if let Some(row) = self.list.rows.iter().find(|a| a.id == id) {
            return PickedRow::new(id, Some(self.list.partial(row).is_some()));
        }
        let known = self
            .marks
            .rows
            .get(&id)
            .filter(|(query, _)| *query == self.applied)
            .map(|(_, through)| *through);
        PickedRow::new(id, known)
    }

    /// The child under the cursor in the children pane, as a pick.
    pub fn selected_child(&self) -> Option<PickedChild> {
        self.selected_child_at(self.children.selected)
    }

    /// The child at `index` of the children pane, as a pick.
    pub fn selected_child_at(&self, index: usize) -> Option<PickedChild> {
        let c = self.children.rows.get(index)?;
        Some(PickedChild {
            id: c.id,
            parent: self.children.parent?,
            brought: self.children.brought,
        })
    }

    /// Whether anything the action would apply to allows it (for dimming
    /// the key). Picks not loaded here, and every match, are given the
    /// benefit of the doubt.
    pub fn allows(&self, kind: ActionKind) -> bool {
        if self.read_only {
            return false;
        }
        // What the action would take, by the same precedence.
        let Some((scope, _)) = self.action_scope() else {
            return false;
        };
        let Target::Picked { rows, children } = &scope.target else {
            return true;
        };
        let mut ids = rows
            .iter()
            .map(|r| r.id)
            .chain(children.iter().map(|c| c.id));
        ids.any(|id| match self.find(id) {
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

    /// The key of a pane action as the operator's keymap has it, for
    /// messages that name it.
    pub fn pane_key(&self, action: super::keys::KeyAction) -> String {
        self.keymap.first(super::keys::Context::Panes, action)
    }

    /// Keeps `text` for `:messages` without showing it now.
    pub fn note(&mut self, level: Level, text: impl Into<String>) {
        if self.messages.len() >= MESSAGES_KEPT {
            self.messages.pop_front();
        }
        self.messages.push_back((self.now, level, text.into()));
    }

    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        self.note(level, text.clone());
        self.message = Some(Message {
            text,
            level,
            ttl: if level == Level::Error { 30 } else { 15 },
        });
    }

    /// True while something changes on its own (spinner, fading messages).
    pub fn animating(&self) -> bool {
        self.gate.armed.is_some()
            || self.typing.holding()
            || self.list.loading
            || self.children.loading
            || !self.flash.is_empty()
            || self.message.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn activity(id: u64) -> Activity {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        Activity::new(id, "ChangePackages", "upgrade", at)
    }

    fn window(start: u64, len: u64, total: u64) -> ListState {
        ListState {
            total,
            window_start: start,
            rows: (start..start + len).map(activity).collect(),
            ..ListState::default()
        }
    }

    #[test]
    fn rows_are_fetched_before_the_cursor_reaches_the_window_edge() {
        let list = window(400, PAGE, 10_000);
        let margin = PAGE / 8;
        assert!(!list.needs_rows_around(600), "the middle of the window");
        assert!(list.needs_rows_around(400 + margin - 1), "near its start");
        assert!(list.needs_rows_around(800 - margin), "near its end");
        assert!(list.needs_rows_around(5_000), "outside it");
        // Nothing lies beyond the last window, so its end fetches nothing.
        let last = window(9_600, PAGE, 10_000);
        assert!(!last.needs_rows_around(9_999));
    }

    #[test]
    fn the_selected_row_stays_on_screen() {
        let mut list = window(0, PAGE, 1_000);
        list.selected = 30;
        list.keep_visible(10);
        assert_eq!(list.top, 21, "scrolled so row 30 is the last shown");
        list.selected = 5;
        list.keep_visible(10);
        assert_eq!(list.top, 5);
        list.selected = 999;
        list.keep_visible(10);
        assert_eq!(list.top, 990, "never past the end");
    }

    #[test]
    fn a_page_keeps_the_same_activity_selected_where_it_moved() {
        let mut list = window(0, 10, 10);
        list.selected = 3;
        list.selected_id = Some(3);
        // Two new activities arrived on top: id 3 is now row 5.
        let mut rows = crate::model::Page::empty();
        rows.count = 12;
        rows.results = [100, 101].into_iter().chain(0..10).map(activity).collect();
        let page = RowPage {
            rows,
            activity_count: 12,
            matching_children: Default::default(),
            rows_estimated: false,
        };
        list.take_page(0, page, None);
        assert_eq!((list.selected, list.selected_id), (5, Some(3)));
        assert_eq!(list.total, 12);
    }
}
