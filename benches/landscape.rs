//! The dashboard against a real Landscape's routes, over a network: `serve`
//! with 1,000,000 activities behind a proxy that adds 50 ms to every
//! request and hides our `/top-level` route (REST) or all of REST (the
//! legacy API). Prints, for each path and for the empty query and a
//! two-term query whose matches are per-computer children, the time and
//! requests of the first screen, of `G`, of a jump to the middle, and
//! what an idle refresh costs (requests and bytes; a minute is twelve at
//! the default 5 s). Run it as:
//!
//! cargo bench --bench landscape 2>/dev/null

#![allow(clippy::unwrap_used)] // a bench stops at the first failure

#[path = "../tests/it/common/proxy.rs"]
#[allow(dead_code)] // the tests use more of it than the bench
mod proxy;
mod support;

use std::time::{Duration, Instant};

use landscape_tui::backend::Backend;
use landscape_tui::backend::remote::{ApiChoice, RemoteBackend};
use proxy::{Hide, Proxy};

const LATENCY: Duration = Duration::from_millis(50);
const PAGE: u64 = 400;
const REFRESH: Duration = Duration::from_secs(1);

fn client(base: &str, api: ApiChoice) -> std::sync::Arc<RemoteBackend> {
    let mut o = support::options(base, api);
    o.poll_interval = REFRESH;
    RemoteBackend::new(o).unwrap()
}

fn say(path: &str, what: &str, took: Duration, proxy: &Proxy) {
    println!(
        "{path:<40} {what:<24} {:>7.2} s {:>4} requests {:>9} bytes",
        took.as_secs_f64(),
        proxy.requests(),
        proxy.bytes()
    );
}

async fn run(base: &str, hide: Hide, api: ApiChoice, path: &str) {
    for query in ["", "status:failed computer:tag:web"] {
        let proxy = Proxy::start(base, hide, LATENCY).await;
        let remote = client(&proxy.base, api);
        // The login (and learning the API) is the connection's, not a screen's.
        remote.activity_types().await.unwrap();
        let path = format!("{path} {query:?}");
        let path = path.as_str();

        proxy.reset();
        let t = Instant::now();
        let first = remote.top_level(query, PAGE, 0).await.unwrap();
        say(path, "first screen", t.elapsed(), &proxy);

        // G, as the dashboard asks it: at the end it knows, then at the
        // end the answer says.
        proxy.reset();
        let t = Instant::now();
        let mut asked = first.rows.count;
        let mut end = remote
            .top_level(query, PAGE, asked.saturating_sub(PAGE / 2))
            .await
            .unwrap();
        while end.rows.count != asked {
            asked = end.rows.count;
            end = remote
                .top_level(query, PAGE, asked.saturating_sub(PAGE / 2))
                .await
                .unwrap();
        }
        say(path, "G (to the last row)", t.elapsed(), &proxy);

        proxy.reset();
        let t = Instant::now();
        remote
            .top_level(query, PAGE, end.rows.count / 2)
            .await
            .unwrap();
        say(path, "a jump to the middle", t.elapsed(), &proxy);

        // Idle refreshes of the first screen's 40 rows on show.
        remote.top_level(query, 40, 0).await.unwrap();
        let mut requests = 0;
        let mut bytes = 0;
        for _ in 0..5 {
            tokio::time::sleep(REFRESH).await;
            proxy.reset();
            remote.top_level(query, 40, 0).await.unwrap();
            requests += proxy.requests();
            bytes += proxy.bytes();
        }
        println!(
            "{path:<40} {:<24} {:>9.1} requests {:>9} bytes (a minute: {} requests, {} KB)",
            "idle refresh (mean of 5)",
            requests as f64 / 5.0,
            bytes / 5,
            requests * 12 / 5,
            bytes * 12 / 5 / 1024
        );
    }
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (_engine, base) = support::serve_demo(1_000_000, 10_000).await;
        run(
            &base,
            Hide::TopLevel,
            ApiChoice::Rest,
            "1M, REST, no /top-level",
        )
        .await;
        run(&base, Hide::Rest, ApiChoice::Legacy, "1M, legacy API only").await;
    });
}
