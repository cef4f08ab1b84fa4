//! `landscape-tui rollout`: approves what a query selects in waves, each
//! released only once everything before it is final, soaked and under
//! the gate. The decisions are `model::rollout::run`'s; this drives them
//! with a backend, sleeps and the action log. Nothing is kept locally:
//! the same command run again reads how far the server says it got.

use std::io::Write;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{Exit, ScriptError};
use crate::backend::action_plan::{self, ActionRecord, ActionReport, Outcome};
use crate::backend::{Backend, BackendError};
use crate::export::Format;
use crate::model::ActionKind;
use crate::model::rollout::run::{Run, Stand, Step};
use crate::model::rollout::{Gate, Share};
use crate::model::scope::{PickedRow, Scope};
use crate::printable::printable;

/// What to roll out and how.
#[derive(Debug, Clone)]
pub struct RolloutRequest {
    pub query: String,
    pub waves: Vec<Share>,
    pub gate: Option<Gate>,
    pub soak: Duration,
    pub timeout: Duration,
    /// How often a wave's activities are read while they run.
    pub interval: Duration,
    pub dry_run: bool,
    /// The action log each wave and a stop are written to.
    pub log: Option<std::path::PathBuf>,
}

/// What the driver needs from the world: a clock, a way to wait, and
/// someone told each step (who may stop it there, as an interrupt would).
pub trait Hooks: Send {
    fn now(&self) -> DateTime<Utc>;
    fn pause(&mut self, by: Duration) -> impl Future<Output = ()> + Send;
    fn saw(&mut self, run: &Run, step: &Step) -> bool;
}

/// The command line's hooks: the wall clock, tokio's sleep, a line on
/// stderr at each wave and gate.
pub struct Terminal;

impl Hooks for Terminal {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn pause(&mut self, by: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(by)
    }

    fn saw(&mut self, run: &Run, step: &Step) -> bool {
        if let Some(line) = say(run, step) {
            eprintln!("landscape-tui: rollout: {line}");
        }
        true
    }
}

/// A step in words, for people (on stderr).
pub fn say(run: &Run, step: &Step) -> Option<String> {
    let of = run.waves.len();
    Some(match step {
        Step::Release { wave, ids } => {
            let gate = match (
                run.gate,
                wave.checked_sub(1).and_then(|k| run.facts[k].gate),
            ) {
                (Some(g), Some((f, _))) => {
                    format!("gate {g} held ({} of {} failed); ", f.failed, f.final_)
                }
                _ => String::new(),
            };
            format!(
                "wave {}/{of} ({}): {gate}approving {} (reaching {} of {})",
                wave + 1,
                run.waves[*wave],
                ids.len(),
                run.targets[*wave],
                run.total()
            )
        }
        Step::Soak { until } => format!("everything released is final; soaking until {until}"),
        Step::Stopped { wave, figure } => run.crossed(*wave, *figure),
        Step::Done => format!(
            "done: {} of {} released in {of} waves",
            run.released(),
            run.total()
        ),
        Step::Look(_) | Step::Paused { .. } => return None,
    })
}

/// Reads the set and, unless it is a dry run, rolls it out: how it ended
/// and the run (for the summary).
pub async fn rollout(
    backend: &dyn Backend,
    request: &RolloutRequest,
    hooks: &mut impl Hooks,
) -> Result<(Exit, Run), ScriptError> {
    if crate::query::split_work(&request.query).names_status() {
        eprintln!(
            "landscape-tui: rollout: warning: {}",
            crate::model::rollout::STATUS_TERM
        );
    }
    let set = action_plan::selected_activities(backend, &request.query).await?;
    let mut run = Run::new(
        &request.query,
        request.waves.clone(),
        request.gate,
        request.soak.as_secs(),
        &set,
    );
    if run.total() == 0 {
        return Err(nothing_selected(&request.query));
    }
    if request.dry_run {
        return Ok((Exit::Done, run));
    }
    let deadline = crate::model::rollout::run::later(hooks.now(), request.timeout.as_secs());
    loop {
        let step = run.step(hooks.now());
        if !hooks.saw(&run, &step) {
            return Ok((Exit::Unknown, run));
        }
        let left = (deadline - hooks.now()).to_std().unwrap_or_default();
        match step {
            Step::Release { wave, ids } => {
                let report = release(backend, &ids).await?;
                super::log(
                    request.log.as_deref(),
                    &record(backend, &run, wave, &report),
                    &mut std::io::stderr(),
                )?;
                if !matches!(report.outcome, Outcome::Done | Outcome::NothingToDo) {
                    eprintln!("landscape-tui: rollout: {}", report.summary());
                    return Ok((Exit::of_report(&report), run));
                }
                run.read(&backend.activities_by_id(&ids).await?);
            }
            Step::Look(ids) => {
                if left.is_zero() {
                    return Ok((Exit::TimedOut, run));
                }
                hooks.pause(request.interval.min(left)).await;
                match backend.activities_by_id(&ids).await {
                    Ok(read) => {
                        run.read(&read);
                    }
                    // A blip does not end a rollout of hours; the next look asks again.
                    Err(e) if Exit::of_backend(&e) == Exit::Unreachable => {
                        eprintln!("landscape-tui: rollout: {e}; asking again");
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Step::Soak { until } => {
                let soak = (until - hooks.now()).to_std().unwrap_or_default();
                if soak > left {
                    hooks.pause(left).await;
                    return Ok((Exit::TimedOut, run));
                }
                hooks.pause(soak).await;
            }
            Step::Done => return Ok((Exit::Done, run)),
            Step::Stopped { .. } => {
                let text = say(&run, &step).unwrap_or_default();
                super::log(
                    request.log.as_deref(),
                    &stop_record(backend, &run, &text),
                    &mut std::io::stderr(),
                )?;
                return Ok((Exit::Failed, run));
            }
            // The command line never holds a wave back.
            Step::Paused { .. } => return Ok((Exit::Unknown, run)),
        }
    }
}

/// Approves `ids` by exact plan, sending only what is still unapproved
/// (another operator may have approved or canceled one since it was read).
async fn release(backend: &dyn Backend, ids: &[u64]) -> Result<ActionReport, BackendError> {
    let rows = ids
        .iter()
        .map(|&id| PickedRow::new(id, Some(false)))
        .collect();
    let scope = Scope::picked("", rows, Vec::new());
    let plan = action_plan::plan(backend, ActionKind::Approve, &scope).await?;
    Ok(action_plan::carry_out(backend, &plan, true).await)
}

/// A wave's entry in the action log.
fn record(backend: &dyn Backend, run: &Run, wave: usize, report: &ActionReport) -> ActionRecord {
    let picked = format!(
        "rollout wave {}/{} ({}) of {}",
        wave + 1,
        run.waves.len(),
        run.waves[wave],
        run.query
    );
    ActionRecord::new(report, Utc::now(), &backend.info().label, &picked, true)
        .on_servers(&backend.info().servers)
}

/// A stop's entry in the action log: nothing sent, the reason said.
fn stop_record(backend: &dyn Backend, run: &Run, text: &str) -> ActionRecord {
    ActionRecord::notice(
        Utc::now(),
        ("rollout", &backend.info().label),
        format!("rollout of {}", run.query),
        text.to_owned(),
        Vec::new(),
    )
}

/// What a dry run prints: each wave, where it reaches, how many it would
/// approve and the first of them.
pub fn write_preview(run: &Run, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    const FIRST: usize = 5;
    let waves = run.preview();
    if format == Format::Json {
        let waves: Vec<_> = waves
            .iter()
            .enumerate()
            .map(|(k, (share, target, ids))| {
                json!({"wave": k + 1, "share": share.to_string(), "reaches": target,
                       "approves": ids.len(), "first_ids": &ids[..ids.len().min(FIRST)]})
            })
            .collect();
        let answer = json!({"dry_run": true, "query": run.query, "total": run.total(),
            "released": run.released(), "waves": waves});
        return writeln!(out, "{answer}");
    }
    writeln!(
        out,
        "dry run: {} of {} already released (nothing changed)",
        run.released(),
        run.total()
    )?;
    for (k, (share, target, ids)) in waves.iter().enumerate() {
        let first: Vec<String> = ids.iter().take(FIRST).map(u64::to_string).collect();
        let more = if ids.len() > FIRST { " …" } else { "" };
        writeln!(
            out,
            "wave {:<3} {:>5}  reaches {:<7} approves {:<7} {}{more}",
            k + 1,
            share.to_string(),
            target,
            ids.len(),
            first.join(" ")
        )?;
    }
    Ok(())
}

/// The summary printed at the end: one line (or object) per wave.
pub fn write_summary(
    run: &Run,
    exit: Exit,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let outcome = match exit {
        Exit::Done => "done",
        Exit::Failed => "stopped by the gate",
        Exit::TimedOut => "timed out",
        _ => "stopped",
    };
    let tallies = run.by_wave();
    if format == Format::Json {
        let waves: Vec<_> = tallies
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let n = |s| t.get(&s).copied().unwrap_or(0u64);
                let facts = &run.facts[k];
                json!({"wave": k + 1, "share": run.waves[k].to_string(), "reaches": run.targets[k],
                    "released": t.values().sum::<u64>(), "succeeded": n(Stand::Succeeded),
                    "failed": n(Stand::Failed), "canceled": n(Stand::Canceled), "running": n(Stand::Running),
                    "started": facts.started, "settled": facts.settled,
                    "gate": facts.gate.map(|(f, held)| json!({"failed": f.failed, "final": f.final_, "held": held}))})
            })
            .collect();
        let answer = json!({"query": run.query, "outcome": outcome, "total": run.total(),
            "released": run.released(), "unapproved": run.total() - run.released(),
            "gate": run.gate.map(|g| g.to_string()), "soak_seconds": run.soak_seconds, "waves": waves});
        return writeln!(out, "{answer:#}");
    }
    writeln!(
        out,
        "wave  share  reaches  released  succeeded  failed  canceled  running  started   final at  gate"
    )?;
    let at = |t: Option<DateTime<Utc>>| {
        t.map_or("-".to_owned(), |t| {
            t.with_timezone(&chrono::Local)
                .format("%H:%M:%S")
                .to_string()
        })
    };
    for (k, t) in tallies.iter().enumerate() {
        let n = |s| t.get(&s).copied().unwrap_or(0u64);
        let gate = match run.facts[k].gate {
            Some((f, true)) => format!("held ({} of {} failed)", f.failed, f.final_),
            Some((f, false)) => format!("CROSSED ({} of {} failed)", f.failed, f.final_),
            None => "-".into(),
        };
        writeln!(
            out,
            "{:<5} {:>5}  {:>7}  {:>8}  {:>9}  {:>6}  {:>8}  {:>7}  {:<8}  {:<8}  {gate}",
            k + 1,
            run.waves[k].to_string(),
            run.targets[k],
            t.values().sum::<u64>(),
            n(Stand::Succeeded),
            n(Stand::Failed),
            n(Stand::Canceled),
            n(Stand::Running),
            at(run.facts[k].started),
            at(run.facts[k].settled),
        )?;
    }
    writeln!(
        out,
        "({outcome}: {} of {} released, {} left unapproved; query {})",
        run.released(),
        run.total(),
        run.total() - run.released(),
        printable(&run.query)
    )
}

/// Why a rollout cannot start: its query selects nothing.
fn nothing_selected(query: &str) -> ScriptError {
    BackendError::Unsupported(format!(
        "{} selects no activity: nothing to roll out",
        printable(query)
    ))
    .into()
}
