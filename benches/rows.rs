//! The dashboard's list with 1,000,000 activities: the first screen and a
//! jump to the end, in the demo (engine in process) and over loopback from
//! `serve` (its rows route, one request a page); and the client's fold of
//! raw pages — what a Landscape without that route costs — on 100,000.
//!
//! cargo bench --bench rows

#![allow(clippy::unwrap_used)] // a bench stops at the first failure

mod support;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use landscape_tui::backend::Backend;
use landscape_tui::backend::remote::ApiChoice;

/// Rows the dashboard asks for at a time.
const PAGE: u64 = 400;

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
    let (engine, base) = rt.block_on(support::serve_demo(1_000_000, 10_000));
    let served = support::client(&rt, &base, ApiChoice::Rest);
    for query in ["", "status:failed computer:tag:web"] {
        screens(c, &rt, "1M demo (in process)", engine.as_ref(), query);
        screens(c, &rt, "1M serve (REST rows route)", served.as_ref(), query);
    }
    drop((engine, served));

    // The fold has no cache to reuse here: a new client each time.
    let (_small, base) = rt.block_on(support::serve_demo(100_000, 5_000));
    for query in ["", "status:failed computer:tag:web"] {
        c.bench_function(
            &format!("100k serve (legacy, client fold): first screen {query:?}"),
            |b| {
                b.iter_batched(
                    || support::client(&rt, &base, ApiChoice::Legacy),
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
