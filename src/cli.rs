//! The command line. With no subcommand it opens the dashboard — on the
//! embedded demo engine unless a server is configured.

use std::net::SocketAddr;
use std::path::PathBuf;

pub use crate::export::Format;
use crate::model::ActionKind;
use crate::server::LogFormat;
use clap::{Args, Parser};

pub mod manual;

/// The exit codes of the scripting commands (`scripting::Exit`).
pub const EXIT_CODES: &str = "Exit codes: 0 done (a dry run: the action would be done) · \
1 refused, nothing changed (a dry run: Landscape would refuse it) · 2 usage error or bad query · \
3 authentication failed · 4 server unreachable, timed out or failing (5xx) · \
5 partly done, or an answer was lost: check before trying again";

/// `wait`'s own exit codes, beside the scripting commands'.
pub const WAIT_EXIT_CODES: &str = "Exit codes: 0 every activity final (with --exit-status: every one \
succeeded) · 2 usage error, bad query, or an id that names no activity · 3 authentication failed · 4 server unreachable, timed \
out or failing (5xx) · 6 (--exit-status) one or more failed · 7 (--exit-status) one or more \
canceled, none failed · 8 --timeout passed before every activity was final";

/// `rollout`'s exit codes.
pub const ROLLOUT_EXIT_CODES: &str = "Exit codes: 0 every wave released and final, the gate held \
(a dry run: the waves were printed) · 1 a wave's approval was refused · 2 usage error, bad query, or \
a query that selects nothing · 3 authentication failed · 4 server unreachable, timed out or failing \
(5xx) · 5 a wave's approval partly done or its answer lost: run the same command again · 6 stopped \
by the gate: the rest is left unapproved · 8 --timeout passed first (run the same command again to go on)";

/// What `--version` says: the version, the commit it was built from, and
/// what is in this build.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit: ",
    env!("LANDSCAPE_TUI_COMMIT"),
    "\nTLS: rustls, verifying with the system's certificates (LANDSCAPE_API_SSL_CA_FILE adds a CA); no OpenSSL",
    "\nweb UI: serve --web-ui DIR serves a separately built Canonical landscape-ui (not bundled)",
);

#[derive(Debug, Parser)]
#[command(
    name = "landscape-tui",
    version,
    long_version = LONG_VERSION,
    about = "Browse, search and act on Canonical Landscape activities in the terminal",
    long_about = "Browse, search and act on Canonical Landscape activities in the terminal.\n\n\
With no server configured (no profile, no LANDSCAPE_API_URI) it runs on an embedded engine \
that behaves like a Landscape server, so everything works as a demo.\n\n\
Server credentials come from the environment (LANDSCAPE_API_URI, LANDSCAPE_API_KEY, \
LANDSCAPE_API_SECRET, LANDSCAPE_API_SSL_CA_FILE, LANDSCAPE_EMAIL, LANDSCAPE_PASSWORD) or \
from a profile in the config file (see config.example.toml).",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Disable approve, cancel, reapply and revert.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Write logs of backend calls (with timings; never secrets) to FILE.
    /// RUST_LOG sets what is logged (default landscape_tui=debug); with
    /// RUST_LOG alone the dashboard logs to its state directory.
    #[arg(long, global = true, value_name = "FILE")]
    pub log: Option<std::path::PathBuf>,
    /// Open the dashboard on this query (`--query 'status:failed
    /// created-after:today'`).
    #[arg(long, value_name = "QUERY", conflicts_with = "view")]
    pub query: Option<String>,
    /// Open the dashboard on this saved view (`[[views]]` in the config,
    /// by name).
    #[arg(long, value_name = "NAME")]
    pub view: Option<String>,
    #[command(subcommand)]
    pub command: Option<Subcommand>,
}

#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Config file (default: ~/.config/landscape-tui/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Server profile from the config file; give it again for several
    /// servers in one list (`--profile prod --profile staging`; `demo` is
    /// the embedded engine when no profile has that name).
    #[arg(long, global = true, value_name = "NAME", conflicts_with = "demo")]
    pub profile: Vec<String>,
    /// Use the embedded demo engine even when a server is configured.
    #[arg(long, global = true)]
    pub demo: bool,
}

/// The embedded engine's data and clock.
#[derive(Debug, Args, Clone)]
pub struct EngineArgs {
    /// Start from a dataset file instead of generated data.
    #[arg(long, global = true, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Seed of the generated demo account.
    #[arg(long, global = true, default_value_t = 42)]
    pub seed: u64,
    /// Computers in the generated demo account.
    #[arg(long, global = true, default_value_t = 50)]
    pub computers: usize,
    /// Activities in the generated demo account.
    #[arg(long, global = true, default_value_t = 3000)]
    pub activities: usize,
    /// Engine seconds per wall-clock second.
    #[arg(long, global = true, default_value_t = 1.0)]
    pub speed: f64,
    /// Keep the engine's clock still.
    #[arg(long, global = true)]
    pub frozen: bool,
    /// Behave as a Landscape before 26.04: no debarchive service (mirror
    /// syncs are activities only; its routes answer 404).
    #[arg(long = "before-26-04", global = true)]
    pub before_26_04: bool,
    /// Keep the engine's state in FILE (and FILE.journal): loaded at start
    /// when it exists (over --data and generation), every change on disk
    /// before it is answered.
    #[arg(long, global = true, value_name = "FILE")]
    pub state: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Subcommand {
    /// Serve the embedded engine over HTTP (legacy API at /api/, REST v2 at /api/v2/).
    Serve {
        /// Address to listen on (loopback by default).
        #[arg(long, default_value = "127.0.0.1:9091")]
        bind: SocketAddr,
        /// The address clients use to reach this server (e.g. behind a proxy):
        /// the base of `next`/`previous` links. Default: the bound address.
        #[arg(long)]
        public_url: Option<String>,
        /// How each request is logged on stderr.
        #[arg(long, value_enum, default_value_t = LogFormat::Text)]
        log_format: LogFormat,
        /// Also serve a built Landscape web UI from DIR under /new_dashboard/
        /// (Canonical's landscape-ui, built separately; AGPL-3.0).
        #[arg(long, value_name = "DIR")]
        web_ui: Option<std::path::PathBuf>,
        /// A feature flag to report enabled at /api/v2/features (repeatable).
        #[arg(long = "feature", value_name = "KEY")]
        features: Vec<String>,
        /// A saved search for GetSavedSearches, NAME=QUERY (a computer
        /// query; repeatable).
        #[arg(long = "saved-search", value_name = "NAME=QUERY", value_parser = parse_saved_search)]
        saved_searches: Vec<(String, String)>,
        /// The longest a token this server issues lives, in seconds
        /// (default: what the login asks, 24 h): short tokens let a client's
        /// re-login on an expired token be tested.
        #[arg(long, value_name = "SECONDS")]
        token_seconds: Option<u64>,
        /// Another account beside the default one (repeatable): its own
        /// activities and computers (the demo with another seed, or the
        /// same --data), its own key pair (printed), kept in memory only.
        /// The user logs in to any of them (`"account"` in the login) and
        /// switches with POST /api/v2/switch-account.
        #[arg(long = "account", value_name = "NAME", value_parser = parse_account_name)]
        accounts: Vec<String>,
    },
    /// List activities matching a query.
    Activities {
        /// A query in Landscape's activity search language.
        #[arg(long, short, default_value = "")]
        query: String,
        /// How many activities to print at most (newest first).
        #[arg(long, default_value_t = 100)]
        limit: u64,
        /// How many of the newest matches to skip first.
        #[arg(long, default_value_t = 0)]
        offset: u64,
        /// Output format: json (the records as the API sends them), table
        /// (for people), csv or tsv (for spreadsheets).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Approve the activities a query selects (all or nothing).
    #[command(after_help = EXIT_CODES)]
    Approve(ActionArgs),
    /// Cancel the activities a query selects (all or nothing).
    #[command(after_help = EXIT_CODES)]
    Cancel(ActionArgs),
    /// Reapply the finished activities a query (or ids) selects: prints the new ones.
    #[command(after_help = EXIT_CODES)]
    Reapply(ActionArgs),
    /// Revert the succeeded package changes a query (or ids) selects: prints the new activities.
    #[command(after_help = EXIT_CODES)]
    Revert(ActionArgs),
    /// Wait until activities are final (succeeded, failed or canceled),
    /// then print one summary: the ids given (a group's id waits for the
    /// group, which is final when all its children are), or what a query
    /// matches when it starts. Each poll asks only for the ones not final.
    #[command(after_help = WAIT_EXIT_CODES)]
    Wait(WaitArgs),
    /// Approve what a query selects in waves (cumulative shares, e.g.
    /// 10%,50%,100%): each wave is approved by exact plan once everything
    /// released before it is final, soaked and within the gate. Run again,
    /// it goes on from the first wave the server says is not reached.
    #[command(after_help = ROLLOUT_EXIT_CODES)]
    Rollout(RolloutArgs),
    /// List the activity types the server knows.
    Types {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Print a shell completion script (e.g. `landscape-tui completions bash > ~/.local/share/bash-completion/completions/landscape-tui`).
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `landscape-tui man | man -l -`;
    /// with --dir, write it and a page per subcommand into DIR.
    Man {
        /// Write landscape-tui.1 and landscape-tui-COMMAND.1 here.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// What `wait` takes.
#[derive(Debug, Clone, Args)]
pub struct WaitArgs {
    /// Activity ids.
    #[arg(value_name = "ID", required_unless_present_any = ["query", "operation"])]
    pub ids: Vec<u64>,
    /// Wait for one of Landscape 26.04's long-running operations (a
    /// mirror sync, an import: `operations/ID`) instead: exits 0 when it
    /// succeeded, 6 when it failed, 8 on timeout.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["ids", "query", "guard", "exit_status"])]
    pub operation: Option<String>,
    /// Wait for every activity this query matches now (at most 10,000).
    #[arg(long, short, conflicts_with = "ids")]
    pub query: Option<String>,
    /// Give up after this long (`90s`, `30m`, `2h`).
    #[arg(long, default_value = "30m", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// How often to ask (`10s`, `500ms`).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub interval: std::time::Duration,
    /// Exit by the outcome: 6 when any failed, 7 when any was canceled.
    #[arg(long)]
    pub exit_status: bool,
    /// Cancel what has not started (undelivered, unapproved, scheduled)
    /// once this many have failed: `failed>=3`, `failed>=5%`. Counts a
    /// group's children, the query's matches, or the ids and their
    /// children (at most 100 ids).
    #[arg(long, value_name = "THRESHOLD", value_parser = crate::model::guard::Threshold::parse)]
    pub guard: Option<crate::model::guard::Threshold>,
    /// Output format of the summary: json or table.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

/// What `rollout` takes.
#[derive(Debug, Clone, Args)]
pub struct RolloutArgs {
    /// The query (words are joined with spaces): a group stands for its
    /// children. Name the change (`parent-id:N`, a summary, a type), not
    /// a status: a status term selects less once waves are approved.
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// Cumulative shares of the set, increasing: `10%,50%,100%` or
    /// `1,10,100%` (100% is added when left out).
    #[arg(long, value_name = "LIST", value_parser = clap::value_parser!(crate::model::rollout::Waves))]
    pub waves: crate::model::rollout::Waves,
    /// After each wave: stop unless at most this many of the final ones
    /// released so far failed (`failed<=3`, `failed<=5%`).
    #[arg(long, value_name = "GATE", value_parser = crate::model::rollout::Gate::parse)]
    pub gate: Option<crate::model::rollout::Gate>,
    /// Wait this long after a wave is final before the gate (`10m`).
    #[arg(long, default_value = "0s", value_parser = parse_duration)]
    pub soak: std::time::Duration,
    /// Print the waves (counts and first ids); change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Give up after this long (`90s`, `30m`, `2h`); run again to go on.
    #[arg(long, default_value = "24h", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// How often a wave's activities are read while they run.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub interval: std::time::Duration,
    /// Output format of the summary: json or table.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// An account's name: letters, digits, `-` and `_`.
pub fn parse_account_name(text: &str) -> Result<String, String> {
    let ok = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    match ok {
        true => Ok(text.to_owned()),
        false => Err(format!(
            "{text:?}: an account's name is letters, digits, - and _"
        )),
    }
}

/// `NAME=QUERY`: a saved search's name (letters, digits, `-`, `_`) and
/// its computer query.
pub fn parse_saved_search(text: &str) -> Result<(String, String), String> {
    let (name, query) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: write NAME=QUERY, e.g. web=tag:web"))?;
    let name = name.trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "{name:?}: a saved search's name is letters, digits, - and _"
        ));
    }
    crate::query::parse_computer_query(query, &crate::query::ParseOptions::default())
        .map_err(|e| format!("{name}: {}", e.message))?;
    Ok((name.to_owned(), query.trim().to_owned()))
}

pub use crate::model::duration::parse as parse_duration;

impl Subcommand {
    /// The Landscape action the command asks for, with its arguments.
    pub fn action(&self) -> Option<(ActionKind, &ActionArgs)> {
        match self {
            Subcommand::Approve(a) => Some((ActionKind::Approve, a)),
            Subcommand::Cancel(a) => Some((ActionKind::Cancel, a)),
            Subcommand::Reapply(a) => Some((ActionKind::Reapply, a)),
            Subcommand::Revert(a) => Some((ActionKind::Revert, a)),
            _ => None,
        }
    }
}

impl Cli {
    /// Writes a completion script for `shell`. (Generated into memory
    /// first: the generator panics on a write error, `| head` is not one.)
    pub fn completions(
        shell: clap_complete::Shell,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let mut command = <Cli as clap::CommandFactory>::command();
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut command, "landscape-tui", &mut script);
        out.write_all(&script)
    }
}

/// What every action takes. A group the query matches stands for its
/// children; a child the query excludes is never acted on.
#[derive(Debug, Clone, Args)]
pub struct ActionArgs {
    /// The query (words are joined with spaces), or activity ids.
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// Print what would change and what would be refused (exact counts,
    /// the first of each); change nothing. Exits as the action would.
    #[arg(long)]
    pub dry_run: bool,
    /// Send only the activities the action allows, so Landscape's all or
    /// nothing refuses none.
    #[arg(long)]
    pub only_changeable: bool,
    /// With --dry-run: list the id of every activity that would change.
    #[arg(long, requires = "dry_run")]
    pub ids: bool,
    /// Output format: json (ids, or the activities created), table, csv or tsv.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}
