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
    writer: Box<dyn Write + Send>,
}

impl Screen {
    fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until `pred` holds for the screen text (at most 30 s).
    fn wait(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let text = self.text();
            if pred(&text) {
                return text;
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

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }
}

/// The dashboard in a 160×40 pseudo-terminal with `args`, its HOME in `home`.
fn start(
    args: &[&str],
    home: &std::path::Path,
) -> (
    Screen,
    Box<dyn portable_pty::Child + Send + Sync>,
    std::thread::JoinHandle<()>,
) {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 40,
            cols: 160,
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
    let child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let parser = Arc::new(Mutex::new(vt100::Parser::new(40, 160, 0)));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let sink = parser.clone();
    let pump = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().process(&buf[..n]);
        }
    });
    let screen = Screen {
        parser,
        writer: pair.master.take_writer().unwrap(),
    };
    (screen, child, pump)
}

const SMALL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo-small.json");

#[test]
fn search_mark_approve_confirm_and_quit_restores_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let (mut s, mut child, pump) = start(&["--demo", "--data", SMALL, "--frozen"], home.path());

    s.wait_for("Activities: 7");
    assert!(s.parser.lock().unwrap().screen().alternate_screen());

    // Search: the parent with unapproved children is the one match.
    s.send("/status:unapproved\r");
    s.wait_for("Activities: 1 row of 7 · 4 activities");
    let text = s.wait_for("Children of 100: 3");
    assert!(text.contains("Upgrade package openssl"));

    // Open its children (all of them), mark two, approve.
    s.send("\r");
    s.send(" ");
    s.send(" ");
    s.wait_for("2 marked");
    s.send("a");
    let dialog = s.wait_for("Approve 2 activities");
    assert!(dialog.contains("y / Enter approve"), "{dialog}");
    s.send("y");
    s.wait_for("approved 2 activities");
    // Only web-01 still matches the query; A shows all children: the two
    // approved (newest first: db-01, web-02) are undelivered now.
    s.wait_for("Children of 100: 1 (matching");
    s.send("A");
    let text = s.wait("all three children", |t| {
        t.contains("Children of 100: 3 (all)")
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

    s.send("q");
    let status = child.wait().unwrap();
    assert!(status.success());
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
    s.wait_for("Children of 100: 3");
    s.send("\r a");
    s.wait_for("Approve 1 activit");
    s.send("y");
    s.wait_for("approved 1 activit");
    s.send("q");
    assert!(child.wait().unwrap().success());
    drop(s.writer);
    let _ = pump.join();

    let (mut s, mut child, pump) = start(&args, home.path());
    s.wait_for("state.json: loaded, 1 change(s) replayed");
    s.send("/status:unapproved\r");
    s.wait_for("Children of 100: 2");
    s.send("q");
    assert!(child.wait().unwrap().success());
    drop(s.writer);
    let _ = pump.join();
}
