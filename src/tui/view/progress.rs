//! Gauges for long-running activities in flight (pocket syncs, release
//! upgrades, provisioning); shown only while there are any.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Gauge};

use crate::printable::{bounded, printable, thousands};
use crate::tui::app::App;
use crate::tui::layout::MAX_GAUGES;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let (count, at_least) = app.fleet.in_flight_count;
    let operations = app.fleet.operations.len();
    let count = count.max(app.fleet.in_flight.len() as u64) + operations as u64;
    let shown = (app.fleet.in_flight.len() + operations).min(MAX_GAUGES) as u64;
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
    // Landscape 26.04's operations first (a few mirrors at most, each
    // said so), then the activities.
    let activities = app.fleet.in_flight.iter().map(|a| activity_gauge(app, a));
    let operations = app.fleet.operations.iter().map(|op| {
        let p = op.percent();
        Gauge::default()
            .gauge_style(app.prefs.theme.gauge)
            .ratio(f64::from(p) / 100.0)
            .label(format!("operation: {} {p}%", bounded(op.title(), 200)))
    });
    let gauges: Vec<Gauge> = operations.chain(activities).take(MAX_GAUGES).collect();
    let rows = Layout::vertical(vec![Constraint::Length(1); gauges.len()]).split(inner);
    for (gauge, row) in gauges.into_iter().zip(rows.iter()) {
        frame.render_widget(gauge, *row);
    }
}

fn activity_gauge<'a>(app: &App, a: &crate::model::Activity) -> Gauge<'a> {
    let p = a.progress.copied().unwrap_or(0);
    let summary = match app.server_of(a.id) {
        Some(server) => format!("{}: {}", printable(server), printable(&a.summary)),
        None => printable(&a.summary).into_owned(),
    };
    if p < 0 {
        Gauge::default()
            .gauge_style(app.prefs.theme.gauge_failed)
            .ratio(1.0)
            .label(format!("{summary} — failed"))
    } else {
        Gauge::default()
            .gauge_style(app.prefs.theme.gauge)
            .ratio((p.clamp(0, 100) as f64) / 100.0)
            .label(format!("{summary} {p}%"))
    }
}
