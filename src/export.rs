//! Activities written out: as JSON for scripts, a table for people, CSV
//! and TSV for spreadsheets. The `activities` command prints them; the
//! dashboard's `:export` writes them to a file.

use std::collections::HashMap;
use std::io::Write;

use clap::ValueEnum;

use crate::backend::{Backend, BackendError};
use crate::model::Activity;
use crate::printable::printable;

/// How activities are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Table,
    Csv,
    Tsv,
}

/// Columns of the table, CSV and TSV forms. The table names computers by
/// title; CSV and TSV keep the id and add the title last.
const COLUMNS: [&str; 8] = [
    "id",
    "status",
    "created",
    "type",
    "summary",
    "computer",
    "parent",
    "computer_title",
];

/// Activities fetched per request when a listing spans pages.
const PAGE: u64 = 1000;

/// Why listing or writing activities failed: the backend, or the output.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error("writing the output: {0}")]
    Output(#[from] std::io::Error),
}

impl Error {
    /// Said for a person (see [`BackendError::explain`]).
    pub fn explain(&self) -> String {
        match self {
            Error::Backend(e) => e.explain(),
            other => other.to_string(),
        }
    }

    /// The reader went away (`| head`): not worth a word.
    pub fn is_closed_output(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

fn cells(a: &Activity, titles: &HashMap<u64, String>) -> [String; 8] {
    let opt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    [
        a.id.to_string(),
        a.status().map(|s| s.to_string()).unwrap_or_default(),
        a.creation_time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        printable(&a.activity_type).into_owned(),
        printable(&a.summary).into_owned(),
        opt(a.computer()),
        opt(a.parent()),
        a.computer()
            .and_then(|id| titles.get(&id))
            .map(|t| printable(t).into_owned())
            .unwrap_or_default(),
    ]
}

/// Writes `list`; `titles` names computers (left blank where unknown).
pub fn write_activities(
    out: &mut dyn Write,
    list: &[Activity],
    titles: &HashMap<u64, String>,
    format: Format,
) -> std::io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, list)?;
            writeln!(out)
        }
        Format::Table => {
            // The title stands in the computer column, the id where none is known.
            let rows: Vec<[String; 7]> = list
                .iter()
                .map(|a| {
                    let [id, status, created, kind, summary, computer, parent, title] =
                        cells(a, titles);
                    let computer = if title.is_empty() { computer } else { title };
                    [id, status, created, kind, summary, computer, parent]
                })
                .collect();
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
            writeln!(out, "{}", line(COLUMNS[..7].to_vec()))?;
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
                let row: Vec<String> = cells(a, titles).iter().map(|c| quote(c)).collect();
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

/// Every activity `query` matches, newest first, written to `path` as
/// `activities` prints them (the dashboard's `:export`). Written beside
/// it and renamed, so a failed export leaves no half file.
pub async fn export(
    backend: &dyn Backend,
    query: &str,
    path: &std::path::Path,
    format: Format,
) -> Result<usize, Error> {
    let (list, _) = fetch(backend, query, u64::MAX, 0).await?;
    let titles = titles_of(backend, &list, format).await;
    let mut text = Vec::new();
    write_activities(&mut text, &list, &titles, format)?;
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    std::fs::write(&partial, &text)?;
    std::fs::rename(&partial, path)?;
    Ok(list.len())
}

/// `limit` matches of `query` from `offset`, a page at a time, and how
/// many match in all.
pub async fn fetch(
    backend: &dyn Backend,
    query: &str,
    limit: u64,
    offset: u64,
) -> Result<(Vec<Activity>, u64), Error> {
    let mut list: Vec<Activity> = Vec::new();
    let mut count = 0;
    let mut at_least = false;
    while (list.len() as u64) < limit {
        let want = (limit - list.len() as u64).min(PAGE);
        let page = backend
            .activities(query, want, offset.saturating_add(list.len() as u64))
            .await?;
        count = page.count;
        at_least = page.count_is_lower_bound;
        let last = (page.results.len() as u64) < want;
        list.extend(page.results);
        if last {
            break;
        }
    }
    if at_least {
        // The legacy API only said there is more: count it, never guess.
        count = backend.count(query).await?;
    }
    Ok((list, count))
}

/// Computer titles for the people-facing formats; JSON keeps the records
/// as the server sent them. A server that cannot name computers leaves ids.
pub async fn titles_of(
    backend: &dyn Backend,
    list: &[Activity],
    format: Format,
) -> HashMap<u64, String> {
    if format == Format::Json {
        return HashMap::new();
    }
    let mut ids: Vec<u64> = list.iter().filter_map(Activity::computer).collect();
    ids.sort_unstable();
    ids.dedup();
    backend
        .computer_titles(&ids, false)
        .await
        .unwrap_or_default()
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
