//! Watches and guards from the dashboard: `w` and `:watch` start one,
//! `:guard` arms one, every refresh looks at what is still running (the
//! look costs what is watched, not the account), and what the operator
//! must hear is said three ways: the status line, a terminal notification
//! and the action log. A tripped guard's stop is an ordinary cancel by
//! query: the same confirmation, plan and report as `c`.

use super::editor::run_query;
use crate::backend::BackendError;
use crate::backend::action_plan::ActionRecord;
use crate::backend::watched::Look;
use crate::model::guard::{Guard, Threshold};
use crate::model::scope::{IDS_PER_QUERY, Scope, ids_chain};
use crate::model::{ActionKind, Activity};
use crate::tui::app::{App, Confirm, Dialog, Level, Pane};
use crate::tui::event::{Call, Command, Effect};
use crate::tui::keys::KeyAction;
use crate::tui::watches::{ArmedGuard, Notice, Watched};

/// What `w` and `:guard` take: the marked activities, else the child the
/// detail shows, else the selected row; with the words that say it.
fn picked(app: &App) -> Option<(Vec<u64>, String)> {
    if !app.marks.ids.is_empty() {
        let ids: Vec<u64> = app.marks.ids.iter().copied().collect();
        // Named by what they are: "3 marked" alone says nothing once the
        // marks are gone.
        let mut names: Vec<String> = Vec::new();
        for a in ids.iter().filter_map(|id| shown(app, *id)) {
            if !names.iter().any(|n| n.as_str() == &*a.summary) {
                names.push(a.summary.to_string());
            }
        }
        let more = if names.len() > 2 { ", …" } else { "" };
        names.truncate(2);
        let label = match names.is_empty() {
            true => format!("{} marked", ids.len()),
            false => format!("{} marked: {}{more}", ids.len(), names.join(", ")),
        };
        return Some((ids, label));
    }
    if app.screen.focus != Pane::List
        && let Some(child) = app.children.rows.get(app.children.selected)
    {
        return Some((
            vec![child.id],
            format!("child {} {}", app.id_text(child.id), child.summary),
        ));
    }
    let row = app.list.selected_row()?;
    Some((
        vec![row.id],
        format!("row {} {}", app.id_text(row.id), row.summary),
    ))
}

/// The loaded record of `id`, if it is on screen.
fn shown(app: &App, id: u64) -> Option<&Activity> {
    app.list
        .rows
        .iter()
        .chain(app.children.rows.iter())
        .find(|a| a.id == id)
}

/// `w` / `:watch`: watches what is picked (every match, after `*`); on
/// the one activity a watch already holds alone, stops watching it.
pub(super) fn watch(app: &mut App, guard: Option<(Threshold, bool)>, out: &mut Vec<Command>) {
    if let Some(all) = &app.marks.all {
        let query = all.query.clone();
        let guard = guard.map(|(threshold, auto)| {
            armed(
                Guard {
                    query: query.clone(),
                    threshold,
                },
                auto,
            )
        });
        app.say(Level::Info, "reading the matches to watch them …");
        out.push(Command::Call(Call::WatchQuery { query, guard }));
        return;
    }
    let Some((ids, label)) = picked(app) else {
        app.say(
            Level::Info,
            "nothing to watch: select or mark activities (or * for every match)",
        );
        return;
    };
    let server = app.backend.label.clone();
    let holding = app
        .watches
        .active(&server)
        .find(|w| w.activities.keys().copied().eq(ids.iter().copied()))
        .map(|w| w.number);
    if guard.is_none()
        && let Some(number) = holding
    {
        app.watches.remove(number);
        app.say(Level::Info, format!("stopped watching {label}"));
        out.push(Command::Effect(Effect::SaveWatches(
            app.watches.list.clone(),
        )));
        return;
    }
    let guard = match guard {
        None => None,
        Some(_) if ids.len() > IDS_PER_QUERY => {
            app.say(
                Level::Warning,
                format!("a guard takes at most {IDS_PER_QUERY} marked; * guards every match"),
            );
            return;
        }
        Some((threshold, auto)) => {
            let group = match ids.as_slice() {
                [id] => shown(app, *id).filter(|a| a.is_parent()).map(|a| a.id),
                _ => None,
            };
            Some(armed(
                match group {
                    Some(g) => Guard::on_group(g, threshold),
                    None => Guard::on_ids(&ids, threshold),
                },
                auto,
            ))
        }
    };
    let known: Vec<Activity> = ids
        .iter()
        .filter_map(|id| shown(app, *id).cloned())
        .collect();
    let number = app
        .watches
        .add(label.clone(), &server, app.clock.now, &known, guard);
    if let Some(w) = app.watches.list.iter_mut().find(|w| w.number == number) {
        // Not on screen (marked under another query): the first look
        // fills them in.
        for id in &ids {
            w.activities.entry(*id).or_insert_with(Watched::unknown);
        }
    }
    started(app, number, out);
}

fn armed(guard: Guard, auto: bool) -> ArmedGuard {
    ArmedGuard {
        guard,
        auto,
        failed: 0,
        of: 0,
        tripped: false,
        stop_pending: false,
    }
}

/// `:guard THRESHOLD [--auto]`: a watch whose guard stops the rest.
pub(super) fn guard(app: &mut App, threshold: Threshold, auto: bool, out: &mut Vec<Command>) {
    if app.acting.read_only {
        app.say(
            Level::Warning,
            "read-only: a guard could not cancel anything",
        );
        return;
    }
    watch(app, Some((threshold, auto)), out);
}

/// `:watch` read the query's matches.
pub(super) fn query_loaded(
    app: &mut App,
    query: &str,
    guard: Option<ArmedGuard>,
    result: Result<Vec<Activity>, String>,
    out: &mut Vec<Command>,
) {
    match result {
        Ok(list) if list.is_empty() => app.say(Level::Info, "nothing matches: nothing to watch"),
        Ok(list) => {
            let label = if query.trim().is_empty() {
                format!("every activity ({})", list.len())
            } else {
                format!("{} matches of \"{}\"", list.len(), query.trim())
            };
            let server = app.backend.label.clone();
            let number = app.watches.add(label, &server, app.clock.now, &list, guard);
            started(app, number, out);
        }
        Err(e) => app.say(Level::Error, format!("not watched: {e}")),
    }
}

fn started(app: &mut App, number: u64, out: &mut Vec<Command>) {
    let Some(w) = app.watches.list.iter().find(|w| w.number == number) else {
        return;
    };
    let text = match &w.guard {
        Some(g) => format!(
            "watch {number}: {}, guarded: {} cancels what has not started{}",
            w.label,
            g.guard.threshold,
            if g.auto { " (without asking)" } else { "" }
        ),
        None => format!("watch {number}: {}: told when it fails or is done", w.label),
    };
    app.say(Level::Info, text);
    out.push(Command::Effect(Effect::SaveWatches(
        app.watches.list.clone(),
    )));
    look_now(app, out);
}

/// Asks for a look unless one is under way or nothing is watched here.
pub(super) fn look_now(app: &mut App, out: &mut Vec<Command>) {
    if let Some(ask) = app.watches.start_look(&app.backend.label) {
        out.push(Command::Call(Call::LookWatches(ask)));
    }
}

/// A look came back: notices said, guards' stops started, the file kept.
pub(super) fn looked(app: &mut App, result: Result<Look, BackendError>, out: &mut Vec<Command>) {
    // A failed look is asked again at the next refresh; the list's own
    // loads say when the server is away.
    let Ok(look) = result else {
        app.watches.looking = false;
        app.watches.covering.clear();
        return;
    };
    let before = app.watches.list.clone();
    let server = app.backend.label.clone();
    for notice in app.watches.take(&server, &look) {
        tell(app, &notice, out);
        if let Notice::Tripped { watch, .. } = notice {
            stop(app, watch, out);
        }
    }
    let pending: Vec<u64> = app
        .watches
        .list
        .iter()
        .filter(|w| w.guard.as_ref().is_some_and(|g| g.stop_pending))
        .map(|w| w.number)
        .collect();
    for number in pending {
        stop(app, number, out);
    }
    if app.watches.list != before {
        out.push(Command::Effect(Effect::SaveWatches(
            app.watches.list.clone(),
        )));
    }
}

/// Says a notice in the status line, the terminal and the action log.
fn tell(app: &mut App, notice: &Notice, out: &mut Vec<Command>) {
    let Some(w) = app.watches.list.iter().find(|w| w.number == notice.watch()) else {
        return;
    };
    let level = match notice {
        Notice::Done { .. } if w.failed() == 0 => Level::Success,
        Notice::Done { .. } => Level::Warning,
        Notice::Failed { .. } | Notice::Tripped { .. } => Level::Warning,
    };
    let action = match notice {
        Notice::Tripped { .. } => "guard",
        _ => "watch",
    };
    let record = ActionRecord::notice(
        app.clock.now,
        (action, &app.backend.label),
        w.label.clone(),
        notice.text().to_owned(),
        w.activities.keys().copied().collect(),
    )
    .on_servers(&app.backend.servers);
    super::tell(app, level, record, out);
}

/// A tripped guard's cancel of what has not started: asked for with the
/// usual confirmation (or, armed `--auto`, carried out when its plan
/// comes); held while another dialog is open.
fn stop(app: &mut App, number: u64, out: &mut Vec<Command>) {
    let Some(w) = app.watches.list.iter_mut().find(|w| w.number == number) else {
        return;
    };
    let Some(g) = w.guard.as_mut() else {
        return;
    };
    let scope = Scope::every_match(&g.guard.stop_query());
    let picked = format!(
        "guard {} on {}: {} of {} failed",
        g.guard.threshold, w.label, g.failed, g.of
    );
    if g.auto {
        g.stop_pending = false;
        app.acting.auto_action = Some((ActionKind::Cancel, scope.clone(), picked));
    } else if app.dialog.is_some() {
        g.stop_pending = true;
        return;
    } else {
        g.stop_pending = false;
        app.dialog = Some(Dialog::Confirm(Box::new(Confirm {
            kind: ActionKind::Cancel,
            scope: scope.clone(),
            picked,
            plan: None,
            hidden_marked: 0,
            partial: None,
            from_marks: false,
            choice: None,
        })));
    }
    out.push(Command::Call(Call::Plan {
        kind: ActionKind::Cancel,
        scope,
        other: false,
    }));
}

/// `:watches`: every watch with its progress.
pub(super) fn open(app: &mut App) {
    if app.watches.list.is_empty() {
        let key = app.pane_key(KeyAction::Watch);
        app.say(
            Level::Info,
            format!("nothing watched: {key} watches the selected or marked activities"),
        );
    } else {
        app.dialog = Some(Dialog::Watches(crate::tui::dialogs::Watches {
            selected: 0,
        }));
    }
}

/// The keys of `:watches`: move, Enter shows the watch's activities, the
/// watch key stops the selected watch.
/// A watches popup's key, carried out: Enter shows the watch's
/// activities, the watch key stops watching it (the popup stays while
/// any is left).
pub(super) fn on_outcome(
    app: &mut App,
    popup: crate::tui::dialogs::Watches,
    outcome: crate::tui::dialogs::Outcome,
    out: &mut Vec<Command>,
) {
    use crate::tui::dialogs::Outcome;
    let selected = popup.selected;
    // Newest first, as the popup lists them.
    let number = app
        .watches
        .list
        .iter()
        .rev()
        .nth(selected)
        .map(|w| w.number);
    match outcome {
        Outcome::Go => {
            let Some(w) = number.and_then(|n| app.watches.list.iter().find(|w| w.number == n))
            else {
                return;
            };
            let query = ids_chain(w.activities.keys().copied().take(IDS_PER_QUERY));
            run_query(app, query, out);
        }
        Outcome::Remove => {
            if let Some(w) = number.and_then(|n| app.watches.remove(n)) {
                app.say(Level::Info, format!("stopped watching {}", w.label));
                out.push(Command::Effect(Effect::SaveWatches(
                    app.watches.list.clone(),
                )));
            }
            if !app.watches.list.is_empty() {
                app.dialog = Some(Dialog::Watches(crate::tui::dialogs::Watches {
                    selected: selected.min(app.watches.list.len() - 1),
                }));
            }
        }
        _ => {}
    }
}
