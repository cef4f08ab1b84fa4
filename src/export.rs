//! Activities written out: as JSON for scripts, a table for people, CSV
//! and TSV for spreadsheets. The `activities` command prints them; the
//! dashboard's `:export` writes them to a file.

use std::collections::HashMap;
use std::io::Write;

use clap::ValueEnum;

use crate::backend::{Backend, BackendError};
use crate::model::{Activity, origin};
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

/// The most activities one listing or export writes: past it, a server
/// whose pages never end (or a listing no one should make in one go) is
/// stopped with an error that says how to read on.
pub const MOST_WRITTEN: u64 = 5_000_000;

/// Why listing or writing activities failed: the backend, or the output.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error("writing the output: {0}")]
    Output(#[from] std::io::Error),
    /// More matches than one listing writes; what was written stays.
    #[error(
        "stopped after {} activities (the most one listing writes) and the server has more; read on with --offset {written}, or narrow the query",
        crate::printable::thousands(*written)
    )]
    TooMany { written: u64 },
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
    // Several servers: each its own ids, its name in the server column.
    let opt = |v: Option<u64>| v.map(|v| origin::local(v).to_string()).unwrap_or_default();
    [
        origin::local(a.id).to_string(),
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

/// Activities written a page at a time as they come, so a listing holds
/// one page in memory whatever its length: JSON as one array (the same
/// text a whole list gives), the table with widths from its first page.
pub struct Streamed<'a, W: Write + ?Sized> {
    out: &'a mut W,
    format: Format,
    widths: Option<Vec<usize>>,
    written: u64,
    /// With several servers, their names: a `server` column comes first
    /// (a `"server"` key in JSON).
    servers: Vec<String>,
}

impl<'a, W: Write + ?Sized> Streamed<'a, W> {
    pub fn new(out: &'a mut W, format: Format) -> Streamed<'a, W> {
        Streamed {
            out,
            format,
            widths: None,
            written: 0,
            servers: Vec::new(),
        }
    }

    /// Rows say which of `servers` they come from.
    pub fn with_servers(mut self, servers: Vec<String>) -> Self {
        self.servers = servers;
        self
    }

    fn server_of(&self, a: &Activity) -> String {
        origin::server_of(a.id)
            .and_then(|k| self.servers.get(k))
            .map(|s| printable(s).into_owned())
            .unwrap_or_default()
    }

    /// The header's columns (the server's first, with several).
    fn columns(&self, table: bool) -> Vec<&'static str> {
        let own = if table { &COLUMNS[..7] } else { &COLUMNS[..] };
        let server = (!self.servers.is_empty()).then_some("server");
        server.into_iter().chain(own.iter().copied()).collect()
    }

    fn with_server(&self, a: &Activity, cells: impl IntoIterator<Item = String>) -> Vec<String> {
        let server = (!self.servers.is_empty()).then(|| self.server_of(a));
        server.into_iter().chain(cells).collect()
    }

    /// Activities written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    pub fn page(
        &mut self,
        list: &[Activity],
        titles: &HashMap<u64, String>,
    ) -> std::io::Result<()> {
        match self.format {
            Format::Json => {
                for a in list {
                    let mut item = serde_json::to_value(origin::as_served(a))?;
                    if !self.servers.is_empty() {
                        item["server"] = self.server_of(a).into();
                    }
                    let item = serde_json::to_string_pretty(&item)?;
                    let lead = if self.written == 0 { "[\n" } else { ",\n" };
                    self.out.write_all(lead.as_bytes())?;
                    for (i, line) in item.lines().enumerate() {
                        if i > 0 {
                            self.out.write_all(b"\n")?;
                        }
                        write!(self.out, "  {line}")?;
                    }
                    self.written += 1;
                }
                Ok(())
            }
            Format::Table => {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|a| self.with_server(a, table_cells(a, titles)))
                    .collect();
                let columns = self.columns(true);
                let widths = self.widths.get_or_insert_with(|| {
                    let mut widths: Vec<usize> = columns.iter().map(|c| c.len()).collect();
                    for r in &rows {
                        for (w, c) in widths.iter_mut().zip(r) {
                            *w = (*w).max(c.chars().count()).min(60);
                        }
                    }
                    widths
                });
                let widths = widths.clone();
                if self.written == 0 {
                    writeln!(self.out, "{}", table_line(&widths, &columns))?;
                }
                for r in &rows {
                    let cells: Vec<&str> = r.iter().map(String::as_str).collect();
                    writeln!(self.out, "{}", table_line(&widths, &cells))?;
                }
                self.written += list.len() as u64;
                Ok(())
            }
            Format::Csv | Format::Tsv => {
                let (sep, quote): (&str, fn(&str) -> String) = if self.format == Format::Csv {
                    (",", csv_field)
                } else {
                    ("\t", tsv_field)
                };
                if self.written == 0 && self.widths.is_none() {
                    writeln!(self.out, "{}", self.columns(false).join(sep))?;
                    self.widths = Some(Vec::new());
                }
                for a in list {
                    let row: Vec<String> = self
                        .with_server(a, cells(a, titles))
                        .iter()
                        .map(|c| quote(c))
                        .collect();
                    writeln!(self.out, "{}", row.join(sep))?;
                }
                self.written += list.len() as u64;
                Ok(())
            }
        }
    }

    /// Ends the output (an empty listing is still a whole one).
    pub fn finish(mut self) -> std::io::Result<()> {
        match self.format {
            Format::Json if self.written == 0 => writeln!(self.out, "[]"),
            Format::Json => writeln!(self.out, "\n]"),
            Format::Table if self.written == 0 => {
                let columns = self.columns(true);
                let widths: Vec<usize> = columns.iter().map(|c| c.len()).collect();
                writeln!(self.out, "{}", table_line(&widths, &columns))
            }
            Format::Csv | Format::Tsv if self.widths.is_none() => self.page(&[], &HashMap::new()),
            _ => Ok(()),
        }
    }
}

/// A table row: the title stands in the computer column, the id where
/// none is known.
fn table_cells(a: &Activity, titles: &HashMap<u64, String>) -> [String; 7] {
    let [id, status, created, kind, summary, computer, parent, title] = cells(a, titles);
    let computer = if title.is_empty() { computer } else { title };
    [id, status, created, kind, summary, computer, parent]
}

/// Cells padded to `widths`, cut at them.
fn table_line(widths: &[usize], cells: &[&str]) -> String {
    cells
        .iter()
        .zip(widths)
        .map(|(c, w)| {
            let c: String = c.chars().take(*w).collect();
            format!("{c:<w$}", w = *w)
        })
        .collect::<Vec<_>>()
        .join("  ")
        .trim_end()
        .to_owned()
}

/// `limit` matches of `query` from `offset` written to `out` a page at a
/// time (computer titles read per page for people's formats), at most
/// [`MOST_WRITTEN`]; how many were written and how many match in all.
pub async fn stream<W: Write + ?Sized>(
    backend: &dyn Backend,
    query: &str,
    limit: u64,
    offset: u64,
    format: Format,
    out: &mut W,
) -> Result<(u64, u64), Error> {
    stream_at_most(backend, query, (limit, offset), format, out, MOST_WRITTEN).await
}

/// [`stream`] stopped after `most` activities.
pub async fn stream_at_most<W: Write + ?Sized>(
    backend: &dyn Backend,
    query: &str,
    (limit, offset): (u64, u64),
    format: Format,
    out: &mut W,
    most: u64,
) -> Result<(u64, u64), Error> {
    // Several servers are written one after the other (each a page at a
    // time), never merged: a merge would read every server's earlier
    // pages again for each page.
    let servers = backend.servers();
    let parts: Vec<&dyn Backend> = if servers.is_empty() {
        vec![backend]
    } else {
        servers.iter().map(|s| &*s.backend).collect()
    };
    let names = servers.iter().map(|s| s.name.clone()).collect();
    let mut writer = Streamed::new(out, format).with_servers(names);
    let (mut count, mut skip) = (0, offset);
    for part in parts {
        if writer.written() >= limit {
            // Nothing more is written; the count still counts it.
            count += part.count(query).await?;
            continue;
        }
        let start = writer.written();
        let mut at_least = false;
        let mut here = 0;
        loop {
            let written = writer.written();
            if written >= limit {
                break;
            }
            if written >= most {
                writer.finish()?;
                return Err(Error::TooMany { written });
            }
            let want = (limit - written).min(PAGE);
            let page = part
                .activities(query, want, skip.saturating_add(written - start))
                .await?;
            here = page.count;
            at_least = page.count_is_lower_bound;
            let last = (page.results.len() as u64) < want;
            let titles = titles_of(part, &page.results, format).await;
            writer.page(&page.results, &titles)?;
            if last {
                break;
            }
        }
        if at_least {
            // The legacy API only said there is more: count it, never guess.
            here = part.count(query).await?;
        }
        count += here;
        skip = skip.saturating_sub(here);
    }
    let written = writer.written();
    writer.finish()?;
    Ok((written, count))
}

/// Writes `list`; `titles` names computers (left blank where unknown).
pub fn write_activities(
    out: &mut dyn Write,
    list: &[Activity],
    titles: &HashMap<u64, String>,
    format: Format,
) -> std::io::Result<()> {
    let mut writer = Streamed::new(out, format);
    writer.page(list, titles)?;
    writer.finish()
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
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let file = std::fs::File::create(&partial)?;
    let mut out = std::io::BufWriter::new(file);
    let written = stream(backend, query, u64::MAX, 0, format, &mut out)
        .await
        .and_then(|(n, _)| {
            out.flush()?;
            Ok(n)
        });
    match written {
        Ok(n) => {
            drop(out);
            std::fs::rename(&partial, path)?;
            Ok(n as usize)
        }
        Err(e) => {
            drop(out);
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
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
