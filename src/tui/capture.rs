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
    let mut command = tokio::process::Command::new(&argv[0]);
    command
        .args(&argv[1..])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    crate::process_group::own_group_async(&mut command);
    let mut child = command.spawn().map_err(|e| format!("{}: {e}", argv[0]))?;
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
        // Everything it started: what a pipeline's parts hold open (the
        // output pipes) is closed with them.
        if let Some(leader) = child.id() {
            crate::process_group::kill_group(leader);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A pipeline stopped at its time limit ends whole: its answer comes
    /// at once (not when a part left running would close the pipe) and no
    /// part of it is left running.
    #[tokio::test]
    async fn a_stopped_command_ends_with_everything_it_started() {
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pids");
        let script = format!(
            "sleep 30 & echo $! > {0}; (sleep 30; echo late) | cat & echo $! >> {0}; wait",
            pids.display()
        );
        let argv = vec!["sh".to_owned(), "-c".to_owned(), script];
        let limits = Limits {
            keep: 1024,
            timeout: Duration::from_millis(400),
        };
        let (_stop, watching) = watch::channel(0);
        let started = std::time::Instant::now();
        let out = run(&argv, limits, watching).await.unwrap();
        assert!(!out.success);
        assert!(out.status.contains("time limit"), "{}", out.status);
        // Not held until the orphans' sleep ends.
        assert!(started.elapsed() < Duration::from_secs(20));
        tokio::time::sleep(Duration::from_millis(200)).await;
        for pid in std::fs::read_to_string(&pids).unwrap().split_whitespace() {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            assert!(
                stat.is_empty() || stat.contains(") Z"),
                "{pid} still runs: {stat}"
            );
        }
    }
}
