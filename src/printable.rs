//! Text from a server shown safely: control characters (escape sequences,
//! carriage returns, C1 codes) written out as `\x1b`-style escapes, so a
//! summary or an error message can never move the cursor, recolour or
//! retitle the operator's terminal, or forge a line; and the invisible
//! characters that reorder or hide text (bidirectional overrides and
//! isolates, zero-width spaces and joiners: "Trojan Source") written out
//! as `\u{202e}`, so what is shown is what is there. Numbers are grouped
//! the way people read them.

use std::borrow::Cow;
use std::fmt::Write;

/// `s` on one line: every control character escaped, newlines included.
pub fn printable(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// Text for the clipboard or a notification from server data: one line,
/// every control and invisible character escaped (a pasted newline would
/// run what came before it), at most `max` bytes (cut at a character,
/// with `…`).
pub fn bounded(s: &str, max: usize) -> String {
    let line = printable(s);
    if line.len() <= max {
        return line.into_owned();
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &line[..end])
}

/// `s` with its line breaks kept and every other control character escaped.
pub fn printable_lines(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

/// Characters that change how the text around them is shown while being
/// invisible themselves.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' // Arabic letter mark
            | '\u{200B}'..='\u{200F}' // zero-width space, joiners, LRM, RLM
            | '\u{2028}'..='\u{202E}' // line/paragraph separators, embeddings, overrides
            | '\u{2060}'..='\u{2069}' // word joiner, invisible operators, isolates
            | '\u{FEFF}' // zero-width no-break space
    )
}

fn escape(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| (c.is_control() && !(keep_newlines && c == '\n')) || invisible(c);
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            c if !unsafe_char(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// "1 activity", "3,618 activities".
pub fn activities(n: u64) -> String {
    if n == 1 {
        "1 activity".into()
    } else {
        format!("{} activities", thousands(n))
    }
}

/// A query named for the operator: `"status:failed"`, or "every
/// activity" for the empty one.
pub fn query_named(query: &str) -> String {
    if query.trim().is_empty() {
        "every activity".to_owned()
    } else {
        format!("\"{}\"", printable(query))
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::bounded;

    #[test]
    fn a_clipboard_text_is_one_printable_bounded_line() {
        assert_eq!(
            bounded("a\nb\x1b[2Jc\u{202e}", 100),
            "a\\nb\\x1b[2Jc\\u{202e}"
        );
        let cut = bounded(&"é".repeat(100), 11);
        assert!(cut.len() <= 11 && cut.ends_with('…'), "{cut}");
        assert_eq!(bounded("short", 5), "short");
        // A megabyte of escapes and bidi: one bounded line.
        let huge = "\x1b]0;x\u{202e}\n".repeat(100_000);
        let line = bounded(&huge, 256 * 1024);
        assert!(line.len() <= 256 * 1024, "{}", line.len());
        assert!(!line.chars().any(|c| c.is_control() || c == '\u{202e}'));
    }

    use super::*;

    #[test]
    fn shows_the_invisible_characters_that_reorder_text() {
        // "Trojan Source": an override makes `admin` read as `nimda`.
        assert_eq!(
            printable("Upgrade \u{202E}nimda\u{202C} done"),
            "Upgrade \\u{202e}nimda\\u{202c} done"
        );
        assert_eq!(
            printable("a\u{200B}b\u{2066}c\u{2069}"),
            "a\\u{200b}b\\u{2066}c\\u{2069}"
        );
        assert_eq!(printable("café ünïcode ✓"), "café ünïcode ✓");
    }

    #[test]
    fn escapes_what_would_drive_a_terminal() {
        assert_eq!(printable("ok"), "ok");
        assert_eq!(
            printable("a\x1b[2Jb\r\nc\u{9b}d\x07"),
            "a\\x1b[2Jb\\r\\nc\\x9bd\\x07"
        );
        assert_eq!(
            printable_lines("one\ntwo\x1b]0;t\x07"),
            "one\ntwo\\x1b]0;t\\x07"
        );
        assert_eq!(printable("tab\there"), "tab\\there");
        assert_eq!(printable("naïve ☃"), "naïve ☃");
    }
}

/// `s` cut to `width` terminal columns, ending in `…` when cut.
pub fn fit(s: &str, width: usize) -> Cow<'_, str> {
    use unicode_width::UnicodeWidthStr;
    if s.width() <= width {
        return Cow::Borrowed(s);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::with_capacity(width + 3);
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

/// Terminal columns `s` takes.
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

#[cfg(test)]
mod fit_tests {
    use super::*;

    #[test]
    fn cuts_by_columns_with_an_ellipsis() {
        assert_eq!(fit("ChangePackages", 20), "ChangePackages");
        assert_eq!(fit("ChangePackages", 8), "ChangeP…");
        assert_eq!(fit("日本語テキスト", 5), "日本…");
        assert_eq!(fit("abc", 0), "");
    }
}
