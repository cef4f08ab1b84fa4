//! The health picture (`H`, `:health`): shown or hidden, asked for when
//! shown, when the query changes and at most once a minute on refresh.

use chrono::Duration;

use crate::backend::BackendError;
use crate::backend::health::Health;
use crate::tui::app::{App, Level};
use crate::tui::event::{Call, Command};

/// The health picture is counted again at most this often on refresh.
pub const HEALTH_EVERY: Duration = Duration::seconds(60);

pub(super) fn toggle(app: &mut App, out: &mut Vec<Command>) {
    app.health.shown = !app.health.shown;
    if app.health.shown {
        out.push(fetch(app));
    } else {
        app.say(Level::Info, "health picture hidden");
    }
}

/// Asks for the counts of the query shown.
pub(super) fn fetch(app: &mut App) -> Command {
    app.health.generation += 1;
    app.health.loading = true;
    app.health.asked = Some(app.clock.now);
    Command::Call(Call::FetchHealth {
        generation: app.health.generation,
        query: app.query.applied.clone(),
        now: app.server_now(),
    })
}

/// On a refresh, or a new query: the counts again when shown and stale
/// (another query, or a minute old).
pub(super) fn when_due(app: &mut App) -> Option<Command> {
    let h = &app.health;
    if !h.shown || h.loading {
        return None;
    }
    let other_query = h
        .health
        .as_ref()
        .is_some_and(|x| x.query != app.query.applied);
    let old = h.asked.is_none_or(|t| app.clock.now - t >= HEALTH_EVERY);
    (other_query || old).then(|| fetch(app))
}

pub(super) fn health_loaded(app: &mut App, generation: u64, result: Result<Health, BackendError>) {
    if generation != app.health.generation {
        return;
    }
    app.health.loading = false;
    match result {
        Ok(h) => {
            app.health.health = Some(h);
            app.health.error = None;
        }
        Err(e) => app.health.error = Some(e.explain()),
    }
}
