//! The list and its window: moving the cursor, paging rows in, a query
//! or a sort applied, a refresh, and the pages as they come back.

use crate::backend::BackendError;
use crate::model::{Activity, ListSort, RowPage};
use crate::tui::app::{App, Asked, Level, PAGE, Pane};
use crate::tui::event::{Call, Command};
use crate::tui::keys::KeyAction;
use crate::tui::list_columns::ListColumn;

/// Asks for the titles of the computers shown (the children's, and a
/// standalone activity's own; with the computer column, the loaded rows')
/// not named yet.
pub(super) fn fetch_titles(app: &App, fresh: bool) -> Option<Command> {
    let rows: &[Activity] = if app.prefs.columns.contains(&ListColumn::Computer) {
        &app.list.rows
    } else {
        &[]
    };
    let mut ids: Vec<u64> = app
        .children
        .rows
        .iter()
        .chain(app.list.selected_row())
        .chain(rows)
        .filter_map(Activity::computer)
        .filter(|id| fresh || !app.fleet.computer_titles.contains_key(id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    (!ids.is_empty()).then_some(Command::Call(Call::FetchTitles { ids, fresh }))
}

/// Most computers read at once for their last contact.
const CONTACTS_READ: usize = 1_000;

/// Reads the computers of the waiting activities among `shown` (a group's
/// children, a standalone row) not read in the last few minutes: what
/// waits on a computer says how long that computer has been silent, and
/// a refresh re-reads no computer it already knows.
pub(super) fn fetch_contacts<'a>(
    app: &App,
    shown: impl Iterator<Item = &'a Activity>,
) -> Option<Command> {
    use crate::model::ActivityStatus as S;
    let known = |id: &u64| {
        app.fleet
            .contacts_read
            .get(id)
            .is_some_and(|at| app.clock.now - *at < crate::tui::app::CONTACTS_LIFETIME)
    };
    let mut ids: Vec<u64> = shown
        .filter(|a| {
            matches!(
                a.status(),
                Some(S::Undelivered | S::Delivered | S::Scheduled)
            )
        })
        .filter_map(Activity::computer)
        .filter(|id| !known(id))
        .take(CONTACTS_READ)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    (!ids.is_empty()).then_some(Command::Call(Call::FetchComputers(ids)))
}

/// Moves the focused pane's selection (or scroll) by `by`.
pub(super) fn step(app: &mut App, by: i64, out: &mut Vec<Command>) {
    match app.screen.focus {
        Pane::List => {
            if app.list.total == 0 {
                return;
            }
            let last = app.list.total as i64 - 1;
            let to = (app.list.selected as i64).saturating_add(by).clamp(0, last) as u64;
            select(app, to, out);
        }
        Pane::Children => {
            let last = app.children.rows.len().saturating_sub(1) as i64;
            app.children.selected =
                (app.children.selected as i64 + by).clamp(0, last.max(0)) as usize;
            app.detail.scroll = 0;
            app.detail.search_at = None;
        }
        Pane::Detail => {
            // Never past the last line: no blank panes below the end.
            let last = i64::from(crate::tui::layout::detail_last_scroll(app));
            app.detail.scroll =
                (i64::from(app.detail.scroll) + by.clamp(-10_000, 10_000)).clamp(0, last) as u16;
        }
    }
}

/// Selects list row `to`, fetching the rows around it when needed.
pub(super) fn select(app: &mut App, to: u64, out: &mut Vec<Command>) {
    app.list.to_end = false;
    let changed = app.list.selected != to;
    app.list.selected = to;
    app.list.selected_id = app.list.selected_row().map(|a| a.id);
    keep_visible(app);
    if app.list.needs_rows_around(to) && !app.list.loading() {
        out.push(fetch_list(app, to.saturating_sub(PAGE / 2)));
    }
    if changed {
        app.detail.scroll = 0;
        app.detail.search_at = None;
        follow_selection(app, out);
    }
}

pub(super) fn keep_visible(app: &mut App) {
    let height = crate::tui::layout::list_height(app);
    app.list.keep_visible(height);
}

/// Loads the children of the selected parent, or clears them.
pub(super) fn follow_selection(app: &mut App, out: &mut Vec<Command>) {
    let parent = app
        .list
        .selected_row()
        .filter(|a| a.is_parent())
        .map(|a| a.id);
    if parent != app.children.parent {
        app.children.parent = parent;
        app.children.rows.clear();
        app.children.selected = 0;
        if let Some(p) = parent {
            out.push(fetch_children(app, p));
        }
    }
    if parent.is_none() || app.prefs.columns.contains(&ListColumn::Computer) {
        // A standalone activity names its own computer.
        out.extend(fetch_titles(app, false));
    }
    if parent.is_none() {
        out.extend(fetch_contacts(app, app.list.selected_row().into_iter()));
    }
}

/// A group shown only through some children lists those (unless `A`
/// asks for all); a group that matches in its own right takes all its
/// children (those that satisfy the query's work terms, when it has
/// some), so those are listed.
pub(super) fn fetch_children(app: &mut App, parent: u64) -> Command {
    app.children.loading = true;
    let through_children = app
        .list
        .selected_row()
        .filter(|row| row.id == parent)
        .is_some_and(|row| app.list.partial(row).is_some());
    app.children.brought = !app.query.applied.trim().is_empty() && !through_children;
    // A group that matches brings all its children, or, when the query
    // names per-computer work, those that satisfy it (`model::scope`).
    let work = crate::query::split_work(&app.query.applied).work;
    let query = if app.children.show_all {
        None
    } else if through_children {
        Some(app.query.applied.clone())
    } else if app.children.brought && !work.is_empty() {
        Some(work)
    } else {
        None
    };
    app.children.filtered = query.is_some();
    Command::Call(Call::FetchChildren { parent, query })
}

pub(super) fn fetch_list(app: &mut App, offset: u64) -> Command {
    fetch_rows(app, offset, PAGE)
}

/// A new query's (or order's) first page: its answer starts at the top.
fn fetch_top(app: &mut App) -> Command {
    app.list.ask(Asked::Top);
    rows_asked(app, 0, PAGE)
}

/// `limit` rows from `offset`: the rows on screen when fewer than a page.
fn fetch_rows(app: &mut App, offset: u64, limit: u64) -> Command {
    app.list.ask(if limit < PAGE {
        Asked::Screen
    } else {
        Asked::Window
    });
    rows_asked(app, offset, limit)
}

fn rows_asked(app: &mut App, offset: u64, limit: u64) -> Command {
    app.list.generation += 1;
    app.clock.list_asked = Some(app.clock.now);
    Command::Call(Call::FetchList {
        generation: app.list.generation,
        query: app.query.applied.clone(),
        offset,
        limit,
        sort: if app.sorts_locally() {
            ListSort::default()
        } else {
            app.prefs.sort
        },
    })
}

/// Reloads what is on screen, keeping selection, scroll and marks. An
/// open group whose children can no longer change is not read again.
pub(super) fn refresh(app: &mut App, out: &mut Vec<Command>) {
    refresh_reading(app, out, false);
}

/// `everything`: the operator asked (`r`) or acted: the open group's
/// children are read even when they seem settled.
pub(super) fn refresh_reading(app: &mut App, out: &mut Vec<Command>, everything: bool) {
    if !app.list.mark_stale() {
        let (offset, limit) = if app.sorts_locally() {
            (app.list.refresh_offset(), PAGE)
        } else {
            app.list.refresh_range(crate::tui::layout::list_height(app))
        };
        out.push(fetch_rows(app, offset, limit));
    }
    // Children still loading are not asked again: the newer request
    // would stop the one under way, and a slow read would never end.
    if let Some(p) = app.children.parent
        && !app.children.loading
        && (everything || !children_settled(app, p))
    {
        out.push(fetch_children(app, p));
    }
    out.push(Command::Call(Call::FetchInFlight));
    out.push(Command::Call(Call::FetchOperations));
}

/// Every child of `parent` is final (by the group's own counts) and
/// those shown were read: a refresh would read the same again.
fn children_settled(app: &App, parent: u64) -> bool {
    let none_moving = app
        .list
        .rows
        .iter()
        .find(|r| r.id == parent)
        .and_then(|r| r.children_statuses.get())
        .is_some_and(|c| c.warning == 0);
    none_moving
        && !app.children.rows.is_empty()
        && app
            .children
            .rows
            .iter()
            .all(crate::model::Activity::is_final)
}

/// Shows what `text` matches in the list, from its top.
pub(super) fn apply_query(app: &mut App, text: String, out: &mut Vec<Command>) {
    app.screen.focus = Pane::List;
    if text != app.query.applied || !app.list.loaded_once() {
        // The old rows stay on screen until the new ones arrive.
        app.query.applied = text;
        app.list.selected_id = None;
        // `*` was every match of the old query: its message goes with it.
        if app.marks.all.take().is_some() {
            app.say(
                Level::Info,
                "the new query dropped * (every match of the old one)",
            );
        }
        out.push(fetch_top(app));
        app.children.parent = None;
        app.children.rows.clear();
        out.push(Command::Call(Call::FetchInFlight));
        out.push(Command::Call(Call::FetchOperations));
        if app.health.shown {
            out.push(super::health::fetch(app));
        }
    }
}

/// Orders the list by `sort`, from its top.
pub(super) fn set_sort(app: &mut App, sort: ListSort, out: &mut Vec<Command>) {
    app.prefs.sort = sort;
    app.list.selected_id = None;
    out.push(fetch_top(app));
    let what = format!("sorted by {} {}", sort.column.name(), sort.arrow());
    if app.sorts_locally() {
        app.say(
            Level::Warning,
            format!("{what} (loaded rows only: the server sorts by time)"),
        );
    } else {
        app.say(Level::Info, what);
    }
}

/// The one matching child of each row shown through exactly one (at most
/// 100 a page, one request), so that the row shows its own status. A
/// child already read whose status is final is not read again: an idle
/// refresh costs nothing here.
fn fetch_own_children(app: &App) -> Option<Command> {
    let settled = |parent: &u64| app.list.own_child.get(parent).is_some_and(|c| c.is_final());
    let mut parents = app.list.through_one();
    parents.retain(|p| !settled(p));
    parents.truncate(crate::model::scope::IDS_PER_QUERY);
    (!parents.is_empty()).then(|| {
        Command::Call(Call::FetchOwnChildren {
            generation: app.list.generation,
            parents,
            query: app.query.applied.clone(),
        })
    })
}

pub(super) fn own_children_loaded(
    app: &mut App,
    generation: u64,
    result: Result<Vec<crate::model::Activity>, BackendError>,
) {
    // A failed side read leaves the rows as they are: the list says the
    // outage, if it is one.
    let (true, Ok(children)) = (generation == app.list.generation, result) else {
        return;
    };
    for c in children {
        if let Some(parent) = c.parent()
            && app.list.matching_children.get(&parent) == Some(&1)
        {
            app.list.own_child.insert(parent, c);
        }
    }
}

pub(super) fn list_loaded(
    app: &mut App,
    generation: u64,
    offset: u64,
    result: Result<RowPage, BackendError>,
    out: &mut Vec<Command>,
) {
    if generation != app.list.generation {
        return;
    }
    let (of, stale) = app.list.answered(result.is_ok());
    match result {
        Ok(page) => {
            if !rows_taken(app, offset, of, page, out) {
                return;
            }
        }
        Err(BackendError::InvalidQuery { message, span }) => {
            app.query.error = Some(crate::query::QueryError::new(
                span.unwrap_or(0..app.query.applied.len()),
                message.clone(),
            ));
            app.say(
                Level::Error,
                format!("the server refused the query: {message}"),
            );
        }
        Err(e) => return list_failed(app, e),
    }
    let outside = !app.list.in_window(app.list.selected);
    let around = app.list.around_selected();
    if outside && app.list.selected < app.list.total && around == offset {
        // Asked for exactly this and the rows are not there: a server whose
        // count and pages disagree. Say so rather than ask forever.
        app.list.error = Some(format!(
            "the server counts {} rows but sent none at row {}",
            app.list.total,
            app.list.selected + 1
        ));
    } else if stale || (outside && app.list.selected < app.list.total) {
        // The selection moved past this window while it loaded.
        let offset = if outside {
            around
        } else {
            app.list.window_start
        };
        out.push(fetch_list(app, offset));
    }
}

/// Takes a page of rows in: the outage over, the selection kept (or
/// looked for once when new rows pushed it out of a screen's refresh),
/// `G` followed to the end. False when another read was asked instead.
fn rows_taken(
    app: &mut App,
    offset: u64,
    of: Asked,
    page: RowPage,
    out: &mut Vec<Command>,
) -> bool {
    if let Some(o) = app.status.outage.take() {
        let back = format!(
            "the server answers again ({} since {})",
            o.what,
            o.since.with_timezone(&app.clock.offset).format("%H:%M:%S")
        );
        app.say(Level::Success, back);
    }
    let count = page.rows.count;
    let short = of == Asked::Screen;
    let sort = app.sorts_locally().then_some(app.prefs.sort);
    let was = app.list.selected_id;
    if app.list.rows_query != app.query.applied {
        // Another query may show a row through another child.
        app.list.own_child.clear();
    }
    app.list.take_page(offset, of, page, sort);
    app.list.rows_query = app.query.applied.clone();
    app.list.rows_at = Some(app.clock.now);
    let seeking = std::mem::take(&mut app.list.seeking);
    if short && was.is_some() && app.list.selected_id != was && seeking != was {
        // A refresh of the screen found the selected activity moved
        // (new ones on top): look for it once in a whole window.
        app.list.selected_id = was;
        app.list.seeking = was;
        out.push(fetch_list(app, app.list.around_selected()));
        return false;
    }
    if app.query.applied.trim().is_empty() && !app.list.rows_estimated {
        app.list.total_all = Some(count);
    }
    app.clock.last_refresh = Some(app.clock.now);
    if app.list.to_end {
        app.list.selected = app.list.total.saturating_sub(1);
        app.list.selected_id = app.list.selected_row().map(|a| a.id);
        app.list.to_end = app.list.selected_id.is_none();
    }
    keep_visible(app);
    follow_selection(app, out);
    out.extend(fetch_own_children(app));
    true
}

/// A page that did not come: a server away or refusing is an outage the
/// status line names until it answers (said whole once, kept for
/// `:messages`); any other failure is said, the last rows kept.
fn list_failed(app: &mut App, e: BackendError) {
    app.list.error = Some(e.to_string());
    let Some(what) = e.outage() else {
        app.say(
            Level::Error,
            format!(
                "loading the list failed: {e} (showing the last data; {} retries)",
                app.pane_key(KeyAction::Refresh)
            ),
        );
        return;
    };
    let new = app.status.outage.as_ref().is_none_or(|o| o.what != what);
    let since = app
        .status
        .outage
        .as_ref()
        .map_or(app.clock.now, |o| o.since);
    if new {
        app.note(Level::Error, format!("{what}: {e}"));
    }
    let manual = matches!(e, BackendError::Auth(_));
    if manual && new {
        // Which server refused what, and what to do: said whole.
        app.say(Level::Error, e.to_string());
    }
    app.status.outage = Some(crate::tui::app::Outage {
        what,
        detail: e.to_string(),
        since,
        manual,
    });
}
