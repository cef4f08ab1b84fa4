//! `serve` under load, its clock running: 200 clients on loopback for five
//! seconds, each in turn asking one record, a page of 100, a query and
//! the server's description, at 3,000 and 1,000,000 activities. Prints
//! requests a second, p50 and p99 of each kind, and the resident memory.
//! Then what durability costs (a change a request, with and without
//! `--state`), and how long a start takes after a journal of 10,000
//! records against the snapshot alone. The server logs each request on
//! stderr, so run it as:
//!
//! cargo bench --bench serve 2>/dev/null
//!
//! (`cargo bench --bench serve -- start` runs one part: `load`, `changes`,
//! `start` or `computers`: computer queries of 1, 20 and 200 words at
//! 10,000 computers, alone and as `computer:` terms of an activity query.)

#![allow(clippy::unwrap_used)] // a bench stops at the first failure

#[path = "../tests/it/common/login.rs"]
mod login;
mod support;

use std::time::{Duration, Instant};

use chrono::TimeZone;
use landscape_tui::engine::{DemoOptions, Engine, Progress, Selection, state};
use landscape_tui::model::ActionKind;

const CLIENTS: usize = 200;
const RUN: Duration = Duration::from_secs(5);
/// Engine seconds a wall second: the demo moves along, as `serve` does.
const SPEED: f64 = 60.0;

async fn start(
    activities: usize,
    state: Option<&std::path::Path>,
    speed: Option<f64>,
) -> (String, String) {
    let (_, base) =
        support::serve_demo_with(activities, (activities / 100).max(10), state, speed).await;
    let api = format!("{base}/api/");
    let token = login::rest_token(&reqwest::Client::new(), &api, "admin@example.com", "pw").await;
    (base, token)
}

/// What a client asks, in turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// `GET /api/v2/activities/{id}`.
    One,
    /// `GET /api/v2/activities?limit=100`.
    Page,
    /// `GET /api/v2/activities?query=status:failed type:…&limit=20`.
    Query,
    /// `GET /api/v2/about` (no engine).
    About,
    /// `POST /api/v2/activities/reapply` of one finished activity.
    Reapply,
}

struct Latencies {
    by_kind: Vec<(Kind, Duration)>,
}

impl Latencies {
    fn report(&self, what: &str) {
        let total = self.by_kind.len();
        println!(
            "serve, {what}: {:.0} requests/s",
            total as f64 / RUN.as_secs_f64()
        );
        let mut kinds: Vec<Kind> = self.by_kind.iter().map(|(k, _)| *k).collect();
        kinds.sort();
        kinds.dedup();
        for kind in kinds {
            let mut all: Vec<Duration> = self
                .by_kind
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, d)| *d)
                .collect();
            all.sort();
            let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
            println!(
                "  {kind:?}: {} requests, p50 {:.2} ms, p99 {:.2} ms",
                all.len(),
                at(0.5).as_secs_f64() * 1000.0,
                at(0.99).as_secs_f64() * 1000.0
            );
        }
    }
}

async fn load(base: &str, token: &str, kinds: &[Kind], id: u64) -> Latencies {
    let http = reqwest::Client::new();
    let until = Instant::now() + RUN;
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (http, base, token) = (http.clone(), base.to_owned(), token.to_owned());
            let kinds = kinds.to_vec();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut turn = c;
                while Instant::now() < until {
                    let kind = kinds[turn % kinds.len()];
                    turn += 1;
                    let sent = Instant::now();
                    let request = match kind {
                        Kind::One => http.get(format!("{base}/api/v2/activities/{id}")),
                        Kind::Page => http.get(format!("{base}/api/v2/activities?limit=100")),
                        Kind::Query => http.get(format!(
                            "{base}/api/v2/activities?query=status:failed%20type:ChangePackagesRequest&limit=20"
                        )),
                        Kind::About => http.get(format!("{base}/api/v2/about")),
                        Kind::Reapply => http
                            .post(format!("{base}/api/v2/activities/reapply"))
                            .json(&serde_json::json!({"activity_ids": [id]})),
                    };
                    let r = request.bearer_auth(&token).send().await.unwrap();
                    let status = r.status();
                    let body = r.bytes().await.unwrap();
                    assert!(
                        status.is_success(),
                        "{kind:?}: {status} {}",
                        String::from_utf8_lossy(&body)
                    );
                    latencies.push((kind, sent.elapsed()));
                }
                latencies
            })
        })
        .collect();
    let mut by_kind = Vec::new();
    for t in tasks {
        by_kind.extend(t.await.unwrap());
    }
    Latencies { by_kind }
}

/// A finished activity of the server at `base` (it reapplies).
async fn finished(base: &str, token: &str) -> u64 {
    let page: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{base}/api/v2/activities?query=status:succeeded%20NOT%20type:ActivityGroup&limit=1"
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["results"][0]["id"].as_u64().unwrap()
}

/// This process's resident memory (VmRSS), MiB.
fn resident_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

/// A start after `records` journal records (reapplies of finished
/// activities and the clock's moves, as a running server writes them)
/// against a start from the snapshot alone.
fn start_after_journal(activities: usize, records: usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let engine = Engine::demo(&DemoOptions {
        seed: 9,
        computers: (activities / 100).max(10),
        activities,
        now: chrono::Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap(),
    });
    let (mut live, mut journal, _) =
        state::open(&path, &Progress::default(), || Ok(engine)).unwrap();
    let snapshot_bytes = std::fs::metadata(&path).unwrap().len();
    let finished: Vec<u64> = live
        .activities("status:succeeded NOT type:ActivityGroup", records as u64, 0)
        .unwrap()
        .results
        .iter()
        .map(|a| a.id)
        .collect();
    let mut written = 0;
    for (n, id) in finished.iter().cycle().enumerate() {
        if written >= records {
            break;
        }
        if n % 2 == 0 {
            live.wind_clock(chrono::Duration::seconds(30));
            if journal.catch_up(&mut live).unwrap() {
                written += 1;
            }
        } else {
            let done = journal
                .commit(&mut live, ActionKind::Reapply, &Selection::Ids(vec![*id]))
                .unwrap();
            written += usize::from(done.is_ok());
        }
    }
    let journal_bytes = std::fs::metadata(dir.path().join("state.json.journal"))
        .unwrap()
        .len();
    drop(journal);
    let started = Instant::now();
    let (_, _, recovery) = state::open(&path, &Progress::default(), || unreachable!()).unwrap();
    let with_journal = started.elapsed();
    let started = Instant::now();
    drop(Engine::load(&path).unwrap());
    let snapshot_only = started.elapsed();
    println!(
        "start, {activities} activities: snapshot {} MB alone {:.2} s; with a journal of {} records ({} KB) {:.2} s (replay {:.2} s)",
        snapshot_bytes / 1_000_000,
        snapshot_only.as_secs_f64(),
        recovery.replayed,
        journal_bytes / 1000,
        with_journal.as_secs_f64(),
        with_journal.saturating_sub(snapshot_only).as_secs_f64(),
    );
}

fn main() {
    // `cargo bench` passes criterion-style flags; this bench takes one
    // word: `load`, `changes` or `start` runs that part alone.
    let only: Option<String> = std::env::args()
        .skip(1)
        .find(|a| ["load", "changes", "start", "computers"].contains(&a.as_str()));
    let runs = |part: &str| only.as_deref().is_none_or(|o| o == part);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let reads = [Kind::One, Kind::Page, Kind::Query, Kind::About];
    for activities in [3_000, 1_000_000].into_iter().filter(|_| runs("load")) {
        rt.block_on(async {
            let (base, token) = start(activities, None, Some(SPEED)).await;
            let id = finished(&base, &token).await;
            let before = resident_mib();
            load(&base, &token, &reads, id).await.report(&format!(
                "{activities} activities, clock running, {CLIENTS} clients, mixed reads"
            ));
            println!(
                "  resident: {before} MiB before, {} MiB after",
                resident_mib()
            );
        });
    }
    // What durability costs: a change a request, with and without --state.
    let dir = tempfile::tempdir().unwrap();
    let states = [None, Some(dir.path().join("state.json"))];
    for state in states.into_iter().filter(|_| runs("changes")) {
        rt.block_on(async {
            let (base, token) = start(100_000, state.as_deref(), None).await;
            let id = finished(&base, &token).await;
            let kept = if state.is_some() {
                "with --state"
            } else {
                "in memory only"
            };
            load(&base, &token, &[Kind::Reapply], id)
                .await
                .report(&format!(
                    "100000 activities, {CLIENTS} clients, POST reapply, {kept}"
                ));
        });
    }
    for activities in [100_000, 1_000_000].into_iter().filter(|_| runs("start")) {
        start_after_journal(activities, 10_000);
    }
    if runs("computers") {
        computer_queries();
    }
}

/// Computer queries of 1, 20 and 200 words (`zz0 OR zz1 …`, words no
/// computer has: every word is tried on every computer) at 10,000
/// computers: `GET /computers?query=` and the same words as `computer:`
/// terms of an activity query. Median of five runs.
fn computer_queries() {
    let engine = Engine::demo(&DemoOptions {
        seed: 7,
        computers: 10_000,
        activities: 100_000,
        now: chrono::Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap(),
    });
    for words in [1usize, 20, 200] {
        let chain = |prefix: &str| {
            (0..words)
                .map(|i| format!("{prefix}zz{i}"))
                .collect::<Vec<_>>()
                .join(" OR ")
        };
        let median = |f: &dyn Fn()| {
            let mut runs: Vec<Duration> = (0..5)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed()
                })
                .collect();
            runs.sort();
            runs[2]
        };
        let computers = chain("");
        let alone = median(&|| {
            engine.computers_page(&computers, 100, 0).unwrap();
        });
        let activities = format!("status:failed {}", chain("computer:"));
        let within = median(&|| {
            engine.activities(&activities, 100, 0).unwrap();
        });
        println!(
            "computer query of {words} words at 10,000 computers: {:.1} ms alone, {:.1} ms as computer: terms of an activity query (100,000 activities)",
            alone.as_secs_f64() * 1e3,
            within.as_secs_f64() * 1e3
        );
    }
}
