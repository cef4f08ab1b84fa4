//! The dashboard's whole state, in rooms: each room owns its part, and
//! `App` only knows its rooms. `update` changes it; the view only reads it.

mod acting;
mod clock;
mod fleet;
mod health;
mod input;
mod list;
mod marks;
mod panes;
mod query_bar;
mod status;

use chrono::{DateTime, Utc};

use crate::backend::{BackendInfo, refusal_reason};
use crate::model::scope::{PickedChild, PickedRow, Scope, Target};
use crate::model::{ActionKind, Activity, SortColumn};
use crate::query::Mode;
use crate::tui::list_columns::ListColumn;

pub use super::dialogs::ClustersState;
pub use super::dialogs::{Choice, Confirm, Dialog, RefusedWhen, copy_menu::COPY_CHOICES};
pub use acting::Acting;
pub use clock::Clock;
pub use fleet::{CONTACTS_LIFETIME, Fleet};
pub use health::HealthState;
pub use input::{Input, Prompt, PromptKind};
pub use list::{Asked, ListState, Load, PAGE};
pub use marks::{MarkAll, Marks};
pub use panes::{ChildrenState, DetailState, Pane, Screen};
pub use query_bar::{Place, QueryBar};
pub use status::{Level, MESSAGES_KEPT, Message, Outage, Status};

/// The dashboard's rooms.
pub struct App {
    /// What the backend is and can do.
    pub backend: BackendInfo,
    pub query: QueryBar,
    pub list: ListState,
    pub children: ChildrenState,
    pub detail: DetailState,
    pub screen: Screen,
    /// The line at the bottom (`f`, `:`).
    pub prompt: Prompt,
    pub marks: Marks,
    pub acting: Acting,
    pub dialog: Option<Dialog>,
    pub status: Status,
    pub clock: Clock,
    pub prefs: Preferences,
    pub fleet: Fleet,
    /// The health picture (`H`, `:health`).
    pub health: HealthState,
    /// `:clusters`' failures, kept while its popup is open.
    pub clusters: ClustersState,
    /// Activities the operator is told about, and their guards.
    pub watches: super::watches::Watches,
    /// Changes released in waves (`:rollout`).
    pub rollouts: super::rollouts::Rollouts,
    pub input: Input,
}

pub use prefs::Preferences;
mod prefs;

impl App {
    /// Now on the backend's clock: what "today", "-12h" and "3 m ago"
    /// mean for its activities.
    pub fn server_now(&self) -> DateTime<Utc> {
        self.clock.now + self.clock.server_skew
    }

    /// How this dashboard parses a query: its mode, the types it knows,
    /// and its now and time zone for relative dates (which it expands
    /// before sending).
    pub fn parse_options<'a>(&self, types: &'a [String]) -> crate::query::ParseOptions<'a> {
        crate::query::ParseOptions {
            mode: self.query.mode,
            types,
            relative_to: Some((self.server_now(), self.clock.offset)),
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
            query: QueryBar::new(mode, history),
            list: ListState::default(),
            children: ChildrenState::default(),
            detail: DetailState::default(),
            screen: Screen::default(),
            prompt: Prompt::default(),
            marks: Marks::default(),
            acting: Acting {
                read_only,
                ..Acting::default()
            },
            dialog: None,
            status: Status::default(),
            clock: Clock::default(),
            prefs: Preferences::default(),
            fleet: Fleet::default(),
            health: HealthState::default(),
            clusters: ClustersState::default(),
            watches: Default::default(),
            rollouts: Default::default(),
            input: Input::default(),
        }
    }

    /// Why `a` waits, in words (`None` when it is final): its computer's
    /// last contact is used once it has been read.
    pub fn why_waiting(&self, a: &Activity) -> Option<Vec<String>> {
        let id = a.computer();
        crate::model::waiting::verdict(
            a,
            id.and_then(|id| self.fleet.computer_titles.get(&id))
                .map(String::as_str),
            id.and_then(|id| self.fleet.contacts.get(&id).copied()),
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
                let contact = c
                    .computer()
                    .and_then(|id| self.fleet.contacts.get(&id).copied());
                Some((status, contact))
            })
            .collect();
        crate::model::waiting::group_verdict(&children, self.server_now())
    }

    /// Whether the list's order is the dashboard's own, over loaded rows:
    /// a server sorts by creation time only.
    pub fn sorts_locally(&self) -> bool {
        !self.backend.sorts_every_column && self.prefs.sort.column != SortColumn::Created
    }

    /// The activity the detail pane shows: the selected child when the
    /// children pane has focus or was last used, else the selected row.
    pub fn detail_activity(&self) -> Option<&Activity> {
        if self.screen.focus != Pane::List
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
        let work = crate::query::split_work(&self.query.applied).work;
        self.picked_scope()
            .map(|(scope, picked)| (scope.with_work(&work), picked))
    }

    fn picked_scope(&self) -> Option<(Scope, String)> {
        let query = self.query.applied.as_str();
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
        if self.screen.focus != Pane::List
            && let Some(child) = self.selected_child()
        {
            let picked = format!("child {}", self.id_text(child.id));
            return Some((Scope::picked(query, Vec::new(), vec![child]), picked));
        }
        let row = self.list.selected_row()?;
        Some((
            Scope::picked(query, vec![self.row_pick(row.id)], Vec::new()),
            format!("row {}", self.id_text(row.id)),
        ))
    }

    /// The rows shown answer another query than the one applied (it has
    /// not answered yet, say in an outage): `(that query, when)`.
    pub fn rows_of_another_query(&self) -> Option<(&str, DateTime<Utc>)> {
        let at = self.list.rows_at?;
        (self.list.rows_query != self.query.applied && !self.list.rows.is_empty())
            .then_some((self.list.rows_query.as_str(), at))
    }

    /// Row `id` as a pick: whether it matches the applied query in its own
    /// right or through children, from the loaded rows, else from when it
    /// was marked under the same query, else not known.
    pub fn row_pick(&self, id: u64) -> PickedRow {
        if self.query.applied.trim().is_empty() {
            return PickedRow::new(id, Some(false));
        }
        if let Some(row) = self.list.rows.iter().find(|a| a.id == id) {
            return PickedRow::new(id, Some(self.list.partial(row).is_some()));
        }
        let known = self
            .marks
            .rows
            .get(&id)
            .filter(|(query, _)| *query == self.query.applied)
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
        if self.acting.read_only {
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
    /// The list's columns as drawn: with several servers, the server's
    /// after the status unless the operator placed it.
    pub fn shown_columns(&self) -> std::borrow::Cow<'_, [ListColumn]> {
        let columns = &self.prefs.columns;
        if self.backend.servers.is_empty() || columns.contains(&ListColumn::Server) {
            return std::borrow::Cow::Borrowed(columns);
        }
        let mut all = columns.clone();
        let at = usize::from(all.first() == Some(&ListColumn::Status));
        all.insert(at, ListColumn::Server);
        std::borrow::Cow::Owned(all)
    }

    /// The name of the server `id` lives on, with several.
    pub fn server_of(&self, id: u64) -> Option<&str> {
        let k = crate::model::origin::server_of(id)?;
        self.backend.servers.get(k).map(|s| s.name.as_str())
    }

    /// An id as the operator reads it: its server's own, after the
    /// server's name when there are several ("beta 1234").
    pub fn id_text(&self, id: u64) -> String {
        let local = crate::model::origin::local(id);
        match self.server_of(id) {
            Some(server) => format!("{} {local}", crate::printable::printable(server)),
            None => local.to_string(),
        }
    }

    /// The activity `id` in its server's web UI, when it has one.
    pub fn web_ui_url(&self, id: u64) -> Option<String> {
        let (label, embedded) = match crate::model::origin::server_of(id) {
            Some(k) => {
                let s = self.backend.servers.get(k)?;
                (s.label.as_str(), s.embedded)
            }
            None => (self.backend.label.as_str(), self.backend.embedded),
        };
        crate::tui::user_commands::web_ui_url(label, embedded, crate::model::origin::local(id))
    }

    pub fn pane_key(&self, action: super::keys::KeyAction) -> String {
        self.prefs.keymap.first(super::keys::Context::Panes, action)
    }

    /// Keeps `text` for `:messages` without showing it now.
    pub fn note(&mut self, level: Level, text: impl Into<String>) {
        if self.status.messages.len() >= MESSAGES_KEPT {
            self.status.messages.pop_front();
        }
        self.status
            .messages
            .push_back((self.clock.now, level, text.into()));
    }

    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        self.note(level, text.clone());
        self.status.message = Some(Message {
            text,
            level,
            ttl: if level == Level::Error { 30 } else { 15 },
        });
    }

    /// True while something changes on its own (spinner, fading messages).
    pub fn animating(&self) -> bool {
        self.input.gate.armed.is_some()
            || self.input.typing.holding()
            || self.list.loading()
            || self.children.loading
            || !self.acting.flash.is_empty()
            || self.status.message.is_some()
    }
}
