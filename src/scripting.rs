//! The scripting commands (`activities`, `approve`, `cancel`, `reapply`,
//! `revert`, `types`): the dashboard's backends, with JSON for scripts, a
//! table for people and CSV/TSV for spreadsheets.

use std::io::Write;

use crate::backend::{Backend, BackendError, Selection};
use crate::cli::Format;
use crate::model::Activity;

/// Columns of the table, CSV and TSV forms.
const COLUMNS: [&str; 7] = [
    "id", "status", "created", "type", "summary", "computer", "parent",
];

fn cells(a: &Activity) -> [String; 7] {
    let opt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    [
        a.id.to_string(),
        a.status().map(|s| s.to_string()).unwrap_or_default(),
        a.creation_time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        a.activity_type.clone(),
        a.summary.clone(),
        opt(a.computer()),
        opt(a.parent()),
    ]
}

pub fn write_activities(
    out: &mut dyn Write,
    list: &[Activity],
    format: Format,
) -> std::io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, list)?;
            writeln!(out)
        }
        Format::Table => {
            let rows: Vec<[String; 7]> = list.iter().map(cells).collect();
            let mut widths: Vec<usize> = COLUMNS.iter().map(|c| c.len()).collect();
            for r in &rows {
                for (w, c) in widths.iter_mut().zip(r) {
                    *w = (*w).max(c.chars().count()).min(60);
                }
            }
            let line = |cells: Vec<&str>| {
                cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| {
                        let c: String = c.chars().take(*w).collect();
                        format!("{c:<w$}", w = *w)
                    })
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_owned()
            };
            writeln!(out, "{}", line(COLUMNS.to_vec()))?;
            for r in &rows {
                writeln!(out, "{}", line(r.iter().map(String::as_str).collect()))?;
            }
            Ok(())
        }
        Format::Csv | Format::Tsv => {
            let (sep, quote): (&str, fn(&str) -> String) = if format == Format::Csv {
                (",", csv_field)
            } else {
                ("\t", tsv_field)
            };
            writeln!(out, "{}", COLUMNS.join(sep))?;
            for a in list {
                let row: Vec<String> = cells(a).iter().map(|c| quote(c)).collect();
                writeln!(out, "{}", row.join(sep))?;
            }
            Ok(())
        }
    }
}

/// RFC 4180: quote fields with commas, quotes or line breaks.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// TSV has no quoting: tabs and line breaks become spaces.
fn tsv_field(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

/// A command's failure, said for a person on stderr.
pub fn describe(e: &BackendError) -> String {
    match e {
        BackendError::Refused { refusals } => {
            let mut s = format!(
                "refused, nothing changed ({} activit{}):",
                refusals.len(),
                if refusals.len() == 1 { "y" } else { "ies" }
            );
            for r in refusals {
                s.push_str(&format!("\n  {r}"));
            }
            s
        }
        BackendError::InvalidQuery { message, span } => match span {
            Some(span) => format!("invalid query (at {}..{}): {message}", span.start, span.end),
            None => format!("invalid query: {message}"),
        },
        other => other.to_string(),
    }
}

pub async fn activities(
    backend: &dyn Backend,
    query: &str,
    limit: u64,
    offset: u64,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), BackendError> {
    let page = backend.activities(query, limit, offset).await?;
    write_activities(out, &page.results, format)
        .map_err(|e| BackendError::Transport(e.to_string()))?;
    if format == Format::Table {
        let _ = writeln!(out, "({} of {} matching)", page.results.len(), page.count);
    }
    Ok(())
}

pub async fn status_change(
    backend: &dyn Backend,
    approve: bool,
    query: &str,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), BackendError> {
    let selection = Selection::Query(query.to_owned());
    let ids = if approve {
        backend.approve(&selection).await?
    } else {
        backend.cancel(&selection).await?
    };
    let io = |e: std::io::Error| BackendError::Transport(e.to_string());
    match format {
        Format::Json => {
            writeln!(out, "{}", serde_json::to_string(&ids).unwrap_or_default()).map_err(io)
        }
        _ => {
            let verb = if approve { "approved" } else { "canceled" };
            writeln!(out, "{verb} {} activities", ids.len()).map_err(io)?;
            for id in ids {
                writeln!(out, "{id}").map_err(io)?;
            }
            Ok(())
        }
    }
}

pub async fn create(
    backend: &dyn Backend,
    revert: bool,
    ids: &[u64],
    format: Format,
    out: &mut dyn Write,
) -> Result<(), BackendError> {
    let created = if revert {
        backend.revert(ids).await?
    } else {
        backend.reapply(ids).await?
    };
    write_activities(out, &created, format).map_err(|e| BackendError::Transport(e.to_string()))
}

pub async fn types(
    backend: &dyn Backend,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), BackendError> {
    let types = backend.activity_types().await?;
    let io = |e: std::io::Error| BackendError::Transport(e.to_string());
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&types).unwrap_or_default()
        )
        .map_err(io),
        _ => {
            for t in types {
                writeln!(out, "{t}").map_err(io)?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_tsv_flattens() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(tsv_field("a\tb\nc"), "a b c");
    }
}
