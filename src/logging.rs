//! `--log FILE` and `RUST_LOG`: where `tracing` writes. The dashboard owns
//! its terminal, so its logs go to a file, never to stderr; the scripting
//! commands may log to stderr.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use tracing_subscriber::EnvFilter;

static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Whether logs are written somewhere (so backends are worth timing).
pub fn active() -> bool {
    ACTIVE.load(Ordering::Relaxed)
}

/// Where the dashboard logs when `RUST_LOG` is set without `--log`.
pub fn default_file() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "landscape-tui")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .join("landscape-tui.log"),
    )
}

/// Starts logging: to `file` when given; else, when `RUST_LOG` is set, to
/// [`default_file`] for the dashboard (`terminal_owned`) or stderr for the
/// rest. Returns the file written to, if any. The filter is `RUST_LOG`,
/// or `landscape_tui=debug` when only `--log` is given.
pub fn init(file: Option<&Path>, terminal_owned: bool) -> Result<Option<PathBuf>, String> {
    let rust_log = std::env::var("RUST_LOG").ok().filter(|v| !v.is_empty());
    let file = match (file, &rust_log) {
        (Some(f), _) => Some(f.to_owned()),
        (None, Some(_)) if terminal_owned => default_file(),
        (None, Some(_)) => None,
        (None, None) => return Ok(None),
    };
    let filter = match &rust_log {
        Some(spec) => EnvFilter::try_new(spec).map_err(|e| format!("RUST_LOG={spec:?}: {e}"))?,
        None => EnvFilter::new("landscape_tui=debug"),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_target(true);
    match &file {
        Some(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("--log {}: {e}", path.display()))?;
            }
            let f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("--log {}: {e}", path.display()))?;
            builder
                .with_writer(std::sync::Mutex::new(f))
                .try_init()
                .map_err(|e| e.to_string())?;
        }
        None => builder
            .with_writer(std::io::stderr)
            .try_init()
            .map_err(|e| e.to_string())?,
    }
    ACTIVE.store(true, Ordering::Relaxed);
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "landscape-tui started");
    Ok(file)
}
