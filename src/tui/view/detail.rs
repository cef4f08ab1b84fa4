//! The selected activity's full JSON, as the API sent it (unknown fields
//! included), syntax-coloured by a small tokenizer over serde's output.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::tui::app::{App, Pane};
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let focused = app.focus == Pane::Detail && !app.editing;
    let (title, lines) = match app.detail_activity() {
        Some(a) => (
            format!(" Activity {} — y copies ", a.id),
            json_lines(
                &serde_json::to_string_pretty(a).unwrap_or_default(),
                &app.theme,
            ),
        ),
        None => (
            " Detail ".to_owned(),
            vec![Line::from(Span::styled("nothing selected", app.theme.dim))],
        ),
    };
    let block = Block::bordered().title(title).border_style(if focused {
        app.theme.focused_border
    } else {
        app.theme.border
    });
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((app.detail_scroll, 0)),
        area,
    );
}

/// Colours pretty-printed JSON: keys, strings, numbers, literals.
pub fn json_lines(json: &str, theme: &Theme) -> Vec<Line<'static>> {
    json.lines().map(|l| json_line(l, theme)).collect()
}

fn json_line(line: &str, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    let mut rest = line;
    while !rest.is_empty() {
        let c = rest.chars().next().unwrap_or(' ');
        if c == '"' {
            let end = string_end(rest);
            let (token, after) = rest.split_at(end);
            let is_key = after.trim_start().starts_with(':');
            let style = if is_key {
                theme.json_key
            } else {
                theme.json_value
            };
            spans.push(Span::styled(token.to_owned(), style));
            rest = after;
        } else if c == '-' || c.is_ascii_digit() {
            let end = rest
                .find(|ch: char| !(ch.is_ascii_digit() || "+-.eE".contains(ch)))
                .unwrap_or(rest.len());
            spans.push(Span::styled(rest[..end].to_owned(), theme.json_number));
            rest = &rest[end..];
        } else if let Some(word) = ["true", "false", "null"]
            .into_iter()
            .find(|w| rest.starts_with(w))
        {
            spans.push(Span::styled(word.to_owned(), theme.json_literal));
            rest = &rest[word.len()..];
        } else {
            let end = rest
                .find(|ch: char| {
                    ch == '"'
                        || ch == '-'
                        || ch.is_ascii_digit()
                        || ch == 't'
                        || ch == 'f'
                        || ch == 'n'
                })
                .filter(|&i| i > 0)
                .unwrap_or(c.len_utf8());
            spans.push(Span::raw(rest[..end].to_owned()));
            rest = &rest[end..];
        }
    }
    Line::from(spans)
}

/// Byte length of the JSON string at the start of `s`, quotes included.
fn string_end(s: &str) -> usize {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return i + 1,
            _ => escaped = false,
        }
    }
    s.len()
}
