//! The confirmation: what an action will do, counted before it is sent.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::{Outcome, capital, close_keys, go_keys};
use crate::backend::action_plan::ActionPlan;
use crate::model::ActionKind;
use crate::model::scope::Scope;
use crate::printable::{activities, printable, thousands};
use crate::tui::app::App;
use crate::tui::keys::KeyAction;

/// What a confirmation says before an action runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub kind: ActionKind,
    /// What the action acts on; the plan counts it and proceeding sends it.
    pub scope: Scope,
    /// What was picked, said for the operator ("2 marked", "row 7").
    pub picked: String,
    /// Filled in by the dry run; `None` while it runs.
    pub plan: Option<ActionPlan>,
    /// Marked activities the current query does not show.
    pub hidden_marked: usize,
    /// The selected row is shown only through some children:
    /// (its summary, matching children, all children).
    pub partial: Option<(String, u64, u64)>,
    /// The marks this action consumes when it succeeds.
    pub from_marks: bool,
    /// A group picked under a query: the other choice (what the query
    /// brings of it, or the whole group).
    pub choice: Option<Choice>,
}

/// The choice a confirmation on one group offers besides the one shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub other: Scope,
    pub plan: Option<ActionPlan>,
    /// What was picked, said of the other choice.
    pub picked: String,
    /// The dialog shows the whole group now (the other is the query's).
    pub whole: bool,
}

impl Confirm {
    /// Shows the other choice.
    pub fn switch(&mut self) {
        if let Some(choice) = &mut self.choice {
            std::mem::swap(&mut self.scope, &mut choice.other);
            std::mem::swap(&mut self.plan, &mut choice.plan);
            std::mem::swap(&mut self.picked, &mut choice.picked);
            choice.whole = !choice.whole;
        }
    }

    /// Proceeding sends only what can change when Landscape would refuse
    /// the whole (all or nothing).
    pub fn only_changeable(&self) -> bool {
        self.plan.as_ref().is_some_and(ActionPlan::would_be_refused)
    }

    /// `Go`: carry the plan out (only once it is counted); Tab shows the
    /// other choice.
    pub fn on_key(&mut self, action: Option<KeyAction>) -> Outcome {
        match action {
            Some(KeyAction::Close) => Outcome::Closed,
            Some(KeyAction::OtherChoice) => {
                self.switch();
                Outcome::Stay
            }
            Some(KeyAction::Confirm) if self.plan.is_some() => Outcome::Go,
            _ => Outcome::Stay,
        }
    }
}

/// How many summaries a confirmation lists.
const LISTED: usize = 5;

/// The box's title: "Approve activities".
pub fn title(kind: ActionKind) -> String {
    format!("{} activities", capital(kind.verb()))
}

/// What the action will do, counted; what it will refuse and why; the
/// choice Tab offers; the keys.
pub fn lines(app: &App, c: &Confirm) -> Vec<Line<'static>> {
    let verb = c.kind.verb();
    let mut lines = Vec::new();
    let selected = &c.picked;
    let Some(plan) = &c.plan else {
        lines.push(Line::from(format!(
            "{} {selected}: counting what would change…",
            capital(verb),
        )));
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!("{} abort", close_keys(&app.prefs.keymap)),
            app.prefs.theme.dim,
        )));
        return lines;
    };
    let will = plan.changes();
    let refused = plan.refused();
    lines.push(Line::from(vec![
        Span::raw(format!("{} ", capital(verb))),
        Span::styled(activities(will), Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(format!(" (from {selected}):")),
    ]));
    if let Some(line) = servers_line(app, plan) {
        lines.push(line);
    }
    if let Some((summary, n, all)) = &c.partial {
        lines.push(Line::from(Span::styled(
            format!(
                "Only the {n} of {all} children of \"{}\" that match the query; clear the query to act on the whole group.",
                printable(summary)
            ),
            app.prefs.theme.warning,
        )));
    }
    lines.extend(group_lines(app, plan));
    // Offered when it differs: a group whose children all come has one.
    if let Some(choice) = &c.choice
        && choice
            .plan
            .as_ref()
            .is_none_or(|p| p.changes() != plan.changes())
    {
        lines.push(choice_line(app, c, choice));
    }
    for a in plan.sample.iter().take(LISTED) {
        let computer = a.computer().map_or_else(
            || "—".to_owned(),
            |id| {
                app.fleet.computer_titles.get(&id).map_or_else(
                    || format!("computer {}", crate::model::origin::local(id)),
                    |t| printable(t).into_owned(),
                )
            },
        );
        let (symbol, style) = app.prefs.theme.status(a.status());
        let status = a.status().map_or("—", |s| s.as_str());
        lines.push(Line::from(vec![
            Span::raw(format!("  • {} {computer} ", app.id_text(a.id))),
            Span::styled(format!("{symbol} {status}"), style),
            Span::raw(format!("  {}", printable(&a.summary))),
        ]));
    }
    let listed = plan.sample.len().min(LISTED) as u64;
    if will > listed {
        lines.push(Line::from(format!(
            "  … and {} more",
            thousands(will - listed)
        )));
    }
    if refused > 0 {
        lines.extend(refusal_lines(app, plan));
    }
    if c.hidden_marked > 0 {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!(
                "{} marked activit{} not shown by the current query.",
                c.hidden_marked,
                if c.hidden_marked == 1 {
                    "y is"
                } else {
                    "ies are"
                }
            ),
            app.prefs.theme.warning,
        )));
    }
    lines.push(Line::from(""));
    lines.push(confirm_keys(app, verb, will, refused));
    lines.push(gate_line(app, will));
    lines
}

/// What the groups in the plan bring, and how many of each status come.
fn group_lines(app: &App, plan: &ActionPlan) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let plural = |n: u64, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let groups = plan.groups();
    if groups > 0 {
        lines.push(Line::from(Span::styled(
            format!(
                "{} group{} match{} in {} own right and bring{} {} children that can be {}.",
                thousands(groups),
                plural(groups, "", "s"),
                plural(groups, "es", ""),
                plural(groups, "its", "their"),
                plural(groups, "s", ""),
                plural(groups, "its", "their"),
                plan.kind.past(),
            ),
            app.prefs.theme.dim,
        )));
    }
    // Every part of a scope has the same work terms: said once, for all
    // the groups they choose.
    let chosen: u64 = plan
        .parts
        .iter()
        .filter_map(|p| p.work.as_ref())
        .map(|w| w.chosen.len() as u64)
        .sum();
    if let Some(part) = plan.parts.iter().find(|p| p.work.is_some())
        && chosen > 0
    {
        let work = crate::query::split_work(&part.query).work;
        lines.push(Line::from(Span::styled(
            format!(
                "{} group{} bring{} only {} children with \"{}\" (a status or computer is per-computer work).",
                thousands(chosen),
                plural(chosen, "", "s"),
                plural(chosen, "s", ""),
                plural(chosen, "its", "their"),
                printable(&work),
            ),
            app.prefs.theme.dim,
        )));
    }
    // What comes, by status: exact when every one is listed.
    let mut by_status: Vec<(&str, u64)> = Vec::new();
    for a in plan.sample.iter().take(LISTED) {
        let s = a.status().map_or("—", |s| s.as_str());
        match by_status.iter_mut().find(|(k, _)| *k == s) {
            Some((_, n)) => *n += 1,
            None => by_status.push((s, 1)),
        }
    }
    if by_status.len() > 1 || plan.changes() > plan.sample.len() as u64 {
        let tally: Vec<String> = by_status.iter().map(|(s, n)| format!("{n} {s}")).collect();
        let of = if plan.changes() > plan.sample.len().min(LISTED) as u64 {
            format!("the first {} by status", plan.sample.len().min(LISTED))
        } else {
            "By status".to_owned()
        };
        lines.push(Line::from(Span::styled(
            format!("{of}: {}", tally.join(", ")),
            app.prefs.theme.dim,
        )));
    }
    lines
}

/// The two choices of a group picked under a query: what the query
/// brings of it, or the whole group.
fn choice_line(app: &App, c: &Confirm, choice: &crate::tui::app::Choice) -> Line<'static> {
    let count = |p: Option<&ActionPlan>| p.map_or("…".to_owned(), |p| thousands(p.changes()));
    let (mine, whole) = if choice.whole {
        (count(choice.plan.as_ref()), count(c.plan.as_ref()))
    } else {
        (count(c.plan.as_ref()), count(choice.plan.as_ref()))
    };
    let key = app
        .prefs
        .keymap
        .first(crate::tui::keys::Context::Confirm, KeyAction::OtherChoice);
    let (a, b) = if choice.whole {
        ("○", "●")
    } else {
        ("●", "○")
    };
    Line::from(vec![
        Span::raw(format!(
            "{a} the {mine} the query brings   {b} the whole group ({whole})   "
        )),
        Span::styled(format!("{key} switches"), app.prefs.theme.key),
    ])
}

/// Why the confirm key was not taken, or that it is being carried out.
fn gate_line(app: &App, will: u64) -> Line<'static> {
    let key = app
        .prefs
        .keymap
        .first(crate::tui::keys::Context::Confirm, KeyAction::Confirm);
    if app.input.gate.armed.is_some() {
        return Line::from(Span::styled("confirming…", app.prefs.theme.dim));
    }
    if app.input.gate.held {
        return Line::from(Span::styled(
            format!(
                "{key} came too soon after the last key (typing?): wait a moment, then press {key}"
            ),
            app.prefs.theme.warning,
        ));
    }
    if will == 0 {
        return Line::from("");
    }
    Line::from(Span::styled(
        format!("{key} counts after half a second without keys; Enter does not confirm"),
        app.prefs.theme.dim,
    ))
}

/// With several servers, each one's share ("58 on alpha and 58 on
/// beta") and those left out, so no action reaches a server unsaid.
fn servers_line(app: &App, plan: &ActionPlan) -> Option<Line<'static>> {
    if app.backend.servers.is_empty() {
        return None;
    }
    let name = |k: usize| {
        app.backend.servers.get(k).map_or_else(
            || format!("server {k}"),
            |s| printable(&s.name).into_owned(),
        )
    };
    let mut shares: Vec<String> = plan
        .changes_by_server()
        .into_iter()
        .map(|(k, n)| format!("{} on {}", thousands(n), name(k)))
        .collect();
    if shares.is_empty() {
        shares.push("nothing on any server".into());
    }
    let last = shares.pop().unwrap_or_default();
    let mut text = match shares.is_empty() {
        true => format!("  {last}"),
        false => format!("  {} and {last}", shares.join(", ")),
    };
    for s in &plan.skipped {
        text.push_str(&format!(
            "; nothing sent to {} ({})",
            printable(&s.server),
            printable(&s.why)
        ));
    }
    let style = if plan.skipped.is_empty() {
        Style::new().add_modifier(Modifier::BOLD)
    } else {
        app.prefs.theme.warning
    };
    Some(Line::from(Span::styled(text, style)))
}

/// What would be refused: the count, the first few with their reasons.
fn refusal_lines(app: &App, plan: &ActionPlan) -> Vec<Line<'static>> {
    let refused = plan.refused();
    let mut lines = Vec::new();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        format!(
            "{} would be refused, and Landscape refuses all or nothing:",
            thousands(refused)
        ),
        app.prefs.theme.error,
    )));
    for r in plan.refusals.iter().take(LISTED) {
        lines.push(Line::from(Span::styled(
            format!("  {} => {}", app.id_text(r.id), printable(&r.reason)),
            app.prefs.theme.error,
        )));
    }
    let listed = plan.refusals.len().min(LISTED) as u64;
    if refused > listed {
        lines.push(Line::from(format!(
            "  … and {} more",
            thousands(refused - listed)
        )));
    }
    lines
}

/// The confirmation's keys: go ahead (only what can change, when some
/// would be refused) or abort; only close when nothing can change.
fn confirm_keys(app: &App, verb: &str, will: u64, refused: u64) -> Line<'static> {
    if will == 0 {
        Line::from(vec![
            Span::styled("Nothing can change. ", app.prefs.theme.error),
            Span::styled(
                format!("{} close", close_keys(&app.prefs.keymap)),
                app.prefs.theme.key,
            ),
        ])
    } else if refused == 0 {
        Line::from(vec![
            Span::styled(
                format!("{} ", go_keys(&app.prefs.keymap)),
                app.prefs.theme.key,
            ),
            Span::raw(format!("{verb}   ")),
            Span::styled(
                format!("{} ", close_keys(&app.prefs.keymap)),
                app.prefs.theme.key,
            ),
            Span::raw("abort"),
        ])
    } else {
        Line::from(vec![
            Span::styled(
                format!("{} ", go_keys(&app.prefs.keymap)),
                app.prefs.theme.key,
            ),
            Span::raw(format!(
                "{verb} only the {} that can change   ",
                thousands(will)
            )),
            Span::styled(
                format!("{} ", close_keys(&app.prefs.keymap)),
                app.prefs.theme.key,
            ),
            Span::raw("abort"),
        ])
    }
}
