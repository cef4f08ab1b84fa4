//! `:clusters` (and its key): the failures of the query, or of the open
//! group, grouped by what went wrong; Enter shows a cluster as a list of
//! its own, Space marks it, `C` opens one of its computers.

use crate::backend::BackendError;
use crate::backend::clusters::ClusterReport;
use crate::model::failure::{Narrowing, narrowing};
use crate::model::scope::PickedChild;
use crate::printable::{printable, thousands};
use crate::tui::app::{App, ClustersState, Dialog, Level, Pane};
use crate::tui::dialogs::Outcome;
use crate::tui::event::{Call, Command};
use crate::tui::keys::KeyAction;

/// Computers named (their titles fetched) when the clusters arrive.
const TITLES_ASKED: usize = 500;

/// Opens the clusters of the query's failures; with the children pane
/// focused on a group, of that group's alone.
pub(super) fn open_clusters(app: &mut App, out: &mut Vec<Command>) {
    let group = match app.screen.focus {
        Pane::List => None,
        _ => app.children.parent,
    };
    let (base, of) = match group {
        Some(parent) => (
            format!("parent-id:{parent}"),
            format!("the failures of group {parent}"),
        ),
        None if app.query.applied.trim().is_empty() => (String::new(), "every failure".to_owned()),
        None => (
            app.query.applied.clone(),
            format!("the failures of \"{}\"", printable(&app.query.applied)),
        ),
    };
    let generation = app.clusters.generation + 1;
    app.clusters = ClustersState {
        of,
        base: base.clone(),
        loading: true,
        generation,
        ..ClustersState::default()
    };
    app.dialog = Some(Dialog::Clusters);
    out.push(Command::Call(Call::FetchClusters {
        generation,
        query: base,
    }));
}

pub(super) fn clusters_loaded(
    app: &mut App,
    generation: u64,
    result: Result<ClusterReport, BackendError>,
    out: &mut Vec<Command>,
) {
    if generation != app.clusters.generation {
        return;
    }
    app.clusters.loading = false;
    match result {
        Ok(report) => {
            let mut ids: Vec<u64> = report
                .clusters
                .iter()
                .flat_map(|c| c.computers.iter().copied())
                .filter(|id| !app.fleet.computer_titles.contains_key(id))
                .take(TITLES_ASKED)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            if !ids.is_empty() {
                out.push(Command::Call(Call::FetchTitles { ids, fresh: false }));
            }
            app.clusters.report = Some(report);
        }
        Err(e) => app.clusters.error = Some(e.explain()),
    }
}

/// A clusters popup's key, carried out: each closes the popup once it
/// has done what it does (reading again, and a refusal, keep it open).
pub(super) fn on_outcome(app: &mut App, outcome: Outcome, out: &mut Vec<Command>) {
    app.dialog = Some(Dialog::Clusters);
    match outcome {
        Outcome::Closed => app.dialog = None,
        Outcome::OpenComputer(at) => open_computer(app, at, out),
        Outcome::Go => narrow(app, out),
        Outcome::Mark => mark_cluster(app),
        Outcome::Reread => open_clusters_again(app, out),
        _ => {}
    }
}

/// The same clusters read again (the failures may have moved on).
fn open_clusters_again(app: &mut App, out: &mut Vec<Command>) {
    let generation = app.clusters.generation + 1;
    app.clusters.generation = generation;
    app.clusters.loading = true;
    out.push(Command::Call(Call::FetchClusters {
        generation,
        query: app.clusters.base.clone(),
    }));
}

fn open_computer(app: &mut App, at: usize, out: &mut Vec<Command>) {
    let Some(computer) = app
        .clusters
        .selected_cluster()
        .and_then(|k| k.computers.get(at).copied())
    else {
        app.say(Level::Warning, "this cluster names no computer");
        return;
    };
    app.dialog = None;
    super::navigation::jump_to_computer_id(app, computer, out);
}

/// Enter: the cluster as the list, by a query where Landscape's language
/// can say it, else by its type with its members marked.
fn narrow(app: &mut App, out: &mut Vec<Command>) {
    let c = &app.clusters;
    let Some(report) = &c.report else {
        return;
    };
    if report.clusters.is_empty() {
        return;
    }
    let cluster = report.clusters[c.selected].clone();
    let how = narrowing(&c.base, &report.clusters, c.selected, report.complete());
    app.dialog = None;
    let n = cluster.count();
    match how {
        Narrowing::Query(query) => {
            let what = format!("the cluster's {}", crate::printable::activities(n as u64));
            super::navigation::jump(app, query, &what, out);
        }
        Narrowing::Marked { query, ids } => {
            super::navigation::jump(app, query.clone(), "the cluster's type", out);
            for (id, parent) in ids.into_iter().zip(cluster.parents.iter().copied()) {
                mark_member(app, id, parent, &query);
            }
            let said = format!(
                "{} failures of {} shown; the cluster's {} are marked (the query cannot name a result text)",
                cluster.key.activity_type,
                thousands(n as u64),
                thousands(n as u64)
            );
            app.say(Level::Info, said);
        }
    }
}

/// Space: the cluster's members marked under the query shown.
fn mark_cluster(app: &mut App) {
    let Some(cluster) = app.clusters.selected_cluster().cloned() else {
        return;
    };
    if app.clusters.base != app.query.applied {
        app.say(
            Level::Warning,
            format!(
                "these are a group's failures, not the list's: {} shows the cluster, then mark there",
                app.prefs.keymap
                    .first(crate::tui::keys::Context::Popup, KeyAction::Open)
            ),
        );
        return;
    }
    let query = app.query.applied.clone();
    for (id, parent) in cluster.ids.iter().zip(&cluster.parents) {
        mark_member(app, *id, *parent, &query);
    }
    let text = format!(
        "marked the cluster's {}; {} marked in all",
        thousands(cluster.count() as u64),
        thousands(app.marks.ids.len() as u64)
    );
    app.dialog = None;
    app.say(Level::Info, text);
}

/// Marks a failed activity: a child under its group, a standalone one as
/// a row matching `query` in its own right.
fn mark_member(app: &mut App, id: u64, parent: Option<u64>, query: &str) {
    app.marks.ids.insert(id);
    match parent {
        Some(parent) => {
            app.marks.children.insert(
                id,
                PickedChild {
                    id,
                    parent,
                    brought: false,
                },
            );
        }
        None => {
            app.marks.rows.insert(id, (query.to_owned(), false));
        }
    }
}
