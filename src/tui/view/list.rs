//! The activity list: only the rows on screen are built, so a million
//! activities cost what a screenful does.

use chrono::{DateTime, FixedOffset, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, Table};

use crate::model::Activity;
use crate::model::SortColumn;
use crate::printable::{fit, printable, thousands, width};
use crate::tui::app::{App, Pane};
use crate::tui::keys::KeyAction;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let l = &app.list;
    let title = title(app);
    let block =
        Block::bordered()
            .title(title)
            .border_style(if app.focus == Pane::List && !app.editing {
                app.theme.focused_border
            } else {
                app.theme.border
            });
    let table_area = super::super::layout::list_table(area);
    let height = u64::from(table_area.height);
    let cells: Vec<(u64, Option<Cells>)> = (l.top..(l.top + height).min(l.total))
        .map(|i| (i, l.row(i).map(|a| cells(app, a))))
        .collect();
    let mut widths = fit_columns(
        app,
        usize::from(table_area.width),
        cells.iter().filter_map(|(_, c)| c.as_ref()),
    );
    if cells.iter().any(|(_, c)| c.is_none()) {
        // Room in the status column to say a row is not there.
        let grow = width("✘ not loaded").saturating_sub(widths[1]);
        widths[1] += grow;
        widths[4] = widths[4].saturating_sub(grow);
    }
    // While the server is away the rows are the last it sent: shown dim,
    // so they are not read as live.
    let stale = app.outage.is_some();
    let rows: Vec<Row> = cells
        .iter()
        .map(|(i, c)| match (c, l.row(*i)) {
            (Some(c), Some(a)) if stale && *i != l.selected => {
                row(app, a, c, &widths, false).style(app.theme.dim)
            }
            (Some(c), Some(a)) => row(app, a, c, &widths, *i == l.selected),
            _ => missing_row(app, &widths),
        })
        .collect();
    let header = header(app, widths);
    frame.render_widget(
        Table::new(rows, widths.map(|w| Constraint::Length(w as u16)))
            .header(header)
            .block(block)
            .column_spacing(1),
        area,
    );
}

/// The list's title: its name, rows, activities, where the cursor is.
fn title(app: &App) -> String {
    let l = &app.list;
    let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"][app.spinner % 10];
    let name = app.view.as_deref().unwrap_or("Activities");
    if !l.loaded_once && !l.loading && l.error.is_some() {
        // The first load failed (a bad password, no server): say so, do
        // not spin.
        let why = app
            .outage
            .as_ref()
            .map_or("not loaded", |o| o.what.as_str());
        format!(" {name} — {why} ")
    } else if !l.loaded_once {
        format!(" {name} {spinner} loading ")
    } else if l.total == 0 && l.loading {
        format!(" {name} {spinner} ")
    } else if l.total == 0 {
        let stale = if app.outage.is_some() {
            " (last known)"
        } else {
            ""
        };
        format!(" {name} — none match{stale} ")
    } else {
        let of_all = match l.total_all {
            Some(all) if !app.applied.trim().is_empty() => format!(" of {}", thousands(all)),
            _ => String::new(),
        };
        let activities = if l.activity_count != l.total || l.rows_estimated {
            format!(" · {} activities", thousands(l.activity_count))
        } else {
            String::new()
        };
        // Rows folded lazily from a Landscape's raw pages are counted as
        // they are read: until then the number is an estimate.
        let about = if l.rows_estimated { "≈" } else { "" };
        let local = if l.sorted_locally {
            format!(" · {} ▸ loaded rows only", app.sort.column.name())
        } else {
            String::new()
        };
        let outage = match &app.outage {
            Some(o) => format!(
                " · ✘ {} since {}",
                o.what,
                o.since.with_timezone(&app.offset).format("%H:%M")
            ),
            None => String::new(),
        };
        format!(
            " {name}: {about}{} row{}{of_all}{activities} · row {}{local}{outage}{} ",
            thousands(l.total),
            if l.total == 1 { "" } else { "s" },
            thousands(l.selected + 1),
            if l.loading {
                format!(" {spinner}")
            } else {
                String::new()
            }
        )
    }
}

/// A row in the window that is not loaded: why, or that it is coming.
fn missing_row(app: &App, widths: &[usize; 7]) -> Row<'static> {
    let l = &app.list;
    match &l.error {
        // In the summary column, the one wide enough to say why.
        Some(e) if !l.loading => Row::new(vec![
            Cell::from(""),
            Cell::from(Span::styled("✘ not loaded", app.theme.error)),
            Cell::from(""),
            Cell::from(""),
            Cell::from(Span::styled(
                fit(
                    &format!("{e} ({} retries)", app.pane_key(KeyAction::Refresh)),
                    widths[4],
                )
                .into_owned(),
                app.theme.error,
            )),
        ]),
        _ => Row::new(vec![
            Cell::from(""),
            Cell::from(Span::styled("loading…", app.theme.dim)),
        ]),
    }
}

/// The headings, the sort column's with its arrow.
fn header(app: &App, widths: [usize; 7]) -> Row<'static> {
    Row::new(
        HEADINGS
            .iter()
            .zip(widths)
            .map(|((name, column), w)| {
                let text = match column {
                    Some(c) if *c == app.sort.column => format!("{name} {}", app.sort.arrow()),
                    _ => (*name).to_owned(),
                };
                Cell::from(fit(&text, w).into_owned())
            })
            .collect::<Vec<_>>(),
    )
    .style(app.theme.header)
}

/// The columns' headings, and the sort column each stands for.
const HEADINGS: [(&str, Option<SortColumn>); 7] = [
    ("", None),
    ("status", Some(SortColumn::Status)),
    ("created", Some(SortColumn::Created)),
    ("type", Some(SortColumn::Type)),
    ("summary", Some(SortColumn::Summary)),
    ("children", Some(SortColumn::Children)),
    ("comp.", Some(SortColumn::Computers)),
];

/// The summary is given at least this much before other columns shrink.
const SUMMARY_MIN: usize = 20;
/// Shrinking stops here: a cut type still says what it is.
const TYPE_MIN: usize = 10;
const CHILDREN_MIN: usize = 8;

/// One row's texts, before fitting.
struct Cells {
    status: String,
    created: String,
    activity_type: String,
    summary: String,
    /// Plain text of the children column (its spans are built when drawn).
    children: String,
    /// Shown only through some of its children.
    partial: bool,
    computers: String,
}

fn cells(app: &App, a: &Activity) -> Cells {
    let (symbol, _) = app.theme.status(a.status());
    let label = a.status().map_or("—", |s| s.as_str());
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
        (Some(n), Some(all)) => format!("{n} of {all} match"),
        _ => a
            .children_statuses
            .get()
            .map(|c| format!("{}/{}/{}", c.good, c.warning, c.bad))
            .unwrap_or_default(),
    };
    Cells {
        status: format!("{symbol} {label}{progress}"),
        created: created(a.creation_time, app.now, app.offset),
        activity_type: printable(&a.activity_type).into_owned(),
        summary: printable(&a.summary).into_owned(),
        children,
        partial: app.list.partial(a).is_some(),
        computers: a
            .computer_count
            .copied()
            .map(|n| n.to_string())
            .or_else(|| a.computer().map(|_| "1".to_owned()))
            .unwrap_or_default(),
    }
}

/// Column widths for `inner` columns: each as wide as its widest value on
/// screen (or its heading); the summary takes the rest. When the summary
/// would get less than [`SUMMARY_MIN`], the type and then the children
/// give up room down to their minimums, and their texts are cut with `…`.
fn fit_columns<'a>(app: &App, inner: usize, rows: impl Iterator<Item = &'a Cells>) -> [usize; 7] {
    let heading = |i: usize| {
        let (name, column) = HEADINGS[i];
        width(name)
            + if column == Some(app.sort.column) {
                2
            } else {
                0
            }
    };
    let mut w: [usize; 7] = std::array::from_fn(heading);
    w[0] = 1;
    // "2 of 3 match" is never cut: it says why a row is there.
    let mut partial = 0;
    for c in rows {
        if c.partial {
            partial = partial.max(width(&c.children));
        }
        for (i, text) in [
            (1, &c.status),
            (2, &c.created),
            (3, &c.activity_type),
            (5, &c.children),
            (6, &c.computers),
        ] {
            w[i] = w[i].max(width(text));
        }
    }
    let spacing = w.len() - 1;
    let others = |w: &[usize; 7]| {
        w.iter()
            .enumerate()
            .filter(|(i, _)| *i != 4)
            .map(|(_, x)| x)
            .sum::<usize>()
    };
    for (i, floor) in [(3, TYPE_MIN), (5, CHILDREN_MIN.max(partial))] {
        let room = inner.saturating_sub(others(&w) + spacing);
        if room >= SUMMARY_MIN {
            break;
        }
        let give = (SUMMARY_MIN - room).min(w[i].saturating_sub(floor.max(heading(i))));
        w[i] -= give;
    }
    w[4] = inner.saturating_sub(others(&w) + spacing);
    w
}

fn row<'a>(app: &App, a: &Activity, c: &Cells, w: &[usize; 7], selected: bool) -> Row<'a> {
    let (_, status_style) = app.theme.status(a.status());
    let children = match a.children_statuses.get() {
        Some(s) if app.list.partial(a).is_none() && width(&c.children) <= w[5] => Line::from(vec![
            Span::styled(s.good.to_string(), app.theme.good),
            Span::raw("/"),
            Span::styled(s.warning.to_string(), app.theme.pending),
            Span::raw("/"),
            Span::styled(s.bad.to_string(), app.theme.bad),
        ]),
        _ if app.list.partial(a).is_some() => Line::from(Span::styled(
            fit(&c.children, w[5]).into_owned(),
            app.theme.warning,
        )),
        _ => Line::from(fit(&c.children, w[5]).into_owned()),
    };
    let marked = app.marks.ids.contains(&a.id);
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
            fit(&c.status, w[1]).into_owned(),
            if marked || selected {
                Style::new()
            } else {
                status_style
            },
        )),
        Cell::from(fit(&c.created, w[2]).into_owned()),
        Cell::from(fit(&c.activity_type, w[3]).into_owned()),
        Cell::from(fit(&c.summary, w[4]).into_owned()),
        Cell::from(children),
        Cell::from(fit(&c.computers, w[6]).into_owned()),
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
