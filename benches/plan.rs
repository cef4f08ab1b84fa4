//! What an action's confirmation costs at a million activities through
//! `serve` on loopback: the plan of an approve by query (exact counts of
//! what would change and be refused) beside one count, over REST and the
//! legacy API, and the action itself once. Prints the requests each plan
//! sent, counted where they reach the server.
//!
//! cargo bench --bench plan

#![allow(clippy::unwrap_used)] // a bench stops at the first failure

#[path = "../tests/it/common/counting.rs"]
mod counting;
mod support;

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use landscape_tui::backend::Backend;
use landscape_tui::backend::action_plan;
use landscape_tui::backend::remote::ApiChoice;
use landscape_tui::model::ActionKind;
use landscape_tui::model::scope::Scope;

const ACTIVITIES: usize = 1_000_000;
/// Matches single activities only: no group matches in its own right.
const NARROW: &str = "status:unapproved computer:tag:web";
/// Groups match in their own right too: they are listed and their children counted.
const WIDE: &str = "status:unapproved";

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (counted, base) = rt.block_on(async {
        let (engine, _) = support::serve_demo(ACTIVITIES, ACTIVITIES / 100).await;
        let counted = counting::Counting::new(engine);
        let base = support::serve_backend(counted.clone()).await;
        (counted, base)
    });
    let mut group = c.benchmark_group("plan at 1M through serve");
    group.sample_size(10);
    for (api_name, api) in [("REST", ApiChoice::Rest), ("legacy", ApiChoice::Legacy)] {
        let client = support::client(&rt, &base, api);
        let b: &dyn Backend = client.as_ref();
        group.bench_function(format!("{api_name}: one count of `{NARROW}`"), |bench| {
            bench.iter(|| rt.block_on(b.count(NARROW)).unwrap())
        });
        for query in [NARROW, WIDE] {
            let scope = Scope::every_match(query);
            counted.reset();
            let started = Instant::now();
            let plan = rt
                .block_on(action_plan::plan(b, ActionKind::Approve, &scope))
                .unwrap();
            eprintln!(
                "{api_name}: plan of approve `{query}`: {} would change, {} refused, {} groups; {} requests; {:.0} ms",
                plan.changes(),
                plan.refused(),
                plan.groups(),
                counted.calls(),
                started.elapsed().as_secs_f64() * 1000.0
            );
            group.bench_function(format!("{api_name}: plan of approve `{query}`"), |bench| {
                bench.iter(|| {
                    rt.block_on(action_plan::plan(b, ActionKind::Approve, &scope))
                        .unwrap()
                })
            });
        }
    }
    group.finish();
    // The action itself, once (it changes the account).
    let client = support::client(&rt, &base, ApiChoice::Rest);
    let scope = Scope::every_match(NARROW);
    let plan = rt
        .block_on(action_plan::plan(
            client.as_ref(),
            ActionKind::Approve,
            &scope,
        ))
        .unwrap();
    counted.reset();
    let started = Instant::now();
    let report = rt.block_on(action_plan::carry_out(client.as_ref(), &plan, true));
    eprintln!(
        "REST: approve `{NARROW}` itself: {} in {:.0} ms, {} request(s)",
        report.summary(),
        started.elapsed().as_secs_f64() * 1000.0,
        counted.calls()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
