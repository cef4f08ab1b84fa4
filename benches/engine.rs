//! The engine at 1,000,000 activities: loading a dataset file (beside
//! Python's `json.load` of the same file), generating the demo, the first
//! pages of each list, selective and bare-word queries, approving 10,000 by
//! query, and the peak memory of a whole process that loads the file.
//!
//! cargo bench --bench engine

#![allow(clippy::unwrap_used)] // a bench stops at the first failure

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use landscape_tui::backend::Selection;
use landscape_tui::engine::{DemoOptions, Engine};
use landscape_tui::model::{ListSort, SortColumn};

const N: usize = 1_000_000;

fn demo_options() -> DemoOptions {
    DemoOptions {
        seed: 5,
        computers: 10_000,
        activities: N,
        now: Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap(),
    }
}

/// Python's `json.load` of `path`, once, when python3 is there.
fn python_load(path: &Path) -> Option<Duration> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import json,sys,time; t=time.perf_counter(); json.load(open(sys.argv[1])); print(time.perf_counter()-t)",
        ])
        .arg(path)
        .output()
        .ok()?;
    let secs: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    Some(Duration::from_secs_f64(secs))
}

/// Peak resident memory of the real binary loading `path` (Linux: VmHWM,
/// read until the process ends).
fn peak_memory_of_loading(path: &Path) -> Option<u64> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_landscape-tui"))
        .args(["--frozen", "--data"])
        .arg(path)
        .args(["activities", "--limit", "1", "--format", "json"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    while child.try_wait().ok()?.is_none() {
        if let Ok(text) = std::fs::read_to_string(&status)
            && let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kb * 1024);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Some(peak)
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dataset-1m.json");
    let engine = Engine::demo(&demo_options());
    engine.save(&file).unwrap();
    let size = std::fs::metadata(&file).unwrap().len();
    eprintln!("dataset: {N} activities, {} MB", size / 1_000_000);
    if let Some(py) = python_load(&file) {
        eprintln!(
            "python3 json.load of the same file: {:.2} s",
            py.as_secs_f64()
        );
    }
    let started = Instant::now();
    if let Some(peak) = peak_memory_of_loading(&file) {
        eprintln!(
            "landscape-tui loading it (whole process, {:.2} s): peak {} MiB",
            started.elapsed().as_secs_f64(),
            peak / (1024 * 1024)
        );
    }

    c.bench_function("load 1M from a dataset file", |b| {
        b.iter(|| Engine::load(&file).unwrap().activity_count())
    });
    c.bench_function("generate the 1M demo", |b| {
        b.iter(|| Engine::demo(&demo_options()).activity_count())
    });

    let one = engine.activities("", 1, 0).unwrap().results[0].id;
    c.bench_function("one record by id", |b| {
        b.iter(|| engine.activity(black_box(one)).unwrap())
    });
    c.bench_function("first page: top-level rows", |b| {
        b.iter(|| engine.top_level("", 100, 0).unwrap())
    });
    c.bench_function("first page: /activities", |b| {
        b.iter(|| engine.activities("", 100, 0).unwrap())
    });
    c.bench_function("first page: /activities/parents", |b| {
        b.iter(|| engine.activities("type:ActivityGroup", 100, 0).unwrap())
    });
    for query in [
        "status:failed",
        "status:failed computer:tag:web",
        "creator:jane@example.com type:ChangePackagesRequest",
        "nginx",
    ] {
        c.bench_function(&format!("query page {query:?}"), |b| {
            b.iter(|| engine.activities(black_box(query), 100, 0).unwrap().count)
        });
    }
    // The list sorted by a column other than time: every top-level row
    // (or every match) is partitioned around the page, the page sorted.
    for (query, column) in [
        ("", SortColumn::Type),
        ("", SortColumn::Summary),
        ("", SortColumn::Children),
        ("status:failed", SortColumn::Status),
    ] {
        let sort = ListSort::by(column);
        c.bench_function(
            &format!("first page sorted by {} of {query:?}", column.name()),
            |b| {
                b.iter(|| {
                    engine
                        .top_level_sorted(black_box(query), sort, 100, 0)
                        .unwrap()
                        .rows
                        .count
                })
            },
        );
    }
    // Approve by query: pick a window of unapproved activities of about 10,000.
    let unapproved = engine.activities("status:unapproved", u64::MAX, 0).unwrap();
    let ids: Vec<u64> = unapproved
        .results
        .iter()
        .take(10_000)
        .map(|a| a.id)
        .collect();
    let newest = unapproved.results[0].creation_time;
    let oldest = unapproved.results[ids.len() - 1].creation_time;
    let query = format!(
        "status:unapproved created-after:{} created-before:{}",
        oldest.format("%Y-%m-%dT%H:%M:%S"),
        (newest + chrono::Duration::seconds(1)).format("%Y-%m-%dT%H:%M:%S")
    );
    let count = engine.activities(&query, 0, 0).unwrap().count;
    eprintln!("approve query {query:?} selects {count}");
    c.bench_function("count the approve selection", |b| {
        b.iter(|| engine.activities(black_box(&query), 0, 0).unwrap().count)
    });
    c.bench_function("approve ~10,000 by query", |b| {
        b.iter_batched(
            || engine.clone(),
            // The engine is handed back so its drop is not timed.
            |mut e| {
                let n = e.approve(&Selection::Query(query.clone())).unwrap().len();
                (e, n)
            },
            BatchSize::PerIteration,
        )
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
