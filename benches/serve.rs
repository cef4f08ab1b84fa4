//! `serve` under load: 50 clients on loopback asking for
//! `GET /api/v2/activities?limit=100` as fast as they can for five seconds,
//! at 100,000 and 1,000,000 activities. Prints requests a second and the
//! median and 99th-percentile latency. The server logs each request on
//! stderr, so run it as:
//!
//! cargo bench --bench serve 2>/dev/null

mod support;

use std::time::{Duration, Instant};

const CLIENTS: usize = 50;
const RUN: Duration = Duration::from_secs(5);

async fn start(activities: usize) -> (String, String) {
    let (_, base) = support::serve_demo(activities, (activities / 100).max(10)).await;
    let login: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v2/login"))
        .json(&serde_json::json!({"email": "admin@example.com", "password": "pw"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (base, login["token"].as_str().unwrap().to_owned())
}

async fn load(base: &str, token: &str) -> (f64, Duration, Duration) {
    let http = reqwest::Client::new();
    let url = format!("{base}/api/v2/activities?limit=100");
    let until = Instant::now() + RUN;
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (http, url, token) = (http.clone(), url.clone(), token.to_owned());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < until {
                    let sent = Instant::now();
                    let r = http.get(&url).bearer_auth(&token).send().await.unwrap();
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

fn main() {
    // `cargo bench` passes criterion-style flags; this bench has none.
    let rt = tokio::runtime::Runtime::new().unwrap();
    for activities in [100_000, 1_000_000] {
        rt.block_on(async {
            let (base, token) = start(activities).await;
            let (rps, p50, p99) = load(&base, &token).await;
            println!(
                "serve, {activities} activities, {CLIENTS} clients, GET /api/v2/activities?limit=100: \
                 {rps:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms",
                p50.as_secs_f64() * 1000.0,
                p99.as_secs_f64() * 1000.0
            );
        });
    }
}
