//! The health picture: the query's activities by status as one stacked
//! bar, and its failures per hour over the last day as a sparkline.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};

use crate::backend::health::{HOURS, Health};
use crate::printable::{printable, thousands};
use crate::tui::app::App;
use crate::tui::theme::status_symbol;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let [bar, second] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let h = &app.health;
    let Some(health) = &h.health else {
        let text = match &h.error {
            Some(e) => Span::styled(format!("health: {}", printable(e)), app.prefs.theme.error),
            None => Span::styled("health: counting …", app.prefs.theme.dim),
        };
        frame.render_widget(Paragraph::new(Line::from(text)), bar);
        return;
    };
    frame.render_widget(Paragraph::new(stacked_bar(app, health, bar.width)), bar);
    let spark_width = HOURS as u16;
    let total_failed: u64 = health.failed_per_hour.iter().sum();
    // The sparkline's scale is its busiest hour.
    let label = format!(
        " {} failed in 24 h, per hour (max {}): ",
        thousands(total_failed),
        thousands(health.failed_per_hour.iter().copied().max().unwrap_or(0))
    );
    let label = if usize::from(second.width) < 120 {
        format!(
            " ✘ 24 h, max {}/h: ",
            thousands(health.failed_per_hour.iter().copied().max().unwrap_or(0))
        )
    } else {
        label
    };
    let label_width = crate::printable::width(&label) as u16;
    let [counts, label_area, spark] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(label_width),
        Constraint::Length(spark_width),
    ])
    .areas(second);
    let mut spans = legend(app, health, usize::from(counts.width));
    if h.loading {
        spans.push(Span::styled("…", app.prefs.theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), counts);
    frame.render_widget(
        Paragraph::new(Span::styled(label, app.prefs.theme.dim)),
        label_area,
    );
    frame.render_widget(
        Sparkline::default()
            .data(&health.failed_per_hour)
            .style(app.prefs.theme.failed),
        spark,
    );
}

/// The statuses present with their counts, what needs a look first;
/// symbols and counts alone when the names do not fit.
fn legend(app: &App, health: &Health, room: usize) -> Vec<Span<'static>> {
    use crate::model::ActivityStatus as S;
    const ORDER: [S; 9] = [
        S::Failed,
        S::Canceled,
        S::Unapproved,
        S::Blocked,
        S::Waiting,
        S::Undelivered,
        S::Scheduled,
        S::Delivered,
        S::Succeeded,
    ];
    let present: Vec<(&S, u64)> = ORDER
        .iter()
        .filter_map(|s| {
            let n = health.by_status.iter().find(|(x, _)| x == s)?.1;
            (n > 0).then_some((s, n))
        })
        .collect();
    if present.is_empty() {
        return vec![Span::styled("nothing matches", app.prefs.theme.dim)];
    }
    let long: Vec<String> = present
        .iter()
        .map(|(s, n)| {
            format!(
                "{} {} {} ",
                status_symbol(Some(s)),
                s.as_str(),
                thousands(*n)
            )
        })
        .collect();
    let fits = long
        .iter()
        .map(|t| crate::printable::width(t))
        .sum::<usize>()
        <= room;
    // Whole entries only: a count cut short would read as another number.
    let mut used = 0;
    let mut spans = Vec::new();
    for ((s, n), long) in present.iter().zip(long) {
        let (_, style) = app.prefs.theme.status(Some(s));
        let text = if fits {
            long
        } else {
            format!("{}{} ", status_symbol(Some(s)), thousands(*n))
        };
        let w = crate::printable::width(&text);
        if used + w > room {
            spans.push(Span::styled("…", app.prefs.theme.dim));
            break;
        }
        used += w;
        spans.push(Span::styled(text, style));
    }
    spans
}

/// One row: each status a run of blocks as wide as its share (largest
/// remainders get the spare cells; a status with any activity gets one).
fn stacked_bar(app: &App, health: &Health, width: u16) -> Line<'static> {
    let total = health.total();
    let width = usize::from(width);
    if total == 0 || width == 0 {
        return Line::from(Span::styled("─".repeat(width), app.prefs.theme.dim));
    }
    let shares = cells(
        &health.by_status.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
        width,
    );
    let spans: Vec<Span> = health
        .by_status
        .iter()
        .zip(shares)
        .filter(|(_, w)| *w > 0)
        .map(|((status, _), w)| {
            let (_, style) = app.prefs.theme.status(Some(status));
            Span::styled("█".repeat(w), style)
        })
        .collect();
    Line::from(spans)
}

/// `counts` shared out over `width` cells in proportion; every non-zero
/// count gets at least one cell while there are cells to give.
pub fn cells(counts: &[u64], width: usize) -> Vec<usize> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let exact: Vec<f64> = counts
        .iter()
        .map(|n| *n as f64 * width as f64 / total as f64)
        .collect();
    let mut out: Vec<usize> = exact
        .iter()
        .zip(counts)
        .map(|(x, n)| {
            if *n > 0 {
                (x.floor() as usize).max(1)
            } else {
                0
            }
        })
        .collect();
    // Largest remainders first, until the row is full; too many, the
    // largest give back.
    let mut order: Vec<usize> = (0..counts.len()).filter(|i| counts[*i] > 0).collect();
    order.sort_by(|a, b| {
        (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor()))
    });
    let mut used: usize = out.iter().sum();
    for i in order.iter().cycle().take(order.len() * 2) {
        if used >= width {
            break;
        }
        out[*i] += 1;
        used += 1;
    }
    while used > width {
        let Some(i) = (0..out.len()).max_by_key(|i| out[*i]) else {
            break;
        };
        out[i] -= 1;
        used -= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{cells, legend};
    use crate::backend::BackendInfo;
    use crate::backend::health::Health;
    use crate::model::ActivityStatus as S;

    #[test]
    fn a_legend_short_of_room_keeps_whole_counts() {
        let app = crate::tui::app::App::new(BackendInfo::embedded_engine(), false, vec![]);
        let health = Health {
            query: String::new(),
            by_status: vec![
                (S::Failed, 158_306),
                (S::Canceled, 61_370),
                (S::Unapproved, 17_251),
                (S::Succeeded, 700_000),
            ],
            failed_per_hour: vec![0; 24],
            since: chrono::Utc::now(),
        };
        let text = |room| -> String {
            legend(&app, &health, room)
                .iter()
                .map(|s| s.content.to_string())
                .collect()
        };
        assert!(text(200).contains("failed 158,306"), "{}", text(200));
        let short = text(22);
        assert!(short.starts_with("✘158,306 ⊘61,370 "), "{short}");
        assert!(short.ends_with('…') && !short.contains("17,"), "{short}");
    }

    #[test]
    fn the_bar_shares_the_row_and_shows_every_status_present() {
        assert_eq!(cells(&[50, 50], 10), [5, 5]);
        let c = cells(&[1_000_000, 1, 0, 3], 40);
        assert_eq!(c.iter().sum::<usize>(), 40);
        assert!(c[1] >= 1 && c[3] >= 1 && c[2] == 0, "{c:?}");
        assert_eq!(cells(&[0, 0], 10), [0, 0]);
        assert_eq!(cells(&[3, 3, 3], 10).iter().sum::<usize>(), 10);
    }
}
