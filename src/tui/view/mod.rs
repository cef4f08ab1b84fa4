//! Drawing: reads the `App` and draws it, in the rectangles `layout` gives.

mod children;

mod detail;
mod health;
mod list;
mod popups;
mod progress;
mod query_bar;
mod status_bar;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

pub use super::layout::{MIN_SIZE, areas};
use ratatui::widgets::Paragraph;

use ratatui::text::{Line, Span};

use super::app::{App, Pane};
use super::keys::{Context, KeyAction, Keymap};
use super::theme::Theme;

pub use crate::tui::dialogs::help::lines as help_lines;
pub use detail::json_lines;

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
    if let Some(r) = a.detail_text {
        detail::draw_text(frame, app, r);
    }
    if let Some(r) = a.health {
        health::draw(frame, app, r);
    }
    if let Some(r) = a.progress {
        progress::draw(frame, app, r);
    }
    status_bar::draw(frame, app, a.status);
    popups::draw(frame, app, &a);
}

/// The first frame of a large start: what it is doing and how far it got.
pub fn starting(
    frame: &mut Frame,
    theme: &Theme,
    keymap: &Keymap,
    what: &str,
    done: &str,
    ratio: f64,
) {
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
        .border_style(theme.focused_border);
    let [gauge, hint] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(block.inner(middle));
    frame.render_widget(block, middle);
    frame.render_widget(
        ratatui::widgets::Gauge::default()
            .ratio(ratio.clamp(0.0, 1.0))
            .label(done.to_owned())
            .gauge_style(theme.selected),
        gauge,
    );
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(
            format!("{} quits", keymap.first(Context::Panes, KeyAction::Quit)),
            theme.dim,
        ))),
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
            spans.push(Span::styled(" │ ", app.prefs.theme.dim));
        }
        let style = if pane == app.screen.focus {
            app.prefs.theme.selected
        } else {
            app.prefs.theme.dim
        };
        spans.push(Span::styled(format!(" {name} "), style));
    }
    spans.push(Span::styled(
        format!(
            "  {} switches",
            app.prefs.keymap.first(Context::Panes, KeyAction::NextPane)
        ),
        app.prefs.theme.dim,
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
