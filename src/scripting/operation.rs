//! `wait --operation NAME`: waits for one of Landscape 26.04's
//! long-running operations (a mirror sync, an import) to end. Exits 0
//! when it succeeded, 6 when it failed (its error and log printed), 8
//! when the timeout came first, 2 for a name the server does not know.

use std::io::Write;
use std::time::{Duration, Instant};

use super::{Exit, ScriptError};
use crate::backend::{Backend, BackendError};
use crate::export::Format;
use crate::model::operation::{Operation, OperationState};
use crate::printable::printable;

/// Asks every `interval` until the operation ends or `timeout` passes.
pub async fn wait(
    backend: &dyn Backend,
    name: &str,
    timeout: Duration,
    interval: Duration,
) -> Result<(Exit, Operation), ScriptError> {
    let deadline = Instant::now() + timeout;
    loop {
        let found = backend.operations(&[name.to_owned()]).await?;
        let Some(op) = found.into_iter().next() else {
            return Err(BackendError::Unsupported(format!(
                "no operation {name}: wait --operation takes a name the server has (operations/ID)"
            ))
            .into());
        };
        match op.state() {
            OperationState::Succeeded => return Ok((Exit::Done, op)),
            OperationState::Failed => return Ok((Exit::Failed, op)),
            OperationState::Running if Instant::now() >= deadline => {
                return Ok((Exit::TimedOut, op));
            }
            OperationState::Running => {}
        }
        let left = deadline.saturating_duration_since(Instant::now());
        tokio::time::sleep(interval.min(left)).await;
    }
}

/// The operation as it ended: its record (JSON), or a line and, for a
/// failure, its error and log.
pub fn write(
    op: &Operation,
    exit: Exit,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if format == Format::Json {
        let text = serde_json::to_string_pretty(op).map_err(std::io::Error::other)?;
        return writeln!(out, "{text}");
    }
    let state = match exit {
        Exit::TimedOut => "timed out",
        _ => match op.state() {
            OperationState::Succeeded => "succeeded",
            OperationState::Failed => "failed",
            OperationState::Running => "running",
        },
    };
    writeln!(
        out,
        "{}  {state} at {}%  {}",
        printable(&op.name),
        op.percent(),
        printable(op.title())
    )?;
    if let Some(e) = &op.error {
        writeln!(out, "error {}: {}", e.code, printable(&e.message))?;
        for line in op.log() {
            writeln!(out, "  {}", printable(&line))?;
        }
    }
    Ok(())
}
