//! `landscape-tui wait`: blocks until activities are final, as
//! `gh run watch --exit-status` does for CI runs. The set is fixed when it
//! starts (the ids given, or what the query matches then); each poll asks
//! only for the ones not final yet, 100 ids a request, so a wait on a
//! large account costs what is still running, not the account.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{Exit, ScriptError};
use crate::backend::{Backend, BackendError};
use crate::export::{Format, fetch};
use crate::model::scope::ids_chain;
use crate::model::{Activity, ActivityStatus};
use crate::printable::printable;

/// A query waits for at most this many matches: past it, narrow the query.
pub const MOST_WAITED: u64 = 10_000;
/// Ids asked for in one request (`id:1 OR id:2 …`).
const IDS_PER_REQUEST: usize = 100;

/// What to wait for and how.
#[derive(Debug, Clone)]
pub struct WaitRequest {
    pub ids: Vec<u64>,
    pub query: Option<String>,
    pub timeout: Duration,
    pub interval: Duration,
    pub exit_status: bool,
}

/// How far it has got, for a progress bar: final, total, failed so far.
pub type Progress<'a> = &'a (dyn Fn(u64, u64, u64) + Sync);

#[derive(Debug, Serialize)]
pub struct Row {
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
    pub activities: Vec<Row>,
}

/// Waits as `request` says: how it ended (its exit code) and the summary.
/// The caller prints the summary once its progress bar is cleared.
pub async fn wait(
    backend: &dyn Backend,
    request: &WaitRequest,
    progress: Progress<'_>,
) -> Result<(Exit, Summary), ScriptError> {
    let deadline = Instant::now() + request.timeout;
    let mut known: BTreeMap<u64, Activity> = match &request.query {
        Some(q) => matches(backend, q).await?,
        None => by_ids(backend, &request.ids).await?,
    };
    if let Some(missing) = request.ids.iter().find(|id| !known.contains_key(id)) {
        return Err(BackendError::NotFound(*missing).into());
    }
    loop {
        let pending: Vec<u64> = known
            .values()
            .filter(|a| !a.status().is_some_and(ActivityStatus::is_final))
            .map(|a| a.id)
            .collect();
        let failed = known
            .values()
            .filter(|a| a.status() == Some(&ActivityStatus::Failed))
            .count() as u64;
        let total = known.len() as u64;
        progress(total - pending.len() as u64, total, failed);
        let now = Instant::now();
        if pending.is_empty() || now >= deadline {
            break;
        }
        tokio::time::sleep(request.interval.min(deadline - now)).await;
        match by_ids(backend, &pending).await {
            Ok(fresh) => known.extend(fresh),
            // A blip of the server does not end a wait of half an hour;
            // the next poll asks again.
            Err(e) if Exit::of_backend(&e) == Exit::Unreachable => {
                eprintln!("landscape-tui: wait: {e}; asking again");
            }
            Err(e) => return Err(e.into()),
        }
    }
    let summary = summarise(&known);
    let exit = match summary {
        Summary { pending: 1.., .. } => Exit::TimedOut,
        Summary { failed: 1.., .. } if request.exit_status => Exit::Failed,
        Summary { canceled: 1.., .. } if request.exit_status => Exit::Canceled,
        _ => Exit::Done,
    };
    Ok((exit, summary))
}

/// The activities named, read 100 a request.
async fn by_ids(
    backend: &dyn Backend,
    ids: &[u64],
) -> Result<BTreeMap<u64, Activity>, BackendError> {
    let mut found = BTreeMap::new();
    for chunk in ids.chunks(IDS_PER_REQUEST) {
        let page = backend
            .activities(&ids_chain(chunk.iter().copied()), chunk.len() as u64, 0)
            .await?;
        found.extend(page.results.into_iter().map(|a| (a.id, a)));
    }
    Ok(found)
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

fn summarise(known: &BTreeMap<u64, Activity>) -> Summary {
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
        activities: known
            .values()
            .map(|a| Row {
                id: a.id,
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
        writeln!(
            out,
            "{:<10} {:<12} {}",
            a.id,
            a.status,
            printable(&a.summary)
        )?;
    }
    let head = if s.done { "all final" } else { "timed out" };
    writeln!(
        out,
        "({head}: {} succeeded, {} failed, {} canceled, {} not final, of {})",
        s.succeeded, s.failed, s.canceled, s.pending, s.total
    )
}
