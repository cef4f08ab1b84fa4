//! `landscape-tui rollout` as an operator runs it: the real binary
//! against a real `serve` whose clock moves approved work to its end.
//! A dry run changes nothing; a permissive gate ends with everything
//! approved in the waves asked; a strict one stops (exit 6) with the
//! rest unapproved; an interrupted rollout run again goes on where the
//! server says it got.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use crate::common::announced;
use crate::rollout_law::fleet;
use landscape_tui::engine::Engine;
use landscape_tui::model::ActivityStatus;
use serde_json::Value;

/// The binary with a home of its own (its action log lands there).
fn bin(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_landscape-tui"));
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("LANDSCAPE_API_URI")
        .env_remove("LANDSCAPE_API_KEY")
        .env_remove("LANDSCAPE_API_SECRET");
    c
}

/// `serve` on `data` with its clock at 1,200 times real time.
fn serve(home: &Path, data: &Path) -> (String, Child) {
    let mut cmd = bin(home);
    cmd.args(["--data"])
        .arg(data)
        .args(["--speed", "1200", "serve", "--bind", "127.0.0.1:0"])
        .env("LANDSCAPE_API_KEY", "ROLLKEY")
        .env("LANDSCAPE_API_SECRET", "roll-secret");
    announced(cmd)
}

/// A client of that server.
fn client(home: &Path, uri: &str) -> Command {
    let mut c = bin(home);
    c.env("LANDSCAPE_API_URI", uri)
        .env("LANDSCAPE_API_KEY", "ROLLKEY")
        .env("LANDSCAPE_API_SECRET", "roll-secret");
    c
}

/// Ids matching `query` on the server, through the API.
fn ids(home: &Path, uri: &str, query: &str) -> Vec<u64> {
    let out = client(home, uri)
        .args([
            "activities",
            "--format",
            "json",
            "--limit",
            "1000",
            "--query",
            query,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ids: Vec<u64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_u64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

/// `rollout ARGS`, JSON unless ARGS ask for a format.
fn rollout(home: &Path, uri: &str, args: &[&str]) -> Output {
    let mut c = client(home, uri);
    c.arg("rollout")
        .args(args)
        .args(["--interval", "100ms", "--timeout", "2m"]);
    if !args.contains(&"--format") {
        c.args(["--format", "json"]);
    }
    c.output().unwrap()
}

/// The summary's waves: what each released.
fn released(summary: &Value) -> Vec<u64> {
    summary["waves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["released"].as_u64().unwrap())
        .collect()
}

struct Setup {
    home: tempfile::TempDir,
    uri: String,
    server: Child,
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// Twenty unapproved children of group 500 (and two of group 90000, not
/// rolled out) on a served engine whose fates are `seed`'s.
fn setup(seed: u64) -> Setup {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("fleet.json");
    std::fs::write(&data, fleet(20, 20, seed)).unwrap();
    let (uri, server) = serve(home.path(), &data);
    Setup { home, uri, server }
}

/// Whether each of `fleet(20, 20, seed)`'s children fails once
/// approved, in release order (by computer): read from an engine with
/// every child approved and a day gone by.
pub fn fates(seed: u64) -> Vec<bool> {
    let data = fleet(20, 20, seed).replace("\"unapproved\"", "\"undelivered\"");
    let mut e = Engine::from_dataset_str(&data).unwrap();
    e.step(chrono::Duration::days(1));
    let mut kids: Vec<(u64, bool)> = (501..521)
        .map(|id| {
            let a = e.activity(id).unwrap();
            let c = a.computer_id.get().copied().unwrap();
            (c, a.status() == Some(&ActivityStatus::Failed))
        })
        .collect();
    kids.sort();
    kids.into_iter().map(|k| k.1).collect()
}

/// The first seed whose fates `want`.
pub fn seed_where(want: impl Fn(&[bool]) -> bool) -> u64 {
    (0..1_000).find(|&s| want(&fates(s))).unwrap()
}

/// A seed with a failure among the first ten children (the first wave
/// of `--waves 50%`), and one whose whole set succeeds.
pub fn seeds() -> (u64, u64) {
    (
        seed_where(|f| f[..10].contains(&true)),
        seed_where(|f| !f.contains(&true)),
    )
}

#[test]
fn a_dry_run_prints_the_waves_and_changes_nothing() {
    let s = setup(1);
    let out = rollout(
        s.home.path(),
        &s.uri,
        &["parent-id:500", "--waves", "25%,50%", "--dry-run"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    let approves: Vec<u64> = plan["waves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["approves"].as_u64().unwrap())
        .collect();
    assert_eq!(approves, [5, 5, 10]);
    assert_eq!(plan["waves"][0]["first_ids"].as_array().unwrap().len(), 5);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(
        ids(s.home.path(), &s.uri, "parent-id:500 status:unapproved").len(),
        20
    );
    // A status term is warned about: the set would shrink as waves go.
    let out = rollout(
        s.home.path(),
        &s.uri,
        &[
            "parent-id:500 status:unapproved",
            "--waves",
            "50%",
            "--dry-run",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("picks by status"));
    // A query that selects nothing is a usage error, said.
    let out = rollout(s.home.path(), &s.uri, &["parent-id:4242", "--waves", "50%"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("selects no activity"));
}

#[test]
fn a_permissive_gate_releases_every_wave_and_logs_each() {
    let (failing, _) = seeds();
    let s = setup(failing);
    let out = rollout(
        s.home.path(),
        &s.uri,
        &["id:500", "--waves", "25%,50%", "--gate", "failed<=100%"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(released(&summary), [5, 5, 10]);
    assert_eq!(summary["outcome"], "done");
    assert!(
        err.contains("wave 2/3 (50%): gate failed<=100% held"),
        "{err}"
    );
    assert!(ids(s.home.path(), &s.uri, "parent-id:500 status:unapproved").is_empty());
    assert_eq!(
        ids(s.home.path(), &s.uri, "parent-id:90000 status:unapproved"),
        [90_001, 90_002],
        "outside the set: untouched"
    );
    let log =
        std::fs::read_to_string(s.home.path().join("data/landscape-tui/actions.jsonl")).unwrap();
    let waves: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let picked: Vec<&str> = waves
        .iter()
        .map(|w| w["picked"].as_str().unwrap())
        .collect();
    assert_eq!(
        picked,
        [
            "rollout wave 1/3 (25%) of id:500",
            "rollout wave 2/3 (50%) of id:500",
            "rollout wave 3/3 (100%) of id:500"
        ]
    );
    let changed: Vec<u64> = waves
        .iter()
        .map(|w| w["changed"].as_u64().unwrap())
        .collect();
    assert_eq!(changed, [5, 5, 10]);
}

#[test]
fn a_strict_gate_stops_with_the_rest_unapproved() {
    let (failing, _) = seeds();
    let s = setup(failing);
    let out = rollout(
        s.home.path(),
        &s.uri,
        &[
            "parent-id:500",
            "--waves",
            "50%",
            "--gate",
            "failed<=0",
            "--format",
            "table",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains("stopped after wave 1/2"), "{err}");
    assert!(err.contains("10 left unapproved"), "{err}");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("CROSSED"), "{table}");
    assert!(
        table.contains("(stopped by the gate: 10 of 20 released, 10 left unapproved"),
        "{table}"
    );
    assert_eq!(
        ids(s.home.path(), &s.uri, "parent-id:500 status:unapproved").len(),
        10
    );
    let log =
        std::fs::read_to_string(s.home.path().join("data/landscape-tui/actions.jsonl")).unwrap();
    let last: Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(last["action"], "rollout");
    assert!(
        last["outcome"]
            .as_str()
            .unwrap()
            .contains("crosses the gate failed<=0")
    );
}

#[test]
fn an_interrupted_rollout_run_again_goes_on_from_the_server() {
    let (_, clean) = seeds();
    let s = setup(clean);
    // Soaked long enough after wave 1 to be interrupted there.
    let args = ["parent-id:500", "--waves", "25%,50%", "--soak", "30s"];
    let mut first = client(s.home.path(), &s.uri)
        .arg("rollout")
        .args(args)
        .args(["--interval", "100ms"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let lines = std::io::BufRead::lines(std::io::BufReader::new(first.stderr.take().unwrap()));
    for line in lines {
        if line.unwrap().contains("soaking") {
            break;
        }
    }
    let pid = rustix::process::Pid::from_child(&first);
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    assert!(!first.wait().unwrap().success());
    let released_first: Vec<u64> = {
        let all = ids(s.home.path(), &s.uri, "parent-id:500");
        let left = ids(s.home.path(), &s.uri, "parent-id:500 status:unapproved");
        all.into_iter().filter(|id| !left.contains(id)).collect()
    };
    assert_eq!(released_first.len(), 5, "wave 1 alone");

    let out = rollout(
        s.home.path(),
        &s.uri,
        &["parent-id:500", "--waves", "25%,50%"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(released(&summary), [5, 5, 10], "the same waves");
    assert_eq!(summary["waves"][1]["succeeded"], 5);
    assert!(
        summary["waves"][0]["started"].is_null(),
        "wave 1 was released before"
    );
    assert!(ids(s.home.path(), &s.uri, "parent-id:500 status:unapproved").is_empty());
}
