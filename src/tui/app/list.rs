//! The list room: a window of loaded rows over the query's matches.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::model::{Activity, ListSort, RowPage};

/// Rows fetched around the selection at a time.
pub const PAGE: u64 = 400;

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
    /// Where the loading stands: a page on its way, and what for.
    pub load: Load,
    /// A request generation: answers to older ones are dropped.
    pub generation: u64,
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
    /// With several servers: the rows each answered, or that it is down.
    pub servers: Vec<crate::model::origin::ServerRows>,
    /// The selected activity a refresh lost sight of, being looked for in
    /// a whole window (once).
    pub seeking: Option<u64>,
    /// `G` was pressed: the selection stays on the last row while an
    /// estimated end moves.
    pub to_end: bool,
    /// Why the last load failed, shown in the list until one succeeds.
    pub error: Option<String>,
    /// The rows were sorted here, not by the backend: the order holds
    /// within the loaded rows only.
    pub sorted_locally: bool,
}

/// Where the list's loading stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// No page is on its way. `top`: a new query's (or order's) first
    /// page has not come yet, so the next page still starts at the top.
    Idle { top: bool },
    /// A page is on its way, for `of`; `stale`: data moved meanwhile, so
    /// it is asked again when it is back.
    Asked { of: Asked, stale: bool },
}

impl Default for Load {
    fn default() -> Load {
        Load::Idle { top: false }
    }
}

/// What a page was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// The rows on screen only (a refresh): the same rows go in place.
    Screen,
    /// A window of rows around the selection.
    Window,
    /// A new query's or order's first page: its answer starts at the top.
    Top,
}

impl Load {
    /// A page is on its way.
    pub fn loading(self) -> bool {
        matches!(self, Load::Asked { .. })
    }

    /// Whether the next page starts at the top (a new query has not
    /// answered yet).
    pub fn owes_top(self) -> bool {
        matches!(
            self,
            Load::Idle { top: true } | Load::Asked { of: Asked::Top, .. }
        )
    }
}

impl ListState {
    /// Whether a page is on its way.
    pub fn loading(&self) -> bool {
        self.load.loading()
    }

    /// Whether any page has come (a first load that failed leaves none).
    pub fn loaded_once(&self) -> bool {
        self.rows_at.is_some()
    }

    /// A page is asked for `of` (a new query's top stays owed until its
    /// page comes).
    pub fn ask(&mut self, of: Asked) {
        let of = if self.load.owes_top() { Asked::Top } else { of };
        self.load = Load::Asked { of, stale: false };
    }

    /// Data moved: a page on its way is asked again when it is back.
    /// False when none is on its way.
    pub fn mark_stale(&mut self) -> bool {
        match &mut self.load {
            Load::Asked { stale, .. } => {
                *stale = true;
                true
            }
            Load::Idle { .. } => false,
        }
    }

    /// The page asked for came, or failed (`came`): what it was for, and
    /// whether data moved meanwhile. A new query's top is owed still when
    /// its page did not come.
    pub fn answered(&mut self, came: bool) -> (Asked, bool) {
        let (of, stale) = match self.load {
            Load::Asked { of, stale } => (of, stale),
            Load::Idle { top } => (if top { Asked::Top } else { Asked::Window }, false),
        };
        self.load = Load::Idle {
            top: !came && of == Asked::Top,
        };
        (of, stale)
    }

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
        if self.loaded_once() && self.in_window(self.top) && end <= self.window_end() {
            (self.top, end - self.top)
        } else {
            (self.refresh_offset(), PAGE)
        }
    }

    /// The offset of a page centred on the selection.
    pub fn around_selected(&self) -> u64 {
        self.selected.saturating_sub(PAGE / 2)
    }

    /// Takes the page answered at `offset` for `of`, keeping the same
    /// activity selected if it is still there (a new query's top starts
    /// at the top); `sort` orders the rows here when the backend cannot.
    pub fn take_page(&mut self, offset: u64, of: Asked, page: RowPage, sort: Option<ListSort>) {
        let RowPage {
            rows: page,
            activity_count,
            matching_children,
            rows_estimated,
            servers,
        } = page;
        let n = page.results.len() as u64;
        // A refresh of the rows on screen: the same rows in the same
        // places are put in place, and the rest of the window stays.
        let splice = of != Asked::Top
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
        self.servers = servers;
        self.activity_count = activity_count;
        self.error = None;
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
        if of == Asked::Top {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Activity;
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
            servers: Vec::new(),
        };
        list.take_page(0, Asked::Window, page, None);
        assert_eq!((list.selected, list.selected_id), (5, Some(3)));
        assert_eq!(list.total, 12);
    }

    #[test]
    fn a_new_querys_top_is_owed_until_its_page_comes() {
        let mut list = ListState::default();
        list.ask(Asked::Top);
        assert!(list.loading());
        // The page failed (an outage): the next page, whatever it is
        // asked for, still starts at the top.
        assert_eq!(list.answered(false), (Asked::Top, false));
        assert!(!list.loading());
        list.ask(Asked::Screen);
        assert_eq!(
            list.load,
            Load::Asked {
                of: Asked::Top,
                stale: false
            }
        );
        assert!(list.mark_stale(), "data moved while it was out");
        assert_eq!(list.answered(true), (Asked::Top, true));
        // It came: the top is paid, the next refresh reads the screen.
        list.ask(Asked::Screen);
        assert_eq!(list.answered(true), (Asked::Screen, false));
        assert!(!list.mark_stale(), "nothing on its way");
    }
}
