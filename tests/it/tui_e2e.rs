//! The real binary in a pseudo-terminal, driven as a person would: start on
//! a small frozen dataset, search, open a parent, mark two children,
//! approve, confirm, see their status change, quit, and find the terminal
//! restored. Waits for what the screen shows, never for fixed times.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
    /// Every byte the dashboard wrote, for what a screen does not show
    /// (a notification's escape sequence).
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    /// When keys were last sent: a person pauses between commands, and
    /// keys closer together are typing, which the dashboard never runs.
    last_sent: Instant,
}

impl Screen {
    /// Waits until the dashboard has written `bytes` (at most 30 s).
    fn wait_for_bytes(&self, bytes: &[u8]) {
        let start = Instant::now();
        while !self
            .raw
            .lock()
            .unwrap()
            .windows(bytes.len())
            .any(|w| w == bytes)
        {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out waiting for {:?}; screen:\n{}",
                String::from_utf8_lossy(bytes),
                self.text()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// The colour `word` is drawn in on the last list row that has it
    /// (not the title, nor the selected row at the top).
    fn colour_of_row_word(&self, word: &str) -> Option<vt100::Color> {
        let parser = self.parser.lock().unwrap();
        let screen = parser.screen();
        let text = screen.contents();
        let (row, line) = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with('│') && l.contains(&format!(" {word} ")))
            .last()?;
        let col = line[..line.find(&format!(" {word} "))? + 1].chars().count();
        Some(screen.cell(row as u16, col as u16)?.fgcolor())
    }

    /// Waits until `pred` holds for the screen text (at most 30 s).
    fn wait(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        let mut held = false;
        loop {
            let text = self.text();
            // Twice in a row: a frame read half-written can already
            // hold the needle but not the lines drawn after it.
            if pred(&text) {
                if held {
                    return text;
                }
                held = true;
            } else {
                held = false;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what}; screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn wait_for(&self, needle: &str) -> String {
        self.wait(needle, |t| t.contains(needle))
    }

    /// Keys a person presses, a moment after the last ones.
    fn send(&mut self, keys: &str) {
        self.pause(Duration::from_millis(350));
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// A confirmation's key, after the look at the dialog it wants.
    fn confirm(&mut self) {
        self.pause(Duration::from_millis(650));
        self.send("y");
    }

    fn pause(&mut self, at_least: Duration) {
        let since = self.last_sent.elapsed();
        if since < at_least {
            std::thread::sleep(at_least - since);
        }
        self.last_sent = Instant::now();
    }
}

type Running = (
    Screen,
    Box<dyn portable_pty::Child + Send + Sync>,
    std::thread::JoinHandle<()>,
);

/// The dashboard in a 160×40 pseudo-terminal with `args`, its HOME in `home`.
fn start(args: &[&str], home: &std::path::Path) -> Running {
    start_sized(args, home, (160, 40))
}

/// The same at `(cols, rows)`.
fn start_sized(args: &[&str], home: &std::path::Path, size: (u16, u16)) -> Running {
    start_env(args, home, size, &[])
}

/// The same with `env` set (a server to connect to).
fn start_env(
    args: &[&str],
    home: &std::path::Path,
    (cols, rows): (u16, u16),
    env: &[(&str, &str)],
) -> Running {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_landscape-tui"));
    cmd.args(args);
    cmd.env("HOME", home);
    cmd.env("XDG_CONFIG_HOME", home.join("config"));
    cmd.env("XDG_DATA_HOME", home.join("data"));
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("LANDSCAPE_API_URI");
    cmd.env_remove("RUST_LOG");
    cmd.env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let sink = parser.clone();
    let raw = Arc::new(Mutex::new(Vec::new()));
    let raw_sink = raw.clone();
    let pump = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            raw_sink.lock().unwrap().extend_from_slice(&buf[..n]);
            sink.lock().unwrap().process(&buf[..n]);
        }
    });
    let screen = Screen {
        parser,
        raw,
        writer: pair.master.take_writer().unwrap(),
        last_sent: Instant::now(),
    };
    (screen, child, pump)
}

/// A home whose config file says `config`.
fn home_with_config(config: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("config/landscape-tui")).unwrap();
    std::fs::write(home.path().join("config/landscape-tui/config.toml"), config).unwrap();
    home
}

/// The variables that point the dashboard at `server` with its key.
fn serve_env(server: &crate::common::TestServer) -> [(&'static str, String); 3] {
    [
        ("LANDSCAPE_API_URI", format!("{}/api/", server.base)),
        ("LANDSCAPE_API_KEY", server.credentials.access_key.clone()),
        (
            "LANDSCAPE_API_SECRET",
            server.credentials.secret_key.clone(),
        ),
    ]
}

const SMALL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo-small.json");

#[test]
fn search_mark_approve_confirm_and_quit_restores_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let (mut s, child, pump) = start(&["--demo", "--data", SMALL, "--frozen"], home.path());

    s.wait_for("Activities: 7");
    assert!(s.parser.lock().unwrap().screen().alternate_screen());

    // No config file: the default views are on 1-4.
    s.send("1");
    s.wait_for("Needs approval: 1 row of 7");
    s.send("4");
    s.wait_for("Everything: 7 rows");

    // Search: the parent with unapproved children is the one match.
    s.send("/status:unapproved\r");
    s.wait_for("Activities: 1 row of 7 · 4 activities");
    let text = s.wait_for("Children of 100: 3");
    assert!(text.contains("Upgrade package openssl"));

    // The group matches in its own right and brings its children with
    // the status asked for: here all three.
    s.wait_for("Children of 100: 3 (those the group brings");
    // Open its children, mark two (Space stays, j moves), approve.
    s.send("\r");
    s.send(" ");
    s.send("j");
    s.send(" ");
    s.wait_for("2 marked");
    s.send("a");
    let dialog = s.wait_for("Approve 2 activities");
    assert!(dialog.contains("y approve"), "{dialog}");
    // Each with its computer and status.
    assert!(dialog.contains("? unapproved"), "{dialog}");
    s.confirm();
    s.wait_for("approved 2 activities");
    // The group now brings its one unapproved child; A shows all three.
    s.wait_for("Children of 100: 1");
    s.send("A");
    // The two approved (newest first: db-01, web-02) are undelivered now.
    let text = s.wait("the approved children undelivered", |t| {
        t.lines().filter(|l| l.contains("undelivered")).count() >= 2
    });
    let line = |name: &str| {
        text.lines()
            .find(|l| l.contains(name))
            .unwrap_or("")
            .to_owned()
    };
    assert!(line("db-01").contains("undelivered"), "{text}");
    assert!(line("web-02").contains("undelivered"), "{text}");
    assert!(line("web-01").contains("unapproved"), "{text}");

    quit_restores_the_terminal((s, child, pump), "q");
}

/// Sends `keys` (a quit), and checks the dashboard ended well and left
/// the terminal as it found it.
fn quit_restores_the_terminal((mut s, mut child, pump): Running, keys: &str) {
    s.send(keys);
    assert!(child.wait().unwrap().success());
    drop(s.writer);
    let _ = pump.join();
    let screen = s.parser.lock().unwrap();
    assert!(
        !screen.screen().alternate_screen(),
        "alternate screen not left"
    );
    assert!(!screen.screen().hide_cursor(), "cursor left hidden");
}

/// A state file kept by the dashboard: the second start says it loaded it
/// and shows the approval the first one made.
#[test]
fn the_dashboard_keeps_its_state_and_says_what_it_loaded() {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state.json");
    let state = state.to_str().unwrap();
    let args = ["--demo", "--data", SMALL, "--frozen", "--state", state];
    let (mut s, mut child, pump) = start(&args, home.path());
    s.wait_for("state.json: new");
    s.send("/status:unapproved\r");
    s.wait_for("Children of 100: 3 (those the group brings");
    s.send("\r a");
    s.wait_for("Approve 1 activit");
    s.confirm();
    s.wait_for("approved 1 activit");
    s.send("q");
    assert!(child.wait().unwrap().success());
    drop(s.writer);
    let _ = pump.join();

    let (mut s, mut child, pump) = start(&args, home.path());
    s.wait_for("state.json: loaded, 1 change(s) replayed");
    s.send("/status:unapproved\r");
    // A status picks per-computer work: the group brings its children
    // still unapproved; `A` shows the approved one too.
    s.wait_for("Children of 100: 2 (those the group brings");
    s.send("A");
    s.wait_for("Children of 100: 3");
    s.wait("db-01 approved before", |t| {
        t.lines()
            .any(|l| l.contains("db-01") && l.contains("undelivered"))
    });
    s.send("q");
    assert!(child.wait().unwrap().success());
    drop(s.writer);
    let _ = pump.join();
}

/// An operator's own config at 80×24: approve on Ctrl-A, a saved view on
/// `v`. The view key applies it, Ctrl-A approves (plain `a` no longer
/// does), `:export` writes what the view matches, `:q` quits.
#[test]
fn own_keys_a_view_an_approval_and_an_export() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("mine.toml");
    std::fs::write(
        &config,
        "[keys]\napprove = \"ctrl-a\"\n\n[[views]]\nkey = \"v\"\nname = \"Waiting on me\"\nquery = \"status:unapproved\"\n",
    )
    .unwrap();
    let export = home.path().join("waiting.csv");
    let args = [
        "--demo",
        "--data",
        SMALL,
        "--frozen",
        "--config",
        config.to_str().unwrap(),
    ];
    let (mut s, child, pump) = start_sized(&args, home.path(), (80, 24));
    s.wait_for("Activities: 7 rows");
    // The footer names the operator's key.
    s.wait_for("Ctrl-A approve");

    s.send("v");
    s.wait_for("Waiting on me: 1 row of 7 · 4 activities");
    // Open the parent's children, mark the first, approve with Ctrl-A.
    s.send("\r ");
    s.wait_for("1 marked");
    s.send("\x01");
    s.wait_for("Approve 1 activit");
    s.confirm();
    s.wait_for("approved 1 activit");
    // At 80 columns the children are their own tab: db-01 is approved,
    // so the group now brings the other two; `A` shows all three.
    s.wait_for("Children of 100: 2");
    s.send("A");
    s.wait("db-01 approved", |t| {
        t.lines()
            .any(|l| l.contains("db-01") && l.contains("undelivered"))
    });

    s.send(":export ");
    s.send(export.to_str().unwrap());
    s.send("\r");
    s.wait_for("exported 3 activities to");
    let csv = std::fs::read_to_string(&export).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("id,status,created"), "{csv}");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.split(',').nth(1) == Some("unapproved")),
        "{csv}"
    );

    quit_restores_the_terminal((s, child, pump), ":q\r");
}

/// What the operator confirms is what happens, seen on screen: two marked
/// groups that match only through some children change only those
/// children; reapply of every match copies what the dialog counted; the
/// action log (L) says what was sent and what changed, and is kept.
#[test]
fn marked_partial_groups_every_match_and_the_action_log() {
    let home = tempfile::tempdir().unwrap();
    let (mut s, child, pump) = start(&["--demo", "--data", SMALL, "--frozen"], home.path());
    s.wait_for("Activities: 7");
    s.send("/computer:tag:web\r");
    s.wait_for("Activities: 3 rows of 7 · 6 activities");
    // Rows 160 (2 of 2 match) and 100 (2 of 3: db-01 is not on the web).
    s.send(" ");
    s.send("j");
    s.send(" ");
    s.wait_for("2 marked");
    s.send("c");
    let dialog = s.wait_for("Cancel 4 activities (from 2 marked)");
    assert!(
        !dialog.contains("103"),
        "db-01's child is not in the dialog\n{dialog}"
    );
    s.confirm();
    s.wait_for("canceled 4 activities");
    // Without the query, 100's db-01 child is still unapproved.
    s.send("/");
    s.send(&"\x7f".repeat("computer:tag:web".len()));
    s.send("\r");
    s.wait_for("Activities: 7 rows");
    s.send("jjj");
    s.wait("100's children", |t| {
        t.contains("Children of 100")
            && t.lines()
                .any(|l| l.contains("db-01") && l.contains("unapproved"))
    });
    // Reapply every failed one: a status picks per-computer work, so the
    // failed group brings its failed child, not the one that succeeded.
    s.send("/status:failed\r");
    s.wait_for("Activities: 1 row of 7");
    s.send("*");
    s.wait_for("all 2 matching marked");
    s.send("R");
    s.wait_for("Reapply 1 activity (from every match of \"status:failed\")");
    s.confirm();
    s.wait_for("reapplied 1 activity");
    s.send("L");
    let log = s.wait_for("Action log (newest first)");
    assert!(
        log.contains("reapply  every match of \"status:failed\": reapplied 1 activity"),
        "{log}"
    );
    assert!(
        log.contains("cancel   2 marked: canceled 4 activities"),
        "{log}"
    );
    assert!(log.contains("sent: status:failed"), "{log}");
    s.send("\x1b");
    // (q right after Esc would read as Alt-q.)
    s.wait("the log closed", |t| {
        !t.contains("Action log (newest first)")
    });
    quit_restores_the_terminal((s, child, pump), "q");
    let kept =
        std::fs::read_to_string(home.path().join("data/landscape-tui/actions.jsonl")).unwrap();
    assert_eq!(kept.lines().count(), 2, "{kept}");
}

/// A group found by its id lists (and takes) all its children; an action
/// that sent only what could change reports the rest as left out, never
/// as "nothing changed".
#[test]
fn a_group_by_id_and_a_partial_cancel_report() {
    let home = tempfile::tempdir().unwrap();
    let (mut s, child, pump) = start(&["--demo", "--data", SMALL, "--frozen"], home.path());
    s.wait_for("Activities: 7");
    s.send("/id:100\r");
    s.wait_for("Children of 100: 3 (all: the group matches)");
    s.send("a");
    s.wait_for("Approve 3 activities (from row 100)");
    s.send("n");
    s.wait_for("approve aborted");
    // Row 160 (two pending children) and row 150 (canceled long ago).
    s.send("/");
    s.send(&"\x7f".repeat("id:100".len()));
    s.send("\r");
    s.wait_for("Activities: 7 rows");
    // One key at a time: the mark goes where the selection is once G
    // has landed on the last row.
    s.send(" ");
    s.wait_for("1 marked");
    s.send("G");
    s.wait("the last row selected", |t| t.contains("\"id\": 150,"));
    s.send(" ");
    s.wait_for("2 marked");
    s.send("c");
    let dialog = s.wait_for("Cancel 2 activities (from 2 marked)");
    assert!(dialog.contains("1 would be refused"), "{dialog}");
    assert!(
        dialog.contains("cancel only the 2 that can change"),
        "{dialog}"
    );
    s.confirm();
    s.wait_for("canceled 2 activities (e shows what was left out)");
    s.send("e");
    let popup = s.wait_for("left out of the cancel");
    assert!(popup.contains("150 => it was canceled"), "{popup}");
    assert!(!popup.contains("nothing changed"), "{popup}");
    s.send("q");
    s.wait("the popup closed", |t| {
        !t.contains("left out of the cancel")
    });
    quit_restores_the_terminal((s, child, pump), "q");
}

/// The real binary on a Landscape without our rows route (`serve` behind
/// a proxy): the server goes away, the status line names it with its
/// start and next retry, an action is refused before anything is sent;
/// a new query typed meanwhile shows the old rows as the old query's and
/// refuses actions on them; the server comes back and the dashboard says
/// so, with the new query's rows, at 100×30.
#[test]
fn an_outage_is_named_until_the_server_is_back() {
    use crate::common::proxy::{Hide, Proxy};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (server, mut proxy) = rt.block_on(async {
        let s = crate::common::TestServer::start_with(crate::common::frozen(crate::common::demo(
            5, 30, 3_000,
        )))
        .await;
        let p = Proxy::start(&s.base, Hide::TopLevel, Duration::ZERO).await;
        (s, p)
    });
    let home = tempfile::tempdir().unwrap();
    let uri = format!("{}/api/", proxy.base);
    let env = [
        ("LANDSCAPE_API_URI", uri.as_str()),
        ("LANDSCAPE_API_KEY", server.credentials.access_key.as_str()),
        (
            "LANDSCAPE_API_SECRET",
            server.credentials.secret_key.as_str(),
        ),
    ];
    let (mut s, child, pump) = start_env(&[], home.path(), (100, 30), &env);
    s.wait_for("Activities: ≈");

    proxy.go_away();
    s.send("r");
    s.wait_for("✘ server unreachable since");
    // In the status line too, with the next retry.
    s.wait_for("· retry in");
    s.send("a");
    s.wait_for("not sent: server unreachable since");
    // The error itself, whole, where messages are kept.
    s.send(":messages\r");
    s.wait_for("Messages, newest first");
    s.wait_for("server unreachable: ");
    s.send("\x1b");
    // A refresh waits while a dialog is open: see it closed first.
    s.wait("the messages closed", |t| {
        !t.contains("Messages, newest first")
    });

    // A new query while the server is gone: the rows on screen say whose
    // they are, and an action on them is refused.
    s.send("/");
    s.send("status:failed\r");
    s.wait_for("rows of every activity from");
    s.send("a");
    s.wait_for("not sent: these are rows of every activity");

    rt.block_on(proxy.come_back());
    s.send("r");
    s.wait_for("the server answers again");
    s.wait("the new query's rows", |t| {
        !t.contains("rows of every activity")
    });
    let shown = s.text();
    assert!(!shown.contains("✘ server unreachable"), "{shown}");
    quit_restores_the_terminal((s, child, pump), ":q\r");
    drop(server);
}

const FAILURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo-failures.json");

/// Monday morning at 80×24 on the failures dataset: what failed (the
/// clusters), where (the computer, and back), "today" on the dataset's
/// clock, the operator's columns, and the health picture's counts.
#[test]
fn triage_clusters_a_computer_and_back_columns_today_and_health() {
    let home = tempfile::tempdir().unwrap();
    let engine = landscape_tui::engine::Engine::load(std::path::Path::new(FAILURES)).unwrap();
    let count = |q: &str| engine.activities(q, 0, 0).unwrap().count;
    let (mut s, child, pump) = start_sized(
        &["--demo", "--data", FAILURES, "--frozen"],
        home.path(),
        (80, 24),
    );
    // Times are read on the dataset's clock (2026-11-30 09:00), not the wall's.
    let first = s.wait_for("Activities: 111 rows");
    assert!(first.contains("3m ago"), "{first}");

    // The clusters of every failure, largest first.
    s.send("F");
    let failed = count("status:failed NOT type:ActivityGroup");
    let popup = s.wait_for(&format!("{failed} failed in"));
    assert!(popup.contains("E: Could not get lock <path>."), "{popup}");
    assert!(
        popup.contains("Script timed out after <n> seconds"),
        "{popup}"
    );
    // The second cluster (dpkg's lock) narrows the list to its groups.
    s.send("j");
    s.wait_for("E: Could not get lock /var/lib/dpkg/lock-frontend");
    s.send("\r");
    s.wait_for("the cluster's 10 activities");
    let list = s.wait_for("Activities: 10 rows of 111");
    assert!(!list.contains("Failure clusters"), "{list}");

    // Into a child, to its computer, and back to the cluster.
    s.send("\t");
    s.wait_for("Children of");
    s.send("C");
    let jumped = s.wait_for("Esc back");
    let line = jumped.lines().nth(1).unwrap_or("");
    assert!(line.contains("computer:id:"), "{jumped}");
    s.send("\x1b");
    s.wait_for("Activities: 10 rows of 111");
    s.send("\x1b");
    s.wait_for("Activities: 111 rows");

    // "today" is the dataset's day, expanded in the bar before it is sent.
    s.send("/status:failed created-after:today\r");
    let today = s.wait_for("created-after:2026-11-30T00:00");
    let n = count("status:failed created-after:2026-11-30T00:00:00Z");
    assert!(n > 0);
    assert!(today.contains("Activities: "), "{today}");

    // The operator's columns.
    s.send(":columns status id summary\r");
    let cols = s.wait("the chosen columns", |t| {
        t.lines()
            .find(|l| l.contains("status") && l.contains("summary"))
            .is_some_and(|l| l.contains(" id ") && !l.contains("created"))
    });
    assert!(!cols.contains("children"), "{cols}");

    // The health picture: every activity, its failures counted as the API does.
    s.send("/\x15\r");
    s.wait_for("all activities");
    s.send("H");
    let failed_all = count("status:failed NOT type:ActivityGroup");
    // At 80 columns the legend is in its short form, failures first.
    let health = s.wait_for(&format!("✘{failed_all} "));
    let succeeded = count("status:succeeded NOT type:ActivityGroup");
    assert!(health.contains(&format!("✔{succeeded}")), "{health}");
    assert!(health.contains("24 h"), "{health}");
    quit_restores_the_terminal((s, child, pump), ":q\r");
}

/// A rollout through `serve` at 80×24: `:guard failed>=3` on the group
/// trips at once (three children failed), the terminal is notified (OSC
/// 9, as the config says), the confirmation says what stops, and only
/// what had not started is canceled (asked through the API). The watch
/// outlives the dashboard: after a restart `:watches` still shows it.
#[test]
fn a_guarded_rollout_stops_the_rest_notifies_and_outlives_a_restart() {
    use landscape_tui::backend::Backend;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let engine =
        landscape_tui::engine::Engine::from_dataset_str(&crate::common::rollout(3, 2, 5)).unwrap();
    let server = rt.block_on(crate::common::TestServer::start_with(
        crate::common::frozen(engine),
    ));
    let home = home_with_config("notify = \"osc9\"\n");
    let env = serve_env(&server);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (mut s, child, pump) = start_env(&[], home.path(), (80, 24), &env);
    s.wait_for("Activities: 2 rows");
    s.send("/id:500\r");
    s.wait_for("Activities: 1 row");
    s.send(":guard failed>=3\r");
    let dialog = s.wait_for("Cancel 5 activities");
    assert!(dialog.contains("guard failed>=3"), "{dialog}");
    s.wait_for_bytes(
        b"\x1b]9;guard failed>=3 tripped on row 500 Upgrade package curl: 3 of 10 failed",
    );
    s.confirm();
    s.wait_for("canceled 5 activities");
    let remote = landscape_tui::backend::remote::RemoteBackend::new(server.access_key_options(
        &server.base,
        landscape_tui::backend::remote::ApiChoice::Rest,
    ))
    .unwrap();
    let count = |q: &str| rt.block_on(remote.count(q)).unwrap();
    assert_eq!(count("parent-id:500 status:canceled"), 5);
    assert_eq!(count("parent-id:500 status:delivered"), 2);
    assert_eq!(count("parent-id:500 status:failed"), 3);
    assert_eq!(count("parent-id:600 status:undelivered"), 3);
    quit_restores_the_terminal((s, child, pump), "q");

    // Started again: the watch is still there, its guard tripped.
    let (mut s, child, pump) = start_env(&[], home.path(), (80, 24), &env);
    s.wait_for("◉1");
    s.send(":watches\r");
    let list = s.wait_for("Watches (newest first)");
    assert!(list.contains("row 500 Upgrade package curl"), "{list}");
    let list = s.wait_for("8/10 final · 3 failed · guard failed>=3: 3 of 10 failed,");
    assert!(list.contains("tripped"), "{list}");
    s.send("\x1b");
    s.wait("the watches closed", |t| {
        !t.contains("Watches (newest first)")
    });
    quit_restores_the_terminal((s, child, pump), "q");
    drop(server);
}

/// A staged rollout through `serve` (its clock running) at 80×24: the
/// first wave of one computer is confirmed, its end is told (OSC 9) and
/// the next wave asks; that one crosses the gate, which is told and
/// leaves the rest unapproved (asked through the API); `:rollouts` shows
/// the waves, and still does after a restart.
#[test]
fn a_staged_rollout_at_80x24_tells_each_wave_stops_at_its_gate_and_outlives_a_restart() {
    use landscape_tui::backend::Backend;
    use landscape_tui::backend::engine::{EngineBackend, EngineOptions};
    // The first computer's upgrade succeeds; one of the next nine fails.
    let seed = crate::rollout_cli::seed_where(|f| !f[0] && f[1..10].contains(&true));
    let data = crate::rollout_law::fleet(20, 20, seed);
    let engine = landscape_tui::engine::Engine::from_dataset_str(&data).unwrap();
    let options = EngineOptions {
        speed: 1200.0,
        tick: Duration::from_millis(100),
        ..EngineOptions::default()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(crate::common::TestServer::start_with(EngineBackend::new(
        engine, options,
    )));
    let home = home_with_config("notify = \"osc9\"\nrefresh_seconds = 1\n");
    let env = serve_env(&server);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (mut s, child, pump) = start_env(&[], home.path(), (80, 24), &env);
    s.wait_for("Activities: 2 rows");
    s.send("/id:500\r");
    s.wait_for("Activities: 1 row");
    s.send(":rollout 1,50% --gate failed<=0\r");
    let dialog = s.wait_for("Approve 1 activity");
    assert!(dialog.contains("rollout 1 wave 1/3"), "{dialog}");
    s.confirm();
    s.wait_for_bytes(b"\x1b]9;rollout 1: wave 1/3 final: 0 failed of 1; gate failed<=0 held");
    s.wait_for("Approve 9 activities");
    // It opened by itself: a key too soon after it would be typing.
    std::thread::sleep(Duration::from_millis(700));
    s.confirm();
    s.wait_for_bytes(b"stopped after wave 2/3: ");
    s.wait_for_bytes(b"crosses the gate failed<=0; 10 left unapproved");
    let remote = landscape_tui::backend::remote::RemoteBackend::new(server.access_key_options(
        &server.base,
        landscape_tui::backend::remote::ApiChoice::Rest,
    ))
    .unwrap();
    let count = |q: &str| rt.block_on(remote.count(q)).unwrap();
    assert_eq!(count("parent-id:500 status:unapproved"), 10);
    assert_eq!(
        count("parent-id:90000 status:unapproved"),
        2,
        "outside: untouched"
    );
    s.send(":rollouts\r");
    let panel = s.wait_for("Rollouts (newest first)");
    assert!(panel.contains("CROSSED"), "{panel}");
    assert!(panel.contains("1/1 final"), "{panel}");
    s.send("\x1b");
    s.wait("the rollouts closed", |t| {
        !t.contains("Rollouts (newest first)")
    });
    quit_restores_the_terminal((s, child, pump), "q");

    // Started again: the rollout is still there, stopped where it was.
    let (mut s, child, pump) = start_env(&[], home.path(), (80, 24), &env);
    s.wait_for("Activities: 2 rows");
    s.send(":rollouts\r");
    let panel = s.wait_for("Rollouts (newest first)");
    assert!(panel.contains("#1"), "{panel}");
    s.wait_for("CROSSED");
    s.send("\x1b");
    quit_restores_the_terminal((s, child, pump), "q");
    assert_eq!(
        count("parent-id:500 status:unapproved"),
        10,
        "a restart releases nothing"
    );
    drop(server);
}

/// `o` with no browser to open says the link to open by hand, not only
/// the opener's complaint (issue 42).
#[test]
fn o_without_a_browser_shows_the_link() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let engine = landscape_tui::engine::Engine::load(std::path::Path::new(SMALL)).unwrap();
    let server = rt.block_on(crate::common::TestServer::start_with(
        crate::common::frozen(engine),
    ));
    let home = tempfile::tempdir().unwrap();
    let env = serve_env(&server);
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // No opener anywhere.
    env.push(("PATH", "/nonexistent"));
    let (mut s, child, pump) = start_env(&[], home.path(), (160, 40), &env);
    s.wait_for("Activities: 7 rows");
    s.send("o");
    let said = s.wait_for("the link: http://");
    assert!(said.contains("no browser opened"), "{said}");
    assert!(said.contains("/new_dashboard/"), "{said}");
    quit_restores_the_terminal((s, child, pump), "q");
    drop(server);
}

/// The operator's own commands, from the config: a terminal
/// command gets the terminal and its arguments one each (a summary with
/// quotes, spaces and `;` arrives whole, never through a shell); a
/// background command's output lands in the messages; `confirm = true`
/// asks first and `n` runs nothing; `y` is a menu of what to copy.
#[test]
fn own_commands_get_their_arguments_whole_and_their_output_kept() {
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("args.txt");
    let mut data: serde_json::Value =
        serde_json::from_str(&crate::common::rollout(1, 1, 1)).unwrap();
    let summary = r#"Run "fix"; then reboot now"#;
    for a in data["activities"].as_array_mut().unwrap() {
        if a["id"] == 501 {
            a["summary"] = summary.into();
        }
    }
    let dataset = home.path().join("rollout.json");
    std::fs::write(&dataset, data.to_string()).unwrap();
    std::fs::create_dir_all(home.path().join("config/landscape-tui")).unwrap();
    let config = format!(
        r#"
[[commands]]
key = "X"
name = "record"
scope = "child"
run = '''sh -c 'printf "%s\n" "$@" > {out}' record {{id}} {{summary}} {{computer.hostname}} {{parent_id}}'''

[[commands]]
key = "B"
name = "echo"
mode = "background"
run = "printf 'one %s\ntwo\n' {{id}}"

[[commands]]
key = "K"
name = "careful"
confirm = true
run = "touch {touched}"
"#,
        out = out.display(),
        touched = home.path().join("touched").display(),
    );
    std::fs::write(home.path().join("config/landscape-tui/config.toml"), config).unwrap();
    let dataset = dataset.to_str().unwrap();
    let (mut s, child, pump) = start(&["--demo", "--data", dataset, "--frozen"], home.path());
    s.wait_for("Activities: 2 rows");
    // Row 500 (a group) is not a child: the command says so, runs nothing.
    s.send("G");
    s.wait("the group selected", |t| t.contains("\"id\": 500,"));
    s.send("X");
    s.wait_for("record is not for activity 500: it runs on a child of a group");
    // Its oldest child, the last one.
    s.send("\r");
    s.wait_for("Children of 500: 3");
    s.send("G");
    s.wait("the child selected", |t| t.contains("\"id\": 501,"));
    s.send("X");
    s.wait_for("record: done");
    let args = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        ["501", summary, "node-01.example.com", "500"],
        "{args}"
    );
    // Back from the terminal: the dashboard is whole again.
    s.wait_for("Children of 500: 3");

    s.send("B");
    s.wait_for("echo: one 501");
    s.send("M");
    s.wait_for("echo (out): two");
    s.send("\x1b");
    s.wait("the messages closed", |t| {
        !t.contains("Messages, newest first")
    });

    s.send("K");
    let ask = s.wait_for("Run careful");
    assert!(ask.contains("touch "), "{ask}");
    s.send("n");
    s.wait_for("careful: not run");
    assert!(!home.path().join("touched").exists());

    s.confirm();
    let menu = s.wait_for("web UI link");
    assert!(menu.contains("activity 501 as JSON"), "{menu}");
    s.send("j");
    s.send("\r");
    s.wait_for("copied activity 501's id");
    quit_restores_the_terminal((s, child, pump), "q");
}

/// Issue 35 as an operator meets it, through `serve`: text typed into a
/// list of unapproved rows without `/` (then Enter) approves nothing; a
/// status picks per-computer work (`status:failed`, `*`, `R` reapplies
/// the failed children of a failed group, not the ones that succeeded);
/// a guard on two groups counts their children, trips and stops those
/// not started; `C` shows the computer's own status. Checked through the
/// REST API after each.
#[test]
fn what_the_operator_means_through_serve() {
    use landscape_tui::backend::Backend;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut data: serde_json::Value = serde_json::from_str(&crate::common::rollout_of(&[
        "failed",
        "succeeded",
        "succeeded",
        "succeeded",
        "failed",
    ]))
    .unwrap();
    for a in data["activities"].as_array_mut().unwrap() {
        if a["parent_id"] == 600 {
            a["activity_status"] = "unapproved".into();
        }
    }
    let engine = landscape_tui::engine::Engine::from_dataset_str(&data.to_string()).unwrap();
    let server = rt.block_on(crate::common::TestServer::start_with(
        crate::common::frozen(engine),
    ));
    let remote = landscape_tui::backend::remote::RemoteBackend::new(server.access_key_options(
        &server.base,
        landscape_tui::backend::remote::ApiChoice::Rest,
    ))
    .unwrap();
    let count = |q: &str| rt.block_on(remote.count(q)).unwrap();
    let home = tempfile::tempdir().unwrap();
    let env = serve_env(&server);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (mut s, child, pump) = start_env(&[], home.path(), (160, 40), &env);
    s.wait_for("Activities: 2 rows");

    // Typing without `/`: to the query bar, nothing approved.
    s.send("/status:unapproved\r");
    s.wait_for("Activities: 1 row");
    // `okay` went to the query bar and Enter ran it as a query.
    s.send("okay\r");
    s.wait_for("Activities — none match");
    std::thread::sleep(std::time::Duration::from_millis(1200));
    assert_eq!(count("status:unapproved NOT type:ActivityGroup"), 3);
    s.send("/");
    s.send(&"\x7f".repeat(10));
    s.send("status:unapproved\r");
    s.wait_for("Activities: 1 row");
    // The query again, forgetting `/`: it is the query again.
    s.send("status:unapproved\r");
    std::thread::sleep(std::time::Duration::from_millis(1200));
    s.wait_for("Activities: 1 row");
    assert_eq!(count("status:unapproved NOT type:ActivityGroup"), 3);

    // The failed ones, reapplied: two copies, on their computers.
    s.send("/");
    s.send(&"\x7f".repeat(40));
    s.send("status:failed\r");
    s.wait_for("Activities: 1 row");
    s.send("*");
    s.wait_for("matching marked");
    s.send("R");
    let dialog = s.wait_for("Reapply 2 activities");
    assert!(dialog.contains("✘ failed"), "{dialog}");
    assert!(!dialog.contains("succeeded  Upgrade"), "{dialog}");
    s.confirm();
    s.wait_for("reapplied 2 activities");
    let copies = rt
        .block_on(remote.activities("status:undelivered type:ChangePackagesRequest", 10, 0))
        .unwrap()
        .results;
    let mut on: Vec<u64> = copies.iter().filter_map(|a| a.computer()).collect();
    on.sort_unstable();
    assert_eq!(on, [1, 5], "the failed children's computers");

    // A guard on both groups: 2 of 8 failed, stops 600's three.
    s.send("/");
    s.send(&"\x7f".repeat(40));
    s.send("id:500 OR id:600\r");
    s.wait_for("Activities: 2 rows");
    s.send("*");
    s.wait_for("matching marked");
    s.send(":guard failed>=1\r");
    let dialog = s.wait_for("Cancel 3 activities");
    assert!(dialog.contains("guard failed>=1"), "{dialog}");
    s.confirm();
    s.wait("600 canceled", |t| {
        t.lines()
            .any(|l| l.contains("Restart database servers") && l.contains("canceled"))
    });
    assert_eq!(count("parent-id:600 status:canceled"), 3);
    assert_eq!(count("parent-id:500 status:canceled"), 0);

    // C on a child that succeeded: its computer's list shows its status.
    s.send("/");
    s.send(&"\x7f".repeat(40));
    s.send("id:500\r");
    s.wait_for("Activities: 1 row");
    s.send("\r");
    s.wait_for("Children of 500: 5");
    s.send("j");
    s.send("C");
    let list = s.wait_for("computer:id:");
    let row = list
        .lines()
        .find(|l| l.contains("Upgrade package curl") && l.contains("ActivityGroup"))
        .unwrap_or("");
    assert!(row.contains("succeeded"), "{list}");
    quit_restores_the_terminal((s, child, pump), "q");
    drop(server);
}

/// A token that expires mid-session (`serve --token-seconds 2`, as
/// Landscape's expire after 24 h): the dashboard logs in again once and
/// carries on, its list and marks kept, nothing said about credentials.
#[test]
fn an_expired_token_is_renewed_and_the_session_carries_on() {
    use std::io::BufRead;
    let home = tempfile::tempdir().unwrap();
    let mut serve = std::process::Command::new(env!("CARGO_BIN_EXE_landscape-tui"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--token-seconds",
            "2",
            "--data",
            SMALL,
            "--frozen",
        ])
        .env("LANDSCAPE_API_KEY", "EXPIRYTESTKEY0000000")
        .env("LANDSCAPE_API_SECRET", "expiry-test-secret")
        .env("LANDSCAPE_EMAIL", "admin@example.com")
        .env("LANDSCAPE_PASSWORD", "a long password")
        .env("HOME", home.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut banner = std::io::BufReader::new(serve.stdout.take().unwrap());
    let mut line = String::new();
    banner.read_line(&mut line).unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the banner names the address")
        .to_owned();
    let log = serve.stderr.take().unwrap();
    let logins = Arc::new(Mutex::new(0usize));
    let counted = logins.clone();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(log).lines().map_while(Result::ok) {
            if line.contains("POST /api/v2/login/access-key 200") {
                *counted.lock().unwrap() += 1;
            }
        }
    });
    let uri = format!("{base}/api/");
    let env = [
        ("LANDSCAPE_API_URI", uri.as_str()),
        ("LANDSCAPE_API_KEY", "EXPIRYTESTKEY0000000"),
        ("LANDSCAPE_API_SECRET", "expiry-test-secret"),
    ];
    let (mut s, child, pump) = start_env(&[], home.path(), (160, 40), &env);
    s.wait_for("Activities: 7 rows");
    s.send(" ");
    s.wait_for("1 marked");
    // Past the token's life, a refresh: logged in again, nothing lost.
    std::thread::sleep(Duration::from_millis(2_600));
    s.send("r");
    std::thread::sleep(Duration::from_millis(800));
    let screen = s.wait_for("Activities: 7 rows");
    assert!(screen.contains("1 marked"), "{screen}");
    assert!(!screen.contains("credentials refused"), "{screen}");
    assert!(*logins.lock().unwrap() >= 2, "a second login");
    quit_restores_the_terminal((s, child, pump), "q");
    let _ = serve.kill();
    let _ = serve.wait();
    let _ = reader.join();
}

/// Three profiles at 80×24, three `serve`s holding the same data (so
/// the same ids): one list with each server's rows counted in the
/// title; `*` `a` on a query approves exactly each writable server's
/// matches (read back through each), the read-only one is said and
/// left alone; a server gone leaves the others live and marked.
#[test]
fn several_servers_in_one_list_each_acted_on_apart() {
    use crate::common::proxy::{Hide, Proxy};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let engine = crate::common::demo(5, 8, 160);
    let (servers, mut proxy) = rt.block_on(async {
        let mut servers = Vec::new();
        for _ in 0..3 {
            let s =
                crate::common::TestServer::start_with(crate::common::frozen(engine.clone())).await;
            servers.push(s);
        }
        let p = Proxy::start(&servers[1].base, Hide::Nothing, Duration::ZERO).await;
        (servers, p)
    });
    let profile = |name: &str, base: &str, s: &crate::common::TestServer, extra: &str| {
        format!(
            "[profiles.{name}]\nurl = \"{base}/api/\"\naccess_key = \"{}\"\nsecret_key = \"{}\"\n{extra}",
            s.credentials.access_key, s.credentials.secret_key
        )
    };
    let config = format!(
        "default_profiles = [\"alpha\", \"beta\", \"gamma\"]\n{}{}{}",
        profile("alpha", &servers[0].base, &servers[0], "color = \"red\"\n"),
        profile("beta", &proxy.base, &servers[1], ""),
        profile("gamma", &servers[2].base, &servers[2], "read_only = true\n"),
    );
    let home = home_with_config(&config);
    let rows = engine.top_level("", 1, 0).unwrap().rows.count;
    let (mut s, child, pump) = start_sized(&[], home.path(), (80, 24));
    s.wait_for(&format!("alpha {rows} · beta {rows} · gamma {rows}"));
    s.wait_for("server");
    // Production in red, as its profile asks; the others in the theme's.
    assert_eq!(s.colour_of_row_word("alpha"), Some(vt100::Color::Idx(1)));
    assert_eq!(s.colour_of_row_word("beta"), Some(vt100::Color::Idx(5)));

    let unapproved = |k: usize| {
        servers[k]
            .backend
            .read()
            .activities("status:unapproved NOT type:ActivityGroup", 0, 0)
            .unwrap()
            .count
    };
    let before = unapproved(0);
    assert!(before > 0);
    s.send("/");
    s.send("status:unapproved\r");
    s.wait_for("status:unapproved");
    s.send("*");
    s.send("a");
    let dialog = s.wait_for("nothing sent to gamma (read-only)");
    assert!(
        dialog.contains(&format!("{before} on alpha and {before} on beta")),
        "{dialog}"
    );
    s.confirm();
    s.wait_for(&format!("approved {}", 2 * before));
    for k in [0, 1] {
        assert_eq!(unapproved(k), 0, "server {k} approved every match");
    }
    assert_eq!(unapproved(2), before, "the read-only server is untouched");
    assert!(engine.same_state(&servers[2].backend.read()));
    // The action log keeps each server's own ids under its name.
    let log =
        std::fs::read_to_string(home.path().join("data/landscape-tui/actions.jsonl")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    let shares: Vec<(String, usize)> = entry["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["server"].as_str().unwrap().to_owned(),
                s["ids"].as_array().unwrap().len(),
            )
        })
        .collect();
    let said = format!(
        "approved {} activities: {before} on alpha, {before} on beta; gamma: read-only",
        2 * before
    );
    assert_eq!(entry["outcome"], said.as_str());
    let before = before as usize;
    assert_eq!(
        shares,
        [("alpha".to_owned(), before), ("beta".to_owned(), before)],
        "{entry}"
    );
    let local = entry["servers"][0]["ids"][0].as_u64().unwrap();
    assert!(engine.activity(local).is_some(), "{entry}");

    // beta goes away: alpha and gamma stay on screen, beta is marked.
    proxy.go_away();
    s.send("/");
    s.send("\x15\r");
    s.wait_for("beta ✘ down");
    let shown = s.wait_for(&format!("alpha {rows}"));
    assert!(shown.contains(&format!("gamma {rows}")), "{shown}");
    quit_restores_the_terminal((s, child, pump), ":q\r");
    drop(servers);
}

/// A login with several accounts (`serve --account beta --account
/// gamma`), the profile listing two of them: both in one list, each row
/// saying its account, each counted, the third left out.
#[test]
fn a_profiles_accounts_in_one_list() {
    let home = tempfile::tempdir().unwrap();
    let served = crate::server_accounts::serve(home.path());
    let url = served.api.trim_end_matches("v2").to_owned();
    let config = format!(
        "[profiles.prod]\nurl = \"{url}\"\nauth = \"password\"\nemail = \"ops@example.com\"\npassword = \"pw-of-ops\"\naccounts = [\"standalone\", \"beta\"]\n"
    );
    let home = home_with_config(&config);
    std::fs::set_permissions(
        home.path().join("config/landscape-tui/config.toml"),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let (s, child, pump) = start_sized(&["--profile", "prod"], home.path(), (100, 24));
    let shown = s.wait_for("prod/beta 7");
    assert!(shown.contains("prod/standalone 7"), "{shown}");
    assert!(!shown.contains("gamma"), "{shown}");
    let rows = |account: &str| {
        shown
            .lines()
            .filter(|l| l.starts_with('│') && l.contains(account))
            .count()
    };
    assert!(rows("prod/beta") > 0, "a row says its account: {shown}");
    assert!(rows("prod/standalone") > 0, "{shown}");
    quit_restores_the_terminal((s, child, pump), ":q\r");
    drop(served);
}

/// Landscape 26.04's operations in the "In progress" panel, through
/// `serve` with its clock running: an import's percent moves, it fails
/// at 70%, the panel lets it go and the operator is told (a terminal
/// notification, the error on the status line, the log in `M`).
#[test]
fn an_operation_moves_in_the_panel_and_its_end_is_told() {
    use landscape_tui::backend::engine::{EngineBackend, EngineOptions};
    let options = EngineOptions {
        // The import fails 1.8 engine minutes in: 18 s from the start.
        speed: 6.0,
        tick: Duration::from_millis(100),
        debarchive: true,
        ..EngineOptions::default()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(crate::common::TestServer::start_with(EngineBackend::new(
        crate::common::demo(5, 8, 160),
        options,
    )));
    let home = home_with_config("notify = \"osc9\"\nrefresh_seconds = 1\n");
    let env = serve_env(&server);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (mut s, child, pump) = start_env(&[], home.path(), (120, 30), &env);
    let percent = |t: &str| -> Option<u32> {
        let line = t
            .lines()
            .find(|l| l.contains("operation: Import into local repo Web stack"))?;
        let tail = line.split("Web stack (web-stack) ").nth(1)?;
        tail.split('%').next()?.trim().parse().ok()
    };
    let first = s.wait("the import in the panel", |t| percent(t).is_some());
    let at = percent(&first).unwrap();
    s.wait("its percent moving", |t| percent(t).is_some_and(|p| p > at));
    // `w` on it in `:operations`: its end becomes a notification too.
    s.send(":operations\r");
    let listed = s.wait_for("Operations (Enter shows one whole)");
    let below = listed
        .lines()
        .skip_while(|l| !l.contains("Operations (Enter"))
        .skip(1)
        .position(|l| l.contains("Web stack"))
        .unwrap();
    s.send(&"j".repeat(below));
    s.send("w");
    s.wait_for("(watched)");
    s.send("\x1b");
    s.wait_for_bytes(b"\x1b]9;operation failed at 70%: Import into local repo Web stack");
    s.wait("the panel letting it go", |t| percent(t).is_none());
    s.send("M");
    let messages = s.wait_for("404  Not Found");
    assert!(messages.contains("log:"), "{messages}");
    // The log a line each, under its message.
    let line = messages
        .lines()
        .find(|l| l.contains("404  Not Found"))
        .unwrap();
    assert!(
        !line.contains("log:") && !line.contains("\\n"),
        "{messages}"
    );
    s.send("\x1b");
    // `:operations`: the ended import among them, and Enter shows it whole.
    s.pause(Duration::from_millis(300));
    s.send(":operations\r");
    let listed = s.wait_for("Operations (Enter shows one whole)");
    let line = listed
        .lines()
        .find(|l| l.contains("Web stack"))
        .unwrap_or_default();
    assert!(
        line.contains("✘ failed") && line.contains("70%"),
        "{listed}"
    );
    let running = listed.lines().position(|l| l.contains("Security (noble)"));
    let failed = listed.lines().position(|l| l.contains("Web stack"));
    assert!(running < failed, "running ones first: {listed}");
    s.send("j");
    s.send("\r");
    let whole = s.wait_for("resource  locals/web-stack");
    assert!(
        whole.contains("error     13: The operation failed unexpectedly."),
        "{whole}"
    );
    assert!(whole.contains("404  Not Found"), "{whole}");
    s.send("\x1b");
    quit_restores_the_terminal((s, child, pump), ":q\r");
    drop(server);
}

/// `--query` opens on that query's rows; `--view` on a saved view by
/// name; a query that does not parse opens in the bar with its fault
/// pointed at, over every activity.
#[test]
fn the_dashboard_opens_on_a_query_or_a_view() {
    let home = tempfile::tempdir().unwrap();
    let args = ["--demo", "--data", SMALL, "--frozen"];
    let (s, child, pump) = start_sized(
        &[&args[..], &["--query", "status:failed"]].concat(),
        home.path(),
        (100, 24),
    );
    let shown = s.wait_for("status:failed");
    let failed = s.wait("the failed rows", |t| {
        t.contains("Activities: ") && t.contains("✘ failed")
    });
    let rows: Vec<&str> = failed
        .lines()
        .filter(|l| l.starts_with("│  ") && l.contains(" ago") || l.starts_with("│  ✘"))
        .collect();
    assert!(!rows.is_empty(), "{shown}");
    assert!(rows.iter().all(|l| l.contains("✘ failed")), "{failed}");
    quit_restores_the_terminal((s, child, pump), ":q\r");

    let (s, child, pump) = start_sized(
        &[&args[..], &["--view", "needs approval"]].concat(),
        home.path(),
        (100, 24),
    );
    let shown = s.wait_for("Needs approval:");
    assert!(shown.contains("status:unapproved"), "{shown}");
    quit_restores_the_terminal((s, child, pump), ":q\r");

    let (mut s, child, pump) = start_sized(
        &[&args[..], &["--query", "status:bogus"]].concat(),
        home.path(),
        (100, 24),
    );
    let shown = s.wait_for("Activities: 7");
    assert!(shown.contains("status:bogus"), "the query kept: {shown}");
    s.send("\x1b");
    s.pause(Duration::from_millis(300));
    quit_restores_the_terminal((s, child, pump), ":q\r");
}
