//! The backend's answers that are not the list's or an action's: a
//! group's children, the gauges, computer names, an export, the vocabulary
//! for completion.

use super::list::{fetch_contacts, fetch_titles};
use crate::backend::{BackendError, CompletionValues};
use crate::model::{Activity, Computer};
use crate::printable::activities;
use crate::tui::app::{App, Level};
use crate::tui::event::Command;

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
