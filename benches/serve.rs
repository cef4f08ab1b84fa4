//! `serve` under load: 50 clients on loopback asking for
//! `GET /api/v2/activities?limit=100` as fast as they can for five seconds,
//! at 100,000 and 1,000,000 activities. Prints requests a second and the
//! median and 99th-percentile latency, and the process's resident memory
//! before and after two runs. The server logs each request on
//! stderr, so run it as:
//!
//! cargo bench --bench serve 2>/dev/null

#![allow(clippy::unwrap_used)] // a bench stops at the first failure

#[path = "../tests/it/common/login.rs"]
mod login;
mod support;

use std::time::{Duration, Instant};

const CLIENTS: usize = 50;
const RUN: Duration = Duration::from_secs(5);

async fn start(activities: usize, state: Option<&std::path::Path>) -> (String, String) {
    let (_, base) = support::serve_demo_kept(activities, (activities / 100).max(10), state).await;
    let api = format!("{base}/api/");
    let token = login::rest_token(&reqwest::Client::new(), &api, "admin@example.com", "pw").await;
    (base, token)
}

/// What each client sends, again and again.
#[derive(Clone, Copy)]
enum Ask {
    /// `GET /api/v2/activities?limit=100`.
    Page,
    /// `POST /api/v2/activities/reapply` of one finished activity: a change.
    Reapply(u64),
}

async fn load(base: &str, token: &str, ask: Ask) -> (f64, Duration, Duration) {
    let http = reqwest::Client::new();
    let url = format!("{base}/api/v2/activities?limit=100");
    let reapply = format!("{base}/api/v2/activities/reapply");
    let until = Instant::now() + RUN;
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (http, url, token) = (http.clone(), url.clone(), token.to_owned());
            let reapply = reapply.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < until {
                    let sent = Instant::now();
                    let request = match ask {
                        Ask::Page => http.get(&url),
                        Ask::Reapply(id) => http
                            .post(&reapply)
                            .json(&serde_json::json!({"activity_ids": [id]})),
                    };
                    let r = request.bearer_auth(&token).send().await.unwrap();
                    assert!(r.status().is_success());
                    let _ = r.bytes().await.unwrap();
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    (all.len() as f64 / RUN.as_secs_f64(), at(0.5), at(0.99))
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

fn main() {
    // `cargo bench` passes criterion-style flags; this bench has none.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let report = |what: &str, (rps, p50, p99): (f64, Duration, Duration)| {
        println!(
            "serve, {what}: {rps:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms",
            p50.as_secs_f64() * 1000.0,
            p99.as_secs_f64() * 1000.0
        );
    };
    for activities in [100_000, 1_000_000] {
        rt.block_on(async {
            let (base, token) = start(activities, None).await;
            // Memory per request: resident size before, and after each of
            // two runs (the server runs in this process).
            let before = resident_mib();
            for run in 1..=2 {
                report(
                    &format!(
                        "{activities} activities, {CLIENTS} clients, GET /api/v2/activities?limit=100 (run {run})"
                    ),
                    load(&base, &token, Ask::Page).await,
                );
                println!(
                    "  resident: {before} MiB before, {} MiB after run {run}",
                    resident_mib()
                );
            }
        });
    }
    // What durability costs: a change a request, with and without --state.
    let dir = tempfile::tempdir().unwrap();
    for state in [None, Some(dir.path().join("state.json"))] {
        rt.block_on(async {
            let (base, token) = start(100_000, state.as_deref()).await;
            let finished: serde_json::Value = reqwest::Client::new()
                .get(format!("{base}/api/v2/activities?query=status:succeeded%20NOT%20type:ActivityGroup&limit=1"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let id = finished["results"][0]["id"].as_u64().unwrap();
            let kept = if state.is_some() { "with --state" } else { "in memory only" };
            report(
                &format!("100000 activities, {CLIENTS} clients, POST reapply, {kept}"),
                load(&base, &token, Ask::Reapply(id)).await,
            );
        });
    }
}
