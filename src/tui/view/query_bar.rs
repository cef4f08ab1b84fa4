//! The query bar: the search language highlighted as typed, the error
//! pointed at, and its message.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::query::{HighlightKind, ParseOptions, highlight};
use crate::tui::app::App;
use crate::tui::keys::{Context, KeyAction};
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let text = if app.query.editing {
        app.query.editor.text()
    } else {
        app.query.applied.as_str()
    };
    let types = app.fleet.values.types.clone();
    let spans = highlighted(
        text,
        &app.parse_options(&types),
        app.query.editing,
        &app.prefs.theme,
    );
    let key = |context, action| app.prefs.keymap.first(context, action);
    let title = if app.query.editing {
        format!(
            " Query — {} run · {} back · {} complete · {}{} history ",
            key(Context::Editor, KeyAction::RunQuery),
            key(Context::Editor, KeyAction::LeaveEditor),
            key(Context::Editor, KeyAction::Complete),
            key(Context::Editor, KeyAction::HistoryBack),
            key(Context::Editor, KeyAction::HistoryForward),
        )
    } else {
        format!(
            " Query ({} to edit) ",
            key(Context::Panes, KeyAction::EditQuery)
        )
    };
    let mut block = Block::bordered()
        .title(title)
        .border_style(if app.query.editing {
            app.prefs.theme.focused_border
        } else {
            app.prefs.theme.border
        });
    if let Some(e) = app
        .query
        .error
        .as_ref()
        .filter(|_| app.query.editing || !app.query.applied.is_empty())
    {
        block = block.title_bottom(Line::from(Span::styled(
            format!(" ✘ {} ", e.message),
            app.prefs.theme.error,
        )));
    } else if let Some(w) = &app.query.warning {
        block = block.title_bottom(Line::from(Span::styled(
            format!(" ⚠ {} ", w.message),
            app.prefs.theme.warning,
        )));
    } else if text.is_empty() && !app.query.editing {
        block = block.title_bottom(Line::from(Span::styled(
            " all activities ",
            app.prefs.theme.dim,
        )));
    } else if !app.query.editing
        && let Some(label) = computers_named(text, app)
    {
        block = block.title_bottom(Line::from(Span::styled(label, app.prefs.theme.dim)));
    }
    let inner_width = area.width.saturating_sub(2) as usize;
    let scroll = if app.query.editing {
        app.query.editor.input.visual_scroll(inner_width)
    } else {
        0
    };
    frame.render_widget(
        Paragraph::new(Line::from(spans))
            .block(block)
            .scroll((0, scroll as u16)),
        area,
    );
    if app.query.editing && app.dialog.is_none() {
        let x = area.x
            + 1
            + (app
                .query
                .editor
                .input
                .visual_cursor()
                .saturating_sub(scroll)) as u16;
        frame.set_cursor_position(Position::new(
            x.min(area.right().saturating_sub(2)),
            area.y + 1,
        ));
    }
}

/// " web-07 · Esc back ": the titles of the computers a query names by
/// id (a jump's `computer:id:N`), and the way back when there is one.
fn computers_named(text: &str, app: &App) -> Option<String> {
    let titles: Vec<&str> = text
        .split_whitespace()
        .filter_map(|t| t.strip_prefix("computer:id:")?.parse::<u64>().ok())
        .filter_map(|id| app.fleet.computer_titles.get(&id).map(String::as_str))
        .collect();
    if titles.is_empty() {
        return None;
    }
    let back = if app.query.came_from.is_empty() {
        String::new()
    } else {
        format!(
            " · {} back",
            app.prefs.keymap.first(Context::Panes, KeyAction::Back)
        )
    };
    Some(format!(" {}{back} ", titles.join(", ")))
}

/// Spans of `text` styled by kind; errors underlined.
pub fn highlighted<'a>(
    text: &'a str,
    options: &ParseOptions,
    editing: bool,
    theme: &Theme,
) -> Vec<Span<'a>> {
    if text.is_empty() && editing {
        return vec![Span::styled("status:failed computer:tag:web …", theme.dim)];
    }
    let mut spans = Vec::new();
    let mut at = 0;
    for h in highlight(text, options) {
        if h.span.start > at {
            spans.push(Span::raw(&text[at..h.span.start]));
        }
        let style = match h.kind {
            HighlightKind::Key => theme.query_key,
            HighlightKind::Value => theme.query_value,
            HighlightKind::Keyword => theme.query_keyword,
            HighlightKind::Word => Style::new(),
            HighlightKind::Error => theme.error.add_modifier(Modifier::UNDERLINED),
            HighlightKind::Warning => theme.warning.add_modifier(Modifier::UNDERLINED),
        };
        spans.push(Span::styled(&text[h.span.clone()], style));
        at = h.span.end;
    }
    if at < text.len() {
        spans.push(Span::raw(&text[at..]));
    }
    spans
}
