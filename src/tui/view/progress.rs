//! Gauges for long-running activities in flight (pocket syncs, release
//! upgrades, provisioning); shown only while there are any.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Gauge};

use crate::printable::{printable, thousands};
use crate::tui::app::App;
use crate::tui::layout::MAX_GAUGES;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let (count, at_least) = app.fleet.in_flight_count;
    let count = count.max(app.fleet.in_flight.len() as u64);
    let shown = app.fleet.in_flight.len().min(MAX_GAUGES) as u64;
    let more = count.saturating_sub(shown);
    let plus = if at_least { "+" } else { "" };
    let title = if more > 0 {
        format!(
            " In progress: {}{plus} (+{}{plus} more) ",
            thousands(count),
            thousands(more)
        )
    } else {
        format!(" In progress: {count} ")
    };
    let block = Block::bordered()
        .title(title)
        .border_style(app.prefs.theme.border);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let shown = app
        .fleet
        .in_flight
        .iter()
        .take(MAX_GAUGES)
        .collect::<Vec<_>>();
    let rows = Layout::vertical(vec![Constraint::Length(1); shown.len()]).split(inner);
    for (a, row) in shown.into_iter().zip(rows.iter()) {
        let p = a.progress.copied().unwrap_or(0);
        let summary = match app.server_of(a.id) {
            Some(server) => format!("{}: {}", printable(server), printable(&a.summary)),
            None => printable(&a.summary).into_owned(),
        };
        let gauge = if p < 0 {
            Gauge::default()
                .gauge_style(app.prefs.theme.gauge_failed)
                .ratio(1.0)
                .label(format!("{summary} — failed"))
        } else {
            Gauge::default()
                .gauge_style(app.prefs.theme.gauge)
                .ratio((p.clamp(0, 100) as f64) / 100.0)
                .label(format!("{summary} {p}%"))
        };
        frame.render_widget(gauge, *row);
    }
}
