//! Splits a query into tokens with byte spans, and a token into key and
//! value at its first colon outside quotes.

use std::ops::Range;

use super::QueryError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    Or,
    Not,
    /// `key:value`: the key's span (without the colon) and the raw value's.
    Term {
        key: Range<usize>,
        value: Range<usize>,
    },
    Word,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Range<usize>,
}

/// Tokens of `input`. The only lexical error is an unterminated quote,
/// reported from the quote to the end of the input.
pub fn tokenize(input: &str) -> Result<Vec<Token>, QueryError> {
    let mut tokens = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut in_quotes = false;
        let mut quote_start = 0;
        let mut end = input.len();
        while let Some(&(i, c)) = chars.peek() {
            if !in_quotes && c.is_whitespace() {
                end = i;
                break;
            }
            chars.next();
            if in_quotes && c == '\\' {
                if let Some(&(_, next)) = chars.peek()
                    && (next == '"' || next == '\\')
                {
                    chars.next();
                }
            } else if c == '"' {
                in_quotes = !in_quotes;
                quote_start = i;
            }
        }
        if in_quotes {
            return Err(QueryError::new(
                quote_start..input.len(),
                "unterminated quote: add a closing \"",
            ));
        }
        let span = start..end;
        let text = &input[span.clone()];
        let kind = match text {
            "OR" => TokenKind::Or,
            "NOT" => TokenKind::Not,
            _ => match first_colon(input, span.clone()) {
                Some(colon) => TokenKind::Term {
                    key: start..colon,
                    value: colon + 1..end,
                },
                None => TokenKind::Word,
            },
        };
        tokens.push(Token { kind, span });
    }
    Ok(tokens)
}

/// The byte index of the first `:` in `span` outside double quotes.
pub fn first_colon(input: &str, span: Range<usize>) -> Option<usize> {
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in input[span.clone()].char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            ':' if !in_quotes => return Some(span.start + i),
            _ => {}
        }
    }
    None
}

/// The text of `span` with quotes removed and `\"` / `\\` unescaped.
pub fn unquote(input: &str, span: Range<usize>) -> String {
    let mut out = String::with_capacity(span.len());
    let mut in_quotes = false;
    let mut chars = input[span].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\\' if in_quotes && matches!(chars.peek(), Some('"' | '\\')) => {
                out.extend(chars.next());
            }
            c => out.push(c),
        }
    }
    out
}

/// Writes `value` so that [`tokenize`] and [`unquote`] give it back: quoted
/// when it is empty or holds whitespace, quotes, backslashes, or (when
/// `colon_is_special`) a colon, or would read as a keyword.
pub fn quote_if_needed(value: &str, colon_is_special: bool) -> String {
    let needs = value.is_empty()
        || value == "OR"
        || value == "NOT"
        || value
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '\\' || (colon_is_special && c == ':'));
    if !needs {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &str) -> Vec<TokenKind> {
        tokenize(input)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn keywords_terms_and_words() {
        assert_eq!(
            kinds("  a OR  NOT status:failed or "),
            vec![
                TokenKind::Word,
                TokenKind::Or,
                TokenKind::Not,
                TokenKind::Term {
                    key: 12..18,
                    value: 19..25
                },
                TokenKind::Word,
            ]
        );
    }

    #[test]
    fn quotes_hold_spaces_and_escapes() {
        let input = r#"computer:title:"web 01" "a \"b\" c""#;
        let tokens = tokenize(input).unwrap();
        assert_eq!(tokens.len(), 2);
        assert_eq!(unquote(input, tokens[1].span.clone()), r#"a "b" c"#);
        let TokenKind::Term { value, .. } = tokens[0].kind.clone() else {
            panic!()
        };
        assert_eq!(&input[value], r#"title:"web 01""#);
    }

    #[test]
    fn unterminated_quote_points_at_the_quote() {
        let e = tokenize(r#"status:failed creator:"jane"#).unwrap_err();
        assert_eq!(e.span, 22..27);
    }

    #[test]
    fn quoted_colon_is_not_a_key() {
        assert_eq!(kinds(r#""a:b""#), vec![TokenKind::Word]);
    }

    #[test]
    fn quoting_round_trips() {
        for v in [
            "plain",
            "two words",
            "q\"uote",
            "back\\slash",
            "OR",
            "",
            "ü ñ",
            "a:b",
        ] {
            let q = quote_if_needed(v, true);
            let tokens = tokenize(&q).unwrap();
            assert_eq!(tokens.len(), 1, "{q}");
            assert_eq!(unquote(&q, tokens[0].span.clone()), v);
        }
    }
}
