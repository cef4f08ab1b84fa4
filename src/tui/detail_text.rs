//! The zoomed detail's text view: an activity's fields as a person reads
//! them, then its `result_text`, wrapped to a width. Plain strings, so
//! the update step can search the same lines the view draws.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, Utc};

use crate::model::Activity;
use crate::printable::{printable, printable_lines, width};

/// Columns of a field's name: its value's wrapped lines start under it.
const LABEL: usize = 15;

/// The activity's lines before wrapping; `waiting` says why it waits.
pub fn lines(
    a: &Activity,
    titles: &HashMap<u64, String>,
    offset: FixedOffset,
    waiting: Option<Vec<String>>,
) -> Vec<String> {
    let time = |t: &DateTime<Utc>| {
        t.with_timezone(&offset)
            .format("%Y-%m-%d %H:%M:%S %:z")
            .to_string()
    };
    let mut out = vec![format!(
        "Activity {} · {}",
        crate::model::origin::local(a.id),
        printable(&a.activity_type)
    )];
    let mut field = |name: &str, value: String| out.push(format!("{name:<LABEL$}{value}"));
    field("Summary", printable(&a.summary).into_owned());
    if let Some(s) = a.status() {
        // Landscape's name first; the web UI's label beside it when it differs.
        let label = s.label();
        if label == s.as_str() {
            field("Status", s.as_str().to_owned());
        } else {
            field("Status", format!("{} (web UI: {label})", s.as_str()));
        }
    }
    if let Some(p) = a.progress.copied() {
        field(
            "Progress",
            if p < 0 {
                "failed".to_owned()
            } else {
                format!("{p}%")
            },
        );
    }
    field("Created", time(&a.creation_time));
    if let Some(c) = a.creator.get() {
        let name = c.name.get().map(String::as_str).unwrap_or("");
        let email = c.email().unwrap_or("");
        field("Creator", format!("{name} <{email}>").trim().to_owned());
    }
    if let Some(id) = a.computer() {
        let title = titles.get(&id).map(String::as_str).unwrap_or("?");
        let id = crate::model::origin::local(id);
        field("Computer", format!("{} (id {id})", printable(title)));
    }
    if let Some(n) = a.computer_count.copied() {
        field("Computers", n.to_string());
    }
    if let Some(p) = a.parent() {
        field("Parent", p.to_string());
    }
    if let Some(c) = a.children_statuses.get() {
        let all = a
            .children_count
            .copied()
            .unwrap_or(c.good + c.warning + c.bad);
        field(
            "Children",
            format!(
                "{all}: {} ok, {} pending, {} failed or canceled",
                c.good, c.warning, c.bad
            ),
        );
    }
    for (name, t) in [
        ("Approved", &a.approval_time),
        ("Delivered", &a.delivery_time),
        ("Deliver after", &a.deliver_after_time),
        ("Deliver by", &a.deliver_before_time),
        ("Completed", &a.completion_time),
        ("Modified", &a.modification_time),
    ] {
        if let Some(t) = t.get() {
            field(name, time(t));
        }
    }
    if let Some(why) = waiting.filter(|w| !w.is_empty()) {
        out.push(String::new());
        out.push("Why it waits".to_owned());
        out.extend(why.into_iter().map(|l| format!("  {l}")));
    }
    out.extend(change_lines(a));
    out.extend(result_lines(a));
    out
}

/// The package changes, a line each.
fn change_lines(a: &Activity) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(changes) = a.changes.get().filter(|c| !c.is_empty()) {
        out.push(String::new());
        out.push("Changes".to_owned());
        for c in changes {
            let version = c
                .version
                .get()
                .or(c.install_version.get())
                .or(c.remove_version.get())
                .map(|v| format!(" {v}"))
                .unwrap_or_default();
            out.push(format!(
                "  {} {}{version}",
                printable(&c.change_type),
                printable(&c.package)
            ));
        }
    }
    out
}

/// The result: its code and text, or that there is none yet.
fn result_lines(a: &Activity) -> Vec<String> {
    let mut out = Vec::new();
    out.push(String::new());
    match (a.result_code.copied(), a.result_text.get()) {
        (code, Some(text)) => {
            let code = code.map(|c| format!(" (code {c})")).unwrap_or_default();
            out.push(format!("Result{code}"));
            out.extend(printable_lines(text).lines().map(str::to_owned));
        }
        (Some(code), None) => out.push(format!("Result (code {code}): no text")),
        (None, None) => out.push("No result yet".to_owned()),
    }
    out
}

/// `lines` wrapped to `width` columns, at spaces where a line has them;
/// an empty line stays one empty line. A field's value goes on under its
/// value, not under its name.
pub fn wrap(lines: &[String], width_limit: usize) -> Vec<String> {
    let limit = width_limit.max(1);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if width(line) <= limit {
            out.push(line.clone());
            continue;
        }
        let hang = if is_field(line) && limit > LABEL * 2 {
            " ".repeat(LABEL)
        } else {
            String::new()
        };
        let mut current = String::new();
        let mut used = 0;
        for word in line.split_inclusive(' ') {
            let w = width(word);
            if used + w > limit && !current.trim().is_empty() {
                out.push(std::mem::take(&mut current).trim_end().to_owned());
                current.push_str(&hang);
                used = hang.len();
            }
            if w > limit {
                // A word longer than the line: cut it by columns.
                for c in word.chars() {
                    let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                    if used + cw > limit {
                        out.push(std::mem::take(&mut current));
                        used = 0;
                    }
                    current.push(c);
                    used += cw;
                }
            } else {
                current.push_str(word);
                used += w;
            }
        }
        out.push(current.trim_end().to_owned());
    }
    out
}

/// A `Name        value` line of [`lines`].
fn is_field(line: &str) -> bool {
    line.len() > LABEL
        && line.is_char_boundary(LABEL)
        && line[..LABEL].ends_with("  ")
        && line.starts_with(|c: char| c.is_ascii_uppercase())
        && !line[LABEL..].starts_with(' ')
}

/// The lines that contain `term`, ignoring case.
pub fn matches(lines: &[String], term: &str) -> Vec<usize> {
    if term.is_empty() {
        return Vec::new();
    }
    let term = term.to_lowercase();
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.to_lowercase().contains(&term))
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_spaces_and_long_words_are_cut() {
        let lines = vec![
            "one two three four".to_owned(),
            String::new(),
            "abcdefghij".to_owned(),
        ];
        assert_eq!(
            wrap(&lines, 9),
            ["one two", "three", "four", "", "abcdefghi", "j"]
        );
        assert_eq!(matches(&wrap(&lines, 9), "THREE"), [1]);
        // A field's value wraps under its value.
        let field = vec![format!(
            "{:<LABEL$}{}",
            "Summary", "Sync pocket 'release' of series 'noble'"
        )];
        assert_eq!(
            wrap(&field, 33),
            [
                "Summary        Sync pocket",
                "               'release' of",
                "               series 'noble'"
            ]
        );
    }

    #[test]
    fn every_field_name_is_apart_from_its_value() {
        let mut a: Activity = serde_json::from_value(serde_json::json!({
            "id": 1, "type": "ChangePackagesRequest", "summary": "s",
            "creation_time": "2024-01-01T00:00:00Z",
            "deliver_after_time": "2024-01-02T00:00:00Z",
            "deliver_before_time": "2024-01-03T00:00:00Z"
        }))
        .unwrap();
        a.computer_count = crate::model::Field::Value(3);
        let utc = chrono::FixedOffset::east_opt(0).unwrap();
        let lines = lines(&a, &Default::default(), utc, None);
        let after = lines
            .iter()
            .find(|l| l.starts_with("Deliver after"))
            .unwrap();
        assert!(after.starts_with("Deliver after  2024"), "{after}");
        for name in [
            "Summary",
            "Created",
            "Computers",
            "Deliver after",
            "Deliver by",
        ] {
            let line = lines.iter().find(|l| l.starts_with(name)).unwrap();
            assert!(is_field(line), "{line:?}: its value wraps under itself");
        }
    }
}
