//! The activity list: only the rows on screen are built, so a million
//! activities cost what a screenful does.

use chrono::{DateTime, FixedOffset, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, Table};

use crate::model::Activity;
use crate::printable::printable;
use crate::printable::thousands;
use crate::tui::app::{App, Pane};

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let l = &app.list;
    let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"][app.spinner % 10];
    let title = if !l.loaded_once {
        format!(" Activities {spinner} loading ")
    } else if l.total == 0 && l.loading {
        format!(" Activities {spinner} ")
    } else if l.total == 0 {
        " Activities — none match ".to_owned()
    } else {
        let of_all = match l.total_all {
            Some(all) if !app.applied.trim().is_empty() => format!(" of {}", thousands(all)),
            _ => String::new(),
        };
        let activities = if l.activity_count != l.total {
            format!(" · {} activities", thousands(l.activity_count))
        } else {
            String::new()
        };
        format!(
            " Activities: {} row{}{of_all}{activities} · row {}{} ",
            thousands(l.total),
            if l.total == 1 { "" } else { "s" },
            thousands(l.selected + 1),
            if l.loading {
                format!(" {spinner}")
            } else {
                String::new()
            }
        )
    };
    let block =
        Block::bordered()
            .title(title)
            .border_style(if app.focus == Pane::List && !app.editing {
                app.theme.focused_border
            } else {
                app.theme.border
            });
    let height = u64::from(super::super::layout::list_table(area).height);
    let now = app.now;
    let rows: Vec<Row> = (l.top..(l.top + height).min(l.total))
        .map(|i| match l.row(i) {
            Some(a) => row(app, a, i == l.selected, now),
            None => match &l.error {
                // In the summary column, the one wide enough to say why.
                Some(e) if !l.loading => Row::new(vec![
                    Cell::from(""),
                    Cell::from(Span::styled("✘ not loaded", app.theme.error)),
                    Cell::from(""),
                    Cell::from(""),
                    Cell::from(Span::styled(format!("{e} (r retries)"), app.theme.error)),
                ]),
                _ => Row::new(vec![
                    Cell::from(""),
                    Cell::from(Span::styled("loading…", app.theme.dim)),
                ]),
            },
        })
        .collect();
    let header = Row::new([
        "", "status", "created", "type", "summary", "children", "comp.",
    ])
    .style(Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED));
    let widths = [
        Constraint::Length(1),
        Constraint::Length(13),
        Constraint::Length(10),
        Constraint::Length(18),
        Constraint::Fill(1),
        // Wide enough for "12 of 40 match".
        Constraint::Length(14),
        Constraint::Length(5),
    ];
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(block)
            .column_spacing(1),
        area,
    );
}

fn row<'a>(app: &App, a: &'a Activity, selected: bool, now: DateTime<Utc>) -> Row<'a> {
    let (symbol, status_style) = app.theme.status(a.status());
    let label = a.status().map_or("—", |s| s.label());
    let progress = a
        .progress
        .copied()
        .filter(|_| !a.status().is_some_and(|s| s.is_final()))
        .map(|p| {
            if p < 0 {
                " err".to_owned()
            } else {
                format!(" {p}%")
            }
        })
        .unwrap_or_default();
    let children = match (app.list.partial(a), a.children_count.get()) {
        (Some(n), Some(all)) => Line::from(Span::styled(
            format!("{n} of {all} match"),
            app.theme.warning,
        )),
        _ => match a.children_statuses.get() {
            Some(c) => Line::from(vec![
                Span::styled(c.good.to_string(), app.theme.good),
                Span::raw("/"),
                Span::styled(c.warning.to_string(), app.theme.pending),
                Span::raw("/"),
                Span::styled(c.bad.to_string(), app.theme.bad),
            ]),
            None => Line::from(""),
        },
    };
    let computers = a
        .computer_count
        .copied()
        .map(|n| n.to_string())
        .or_else(|| a.computer().map(|_| "1".to_owned()))
        .unwrap_or_default();
    let marked = app.marks.contains(&a.id);
    let mut style = Style::new();
    if app.flash.contains_key(&a.id) {
        style = style.patch(app.theme.flash);
    }
    if marked {
        style = style.patch(app.theme.marked);
    }
    if selected {
        style = style.patch(app.theme.selected);
    }
    Row::new(vec![
        Cell::from(if marked { "●" } else { " " }),
        Cell::from(Span::styled(
            format!("{symbol} {label}{progress}"),
            if marked || selected {
                Style::new()
            } else {
                status_style
            },
        )),
        Cell::from(created(a.creation_time, now, app.offset)),
        Cell::from(printable(&a.activity_type).into_owned()),
        Cell::from(printable(&a.summary).into_owned()),
        Cell::from(children),
        Cell::from(computers),
    ])
    .style(style)
}

/// Relative for the last day, local date and time before.
pub fn created(t: DateTime<Utc>, now: DateTime<Utc>, offset: FixedOffset) -> String {
    let age = now - t;
    if age.num_seconds() < 0 {
        return t.with_timezone(&offset).format("%m-%d %H:%M").to_string();
    }
    match age.num_seconds() {
        0..60 => format!("{}s ago", age.num_seconds()),
        60..3600 => format!("{}m ago", age.num_minutes()),
        3600..86_400 => format!("{}h ago", age.num_hours()),
        _ => t.with_timezone(&offset).format("%Y-%m-%d").to_string(),
    }
}
