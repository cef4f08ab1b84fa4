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

use super::app::App;

pub use detail::json_lines;

/// Smallest size drawn; below it the screen says so.
pub const MIN_SIZE: (u16, u16) = (20, 6);
/// Gauges shown at most (more are summarised).
pub const MAX_GAUGES: usize = 4;

pub struct Areas {
    pub query: Rect,
    pub list: Rect,
    pub children: Option<Rect>,
    pub detail: Option<Rect>,
    pub progress: Option<Rect>,
    pub status: Rect,
}

pub fn areas(size: (u16, u16), gauges: usize) -> Areas {
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
    let (list, children, detail) = if size.0 >= 90 {
        let [list, right] =
            Layout::horizontal([Constraint::Percentage(64), Constraint::Percentage(36)])
                .areas(body);
        let [children, detail] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(right);
        (list, Some(children), Some(detail))
    } else {
        (body, None, None)
    };
    Areas {
        query,
        list,
        children,
        detail,
        progress: (gauge_rows > 0).then_some(progress),
        status,
    }
}

/// Table rows that fit in the list pane (inside its border, under its header).
pub fn list_rows(size: (u16, u16), gauges: usize) -> u16 {
    areas(size, gauges).list.height.saturating_sub(3)
}

pub fn list_area(size: (u16, u16), gauges: usize) -> Rect {
    areas(size, gauges).list
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
    let a = areas((area.width, area.height), app.in_flight.len());
    query_bar::draw(frame, app, a.query);
    list::draw(frame, app, a.list);
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
