//! The selected activity's full JSON, as the API sent it (unknown fields
//! included), syntax-coloured by a small tokenizer over serde's output.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::tui::app::{App, Pane};
use crate::tui::keys::{Context, KeyAction};
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let focused = app.screen.focus == Pane::Detail && !app.query.editing;
    let zoomed = app.screen.zoomed && app.screen.focus == Pane::Detail;
    let key = |action| app.prefs.keymap.first(Context::Panes, action);
    let (title, lines) = match app.detail_activity() {
        Some(a) => (
            if zoomed {
                // Open's last key is its sideways one (l, after Enter and →).
                let right = app
                    .prefs
                    .keymap
                    .keys_of(Context::Panes, KeyAction::Open)
                    .last()
                    .map(|k| k.name())
                    .unwrap_or_default();
                format!(
                    " JSON — {} copies, {} / {right} scroll sideways ",
                    key(KeyAction::Copy),
                    key(KeyAction::ScrollLeft)
                )
            } else {
                format!(
                    " Activity {} — {} copies, {} zooms ",
                    app.id_text(a.id),
                    key(KeyAction::Copy),
                    key(KeyAction::Zoom)
                )
            },
            json_lines(
                &serde_json::to_string_pretty(&crate::model::origin::as_served(a))
                    .unwrap_or_default(),
                &app.prefs.theme,
            )
            .into_iter()
            .map(|l| mark_matches(l, &app.detail.search, app.prefs.theme.search_match))
            .collect(),
        ),
        None => (
            " Detail ".to_owned(),
            vec![Line::from(Span::styled(
                "nothing selected",
                app.prefs.theme.dim,
            ))],
        ),
    };
    let block = Block::bordered().title(title).border_style(if focused {
        app.prefs.theme.focused_border
    } else {
        app.prefs.theme.border
    });
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // Why it waits, above the JSON (the zoomed text view has it in full).
    let why = match app.detail_activity() {
        Some(a) if !zoomed => crate::tui::layout::waiting_lines(app, a),
        _ => None,
    };
    let json_area = match why {
        Some(why) if inner.height > 4 => {
            let rows = crate::tui::layout::why_rows(&why, inner);
            let why: Vec<Line> = why
                .into_iter()
                .map(|l| Line::from(Span::styled(l, app.prefs.theme.warning)))
                .collect();
            let para = Paragraph::new(why).wrap(Wrap { trim: false });
            let [top, rest] =
                Layout::vertical([Constraint::Length(rows), Constraint::Fill(1)]).areas(inner);
            frame.render_widget(para, top);
            rest
        }
        _ => inner,
    };
    frame.render_widget(
        Paragraph::new(lines).scroll((
            app.detail.scroll,
            if zoomed { app.detail.hscroll } else { 0 },
        )),
        json_area,
    );
}

/// The zoomed detail's text view: fields, then the result, wrapped; the
/// search's matches marked.
pub fn draw_text(frame: &mut Frame, app: &App, area: Rect) {
    let lines = crate::tui::layout::detail_text_lines(app);
    let title = match app.detail_activity() {
        Some(a) => format!(
            " Activity {} · {} back ",
            app.id_text(a.id),
            app.prefs.keymap.first(Context::Panes, KeyAction::Back)
        ),
        None => " Detail ".to_owned(),
    };
    let found = crate::tui::detail_text::matches(&lines, &app.detail.search).len();
    let mut block = Block::bordered()
        .title(title)
        .border_style(app.prefs.theme.focused_border);
    if app.detail.search.is_empty() {
        block = block.title_bottom(Line::from(Span::styled(" f finds ", app.prefs.theme.dim)));
    } else {
        block = block.title_bottom(Line::from(Span::styled(
            format!(
                " {:?}: {found} matching line{} · n / N ",
                app.detail.search,
                if found == 1 { "" } else { "s" }
            ),
            if found == 0 {
                app.prefs.theme.warning
            } else {
                app.prefs.theme.dim
            },
        )));
    }
    let text: Vec<Line> = lines
        .into_iter()
        .map(|l| {
            mark_matches(
                Line::from(l),
                &app.detail.search,
                app.prefs.theme.search_match,
            )
        })
        .collect();
    frame.render_widget(
        Paragraph::new(text)
            .block(block)
            .scroll((app.detail.scroll, 0)),
        area,
    );
}

/// `line` with each case-insensitive occurrence of `term` in `style`.
fn mark_matches(line: Line<'static>, term: &str, style: ratatui::style::Style) -> Line<'static> {
    if term.is_empty() {
        return line;
    }
    let term = term.to_lowercase();
    let mut spans = Vec::new();
    for span in line.spans {
        let text = span.content.to_string();
        let lower = text.to_lowercase();
        // Lower-casing can change byte lengths: mark only when it did not.
        if lower.len() != text.len() || !lower.contains(&term) {
            spans.push(span);
            continue;
        }
        let mut at = 0;
        for (i, _) in lower.match_indices(&term) {
            if i > at {
                spans.push(Span::styled(text[at..i].to_owned(), span.style));
            }
            spans.push(Span::styled(
                text[i..i + term.len()].to_owned(),
                span.style.patch(style),
            ));
            at = i + term.len();
        }
        if at < text.len() {
            spans.push(Span::styled(text[at..].to_owned(), span.style));
        }
    }
    Line::from(spans).style(line.style)
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
