//! An action from its key to its report: the confirmation asks for a plan,
//! shows it when it comes, and what the backend did is said and flashed.

use super::list::refresh_reading;
use crate::backend::BackendError;
use crate::backend::action_plan::{ActionPlan, ActionRecord, ActionReport};
use crate::model::ActionKind;
use crate::model::scope::{PickedRow, Scope};
use crate::tui::app::{App, Choice, Confirm, Dialog, Level, Pane, RefusedWhen};
use crate::tui::event::{Call, Command};
use crate::tui::keys::KeyAction;

/// The plan a confirmation waits for, if it is still the one shown.
pub(super) fn plan_loaded(
    app: &mut App,
    kind: ActionKind,
    scope: &Scope,
    result: Result<ActionPlan, BackendError>,
    out: &mut Vec<Command>,
) {
    if let Some((_, _, picked)) = app
        .acting
        .auto_action
        .as_ref()
        .filter(|(k, s, _)| *k == kind && s == scope)
    {
        // Armed --auto (a guard's stop, a rollout's wave): it goes ahead
        // as planned.
        let picked = picked.clone();
        app.acting.auto_action = None;
        match result {
            Ok(plan) if plan.changes() == 0 => {
                app.say(
                    Level::Info,
                    format!("{picked}: nothing left to {}", kind.verb()),
                );
            }
            Ok(plan) => {
                app.acting.picked = Some((picked, true));
                out.push(Command::Call(Call::CarryOut {
                    plan: Box::new(plan),
                    only_changeable: true,
                }));
            }
            Err(e) => app.say(Level::Error, format!("{picked}: not {}: {e}", kind.past())),
        }
        return;
    }
    let Some(Dialog::Confirm(c)) = &mut app.dialog else {
        return;
    };
    if c.kind != kind {
        return;
    }
    if let Some(choice) = c.choice.as_mut().filter(|ch| ch.other == *scope) {
        choice.plan = result.ok();
        return;
    }
    if c.scope != *scope {
        return;
    }
    if let Ok(plan) = &result {
        out.extend(titles_of(app, plan));
    }
    let Some(Dialog::Confirm(c)) = &mut app.dialog else {
        return;
    };
    match result {
        Ok(plan) => {
            if !plan.refusals.is_empty() {
                let unlisted = (plan.refused() as usize).saturating_sub(plan.refusals.len());
                app.acting.last_refusals =
                    Some((kind, plan.refusals.clone(), unlisted, RefusedWhen::WouldBe));
            }
            c.plan = Some(plan);
        }
        Err(e) => {
            app.dialog = None;
            app.say(Level::Error, format!("{} dry run failed: {e}", kind.verb()));
        }
    }
}

/// How many past queries are kept.
/// Ticks a changed row stays highlighted.
pub(super) const FLASH_TICKS: u8 = 3;

pub(super) fn start_action(app: &mut App, kind: ActionKind, out: &mut Vec<Command>) {
    if app.acting.read_only {
        app.say(Level::Warning, "read-only: actions are disabled");
        return;
    }
    if let Some((query, at)) = app.rows_of_another_query() {
        // The query on screen is not what the rows answer: nothing the
        // operator sees belongs to it yet.
        let text = format!(
            "not sent: these are rows of {} from {}; {} has not answered yet",
            crate::printable::query_named(query),
            at.with_timezone(&app.clock.offset).format("%H:%M"),
            crate::printable::query_named(&app.query.applied),
        );
        app.say(Level::Error, text);
        return;
    }
    if let Some(o) = &app.status.outage {
        // Refused here, before anything is sent: the operator would only
        // learn the same after a timeout, unsure whether it happened.
        let text = format!(
            "not sent: {} since {}; {} retries",
            o.what,
            o.since.with_timezone(&app.clock.offset).format("%H:%M:%S"),
            app.pane_key(KeyAction::Refresh)
        );
        app.say(Level::Error, text);
        return;
    }
    let Some((scope, picked)) = app.action_scope() else {
        app.say(
            Level::Info,
            format!("nothing to {}: select or mark activities", kind.verb()),
        );
        return;
    };
    let partial = match (app.marks.is_empty(), app.screen.focus) {
        (true, Pane::List) => app.list.selected_row().and_then(|row| {
            let n = app.list.partial(row)?;
            let all = row.children_count.copied().unwrap_or(n);
            Some((row.summary.to_string(), n, all))
        }),
        _ => None,
    };
    let shown: std::collections::HashSet<u64> = app
        .list
        .rows
        .iter()
        .chain(app.children.rows.iter())
        .map(|a| a.id)
        .collect();
    let hidden_marked = if app.marks.all.is_some() {
        0
    } else {
        app.marks
            .ids
            .iter()
            .filter(|id| !shown.contains(id))
            .count()
    };
    let choice = whole_group_choice(app, &picked);
    let other = choice.as_ref().map(|c| {
        Command::Call(Call::Plan {
            kind,
            scope: c.other.clone(),
            other: true,
        })
    });
    app.dialog = Some(Dialog::Confirm(Box::new(Confirm {
        kind,
        scope: scope.clone(),
        picked,
        plan: None,
        hidden_marked,
        partial,
        from_marks: !app.marks.is_empty(),
        choice,
    })));
    out.push(Command::Call(Call::Plan {
        kind,
        scope,
        other: false,
    }));
    out.extend(other);
}

/// One group row picked under a query that narrows it (to some
/// children, or to those with a status): the whole group is offered
/// beside it, as `gh run rerun --failed` beside a whole rerun.
fn whole_group_choice(app: &App, picked: &str) -> Option<Choice> {
    if !app.marks.is_empty()
        || app.screen.focus != Pane::List
        || app.query.applied.trim().is_empty()
    {
        return None;
    }
    let row = app.list.selected_row().filter(|r| r.is_parent())?;
    let narrowed =
        app.list.partial(row).is_some() || crate::query::split_work(&app.query.applied).has_work();
    narrowed.then(|| Choice {
        other: Scope::picked("", vec![PickedRow::new(row.id, Some(false))], Vec::new()),
        plan: None,
        picked: format!("{picked}, the whole group"),
        whole: false,
    })
}

/// The computers a plan's listed activities run on whose names are not
/// known yet.
fn titles_of(app: &App, plan: &ActionPlan) -> Option<Command> {
    let mut ids: Vec<u64> = plan
        .sample
        .iter()
        .filter_map(|a| a.computer())
        .filter(|id| !app.fleet.computer_titles.contains_key(id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    (!ids.is_empty()).then_some(Command::Call(Call::FetchTitles { ids, fresh: false }))
}

pub(super) fn action_done(app: &mut App, report: ActionReport, out: &mut Vec<Command>) {
    use crate::backend::action_plan::Outcome;
    let consumed = std::mem::take(&mut app.marks.consuming);
    if consumed && report.complete() {
        app.marks.clear();
    }
    for id in &report.ids {
        app.acting.flash.insert(*id, FLASH_TICKS);
    }
    let level = match &report.outcome {
        _ if report.moved => Level::Warning,
        Outcome::Done => Level::Success,
        Outcome::NothingToDo => Level::Info,
        Outcome::Unknown(_) => Level::Warning,
        Outcome::Refused | Outcome::NotSent(_) | Outcome::Failed(_) => Level::Error,
    };
    let mut text = report.summary();
    let refusals_key = app.pane_key(KeyAction::ShowRefusals);
    if !report.refusals.is_empty() {
        text.push_str(&format!(" ({refusals_key} shows why)"));
        let when = RefusedWhen::Refused {
            changed: report.changed,
        };
        app.acting.last_refusals =
            Some((report.kind, report.refusals.clone(), report.unlisted, when));
        app.dialog = Some(Dialog::Refusals(crate::tui::dialogs::Refusals {
            kind: report.kind,
            refusals: report.refusals.clone(),
            unlisted: report.unlisted,
            when,
        }));
    } else if let Some((kind, _, _, when)) = &mut app.acting.last_refusals
        && *kind == report.kind
        && *when == RefusedWhen::WouldBe
    {
        // The dry run's refusals were left out of what was sent.
        *when = if report.complete() {
            text.push_str(&format!(" ({refusals_key} shows what was left out)"));
            RefusedWhen::LeftOut
        } else {
            RefusedWhen::Refused {
                changed: report.changed,
            }
        };
    }
    app.say(level, text);
    let (picked, only_changeable) = app.acting.picked.take().unwrap_or_default();
    let record = ActionRecord::new(
        &report,
        app.clock.now,
        &app.backend.label,
        &picked,
        only_changeable,
    )
    .on_servers(&app.backend.servers);
    app.acting.log.insert(0, record.clone());
    super::log_action(app, record, out);
    refresh_reading(app, out, true);
}
