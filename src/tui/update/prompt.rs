//! The line at the bottom: `/` finds in the detail, `:` runs a command.

use ratatui::crossterm::event::KeyEvent;

use super::detail::find;
use super::dialogs::open_action_log;
use super::editor::apply_view;
use super::list::set_sort;
use super::profiles::switch_profile;
use crate::tui::app::{App, Dialog, Level, PromptKind};
use crate::tui::command_line::{self, CommandLine};
use crate::tui::event::{Call, Command, Effect};
use crate::tui::keys::KeyAction;

pub(super) fn on_prompt_key(
    app: &mut App,
    key: KeyEvent,
    action: Option<KeyAction>,
    out: &mut Vec<Command>,
) {
    let Some(kind) = app.prompt.kind else {
        return;
    };
    let command = kind == PromptKind::Command;
    let completing = command && !app.prompt.line.completions.is_empty();
    match action {
        Some(KeyAction::RunQuery) => {
            let text = app.prompt.line.text().trim().to_owned();
            app.prompt.kind = None;
            app.prompt.line.completions.clear();
            match kind {
                PromptKind::Search => {
                    app.detail.search = text;
                    app.detail.search_at = None;
                    find(app, true, true);
                }
                PromptKind::Command => {
                    if !text.is_empty() {
                        app.prompt.line.remember(&text);
                    }
                    run_command(app, &text, out);
                }
            }
        }
        Some(KeyAction::LeaveEditor) => {
            app.prompt.kind = None;
            app.prompt.line.completions.clear();
        }
        Some(KeyAction::Complete) if command => {
            if let Some(line) = app
                .prompt
                .line
                .completions
                .get(app.prompt.line.completion)
                .cloned()
            {
                app.prompt.line.set(line);
            }
            complete_command(app);
            if app.prompt.line.completions.is_empty() && app.prompt.line.text().is_empty() {
                // Tab on an empty line: every command.
                app.prompt.line.completions = command_line::complete("", &Default::default());
            }
        }
        Some(KeyAction::HistoryBack | KeyAction::HistoryForward) if completing => {
            let n = app.prompt.line.completions.len();
            app.prompt
                .line
                .cycle_completion(n, action == Some(KeyAction::HistoryForward));
        }
        Some(KeyAction::HistoryBack | KeyAction::HistoryForward) if command => {
            if app
                .prompt
                .line
                .history_step(action == Some(KeyAction::HistoryBack))
            {
                app.prompt.line.completions.clear();
            }
        }
        _ => {
            app.prompt.line.type_key(key);
            match kind {
                // As you type: the next match from where the view is.
                PromptKind::Search => {
                    app.detail.search = app.prompt.line.text().to_owned();
                    app.detail.search_at = None;
                    if !app.detail.search.is_empty() {
                        find(app, true, true);
                    }
                }
                PromptKind::Command => complete_command(app),
            }
        }
    }
}

/// The completions of the command line as typed.
pub(super) fn complete_command(app: &mut App) {
    let words = command_line::Vocabulary {
        profiles: &app.prefs.profiles,
        views: app
            .prefs
            .looks
            .views
            .iter()
            .map(|v| v.name.as_str())
            .collect(),
    };
    // Nothing typed yet: ↑ is history, not a list of every command.
    app.prompt.line.completions = if app.prompt.line.text().is_empty() {
        Vec::new()
    } else {
        command_line::complete(app.prompt.line.text(), &words)
    };
    app.prompt.line.completion = 0;
}

pub(super) fn run_command(app: &mut App, text: &str, out: &mut Vec<Command>) {
    let command = match command_line::parse(text) {
        Ok(c) => c,
        Err(e) => {
            app.say(Level::Error, format!(":{text}: {e}"));
            return;
        }
    };
    match command {
        CommandLine::Quit => {
            app.screen.quit = true;
            out.push(Command::Effect(Effect::Quit));
        }
        CommandLine::Log => open_action_log(app, out),
        CommandLine::Messages => super::dialogs::open_messages(app),
        CommandLine::Clusters => super::clusters::open_clusters(app, out),
        CommandLine::Columns(columns) => set_columns(app, columns, out),
        CommandLine::Health => super::health::toggle(app, out),
        CommandLine::Watch => super::watches::watch(app, None, out),
        CommandLine::Watches => super::watches::open(app),
        CommandLine::Operations => {
            app.dialog = Some(crate::tui::app::Dialog::Operations(Default::default()));
        }
        CommandLine::Rollouts => super::rollouts::open(app),
        CommandLine::Rollout(spec) => super::rollouts::start(app, spec, out),
        CommandLine::Stop => {
            app.say(
                Level::Info,
                "stopping the commands running in the background",
            );
            out.push(Command::Effect(Effect::StopCommands));
        }
        CommandLine::Guard { threshold, auto } => super::watches::guard(app, threshold, auto, out),
        CommandLine::Gauges => toggle_gauges(app),
        CommandLine::Computer => super::navigation::jump_to_computer(app, out),
        CommandLine::Back => {
            if app.query.came_from.is_empty() {
                app.say(Level::Info, "nothing to go back to: no jump was made");
            } else {
                super::navigation::back(app, out);
            }
        }
        CommandLine::Sort(sort) => set_sort(app, sort, out),
        CommandLine::Theme(name) => set_theme(app, name),
        CommandLine::View(name) => view_named(app, &name, out),
        CommandLine::Export { path, format } => {
            app.say(
                Level::Info,
                format!("exporting what the query matches to {} …", path.display()),
            );
            out.push(Command::Call(Call::Export {
                query: app.query.applied.clone(),
                path,
                format,
            }));
        }
        CommandLine::Profile(name) => profile(app, name, out),
    }
}

/// `:columns`: says the columns; with names, shows those.
fn set_columns(
    app: &mut App,
    columns: Option<Vec<crate::tui::list_columns::ListColumn>>,
    out: &mut Vec<Command>,
) {
    let Some(columns) = columns else {
        let now: Vec<&str> = app.prefs.columns.iter().map(|c| c.name()).collect();
        app.say(
            Level::Info,
            format!(
                "columns: {} (choose from {}; :columns default restores)",
                now.join(" "),
                crate::tui::list_columns::ListColumn::names()
            ),
        );
        return;
    };
    let names: Vec<&str> = columns.iter().map(|c| c.name()).collect();
    app.say(Level::Info, format!("columns: {}", names.join(" ")));
    app.prefs.columns = columns;
    // A computer column names computers: ask for the rows' titles.
    out.extend(super::list::fetch_titles(app, false));
}

/// `:gauges`: hides or shows the gauges panel.
fn toggle_gauges(app: &mut App) {
    app.prefs.gauges_hidden = !app.prefs.gauges_hidden;
    let now = if app.prefs.gauges_hidden {
        "hidden"
    } else {
        "shown"
    };
    app.say(Level::Info, format!("gauges {now} (:gauges again toggles)"));
}

/// `:theme NAME`.
fn set_theme(app: &mut App, name: String) {
    match app.prefs.looks.theme(&name) {
        Some(theme) => {
            app.prefs.theme = theme;
            app.say(Level::Info, format!("theme {name}"));
            app.prefs.looks.theme_name = name;
        }
        None => app.say(Level::Error, format!("no theme {name:?}")),
    }
}

/// `:view NAME`: the saved view of that name, else the first whose name
/// starts so.
fn view_named(app: &mut App, name: &str, out: &mut Vec<Command>) {
    let lower = name.to_lowercase();
    let views = &app.prefs.looks.views;
    let found = views
        .iter()
        .position(|v| v.name.to_lowercase() == lower)
        .or_else(|| {
            views
                .iter()
                .position(|v| v.name.to_lowercase().starts_with(&lower))
        });
    match found {
        Some(i) => apply_view(app, i, out),
        None => {
            let names: Vec<&str> = views.iter().map(|v| v.name.as_str()).collect();
            let text = format!("no view {name:?}; views: {}", names.join(", "));
            app.say(Level::Error, text);
        }
    }
}

/// `:profile NAME`: switches, after a confirmation when marks would be
/// dropped.
fn profile(app: &mut App, name: String, out: &mut Vec<Command>) {
    if !app.prefs.profiles.contains(&name) {
        let known = if app.prefs.profiles.is_empty() {
            "the config defines no profiles".to_owned()
        } else {
            format!("profiles: {}", app.prefs.profiles.join(", "))
        };
        app.say(Level::Error, format!("no profile {name:?}; {known}"));
        return;
    }
    let marks = if app.marks.all.is_some() {
        app.list.activity_count as usize
    } else {
        app.marks.ids.len()
    };
    if marks > 0 {
        app.dialog = Some(Dialog::SwitchProfile(crate::tui::dialogs::SwitchProfile {
            name,
            marks,
        }));
    } else {
        switch_profile(app, name, out);
    }
}
