//! One line: backend, marks, last refresh, the latest message, and the
//! keys that matter now (dimmed when nothing selected allows them).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::printable::printable;
use crate::tui::app::{App, Level, PromptKind};
use crate::tui::keys::{Binding, Chord, Context, KeyAction};

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    if let Some(kind) = app.prompt.kind {
        return draw_prompt(frame, app, kind, area);
    }
    let mut spans = badges(app, area.width);
    spans.push(freshness(app, area.width));
    let context = if app.query.editing {
        Context::Editor
    } else {
        Context::Panes
    };
    let always = always_keys(app, context);
    if let Some(m) = &app.status.message {
        let style = match m.level {
            Level::Info => Style::new(),
            Level::Success => app.prefs.theme.success,
            Level::Warning => app.prefs.theme.warning,
            Level::Error => app.prefs.theme.error,
        };
        spans.push(Span::raw(" │ "));
        let room = usize::from(area.width).saturating_sub(always.width());
        spans.push(Span::styled(
            message_text(app, &m.text, &spans, room),
            style,
        ));
    }
    spans.push(Span::raw(" │ "));
    let room = usize::from(area.width).saturating_sub(always.width());
    footer_keys(app, context, room, &mut spans);
    let [left, right] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(always.width() as u16),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(always), right);
    frame.render_widget(Paragraph::new(Line::from(spans)), left);
}

/// Where the dashboard is and what holds: the server (by its host when
/// narrow), read-only, unverified TLS, marks, watches.
fn badges(app: &App, width: u16) -> Vec<Span<'static>> {
    // Narrow, a server is named by its host: the room is the message's.
    let label = if width < 120 {
        short_label(&app.backend.label)
    } else {
        &app.backend.label
    };
    let mut spans = vec![Span::styled(
        format!(" {label} "),
        if app.backend.embedded {
            app.prefs.theme.badge_engine
        } else {
            app.prefs.theme.badge_server
        },
    )];
    if app.acting.read_only {
        spans.push(Span::styled(" READ-ONLY ", app.prefs.theme.badge_read_only));
    }
    if app.backend.unverified_tls {
        spans.push(Span::styled(
            " TLS UNVERIFIED ",
            app.prefs.theme.badge_read_only,
        ));
    }
    if let Some(all) = &app.marks.all {
        spans.push(Span::styled(
            format!(
                " all {} matching marked",
                crate::printable::thousands(all.count)
            ),
            app.prefs.theme.marked,
        ));
    } else if !app.marks.ids.is_empty() {
        spans.push(Span::styled(
            format!(" {} marked", app.marks.ids.len()),
            app.prefs.theme.marked,
        ));
    }
    let watching = app.watches.active(&app.backend.label).count();
    if watching > 0 {
        // Narrow, the sign alone: the room is the message's.
        let text = if width < 120 {
            format!(" ◉{watching}")
        } else {
            format!(" ◉ {watching} watched")
        };
        spans.push(Span::styled(text, app.prefs.theme.marked));
    }
    spans
}

/// The outage, or when the rows were last read. Beside a message the
/// outage is short; at 80 columns the message takes its place (the
/// list's title names the outage too).
fn freshness(app: &App, width: u16) -> Span<'static> {
    match (&app.status.outage, app.clock.last_refresh) {
        (Some(_), _) if app.status.message.is_some() && width < 120 => Span::raw(""),
        (Some(o), _) => Span::styled(
            outage_line(app, o, app.status.message.is_some()),
            app.prefs.theme.error,
        ),
        (None, Some(t)) => Span::styled(
            format!(
                " ⟳ {}{}",
                t.with_timezone(&app.clock.offset).format("%H:%M:%S"),
                if app.clock.paused { " (paused)" } else { "" }
            ),
            app.prefs.theme.dim,
        ),
        (None, None) => Span::styled(" loading…", app.prefs.theme.dim),
    }
}

/// The keys that matter now, as many as fit whole in `room` after what
/// `spans` holds (dimmed when nothing selected allows them); help and
/// quit are drawn apart, always.
fn footer_keys(app: &App, context: Context, room: usize, spans: &mut Vec<Span<'static>>) {
    let always_shown = |b: &Binding| matches!(b.action, KeyAction::Help | KeyAction::Quit);
    let first_key = |keys: &[Chord]| keys.first().map(Chord::name).unwrap_or_default();
    for (b, keys) in app
        .prefs
        .keymap
        .footer(context)
        .filter(|(b, _)| !always_shown(b))
    {
        let enabled = b.action.act().is_none_or(|kind| app.allows(kind));
        let (k, w) = if enabled {
            (app.prefs.theme.key, Style::new())
        } else {
            (app.prefs.theme.dim, app.prefs.theme.dim)
        };
        let name = first_key(keys);
        let label = format!(" {}  ", b.footer.unwrap_or(b.help));
        let used: usize = spans.iter().map(Span::width).sum();
        if used + name.chars().count() + label.trim_end().chars().count() > room {
            break;
        }
        spans.push(Span::styled(name, k));
        spans.push(Span::styled(label, w));
    }
}

/// The line being typed (`/` a search, `:` a command), with its cursor,
/// and what Enter, Tab and Esc do.
fn draw_prompt(frame: &mut Frame, app: &App, kind: PromptKind, area: Rect) {
    let key = |action| app.prefs.keymap.first(Context::Editor, action);
    let (lead, hint) = match kind {
        PromptKind::Search => (
            "/",
            format!(
                "  {} find  {} back",
                key(KeyAction::RunQuery),
                key(KeyAction::LeaveEditor)
            ),
        ),
        PromptKind::Command => (
            ":",
            format!(
                "  {} run  {} complete  {}{} history  {} back",
                key(KeyAction::RunQuery),
                key(KeyAction::Complete),
                key(KeyAction::HistoryBack),
                key(KeyAction::HistoryForward),
                key(KeyAction::LeaveEditor)
            ),
        ),
    };
    let hint = Span::styled(hint, app.prefs.theme.dim);
    let room = usize::from(area.width)
        .saturating_sub(hint.width() + 1)
        .max(1);
    let scroll = app.prompt.line.input.visual_scroll(room);
    let text: String = app.prompt.line.input.value().chars().skip(scroll).collect();
    let line = Line::from(vec![
        Span::styled(lead, app.prefs.theme.key),
        Span::raw(crate::printable::fit(&printable(&text), room).into_owned()),
        hint,
    ]);
    frame.render_widget(Paragraph::new(line), area);
    if app.dialog.is_none() {
        let x = area.x + 1 + (app.prompt.line.input.visual_cursor().saturating_sub(scroll)) as u16;
        frame.set_cursor_position(ratatui::layout::Position::new(
            x.min(area.right().saturating_sub(1)),
            area.y,
        ));
    }
}

/// "✘ server unreachable since 14:02 · retry in 8 s"; `short`
/// (a message needs the room): "✘ server unreachable · 8 s".
fn outage_line(app: &App, o: &crate::tui::app::Outage, short: bool) -> String {
    let since = o.since.with_timezone(&app.clock.offset).format("%H:%M");
    let next = app
        .clock
        .list_asked
        .map(|t| t + chrono::Duration::from_std(app.clock.refresh_every).unwrap_or_default())
        .map(|t| (t - app.clock.now).num_seconds());
    let retry = match (next, short) {
        _ if app.clock.paused => " · paused".to_owned(),
        _ if o.manual => format!(" · {} tries again", app.pane_key(KeyAction::Refresh)),
        (Some(s), false) if s > 0 => format!(" · retry in {s} s"),
        (Some(s), true) if s > 0 => format!(" · {s} s"),
        (_, false) => " · retrying now".to_owned(),
        (_, true) => String::new(),
    };
    if short {
        format!(" ✘ {}{retry}", o.what)
    } else {
        format!(" ✘ {} since {since}{retry}", o.what)
    }
}

/// The message as it fits the line; cut short, it ends in the key that
/// shows it whole (`… (M)`).
fn message_text(app: &App, text: &str, before: &[Span], width: usize) -> String {
    let text = printable(text).into_owned();
    let used: usize = before.iter().map(Span::width).sum();
    // The separator after it stays.
    let room = width.saturating_sub(used + 3);
    if text.chars().count() <= room {
        return text;
    }
    let hint = format!(
        " … ({})",
        app.prefs.keymap.first(Context::Panes, KeyAction::Messages)
    );
    let keep = room.saturating_sub(hint.chars().count());
    if keep < 8 {
        // No room to say anything useful: say where it is.
        return hint.trim_start().to_owned();
    }
    format!("{}{hint}", text.chars().take(keep).collect::<String>())
}

/// Help and quit, always shown at the right.
fn always_keys(app: &App, context: Context) -> Line<'static> {
    let first_key = |keys: &[Chord]| keys.first().map(Chord::name).unwrap_or_default();
    let mut always = vec![Span::raw(" ")];
    for (b, keys) in app
        .prefs
        .keymap
        .footer(context)
        .filter(|(b, _)| matches!(b.action, KeyAction::Help | KeyAction::Quit))
    {
        always.push(Span::styled(first_key(keys), app.prefs.theme.key));
        always.push(Span::raw(format!(" {} ", b.footer.unwrap_or(b.help))));
    }
    Line::from(always)
}

/// `http://host:port/api/` as `host:port`.
fn short_label(label: &str) -> &str {
    let rest = label.split_once("://").map_or(label, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}
