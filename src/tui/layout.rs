//! Where each pane is, from the screen size and the app's mode: computed
//! here once, so drawing, page sizes and mouse clicks agree.

use ratatui::layout::{Constraint, Layout, Rect};

use super::app::{App, Pane};

/// Smallest size drawn; below it the screen says so.
pub const MIN_SIZE: (u16, u16) = (20, 6);
/// Gauges shown at most (more are summarised).
pub const MAX_GAUGES: usize = 4;

pub struct Areas {
    pub query: Rect,
    pub list: Option<Rect>,
    pub children: Option<Rect>,
    pub detail: Option<Rect>,
    /// The zoomed detail's text view, beside the JSON.
    pub detail_text: Option<Rect>,
    /// The tab line over the one pane drawn when the screen is narrow.
    pub tabs: Option<Rect>,
    pub progress: Option<Rect>,
    /// The health picture over the panes.
    pub health: Option<Rect>,
    pub status: Rect,
}

/// Rows of the health picture: the stacked bar, and the legend with the
/// failures per hour.
pub const HEALTH_ROWS: u16 = 2;

/// Narrower than this, panes are tabs: only the focused one is drawn
/// (side by side, the list's summary would get under 20 columns).
pub const SIDE_BY_SIDE_WIDTH: u16 = 110;

pub fn areas(app: &App) -> Areas {
    let size = app.screen.size;
    let gauges = app.fleet.in_flight.len() + app.fleet.operations.len();
    let full = Rect::new(0, 0, size.0, size.1);
    // A zoomed pane takes the gauges' rows too.
    let gauge_rows = if gauges == 0 || size.1 < 16 || app.screen.zoomed || app.prefs.gauges_hidden {
        0
    } else {
        gauges.min(MAX_GAUGES) as u16 + 2
    };
    let health_rows = if app.health.shown && size.1 >= 12 && !app.screen.zoomed {
        HEALTH_ROWS
    } else {
        0
    };
    let [query, health, body, progress, status] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(health_rows),
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
        detail_text: None,
        tabs: None,
        progress: (gauge_rows > 0).then_some(progress),
        health: (health_rows > 0).then_some(health),
        status,
    };
    if app.screen.zoomed {
        match app.screen.focus {
            Pane::List => a.list = Some(body),
            Pane::Children => a.children = Some(body),
            Pane::Detail => {
                let [text, json] =
                    Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                        .areas(body);
                a.detail_text = Some(text);
                a.detail = Some(json);
            }
        }
    } else if tabbed(app) {
        let [tabs, pane] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(body);
        a.tabs = Some(tabs);
        match app.screen.focus {
            Pane::List => a.list = Some(pane),
            Pane::Children => a.children = Some(pane),
            Pane::Detail => a.detail = Some(pane),
        }
    } else {
        // Below 140 columns the list's share grows, so its summary keeps
        // room.
        let share = if size.0 < 140 { 70 } else { 64 };
        let [list, right] = Layout::horizontal([
            Constraint::Percentage(share),
            Constraint::Percentage(100 - share),
        ])
        .areas(body);
        let [children, detail] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(right);
        a.list = Some(list);
        a.children = Some(children);
        a.detail = Some(detail);
    }
    a
}

/// Whether the screen is too narrow for the panes side by side: then
/// only the focused pane is drawn, under a tab line.
pub fn tabbed(app: &App) -> bool {
    app.screen.size.0 < SIDE_BY_SIDE_WIDTH
}

/// Rows the list pane has room for at the current size.
pub fn list_height(app: &App) -> u64 {
    u64::from(list_rows(app))
}

/// How far the detail scrolls: until its longest view (the JSON, or
/// zoomed, the text beside it) shows its last line at the bottom.
pub fn detail_last_scroll(app: &App) -> u16 {
    let a = areas(app);
    let Some(detail) = a.detail else {
        return 0;
    };
    let shown = usize::from(detail.height.saturating_sub(2));
    let json = app
        .detail_activity()
        .and_then(|a| serde_json::to_string_pretty(a).ok())
        .map_or(0, |j| j.lines().count());
    let text = if a.detail_text.is_some() {
        detail_text_lines(app).len()
    } else {
        0
    };
    // Unzoomed, why it waits takes rows above the JSON.
    let inner = Rect::new(
        0,
        0,
        detail.width.saturating_sub(2),
        detail.height.saturating_sub(2),
    );
    let why = match app.detail_activity() {
        Some(act) if a.detail_text.is_none() && shown > 4 => {
            waiting_lines(app, act).map_or(0, |why| usize::from(why_rows(&why, inner)))
        }
        _ => 0,
    };
    u16::try_from((json + why).max(text).saturating_sub(shown)).unwrap_or(u16::MAX)
}

/// Rows "why it waits" takes over the detail's JSON in `inner`: its
/// lines wrapped, at most half the pane.
pub fn why_rows(why: &[String], inner: Rect) -> u16 {
    let cols = usize::from(inner.width.max(1));
    let rows: usize = why
        .iter()
        .map(|l| crate::printable::width(l).max(1).div_ceil(cols))
        .sum();
    u16::try_from(rows)
        .unwrap_or(u16::MAX)
        .min(inner.height / 2)
}

/// The zoomed detail's text view, wrapped to its width.
pub fn detail_text_lines(app: &App) -> Vec<String> {
    let width = detail_text_width(app);
    match app.detail_activity() {
        Some(a) if width > 0 => super::detail_text::wrap(
            &super::detail_text::lines(
                a,
                &app.fleet.computer_titles,
                app.clock.offset,
                waiting_lines(app, a),
            ),
            width,
        ),
        _ => Vec::new(),
    }
}

/// Why the detail's activity waits: its own verdict, or a group's line
/// about its children's computers.
pub fn waiting_lines(app: &App, a: &crate::model::Activity) -> Option<Vec<String>> {
    if a.is_parent() {
        return app
            .group_waiting()
            .filter(|_| app.children.parent == Some(a.id))
            .map(|l| vec![l]);
    }
    app.why_waiting(a)
}

/// Table rows that fit in the list pane (inside its border, under its header).
pub fn list_rows(app: &App) -> u16 {
    list_table(list_area(app)).height
}

/// The rows of the list's table inside `pane`: under the top border and
/// the header line, above the bottom border.
pub fn list_table(pane: Rect) -> Rect {
    Rect {
        x: pane.x.saturating_add(1),
        y: pane.y.saturating_add(2),
        width: pane.width.saturating_sub(2),
        height: pane.height.saturating_sub(3),
    }
}

/// Columns of text inside the zoomed detail's text view.
pub fn detail_text_width(app: &App) -> usize {
    areas(app)
        .detail_text
        .map_or(0, |r| usize::from(r.width.saturating_sub(2)))
}

/// Where the list is, or would be when its tab is shown.
pub fn list_area(app: &App) -> Rect {
    let a = areas(app);
    a.list.or(a.children).or(a.detail).unwrap_or(a.query)
}
