//! The selected parent's children, one per computer, expandable to their
//! package changes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::model::Activity;
use crate::tui::app::{App, Pane};
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let c = &app.children;
    // Says which children an action takes: all of a group that matches
    // in its own right, else the matching ones (A shows the rest).
    let work = c.brought && crate::query::split_work(&app.query.applied).has_work();
    let scope = if app.query.applied.trim().is_empty() {
        "all"
    } else if work && c.show_all {
        "all · A: those the group brings"
    } else if work {
        "those the group brings · A: all"
    } else if c.brought {
        "all: the group matches"
    } else if c.show_all {
        "all · A: matching"
    } else {
        "matching · A: all"
    };
    let title = match c.parent {
        None => " Children — select a parent (ActivityGroup) ".to_owned(),
        Some(p) if c.loading && c.rows.is_empty() => format!(" Children of {p} — loading "),
        Some(p) => format!(" Children of {p}: {} ({scope}) ", c.rows.len()),
    };
    let focused = app.screen.focus == Pane::Children && !app.query.editing;
    let block = Block::bordered().title(title).border_style(if focused {
        app.prefs.theme.focused_border
    } else {
        app.prefs.theme.border
    });
    let mut lines: Vec<Line> = Vec::new();
    // Said once for the group: how many waiting computers are silent.
    if let Some(why) = app.group_waiting() {
        lines.push(Line::from(Span::styled(
            format!(" {why}"),
            app.prefs.theme.warning,
        )));
    }
    let mut selected_line = 0;
    for (i, a) in c.rows.iter().enumerate() {
        if i == c.selected {
            selected_line = lines.len();
        }
        lines.push(child_line(app, a, focused && i == c.selected));
        if c.expanded.contains(&a.id) {
            lines.extend(change_lines(a, &app.prefs.theme));
        }
    }
    let height = area.height.saturating_sub(2) as usize;
    let scroll = selected_line.saturating_sub(height.saturating_sub(1));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll as u16, 0)),
        area,
    );
}

fn child_line<'a>(app: &App, a: &'a Activity, selected: bool) -> Line<'a> {
    let (symbol, style) = app.prefs.theme.status(a.status());
    let computer = a
        .computer()
        .map(|id| {
            app.fleet
                .computer_titles
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("computer {}", crate::model::origin::local(id)))
        })
        .unwrap_or_else(|| "—".into());
    let status = a.status().map_or("—", |s| s.as_str());
    let result = a
        .result_text
        .get()
        .map(|t| t.lines().next().unwrap_or(""))
        .unwrap_or("");
    let expander = if a.changes.get().is_some_and(|c| !c.is_empty()) {
        if app.children.expanded.contains(&a.id) {
            "▾ "
        } else {
            "▸ "
        }
    } else {
        "  "
    };
    let mark = if app.marks.ids.contains(&a.id) {
        "●"
    } else {
        " "
    };
    let mut line = Line::from(vec![
        Span::styled(mark, app.prefs.theme.marked),
        Span::raw(expander),
        Span::styled(format!("{symbol} "), style),
        Span::raw(format!("{computer:<16} ")),
        Span::styled(format!("{status:<11} "), style),
        Span::styled(result.to_owned(), app.prefs.theme.dim),
    ]);
    if selected {
        line = line.style(app.prefs.theme.selected);
    }
    line
}

fn change_lines(a: &Activity, theme: &Theme) -> Vec<Line<'static>> {
    a.changes
        .get()
        .into_iter()
        .flatten()
        .map(|c| {
            let versions = match (
                c.remove_version.get(),
                c.install_version.get(),
                c.version.get(),
            ) {
                (Some(from), Some(to), _) => format!("{from} → {to}"),
                (None, Some(to), _) => to.to_string(),
                (Some(from), None, _) => from.to_string(),
                (None, None, Some(v)) => v.to_string(),
                _ => String::new(),
            };
            Line::from(vec![
                Span::raw("       "),
                Span::styled(format!("{:<9}", c.change_type), theme.warning),
                Span::raw(format!(" {} ", c.package)),
                Span::styled(versions, theme.dim),
            ])
        })
        .collect()
}
