//! A background command's run, bounded: its output is kept up to a
//! number of bytes per stream (the rest counted, not kept), it is killed
//! after a time limit, and `:stop` kills it at once. A command like
//! `yes {summary}` never grows the dashboard.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::watch;

use super::event::CommandOutput;

/// What a background command may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes kept of each stream.
    pub keep: usize,
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            keep: 64 * 1024,
            timeout: Duration::from_secs(300),
        }
    }
}

/// Runs `argv` with no input, its output kept within `limits`; a change
/// of `stop` kills it.
pub async fn run(
    argv: &[String],
    limits: Limits,
    mut stop: watch::Receiver<u64>,
) -> Result<CommandOutput, String> {
    let mut child = tokio::process::Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("{}: {e}", argv[0]))?;
    let out = tokio::spawn(kept(child.stdout.take(), limits.keep));
    let err = tokio::spawn(kept(child.stderr.take(), limits.keep));
    stop.borrow_and_update();
    let ended = tokio::select! {
        status = child.wait() => Ok(status.map_err(|e| e.to_string())?),
        () = tokio::time::sleep(limits.timeout) => Err(format!(
            "stopped after {} s (the time limit)",
            limits.timeout.as_secs()
        )),
        _ = stop.changed() => Err("stopped (:stop)".to_owned()),
    };
    if ended.is_err() {
        let _ = child.kill().await;
    }
    let (stdout, dropped_out) = out.await.unwrap_or_default();
    let (stderr, dropped_err) = err.await.unwrap_or_default();
    let dropped = dropped_out + dropped_err;
    let (success, status) = match ended {
        Ok(s) => (s.success(), s.to_string()),
        Err(why) => (false, why),
    };
    Ok(CommandOutput {
        success,
        status,
        stdout,
        stderr,
        dropped,
    })
}

/// The first `keep` bytes of `stream`, and how many more came.
async fn kept(stream: Option<impl AsyncRead + Unpin>, keep: usize) -> (String, u64) {
    let Some(mut stream) = stream else {
        return (String::new(), 0);
    };
    let mut kept = Vec::new();
    let mut dropped = 0u64;
    let mut buf = vec![0u8; 8192];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = keep.saturating_sub(kept.len()).min(n);
                kept.extend_from_slice(&buf[..room]);
                dropped += (n - room) as u64;
            }
        }
    }
    (String::from_utf8_lossy(&kept).into_owned(), dropped)
}
