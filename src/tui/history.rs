//! Past queries, kept across runs in the user's data directory.

use std::path::{Path, PathBuf};

pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "landscape-tui").map(|d| d.data_dir().join("history"))
}

/// One query per line, oldest first; a missing or unreadable file is
/// empty, and a damaged line (not UTF-8) is skipped, not the whole file.
pub fn load(path: Option<&Path>) -> Vec<String> {
    let Some(bytes) = path.and_then(|p| std::fs::read(p).ok()) else {
        return Vec::new();
    };
    bytes
        .split(|b| *b == b'\n')
        .filter_map(|line| std::str::from_utf8(line).ok())
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

pub fn save(path: &Path, history: &[String]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut text = history.join("\n");
    text.push('\n');
    std::fs::write(path, text)
}
