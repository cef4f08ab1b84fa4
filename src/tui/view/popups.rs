//! Modal boxes: each popup of `tui::dialogs` boxed over the screen, and
//! the completion lists under the query bar and over the status line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::printable::printable;
use crate::tui::app::{App, Dialog};
use crate::tui::dialogs::{
    action_log, clusters, confirm, copy_menu, help, messages, operations, refusals, rollouts,
    run_command, scrolled_title, switch_profile, watches,
};
use crate::tui::layout::Areas;
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, app: &App, areas: &Areas) {
    if app.query.editing
        && let Some(c) = &app.query.editor.completions
        && !c.items.is_empty()
    {
        completion(frame, app, areas.query, c);
    }
    if app.prompt.kind.is_some() && !app.prompt.line.completions.is_empty() {
        command_completions(frame, app, areas.status);
    }
    let theme = &app.prefs.theme;
    match &app.dialog {
        Some(Dialog::Confirm(c)) => boxed(
            frame,
            theme,
            &format!(" {} ", confirm::title(c.kind)),
            confirm::lines(app, c),
        ),
        Some(Dialog::Refusals(r)) => boxed(frame, theme, " Refused ", refusals::lines(app, r)),
        Some(Dialog::SwitchProfile(s)) => boxed(
            frame,
            theme,
            " Switch profile ",
            switch_profile::lines(app, &s.name, s.marks),
        ),
        Some(Dialog::RunCommand(r)) => boxed(
            frame,
            theme,
            &format!(" Run {} ", printable(&r.name)),
            run_command::lines(app, &r.argv, r.mode),
        ),
        Some(Dialog::CopyMenu(c)) => {
            boxed(frame, theme, " Copy ", copy_menu::lines(app, c.selected))
        }
        Some(Dialog::Clusters) => clusters::draw(frame, app),
        Some(Dialog::Watches(w)) => boxed(
            frame,
            theme,
            " Watches (newest first) ",
            watches::lines(app, w.selected),
        ),
        Some(Dialog::Rollouts(r)) => boxed(
            frame,
            theme,
            " Rollouts (newest first) ",
            rollouts::lines(app, r.selected),
        ),
        Some(Dialog::Operations(o)) => boxed(
            frame,
            theme,
            " Operations (Enter shows one whole) ",
            operations::lines(app, o),
        ),
        Some(Dialog::ActionLog(l)) => boxed(
            frame,
            theme,
            " Action log (newest first) ",
            action_log::lines(app, l.selected),
        ),
        Some(Dialog::Messages(m)) => {
            let title = scrolled_title(&app.prefs.keymap, "Messages, newest first");
            boxed(frame, theme, &title, messages::lines(app, m.scroll));
        }
        Some(Dialog::Help(h)) => {
            let title = scrolled_title(&app.prefs.keymap, "Keys");
            boxed_at(frame, theme, &title, help::lines(app), h.scroll);
        }
        None => {}
    }
}

fn boxed(frame: &mut Frame, theme: &Theme, title: &str, lines: Vec<Line<'_>>) {
    boxed_at(frame, theme, title, lines, 0);
}

/// A box as tall as all its lines (or the screen), scrolled down by
/// `scroll` lines but never past its last full page: scrolling keeps the
/// box's size and never shows it empty.
fn boxed_at(frame: &mut Frame, theme: &Theme, title: &str, lines: Vec<Line<'_>>, scroll: u16) {
    let area = frame.area();
    let width = area.width.saturating_sub(4).min(90);
    // Wrapped lines take more than one row each.
    let inner = usize::from(width.saturating_sub(2)).max(1);
    // As the paragraph wraps them (at words), not as their width divides.
    let rows_of = |l: &Line| {
        Paragraph::new(l.clone())
            .wrap(Wrap { trim: false })
            .line_count(inner as u16)
            .max(1)
    };
    let rows: usize = lines.iter().map(rows_of).sum();
    let height = u16::try_from(rows + 2)
        .unwrap_or(u16::MAX)
        .min(area.height.saturating_sub(2))
        .max(3);
    // Scrolled by rows, never past a full last page: the box keeps its
    // size and its last row shows the last line's end.
    let visible = usize::from(height - 2);
    let wanted: usize = lines.iter().take(usize::from(scroll)).map(rows_of).sum();
    let top = u16::try_from(wanted.min(rows.saturating_sub(visible))).unwrap_or(u16::MAX);
    let [row] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(row);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((top, 0))
            .block(
                Block::bordered()
                    .title(title.to_owned())
                    .border_style(theme.focused_border),
            ),
        rect,
    );
}

fn completion(frame: &mut Frame, app: &App, query: Rect, c: &crate::query::Completions) {
    let screen = frame.area();
    let shown = c.items.len().min(8) as u16;
    let width = c
        .items
        .iter()
        .map(|i| i.text.chars().count() + i.detail.chars().count() + 4)
        .max()
        .unwrap_or(10) as u16;
    let x = (query.x + 1 + c.replace.start as u16).min(screen.width.saturating_sub(width + 2));
    let rect = Rect::new(
        x,
        query.bottom().min(screen.height.saturating_sub(1)),
        (width + 2).min(screen.width),
        (shown + 2).min(screen.height.saturating_sub(query.bottom())),
    );
    let lines = c.items.iter().map(|item| {
        Line::from(vec![
            Span::raw(item.text.clone()),
            Span::styled(format!("  {}", item.detail), app.prefs.theme.dim),
        ])
    });
    choices(frame, app, rect, lines, app.query.editor.completion);
}

/// A bordered list of choices in `rect`, scrolled so `selected` shows,
/// which is highlighted.
fn choices<'a>(
    frame: &mut Frame,
    app: &App,
    rect: Rect,
    lines: impl Iterator<Item = Line<'a>>,
    selected: usize,
) {
    let shown = usize::from(rect.height.saturating_sub(2)).max(1);
    let start = selected.saturating_sub(shown - 1);
    let lines: Vec<Line> = lines
        .enumerate()
        .skip(start)
        .take(shown)
        .map(|(i, line)| {
            if i == selected {
                line.style(app.prefs.theme.selected)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().border_style(app.prefs.theme.focused_border)),
        rect,
    );
}

/// The command line's completions, over the status line.
fn command_completions(frame: &mut Frame, app: &App, status: Rect) {
    let items = &app.prompt.line.completions;
    let shown = items.len().min(8) as u16;
    let width = items
        .iter()
        .map(|i| i.chars().count() + 2)
        .max()
        .unwrap_or(10) as u16;
    let height = (shown + 2).min(status.y);
    let rect = Rect::new(
        status.x,
        status.y.saturating_sub(height),
        (width + 2).min(status.width),
        height,
    );
    let lines = items.iter().map(|item| Line::from(format!(":{item}")));
    choices(frame, app, rect, lines, app.prompt.line.completion);
}
