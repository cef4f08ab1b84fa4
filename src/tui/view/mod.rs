//! Drawing: reads the `App` and draws it. Layout is computed here once so
//! `update` (page sizes, mouse clicks) and drawing agree on it.

mod children;
mod detail;
mod list;
mod popups;
mod progress;
mod query_bar;
mod status_bar;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;

use ratatui::text::{Line, Span};

use super::app::{App, Pane};
use super::theme;

pub use detail::json_lines;
pub use list::thousands;

/// Smallest size drawn; below it the screen says so.
pub const MIN_SIZE: (u16, u16) = (20, 6);
/// Gauges shown at most (more are summarised).
pub const MAX_GAUGES: usize = 4;

pub struct Areas {
    pub query: Rect,
    pub list: Option<Rect>,
    pub children: Option<Rect>,
    pub detail: Option<Rect>,
    /// The tab line over the one pane drawn when the screen is narrow.
    pub tabs: Option<Rect>,
    pub progress: Option<Rect>,
    pub status: Rect,
}

/// Narrower than this, panes are tabs: only the focused one is drawn.
pub const SIDE_BY_SIDE_WIDTH: u16 = 90;

pub fn areas(app: &App) -> Areas {
    let size = app.size;
    let gauges = app.in_flight.len();
    let full = Rect::new(0, 0, size.0, size.1);
    let gauge_rows = if gauges == 0 || size.1 < 16 {
        0
    } else {
        gauges.min(MAX_GAUGES) as u16 + 2
    };
    let [query, body, progress, status] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(1),
        Constraint::Length(gauge_rows),
        Constraint::Length(1),
    ])
    .areas(full);
    let mut a = Areas {
        query,
        list: None,
        children: None,
        detail: None,
        tabs: None,
        progress: (gauge_rows > 0).then_some(progress),
        status,
    };
    if app.tabbed() {
        let [tabs, pane] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(body);
        a.tabs = Some(tabs);
        match app.focus {
            Pane::List => a.list = Some(pane),
            Pane::Children => a.children = Some(pane),
            Pane::Detail => a.detail = Some(pane),
        }
    } else {
        let [list, right] =
            Layout::horizontal([Constraint::Percentage(64), Constraint::Percentage(36)])
                .areas(body);
        let [children, detail] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(right);
        a.list = Some(list);
        a.children = Some(children);
        a.detail = Some(detail);
    }
    a
}

/// Table rows that fit in the list pane (inside its border, under its header).
pub fn list_rows(app: &App) -> u16 {
    list_area(app).height.saturating_sub(3)
}

/// Where the list is, or would be when its tab is shown.
pub fn list_area(app: &App) -> Rect {
    let a = areas(app);
    a.list.or(a.children).or(a.detail).unwrap_or(a.query)
}

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        frame.render_widget(
            Paragraph::new(format!(
                "terminal too small: {}×{}, need {}×{}",
                area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
            )),
            area,
        );
        return;
    }
    let a = areas(app);
    query_bar::draw(frame, app, a.query);
    if let Some(r) = a.tabs {
        tabs(frame, app, r);
    }
    if let Some(r) = a.list {
        list::draw(frame, app, r);
    }
    if let Some(r) = a.children {
        children::draw(frame, app, r);
    }
    if let Some(r) = a.detail {
        detail::draw(frame, app, r);
    }
    if let Some(r) = a.progress {
        progress::draw(frame, app, r);
    }
    status_bar::draw(frame, app, a.status);
    popups::draw(frame, app, &a);
}

/// The first frame of a large start: what it is doing and how far it got.
pub fn starting(frame: &mut Frame, what: &str, done: &str, ratio: f64) {
    let area = frame.area();
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(5),
        Constraint::Fill(1),
    ])
    .areas(area);
    let [_, middle, _] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Max(70),
        Constraint::Fill(1),
    ])
    .areas(middle);
    let block = ratatui::widgets::Block::bordered()
        .title(format!(" landscape-tui — {what} "))
        .border_style(theme::focused_border());
    let [gauge, hint] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(block.inner(middle));
    frame.render_widget(block, middle);
    frame.render_widget(
        ratatui::widgets::Gauge::default()
            .ratio(ratio.clamp(0.0, 1.0))
            .label(done.to_owned())
            .gauge_style(theme::selected()),
        gauge,
    );
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled("q quits", theme::dim()))),
        hint,
    );
}

/// `Activities │ Children │ Detail`, the focused one highlighted.
fn tabs(frame: &mut Frame, app: &App, area: Rect) {
    let mut spans = Vec::new();
    for (pane, name) in [
        (Pane::List, "Activities"),
        (Pane::Children, "Children"),
        (Pane::Detail, "Detail"),
    ] {
        if !spans.is_empty() {
            spans.push(Span::styled(" │ ", theme::dim()));
        }
        let style = if pane == app.focus {
            theme::selected()
        } else {
            theme::dim()
        };
        spans.push(Span::styled(format!(" {name} "), style));
    }
    spans.push(Span::styled("  Tab switches", theme::dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
