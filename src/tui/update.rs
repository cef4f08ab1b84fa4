//! The pure step: `update(app, event) -> commands`. No terminal, no I/O:
//! requests leave as commands and come back as events.

use ratatui::crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEventKind};

use super::app::{App, Confirm, Dialog, Level, MarkAll, PAGE, Pane, PromptKind, RefusedWhen};
use super::command_line::{self, CommandLine};
use super::event::{Command, Event};
use super::keys::{self, Context, KeyAction};
use crate::backend::BackendError;
use crate::backend::action_plan::{ActionRecord, ActionReport};
use crate::model::{ActionKind, Activity, ListSort, RowPage};
use crate::printable::{activities, thousands};
use crate::query::{ParseOptions, complete, parse_with};

/// The key of a pane action as the operator's keymap has it, for messages.
fn key_of(app: &App, action: KeyAction) -> String {
    app.keymap.first(Context::Panes, action)
}

/// How many past queries are kept.
/// Ticks a changed row stays highlighted.
const FLASH_TICKS: u8 = 3;

pub fn update(app: &mut App, event: Event) -> Vec<Command> {
    let mut out = Vec::new();
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => on_key(app, key, &mut out),
        Event::Key(_) => {}
        Event::Mouse(mouse) => on_mouse(app, mouse, &mut out),
        Event::Resize(w, h) => {
            app.size = (w, h);
            keep_visible(app);
        }
        Event::Tick => {
            app.spinner = app.spinner.wrapping_add(1);
            app.flash.retain(|_, ticks| {
                *ticks = ticks.saturating_sub(1);
                *ticks > 0
            });
            if let Some(m) = &mut app.message {
                m.ttl = m.ttl.saturating_sub(1);
                if m.ttl == 0 {
                    app.message = None;
                }
            }
        }
        Event::RefreshDue | Event::BackendChanged => {
            if app.dialog.is_none() && !app.paused {
                refresh(app, &mut out);
            }
        }
        Event::ListLoaded {
            generation,
            offset,
            result,
        } => list_loaded(app, generation, offset, result, &mut out),
        Event::ChildrenLoaded { parent, result } => {
            if app.children.parent == Some(parent) {
                app.children.loading = false;
                match result {
                    Ok(rows) => {
                        app.children.rows = rows;
                        out.extend(fetch_titles(app, false));
                        app.children.selected = app
                            .children
                            .selected
                            .min(app.children.rows.len().saturating_sub(1));
                    }
                    Err(e) => app.say(Level::Error, format!("children of {parent}: {e}")),
                }
            }
        }
        Event::PlanLoaded {
            kind,
            scope,
            result,
        } => {
            if let Some(Dialog::Confirm(c)) = &mut app.dialog
                && c.kind == kind
                && c.scope == scope
            {
                match result {
                    Ok(plan) => {
                        if !plan.refusals.is_empty() {
                            let unlisted =
                                (plan.refused() as usize).saturating_sub(plan.refusals.len());
                            app.last_refusals =
                                Some((kind, plan.refusals.clone(), unlisted, RefusedWhen::WouldBe));
                        }
                        c.plan = Some(plan);
                    }
                    Err(e) => {
                        app.dialog = None;
                        app.say(Level::Error, format!("{} dry run failed: {e}", kind.verb()));
                    }
                }
            }
        }
        Event::ActionDone(report) => action_done(app, report, &mut out),
        Event::InFlightLoaded(result) => {
            if let Ok(list) = result {
                app.in_flight = list
                    .into_iter()
                    .filter(|a| a.progress.is_some() && !a.status().is_some_and(|s| s.is_final()))
                    .collect();
            }
        }
        Event::TitlesLoaded(result) => match result {
            Ok(titles) => app.computer_titles.extend(titles),
            Err(e) => app.say(Level::Warning, format!("computer names: {e}")),
        },
        Event::Exported { path, result } => match result {
            Ok(n) => app.say(
                Level::Success,
                format!("exported {} to {}", activities(n as u64), path.display()),
            ),
            Err(e) => app.say(
                Level::Error,
                format!("export to {} failed: {e}", path.display()),
            ),
        },
        Event::ProfileSwitched { name, result } => match result {
            Ok((info, read_only)) => out.extend(profile_switched(app, name, info, read_only)),
            Err(e) => app.say(
                Level::Error,
                format!("profile {name}: {e} (still on {})", app.backend.label),
            ),
        },
        Event::Vocabulary(result) => {
            if let Ok((values, computers)) = result {
                app.values = values;
                app.computer_titles = computers.into_iter().map(|c| (c.id, c.title)).collect();
            }
        }
    }
    out
}

fn on_key(app: &mut App, key: KeyEvent, out: &mut Vec<Command>) {
    let context = match &app.dialog {
        Some(Dialog::Confirm(_) | Dialog::SwitchProfile { .. }) => Context::Confirm,
        Some(_) => Context::Popup,
        None if app.editing || app.prompt.is_some() => Context::Editor,
        None => Context::Panes,
    };
    let action = app.keymap.action(context, &key);
    if action == Some(KeyAction::Quit) {
        app.quit = true;
        out.push(Command::Quit);
        return;
    }
    match context {
        Context::Confirm | Context::Popup => return on_dialog_key(app, action, out),
        Context::Editor if app.prompt.is_some() => return on_prompt_key(app, key, action, out),
        Context::Editor => return on_query_key(app, key, action, out),
        Context::Panes => {}
    }
    let Some(action) = action else {
        if let Some(i) = app.looks.views.iter().position(|v| v.key.matches(&key)) {
            apply_view(app, i, out);
        }
        return;
    };
    match action {
        KeyAction::EditQuery => {
            app.editing = true;
            app.query.history_pos = None;
            revalidate(app);
        }
        KeyAction::NextPane => app.focus = next_pane(app.focus, true),
        KeyAction::PrevPane => app.focus = next_pane(app.focus, false),
        KeyAction::Down => step(app, 1, out),
        KeyAction::Up => step(app, -1, out),
        KeyAction::PageDown => step(app, super::layout::list_height(app).max(1) as i64, out),
        KeyAction::PageUp => step(app, -(super::layout::list_height(app).max(1) as i64), out),
        KeyAction::Top => step(app, i64::MIN / 2, out),
        KeyAction::Bottom => step(app, i64::MAX / 2, out),
        KeyAction::Open => match app.focus {
            Pane::List => {
                if app.list.selected_row().is_some_and(Activity::is_parent) {
                    app.focus = Pane::Children;
                } else {
                    app.focus = Pane::Detail;
                }
            }
            Pane::Children => {
                if let Some(c) = app.children.rows.get(app.children.selected) {
                    let id = c.id;
                    if !app.children.expanded.remove(&id) {
                        app.children.expanded.insert(id);
                    }
                }
            }
            Pane::Detail => app.detail.hscroll = app.detail.hscroll.saturating_add(8).min(4000),
        },
        // Marks where the cursor is and stays: the operator sees what was marked.
        KeyAction::Mark => match app.focus {
            Pane::Children => {
                if let Some(child) = app.selected_child() {
                    toggle_mark(app, child.id, Some(child));
                }
            }
            _ => {
                if let Some(id) = app.list.selected_row().map(|a| a.id) {
                    toggle_mark(app, id, None);
                }
            }
        },
        KeyAction::MarkAllShown => mark_all(app),
        KeyAction::ClearMarks => {
            app.marks.clear();
            app.say(Level::Info, "marks cleared");
        }
        KeyAction::Approve | KeyAction::Cancel | KeyAction::Reapply | KeyAction::Revert => {
            if let Some(kind) = action.act() {
                start_action(app, kind, out);
            }
        }
        KeyAction::Refresh => {
            refresh(app, out);
            out.extend(fetch_titles(app, true));
        }
        KeyAction::TogglePause => {
            app.paused = !app.paused;
            let text = if app.paused {
                format!(
                    "auto-refresh paused ({} resumes)",
                    key_of(app, KeyAction::TogglePause)
                )
            } else {
                "auto-refresh resumed".to_owned()
            };
            app.say(Level::Info, text);
        }
        KeyAction::ShowAllChildren => {
            app.children.show_all = !app.children.show_all;
            if let Some(parent) = app.children.parent {
                out.push(fetch_children(app, parent));
            }
        }
        KeyAction::Copy => {
            if let Some(a) = app.detail_activity() {
                let json = serde_json::to_string_pretty(a).unwrap_or_default();
                let id = a.id;
                out.push(Command::Copy(json));
                app.say(Level::Success, format!("copied activity {id} as JSON"));
            }
        }
        KeyAction::ShowRefusals => match &app.last_refusals {
            Some((kind, refusals, unlisted, when)) => {
                app.dialog = Some(Dialog::Refusals {
                    kind: *kind,
                    refusals: refusals.clone(),
                    unlisted: *unlisted,
                    when: *when,
                })
            }
            None => app.say(Level::Info, "no refusals to show"),
        },
        KeyAction::Help => app.dialog = Some(Dialog::Help { scroll: 0 }),
        KeyAction::ActionLog => open_action_log(app),
        KeyAction::RangeMark => range_mark(app),
        KeyAction::Sort => {
            let next = ListSort::by(app.sort.column.next());
            set_sort(app, next, out);
        }
        KeyAction::ReverseSort => set_sort(app, app.sort.reversed(), out),
        KeyAction::Zoom => {
            app.zoomed = !app.zoomed;
            keep_visible(app);
        }
        KeyAction::Back => {
            if app.marks.range_from.take().is_some() {
                app.say(Level::Info, "range stopped");
            }
            if app.zoomed {
                app.zoomed = false;
                keep_visible(app);
            }
            app.detail.search.clear();
            app.detail.search_at = None;
        }
        KeyAction::Find => {
            app.focus = Pane::Detail;
            app.zoomed = true;
            app.prompt = Some(PromptKind::Search);
            app.line.set(app.detail.search.clone());
            app.line.completions.clear();
        }
        KeyAction::NextMatch => find(app, true, false),
        KeyAction::PrevMatch => find(app, false, false),
        KeyAction::ScrollLeft if app.focus == Pane::Detail => {
            app.detail.hscroll = app.detail.hscroll.saturating_sub(8);
        }
        KeyAction::Command => {
            app.prompt = Some(PromptKind::Command);
            app.line.set(String::new());
            app.line.history_pos = None;
            complete_command(app);
        }
        // Quit is handled above; the rest belong to the editor and dialogs.
        _ => {}
    }
}

/// Space: marks `id`, or unmarks it (a child remembers its group).
fn toggle_mark(app: &mut App, id: u64, child: Option<crate::model::scope::PickedChild>) {
    if app.marks.ids.remove(&id) {
        app.marks.children.remove(&id);
        app.marks.rows.remove(&id);
        return;
    }
    app.marks.ids.insert(id);
    match child {
        Some(child) => {
            app.marks.children.insert(id, child);
        }
        None => {
            if let Some(through) = app.row_pick(id).through_children {
                app.marks.rows.insert(id, (app.applied.clone(), through));
            }
        }
    }
}

/// `*`: everything the query matches, not only the rows loaded; in the
/// children pane, the children shown when they are the ones the query
/// takes (the matching ones, or all of a group that matches).
fn mark_all(app: &mut App) {
    if app.focus == Pane::Children {
        if !app.children.filtered && !app.children.brought {
            app.say(
                Level::Warning,
                format!(
                    "these are all the children, not only the matching ones: {} shows the matching ones, then {} marks them",
                    key_of(app, KeyAction::ShowAllChildren),
                    key_of(app, KeyAction::MarkAllShown)
                ),
            );
            return;
        }
        let picks: Vec<_> = (0..app.children.rows.len())
            .filter_map(|i| {
                let c = &app.children.rows[i];
                Some(crate::model::scope::PickedChild {
                    id: c.id,
                    parent: app.children.parent?,
                    brought: app.children.brought,
                })
            })
            .collect();
        let n = picks.len();
        for p in picks {
            app.marks.ids.insert(p.id);
            app.marks.children.insert(p.id, p);
        }
        app.say(
            Level::Info,
            format!("marked {n} children; {} marked in all", app.marks.ids.len()),
        );
        return;
    }
    if app.list.total == 0 {
        app.say(Level::Info, "nothing matches: nothing to mark");
        return;
    }
    let count = app.list.activity_count;
    app.marks.all = Some(MarkAll {
        query: app.applied.clone(),
        count,
    });
    app.say(
        Level::Info,
        format!(
            "all {} matching marked: an action now applies to every match of the query ({} clears)",
            thousands(count),
            key_of(app, KeyAction::ClearMarks)
        ),
    );
}

/// Asks for the titles of the children's computers not named yet.
fn fetch_titles(app: &App, fresh: bool) -> Option<Command> {
    let mut ids: Vec<u64> = app
        .children
        .rows
        .iter()
        .filter_map(Activity::computer)
        .filter(|id| fresh || !app.computer_titles.contains_key(id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    (!ids.is_empty()).then_some(Command::FetchTitles { ids, fresh })
}

fn next_pane(p: Pane, forward: bool) -> Pane {
    match (p, forward) {
        (Pane::List, true) | (Pane::Detail, false) => Pane::Children,
        (Pane::Children, true) | (Pane::List, false) => Pane::Detail,
        (Pane::Detail, true) | (Pane::Children, false) => Pane::List,
    }
}

/// Moves the focused pane's selection (or scroll) by `by`.
fn step(app: &mut App, by: i64, out: &mut Vec<Command>) {
    match app.focus {
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
            app.detail.scroll =
                (i64::from(app.detail.scroll) + by.clamp(-10_000, 10_000)).clamp(0, 60_000) as u16;
        }
    }
}

/// Selects list row `to`, fetching the rows around it when needed.
fn select(app: &mut App, to: u64, out: &mut Vec<Command>) {
    let changed = app.list.selected != to;
    app.list.selected = to;
    app.list.selected_id = app.list.selected_row().map(|a| a.id);
    keep_visible(app);
    let start = app.list.window_start;
    let end = start + app.list.rows.len() as u64;
    let margin = (PAGE / 8).min(app.list.total);
    let near_end = to + margin >= end && end < app.list.total;
    let near_start = to < start + margin && start > 0;
    if (near_end || near_start || to < start || to >= end) && !app.list.loading {
        out.push(fetch_list(app, to.saturating_sub(PAGE / 2)));
    }
    if changed {
        app.detail.scroll = 0;
        app.detail.search_at = None;
        follow_selection(app, out);
    }
}

fn keep_visible(app: &mut App) {
    let h = super::layout::list_height(app).max(1);
    if app.list.selected < app.list.top {
        app.list.top = app.list.selected;
    } else if app.list.selected >= app.list.top + h {
        app.list.top = app.list.selected + 1 - h;
    }
    app.list.top = app.list.top.min(app.list.total.saturating_sub(h));
}

/// Loads the children of the selected parent, or clears them.
fn follow_selection(app: &mut App, out: &mut Vec<Command>) {
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
}

/// A group shown only through some children lists those (unless `A`
/// asks for all); a group that matches in its own right takes all its
/// children, so all are listed.
fn fetch_children(app: &mut App, parent: u64) -> Command {
    app.children.loading = true;
    let through_children = app
        .list
        .selected_row()
        .filter(|row| row.id == parent)
        .is_some_and(|row| app.list.partial(row).is_some());
    app.children.brought = !app.applied.trim().is_empty() && !through_children;
    let query = (!app.children.show_all && through_children).then(|| app.applied.clone());
    app.children.filtered = query.is_some();
    Command::FetchChildren { parent, query }
}

fn fetch_list(app: &mut App, offset: u64) -> Command {
    app.list.generation += 1;
    app.list.loading = true;
    app.list.stale = false;
    Command::FetchList {
        generation: app.list.generation,
        query: app.applied.clone(),
        offset,
        limit: PAGE,
        sort: if app.sorts_locally() {
            ListSort::default()
        } else {
            app.sort
        },
    }
}

/// Reloads what is on screen, keeping selection, scroll and marks.
fn refresh(app: &mut App, out: &mut Vec<Command>) {
    if app.list.loading {
        app.list.stale = true;
    } else {
        let l = &app.list;
        let in_window =
            l.selected >= l.window_start && l.selected < l.window_start + l.rows.len() as u64;
        let offset = if in_window || l.total == 0 {
            l.window_start
        } else {
            l.selected.saturating_sub(PAGE / 2)
        };
        out.push(fetch_list(app, offset));
    }
    if let Some(p) = app.children.parent {
        out.push(fetch_children(app, p));
    }
    out.push(Command::FetchInFlight);
}

fn list_loaded(
    app: &mut App,
    generation: u64,
    offset: u64,
    result: Result<RowPage, BackendError>,
    out: &mut Vec<Command>,
) {
    if generation != app.list.generation {
        return;
    }
    app.list.loading = false;
    match result {
        Ok(page) => {
            let RowPage {
                rows: page,
                activity_count,
                matching_children,
            } = page;
            app.list.total = page.count;
            app.list.activity_count = activity_count;
            app.list.matching_children = matching_children.into_iter().collect();
            app.list.error = None;
            if app.applied.trim().is_empty() {
                app.list.total_all = Some(page.count);
            }
            if std::mem::take(&mut app.list.new_query) {
                app.list.selected = 0;
                app.list.top = 0;
            }
            app.list.window_start = offset;
            app.list.rows = page.results;
            app.list.sorted_locally = app.sorts_locally();
            if app.list.sorted_locally {
                let sort = app.sort;
                app.list.rows.sort_by(|a, b| sort.compare(a, b));
            }
            app.list.loaded_once = true;
            app.last_refresh = Some(app.now);
            // Keep the same activity selected if it is still there.
            let found = app
                .list
                .selected_id
                .and_then(|id| app.list.rows.iter().position(|a| a.id == id));
            match found {
                Some(i) => app.list.selected = offset + i as u64,
                None => app.list.selected = app.list.selected.min(app.list.total.saturating_sub(1)),
            }
            app.list.selected_id = app.list.selected_row().map(|a| a.id);
            keep_visible(app);
            follow_selection(app, out);
        }
        Err(BackendError::InvalidQuery { message, span }) => {
            app.query_error = Some(crate::query::QueryError::new(
                span.unwrap_or(0..app.applied.len()),
                message.clone(),
            ));
            app.say(
                Level::Error,
                format!("the server refused the query: {message}"),
            );
        }
        Err(e) => {
            app.list.error = Some(e.to_string());
            app.say(
                Level::Error,
                format!(
                    "loading the list failed: {e} (showing the last data; {} retries)",
                    key_of(app, KeyAction::Refresh)
                ),
            );
            return;
        }
    }
    let start = app.list.window_start;
    let end = start + app.list.rows.len() as u64;
    let outside = app.list.selected < start || app.list.selected >= end;
    let around = app.list.selected.saturating_sub(PAGE / 2);
    if outside && app.list.selected < app.list.total && around == offset {
        // Asked for exactly this and the rows are not there: a server whose
        // count and pages disagree. Say so rather than ask forever.
        app.list.error = Some(format!(
            "the server counts {} rows but sent none at row {}",
            app.list.total,
            app.list.selected + 1
        ));
    } else if app.list.stale || (outside && app.list.selected < app.list.total) {
        // The selection moved past this window while it loaded.
        out.push(fetch_list(app, if outside { around } else { start }));
    }
}

fn start_action(app: &mut App, kind: ActionKind, out: &mut Vec<Command>) {
    if app.read_only {
        app.say(Level::Warning, "read-only: actions are disabled");
        return;
    }
    let Some((scope, picked)) = app.action_scope() else {
        app.say(
            Level::Info,
            format!("nothing to {}: select or mark activities", kind.verb()),
        );
        return;
    };
    let partial = match (app.marks.is_empty(), app.focus) {
        (true, Pane::List) => app.list.selected_row().and_then(|row| {
            let n = app.list.partial(row)?;
            let all = row.children_count.copied().unwrap_or(n);
            Some((row.summary.to_string(), n, all))
        }),
        _ => None,
    };
    let shown: std::collections::HashSet<u64> = app
        .list
        .rows
        .iter()
        .chain(app.children.rows.iter())
        .map(|a| a.id)
        .collect();
    let hidden_marked = if app.marks.all.is_some() {
        0
    } else {
        app.marks
            .ids
            .iter()
            .filter(|id| !shown.contains(id))
            .count()
    };
    app.dialog = Some(Dialog::Confirm(Box::new(Confirm {
        kind,
        scope: scope.clone(),
        picked,
        plan: None,
        hidden_marked,
        partial,
        from_marks: !app.marks.is_empty(),
    })));
    out.push(Command::Plan { kind, scope });
}

fn on_dialog_key(app: &mut App, action: Option<KeyAction>, out: &mut Vec<Command>) {
    let Some(dialog) = app.dialog.clone() else {
        return;
    };
    let close = action == Some(KeyAction::Close);
    match dialog {
        Dialog::Confirm(c) => {
            if close {
                app.dialog = None;
                app.say(Level::Info, format!("{} aborted", c.kind.verb()));
            } else if action == Some(KeyAction::Confirm)
                && let Some(plan) = &c.plan
            {
                app.dialog = None;
                if plan.changes() == 0 {
                    app.say(
                        Level::Warning,
                        format!("nothing to {}: nothing selected can change", c.kind.verb()),
                    );
                    return;
                }
                let only_changeable = c.only_changeable();
                app.marks.consuming = c.from_marks;
                app.acting = Some((c.picked.clone(), only_changeable));
                app.say(
                    Level::Info,
                    format!("{} {} …", c.kind.ongoing(), activities(plan.changes())),
                );
                out.push(Command::CarryOut {
                    plan: Box::new(plan.clone()),
                    only_changeable,
                });
            }
        }
        Dialog::Help { scroll } => {
            let by: i32 = match action {
                Some(KeyAction::ScrollDown) => 1,
                Some(KeyAction::ScrollUp) => -1,
                Some(KeyAction::PageDown) => 10,
                Some(KeyAction::PageUp) => -10,
                _ => 0,
            };
            if by != 0 {
                let lines = keys::help_len(app.looks.views.len()) as i32;
                let scroll = (i32::from(scroll) + by).clamp(0, lines) as u16;
                app.dialog = Some(Dialog::Help { scroll });
            } else if close || action == Some(KeyAction::Open) {
                app.dialog = None;
            }
        }
        Dialog::Refusals { .. } => {
            if close || action == Some(KeyAction::Open) {
                app.dialog = None;
            }
        }
        Dialog::ActionLog { selected } => {
            let last = app.action_log.len().saturating_sub(1);
            match action {
                Some(KeyAction::ScrollDown) => {
                    app.dialog = Some(Dialog::ActionLog {
                        selected: (selected + 1).min(last),
                    })
                }
                Some(KeyAction::ScrollUp) => {
                    app.dialog = Some(Dialog::ActionLog {
                        selected: selected.saturating_sub(1),
                    })
                }
                Some(KeyAction::Open) => {
                    app.dialog = None;
                    if let Some(record) = app.action_log.get(selected) {
                        let query = record.query();
                        let len = query.chars().count();
                        set_query(app, query.clone(), len);
                        apply_query(app, query, out);
                    }
                }
                _ if close => app.dialog = None,
                _ => {}
            }
        }
        Dialog::SwitchProfile { name, .. } => {
            if close {
                app.dialog = None;
                app.say(Level::Info, "staying: marks kept");
            } else if action == Some(KeyAction::Confirm) {
                app.dialog = None;
                switch_profile(app, name, out);
            }
        }
    }
}

fn action_done(app: &mut App, report: ActionReport, out: &mut Vec<Command>) {
    use crate::backend::action_plan::Outcome;
    let consumed = std::mem::take(&mut app.marks.consuming);
    if consumed && report.complete() {
        app.marks.clear();
    }
    for id in &report.ids {
        app.flash.insert(*id, FLASH_TICKS);
    }
    let level = match &report.outcome {
        _ if report.moved => Level::Warning,
        Outcome::Done => Level::Success,
        Outcome::NothingToDo => Level::Info,
        Outcome::Unknown(_) => Level::Warning,
        Outcome::Refused | Outcome::NotSent(_) | Outcome::Failed(_) => Level::Error,
    };
    let mut text = report.summary();
    let refusals_key = key_of(app, KeyAction::ShowRefusals);
    if !report.refusals.is_empty() {
        text.push_str(&format!(" ({refusals_key} shows why)"));
        let when = RefusedWhen::Refused {
            changed: report.changed,
        };
        app.last_refusals = Some((report.kind, report.refusals.clone(), report.unlisted, when));
        app.dialog = Some(Dialog::Refusals {
            kind: report.kind,
            refusals: report.refusals.clone(),
            unlisted: report.unlisted,
            when,
        });
    } else if let Some((kind, _, _, when)) = &mut app.last_refusals
        && *kind == report.kind
        && *when == RefusedWhen::WouldBe
    {
        // The dry run's refusals were left out of what was sent.
        *when = if report.complete() {
            text.push_str(&format!(" ({refusals_key} shows what was left out)"));
            RefusedWhen::LeftOut
        } else {
            RefusedWhen::Refused {
                changed: report.changed,
            }
        };
    }
    app.say(level, text);
    let (picked, only_changeable) = app.acting.take().unwrap_or_default();
    let record = ActionRecord::new(
        &report,
        app.now,
        &app.backend.label,
        &picked,
        only_changeable,
    );
    app.action_log.insert(0, record.clone());
    out.push(Command::LogAction(Box::new(record)));
    refresh(app, out);
}

/// `L` / `:log`: what was done, newest first.
fn open_action_log(app: &mut App) {
    if app.action_log.is_empty() {
        app.say(Level::Info, "the action log is empty: no action taken yet");
    } else {
        app.dialog = Some(Dialog::ActionLog { selected: 0 });
    }
}

/// `V`: starts a range where the cursor is; the next `V` marks every row
/// (or child) from there to the cursor.
fn range_mark(app: &mut App) {
    let here = match app.focus {
        Pane::Children => (Pane::Children, app.children.selected as u64),
        _ => (Pane::List, app.list.selected),
    };
    let Some((pane, from)) = app.marks.range_from.take() else {
        app.marks.range_from = Some(here);
        let text = format!(
            "range: move, then {} marks every row in between ({} stops)",
            key_of(app, KeyAction::RangeMark),
            key_of(app, KeyAction::Back)
        );
        app.say(Level::Info, text);
        return;
    };
    if pane != here.0 {
        let text = format!(
            "a range stays in one pane: {} starts a new one here",
            key_of(app, KeyAction::RangeMark)
        );
        app.say(Level::Warning, text);
        app.marks.range_from = Some(here);
        return;
    }
    let (low, high) = (from.min(here.1), from.max(here.1));
    let mut marked = 0;
    for i in low..=high {
        let pick = match pane {
            Pane::Children => app.selected_child_at(i as usize).map(|c| (c.id, Some(c))),
            _ => app.list.row(i).map(|a| (a.id, None)),
        };
        if let Some((id, child)) = pick
            && !app.marks.ids.contains(&id)
        {
            toggle_mark(app, id, child);
            marked += 1;
        }
    }
    let unloaded = (high - low + 1).saturating_sub(marked as u64);
    let mut text = format!(
        "marked {marked} in the range; {} marked in all",
        app.marks.ids.len()
    );
    if pane == Pane::List
        && unloaded > 0
        && high >= app.list.window_start + app.list.rows.len() as u64
    {
        text.push_str(" (rows not loaded yet were left out)");
    }
    app.say(Level::Info, text);
}

fn revalidate(app: &mut App) {
    let types = app.values.types.clone();
    let options = ParseOptions {
        mode: app.mode,
        types: &types,
    };
    let parsed = parse_with(app.query.text(), &options);
    app.query_warning = parsed
        .as_ref()
        .ok()
        .and_then(|p| p.warnings.first().cloned());
    app.query_error = parsed.err();
}

fn set_query(app: &mut App, text: String, cursor_chars: usize) {
    app.query.set_at(text, cursor_chars);
    revalidate(app);
}

fn on_query_key(app: &mut App, key: KeyEvent, action: Option<KeyAction>, out: &mut Vec<Command>) {
    let popup = app
        .query
        .completions
        .as_ref()
        .is_some_and(|c| !c.items.is_empty());
    match action {
        Some(KeyAction::RunQuery) if popup => apply_completion(app),
        Some(KeyAction::RunQuery) => {
            revalidate(app);
            if let Some(e) = &app.query_error {
                let message = e.message.clone();
                app.say(Level::Error, message);
                return;
            }
            let text = app.query.text().trim().to_owned();
            app.editing = false;
            app.query.completions = None;
            if !text.is_empty() {
                app.query.remember(&text);
                out.push(Command::SaveHistory(app.query.history.clone()));
            }
            app.view = None;
            apply_query(app, text, out);
        }
        Some(KeyAction::LeaveEditor) if popup => app.query.completions = None,
        Some(KeyAction::LeaveEditor) => {
            app.editing = false;
            let applied = app.applied.clone();
            let n = applied.chars().count();
            set_query(app, applied, n);
            app.query.completions = None;
        }
        Some(KeyAction::HistoryBack | KeyAction::HistoryForward) if popup => {
            let n = app.query.completions.as_ref().map_or(1, |c| c.items.len());
            let down = action == Some(KeyAction::HistoryForward);
            app.query.cycle_completion(n, down);
        }
        Some(KeyAction::HistoryBack | KeyAction::HistoryForward) => {
            if app
                .query
                .history_step(action == Some(KeyAction::HistoryBack))
            {
                revalidate(app);
            }
        }
        Some(KeyAction::Complete) => {
            if popup {
                let n = app.query.completions.as_ref().map_or(1, |c| c.items.len());
                app.query.cycle_completion(n, true);
                return;
            }
            let c = complete(app.query.text(), app.query.cursor_byte(), &app.values);
            app.query.completion = 0;
            match c.items.len() {
                0 => app.query.completions = None,
                1 => {
                    app.query.completions = Some(c);
                    apply_completion(app);
                }
                _ => app.query.completions = Some(c),
            }
        }
        _ => {
            app.query.type_key(key);
            app.query.completions = None;
            revalidate(app);
        }
    }
}

/// Shows what `text` matches in the list, from its top.
fn apply_query(app: &mut App, text: String, out: &mut Vec<Command>) {
    app.focus = Pane::List;
    if text != app.applied || !app.list.loaded_once {
        // The old rows stay on screen until the new ones arrive.
        app.applied = text;
        app.list.new_query = true;
        app.list.selected_id = None;
        // `*` was every match of the old query: its message goes with it.
        if app.marks.all.take().is_some() {
            app.say(
                Level::Info,
                "the new query dropped * (every match of the old one)",
            );
        }
        out.push(fetch_list(app, 0));
        app.children.parent = None;
        app.children.rows.clear();
        out.push(Command::FetchInFlight);
    }
}

/// Scrolls the zoomed detail to the next (or previous) line holding the
/// search; `here` counts the line at the top too.
fn find(app: &mut App, forward: bool, here: bool) {
    if app.detail.search.is_empty() {
        let text = format!(
            "nothing to find: {} types a search",
            key_of(app, KeyAction::Find)
        );
        app.say(Level::Info, text);
        return;
    }
    if !(app.zoomed && app.focus == Pane::Detail) {
        app.focus = Pane::Detail;
        app.zoomed = true;
    }
    let lines = super::layout::detail_text_lines(app);
    let found = super::detail_text::matches(&lines, &app.detail.search);
    if found.is_empty() {
        let text = format!("no match for {:?}", app.detail.search);
        app.say(Level::Warning, text);
        return;
    }
    // From the current match, or from the top of what is on screen.
    let at = app
        .detail
        .search_at
        .unwrap_or(usize::from(app.detail.scroll));
    let pick = if forward {
        found
            .iter()
            .position(|&l| if here { l >= at } else { l > at })
            .unwrap_or(0)
    } else {
        found
            .iter()
            .rposition(|&l| l < at)
            .unwrap_or(found.len() - 1)
    };
    let line = found[pick];
    app.detail.search_at = Some(line);
    // Scroll only when the match is off screen, and then keep two lines
    // of what leads to it.
    let height = super::layout::areas(app)
        .detail_text
        .map_or(1, |r| usize::from(r.height.saturating_sub(2)).max(1));
    let top = usize::from(app.detail.scroll);
    if line < top || line >= top + height {
        app.detail.scroll = u16::try_from(line.saturating_sub(2)).unwrap_or(u16::MAX);
    }
    let text = format!(
        "{:?}: match {} of {} ({} next, {} previous)",
        app.detail.search,
        pick + 1,
        found.len(),
        key_of(app, KeyAction::NextMatch),
        key_of(app, KeyAction::PrevMatch)
    );
    app.say(Level::Info, text);
}

fn on_prompt_key(app: &mut App, key: KeyEvent, action: Option<KeyAction>, out: &mut Vec<Command>) {
    let Some(kind) = app.prompt else {
        return;
    };
    let command = kind == PromptKind::Command;
    let completing = command && !app.line.completions.is_empty();
    match action {
        Some(KeyAction::RunQuery) => {
            let text = app.line.text().trim().to_owned();
            app.prompt = None;
            app.line.completions.clear();
            match kind {
                PromptKind::Search => {
                    app.detail.search = text;
                    app.detail.search_at = None;
                    find(app, true, true);
                }
                PromptKind::Command => {
                    if !text.is_empty() {
                        app.line.remember(&text);
                    }
                    run_command(app, &text, out);
                }
            }
        }
        Some(KeyAction::LeaveEditor) => {
            app.prompt = None;
            app.line.completions.clear();
        }
        Some(KeyAction::Complete) if command => {
            if let Some(line) = app.line.completions.get(app.line.completion).cloned() {
                app.line.set(line);
            }
            complete_command(app);
            if app.line.completions.is_empty() && app.line.text().is_empty() {
                // Tab on an empty line: every command.
                app.line.completions = command_line::complete("", &Default::default());
            }
        }
        Some(KeyAction::HistoryBack | KeyAction::HistoryForward) if completing => {
            let n = app.line.completions.len();
            app.line
                .cycle_completion(n, action == Some(KeyAction::HistoryForward));
        }
        Some(KeyAction::HistoryBack | KeyAction::HistoryForward) if command => {
            if app
                .line
                .history_step(action == Some(KeyAction::HistoryBack))
            {
                app.line.completions.clear();
            }
        }
        _ => {
            app.line.type_key(key);
            match kind {
                // As you type: the next match from where the view is.
                PromptKind::Search => {
                    app.detail.search = app.line.text().to_owned();
                    app.detail.search_at = None;
                    if !app.detail.search.is_empty() {
                        find(app, true, true);
                    }
                }
                PromptKind::Command => complete_command(app),
            }
        }
    }
}

/// The completions of the command line as typed.
fn complete_command(app: &mut App) {
    let words = command_line::Vocabulary {
        profiles: &app.profiles,
        views: app.looks.views.iter().map(|v| v.name.as_str()).collect(),
    };
    // Nothing typed yet: ↑ is history, not a list of every command.
    app.line.completions = if app.line.text().is_empty() {
        Vec::new()
    } else {
        command_line::complete(app.line.text(), &words)
    };
    app.line.completion = 0;
}

fn run_command(app: &mut App, text: &str, out: &mut Vec<Command>) {
    let command = match command_line::parse(text) {
        Ok(c) => c,
        Err(e) => {
            app.say(Level::Error, format!(":{text}: {e}"));
            return;
        }
    };
    match command {
        CommandLine::Quit => {
            app.quit = true;
            out.push(Command::Quit);
        }
        CommandLine::Log => open_action_log(app),
        CommandLine::Sort(sort) => set_sort(app, sort, out),
        CommandLine::Theme(name) => match app.looks.theme(&name) {
            Some(theme) => {
                app.theme = theme;
                app.say(Level::Info, format!("theme {name}"));
                app.looks.theme_name = name;
            }
            None => app.say(Level::Error, format!("no theme {name:?}")),
        },
        CommandLine::View(name) => {
            let lower = name.to_lowercase();
            let found = app
                .looks
                .views
                .iter()
                .position(|v| v.name.to_lowercase() == lower)
                .or_else(|| {
                    app.looks
                        .views
                        .iter()
                        .position(|v| v.name.to_lowercase().starts_with(&lower))
                });
            match found {
                Some(i) => apply_view(app, i, out),
                None => {
                    let names: Vec<&str> =
                        app.looks.views.iter().map(|v| v.name.as_str()).collect();
                    let text = format!("no view {name:?}; views: {}", names.join(", "));
                    app.say(Level::Error, text);
                }
            }
        }
        CommandLine::Export { path, format } => {
            app.say(
                Level::Info,
                format!("exporting what the query matches to {} …", path.display()),
            );
            out.push(Command::Export {
                query: app.applied.clone(),
                path,
                format,
            });
        }
        CommandLine::Profile(name) => {
            if !app.profiles.contains(&name) {
                let known = if app.profiles.is_empty() {
                    "the config defines no profiles".to_owned()
                } else {
                    format!("profiles: {}", app.profiles.join(", "))
                };
                app.say(Level::Error, format!("no profile {name:?}; {known}"));
                return;
            }
            let marks = if app.marks.all.is_some() {
                app.list.activity_count as usize
            } else {
                app.marks.ids.len()
            };
            if marks > 0 {
                app.dialog = Some(Dialog::SwitchProfile { name, marks });
            } else {
                switch_profile(app, name, out);
            }
        }
    }
}

fn switch_profile(app: &mut App, name: String, out: &mut Vec<Command>) {
    app.say(Level::Info, format!("connecting to profile {name} …"));
    out.push(Command::SwitchProfile(name));
}

/// Another backend answers now: nothing of the old one is kept (rows,
/// marks, query, names, refusals), and the list starts again.
fn profile_switched(
    app: &mut App,
    name: String,
    info: crate::backend::BackendInfo,
    read_only: bool,
) -> Vec<Command> {
    let history = std::mem::take(&mut app.query.history);
    let mut fresh = App::new(info, read_only, history);
    // Answers the old backend still sends are for older requests.
    fresh.list.generation = app.list.generation;
    fresh.now = app.now;
    fresh.offset = app.offset;
    fresh.size = app.size;
    fresh.theme = app.theme.clone();
    fresh.keymap = app.keymap.clone();
    fresh.looks = app.looks.clone();
    fresh.profiles = std::mem::take(&mut app.profiles);
    fresh.line.history = std::mem::take(&mut app.line.history);
    fresh.sort = app.sort;
    *app = fresh;
    app.say(Level::Success, format!("connected to profile {name}"));
    start(app)
}

/// Orders the list by `sort`, from its top.
pub(super) fn set_sort(app: &mut App, sort: ListSort, out: &mut Vec<Command>) {
    app.sort = sort;
    app.list.new_query = true;
    app.list.selected_id = None;
    out.push(fetch_list(app, 0));
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

/// Applies the saved view `index`: its query, named after it.
fn apply_view(app: &mut App, index: usize, out: &mut Vec<Command>) {
    let Some(view) = app.looks.views.get(index).cloned() else {
        return;
    };
    let text = view.query_at(app.now, app.offset);
    let n = text.chars().count();
    set_query(app, text.clone(), n);
    if let Some(e) = &app.query_error {
        let message = format!("view {:?}: {}", view.name, e.message);
        app.say(Level::Error, message);
        return;
    }
    app.view = Some(view.name.clone());
    apply_query(app, text, out);
}

fn apply_completion(app: &mut App) {
    let Some(c) = app.query.completions.take() else {
        return;
    };
    let Some(item) = c.items.get(app.query.completion) else {
        return;
    };
    let value = app.query.text();
    let mut text = String::with_capacity(value.len() + item.text.len());
    text.push_str(&value[..c.replace.start]);
    text.push_str(&item.text);
    let cursor = text.chars().count();
    text.push_str(&value[c.replace.end..]);
    set_query(app, text, cursor);
}

fn on_mouse(app: &mut App, mouse: ratatui::crossterm::event::MouseEvent, out: &mut Vec<Command>) {
    if app.dialog.is_some() {
        return;
    }
    let Some(list) = super::layout::areas(app).list else {
        return;
    };
    let table = super::layout::list_table(list);
    let inside = |x: u16, y: u16| {
        x >= list.x && x < list.x + list.width && y >= list.y && y < list.y + list.height
    };
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) if inside(mouse.column, mouse.row) => {
            app.focus = Pane::List;
            if mouse.row >= table.y && mouse.row < table.y + table.height {
                let to = app.list.top + u64::from(mouse.row - table.y);
                if to < app.list.total {
                    select(app, to, out);
                }
            }
        }
        MouseEventKind::ScrollDown => step(app, 3, out),
        MouseEventKind::ScrollUp => step(app, -3, out),
        _ => {}
    }
}

/// The commands that start the dashboard: first page, vocabulary, gauges.
pub fn start(app: &mut App) -> Vec<Command> {
    // (What the start or the config said comes first.)
    if app.backend.embedded && app.message.is_none() {
        let text = format!(
            "demo engine: {} shows how to connect",
            key_of(app, KeyAction::Help)
        );
        app.say(Level::Info, text);
    }
    vec![
        fetch_list(app, 0),
        Command::FetchVocabulary,
        Command::FetchInFlight,
    ]
}
