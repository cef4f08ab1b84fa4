//! The backend's answers that are not the list's or an action's: a
//! group's children, the gauges, computer names, an export, the vocabulary
//! for completion.

use super::list::{fetch_contacts, fetch_titles};
use crate::backend::{BackendError, CompletionValues};
use crate::model::{Activity, Computer};
use crate::printable::activities;
use crate::tui::app::{App, Level};
use crate::tui::event::{Call, Command};

pub(super) fn children_loaded(
    app: &mut App,
    parent: u64,
    result: Result<Vec<Activity>, BackendError>,
    out: &mut Vec<Command>,
) {
    if app.children.parent != Some(parent) {
        return;
    }
    app.children.loading = false;
    match result {
        Ok(rows) => {
            // The child stays selected, not its place: `A` or a refresh
            // brings other children around it.
            let was = app.children.rows.get(app.children.selected).map(|a| a.id);
            app.children.rows = rows;
            out.extend(fetch_titles(app, false));
            out.extend(fetch_contacts(app, app.children.rows.iter()));
            let kept = was.and_then(|id| app.children.rows.iter().position(|a| a.id == id));
            app.children.selected = kept.unwrap_or_else(|| {
                app.children
                    .selected
                    .min(app.children.rows.len().saturating_sub(1))
            });
        }
        Err(e) => said_unless_outage(app, Level::Error, format!("children of {parent}: {e}"), &e),
    }
}

pub(super) fn computers_loaded(app: &mut App, result: Result<Vec<Computer>, BackendError>) {
    match result {
        Ok(computers) => {
            for c in computers {
                app.fleet
                    .contacts
                    .insert(c.id, crate::model::waiting::Contact::of(&c));
                app.fleet.contacts_read.insert(c.id, app.clock.now);
                app.fleet.computer_titles.insert(c.id, c.title);
            }
        }
        Err(e) => said_unless_outage(
            app,
            Level::Warning,
            format!("computers' last contact: {e}"),
            &e,
        ),
    }
}

pub(super) fn in_flight_loaded(
    app: &mut App,
    result: Result<crate::model::Page<Activity>, BackendError>,
) {
    if let Ok(page) = result {
        let shown: Vec<Activity> = page
            .results
            .into_iter()
            .filter(|a| a.progress.is_some() && !a.is_final())
            .collect();
        // The server counts them all; the page holds the first few.
        app.fleet.in_flight_count = (
            page.count.max(shown.len() as u64),
            page.count_is_lower_bound,
        );
        app.fleet.in_flight = shown;
    }
}

/// The operations still running; those that left the list since the
/// last look are read once more, to tell how they ended.
pub(super) fn operations_loaded(
    app: &mut App,
    result: Result<Vec<crate::model::operation::Operation>, BackendError>,
    out: &mut Vec<Command>,
) {
    // A server without them, or a failed look: the panel keeps what it had.
    let Ok(running) = result else { return };
    let ended: Vec<String> = app
        .fleet
        .operations
        .iter()
        .filter(|o| !running.iter().any(|r| r.name == o.name))
        .map(|o| o.name.clone())
        .collect();
    app.fleet.operations = running;
    if !ended.is_empty() {
        out.push(Command::Call(Call::FetchEndedOperations(ended)));
    }
}

/// Ended operations kept for `:operations`.
const ENDED_KEPT: usize = 20;

/// Says how each operation that left the panel ended: a failure with its
/// error, its log kept whole in the messages (`M`).
pub(super) fn operations_ended(
    app: &mut App,
    result: Result<Vec<crate::model::operation::Operation>, BackendError>,
    out: &mut Vec<Command>,
) {
    use crate::model::operation::OperationState;
    let Ok(ended) = result else { return };
    let kept = &mut app.fleet.ended_operations;
    kept.extend(ended.iter().cloned());
    let over = kept.len().saturating_sub(ENDED_KEPT);
    kept.drain(..over);
    for op in ended {
        // A server's words, as text and of a size a line can hold.
        let title = crate::printable::bounded(op.title(), 200);
        let (level, text) = match op.state() {
            OperationState::Failed => {
                let why = op.error.as_ref().map_or("", |e| e.message.as_str());
                let text = format!(
                    "operation failed at {}%: {title}: {} (M shows its log)",
                    op.percent(),
                    crate::printable::bounded(why, 300)
                );
                // The log whole where messages are kept, not in a notification.
                let log: Vec<String> = op
                    .log()
                    .iter()
                    .take(200)
                    .map(|l| format!("\n  {}", crate::printable::bounded(l, 500)))
                    .collect();
                app.say(Level::Error, format!("{} log:{}", op.name, log.concat()));
                (Level::Error, text)
            }
            OperationState::Succeeded => (Level::Success, format!("operation done: {title}")),
            OperationState::Running => continue,
        };
        let record = crate::backend::action_plan::ActionRecord::notice(
            app.clock.now,
            ("operation", &app.backend.label),
            op.name.clone(),
            text,
            Vec::new(),
        );
        if app.fleet.watched_operations.remove(&op.name) {
            super::tell(app, level, record, out);
        } else {
            // Said and logged; a notification only for those watched.
            app.say(level, record.outcome.clone());
            app.acting.log.insert(0, record.clone());
            super::log_action(app, record, out);
        }
    }
}

/// `w` in `:operations`: watch the `selected` one (its end is also a
/// terminal notification), or stop watching it; an ended one is not.
pub(super) fn watch_operation(app: &mut App, selected: usize) {
    let Some((name, done, title)) = crate::tui::dialogs::operations::all(app)
        .get(selected)
        .map(|o| (o.name.clone(), o.done, o.title().to_owned()))
    else {
        return;
    };
    let title = crate::printable::bounded(&title, 120);
    if done {
        app.say(Level::Info, format!("{title} has ended: nothing to watch"));
    } else if app.fleet.watched_operations.remove(&name) {
        app.say(Level::Info, format!("no longer watching {title}"));
    } else {
        app.fleet.watched_operations.insert(name);
        app.say(Level::Info, format!("watching {title}: told when it ends"));
    }
}

pub(super) fn titles_loaded(
    app: &mut App,
    result: Result<std::collections::HashMap<u64, String>, BackendError>,
) {
    match result {
        Ok(titles) => app.fleet.computer_titles.extend(titles),
        Err(e) => said_unless_outage(app, Level::Warning, format!("computer names: {e}"), &e),
    }
}

pub(super) fn exported(app: &mut App, path: &std::path::Path, result: Result<usize, String>) {
    match result {
        Ok(n) => app.say(
            Level::Success,
            format!("exported {} to {}", activities(n as u64), path.display()),
        ),
        Err(e) => app.say(
            Level::Error,
            format!("export to {} failed: {e}", path.display()),
        ),
    }
}

pub(super) fn vocabulary(
    app: &mut App,
    result: Result<(CompletionValues, Vec<Computer>), BackendError>,
) {
    if let Ok((values, computers)) = result {
        app.fleet.values = values;
        app.fleet.computer_titles = computers.into_iter().map(|c| (c.id, c.title)).collect();
    }
}

/// A side load's failure: when it is the server being away, the outage
/// line says so already (the list's load names it), so it is only kept
/// for `:messages`; anything else is said.
fn said_unless_outage(app: &mut App, level: Level, text: String, e: &BackendError) {
    if e.outage().is_some() {
        app.note(level, text);
    } else {
        app.say(level, text);
    }
}
