//! `landscape-tui`: parse the command line, pick a backend, run.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use landscape_tui::cli::{Cli, Subcommand, manual};
use landscape_tui::connection::{self, SetupError};
use landscape_tui::model::ActionKind;
use landscape_tui::scripting::{ActionRequest, Exit, ScriptError};
use landscape_tui::server::{self, StartCredentials};
use landscape_tui::{scripting, tui};

fn main() -> ExitCode {
    if let Err(e) = color_eyre::install() {
        eprintln!("landscape-tui: {e}");
    }
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("landscape-tui: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(run(cli));
    // A start the operator quit may still be building: do not wait for it.
    runtime.shutdown_background();
    code
}

async fn run(mut cli: Cli) -> ExitCode {
    // The dashboard owns the terminal: its logs go to a file.
    let dashboard = cli.command.is_none();
    let log_file = match landscape_tui::logging::init(cli.log.as_deref(), dashboard) {
        Ok(file) => file,
        Err(e) => return setup_failed(SetupError::Usage(e)),
    };
    match cli.command.take() {
        Some(Subcommand::Completions { shell }) => {
            printed(Cli::completions(shell, &mut std::io::stdout().lock()))
        }
        Some(Subcommand::Man { dir: None }) => {
            printed(manual::main_page(&mut std::io::stdout().lock()))
        }
        Some(Subcommand::Man { dir: Some(dir) }) => match manual::write_pages(&dir) {
            Ok(paths) => {
                for path in paths {
                    println!("{}", path.display());
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!(
                    "landscape-tui: writing the man pages into {}: {e}",
                    dir.display()
                );
                ExitCode::FAILURE
            }
        },
        Some(Subcommand::Serve {
            bind,
            public_url,
            log_format,
            web_ui,
            features,
            saved_searches,
            token_seconds,
            accounts,
        }) => {
            let site = server::site::Site { web_ui, features };
            let serving = Serving {
                bind,
                public_url,
                log_format,
                token_seconds,
                accounts,
            };
            serve(&cli, serving, site, saved_searches).await
        }
        None => run_dashboard(&cli, log_file).await,
        Some(command) => run_script(&cli, command).await,
    }
}

/// `landscape-tui serve`.
/// Where and how `serve` listens.
struct Serving {
    bind: std::net::SocketAddr,
    public_url: Option<String>,
    log_format: server::LogFormat,
    token_seconds: Option<u64>,
    /// More accounts (`--account`).
    accounts: Vec<String>,
}

async fn serve(
    cli: &Cli,
    serving: Serving,
    site: server::site::Site,
    saved_searches: Vec<(String, String)>,
) -> ExitCode {
    let Serving {
        bind,
        public_url,
        log_format,
        token_seconds,
        accounts,
    } = serving;
    if let Some(dir) = &site.web_ui
        && !dir.join("index.html").is_file()
    {
        return setup_failed(SetupError::Usage(format!(
            "--web-ui {}: no index.html there (give the directory of a built landscape-ui)",
            dir.display()
        )));
    }
    if let Some(url) = &public_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return setup_failed(SetupError::Usage(format!(
            "--public-url must start with http:// or https://, got {url:?}"
        )));
    }
    let start = match StartCredentials::from_env() {
        Ok(start) => StartCredentials {
            token_seconds,
            ..start
        },
        Err(e) => return setup_failed(SetupError::Usage(e)),
    };
    let backend = match build_reporting(cli).await {
        Ok(b) => b,
        Err(e) => return setup_failed(e),
    };
    for (name, query) in &saved_searches {
        if let Err(e) = backend.save_search(landscape_tui::model::SavedSearch::new(name, query)) {
            return setup_failed(SetupError::Usage(format!(
                "--saved-search {name}: {}",
                e.message
            )));
        }
    }
    // Activities created through serve are the logged-in user's.
    backend.set_user(landscape_tui::model::Creator::new(
        &start.credentials.name,
        &start.credentials.email,
        1,
    ));
    let others = match other_accounts(cli, &accounts, &start.credentials).await {
        Ok(others) => others,
        Err(e) => return setup_failed(e),
    };
    let mut stdout = std::io::stdout();
    match server::run(
        bind,
        public_url,
        log_format,
        (backend, others),
        start,
        site,
        &mut stdout,
    )
    .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("landscape-tui serve: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The dashboard, on the backend the command line and the config choose.
async fn run_dashboard(cli: &Cli, log_file: Option<std::path::PathBuf>) -> ExitCode {
    let chosen = match connection::choose(cli) {
        Ok(c) => c,
        Err(e) => return setup_failed(e),
    };
    let settings = match chosen.settings() {
        Ok(s) => s,
        Err(e) => return setup_failed(e),
    };
    let mut warnings = chosen.warnings;
    if let (None, Some(file)) = (&cli.log, &log_file) {
        // RUST_LOG alone: say where the logs went.
        warnings.push(format!("RUST_LOG is set: logging to {}", file.display()));
    }
    let options = tui::TuiOptions {
        refresh: chosen.refresh,
        read_only: chosen.read_only,
        history_file: tui::history::default_path(),
        action_log_file: landscape_tui::backend::action_log::default_path(),
        watches_file: tui::watches::default_path(),
        rollouts_file: tui::rollouts::default_path(),
        notify: settings.notify.unwrap_or_else(|| {
            let var = |name| std::env::var(name).ok();
            tui::notify::Notify::detect(
                var("TERM_PROGRAM").as_deref(),
                var("TERM").as_deref(),
                var("VTE_VERSION").is_some(),
            )
        }),
        warnings,
        keymap: settings.keymap,
        looks: settings.looks,
        profiles: chosen.profiles,
        open_on: tui::update::OpenOn {
            query: cli.query.clone(),
            view: cli.view.clone(),
        },
    };
    match tui::run(chosen.backend, options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<SetupError>().is_some() => {
            eprintln!("landscape-tui: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("landscape-tui: {e:?}");
            ExitCode::FAILURE
        }
    }
}

/// A scripting command: `activities`, an action, `types`.
async fn run_script(cli: &Cli, command: Subcommand) -> ExitCode {
    let chosen = match connection::choose(cli) {
        Ok(c) => c,
        Err(e) => return setup_failed(e),
    };
    for w in &chosen.warnings {
        eprintln!("landscape-tui: warning: {w}");
    }
    let backend = match chosen.backend.ready().await {
        Ok(b) => landscape_tui::backend::logged::when_logging(b),
        Err(e) => return setup_failed(e),
    };
    let backend = backend.as_ref();
    let mut out = std::io::stdout().lock();
    let result = match command {
        Subcommand::Activities {
            query,
            limit,
            offset,
            format,
        } => scripting::activities(backend, &query, limit, offset, format, &mut out)
            .await
            .map(|()| Exit::Done),
        Subcommand::Wait(args) => wait(backend, args, &mut out).await,
        Subcommand::Rollout(args) => rollout(backend, args, &mut out).await,
        Subcommand::Types { format } => scripting::types(backend, format, &mut out)
            .await
            .map(|()| Exit::Done),
        other => match other.action() {
            Some((kind, args)) => action(backend, kind, args, &mut out).await,
            None => unreachable!("serve, completions and man are not scripts"),
        },
    };
    let result = result.and_then(|exit| Ok(out.flush().map(|()| exit)?));
    match result {
        Ok(exit) => ExitCode::from(exit as u8),
        // `| head` closed the pipe: the reader has what it wanted.
        Err(e) if e.is_closed_output() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("landscape-tui: {}", e.explain());
            ExitCode::from(Exit::of(&e) as u8)
        }
    }
}

/// `wait`, with a progress bar on stderr when it is a terminal.
async fn wait(
    backend: &dyn landscape_tui::backend::Backend,
    args: landscape_tui::cli::WaitArgs,
    out: &mut dyn Write,
) -> Result<Exit, scripting::ScriptError> {
    use landscape_tui::scripting::wait::{WaitRequest, wait, write_summary};
    if let Some(name) = &args.operation {
        use landscape_tui::scripting::operation;
        let (exit, op) = operation::wait(backend, name, args.timeout, args.interval).await?;
        operation::write(&op, exit, args.format, out)?;
        return Ok(exit);
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} final{msg} · {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let progress = |done: u64, total: u64, failed: u64| {
        bar.set_length(total);
        bar.set_position(done);
        bar.set_message(if failed > 0 {
            format!(" · {failed} failed")
        } else {
            String::new()
        });
    };
    let request = WaitRequest {
        ids: args.ids,
        query: args.query,
        timeout: args.timeout,
        interval: args.interval,
        exit_status: args.exit_status,
        guard: args.guard,
        log: landscape_tui::backend::action_log::default_path(),
    };
    let result = wait(backend, &request, &progress).await;
    // Cleared first: the bar redraws over the last line it drew.
    bar.finish_and_clear();
    let (exit, summary) = result?;
    write_summary(&summary, args.format, out)?;
    Ok(exit)
}

/// `rollout`: a line on stderr per wave and gate, the summary on stdout.
async fn rollout(
    backend: &dyn landscape_tui::backend::Backend,
    args: landscape_tui::cli::RolloutArgs,
    out: &mut dyn Write,
) -> Result<Exit, scripting::ScriptError> {
    use landscape_tui::scripting::rollout::{self, RolloutRequest, Terminal};
    let request = RolloutRequest {
        query: args.query.join(" "),
        waves: args.waves.0,
        gate: args.gate,
        soak: args.soak,
        timeout: args.timeout,
        interval: args.interval,
        dry_run: args.dry_run,
        log: landscape_tui::backend::action_log::default_path(),
    };
    let (exit, run) = rollout::rollout(backend, &request, &mut Terminal).await?;
    if request.dry_run {
        rollout::write_preview(&run, args.format, out)?;
    } else {
        rollout::write_summary(&run, exit, args.format, out)?;
    }
    Ok(exit)
}

/// A scripting action, as the dashboard's confirmation would plan and send it.
async fn action(
    backend: &dyn landscape_tui::backend::Backend,
    kind: ActionKind,
    args: &landscape_tui::cli::ActionArgs,
    out: &mut dyn Write,
) -> Result<Exit, ScriptError> {
    let request = ActionRequest {
        kind,
        words: args.query.clone(),
        dry_run: args.dry_run,
        only_changeable: args.only_changeable,
        list_ids: args.ids,
        format: args.format,
        log: landscape_tui::backend::action_log::default_path(),
    };
    scripting::action(backend, &request, out, &mut std::io::stderr()).await
}

/// `serve --account NAME`: each its own engine (the demo with the next
/// seed, or the same dataset), in memory, with a key pair of its own.
async fn other_accounts(
    cli: &Cli,
    names: &[String],
    user: &server::Credentials,
) -> Result<Vec<server::Account>, SetupError> {
    let mut others: Vec<server::Account> = Vec::new();
    for (k, name) in names.iter().enumerate() {
        if *name == user.account || others.iter().any(|a| a.name == *name) {
            return Err(SetupError::Usage(format!("--account {name}: named twice")));
        }
        let mut args = cli.engine.clone();
        args.seed = args.seed.wrapping_add(k as u64 + 1);
        args.state = None;
        let read_only = cli.read_only;
        let backend = tokio::task::spawn_blocking(move || {
            connection::engine_backend(&args, read_only, &Default::default())
        })
        .await
        .map_err(|e| SetupError::Build(e.to_string()))??;
        backend.set_user(landscape_tui::model::Creator::new(
            &user.name,
            &user.email,
            1,
        ));
        let keys = server::Credentials::random();
        others.push(server::Account {
            name: name.clone(),
            title: name.clone(),
            access_key: keys.access_key,
            secret_key: keys.secret_key,
            backend,
        });
    }
    Ok(others)
}

/// Builds the engine for `serve`, saying on stderr how far it has got
/// when that takes more than a second.
async fn build_reporting(
    cli: &Cli,
) -> Result<std::sync::Arc<landscape_tui::backend::engine::EngineBackend>, SetupError> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    let progress = Arc::new(landscape_tui::engine::Progress::default());
    let done = Arc::new(AtomicBool::new(false));
    let reporter = {
        let (args, progress, done) = (cli.engine.clone(), progress.clone(), done.clone());
        std::thread::spawn(move || {
            let what = connection::describe_start(&args);
            let mut waited = Duration::ZERO;
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                waited += Duration::from_millis(100);
                if waited.as_millis().is_multiple_of(1000) && !done.load(Ordering::Relaxed) {
                    let text = connection::progress_text(progress.read());
                    eprintln!("landscape-tui serve: {what}: {text}");
                }
            }
        })
    };
    let (args, read_only) = (cli.engine.clone(), cli.read_only);
    let built = tokio::task::spawn_blocking(move || {
        connection::engine_backend(&args, read_only, &progress)
    })
    .await
    .map_err(|e| SetupError::Build(e.to_string()));
    done.store(true, Ordering::Relaxed);
    let _ = reporter.join();
    let backend = built??;
    if let Some(note) = landscape_tui::backend::Backend::take_start_note(&*backend) {
        eprintln!("landscape-tui serve: {note}");
    }
    Ok(backend)
}

/// The exit code of a command that only prints; a closed pipe is not an error.
fn printed(result: std::io::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("landscape-tui: writing the output: {e}");
            ExitCode::FAILURE
        }
    }
}

fn setup_failed(e: SetupError) -> ExitCode {
    eprintln!("landscape-tui: {e}");
    ExitCode::from(2)
}
