//! The activity list: only the rows on screen are built, so a million
//! activities cost what a screenful does.

use chrono::{DateTime, FixedOffset, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Wrap};

use crate::model::Activity;
use crate::printable::{fit, printable, thousands, width};
use crate::tui::app::{App, Pane};
use crate::tui::keys::KeyAction;
use crate::tui::list_columns::ListColumn;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let l = &app.list;
    let title = title(app);
    let block = Block::bordered().title(title).border_style(
        if app.screen.focus == Pane::List && !app.query.editing {
            app.prefs.theme.focused_border
        } else {
            app.prefs.theme.border
        },
    );
    let table_area = super::super::layout::list_table(area);
    let height = u64::from(table_area.height);
    let cells: Vec<(u64, Option<Cells>)> = (l.top..(l.top + height).min(l.total))
        .map(|i| (i, l.row(i).map(|a| cells(app, a))))
        .collect();
    let columns = &app.shown_columns();
    let mut widths = fit_columns(
        app,
        usize::from(table_area.width),
        cells.iter().filter_map(|(_, c)| c.as_ref()),
    );
    if cells.iter().any(|(_, c)| c.is_none()) {
        // Room in the first column to say a row is not there.
        let fill = fill_column(columns);
        let grow = width("✘ not loaded").saturating_sub(widths[1]);
        if fill != 1 {
            widths[1] += grow;
            widths[fill] = widths[fill].saturating_sub(grow);
        }
    }
    // While the server is away the rows are the last it sent: shown dim,
    // so they are not read as live.
    let stale = app.status.outage.is_some();
    let rows: Vec<Row> = cells
        .iter()
        .map(|(i, c)| match (c, l.row(*i)) {
            (Some(c), Some(a)) if stale && *i != l.selected => {
                row(app, a, c, &widths, false).style(app.prefs.theme.dim)
            }
            (Some(c), Some(a)) => row(app, a, c, &widths, *i == l.selected),
            _ => missing_row(app, &widths),
        })
        .collect();
    let header = header(app, &widths);
    frame.render_widget(
        Table::new(rows, widths.iter().map(|w| Constraint::Length(*w as u16)))
            .header(header)
            .block(block)
            .column_spacing(1),
        area,
    );
    if !l.loaded_once()
        && !l.loading()
        && let Some(e) = &l.error
    {
        // Nothing was ever shown (a refused login, no server): the whole
        // reason where the rows would be, wrapped, not cut at the edge.
        let why = Paragraph::new(format!("✘ {}", printable(e)))
            .style(app.prefs.theme.error)
            .wrap(Wrap { trim: true });
        frame.render_widget(why, table_area);
    }
}

/// The list's title: its name, rows, activities, where the cursor is.
fn title(app: &App) -> String {
    let l = &app.list;
    let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"][app.status.spinner % 10];
    let name = app.query.view.as_deref().unwrap_or("Activities");
    if let Some((query, at)) = app.rows_of_another_query() {
        // Never pass old rows off as a new query's.
        return format!(
            " {name} — rows of {} from {}, not of the query above{} ",
            crate::printable::query_named(query),
            at.with_timezone(&app.clock.offset).format("%H:%M"),
            if l.loading() {
                format!(" {spinner}")
            } else {
                String::new()
            }
        );
    }
    if !l.loaded_once() && !l.loading() && l.error.is_some() {
        // The first load failed (a bad password, no server): say so, do
        // not spin.
        let why = app
            .status
            .outage
            .as_ref()
            .map_or("not loaded", |o| o.what.as_str());
        format!(" {name} — {why} ")
    } else if !l.loaded_once() {
        format!(" {name} {spinner} loading ")
    } else if l.total == 0 && l.loading() {
        format!(" {name} {spinner} ")
    } else if l.total == 0 {
        let stale = if app.status.outage.is_some() {
            " (last known)"
        } else {
            ""
        };
        let down: String = l
            .servers
            .iter()
            .filter(|s| s.down.is_some())
            .map(|s| format!(" · {} ✘ down", s.name))
            .collect();
        format!(" {name} — none match{stale}{down} ")
    } else {
        let of_all = match l.total_all {
            Some(all) if !app.query.applied.trim().is_empty() => format!(" of {}", thousands(all)),
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
            format!(" · {} ▸ loaded rows only", app.prefs.sort.column.name())
        } else {
            String::new()
        };
        let servers: String = l
            .servers
            .iter()
            .map(|s| match &s.down {
                Some(_) => format!(" · {} ✘ down", s.name),
                None => format!(" · {} {}", s.name, thousands(s.rows)),
            })
            .collect();
        let outage = match &app.status.outage {
            Some(o) => format!(
                " · ✘ {} since {}",
                o.what,
                o.since.with_timezone(&app.clock.offset).format("%H:%M")
            ),
            None => String::new(),
        };
        format!(
            " {name}: {about}{} row{}{of_all}{activities}{servers} · row {}{local}{outage}{} ",
            thousands(l.total),
            if l.total == 1 { "" } else { "s" },
            thousands(l.selected + 1),
            if l.loading() {
                format!(" {spinner}")
            } else {
                String::new()
            }
        )
    }
}

/// A row in the window that is not loaded: why, or that it is coming.
fn missing_row(app: &App, widths: &[usize]) -> Row<'static> {
    let l = &app.list;
    let fill = fill_column(&app.shown_columns());
    let mut cells: Vec<Cell> = vec![Cell::from(""); widths.len()];
    match &l.error {
        // In the widest column, to say why.
        Some(e) if !l.loading() => {
            cells[1] = Cell::from(Span::styled("✘ not loaded", app.prefs.theme.error));
            if fill != 1 {
                cells[fill] = Cell::from(Span::styled(
                    fit(
                        &format!("{e} ({} retries)", app.pane_key(KeyAction::Refresh)),
                        widths[fill],
                    )
                    .into_owned(),
                    app.prefs.theme.error,
                ));
            }
        }
        _ => cells[1] = Cell::from(Span::styled("loading…", app.prefs.theme.dim)),
    }
    Row::new(cells)
}

/// The headings, the sort column's with its arrow (the mark column first).
fn header(app: &App, widths: &[usize]) -> Row<'static> {
    let names = std::iter::once(("", None)).chain(
        app.shown_columns()
            .iter()
            .map(|c| (c.heading(), c.sort()))
            .collect::<Vec<_>>(),
    );
    Row::new(
        names
            .zip(widths)
            .map(|((name, column), w)| {
                let text = match column {
                    Some(c) if c == app.prefs.sort.column => {
                        format!("{name} {}", app.prefs.sort.arrow())
                    }
                    _ => name.to_owned(),
                };
                Cell::from(fit(&text, *w).into_owned())
            })
            .collect::<Vec<_>>(),
    )
    .style(app.prefs.theme.header)
}

/// The column (an index with the mark column as 0) that takes the room
/// the others leave: the summary, else the last.
fn fill_column(columns: &[ListColumn]) -> usize {
    1 + columns
        .iter()
        .position(|c| *c == ListColumn::Summary)
        .unwrap_or(columns.len().saturating_sub(1))
}

/// The summary is given at least this much before other columns shrink.
const SUMMARY_MIN: usize = 20;
/// Shrinking stops here: a cut type (or name) still says what it is.
const TYPE_MIN: usize = 10;
const NAME_MIN: usize = 10;
const CHILDREN_MIN: usize = 8;

/// One row's texts, before fitting: one per column of `app.prefs.columns`.
struct Cells {
    texts: Vec<String>,
    /// Shown only through some of its children.
    partial: bool,
}

fn cells(app: &App, a: &Activity) -> Cells {
    Cells {
        texts: app
            .shown_columns()
            .iter()
            .map(|c| cell_text(app, a, *c))
            .collect(),
        partial: app.list.partial(a).is_some(),
    }
}

fn cell_text(app: &App, a: &Activity, column: ListColumn) -> String {
    match column {
        ListColumn::Status => {
            // A row shown through one child: that computer's own status.
            let a = app.list.shown(a);
            let (symbol, _) = app.prefs.theme.status(a.status());
            let label = a.status().map_or("—", |s| s.as_str());
            let progress = a
                .progress
                .copied()
                .filter(|_| !a.is_final())
                .map(|p| {
                    if p < 0 {
                        " err".to_owned()
                    } else {
                        format!(" {p}%")
                    }
                })
                .unwrap_or_default();
            format!("{symbol} {label}{progress}")
        }
        ListColumn::Id => crate::model::origin::local(a.id).to_string(),
        ListColumn::Server => app
            .server_of(a.id)
            .map(printable)
            .unwrap_or_default()
            .into_owned(),
        ListColumn::Created => created(a.creation_time, app.server_now(), app.clock.offset),
        ListColumn::CreatedAt => a
            .creation_time
            .with_timezone(&app.clock.offset)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        ListColumn::Completed => a
            .completion_time
            .get()
            .map(|t| created(*t, app.server_now(), app.clock.offset))
            .unwrap_or_default(),
        ListColumn::Duration => took(a, app.server_now()),
        ListColumn::Type => printable(&a.activity_type).into_owned(),
        ListColumn::Summary => printable(&a.summary).into_owned(),
        ListColumn::Creator => a
            .creator
            .get()
            .and_then(|c| {
                c.name
                    .get()
                    .cloned()
                    .or_else(|| c.email().map(str::to_owned))
            })
            .map(|n| printable(&n).into_owned())
            .unwrap_or_default(),
        ListColumn::Computer => a
            .computer()
            .map(|id| {
                app.fleet.computer_titles.get(&id).map_or_else(
                    || format!("computer {}", crate::model::origin::local(id)),
                    |t| printable(t).into_owned(),
                )
            })
            .unwrap_or_default(),
        ListColumn::Children => match (app.list.partial(a), a.children_count.get()) {
            (Some(n), Some(all)) => format!("{n} of {all} match"),
            _ => a
                .children_statuses
                .get()
                .map(|c| format!("{}/{}/{}", c.good, c.warning, c.bad))
                .unwrap_or_default(),
        },
        ListColumn::Computers => a
            .computer_count
            .copied()
            .map(|n| n.to_string())
            .or_else(|| a.computer().map(|_| "1".to_owned()))
            .unwrap_or_default(),
    }
}

/// From delivery (else approval, else creation) to completion; while it
/// runs, so far with `…`; nothing before it was delivered.
fn took(a: &Activity, now: DateTime<Utc>) -> String {
    let start = a
        .delivery_time
        .copied()
        .or(a.approval_time.copied())
        .unwrap_or(a.creation_time);
    let (end, running) = match a.completion_time.copied() {
        Some(end) => (end, false),
        None if a.delivery_time.is_some() => (now, true),
        None => return String::new(),
    };
    let s = (end - start).num_seconds().max(0);
    let text = match s {
        0..60 => format!("{s}s"),
        60..3_600 => format!("{}m{:02}s", s / 60, s % 60),
        3_600..86_400 => format!("{}h{:02}m", s / 3_600, s % 3_600 / 60),
        _ => format!("{}d{:02}h", s / 86_400, s % 86_400 / 3_600),
    };
    if running { format!("{text}…") } else { text }
}

/// Column widths (the mark column first) for `inner` columns: each as
/// wide as its widest value on screen (or its heading); the summary (else
/// the last) takes the rest. When it would get less than [`SUMMARY_MIN`],
/// the type, the names and then the children give up room down to their
/// minimums, and their texts are cut with `…`.
fn fit_columns<'a>(app: &App, inner: usize, rows: impl Iterator<Item = &'a Cells>) -> Vec<usize> {
    let columns = &app.shown_columns();
    let heading = |i: usize| {
        let c = columns[i - 1];
        width(c.heading())
            + if c.sort() == Some(app.prefs.sort.column) {
                2
            } else {
                0
            }
    };
    let n = columns.len() + 1;
    let mut w: Vec<usize> = (0..n)
        .map(|i| if i == 0 { 1 } else { heading(i) })
        .collect();
    let children = columns
        .iter()
        .position(|c| *c == ListColumn::Children)
        .map(|i| i + 1);
    // "2 of 3 match" is never cut: it says why a row is there.
    let mut partial = 0;
    for c in rows {
        if c.partial
            && let Some(i) = children
        {
            partial = partial.max(width(&c.texts[i - 1]));
        }
        for (i, text) in c.texts.iter().enumerate() {
            w[i + 1] = w[i + 1].max(width(text));
        }
    }
    let fill = fill_column(columns);
    let spacing = n - 1;
    let others = |w: &[usize]| {
        w.iter()
            .enumerate()
            .filter(|(i, _)| *i != fill)
            .map(|(_, x)| x)
            .sum::<usize>()
    };
    let floors = columns.iter().enumerate().filter_map(|(i, c)| {
        let floor = match c {
            ListColumn::Type => TYPE_MIN,
            ListColumn::Creator | ListColumn::Computer => NAME_MIN,
            ListColumn::Children => CHILDREN_MIN.max(partial),
            _ => return None,
        };
        Some((i + 1, floor))
    });
    let mut floors: Vec<(usize, usize)> = floors.filter(|(i, _)| *i != fill).collect();
    // The children column gives up room last.
    floors.sort_by_key(|(i, _)| columns[i - 1] == ListColumn::Children);
    for (i, floor) in floors {
        let room = inner.saturating_sub(others(&w) + spacing);
        if room >= SUMMARY_MIN {
            break;
        }
        let give = (SUMMARY_MIN - room).min(w[i].saturating_sub(floor.max(heading(i))));
        w[i] -= give;
    }
    w[fill] = inner.saturating_sub(others(&w) + spacing);
    w
}

fn row<'a>(app: &App, a: &Activity, c: &Cells, w: &[usize], selected: bool) -> Row<'a> {
    let (_, status_style) = app.prefs.theme.status(app.list.shown(a).status());
    let marked = app.marks.ids.contains(&a.id);
    let mut style = Style::new();
    if app.acting.flash.contains_key(&a.id) {
        style = style.patch(app.prefs.theme.flash);
    }
    if marked {
        style = style.patch(app.prefs.theme.marked);
    }
    if selected {
        style = style.patch(app.prefs.theme.selected);
    }
    let mut cells = vec![Cell::from(if marked { "●" } else { " " })];
    for (i, (column, text)) in app.shown_columns().iter().zip(&c.texts).enumerate() {
        let width = w[i + 1];
        cells.push(match column {
            ListColumn::Status => Cell::from(Span::styled(
                fit(text, width).into_owned(),
                if marked || selected {
                    Style::new()
                } else {
                    status_style
                },
            )),
            ListColumn::Children => Cell::from(children_line(app, a, text, width)),
            ListColumn::Server => Cell::from(Span::styled(
                fit(text, width).into_owned(),
                crate::model::origin::server_of(a.id)
                    .filter(|_| !(marked || selected))
                    .map_or(Style::new(), |k| server_style(app, k)),
            )),
            _ => Cell::from(fit(text, width).into_owned()),
        });
    }
    Row::new(cells).style(style)
}

/// The style of server `k`'s name: its profile's colour where it asks
/// one and the theme draws colours, else the theme's `server-N`.
fn server_style(app: &App, k: usize) -> Style {
    let style = app.prefs.theme.server(k);
    let asked = app
        .backend
        .servers
        .get(k)
        .and_then(|s| s.colour.as_deref())
        .and_then(|c| c.parse::<ratatui::style::Color>().ok());
    match asked {
        Some(colour) if style.fg.is_some() => style.fg(colour),
        _ => style,
    }
}

/// The children column: good / pending / bad in their colours, or how
/// many children match.
fn children_line(app: &App, a: &Activity, text: &str, width_limit: usize) -> Line<'static> {
    match a.children_statuses.get() {
        Some(s) if app.list.partial(a).is_none() && width(text) <= width_limit => Line::from(vec![
            Span::styled(s.good.to_string(), app.prefs.theme.good),
            Span::raw("/"),
            Span::styled(s.warning.to_string(), app.prefs.theme.pending),
            Span::raw("/"),
            Span::styled(s.bad.to_string(), app.prefs.theme.bad),
        ]),
        _ if app.list.partial(a).is_some() => Line::from(Span::styled(
            fit(text, width_limit).into_owned(),
            app.prefs.theme.warning,
        )),
        _ => Line::from(fit(text, width_limit).into_owned()),
    }
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
