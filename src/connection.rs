//! Picks the backend from the command line, the config file and the
//! environment: the demo engine, or a server through the HTTP client.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::backend::Backend;
use crate::backend::engine::{EngineBackend, EngineOptions};
use crate::backend::remote::RemoteBackend;
use crate::cli::{Cli, EngineArgs};
use crate::config::{Config, Connection, Environment};
use crate::engine::{DemoOptions, Engine};

pub struct Chosen {
    pub backend: Arc<dyn Backend>,
    pub refresh: Duration,
    pub read_only: bool,
    pub warnings: Vec<String>,
}

/// An error to print before the terminal is touched; exit code 2.
#[derive(Debug)]
pub struct SetupError(pub String);

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetupError {}

/// The embedded engine from `--data` or a generated demo.
pub fn engine(args: &EngineArgs) -> Result<Engine, SetupError> {
    match &args.data {
        Some(path) => Engine::load(path).map_err(|e| SetupError(format!("dataset: {e}"))),
        None => Ok(Engine::demo(&DemoOptions {
            seed: args.seed,
            computers: args.computers,
            activities: args.activities,
            now: Utc::now(),
        })),
    }
}

pub fn engine_backend(
    args: &EngineArgs,
    read_only: bool,
) -> Result<Arc<EngineBackend>, SetupError> {
    Ok(EngineBackend::new(
        engine(args)?,
        EngineOptions {
            speed: args.speed,
            frozen: args.frozen,
            read_only,
            ..EngineOptions::default()
        },
    ))
}

/// Must run inside the tokio runtime (backends start tasks).
pub fn choose(cli: &Cli) -> Result<Chosen, SetupError> {
    let (config, mut warnings) = match &cli.connection.config {
        Some(path) => Config::load(path, true),
        None => match Config::default_path() {
            Some(path) => Config::load(&path, false),
            None => Ok((Config::default(), Vec::new())),
        },
    }
    .map_err(|e| SetupError(format!("config: {e}")))?;
    let resolved = if cli.connection.demo {
        config.resolve(None, &Environment::default())
    } else {
        config.resolve(
            cli.connection.profile.as_deref(),
            &Environment::from_process(),
        )
    }
    .map_err(|e| SetupError(format!("config: {e}")))?;
    warnings.extend(resolved.warnings);
    let read_only = cli.read_only || resolved.read_only;
    let backend: Arc<dyn Backend> = match resolved.connection {
        Connection::Demo => engine_backend(&cli.engine, read_only)?,
        Connection::Remote { mut options, .. } => {
            options.read_only |= read_only;
            RemoteBackend::new(*options).map_err(|e| SetupError(e.to_string()))?
        }
    };
    Ok(Chosen {
        backend,
        refresh: resolved.refresh,
        read_only,
        warnings,
    })
}
