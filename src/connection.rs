//! Picks the backend from the command line, the config file and the
//! environment: the demo engine, or a server through the HTTP client.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::backend::Backend;
use crate::backend::engine::{EngineBackend, EngineOptions};
use crate::backend::remote::RemoteBackend;
use crate::cli::{Cli, EngineArgs};
use crate::config::{Config, ConfigError, Connection, Environment};
use crate::engine::state::{self, StateError};
use crate::engine::{DemoOptions, Engine, Progress, Reading};
use crate::printable::thousands;
use crate::progress::Unit;

pub struct Chosen {
    pub backend: Source,
    pub refresh: Duration,
    pub read_only: bool,
    pub warnings: Vec<String>,
    /// The config, whose dashboard sections ([`Chosen::settings`]) only
    /// the dashboard reads: a mistake in `[keys]` never stops a script.
    pub config: Config,
    /// The config's profiles, for `:profile`.
    pub profiles: crate::tui::Profiles,
}

/// Connects to the config's profiles by name, as `--profile` would (the
/// environment's secrets included); `--read-only` holds for all of them.
/// `a,b` names several, in one list.
pub fn profiles(config: &Config, read_only: bool) -> crate::tui::Profiles {
    let names = config.profiles.keys().cloned().collect();
    let config = config.clone();
    let connect = move |name: &str| -> Result<(Arc<dyn Backend>, bool), String> {
        let env = Environment::from_process();
        let mut servers = Servers::default();
        for name in name.split(',').map(str::trim) {
            servers
                .add_profile(&config, &env, name, read_only)
                .map_err(|e| e.to_string())?;
        }
        tracing::info!("switching to profile {name}");
        let (backend, read_only) = servers.into_backend();
        Ok((crate::backend::logged::when_logging(backend), read_only))
    };
    crate::tui::Profiles {
        names,
        connect: Some(Arc::new(connect)),
    }
}

/// An error to print before the terminal is touched; exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("config: {0}")]
    Config(#[from] ConfigError),
    /// The dataset file could not be loaded.
    #[error("dataset: {0}")]
    Dataset(String),
    /// The state file (`--state`) could not be opened or recovered.
    #[error("{0}")]
    State(String),
    /// The task building a large engine failed.
    #[error("building the engine: {0}")]
    Build(String),
    /// The HTTP client could not be set up (TLS, a bad URL).
    #[error("{0}")]
    Client(String),
    /// An option or variable that cannot be used.
    #[error("{0}")]
    Usage(String),
}

/// The backend this run uses, or the engine it is building.
pub type Source = crate::backend::source::Source<SetupError>;

impl From<tokio::task::JoinError> for SetupError {
    fn from(e: tokio::task::JoinError) -> SetupError {
        SetupError::Build(e.to_string())
    }
}

/// Starts smaller than this are built before the terminal is touched, so
/// their errors print plainly; larger ones show progress.
const QUICK_ACTIVITIES: usize = 100_000;
const QUICK_FILE_BYTES: u64 = 32 << 20;

/// What a start does, for a person: "generating 1,000,000 activities".
pub fn describe_start(args: &EngineArgs) -> String {
    match (&args.state, &args.data) {
        (Some(state), _) if state.exists() => format!("opening state {}", state.display()),
        (_, Some(path)) => format!("loading {}", path.display()),
        (_, None) => format!(
            "generating {} activities",
            thousands(args.activities as u64)
        ),
    }
}

/// How far a start has got, in what it counts now: "412,000 of 1,000,000
/// activities", "312 of 733 MB", "40 of 120 journal changes".
pub fn progress_text(r: Reading) -> String {
    let pct = (r.ratio() * 100.0).round();
    match r.unit {
        Unit::Bytes => format!(
            "{} of {} MB ({pct}%)",
            r.done / 1_000_000,
            r.total / 1_000_000
        ),
        Unit::Activities => format!(
            "{} of {} activities ({pct}%)",
            thousands(r.done),
            thousands(r.total)
        ),
        Unit::Changes => format!(
            "{} of {} journal changes replayed ({pct}%)",
            thousands(r.done),
            thousands(r.total)
        ),
    }
}

/// The embedded engine from `--data` or a generated demo.
pub fn engine(args: &EngineArgs, progress: &Progress) -> Result<Engine, SetupError> {
    match &args.data {
        Some(path) => Engine::load_with_progress(path, progress)
            .map_err(|e| SetupError::Dataset(e.to_string())),
        None => Ok(Engine::demo_with_progress(
            &DemoOptions {
                seed: args.seed,
                computers: args.computers,
                activities: args.activities,
                now: Utc::now(),
            },
            progress,
        )),
    }
}

/// Builds the engine backend (inside the tokio runtime: it starts the clock).
pub fn engine_backend(
    args: &EngineArgs,
    read_only: bool,
    progress: &Progress,
) -> Result<Arc<EngineBackend>, SetupError> {
    let options = EngineOptions {
        speed: args.speed,
        frozen: args.frozen,
        read_only,
        debarchive: !args.before_26_04,
        ..EngineOptions::default()
    };
    let Some(path) = &args.state else {
        return Ok(EngineBackend::new(engine(args, progress)?, options));
    };
    let (engine, journal, recovery) = state::open(path, progress, || {
        engine(args, progress).map_err(|e| StateError(e.to_string()))
    })
    .map_err(|e| SetupError::State(e.to_string()))?;
    let backend = EngineBackend::with_journal(engine, options, Some(journal));
    backend.set_start_note(recovery.describe(path));
    Ok(backend)
}

/// The engine backend, built now when it is quick, else on a blocking
/// thread with its progress to watch.
pub fn start_engine(args: &EngineArgs, read_only: bool) -> Result<Source, SetupError> {
    let large = match &args.data {
        Some(path) => std::fs::metadata(path).is_ok_and(|m| m.len() > QUICK_FILE_BYTES),
        None => args.activities > QUICK_ACTIVITIES,
    };
    if !large {
        let backend = engine_backend(args, read_only, &Progress::default())?;
        return Ok(Source::Ready(backend));
    }
    let progress = Arc::new(Progress::default());
    let (args, watched) = (args.clone(), progress.clone());
    Ok(Source::Building {
        what: describe_start(&args),
        progress,
        label: Box::new(progress_text),
        task: tokio::task::spawn_blocking(move || {
            engine_backend(&args, read_only, &watched).map(|b| b as Arc<dyn Backend>)
        }),
    })
}

/// Must run inside the tokio runtime (backends start tasks).
pub fn choose(cli: &Cli) -> Result<Chosen, SetupError> {
    let (config, mut warnings) = match &cli.connection.config {
        Some(path) => Config::load(path, true),
        None => match Config::default_path() {
            Some(path) => Config::load(&path, false),
            None => Ok((Config::empty(), Vec::new())),
        },
    }?;
    let env = Environment::from_process();
    let names = match (&cli.connection.profile[..], &config.default_profiles[..]) {
        _ if cli.connection.demo => Vec::new(),
        ([one], _) if has_accounts(&config, one) => vec![one.clone()],
        (mine, _) if mine.len() == 1 => Vec::new(),
        ([], all) if env.api_uri.is_none() => all.to_vec(),
        (mine, _) => mine.to_vec(),
    };
    if names.len() > 1 || names.first().is_some_and(|n| has_accounts(&config, n)) {
        return several(cli, config, warnings, &names);
    }
    let resolved = if cli.connection.demo {
        config.resolve(None, &Environment::default())
    } else {
        config.resolve(cli.connection.profile.first().map(String::as_str), &env)
    }?;
    warnings.extend(resolved.warnings);
    let read_only = cli.read_only || resolved.read_only;
    let backend = match resolved.connection {
        Connection::Demo => start_engine(&cli.engine, read_only)?,
        Connection::Remote { mut options, .. } => {
            options.read_only |= read_only;
            Source::Ready(
                RemoteBackend::new(*options).map_err(|e| SetupError::Client(e.to_string()))?,
            )
        }
    };
    Ok(Chosen {
        profiles: profiles(&config, cli.read_only),
        backend,
        refresh: resolved.refresh,
        read_only,
        warnings,
        config,
    })
}

/// Several profiles in one list: each its own backend (`demo` the
/// embedded engine when the config has no profile of that name), their
/// ids kept apart by [`crate::backend::several`].
fn several(
    cli: &Cli,
    config: Config,
    mut warnings: Vec<String>,
    names: &[String],
) -> Result<Chosen, SetupError> {
    let env = Environment::from_process();
    let mut servers = Servers::default();
    for name in names {
        if name == "demo" && !config.profiles.contains_key(name) {
            let backend = engine_backend(&cli.engine, cli.read_only, &Progress::default())?;
            let refresh = Duration::from_secs(config.refresh_seconds.unwrap_or(5).max(1));
            servers.add(name, (cli.read_only, backend), (None, refresh))?;
            continue;
        }
        servers.add_profile(&config, &env, name, cli.read_only)?;
    }
    warnings.append(&mut servers.warnings);
    let refresh = servers.refresh;
    let (backend, read_only) = servers.into_backend();
    Ok(Chosen {
        profiles: profiles(&config, cli.read_only),
        backend: Source::Ready(backend),
        refresh,
        read_only,
        warnings,
        config,
    })
}

/// Several profiles (or a profile's accounts) as they are connected, in
/// order, before they are one backend.
struct Servers {
    list: Vec<(String, bool, Arc<dyn Backend>)>,
    colours: Vec<Option<String>>,
    /// The shortest of their refresh intervals.
    refresh: Duration,
    warnings: Vec<String>,
}

impl Default for Servers {
    fn default() -> Servers {
        Servers {
            list: Vec::new(),
            colours: Vec::new(),
            refresh: Duration::MAX,
            warnings: Vec::new(),
        }
    }
}

impl Servers {
    fn add(
        &mut self,
        name: &str,
        (read_only, backend): (bool, Arc<dyn Backend>),
        (colour, refresh): (Option<String>, Duration),
    ) -> Result<(), SetupError> {
        if self.list.iter().any(|(n, _, _)| n == name) {
            return Err(SetupError::Usage(format!("profile {name} is named twice")));
        }
        self.list.push((name.to_owned(), read_only, backend));
        self.colours.push(colour);
        self.refresh = self.refresh.min(refresh);
        Ok(())
    }

    /// The config's profile `name`: one server, or one per account it lists.
    fn add_profile(
        &mut self,
        config: &Config,
        env: &Environment,
        name: &str,
        read_only: bool,
    ) -> Result<(), SetupError> {
        let colour = colour_of(config, name).map_err(SetupError::Usage)?;
        let resolved = config.resolve(Some(name), env)?;
        self.warnings.extend(resolved.warnings);
        let read_only = read_only || resolved.read_only;
        let Connection::Remote { mut options, .. } = resolved.connection else {
            return Err(SetupError::Usage(format!("profile {name} names no server")));
        };
        options.read_only |= read_only;
        for (member, options) in accounts(name, config, *options)? {
            let backend =
                RemoteBackend::new(options).map_err(|e| SetupError::Client(e.to_string()))?;
            let backend: Arc<dyn Backend> = backend;
            self.add(
                &member,
                (read_only, backend),
                (colour.clone(), resolved.refresh),
            )?;
        }
        Ok(())
    }

    /// One server as itself; several as one list. Read-only when all are.
    fn into_backend(self) -> (Arc<dyn Backend>, bool) {
        let read_only = self.list.iter().all(|(_, r, _)| *r);
        let mut list = self.list;
        if list.len() == 1
            && let Some((_, read_only, backend)) = list.pop()
        {
            return (backend, read_only);
        }
        let backend = crate::backend::several::Several::coloured(list, self.colours);
        (backend, read_only)
    }
}

/// The colour a profile asks for its rows' server name, checked.
fn colour_of(config: &Config, name: &str) -> Result<Option<String>, String> {
    let Some(colour) = config.profiles.get(name).and_then(|p| p.color.clone()) else {
        return Ok(None);
    };
    match colour.parse::<ratatui::style::Color>() {
        Ok(_) => Ok(Some(colour)),
        Err(_) => Err(format!(
            "profile {name}: color {colour:?} is not a colour (a name like red or darkgray, an index 0-255, or #rrggbb)"
        )),
    }
}

fn has_accounts(config: &Config, name: &str) -> bool {
    config
        .profiles
        .get(name)
        .is_some_and(|p| !p.accounts.is_empty())
}

/// A profile's servers: itself, or one per account it lists
/// (`name/account`), each logging in to its account.
fn accounts(
    name: &str,
    config: &Config,
    options: crate::backend::remote::RemoteOptions,
) -> Result<Vec<(String, crate::backend::remote::RemoteOptions)>, SetupError> {
    use crate::backend::remote::RemoteCredentials;
    let listed = config
        .profiles
        .get(name)
        .map(|p| p.accounts.clone())
        .unwrap_or_default();
    if listed.is_empty() {
        return Ok(vec![(name.to_owned(), options)]);
    }
    listed
        .into_iter()
        .map(|account| {
            let mut each = options.clone();
            match &mut each.credentials {
                RemoteCredentials::Password { account: a, .. } => *a = Some(account.clone()),
                RemoteCredentials::AccessKey { .. } => {
                    return Err(SetupError::Usage(format!(
                        "profile {name}: accounts needs auth = \"password\" (an access key is one account's)"
                    )));
                }
            }
            Ok((format!("{name}/{account}"), each))
        })
        .collect()
}

impl Chosen {
    /// `[keys]`, `[theme]`, `[[views]]`, `[list]`, `[[commands]]` and
    /// `notify` as the dashboard uses them; a mistake is an error at its line.
    pub fn settings(&self) -> Result<crate::settings::Settings, SetupError> {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Ok(crate::settings::Settings::from_config(
            &self.config,
            no_color,
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    #[test]
    fn progress_reads_as_activities_or_megabytes() {
        let demo = Cli::parse_from(["landscape-tui", "--activities", "1000000"]).engine;
        let reading = Reading {
            done: 412_000,
            total: 1_000_000,
            unit: Unit::Activities,
        };
        assert_eq!(describe_start(&demo), "generating 1,000,000 activities");
        assert_eq!(
            progress_text(reading),
            "412,000 of 1,000,000 activities (41%)"
        );
        let file = Cli::parse_from(["landscape-tui", "--data", "big.json"]).engine;
        let bytes = Reading {
            done: 312_000_000,
            total: 733_000_000,
            unit: Unit::Bytes,
        };
        assert_eq!(describe_start(&file), "loading big.json");
        assert_eq!(progress_text(bytes), "312 of 733 MB (43%)");
        // A state that exists is opened, whatever would generate a new one;
        // its snapshot is counted in bytes, its journal in changes.
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("s.json");
        std::fs::write(&state, "{}").unwrap();
        let args = ["landscape-tui", "--activities", "3000", "--state"];
        let opened = Cli::parse_from(args.iter().copied().chain([state.to_str().unwrap()])).engine;
        assert!(
            describe_start(&opened).starts_with("opening state "),
            "{}",
            describe_start(&opened)
        );
        let replay = Reading {
            done: 40,
            total: 120,
            unit: Unit::Changes,
        };
        assert_eq!(
            progress_text(replay),
            "40 of 120 journal changes replayed (33%)"
        );
    }

    #[test]
    fn small_starts_are_built_at_once_and_large_ones_in_the_background() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let small = Cli::parse_from(["landscape-tui", "--activities", "500", "--frozen"]);
            assert!(matches!(
                start_engine(&small.engine, false).unwrap(),
                Source::Ready(_)
            ));
            let large = Cli::parse_from(["landscape-tui", "--activities", "150000", "--frozen"]);
            let source = start_engine(&large.engine, false).unwrap();
            let Source::Building { progress, .. } = &source else {
                panic!("a large start is built in the background")
            };
            let progress = progress.clone();
            let backend = source.ready().await.unwrap();
            assert_eq!(progress.read().done, 150_000);
            let rows = backend.top_level("", 1, 0).await.unwrap();
            // The generated ones, the syncs in flight, the kiosk rollout
            // (a group and a child per kiosk) and the upgrade waiting to
            // be rolled out (a group and a child per computer).
            let computers = backend.computers().await.unwrap();
            let kiosks = computers
                .iter()
                .filter(|c| c.tags.iter().any(|t| t == "kiosk"))
                .count() as u64;
            let all = computers.len() as u64;
            assert_eq!(rows.activity_count, 150_000 + 3 + 1 + kiosks + 1 + all);
        });
    }
}
