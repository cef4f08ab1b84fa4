//! Lists the dashboard keeps across restarts (watches, rollouts): where
//! they live, how they are read and written (one JSON object a line, so
//! one damaged line loses one entry), and how many ended ones are kept.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// `name` in the data directory (beside the action log).
pub fn data_file(name: &str) -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "landscape-tui").map(|d| d.data_dir().join(name))
}

/// Forgets the oldest of the entries `ended` picks, so `kept` are left.
pub fn forget_oldest<T>(list: &mut Vec<T>, ended: impl Fn(&T) -> bool, kept: usize) {
    let mut drop = list
        .iter()
        .filter(|t| ended(t))
        .count()
        .saturating_sub(kept);
    list.retain(|t| {
        if drop > 0 && ended(t) {
            drop -= 1;
            false
        } else {
            true
        }
    });
}

/// The list kept at `path`, a JSON object a line (or, as 0.2.0 wrote
/// watches, one array); a damaged line is skipped, not the whole file.
pub fn load<T: serde::de::DeserializeOwned>(path: Option<&Path>) -> Vec<T> {
    let Some(bytes) = path.and_then(|p| std::fs::read(p).ok()) else {
        return Vec::new();
    };
    if let Ok(list) = serde_json::from_slice::<Vec<T>>(&bytes) {
        return list;
    }
    bytes
        .split(|b| *b == b'\n')
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect()
}

/// Writes the list to `path` whole, one a line (a temporary file renamed
/// over it, so a crash leaves the old list or the new one).
pub fn save<T: Serialize>(path: &Path, list: &[T]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut text = String::new();
    for w in list {
        text.push_str(&serde_json::to_string(w).map_err(std::io::Error::other)?);
        text.push('\n');
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(tmp, path)
}
