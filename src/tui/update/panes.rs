use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEventKind};

use super::actions::start_action;
use super::detail::find;
use super::dialogs::open_action_log;
use super::editor::{apply_view, revalidate};
use super::list::{
    fetch_children, fetch_titles, keep_visible, refresh_reading, select, set_sort, step,
};
use super::marks::{mark_all, range_mark, toggle_mark};
use super::navigation::{back, jump_to_computer};
use super::prompt::complete_command;
use crate::model::{Activity, ListSort};
use crate::tui::app::{App, Dialog, Level, Pane, PromptKind};
use crate::tui::event::{Call, Command, Effect};
use crate::tui::keys::KeyAction;
use crate::tui::layout::list_height;

/// A key in the panes: `action` is what the keymap makes of it; a key of
/// no action may be a saved view's.
pub(super) fn on_pane_key(
    app: &mut App,
    key: KeyEvent,
    action: Option<KeyAction>,
    out: &mut Vec<Command>,
) {
    let Some(action) = action else {
        unbound_key(app, key, out);
        return;
    };
    let page = list_height(app).max(1) as i64;
    match action {
        KeyAction::EditQuery => edit_query(app),
        KeyAction::NextPane => app.screen.focus = next_pane(app.screen.focus, true),
        KeyAction::PrevPane => app.screen.focus = next_pane(app.screen.focus, false),
        KeyAction::Down => step(app, 1, out),
        KeyAction::Up => step(app, -1, out),
        KeyAction::PageDown => step(app, page, out),
        KeyAction::PageUp => step(app, -page, out),
        KeyAction::Top => step(app, i64::MIN / 2, out),
        KeyAction::Bottom => {
            step(app, i64::MAX / 2, out);
            // The end of an estimated count may move when it is read: the
            // list follows it there.
            app.list.to_end = app.screen.focus == Pane::List;
        }
        KeyAction::Open => open(app),
        KeyAction::Mark => mark_here(app),
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
        KeyAction::Refresh => refresh_now(app, out),
        KeyAction::TogglePause => toggle_pause(app),
        KeyAction::ShowAllChildren => {
            app.children.show_all = !app.children.show_all;
            if let Some(parent) = app.children.parent {
                out.push(fetch_children(app, parent));
            }
        }
        KeyAction::Copy => copy(app),
        KeyAction::OpenInWebUi => open_in_web_ui(app, out),
        KeyAction::ShowRefusals => show_refusals(app),
        KeyAction::Help => app.dialog = Some(Dialog::Help(crate::tui::dialogs::Help { scroll: 0 })),
        KeyAction::ActionLog => open_action_log(app, out),
        KeyAction::Messages => super::dialogs::open_messages(app),
        KeyAction::RangeMark => range_mark(app),
        KeyAction::Sort => {
            let next = ListSort::by(app.prefs.sort.column.next());
            set_sort(app, next, out);
        }
        KeyAction::ReverseSort => set_sort(app, app.prefs.sort.reversed(), out),
        KeyAction::Zoom => {
            app.screen.zoomed = !app.screen.zoomed;
            keep_visible(app);
        }
        KeyAction::Back => back(app, out),
        KeyAction::JumpToComputer => jump_to_computer(app, out),
        KeyAction::Clusters => super::clusters::open_clusters(app, out),
        KeyAction::Health => super::health::toggle(app, out),
        KeyAction::Watch => super::watches::watch(app, None, out),
        KeyAction::Find => open_prompt(app, PromptKind::Search),
        KeyAction::NextMatch => find(app, true, false),
        KeyAction::PrevMatch => find(app, false, false),
        KeyAction::ScrollLeft if app.screen.focus == Pane::Detail => {
            app.detail.hscroll = app.detail.hscroll.saturating_sub(8);
        }
        KeyAction::Command => open_prompt(app, PromptKind::Command),
        // Quit is handled before; the rest belong to the editor and dialogs.
        _ => {}
    }
}

/// A key no action has: a saved view's key, else one of the operator's
/// commands.
fn unbound_key(app: &mut App, key: KeyEvent, out: &mut Vec<Command>) {
    let looks = &app.prefs.looks;
    if let Some(i) = looks.views.iter().position(|v| v.key.matches(&key)) {
        apply_view(app, i, out);
    } else if let Some(i) = looks.commands.iter().position(|c| c.key.matches(&key)) {
        super::user_commands::key(app, i, out);
    }
}

/// `/`: the query bar takes the keys.
fn edit_query(app: &mut App) {
    app.query.editing = true;
    app.query.editor.history_pos = None;
    revalidate(app);
}

/// `r`: everything shown read again now, the computers too; refused
/// credentials are tried again on this key only.
fn refresh_now(app: &mut App, out: &mut Vec<Command>) {
    if app.status.outage.as_ref().is_some_and(|o| o.manual) {
        out.push(Command::Call(Call::RetryCredentials));
    }
    app.fleet.contacts_read.clear();
    refresh_reading(app, out, true);
    out.extend(fetch_titles(app, true));
}

/// `f` (a search in the zoomed detail) or `:` (a command) at the bottom.
fn open_prompt(app: &mut App, kind: PromptKind) {
    app.prompt.kind = Some(kind);
    match kind {
        PromptKind::Search => {
            app.screen.focus = Pane::Detail;
            app.screen.zoomed = true;
            app.prompt.line.set(app.detail.search.clone());
            app.prompt.line.completions.clear();
        }
        PromptKind::Command => {
            app.prompt.line.set(String::new());
            app.prompt.line.history_pos = None;
            complete_command(app);
        }
    }
}

/// Enter: a group opens on its children, a child shows its changes, the
/// detail scrolls right.
fn open(app: &mut App) {
    match app.screen.focus {
        Pane::List => {
            if app.list.selected_row().is_some_and(Activity::is_parent) {
                app.screen.focus = Pane::Children;
            } else {
                app.screen.focus = Pane::Detail;
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
    }
}

/// Marks where the cursor is, and it stays: the operator sees what was marked.
fn mark_here(app: &mut App) {
    match app.screen.focus {
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
    }
}

fn toggle_pause(app: &mut App) {
    app.clock.paused = !app.clock.paused;
    let text = if app.clock.paused {
        format!(
            "auto-refresh paused ({} resumes)",
            app.pane_key(KeyAction::TogglePause)
        )
    } else {
        "auto-refresh resumed".to_owned()
    };
    app.say(Level::Info, text);
}

/// `y`: what to copy of the activity the detail shows.
fn copy(app: &mut App) {
    if app.detail_activity().is_some() {
        app.dialog = Some(Dialog::CopyMenu(crate::tui::dialogs::CopyMenu {
            selected: 0,
        }));
    } else {
        app.say(Level::Info, "nothing to copy: select an activity");
    }
}

/// `o`: the activity in Landscape's web UI, with the system's opener.
fn open_in_web_ui(app: &mut App, out: &mut Vec<Command>) {
    let Some(a) = app.detail_activity() else {
        return app.say(Level::Info, "nothing to open: select an activity");
    };
    match app.web_ui_url(a.id) {
        Some(url) => {
            app.say(Level::Info, format!("opening {url}"));
            out.push(Command::Effect(Effect::OpenUrl(url)));
        }
        None => app.say(
            Level::Info,
            "the demo engine has no web UI: with a server, o opens the activity in Landscape's",
        ),
    }
}

fn show_refusals(app: &mut App) {
    match &app.acting.last_refusals {
        Some((kind, refusals, unlisted, when)) => {
            app.dialog = Some(Dialog::Refusals(crate::tui::dialogs::Refusals {
                kind: *kind,
                refusals: refusals.clone(),
                unlisted: *unlisted,
                when: *when,
            }))
        }
        None => app.say(Level::Info, "no refusals to show"),
    }
}

pub(super) fn next_pane(p: Pane, forward: bool) -> Pane {
    match (p, forward) {
        (Pane::List, true) | (Pane::Detail, false) => Pane::Children,
        (Pane::Children, true) | (Pane::List, false) => Pane::Detail,
        (Pane::Detail, true) | (Pane::Children, false) => Pane::List,
    }
}

pub(super) fn on_mouse(
    app: &mut App,
    mouse: ratatui::crossterm::event::MouseEvent,
    out: &mut Vec<Command>,
) {
    if app.dialog.is_some() {
        return;
    }
    let Some(list) = crate::tui::layout::areas(app).list else {
        return;
    };
    let table = crate::tui::layout::list_table(list);
    let inside = |x: u16, y: u16| {
        x >= list.x && x < list.x + list.width && y >= list.y && y < list.y + list.height
    };
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) if inside(mouse.column, mouse.row) => {
            app.screen.focus = Pane::List;
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
