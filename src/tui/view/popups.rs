//! Modal boxes: the confirmation before an action, the refusals after one,
//! help, and the completion list under the query bar.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::backend::action_plan::ActionPlan;
use crate::model::{ActionKind, Refusal};
use crate::printable::{activities, printable, thousands};
use crate::tui::app::{App, Confirm, Dialog, Level, RefusedWhen};
use crate::tui::keys::{Context, HELP_CONTEXTS, HELP_NOTES, KeyAction, keys_text};
use crate::tui::layout::Areas;
use crate::tui::theme::{Theme, popup_row};

/// How many summaries a confirmation lists.
const LISTED: usize = 5;

pub fn draw(frame: &mut Frame, app: &App, areas: &Areas) {
    if app.query.editing
        && let Some(c) = &app.query.editor.completions
        && !c.items.is_empty()
    {
        completion(frame, app, areas.query, c);
    }
    if app.prompt.kind.is_some() && !app.prompt.line.completions.is_empty() {
        command_completions(frame, app, areas.status);
    }
    match &app.dialog {
        Some(Dialog::Confirm(c)) => boxed(
            frame,
            &app.prefs.theme,
            &format!(" {} ", title(c.kind)),
            confirm_lines(app, c),
        ),
        Some(Dialog::Refusals {
            kind,
            refusals,
            unlisted,
            when,
        }) => boxed(
            frame,
            &app.prefs.theme,
            " Refused ",
            refused_lines(app, *kind, refusals, *unlisted, *when),
        ),
        Some(Dialog::SwitchProfile { name, marks }) => boxed(
            frame,
            &app.prefs.theme,
            " Switch profile ",
            switch_profile_lines(app, name, *marks),
        ),
        Some(Dialog::RunCommand { name, argv, mode }) => boxed(
            frame,
            &app.prefs.theme,
            &format!(" Run {} ", printable(name)),
            run_command_lines(app, argv, *mode),
        ),
        Some(Dialog::CopyMenu { selected }) => boxed(
            frame,
            &app.prefs.theme,
            " Copy ",
            copy_menu_lines(app, *selected),
        ),
        Some(Dialog::Clusters) => super::clusters::draw(frame, app),
        Some(Dialog::Watches { selected }) => boxed(
            frame,
            &app.prefs.theme,
            " Watches (newest first) ",
            super::watches::lines(app, *selected),
        ),
        Some(Dialog::ActionLog { selected }) => boxed(
            frame,
            &app.prefs.theme,
            " Action log (newest first) ",
            action_log_lines(app, *selected),
        ),
        Some(Dialog::Messages { scroll }) => {
            let title = scrolled_title(app, "Messages, newest first");
            boxed(frame, &app.prefs.theme, &title, message_lines(app, *scroll));
        }
        Some(Dialog::Help { scroll }) => {
            let lines: Vec<Line> = help_lines(app)
                .into_iter()
                .skip(usize::from(*scroll))
                .collect();
            boxed(frame, &app.prefs.theme, &scrolled_title(app, "Keys"), lines);
        }
        None => {}
    }
}

/// A scrolled box's title with its keys: " Keys (j / k scroll, Esc closes) ".
fn scrolled_title(app: &App, name: &str) -> String {
    let key = |action| app.prefs.keymap.first(Context::Popup, action);
    format!(
        " {name} ({} / {} scroll, {} closes) ",
        key(KeyAction::ScrollDown),
        key(KeyAction::ScrollUp),
        key(KeyAction::Close)
    )
}

/// A yes/no box's last line: the keys that go ahead and those that do not.
fn go_or_stay(app: &App, go: &str, stay: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(go_keys(app), app.prefs.theme.key),
        Span::raw(format!(" {go}   ")),
        Span::styled(close_keys(app), app.prefs.theme.key),
        Span::raw(format!(" {stay}")),
    ])
}

/// `:profile NAME` with marks: what switching drops.
fn switch_profile_lines(app: &App, name: &str, marks: usize) -> Vec<Line<'static>> {
    vec![
        Line::from(format!("Connect to profile {name}?")),
        Line::from(""),
        Line::from(format!(
            "{marks} marked activit{} of {} will be dropped: nothing of this server is kept.",
            if marks == 1 { "y" } else { "ies" },
            app.backend.label
        )),
        Line::from(""),
        go_or_stay(app, "switch", "stay"),
    ]
}

/// One of the operator's `[[commands]]`, about to run: the words it runs.
fn run_command_lines(
    app: &App,
    argv: &[String],
    mode: crate::tui::user_commands::Mode,
) -> Vec<Line<'static>> {
    vec![
        Line::from(match mode {
            crate::tui::user_commands::Mode::Terminal => {
                "Run this, the terminal handed to it until it ends?"
            }
            crate::tui::user_commands::Mode::Background => {
                "Run this in the background (its output goes to the messages)?"
            }
        }),
        Line::from(""),
        Line::from(Span::styled(
            crate::tui::user_commands::shown(argv),
            app.prefs.theme.key,
        )),
        Line::from(""),
        go_or_stay(app, "run", "do not"),
    ]
}

/// The server's events log below the action log: what anyone did there
/// (the web UI, other operators' scripts), newest first.
fn server_event_lines(app: &App) -> Vec<Line<'static>> {
    let heading = |text: String| Line::from(Span::styled(text, app.prefs.theme.key));
    match &app.acting.server_events {
        None => vec![
            Line::from(""),
            Line::from(Span::styled(
                "Reading the server's events log …",
                app.prefs.theme.dim,
            )),
        ],
        Some(Ok(events)) if events.is_empty() => Vec::new(),
        Some(Ok(events)) => {
            let mut lines = vec![
                Line::from(""),
                heading(format!(
                    "The server's events log, last {} days (newest first):",
                    crate::tui::answer::SERVER_EVENTS_DAYS
                )),
            ];
            for e in events.iter().take(8) {
                let when = e
                    .creation_time
                    .with_timezone(&app.clock.offset)
                    .format("%Y-%m-%d %H:%M:%S");
                lines.push(Line::from(vec![
                    Span::styled(format!("{when}  "), app.prefs.theme.dim),
                    Span::raw(format!(
                        "{} · {} {}: {}",
                        printable(&e.person_name),
                        printable(&e.entity_type),
                        printable(&e.entity_name),
                        printable(&e.message)
                    )),
                ]));
            }
            lines
        }
        Some(Err(e)) => vec![
            Line::from(""),
            Line::from(Span::styled(
                format!(
                    "The server's events log could not be read: {}",
                    printable(e)
                ),
                app.prefs.theme.warning,
            )),
        ],
    }
}

/// `y`'s choices, the selected one highlighted, each with what it copies.
fn copy_menu_lines(app: &App, selected: usize) -> Vec<Line<'static>> {
    use crate::tui::app::COPY_CHOICES;
    let a = app.detail_activity();
    let mut lines: Vec<Line> = COPY_CHOICES
        .iter()
        .enumerate()
        .map(|(i, choice)| {
            let what = match (i, a) {
                (_, None) => String::new(),
                (0, Some(a)) => format!("activity {} as JSON", a.id),
                (1, Some(a)) => a.id.to_string(),
                (2, Some(a)) => a.result_text.get().map_or("(none)".to_owned(), |t| {
                    printable(t.lines().next().unwrap_or_default()).into_owned()
                }),
                (_, Some(a)) => crate::tui::user_commands::web_ui_url(
                    &app.backend.label,
                    app.backend.embedded,
                    a.id,
                )
                .unwrap_or_else(|| "(the demo has no web UI)".to_owned()),
            };
            let style = popup_row(Style::new(), i == selected);
            Line::from(vec![
                Span::styled(format!("{choice:<12}"), style),
                Span::styled(format!(" {what}"), app.prefs.theme.dim),
            ])
        })
        .collect();
    let key = |action| app.prefs.keymap.first(Context::Popup, action);
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::styled(key(KeyAction::Open), app.prefs.theme.key),
        Span::raw(" copies   "),
        Span::styled(key(KeyAction::Close), app.prefs.theme.key),
        Span::raw(" closes"),
    ]));
    lines
}

/// Each message whole, with its time, newest first.
fn message_lines(app: &App, scroll: u16) -> Vec<Line<'static>> {
    app.status
        .messages
        .iter()
        .rev()
        .skip(usize::from(scroll))
        .map(|(at, level, text)| {
            let style = match level {
                Level::Error => app.prefs.theme.error,
                Level::Warning => app.prefs.theme.warning,
                Level::Success => app.prefs.theme.success,
                Level::Info => Style::new(),
            };
            Line::from(vec![
                Span::styled(
                    format!(
                        "{} ",
                        at.with_timezone(&app.clock.offset).format("%H:%M:%S")
                    ),
                    app.prefs.theme.dim,
                ),
                Span::styled(printable(text).into_owned(), style),
            ])
        })
        .collect()
}

/// The keys that go ahead in a dialog: `y / Enter`.
fn go_keys(app: &App) -> String {
    app.prefs.keymap.hint(Context::Confirm, KeyAction::Confirm)
}

/// The keys that close a dialog, nothing done: `n / Esc`.
fn close_keys(app: &App) -> String {
    app.prefs.keymap.hint(Context::Confirm, KeyAction::Close)
}

/// What was (or would be) refused, each with its reason, and when.
fn refused_lines(
    app: &App,
    kind: ActionKind,
    refusals: &[Refusal],
    unlisted: usize,
    when: RefusedWhen,
) -> Vec<Line<'static>> {
    let n = refusals.len() + unlisted;
    let (verb, past) = (kind.verb(), kind.past());
    let head = match when {
        RefusedWhen::WouldBe => {
            format!("{n} would be refused by {verb} (the dry run); nothing was sent:")
        }
        RefusedWhen::LeftOut => {
            format!("{n} left out of the {verb}: they cannot be {past}; the rest was {past}:")
        }
        RefusedWhen::Refused { changed: 0 } => {
            format!("{} refused for {n} — nothing changed:", capital(verb))
        }
        RefusedWhen::Refused { changed } => format!(
            "{} refused for {n} after {changed} had been {past}; the rest was not sent:",
            capital(verb)
        ),
    };
    let mut lines = vec![Line::from(head), Line::from("")];
    lines.extend(refusals.iter().map(|r| {
        Line::from(vec![
            Span::styled(format!("{:>10}", r.id), app.prefs.theme.key),
            Span::raw(" => "),
            Span::styled(r.reason.clone(), app.prefs.theme.error),
        ])
    }));
    if unlisted > 0 {
        lines.push(Line::from(format!(
            "{:>10} … and {unlisted} more refused (the server lists the first few hundred)",
            ""
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        format!(
            "{} close · {} reopens this",
            app.prefs.keymap.hint(Context::Popup, KeyAction::Close),
            app.prefs
                .keymap
                .first(Context::Panes, KeyAction::ShowRefusals)
        ),
        app.prefs.theme.dim,
    )));
    lines
}

fn title(kind: ActionKind) -> String {
    format!("{} activities", capital(kind.verb()))
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn confirm_lines(app: &App, c: &Confirm) -> Vec<Line<'static>> {
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
            format!("{} abort", close_keys(app)),
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
                app.fleet
                    .computer_titles
                    .get(&id)
                    .map_or_else(|| format!("computer {id}"), |t| printable(t).into_owned())
            },
        );
        let (symbol, style) = app.prefs.theme.status(a.status());
        let status = a.status().map_or("—", |s| s.as_str());
        lines.push(Line::from(vec![
            Span::raw(format!("  • {} {computer} ", a.id)),
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
            format!("  {} => {}", r.id, printable(&r.reason)),
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
            Span::styled(format!("{} close", close_keys(app)), app.prefs.theme.key),
        ])
    } else if refused == 0 {
        Line::from(vec![
            Span::styled(format!("{} ", go_keys(app)), app.prefs.theme.key),
            Span::raw(format!("{verb}   ")),
            Span::styled(format!("{} ", close_keys(app)), app.prefs.theme.key),
            Span::raw("abort"),
        ])
    } else {
        Line::from(vec![
            Span::styled(format!("{} ", go_keys(app)), app.prefs.theme.key),
            Span::raw(format!(
                "{verb} only the {} that can change   ",
                thousands(will)
            )),
            Span::styled(format!("{} ", close_keys(app)), app.prefs.theme.key),
            Span::raw("abort"),
        ])
    }
}

/// The action log: an entry a line (when, what, on what, how it ended),
/// the selected one opened below with what was sent.
fn action_log_lines(app: &App, selected: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    // Keep the selected entry on screen: show the ten around it.
    let first = selected.saturating_sub(9);
    for (i, r) in app.acting.log.iter().enumerate().skip(first).take(10) {
        let when =
            r.at.with_timezone(&app.clock.offset)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string();
        let style = if r.refused > 0 || r.changed < r.planned {
            app.prefs.theme.warning
        } else {
            Style::new()
        };
        let style = popup_row(style, i == selected);
        lines.push(Line::from(Span::styled(
            format!(
                "{when}  {:<8} {}: {}",
                r.action,
                printable(&r.picked),
                printable(&r.outcome)
            ),
            style,
        )));
    }
    if let Some(r) = app.acting.log.get(selected) {
        lines.push(Line::from(""));
        lines.push(Line::from(format!(
            "On {}: planned {}, changed {}, refused {}{}",
            printable(&r.server),
            thousands(r.planned),
            thousands(r.changed),
            thousands(r.refused),
            if r.only_changeable {
                " (only what could change was sent)"
            } else {
                ""
            }
        )));
        for q in r.sent.iter().take(3) {
            lines.push(Line::from(Span::styled(
                format!("  sent: {}", printable(q)),
                app.prefs.theme.dim,
            )));
        }
        if !r.ids.is_empty() {
            let shown: Vec<String> = r.ids.iter().take(12).map(u64::to_string).collect();
            let more = r.ids.len().saturating_sub(12);
            lines.push(Line::from(format!(
                "  {} ids: {}{}",
                if r.action == "reapply" || r.action == "revert" {
                    "new"
                } else {
                    "answered"
                },
                shown.join(" "),
                if more > 0 {
                    format!(" … and {more} more")
                } else {
                    String::new()
                }
            )));
        }
    }
    if app.acting.log.is_empty() {
        lines.push(Line::from(Span::styled(
            "No action taken here or by a script yet.",
            app.prefs.theme.dim,
        )));
    }
    lines.extend(server_event_lines(app));
    lines.push(Line::from(""));
    let key = |action| app.prefs.keymap.first(Context::Popup, action);
    lines.push(Line::from(Span::styled(
        format!(
            "{} / {} move · {} shows the entry's activities · {} closes",
            key(KeyAction::ScrollDown),
            key(KeyAction::ScrollUp),
            key(KeyAction::Open),
            key(KeyAction::Close)
        ),
        app.prefs.theme.dim,
    )));
    lines
}

/// The help overlay: every binding of the key table, by context, then
/// notes on the query and the columns.
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for context in HELP_CONTEXTS {
        if !lines.is_empty() {
            lines.push(Line::from(""));
        }
        lines.push(Line::from(Span::styled(
            context.title(),
            app.prefs.theme.key.add_modifier(Modifier::UNDERLINED),
        )));
        for (b, keys) in app.prefs.keymap.bindings(context) {
            lines.push(Line::from(vec![
                Span::styled(format!("{:>22}  ", keys_text(keys)), app.prefs.theme.key),
                Span::raw(b.help),
            ]));
        }
        if context == Context::Panes && !app.prefs.looks.views.is_empty() {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                "Views (saved queries, [[views]] in the config)",
                app.prefs.theme.key.add_modifier(Modifier::UNDERLINED),
            )));
            for v in &app.prefs.looks.views {
                let query = if v.query.is_empty() {
                    "(everything)"
                } else {
                    &v.query
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("{:>22}  ", v.key.name()), app.prefs.theme.key),
                    Span::raw(format!("{}: ", v.name)),
                    Span::styled(query.to_owned(), app.prefs.theme.dim),
                ]));
            }
        }
    }
    lines.push(Line::from(""));
    for note in HELP_NOTES {
        lines.push(Line::from(Span::styled(note, app.prefs.theme.dim)));
    }
    lines
}

fn boxed(frame: &mut Frame, theme: &Theme, title: &str, lines: Vec<Line<'_>>) {
    let area = frame.area();
    let width = area.width.saturating_sub(4).min(90);
    // Wrapped lines take more than one row each.
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let height = (rows as u16 + 2).min(area.height.saturating_sub(2)).max(3);
    let [row] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(row);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(title.to_owned())
                .border_style(theme.focused_border),
        ),
        rect,
    );
}

fn completion(frame: &mut Frame, app: &App, query: Rect, c: &crate::query::Completions) {
    let screen = frame.area();
    let shown = c.items.len().min(8) as u16;
    let width = c
        .items
        .iter()
        .map(|i| i.text.chars().count() + i.detail.chars().count() + 4)
        .max()
        .unwrap_or(10) as u16;
    let x = (query.x + 1 + c.replace.start as u16).min(screen.width.saturating_sub(width + 2));
    let rect = Rect::new(
        x,
        query.bottom().min(screen.height.saturating_sub(1)),
        (width + 2).min(screen.width),
        (shown + 2).min(screen.height.saturating_sub(query.bottom())),
    );
    let lines = c.items.iter().map(|item| {
        Line::from(vec![
            Span::raw(item.text.clone()),
            Span::styled(format!("  {}", item.detail), app.prefs.theme.dim),
        ])
    });
    choices(frame, app, rect, lines, app.query.editor.completion);
}

/// A bordered list of choices in `rect`, scrolled so `selected` shows,
/// which is highlighted.
fn choices<'a>(
    frame: &mut Frame,
    app: &App,
    rect: Rect,
    lines: impl Iterator<Item = Line<'a>>,
    selected: usize,
) {
    let shown = usize::from(rect.height.saturating_sub(2)).max(1);
    let start = selected.saturating_sub(shown - 1);
    let lines: Vec<Line> = lines
        .enumerate()
        .skip(start)
        .take(shown)
        .map(|(i, line)| {
            if i == selected {
                line.style(app.prefs.theme.selected)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().border_style(app.prefs.theme.focused_border)),
        rect,
    );
}

/// The command line's completions, over the status line.
fn command_completions(frame: &mut Frame, app: &App, status: Rect) {
    let items = &app.prompt.line.completions;
    let shown = items.len().min(8) as u16;
    let width = items
        .iter()
        .map(|i| i.chars().count() + 2)
        .max()
        .unwrap_or(10) as u16;
    let height = (shown + 2).min(status.y);
    let rect = Rect::new(
        status.x,
        status.y.saturating_sub(height),
        (width + 2).min(status.width),
        height,
    );
    let lines = items.iter().map(|item| Line::from(format!(":{item}")));
    choices(frame, app, rect, lines, app.prompt.line.completion);
}
