//! The action log: every action taken from the dashboard or a script, one
//! JSON line each, kept in the user's data directory beside the query
//! history, so what was done (and refused) can be read back later.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::action_plan::ActionRecord;

/// How many entries the dashboard reads back (the newest).
pub const SHOWN: usize = 500;

pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "landscape-tui")
        .map(|d| d.data_dir().join("actions.jsonl"))
}

/// The most of the file's end that is read for the newest entries: a
/// log of years is not read whole at every start.
const TAIL: u64 = 4 * 1024 * 1024;

/// The newest [`SHOWN`] entries, newest first, from the file's last
/// [`TAIL`] bytes; lines that do not parse (a torn last line, a damaged
/// byte, a newer format) are skipped, not the rest.
pub fn load(path: Option<&Path>) -> Vec<ActionRecord> {
    use std::io::{Read, Seek, SeekFrom};
    let Some(mut file) = path.and_then(|p| std::fs::File::open(p).ok()) else {
        return Vec::new();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(TAIL);
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(start)).is_err() || file.read_to_end(&mut bytes).is_err() {
        return Vec::new();
    }
    let mut lines = bytes.split(|b| *b == b'\n');
    if start > 0 {
        // Begun mid-line.
        lines.next();
    }
    let lines: Vec<&[u8]> = lines.collect();
    lines
        .into_iter()
        .rev()
        .filter_map(|l| serde_json::from_slice(l).ok())
        .take(SHOWN)
        .collect()
}

/// Appends `record` as one line (one write, so lines never interleave).
pub fn append(path: &Path, record: &ActionRecord) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut line = serde_json::to_string(record).map_err(std::io::Error::other)?;
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(line.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: u64) -> ActionRecord {
        ActionRecord {
            at: chrono::DateTime::from_timestamp(1_700_000_000 + n as i64, 0).unwrap(),
            action: "approve".into(),
            server: "DEMO".into(),
            picked: format!("row {n}"),
            sent: vec![format!("id:{n}")],
            only_changeable: false,
            planned: 1,
            changed: 1,
            refused: 0,
            outcome: "approved 1 activity".into(),
            ids: vec![n],
            servers: Vec::new(),
        }
    }

    #[test]
    fn entries_read_back_newest_first_past_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/actions.jsonl");
        append(&path, &record(1)).unwrap();
        append(&path, &record(2)).unwrap();
        // A write cut short (a full disk, a kill) leaves half a line.
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{\"at\": \"2024");
        std::fs::write(&path, text).unwrap();
        assert_eq!(load(Some(&path)), vec![record(2), record(1)]);
        assert!(load(None).is_empty());
        assert!(load(Some(&dir.path().join("missing"))).is_empty());
    }
}
