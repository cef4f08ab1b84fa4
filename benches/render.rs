//! One full dashboard frame at 200×50 with 1,000,000 activities in the
//! engine, and the engine work behind a refresh of that list.
//!
//! cargo bench --bench render

#![allow(clippy::unwrap_used)] // a bench stops at the first failure

use std::hint::black_box;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use landscape_tui::backend::BackendInfo;
use landscape_tui::engine::{DemoOptions, Engine};
use landscape_tui::tui::app::{App, PAGE};
use landscape_tui::tui::event::Event;
use landscape_tui::tui::update::{start, update};
use landscape_tui::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn bench(c: &mut Criterion) {
    let now = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
    let engine = Engine::demo(&DemoOptions {
        seed: 1,
        computers: 10_000,
        activities: 1_000_000,
        now,
    });
    let mut app = App::new(BackendInfo::embedded_engine(), false, vec![]);
    app.screen.size = (200, 50);
    let generation = start(&mut app)
        .into_iter()
        .find_map(|c| match c {
            landscape_tui::tui::event::Command::Call(
                landscape_tui::tui::event::Call::FetchList { generation, .. },
            ) => Some(generation),
            _ => None,
        })
        .unwrap();
    let page = engine.top_level("", PAGE, 0).unwrap();
    update(
        &mut app,
        Event::ListLoaded {
            generation,
            offset: 0,
            result: Ok(page),
        },
    );
    let parent = app
        .list
        .rows
        .iter()
        .find(|a| a.is_parent())
        .map(|a| a.id)
        .unwrap();
    update(
        &mut app,
        Event::ChildrenLoaded {
            parent,
            result: Ok(engine.children(parent, None).unwrap()),
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    c.bench_function("render: full frame 200x50, 1M activities", |b| {
        b.iter(|| {
            terminal
                .draw(|f| view::draw(f, black_box(&app)))
                .unwrap()
                .area
                .width
        })
    });
    c.bench_function("engine: top-level page of 1M, no query", |b| {
        b.iter(|| engine.top_level(black_box(""), PAGE, 0).unwrap().rows.count)
    });
    c.bench_function(
        "engine: top-level page of 1M, status:failed computer:tag:web",
        |b| {
            b.iter(|| {
                engine
                    .top_level(black_box("status:failed computer:tag:web"), PAGE, 0)
                    .unwrap()
                    .rows
                    .count
            })
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
