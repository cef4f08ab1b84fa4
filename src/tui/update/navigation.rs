//! The navigation stack: a jump (to a computer's activities, to a
//! failure cluster) keeps the list as it was, and Back returns to it, as
//! k9s does with its views.

use super::list::keep_visible;
use crate::tui::app::{App, Level, Place};
use crate::tui::event::{Call, Command};
use crate::tui::keys::KeyAction;

/// Esc: stops a range, leaves the zoom, clears the search.
pub(super) fn back(app: &mut App, out: &mut Vec<Command>) {
    let mut undone = false;
    if app.marks.range_from.take().is_some() {
        app.say(Level::Info, "range stopped");
        undone = true;
    }
    if app.screen.zoomed {
        app.screen.zoomed = false;
        keep_visible(app);
        undone = true;
    }
    if !app.detail.search.is_empty() {
        undone = true;
    }
    app.detail.search.clear();
    app.detail.search_at = None;
    if !undone && let Some(place) = app.query.came_from.pop() {
        return_to(app, place, out);
    }
}

/// From the selected activity (a row, or a child in the tree) to every
/// activity of its computer, remembering where the list was.
pub(super) fn jump_to_computer(app: &mut App, out: &mut Vec<Command>) {
    let Some(a) = app.detail_activity() else {
        return;
    };
    let Some(computer) = a.computer_id.get().copied() else {
        let why = if a.is_parent() {
            "a group has no one computer: open its children and pick one"
        } else {
            "this activity has no computer"
        };
        app.say(Level::Warning, why);
        return;
    };
    jump_to_computer_id(app, computer, out);
}

/// The activities of `computer`, its title named; Back returns.
pub(super) fn jump_to_computer_id(app: &mut App, computer: u64, out: &mut Vec<Command>) {
    let name = app
        .fleet
        .computer_titles
        .get(&computer)
        .cloned()
        .unwrap_or_else(|| format!("computer {computer}"));
    jump(
        app,
        format!("computer:id:{computer}"),
        &format!("activities of {name}"),
        out,
    );
}

/// Shows `query`'s list, keeping the list as it is for Back.
pub(super) fn jump(app: &mut App, query: String, what: &str, out: &mut Vec<Command>) {
    app.query.came_from.push(Place {
        typed: app.query.editor.text().to_owned(),
        applied: app.query.applied.clone(),
        view: app.query.view.take(),
        selected_id: app.list.selected_id,
        window_start: app.list.window_start,
    });
    let back = app.pane_key(KeyAction::Back);
    app.say(Level::Info, format!("{what} ({back} comes back)"));
    super::editor::run_query(app, query, out);
}

/// Back to a list as it was: its query, view and selection (its window is
/// read again around the selected row).
fn return_to(app: &mut App, place: Place, out: &mut Vec<Command>) {
    let n = place.typed.chars().count();
    super::editor::set_query(app, place.typed, n);
    super::list::apply_query(app, place.applied, out);
    app.query.view = place.view;
    app.list.selected_id = place.selected_id;
    if place.window_start > 0 {
        out.retain(|c| !matches!(c, Command::Call(Call::FetchList { .. })));
        out.push(super::list::fetch_list(app, place.window_start));
    }
}
