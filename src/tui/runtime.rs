//! The async loop: terminal events, backend answers and timers in; `update`
//! decides; commands run as tasks whose answers come back as events. The
//! loop never waits on the backend, drains what is queued before drawing,
//! and draws only after something changed.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self as ct, EventStream};
use ratatui::crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use ratatui::crossterm::{clipboard::CopyToClipboard, execute};
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

use super::app::App;
use super::event::{Call, Command, CommandOutput, Effect, Event, Slot};
use super::theme::Theme;
use super::update::{start_on, update};
use super::{answer, history, terminal, view};
use crate::backend::Backend;
use crate::backend::source::Source;
use crate::progress::{Progress, Reading};

#[derive(Debug, Clone)]
pub struct TuiOptions {
    pub refresh: Duration,
    pub read_only: bool,
    /// Where past queries are kept; `None` keeps them for this run only.
    pub history_file: Option<PathBuf>,
    /// Where the action log is kept; `None` keeps it for this run only.
    pub action_log_file: Option<PathBuf>,
    /// Where the watches are kept; `None` keeps them for this run only.
    pub watches_file: Option<PathBuf>,
    pub rollouts_file: Option<PathBuf>,
    /// How a watch's notice leaves the terminal.
    pub notify: super::notify::Notify,
    /// Warnings to show at start (config, TLS).
    pub warnings: Vec<String>,
    /// The key table with the operator's keys.
    pub keymap: super::keys::Keymap,
    pub looks: super::Looks,
    /// The config's profiles, for `:profile`.
    pub profiles: Profiles,
    /// Where it opens (`--query`, `--view`).
    pub open_on: super::update::OpenOn,
}

/// Connects to a profile of the config by name: its backend, and whether
/// the profile is read-only.
pub type Connect = dyn Fn(&str) -> Result<(Arc<dyn Backend>, bool), String> + Send + Sync;

/// The profiles `:profile` can switch to.
#[derive(Clone, Default)]
pub struct Profiles {
    pub names: Vec<String>,
    pub connect: Option<Arc<Connect>>,
}

impl std::fmt::Debug for Profiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profiles")
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

/// Runs the dashboard until the operator quits. A large engine still being
/// built is waited for with a progress bar on screen from the first frame.
pub async fn run<E>(source: Source<E>, options: TuiOptions) -> color_eyre::Result<()>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let mut term = terminal::enter()?;
    let backend = match source {
        Source::Ready(backend) => Ok(Some(backend)),
        Source::Building {
            what,
            progress,
            label,
            task,
        } => wait_for_engine(&mut term, &options.keymap, &what, &progress, &label, task).await,
    };
    let result = match backend {
        Ok(Some(backend)) => {
            let backend = crate::backend::logged::when_logging(backend);
            let history = history::load(options.history_file.as_deref());
            let mut app = App::new(backend.info(), options.read_only, history);
            app.acting.log = crate::backend::action_log::load(options.action_log_file.as_deref());
            app.watches.list = super::kept::load(options.watches_file.as_deref());
            app.rollouts.list = super::kept::load(options.rollouts_file.as_deref());
            app.prefs.keymap = options.keymap.clone();
            app.prefs.set_looks(options.looks.clone());
            app.prefs.profiles = options.profiles.names.clone();
            if let Some(note) = backend.take_start_note() {
                app.say(super::app::Level::Info, note);
            }
            if let Some(w) = options.warnings.first() {
                app.say(super::app::Level::Warning, w.clone());
            }
            run_loop(&mut term, &mut app, backend, &options).await
        }
        Ok(None) => Ok(()),
        Err(e) => Err(e),
    };
    terminal::leave();
    result
}

/// Draws the start's progress until the engine is built; `None` when the
/// operator quit first.
async fn wait_for_engine<E>(
    term: &mut DefaultTerminal,
    keymap: &super::keys::Keymap,
    what: &str,
    progress: &Progress,
    label: &(dyn Fn(Reading) -> String + Send),
    mut task: tokio::task::JoinHandle<Result<Arc<dyn Backend>, E>>,
) -> color_eyre::Result<Option<Arc<dyn Backend>>>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let mut events = EventStream::new();
    loop {
        let reading = progress.read();
        term.draw(|f| {
            view::starting(
                f,
                &Theme::default(),
                keymap,
                what,
                &label(reading),
                reading.ratio(),
            )
        })?;
        tokio::select! {
            built = &mut task => {
                return match built {
                    Ok(Ok(backend)) => Ok(Some(backend)),
                    Ok(Err(e)) => Err(e.into()),
                    Err(e) => Err(color_eyre::eyre::eyre!("building the engine: {e}")),
                };
            }
            Some(Ok(ct::Event::Key(key))) = events.next() => {
                // The quit keys of the operator's keymap, and Esc.
                let quit = keymap.action(super::keys::Context::Panes, &key)
                    == Some(super::keys::KeyAction::Quit);
                if quit || key.code == ct::KeyCode::Esc {
                    return Ok(None);
                }
            }
            () = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
    }
}

/// The clocks are inputs: update and the views read them from here.
fn read_clocks(app: &mut App, backend: &dyn Backend) {
    app.clock.now = chrono::Utc::now();
    app.clock.offset = *chrono::Local::now().offset();
    // Under five seconds is whole seconds (the engine's, `Date`'s) and an
    // answer's time on the way, not another clock.
    let skew = backend
        .now()
        .map_or(chrono::Duration::zero(), |t| t - app.clock.now);
    app.clock.server_skew = if skew.num_seconds().abs() < 5 {
        chrono::Duration::zero()
    } else {
        skew
    };
}

async fn run_loop(
    term: &mut DefaultTerminal,
    app: &mut App,
    mut backend: Arc<dyn Backend>,
    options: &TuiOptions,
) -> color_eyre::Result<()> {
    let size = term.size()?;
    app.screen.size = (size.width, size.height);
    app.clock.refresh_every = options.refresh;
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let mut events = EventStream::new();
    let mut changes = backend.changes();
    // Skip missed ticks: a timer idle for a while must not fire in a burst.
    let mut refresh = tokio::time::interval(options.refresh);
    refresh.set_missed_tick_behavior(MissedTickBehavior::Skip);
    refresh.tick().await;
    let mut tick = tokio::time::interval(Duration::from_millis(300));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    read_clocks(app, backend.as_ref());
    let mut commands = start_on(app, &options.open_on);
    let mut calls = Calls::default();
    loop {
        for command in commands.drain(..) {
            match command {
                Command::Call(call) => calls.start(call, &backend, &tx),
                Command::Effect(Effect::Quit) => return Ok(()),
                Command::Effect(Effect::SwitchProfile(name)) => {
                    // The loop's backend is replaced here; answers still on
                    // their way from the old one are for older generations.
                    let result = connect(options, &name).map(|(new, read_only)| {
                        backend = new;
                        changes = backend.changes();
                        (backend.info(), read_only)
                    });
                    let _ = tx.send(Event::ProfileSwitched { name, result });
                }
                Command::Effect(Effect::RunUserCommand {
                    name,
                    argv,
                    mode: super::user_commands::Mode::Terminal,
                }) => {
                    // The terminal is the command's until it ends; keys typed
                    // meanwhile are its, so the event reader is stopped first.
                    // (Dropped before another is made: a new reader waits for
                    // the old one's lock.)
                    drop(events);
                    let result = in_terminal(term, &argv)?;
                    events = EventStream::new();
                    let _ = tx.send(Event::UserCommandDone { name, result });
                }
                Command::Effect(effect) => local_effect(effect, &tx, options),
            }
        }
        if app.screen.quit {
            return Ok(());
        }
        execute!(std::io::stdout(), BeginSynchronizedUpdate)?;
        term.draw(|f| view::draw(f, app))?;
        execute!(std::io::stdout(), EndSynchronizedUpdate)?;

        let event = tokio::select! {
            e = events.next() => match e {
                Some(Ok(e)) => terminal_event(e),
                // The reader stopped for a command run in the terminal
                // leaves a wake-up behind: not an error of the terminal.
                Some(Err(e)) if e.kind() == std::io::ErrorKind::Interrupted => None,
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            Some(e) = rx.recv() => Some(e),
            Ok(()) = changes.changed() => Some(Event::BackendChanged),
            _ = refresh.tick() => Some(Event::RefreshDue),
            _ = tick.tick(), if app.animating() => Some(Event::Tick),
        };
        read_clocks(app, backend.as_ref());
        if let Some(e) = event {
            commands.extend(update(app, e));
        }
        // Drain everything already queued before drawing again. (Polling
        // with the task's own waker: a no-op waker would be kept by
        // crossterm's reader thread and later keys would not wake us.)
        loop {
            tokio::select! {
                biased;
                Some(Ok(e)) = events.next() => {
                    if let Some(e) = terminal_event(e) {
                        commands.extend(update(app, e));
                    }
                }
                Some(e) = rx.recv() => commands.extend(update(app, e)),
                () = std::future::ready(()) => break,
            }
        }
    }
}

/// The backend calls under way: each runs as a task whose answer comes
/// back as an event; of the calls where only the newest matters (the
/// list, the children, a dry run, health, clusters), a newer one stops
/// the one under way.
#[derive(Default)]
struct Calls {
    latest: HashMap<Slot, tokio::task::JoinHandle<()>>,
}

impl Calls {
    fn start(&mut self, call: Call, backend: &Arc<dyn Backend>, tx: &mpsc::UnboundedSender<Event>) {
        let slot = call.slot();
        let (backend, tx) = (backend.clone(), tx.clone());
        let task = tokio::spawn(async move {
            if let Some(event) = answer::answer(backend.as_ref(), call).await {
                let _ = tx.send(event);
            }
        });
        if let Some(slot) = slot
            && let Some(stale) = self.latest.insert(slot, task)
        {
            stale.abort();
        }
    }
}

/// The config's profile `name`, connected.
fn connect(options: &TuiOptions, name: &str) -> Result<(Arc<dyn Backend>, bool), String> {
    match &options.profiles.connect {
        Some(connect) => connect(name),
        None => Err("this dashboard was started without a config".to_owned()),
    }
}

/// Runs `argv` with the terminal handed over until it ends.
fn in_terminal(
    term: &mut DefaultTerminal,
    argv: &[String],
) -> color_eyre::Result<Result<CommandOutput, String>> {
    terminal::suspend();
    let result = std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .status()
        .map(|status| CommandOutput {
            success: status.success(),
            status: status.to_string(),
            stdout: String::new(),
            stderr: String::new(),
            dropped: 0,
        })
        .map_err(|e| format!("{}: {e}", argv[0]));
    terminal::resume(term)?;
    Ok(result)
}

/// Tells the dashboard that a file could not be written (it says so and
/// keeps what was not written).
fn not_saved(
    tx: &mpsc::UnboundedSender<Event>,
    what: &'static str,
    path: &std::path::Path,
    e: std::io::Error,
    record: Option<Box<crate::backend::action_plan::ActionRecord>>,
) {
    tracing::warn!("{what} {}: {e}", path.display());
    let _ = tx.send(Event::NotSaved {
        what,
        error: format!("{}: {e}", path.display()),
        record,
    });
}

/// The system's opener on `url`: `xdg-open`, or `open` on macOS.
async fn open_url(url: &str) -> Result<CommandOutput, String> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    // What an opener prints on success is of no use to anyone; when
    // nothing opens, the link is said, to be opened by hand.
    let why = match captured(&[opener.to_owned(), url.to_owned()]).await {
        Ok(o) if o.success => {
            return Ok(CommandOutput {
                stdout: String::new(),
                ..o
            });
        }
        Ok(o) => match o.stderr.lines().next() {
            Some(line) => format!("{}: {line}", o.status),
            None => o.status,
        },
        Err(e) => e,
    };
    // The link first, so the status line shows it; why in the messages.
    Ok(CommandOutput {
        success: false,
        status: "no browser opened".into(),
        stdout: String::new(),
        stderr: format!("the link: {url}\n{opener}: {why}"),
        dropped: 0,
    })
}

/// Runs `argv` beside the dashboard (no input), its output kept within
/// the limits; `:stop` ends it.
async fn captured(argv: &[String]) -> Result<CommandOutput, String> {
    super::capture::run(argv, super::capture::Limits::default(), STOP.subscribe()).await
}

/// `:stop`'s signal to every background command (their tasks watch it).
static STOP: std::sync::LazyLock<tokio::sync::watch::Sender<u64>> =
    std::sync::LazyLock::new(|| tokio::sync::watch::channel(0).0);

fn terminal_event(e: ct::Event) -> Option<Event> {
    match e {
        ct::Event::Key(k) => Some(Event::Key(k)),
        ct::Event::Mouse(m) => Some(Event::Mouse(m)),
        ct::Event::Resize(w, h) => Some(Event::Resize(w, h)),
        _ => None,
    }
}

/// Does `effect` here (what needs the loop itself is the loop's).
fn local_effect(effect: Effect, tx: &mpsc::UnboundedSender<Event>, options: &TuiOptions) {
    match effect {
        Effect::Copy(text) => {
            let _ = execute!(std::io::stdout(), CopyToClipboard::to_clipboard_from(text));
        }
        Effect::SaveHistory(list) => {
            if let Some(path) = options.history_file.clone() {
                let tx = tx.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = history::save(&path, &list) {
                        not_saved(&tx, "the query history", &path, e, None);
                    }
                });
            }
        }
        Effect::SaveRollouts(list) => {
            if let Some(path) = options.rollouts_file.clone() {
                let tx = tx.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = super::kept::save(&path, &list) {
                        not_saved(&tx, "the rollouts", &path, e, None);
                    }
                });
            }
        }
        Effect::SaveWatches(list) => {
            if let Some(path) = options.watches_file.clone() {
                let tx = tx.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = super::kept::save(&path, &list) {
                        not_saved(&tx, "the watches", &path, e, None);
                    }
                });
            }
        }
        Effect::StopCommands => {
            STOP.send_modify(|n| *n += 1);
        }
        Effect::RunUserCommand { name, argv, .. } => {
            let tx = tx.clone();
            tokio::spawn(async move {
                let result = captured(&argv).await;
                let _ = tx.send(Event::UserCommandDone { name, result });
            });
        }
        Effect::OpenUrl(url) => {
            let tx = tx.clone();
            tokio::spawn(async move {
                let result = open_url(&url).await;
                let _ = tx.send(Event::UserCommandDone {
                    name: "open".into(),
                    result,
                });
            });
        }
        Effect::Notify(text) => {
            use std::io::Write;
            let mut out = std::io::stdout();
            let _ = out.write_all(options.notify.sequence(&text).as_bytes());
            let _ = out.flush();
        }
        Effect::LogAction(record) => {
            if let Some(path) = options.action_log_file.clone() {
                let tx = tx.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = crate::backend::action_log::append(&path, &record) {
                        not_saved(&tx, "the action log", &path, e, Some(record));
                    }
                });
            }
        }
        // The loop itself switches profiles, runs terminal commands and quits.
        Effect::Quit | Effect::SwitchProfile(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;

    use super::*;
    use crate::backend::{BackendError, BackendInfo, CompletionValues, Selection};
    use crate::model::{Activity, Computer, Page, RowPage};

    /// A backend that never answers a read, and counts the reads that
    /// were stopped (their futures dropped before an answer).
    #[derive(Default)]
    struct NeverAnswers {
        stopped: Arc<AtomicUsize>,
    }

    struct Stopped(Arc<AtomicUsize>);

    impl Drop for Stopped {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    impl NeverAnswers {
        async fn hang<T>(&self) -> Result<T, BackendError> {
            let _stopped = Stopped(self.stopped.clone());
            std::future::pending().await
        }
    }

    #[async_trait]
    impl Backend for NeverAnswers {
        fn info(&self) -> BackendInfo {
            BackendInfo::embedded_engine()
        }
        async fn activities(
            &self,
            _: &str,
            _: u64,
            _: u64,
        ) -> Result<Page<Activity>, BackendError> {
            self.hang().await
        }
        async fn top_level(&self, _: &str, _: u64, _: u64) -> Result<RowPage, BackendError> {
            self.hang().await
        }
        async fn activity(&self, _: u64) -> Result<Activity, BackendError> {
            self.hang().await
        }
        async fn children(&self, _: u64, _: Option<&str>) -> Result<Vec<Activity>, BackendError> {
            self.hang().await
        }
        async fn activity_types(&self) -> Result<Vec<String>, BackendError> {
            self.hang().await
        }
        async fn completion_values(&self) -> Result<CompletionValues, BackendError> {
            self.hang().await
        }
        async fn computers(&self) -> Result<Vec<Computer>, BackendError> {
            self.hang().await
        }
        async fn computers_page(
            &self,
            _: &str,
            _: u64,
            _: u64,
        ) -> Result<Page<Computer>, BackendError> {
            self.hang().await
        }
        async fn computer_titles(
            &self,
            _: &[u64],
            _: bool,
        ) -> Result<std::collections::HashMap<u64, String>, BackendError> {
            self.hang().await
        }
        async fn approve(&self, _: &Selection) -> Result<Vec<u64>, BackendError> {
            self.hang().await
        }
        async fn cancel(&self, _: &Selection) -> Result<Vec<u64>, BackendError> {
            self.hang().await
        }
        async fn reapply(&self, _: &[u64]) -> Result<Vec<Activity>, BackendError> {
            self.hang().await
        }
        async fn revert(&self, _: &[u64]) -> Result<Vec<Activity>, BackendError> {
            self.hang().await
        }
        fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
            tokio::sync::watch::channel(0).1
        }
    }

    async fn settle() {
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn a_newer_call_of_its_kind_stops_the_one_under_way_and_no_other() {
        let never = NeverAnswers::default();
        let stopped = never.stopped.clone();
        let backend: Arc<dyn Backend> = Arc::new(never);
        let (tx, _rx) = mpsc::unbounded_channel();
        let mut calls = Calls::default();
        let children = |parent| Call::FetchChildren {
            parent,
            query: None,
        };
        calls.start(children(1), &backend, &tx);
        settle().await;
        calls.start(children(2), &backend, &tx);
        settle().await;
        assert_eq!(
            stopped.load(Ordering::SeqCst),
            1,
            "the first children read stopped"
        );
        // Computers by id each count: a second read stops nothing.
        calls.start(Call::FetchComputers(vec![1]), &backend, &tx);
        calls.start(Call::FetchComputers(vec![2]), &backend, &tx);
        // Health and clusters are kinds of their own.
        let health = |generation| Call::FetchHealth {
            generation,
            query: String::new(),
            now: chrono::Utc::now(),
        };
        calls.start(health(1), &backend, &tx);
        calls.start(
            Call::FetchClusters {
                generation: 1,
                query: String::new(),
            },
            &backend,
            &tx,
        );
        settle().await;
        assert_eq!(
            stopped.load(Ordering::SeqCst),
            1,
            "other kinds stop nothing"
        );
        calls.start(health(2), &backend, &tx);
        settle().await;
        assert!(
            stopped.load(Ordering::SeqCst) >= 2,
            "the older health read stopped"
        );
    }

    #[test]
    fn a_confirmations_two_dry_runs_are_kept_apart() {
        let plan = |other| Call::Plan {
            kind: crate::model::ActionKind::Approve,
            scope: crate::model::scope::Scope::every_match(""),
            other,
        };
        assert_ne!(plan(false).slot(), plan(true).slot());
        assert_eq!(plan(true).slot(), plan(true).slot());
        let carry_out = Call::CarryOut {
            plan: Box::new(crate::backend::action_plan::ActionPlan {
                kind: crate::model::ActionKind::Approve,
                scope: crate::model::scope::Scope::every_match(""),
                parts: Vec::new(),
                refusals: Vec::new(),
                sample: Vec::new(),
                skipped: Vec::new(),
            }),
            only_changeable: false,
        };
        assert_eq!(
            carry_out.slot(),
            None,
            "an action is never stopped by another"
        );
    }
}
