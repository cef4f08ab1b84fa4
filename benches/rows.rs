//! The dashboard's list with 1,000,000 activities: the first screen and a
//! jump to the end, in the demo (engine in process) and over loopback from
//! `serve` (its rows route, one request a page); and the client's fold of
//! raw pages — what a Landscape without that route costs — on 100,000.
//!
//! cargo bench --bench rows

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use landscape_tui::backend::Backend;
use landscape_tui::backend::engine::{EngineBackend, EngineOptions};
use landscape_tui::backend::remote::{
    ApiChoice, RemoteBackend, RemoteCredentials, RemoteOptions, Secret,
};
use landscape_tui::engine::{DemoOptions, Engine};
use landscape_tui::server::{Credentials, JwtKeys, ServerState, serve};

/// Rows the dashboard asks for at a time.
const PAGE: u64 = 400;

fn credentials() -> Credentials {
    Credentials {
        access_key: "BENCHKEY000000000000".into(),
        secret_key: "bench-secret".into(),
        email: "admin@example.com".into(),
        password: "pw".into(),
        name: "Bench".into(),
        account: "standalone".into(),
    }
}

/// A frozen demo of `activities`, in process and served on loopback.
fn start(rt: &tokio::runtime::Runtime, activities: usize) -> (Arc<EngineBackend>, String) {
    rt.block_on(async {
        let engine = Engine::demo(&DemoOptions {
            seed: 9,
            computers: 10_000.min(activities / 20),
            activities,
            now: Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap(),
        });
        let backend = EngineBackend::new(
            engine,
            EngineOptions {
                frozen: true,
                ..EngineOptions::default()
            },
        );
        let state = Arc::new(ServerState {
            backend: backend.clone(),
            credentials: credentials(),
            jwt: JwtKeys::random(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(serve(listener, state, std::future::pending()));
        (backend, base)
    })
}

fn client(rt: &tokio::runtime::Runtime, base: &str, api: ApiChoice) -> Arc<RemoteBackend> {
    let c = credentials();
    let mut o = RemoteOptions::new(
        format!("{base}/api/"),
        RemoteCredentials::AccessKey {
            key: c.access_key,
            secret: Secret::new(c.secret_key),
        },
    );
    o.api = api;
    rt.block_on(async { RemoteBackend::new(o).unwrap() })
}

/// First screen and jump to the end of `query`'s rows through `backend`.
fn screens(
    c: &mut Criterion,
    rt: &tokio::runtime::Runtime,
    name: &str,
    backend: &dyn Backend,
    query: &str,
) {
    let rows = rt
        .block_on(backend.top_level(query, 1, 0))
        .unwrap()
        .rows
        .count;
    c.bench_function(&format!("{name}: first screen {query:?}"), |b| {
        b.iter(|| rt.block_on(backend.top_level(query, PAGE, 0)).unwrap())
    });
    c.bench_function(&format!("{name}: jump to the end {query:?}"), |b| {
        b.iter(|| {
            rt.block_on(backend.top_level(query, PAGE, rows.saturating_sub(PAGE)))
                .unwrap()
        })
    });
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (engine, base) = start(&rt, 1_000_000);
    let served = client(&rt, &base, ApiChoice::Rest);
    for query in ["", "status:failed computer:tag:web"] {
        screens(c, &rt, "1M demo (in process)", engine.as_ref(), query);
        screens(c, &rt, "1M serve (REST rows route)", served.as_ref(), query);
    }
    drop((engine, served));

    // The fold has no cache to reuse here: a new client each time.
    let (_small, base) = start(&rt, 100_000);
    for query in ["", "status:failed computer:tag:web"] {
        c.bench_function(
            &format!("100k serve (legacy, client fold): first screen {query:?}"),
            |b| {
                b.iter_batched(
                    || client(&rt, &base, ApiChoice::Legacy),
                    |folding| rt.block_on(folding.top_level(query, PAGE, 0)).unwrap(),
                    BatchSize::PerIteration,
                )
            },
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
