//! One line: backend, marks, last refresh, the latest message, and the
//! keys that matter now (dimmed when nothing selected allows them).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::model::ActionKind;
use crate::printable::printable;
use crate::tui::app::{App, Level};

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let mut spans = vec![Span::styled(
        format!(" {} ", app.backend.label),
        if app.backend.embedded {
            app.theme.badge_engine
        } else {
            app.theme.badge_server
        },
    )];
    if app.read_only {
        spans.push(Span::styled(" READ-ONLY ", app.theme.badge_read_only));
    }
    if let Some(all) = &app.mark_all {
        spans.push(Span::styled(
            format!(
                " all {} matching marked",
                crate::printable::thousands(all.count)
            ),
            app.theme.marked,
        ));
    } else if !app.marks.is_empty() {
        spans.push(Span::styled(
            format!(" {} marked", app.marks.len()),
            app.theme.marked,
        ));
    }
    match app.last_refresh {
        Some(t) => spans.push(Span::styled(
            format!(
                " ⟳ {}{}",
                t.format("%H:%M:%S"),
                if app.paused { " (paused)" } else { "" }
            ),
            app.theme.dim,
        )),
        None => spans.push(Span::styled(" loading…", app.theme.dim)),
    }
    if let Some(m) = &app.message {
        let style = match m.level {
            Level::Info => Style::new(),
            Level::Success => app.theme.success,
            Level::Warning => app.theme.warning,
            Level::Error => app.theme.error,
        };
        spans.push(Span::raw(" │ "));
        spans.push(Span::styled(printable(&m.text).into_owned(), style));
    }
    spans.push(Span::raw(" │ "));
    let keys: &[(&str, &str, Option<ActionKind>)] = if app.editing {
        &[
            ("Enter", "run", None),
            ("Esc", "back", None),
            ("Tab", "complete", None),
        ]
    } else {
        &[
            ("/", "query", None),
            ("a", "approve", Some(ActionKind::Approve)),
            ("c", "cancel", Some(ActionKind::Cancel)),
            ("R", "reapply", Some(ActionKind::Reapply)),
            ("u", "revert", Some(ActionKind::Revert)),
        ]
    };
    for (key, what, action) in keys {
        let enabled = action.is_none_or(|k| app.allows(k));
        let (k, w) = if enabled {
            (app.theme.key, Style::new())
        } else {
            (app.theme.dim, app.theme.dim)
        };
        spans.push(Span::styled(*key, k));
        spans.push(Span::styled(format!(" {what}  "), w));
    }
    // `? help` and `q quit` always show: they are drawn first, at the right.
    let always = Line::from(vec![
        Span::styled("?", app.theme.key),
        Span::raw(" help  "),
        Span::styled("q", app.theme.key),
        Span::raw(" quit "),
    ]);
    let [left, right] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(always.width() as u16),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(always), right);
    frame.render_widget(Paragraph::new(Line::from(spans)), left);
}
