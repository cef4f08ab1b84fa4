//! The journal's records on disk: one line each, `CRC32C-hex SP JSON LF`,
//! and a journal read back whole — a torn last record cut off and said,
//! damage with whole records after it refused (see `state.rs`).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::checksum::crc32c;
use crate::model::Selection;

/// One change a client was answered for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Its place in the journal, counted from the first change ever.
    pub seq: u64,
    /// The engine's time when it happened.
    pub at: DateTime<Utc>,
    /// Whose change it was: what it creates is theirs when replayed too.
    /// (Journals from before this field replay as the engine's user.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<std::sync::Arc<crate::model::Creator>>,
    #[serde(flatten)]
    pub op: Op,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Op {
    /// The activities an approve changed, by id.
    Approved {
        ids: Vec<u64>,
    },
    /// The activities a cancel changed, by id.
    Canceled {
        ids: Vec<u64>,
    },
    Reapply {
        ids: Vec<u64>,
    },
    Revert {
        ids: Vec<u64>,
    },
    /// The clock reached `at` and moved activities on.
    Clock,
    /// Journals written before ids were recorded: the selection, re-run.
    Approve {
        selection: Selection,
    },
    Cancel {
        selection: Selection,
    },
}

/// A journal's whole records, what they take, and what was cut off.
pub(super) struct Read {
    pub(super) changes: Vec<Change>,
    pub(super) good_len: u64,
    pub(super) dropped_bytes: u64,
    pub(super) dropped: Option<String>,
}

/// One line as written: `CRC32C-hex SP JSON LF`.
pub(super) fn encode(change: &Change) -> Result<Vec<u8>, serde_json::Error> {
    let json = serde_json::to_vec(change)?;
    let mut line = format!("{:08x} ", crc32c(&json)).into_bytes();
    line.extend_from_slice(&json);
    line.push(b'\n');
    Ok(line)
}

/// A line's record, or why it is not one. Lines from before checksums
/// (bare JSON) are read as they are, but only before the first line with
/// one (`bare_allowed`): after it, a line without is damage.
pub(super) fn decode(line: &[u8], bare_allowed: bool) -> Result<Change, String> {
    let body = line.strip_suffix(b"\n").unwrap_or(line);
    let json = if body.first() == Some(&b'{') {
        if !bare_allowed {
            return Err("has no checksum, after records that have one".into());
        }
        body
    } else {
        let (sum, json) = match body.split_at_checked(9) {
            Some((sum, json)) if sum[8] == b' ' => (&sum[..8], json),
            _ => return Err("no checksum".into()),
        };
        let want = std::str::from_utf8(sum)
            .ok()
            .and_then(|s| u32::from_str_radix(s, 16).ok())
            .ok_or("no checksum")?;
        if crc32c(json) != want {
            return Err("its checksum does not match".into());
        }
        json
    };
    serde_json::from_slice(json).map_err(|e| format!("unreadable ({e})"))
}

/// Reads the journal at `path` (none is an empty one); an error says
/// what is wrong with it and where.
pub(super) fn read_journal(path: &Path) -> Result<Read, String> {
    let failed = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let mut read = Read {
        changes: Vec::new(),
        good_len: 0,
        dropped_bytes: 0,
        dropped: None,
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(read),
        Err(e) => return Err(failed(&e)),
    };
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    // A bad record is a torn tail only when nothing whole follows it.
    let mut bad: Option<(usize, u64, String)> = None;
    let mut checksummed = false;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| failed(&e))? as u64;
        if n == 0 {
            break;
        }
        if let Some((record, at, why)) = &bad {
            return Err(format!(
                "{}: record {record} (at byte {at}) {why}, and records follow it: the journal was damaged after it was written; left as it is (cut it at byte {at} to keep what comes before)",
                path.display()
            ));
        }
        let record = read.changes.len() + 1;
        let decoded = if line.last() == Some(&b'\n') {
            let decoded = decode(&line, !checksummed);
            checksummed |= line.first() != Some(&b'{');
            decoded
        } else {
            Err("is cut short".into())
        };
        match decoded {
            Ok(change) => {
                if let Some(last) = read.changes.last()
                    && change.seq != last.seq + 1
                {
                    return Err(format!(
                        "{}: record {record} is change {} but change {} was expected; left as it is",
                        path.display(),
                        change.seq,
                        last.seq + 1
                    ));
                }
                read.changes.push(change);
                read.good_len += n;
            }
            Err(why) => {
                read.dropped_bytes = n;
                read.dropped = Some(format!("record {record}: {why}"));
                bad = Some((record, read.good_len, why));
            }
        }
    }
    Ok(read)
}
