//! Rollouts from the dashboard: `:rollout` reads what the picked rows
//! select, each refresh moves every rollout of this server one step (the
//! same decisions as `landscape-tui rollout`), each wave's approval is the
//! ordinary confirmation (or, `--auto`, goes ahead as a guard's stop
//! does), and each wave's end and a stop are told three ways: the status
//! line, a terminal notification and the action log.

use super::editor::run_query;
use crate::backend::BackendError;
use crate::backend::action_plan::ActionRecord;
use crate::model::rollout::run::Run;
use crate::model::rollout::run::{Stand, Step};
use crate::model::scope::{IDS_PER_QUERY, PickedRow, Scope, ids_chain};
use crate::model::{ActionKind, Activity};
use crate::tui::app::{App, Confirm, Dialog, Level, Pane};
use crate::tui::dialogs::Outcome;
use crate::tui::event::{Call, Command, Effect};
use crate::tui::keys::KeyAction;
use crate::tui::rollouts::{RolloutSpec, Tracked};

/// `:rollout LIST …`: what it releases is what an action would act on:
/// every match after `*`, else the marked rows, else the selected row
/// (a group standing for its children).
pub(super) fn start(app: &mut App, spec: RolloutSpec, out: &mut Vec<Command>) {
    if app.acting.read_only {
        app.say(
            Level::Warning,
            "read-only: a rollout could not approve anything",
        );
        return;
    }
    let (query, label) = if let Some(all) = &app.marks.all {
        let q = all.query.trim().to_owned();
        let label = format!("every match of \"{q}\"");
        (q, label)
    } else if !app.marks.ids.is_empty() {
        if app.marks.ids.len() > IDS_PER_QUERY {
            app.say(
                Level::Warning,
                format!("a rollout takes at most {IDS_PER_QUERY} marked; * rolls out every match"),
            );
            return;
        }
        let n = app.marks.ids.len();
        (
            ids_chain(app.marks.ids.iter().copied()),
            format!("{n} marked"),
        )
    } else if let Some(row) = app.list.selected_row() {
        (
            format!("id:{}", row.id),
            format!("{} {}", app.id_text(row.id), row.summary),
        )
    } else {
        app.say(
            Level::Info,
            "nothing to roll out: select or mark activities (or * for every match)",
        );
        return;
    };
    app.say(Level::Info, "reading what the rollout releases …");
    out.push(Command::Call(Call::ReadRolloutSet { query, label, spec }));
}

/// The set came: the rollout starts (a set already partly released goes
/// on from the first wave not reached, as the command line does).
pub(super) fn set_read(
    app: &mut App,
    (query, label, spec): (String, String, RolloutSpec),
    result: Result<Vec<Activity>, String>,
    out: &mut Vec<Command>,
) {
    let set = match result {
        Ok(set) if set.is_empty() => {
            app.say(Level::Info, format!("{label}: selects nothing to roll out"));
            return;
        }
        Ok(set) => set,
        Err(e) => {
            app.say(Level::Error, format!("not rolled out: {e}"));
            return;
        }
    };
    let run = Run::new(&query, spec.waves, spec.gate, spec.soak_seconds, &set);
    let waves: Vec<String> = run.waves.iter().map(ToString::to_string).collect();
    let gate = run.gate.map(|g| format!(", gate {g}")).unwrap_or_default();
    let text = format!(
        "{} activities of {label} in waves {}{gate}",
        run.total(),
        waves.join(",")
    );
    let by_status = crate::query::split_work(&query).names_status();
    let server = app.backend.label.clone();
    let number = app
        .rollouts
        .add(label, &server, app.clock.now, run, spec.auto);
    match by_status {
        true => app.say(
            Level::Warning,
            format!(
                "rollout {number}: {text}; {}",
                crate::model::rollout::STATUS_TERM
            ),
        ),
        false => app.say(
            Level::Info,
            format!("rollout {number}: {text} (:rollouts shows it)"),
        ),
    }
    save(app, out);
    advance(app, out);
}

/// Moves each rollout of this server one step: reads what runs, asks
/// for the next wave, tells a wave's end, a stop and the end.
pub(super) fn advance(app: &mut App, out: &mut Vec<Command>) {
    let server = app.backend.label.clone();
    for number in app.rollouts.active(&server) {
        if !app.rollouts.busy.contains(&number) {
            advance_one(app, number, out);
        }
    }
}

/// No dialog up and no action under way: a wave can be asked for.
fn free(app: &App) -> bool {
    app.dialog.is_none() && app.acting.picked.is_none() && app.acting.auto_action.is_none()
}

fn advance_one(app: &mut App, number: u64, out: &mut Vec<Command>) {
    // The wall clock, as the command line soaks: a demo server's own
    // clock may run faster.
    let now = app.clock.now;
    let free = free(app);
    let Some(t) = app.rollouts.get_mut(number) else {
        return;
    };
    if let Some(ids) = &t.asked {
        // The wave's confirmation was answered (or its action is done):
        // read the wave back to know which.
        if free {
            let ids = ids.clone();
            look(app, number, ids, out);
        }
        return;
    }
    let step = t.run.step(now);
    let told: Vec<String> = gate_readings(t);
    if !told.is_empty() {
        for text in told {
            tell(app, number, Level::Info, text, out);
        }
        // Told once: a restart does not tell it again.
        save(app, out);
    }
    let Some(t) = app.rollouts.get_mut(number) else {
        return;
    };
    let of = t.run.waves.len();
    match step {
        Step::Look(ids) => {
            let (final_, released) = (t.run.count(Stand::is_final), t.run.released());
            t.phase = format!(
                "{final_} of {released} released final; waiting for {} (Enter shows them)",
                ids.len()
            );
            look(app, number, ids, out);
        }
        Step::Soak { until } => {
            t.phase = format!(
                "soaking until {}",
                until.with_timezone(&app.clock.offset).format("%H:%M:%S")
            );
        }
        Step::Paused { wave } => t.phase = format!("paused before wave {}/{of}", wave + 1),
        Step::Release { wave, ids } if !free => {
            t.phase = format!(
                "wave {}/{of} waits for the open dialog ({} to approve)",
                wave + 1,
                ids.len()
            );
        }
        Step::Release { wave, ids } => ask(app, number, wave, ids, out),
        Step::Done => {
            let text = format!(
                "done: {} of {} released in {of} waves; {} failed",
                t.run.released(),
                t.run.total(),
                t.run.count(|s| s == Stand::Failed)
            );
            t.phase = text.clone();
            t.ended = Some(text.clone());
            let level = if t.run.count(|s| s == Stand::Failed) == 0 {
                Level::Success
            } else {
                Level::Warning
            };
            tell(app, number, level, text, out);
            save(app, out);
        }
        Step::Stopped { wave, figure } => {
            let text = t.run.crossed(wave, figure);
            t.phase = text.clone();
            if t.run.released() == t.run.total() {
                t.ended = Some(text.clone());
            }
            if !std::mem::replace(&mut t.stop_told, true) {
                tell(app, number, Level::Warning, text, out);
                save(app, out);
            }
        }
    }
}

/// The gate's readings not yet told, one line each.
fn gate_readings(t: &mut Tracked) -> Vec<String> {
    let of = t.run.waves.len();
    let read: Vec<(usize, _)> = t
        .run
        .facts
        .iter()
        .enumerate()
        .filter_map(|(k, f)| f.gate.map(|g| (k, g)))
        .collect();
    let new: Vec<String> = read
        .iter()
        .skip(t.told)
        .filter(|(_, (_, held))| *held)
        .map(|(k, (f, _))| {
            let gate = t
                .run
                .gate
                .map(|g| format!("; gate {g} held"))
                .unwrap_or_default();
            format!(
                "wave {}/{of} final: {} failed of {}{gate}",
                k + 1,
                f.failed,
                f.final_
            )
        })
        .collect();
    t.told = read.len();
    new
}

/// Puts wave `wave` to the operator (or, `--auto`, sends it).
fn ask(app: &mut App, number: u64, wave: usize, ids: Vec<u64>, out: &mut Vec<Command>) {
    let Some(t) = app.rollouts.get_mut(number) else {
        return;
    };
    let of = t.run.waves.len();
    let picked = format!(
        "rollout {number} wave {}/{of} ({}) of {}",
        wave + 1,
        t.run.waves[wave],
        t.label
    );
    t.phase = format!("wave {}/{of}: approving {}", wave + 1, ids.len());
    let rows = ids
        .iter()
        .map(|&id| PickedRow::new(id, Some(false)))
        .collect();
    let scope = Scope::picked("", rows, Vec::new());
    let auto = t.auto && !std::mem::take(&mut t.ask_next);
    t.asked = Some(ids);
    if auto {
        app.acting.auto_action = Some((ActionKind::Approve, scope.clone(), picked));
    } else {
        app.dialog = Some(Dialog::Confirm(Box::new(Confirm {
            kind: ActionKind::Approve,
            scope: scope.clone(),
            picked,
            plan: None,
            hidden_marked: 0,
            partial: None,
            from_marks: false,
            choice: None,
        })));
    }
    save(app, out);
    out.push(Command::Call(Call::Plan {
        kind: ActionKind::Approve,
        scope,
        other: false,
    }));
}

fn look(app: &mut App, number: u64, ids: Vec<u64>, out: &mut Vec<Command>) {
    app.rollouts.busy.insert(number);
    out.push(Command::Call(Call::LookRollout { number, ids }));
}

/// A rollout's activities came back: a wave asked for and still
/// unapproved was declined (or failed to go): the rollout pauses.
pub(super) fn looked(
    app: &mut App,
    number: u64,
    result: Result<Vec<Activity>, BackendError>,
    out: &mut Vec<Command>,
) {
    app.rollouts.busy.remove(&number);
    // A failed read is asked again at the next refresh.
    let Ok(list) = result else {
        return;
    };
    let Some(t) = app.rollouts.get_mut(number) else {
        return;
    };
    let mut changed = t.run.read(&list);
    if let Some(asked) = t.asked.take() {
        changed = true;
        let still = list
            .iter()
            .filter(|a| asked.contains(&a.id) && Stand::of(a.status()) == Stand::Unapproved)
            .count();
        if still == asked.len() {
            t.run.paused = true;
            let key = app
                .prefs
                .keymap
                .first(crate::tui::keys::Context::Popup, KeyAction::TogglePause);
            let text = format!("the wave was not approved: paused (:rollouts, {key} goes on)");
            tell(app, number, Level::Warning, text, out);
        }
    }
    if changed {
        save(app, out);
    }
    // Everything released is final: the gate and the next wave need not
    // wait for the next refresh. (Else the next refresh looks again.)
    if app
        .rollouts
        .get_mut(number)
        .is_some_and(|t| t.run.running().is_empty())
    {
        advance_one(app, number, out);
    }
}

/// Says `text` of rollout `number` in the status line (for a while), the
/// terminal and the action log.
fn tell(app: &mut App, number: u64, level: Level, text: String, out: &mut Vec<Command>) {
    let Some(t) = app.rollouts.list.iter().find(|t| t.number == number) else {
        return;
    };
    // Short enough for the status line at 80 columns; the log says what.
    let record = ActionRecord::notice(
        app.clock.now,
        ("rollout", &app.backend.label),
        format!("rollout {number} of {} ({})", t.label, t.run.query),
        format!("rollout {number}: {text}"),
        Vec::new(),
    );
    super::tell(app, level, record, out);
}

fn save(app: &App, out: &mut Vec<Command>) {
    out.push(Command::Effect(Effect::SaveRollouts(
        app.rollouts.list.clone(),
    )));
}

/// `:rollouts`: every rollout with its waves.
pub(super) fn open(app: &mut App) {
    if app.rollouts.list.is_empty() {
        app.say(
            Level::Info,
            "no rollout: :rollout 10%,50%,100% releases the selected group in waves",
        );
    } else {
        app.dialog = Some(Dialog::Rollouts(crate::tui::dialogs::Rollouts {
            selected: 0,
        }));
    }
}

/// A key of `:rollouts`, carried out: pause or resume, go on past a
/// crossed gate (its next wave asks, whatever `--auto` said), stop (what
/// is not released stays unapproved), or show its activities.
pub(super) fn on_outcome(
    app: &mut App,
    popup: crate::tui::dialogs::Rollouts,
    outcome: Outcome,
    out: &mut Vec<Command>,
) {
    let selected = popup.selected;
    // Newest first, as the popup lists them.
    let Some(number) = app
        .rollouts
        .list
        .iter()
        .rev()
        .nth(selected)
        .map(|t| t.number)
    else {
        return;
    };
    let reopen = |app: &mut App| {
        app.dialog = Some(Dialog::Rollouts(crate::tui::dialogs::Rollouts {
            selected: selected.min(app.rollouts.list.len().saturating_sub(1)),
        }));
    };
    match outcome {
        Outcome::Go => {
            if let Some(t) = app.rollouts.get_mut(number) {
                // What it waits for, when it waits (a computer gone quiet
                // holds a wave: the detail says why); else its set.
                let running = t.run.running();
                let query = match running.is_empty() {
                    true => t.run.query.clone(),
                    false => ids_chain(running.into_iter().take(IDS_PER_QUERY)),
                };
                run_query(app, query, out);
                app.screen.focus = Pane::List;
            }
        }
        Outcome::Toggle => {
            if let Some(t) = app.rollouts.get_mut(number).filter(|t| t.is_active()) {
                t.run.paused = !t.run.paused;
                let text = if t.run.paused {
                    "paused: no further wave is released"
                } else {
                    "resumed"
                };
                app.say(Level::Info, format!("rollout {number}: {text}"));
                save(app, out);
            }
            reopen(app);
            advance(app, out);
        }
        Outcome::Proceed => {
            if let Some(t) = app.rollouts.get_mut(number).filter(|t| t.is_active()) {
                t.run.paused = false;
                t.run.go_on();
                t.ask_next = true;
                t.stop_told = false;
                app.say(
                    Level::Info,
                    format!("rollout {number}: going on: the next wave asks first"),
                );
                save(app, out);
            }
            advance(app, out);
        }
        Outcome::Remove => {
            let Some(t) = app.rollouts.get_mut(number) else {
                return;
            };
            if t.is_active() {
                let left = t.run.total() - t.run.released();
                let text = format!("stopped by the operator: {left} left unapproved");
                t.phase = text.clone();
                t.ended = Some(text.clone());
                t.asked = None;
                tell(app, number, Level::Warning, text, out);
            } else {
                app.rollouts.remove(number);
            }
            save(app, out);
            if !app.rollouts.list.is_empty() {
                reopen(app);
            }
        }
        _ => {}
    }
}
