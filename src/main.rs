//! `landscape-tui`: parse the command line, pick a backend, run.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use landscape_tui::cli::{Cli, Command};
use landscape_tui::connection::{self, SetupError};
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
    runtime.block_on(run(cli))
}

async fn run(mut cli: Cli) -> ExitCode {
    match cli.command.take() {
        Some(Command::Serve { bind }) => {
            let backend = match connection::engine_backend(&cli.engine, cli.read_only) {
                Ok(b) => b,
                Err(e) => return setup_failed(e),
            };
            let mut stdout = std::io::stdout();
            match server::run(bind, backend, StartCredentials::from_env(), &mut stdout).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("landscape-tui serve: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        None => {
            let chosen = match connection::choose(&cli) {
                Ok(c) => c,
                Err(e) => return setup_failed(e),
            };
            let options = tui::TuiOptions {
                refresh: chosen.refresh,
                read_only: chosen.read_only,
                history_file: tui::history::default_path(),
                warnings: chosen.warnings,
            };
            match tui::run(chosen.backend, options).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("landscape-tui: {e:?}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(command) => {
            let chosen = match connection::choose(&cli) {
                Ok(c) => c,
                Err(e) => return setup_failed(e),
            };
            for w in &chosen.warnings {
                eprintln!("landscape-tui: warning: {w}");
            }
            let backend = chosen.backend.as_ref();
            let mut out = std::io::stdout().lock();
            let result = match command {
                Command::Activities {
                    query,
                    limit,
                    offset,
                    format,
                } => scripting::activities(backend, &query, limit, offset, format, &mut out).await,
                Command::Approve { query, format } => {
                    scripting::status_change(backend, true, &query.join(" "), format, &mut out)
                        .await
                }
                Command::Cancel { query, format } => {
                    scripting::status_change(backend, false, &query.join(" "), format, &mut out)
                        .await
                }
                Command::Reapply { ids, format } => {
                    scripting::create(backend, false, &ids, format, &mut out).await
                }
                Command::Revert { ids, format } => {
                    scripting::create(backend, true, &ids, format, &mut out).await
                }
                Command::Types { format } => scripting::types(backend, format, &mut out).await,
                Command::Serve { .. } => unreachable!("handled above"),
            };
            let result = result.and_then(|()| Ok(out.flush()?));
            match result {
                Ok(()) => ExitCode::SUCCESS,
                // `| head` closed the pipe: the reader has what it wanted.
                Err(e) if e.is_closed_output() => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("landscape-tui: {}", scripting::describe(&e));
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn setup_failed(e: SetupError) -> ExitCode {
    eprintln!("landscape-tui: {e}");
    ExitCode::from(2)
}
