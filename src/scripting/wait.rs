//! `landscape-tui wait`: blocks until activities are final, as
//! `gh run watch --exit-status` does for CI runs. The set is fixed when it
//! starts (the ids given, or what the query matches then); each poll asks
//! only for the ones not final yet, 100 ids a request, so a wait on a
//! large account costs what is still running, not the account.

use crate::model::origin::{self, ServerName};
use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{Exit, ScriptError};
use crate::backend::action_plan::{self, ActionRecord};
use crate::backend::watched::{self, Ask};
use crate::backend::{Backend, BackendError};
use crate::export::{Format, fetch};
use crate::model::guard::{Guard, Threshold};
use crate::model::scope::{IDS_PER_QUERY, Scope};
use crate::model::{ActionKind, Activity, ActivityStatus};
use crate::printable::printable;

/// A query waits for at most this many matches: past it, narrow the query.
pub const MOST_WAITED: u64 = 10_000;

/// What to wait for and how.
#[derive(Debug, Clone)]
pub struct WaitRequest {
    pub ids: Vec<u64>,
    pub query: Option<String>,
    pub timeout: Duration,
    pub interval: Duration,
    pub exit_status: bool,
    /// Cancel what has not started once this many have failed.
    pub guard: Option<Threshold>,
    /// Where a guard's cancel is logged.
    pub log: Option<std::path::PathBuf>,
}

impl WaitRequest {
    /// The guard over what is waited for: a group's children, the
    /// query's matches, or the ids and their children.
    fn guard(&self, known: &BTreeMap<u64, Activity>) -> Option<Guard> {
        let threshold = self.guard?;
        Some(match (&self.query, self.ids.as_slice()) {
            (Some(q), _) => Guard {
                query: q.clone(),
                threshold,
            },
            (None, [id]) if known.get(id).is_some_and(Activity::is_parent) => {
                Guard::on_group(*id, threshold)
            }
            (None, ids) => Guard::on_ids(ids, threshold),
        })
    }
}

/// How far it has got, for a progress bar: final, total, failed so far.
pub type Progress<'a> = &'a (dyn Fn(u64, u64, u64) + Sync);

#[derive(Debug, Serialize)]
pub struct Row {
    /// With several servers, the one it lives on (`id` is that server's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    pub id: u64,
    pub status: String,
    pub summary: String,
}

/// What `wait` found, printed once on stdout ([`write_summary`]).
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Every activity final.
    pub done: bool,
    pub total: usize,
    pub succeeded: usize,
    pub failed: usize,
    pub canceled: usize,
    /// Not final when the timeout came.
    pub pending: usize,
    /// What the guard saw and did, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guard: Option<GuardSummary>,
    pub activities: Vec<Row>,
}

#[derive(Debug, Serialize)]
pub struct GuardSummary {
    pub threshold: String,
    pub tripped: bool,
    pub failed: u64,
    pub of: u64,
    /// Activities its cancel stopped.
    pub canceled: u64,
}

/// Waits as `request` says: how it ended (its exit code) and the summary.
/// The caller prints the summary once its progress bar is cleared.
pub async fn wait(
    backend: &dyn Backend,
    request: &WaitRequest,
    progress: Progress<'_>,
) -> Result<(Exit, Summary), ScriptError> {
    let deadline = Instant::now() + request.timeout;
    if request.guard.is_some() && request.query.is_none() && request.ids.len() > IDS_PER_QUERY {
        return Err(BackendError::Unsupported(
            "--guard takes at most 100 ids (or a --query)".into(),
        )
        .into());
    }
    let mut known: BTreeMap<u64, Activity> = match &request.query {
        Some(q) => matches(backend, q).await?,
        None => by_ids(backend, &request.ids).await?,
    };
    if let Some(missing) = request.ids.iter().find(|id| !known.contains_key(id)) {
        // A wrong id is the caller's mistake: a usage error (2), as
        // `--help` says, not a refusal.
        return Err(BackendError::Unsupported(format!(
            "no activity {missing}: wait takes the ids of activities the server has"
        ))
        .into());
    }
    let guard = request.guard(&known);
    let mut guarded = guard.as_ref().map(|g| GuardSummary {
        threshold: g.threshold.to_string(),
        tripped: false,
        failed: 0,
        of: 0,
        canceled: 0,
    });
    let mut first = true;
    loop {
        let pending: Vec<u64> = known
            .values()
            .filter(|a| !a.status().is_some_and(ActivityStatus::is_final))
            .map(|a| a.id)
            .collect();
        let watching_guard = guard
            .as_ref()
            .filter(|_| guarded.as_ref().is_some_and(|s| !s.tripped) && !pending.is_empty());
        if !first || watching_guard.is_some() {
            let ask = Ask {
                ids: if first { Vec::new() } else { pending.clone() },
                groups: Vec::new(),
                guards: watching_guard.into_iter().cloned().collect(),
            };
            match watched::look(backend, &ask).await {
                Ok(look) => {
                    known.extend(look.activities.into_iter().map(|a| (a.id, a)));
                    if let (Some(g), Some(count), Some(s)) =
                        (watching_guard, look.guards.first(), guarded.as_mut())
                    {
                        (s.failed, s.of) = (count.failed, count.of);
                        if g.threshold.tripped(count.failed, count.of) {
                            s.tripped = true;
                            s.canceled = stop(backend, g, count, request).await?;
                            // Read what it stopped at once.
                            first = false;
                            continue;
                        }
                    }
                }
                // A blip of the server does not end a wait of half an hour;
                // the next poll asks again.
                Err(e) if Exit::of_backend(&e) == Exit::Unreachable => {
                    eprintln!("landscape-tui: wait: {e}; asking again");
                }
                Err(e) => return Err(e.into()),
            }
        }
        first = false;
        let pending = known
            .values()
            .filter(|a| !a.status().is_some_and(ActivityStatus::is_final))
            .count() as u64;
        let failed = known
            .values()
            .filter(|a| a.status() == Some(&ActivityStatus::Failed))
            .count() as u64;
        let total = known.len() as u64;
        progress(total - pending, total, failed);
        let now = Instant::now();
        if pending == 0 || now >= deadline {
            break;
        }
        tokio::time::sleep(request.interval.min(deadline - now)).await;
    }
    let mut summary = summarise(&known, &backend.info().servers);
    summary.guard = guarded;
    let exit = match summary {
        Summary { pending: 1.., .. } => Exit::TimedOut,
        Summary { failed: 1.., .. } if request.exit_status => Exit::Failed,
        Summary { canceled: 1.., .. } if request.exit_status => Exit::Canceled,
        _ => Exit::Done,
    };
    Ok((exit, summary))
}

/// A tripped guard's cancel, planned and sent as the dashboard's would
/// be (the flag is the operator's consent), logged and said on stderr:
/// how many it stopped.
async fn stop(
    backend: &dyn Backend,
    guard: &Guard,
    count: &watched::GuardCount,
    request: &WaitRequest,
) -> Result<u64, ScriptError> {
    let scope = Scope::every_match(&guard.stop_query());
    let plan = action_plan::plan(backend, ActionKind::Cancel, &scope).await?;
    let report = action_plan::carry_out(backend, &plan, true).await;
    let picked = format!(
        "guard {} tripped: {} of {} failed",
        guard.threshold, count.failed, count.of
    );
    let record = ActionRecord::new(
        &report,
        chrono::Utc::now(),
        &backend.info().label,
        &picked,
        true,
    )
    .on_servers(&backend.info().servers);
    super::log(request.log.as_deref(), &record, &mut std::io::stderr())?;
    eprintln!("landscape-tui: wait: {picked}: {}", report.summary());
    Ok(report.changed)
}

/// The activities named.
async fn by_ids(
    backend: &dyn Backend,
    ids: &[u64],
) -> Result<BTreeMap<u64, Activity>, BackendError> {
    Ok(backend
        .activities_by_id(ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

/// Every activity `query` matches now, if there are not too many. Read
/// as `activities` reads them: the legacy API's counts are only lower
/// bounds, so the pages, not the first count, say where they end.
async fn matches(
    backend: &dyn Backend,
    query: &str,
) -> Result<BTreeMap<u64, Activity>, ScriptError> {
    let (list, count) = fetch(backend, query, MOST_WAITED + 1, 0).await?;
    if list.len() as u64 > MOST_WAITED {
        return Err(BackendError::Unsupported(format!(
            "the query matches {} activities; wait takes at most {} (narrow it, e.g. with parent-id: or created-after:)",
            crate::printable::thousands(count),
            crate::printable::thousands(MOST_WAITED)
        ))
        .into());
    }
    Ok(list.into_iter().map(|a| (a.id, a)).collect())
}

fn summarise(known: &BTreeMap<u64, Activity>, servers: &[ServerName]) -> Summary {
    let count = |s: ActivityStatus| known.values().filter(|a| a.status() == Some(&s)).count();
    let (succeeded, failed, canceled) = (
        count(ActivityStatus::Succeeded),
        count(ActivityStatus::Failed),
        count(ActivityStatus::Canceled),
    );
    let total = known.len();
    let pending = total - succeeded - failed - canceled;
    Summary {
        done: pending == 0,
        total,
        succeeded,
        failed,
        canceled,
        pending,
        guard: None,
        activities: known
            .values()
            .map(|a| Row {
                server: origin::server_of(a.id)
                    .and_then(|k| servers.get(k))
                    .map(|s| s.name.clone()),
                id: origin::local(a.id),
                status: a.status().map_or("unknown", |s| s.as_str()).to_owned(),
                summary: a.summary.to_string(),
            })
            .collect(),
    }
}

pub fn write_summary(s: &Summary, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    if format == Format::Json {
        return writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(s).unwrap_or_default()
        );
    }
    for a in &s.activities {
        let id = match &a.server {
            Some(server) => format!("{} {}", printable(server), a.id),
            None => a.id.to_string(),
        };
        writeln!(out, "{:<10} {:<12} {}", id, a.status, printable(&a.summary))?;
    }
    let head = if s.done { "all final" } else { "timed out" };
    writeln!(
        out,
        "({head}: {} succeeded, {} failed, {} canceled, {} not final, of {})",
        s.succeeded, s.failed, s.canceled, s.pending, s.total
    )
}
