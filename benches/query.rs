//! Parse + evaluate a five-term query (with a `computer:` term) over
//! 1,000,000 activities and 10,000 computers.
//!
//! cargo bench --bench query

#![allow(clippy::unwrap_used)] // a bench stops at the first failure

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use landscape_tui::model::{Activity, ActivityStatus, Computer, Creator, Field};
use landscape_tui::query::{Columns, parse};
use std::hint::black_box;

const QUERY: &str =
    "status:succeeded created-after:2024-01 computer:tag:web type:ChangePackagesRequest NOT reboot";

fn fleet() -> (Vec<Computer>, Vec<Activity>) {
    let tags = ["web", "db", "laptop", "server", "edge"];
    let computers: Vec<Computer> = (0..10_000u64)
        .map(|i| {
            let mut c = Computer::new(i + 1, &format!("host-{i:05}"));
            c.hostname = format!("host-{i:05}.example.com");
            c.tags = vec![tags[(i % 5) as usize].to_owned(), "fleet".to_owned()];
            c.distribution = if i % 3 == 0 { "24.04" } else { "22.04" }.to_owned();
            c
        })
        .collect();
    let types = [
        "ChangePackagesRequest",
        "RestartRequest",
        "ExecuteScriptRequest",
        "UpgradeAllPackagesRequest",
    ];
    let summaries = [
        "Upgrade package openssl",
        "Restart computer",
        "Run script: reboot if needed",
        "Upgrade all packages",
    ];
    let start = Utc.with_ymd_and_hms(2023, 6, 1, 0, 0, 0).unwrap();
    let creator = std::sync::Arc::new(Creator::new("Jane Smith", "jane@example.com", 5));
    let activities = (0..1_000_000u64)
        .map(|i| {
            let k = (i * 2_654_435_761) % 1_000_003;
            let mut a = Activity::new(
                i + 1,
                types[(k % 4) as usize],
                summaries[(k % 4) as usize],
                start + Duration::seconds((i * 31) as i64),
            );
            a.computer_id = Field::Value(1 + k % 10_000);
            a.activity_status = Field::Value(ActivityStatus::KNOWN[(k % 9) as usize].clone());
            a.creator = Field::Value(creator.clone());
            a
        })
        .collect();
    (computers, activities)
}

fn bench(c: &mut Criterion) {
    let (computers, activities) = fleet();
    c.bench_function("parse five-term query", |b| {
        b.iter(|| parse(black_box(QUERY)).unwrap())
    });
    // The engine keeps this index beside its records.
    let columns = Columns::of(&activities);
    c.bench_function("parse + evaluate over 1M activities (columns)", |b| {
        b.iter(|| {
            let q = parse(black_box(QUERY)).unwrap();
            let m = q.matcher(&computers);
            m.select(&columns, &activities).len()
        })
    });
    c.bench_function("parse + evaluate over 1M activities (records only)", |b| {
        b.iter(|| {
            let q = parse(black_box(QUERY)).unwrap();
            let m = q.matcher(&computers);
            activities.iter().filter(|a| m.matches(a)).count()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
