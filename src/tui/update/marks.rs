//! Marks: Space, `*` for every match, `V` for a range.

use crate::printable::thousands;
use crate::tui::app::{App, Level, MarkAll, Pane};
use crate::tui::keys::KeyAction;

/// Space: marks `id`, or unmarks it (a child remembers its group).
pub(super) fn toggle_mark(app: &mut App, id: u64, child: Option<crate::model::scope::PickedChild>) {
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
                app.marks
                    .rows
                    .insert(id, (app.query.applied.clone(), through));
            }
        }
    }
}

/// `*`: everything the query matches, not only the rows loaded; in the
/// children pane, the children shown when they are the ones the query
/// takes (the matching ones, or all of a group that matches).
pub(super) fn mark_all(app: &mut App) {
    if app.screen.focus == Pane::Children {
        if !app.children.filtered && !app.children.brought {
            app.say(
                Level::Warning,
                format!(
                    "these are all the children, not only the matching ones: {} shows the matching ones, then {} marks them",
                    app.pane_key(KeyAction::ShowAllChildren),
                    app.pane_key(KeyAction::MarkAllShown)
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
        query: app.query.applied.clone(),
        count,
    });
    app.say(
        Level::Info,
        format!(
            "all {} matching marked: an action now applies to every match of the query ({} clears)",
            thousands(count),
            app.pane_key(KeyAction::ClearMarks)
        ),
    );
}

/// `V`: starts a range where the cursor is; the next `V` marks every row
/// (or child) from there to the cursor.
pub(super) fn range_mark(app: &mut App) {
    let here = match app.screen.focus {
        Pane::Children => (Pane::Children, app.children.selected as u64),
        _ => (Pane::List, app.list.selected),
    };
    let Some((pane, from)) = app.marks.range_from.take() else {
        app.marks.range_from = Some(here);
        let text = format!(
            "range: move, then {} marks every row in between ({} stops)",
            app.pane_key(KeyAction::RangeMark),
            app.pane_key(KeyAction::Back)
        );
        app.say(Level::Info, text);
        return;
    };
    if pane != here.0 {
        let text = format!(
            "a range stays in one pane: {} starts a new one here",
            app.pane_key(KeyAction::RangeMark)
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
    if pane == Pane::List && unloaded > 0 && high >= app.list.window_end() {
        text.push_str(" (rows not loaded yet were left out)");
    }
    app.say(Level::Info, text);
}
