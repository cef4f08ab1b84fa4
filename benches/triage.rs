//! Triage at a million activities: the failure clusters of every failure
//! and the health picture (its 33 counts), in the demo (the engine in
//! process) and through `serve` on loopback over REST. Prints the requests
//! each sent, counted where they reach the server.
//!
//! cargo bench --bench triage 2>/dev/null
//!
//! (`serve` logs each request on stderr.)

#![allow(clippy::unwrap_used)] // a bench stops at the first failure

#[path = "../tests/it/common/counting.rs"]
mod counting;
mod support;

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use landscape_tui::backend::remote::ApiChoice;
use landscape_tui::backend::{Backend, clusters, health};

const ACTIVITIES: usize = 1_000_000;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (engine, counted, base) = rt.block_on(async {
        let (engine, _) = support::serve_demo(ACTIVITIES, ACTIVITIES / 100).await;
        let counted = counting::Counting::new(engine.clone());
        let base = support::serve_backend(counted.clone()).await;
        (engine, counted, base)
    });
    let now = engine.read().now();
    let client = support::client(&rt, &base, ApiChoice::Rest);
    let mut group = c.benchmark_group("triage at 1M");
    group.sample_size(10);
    let paths: [(&str, &dyn Backend); 2] =
        [("demo", engine.as_ref()), ("serve REST", client.as_ref())];
    for (path, b) in paths {
        counted.reset();
        let started = Instant::now();
        let report = rt.block_on(clusters::load(b, "")).unwrap();
        println!(
            "{path}: clusters of every failure: {} failed, {} clustered in {} clusters; {} requests at serve; {:.0} ms",
            report.failed,
            report.clustered,
            report.clusters.len(),
            counted.calls(),
            started.elapsed().as_secs_f64() * 1000.0
        );
        group.bench_function(format!("{path}: clusters of every failure"), |bench| {
            bench.iter(|| rt.block_on(clusters::load(b, "")).unwrap())
        });
        counted.reset();
        let started = Instant::now();
        rt.block_on(health::load(b, "", now)).unwrap();
        println!(
            "{path}: health picture: {} requests at serve; {:.0} ms",
            counted.calls(),
            started.elapsed().as_secs_f64() * 1000.0
        );
        group.bench_function(format!("{path}: health picture"), |bench| {
            bench.iter(|| rt.block_on(health::load(b, "", now)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
