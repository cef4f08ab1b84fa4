//! The scripting commands (`activities`, `approve`, `cancel`, `reapply`,
//! `revert`, `types`): the dashboard's backends, with JSON for scripts, a
//! table for people and CSV/TSV for spreadsheets.

use std::io::Write;

pub mod operation;
pub mod rollout;
pub mod wait;

use crate::backend::action_plan::{self, ActionPlan, ActionRecord, ActionReport, Outcome};
use crate::backend::{Backend, BackendError};
pub use crate::export::Error as ScriptError;
use crate::export::{Format, titles_of, write_activities};
use crate::model::scope::{Scope, ids_chain};
use crate::model::{ActionKind, origin};
use crate::printable::{self, printable, thousands};

/// `limit` activities from `offset`, fetched a page at a time, so any
/// `--limit` is honoured and none overflows.
pub async fn activities(
    backend: &dyn Backend,
    query: &str,
    limit: u64,
    offset: u64,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), ScriptError> {
    let (written, count) =
        crate::export::stream(backend, query, limit, offset, format, out).await?;
    if format == Format::Table {
        writeln!(out, "({written} of {count} matching)")?;
    }
    Ok(())
}

/// How a command ended, as its exit code says (README, `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done (or, for a dry run, the action would be done).
    Done = 0,
    /// Refused by the lifecycle or the server: nothing changed.
    Refused = 1,
    /// A usage error or a bad query.
    Usage = 2,
    /// Credentials missing, wrong or expired.
    Auth = 3,
    /// The server could not be reached, timed out or failed (5xx).
    Unreachable = 4,
    /// Partly done, or an answer was lost: check before trying again.
    Unknown = 5,
    /// `wait --exit-status`: one or more failed.
    Failed = 6,
    /// `wait --exit-status`: one or more canceled, none failed.
    Canceled = 7,
    /// `wait`: the timeout passed first.
    TimedOut = 8,
}

impl Exit {
    /// The exit code a failure ends the command with.
    pub fn of(e: &ScriptError) -> Exit {
        match e {
            ScriptError::Backend(e) => Exit::of_backend(e),
            ScriptError::Output(_) => Exit::Unreachable,
            ScriptError::TooMany { .. } => Exit::Unreachable,
        }
    }

    fn of_backend(e: &BackendError) -> Exit {
        match e {
            BackendError::Refused { .. } | BackendError::ReadOnly | BackendError::NotFound(_) => {
                Exit::Refused
            }
            BackendError::InvalidQuery { .. }
            | BackendError::Unsupported(_)
            | BackendError::Setup(_) => Exit::Usage,
            BackendError::Auth(_) => Exit::Auth,
            BackendError::Http { status, .. } if *status < 500 => Exit::Refused,
            BackendError::Unreachable(_)
            | BackendError::Transport(_)
            | BackendError::NotSaved(_)
            | BackendError::Http { .. }
            | BackendError::Protocol(_) => Exit::Unreachable,
        }
    }

    fn of_report(report: &ActionReport) -> Exit {
        match &report.outcome {
            _ if report.changed > 0 && !report.complete() => Exit::Unknown,
            Outcome::Done | Outcome::NothingToDo => Exit::Done,
            Outcome::Refused => Exit::Refused,
            Outcome::NotSent(_) => Exit::Unreachable,
            Outcome::Unknown(_) => Exit::Unknown,
            Outcome::Failed(e) => Exit::of_backend(e),
        }
    }
}

/// An action from the command line: what it acts on and how.
#[derive(Debug, Clone)]
pub struct ActionRequest {
    pub kind: ActionKind,
    /// The query's words; ids alone (`reapply 112 120`) name activities.
    pub words: Vec<String>,
    pub dry_run: bool,
    /// Send only what the action allows, so nothing is refused.
    pub only_changeable: bool,
    /// With `--dry-run`: list the id of every activity that would change.
    pub list_ids: bool,
    pub format: Format,
    /// The action log to append to (the dashboard's), if any.
    pub log: Option<std::path::PathBuf>,
}

impl ActionRequest {
    /// The scope: every match of the query (ids alone are `id:` terms, a
    /// group standing for its children).
    pub fn scope(&self) -> Scope {
        let ids: Option<Vec<u64>> = self.words.iter().map(|w| w.parse().ok()).collect();
        match ids {
            Some(ids) if !ids.is_empty() => Scope::every_match(&ids_chain(ids)),
            _ => Scope::every_match(&self.words.join(" ")),
        }
    }
}

/// Runs (or with `dry_run` plans) an action: the same plan the
/// dashboard's confirmation shows, and the same sending. The exit code
/// says how it ended.
pub async fn action(
    backend: &dyn Backend,
    request: &ActionRequest,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, ScriptError> {
    let kind = request.kind;
    let plan = action_plan::plan(backend, kind, &request.scope()).await?;
    if request.dry_run {
        let ids = if request.list_ids {
            Some(action_plan::acted_on_ids(backend, &plan).await?)
        } else {
            None
        };
        let servers = backend.info().servers;
        write_plan(&plan, ids.as_deref(), (request, &servers), out)?;
        let refused = plan.would_be_refused() && !request.only_changeable;
        return Ok(if refused { Exit::Refused } else { Exit::Done });
    }
    let report = action_plan::carry_out(backend, &plan, request.only_changeable).await;
    let picked = request.words.join(" ");
    let record = ActionRecord::new(
        &report,
        chrono::Utc::now(),
        &backend.info().label,
        &picked,
        request.only_changeable,
    )
    .on_servers(&backend.info().servers);
    log(request.log.as_deref(), &record, err)?;
    let changed_nothing = report.changed == 0 && !report.complete();
    match request.format {
        // Stdout carries what was done; a failure that did nothing says so on stderr alone.
        _ if changed_nothing => {}
        Format::Json if kind.creates() => {
            serde_json::to_writer_pretty(&mut *out, &report.created)
                .map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        Format::Json => {
            let servers = backend.info().servers;
            let ids: Vec<serde_json::Value> = report
                .ids
                .iter()
                .map(|id| origin::json(*id, &servers))
                .collect();
            writeln!(out, "{}", serde_json::Value::from(ids))?
        }
        _ if kind.creates() => {
            write_facts(&record, out)?;
            let titles = titles_of(backend, &report.created, request.format).await;
            write_activities(out, &report.created, &titles, request.format)?;
        }
        _ => {
            write_facts(&record, out)?;
            let servers = backend.info().servers;
            for id in &report.ids {
                writeln!(out, "{}", origin::named(*id, &servers))?;
            }
        }
    }
    if !report.complete() {
        writeln!(err, "landscape-tui: {}", report.summary())?;
        let servers = backend.info().servers;
        for r in &report.refusals {
            let id = origin::named(r.id, &servers);
            writeln!(err, "  {id} => {}", printable(&r.reason))?;
        }
        if report.unlisted > 0 {
            writeln!(err, "  … and {} more refused", report.unlisted)?;
        }
    }
    Ok(Exit::of_report(&report))
}

/// Appends `record` to the action log at `path`, if there is one; a log
/// that cannot be written is a warning on `err`, never the command's end.
fn log(
    path: Option<&std::path::Path>,
    record: &ActionRecord,
    err: &mut dyn Write,
) -> std::io::Result<()> {
    match path.map(|p| (p, crate::backend::action_log::append(p, record))) {
        Some((p, Err(e))) => writeln!(
            err,
            "landscape-tui: warning: the action log {}: {e}",
            p.display()
        ),
        _ => Ok(()),
    }
}

/// What an action did, as its action log entry says it: the report, then
/// what was sent.
fn write_facts(record: &ActionRecord, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "{}", record.outcome)?;
    for q in &record.sent {
        writeln!(out, "sent: {}", printable(q))?;
    }
    Ok(())
}

/// What a dry run prints: how many would change and be refused (exact),
/// the first of each, and (with `--ids`) every id that would change.
fn write_plan(
    plan: &ActionPlan,
    ids: Option<&[u64]>,
    (request, servers): (&ActionRequest, &[origin::ServerName]),
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let kind = plan.kind;
    let (changes, refused) = (plan.changes(), plan.refused());
    let sent_whole_refused = refused > 0 && !request.only_changeable;
    if request.format == Format::Json {
        let refusals: Vec<serde_json::Value> = plan
            .refusals
            .iter()
            .map(|r| serde_json::json!({"id": origin::json(r.id, servers), "reason": r.reason}))
            .collect();
        let mut answer = serde_json::json!({
            "action": kind.verb(),
            "would_change": if sent_whole_refused { 0 } else { changes },
            "changeable": changes,
            "refused": refused,
            "groups": plan.groups(),
            "would_be_refused": sent_whole_refused,
            "refusals": refusals,
        });
        if let Some(ids) = ids {
            let ids: Vec<serde_json::Value> =
                ids.iter().map(|id| origin::json(*id, servers)).collect();
            answer["ids"] = ids.into();
        }
        return writeln!(out, "{answer}");
    }
    if sent_whole_refused {
        writeln!(
            out,
            "dry run: {} would be refused: {} of the selected cannot be {}, and Landscape refuses all or nothing (nothing changed; --only-changeable sends only the {} that can)",
            kind.verb(),
            thousands(refused),
            kind.past(),
            thousands(changes),
        )?;
    } else {
        writeln!(
            out,
            "dry run: would {} {} (nothing changed)",
            kind.verb(),
            printable::activities(changes)
        )?;
    }
    match ids {
        Some(ids) => {
            for id in ids {
                writeln!(out, "  {}", origin::named(*id, servers))?;
            }
        }
        None => {
            for a in &plan.sample {
                let id = origin::named(a.id, servers);
                writeln!(out, "  {id}  {}", printable(&a.summary))?;
            }
            let listed = plan.sample.len() as u64;
            if changes > listed {
                writeln!(
                    out,
                    "  … and {} more (--ids lists them all)",
                    thousands(changes - listed)
                )?;
            }
        }
    }
    if refused > 0 {
        writeln!(out, "refused: {}", thousands(refused))?;
        for r in &plan.refusals {
            let id = origin::named(r.id, servers);
            writeln!(out, "  {id} => {}", printable(&r.reason))?;
        }
        let listed = plan.refusals.len() as u64;
        if refused > listed {
            writeln!(out, "  … and {} more", thousands(refused - listed))?;
        }
    }
    Ok(())
}

pub async fn types(
    backend: &dyn Backend,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), ScriptError> {
    let types = backend.activity_types().await?;
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&types).unwrap_or_default()
        )?,
        _ => {
            for t in types {
                writeln!(out, "{}", printable(&t))?;
            }
        }
    }
    Ok(())
}
