//! Classifies every span of a query for the query bar, also while it is
//! being typed: keys, values, keywords, bare words, and the error or
//! warnings the parser finds.

use std::ops::Range;

use super::lexer::{Token, TokenKind, first_colon};
use super::{ParseOptions, parse_with};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HighlightKind {
    /// `status:` — the key with its colon.
    Key,
    Value,
    /// `OR`, `NOT`.
    Keyword,
    /// A bare word (matched against summaries).
    Word,
    /// The token the parser refuses.
    Error,
    /// Accepted, but the server will judge it (lenient mode).
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    pub span: Range<usize>,
    pub kind: HighlightKind,
}

/// Spans in order, covering every token of `input` (whitespace between
/// tokens is left out).
pub fn highlight(input: &str, options: &ParseOptions) -> Vec<Highlight> {
    let mut kinds: Vec<Option<HighlightKind>> = vec![None; input.len()];
    let mut paint = |span: Range<usize>, kind| {
        for k in &mut kinds[span.start.min(input.len())..span.end.min(input.len())] {
            *k = Some(kind);
        }
    };
    for token in lenient_tokens(input) {
        match token.kind {
            TokenKind::Or | TokenKind::Not => paint(token.span, HighlightKind::Keyword),
            TokenKind::Word => paint(token.span, HighlightKind::Word),
            TokenKind::Term { key, value } => {
                paint(key.start..value.start, HighlightKind::Key);
                let is_computer = input[key.clone()].eq_ignore_ascii_case("computer");
                match first_colon(input, value.clone()).filter(|_| is_computer) {
                    Some(colon) => {
                        paint(value.start..colon + 1, HighlightKind::Key);
                        paint(colon + 1..value.end, HighlightKind::Value);
                    }
                    None => paint(value, HighlightKind::Value),
                }
            }
        }
    }
    match parse_with(input, options) {
        Ok(parsed) => {
            for w in parsed.warnings {
                paint(w.span, HighlightKind::Warning);
            }
        }
        Err(e) => paint(e.span, HighlightKind::Error),
    }
    let mut out: Vec<Highlight> = Vec::new();
    for (i, c) in input.char_indices() {
        let Some(kind) = kinds[i] else { continue };
        let end = i + c.len_utf8();
        match out.last_mut() {
            Some(last) if last.kind == kind && last.span.end == i => last.span.end = end,
            _ => out.push(Highlight { span: i..end, kind }),
        }
    }
    out
}

/// Tokens even when a quote is still open: the open part runs to the end.
fn lenient_tokens(input: &str) -> Vec<Token> {
    match super::lexer::tokenize(input) {
        Ok(tokens) => tokens,
        Err(e) => {
            let mut tokens = super::lexer::tokenize(&input[..e.span.start]).unwrap_or_default();
            // The unterminated token starts at the last whitespace before the quote.
            let start = input[..e.span.start]
                .char_indices()
                .rev()
                .find(|(_, c)| c.is_whitespace())
                .map_or(0, |(i, c)| i + c.len_utf8());
            tokens.retain(|t| t.span.end <= start);
            let span = start..input.len();
            let kind = match first_colon(&input[..e.span.start], start..e.span.start) {
                Some(colon) => TokenKind::Term {
                    key: start..colon,
                    value: colon + 1..input.len(),
                },
                None => TokenKind::Word,
            };
            tokens.push(Token { kind, span });
            tokens
        }
    }
}
