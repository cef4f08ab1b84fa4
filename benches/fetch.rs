//! Fetching 10,000 activities page by page from `serve` over loopback: our
//! HTTP client (REST with a JWT, legacy with signatures) and, side by side,
//! the official Python client (`landscape-api` from landscape-api-py3) when
//! it is installed (.ci/run puts it in .ci/venv).
//!
//! cargo bench --bench fetch

#![allow(clippy::unwrap_used)] // a bench stops at the first failure

mod support;

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use landscape_tui::backend::Backend;
use landscape_tui::backend::remote::ApiChoice;

const TOTAL: u64 = 10_000;
const PAGE: u64 = 1000;

fn python_client() -> Option<PathBuf> {
    [
        std::env::var_os("LANDSCAPE_API_CLIENT").map(PathBuf::from),
        Some(PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/.ci/venv/bin/landscape-api"
        ))),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.is_file())
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let credentials = support::credentials();
    let (_engine, base) = rt.block_on(support::serve_demo(TOTAL as usize, 200));
    let client = |api| support::client(&rt, &base, api);
    for (name, api) in [
        ("landscape-tui client, REST v2 (JWT)", ApiChoice::Rest),
        ("landscape-tui client, legacy (signed)", ApiChoice::Legacy),
    ] {
        let backend = client(api);
        c.bench_function(
            &format!("fetch 10,000 activities in pages of 1000: {name}"),
            |b| {
                b.iter(|| {
                    rt.block_on(async {
                        let mut n = 0;
                        for page in 0..TOTAL / PAGE {
                            n += backend
                                .activities("", PAGE, page * PAGE)
                                .await
                                .unwrap()
                                .results
                                .len();
                        }
                        assert_eq!(n as u64, TOTAL);
                    })
                })
            },
        );
    }
    if let Some(python) = python_client() {
        c.bench_function(
            "fetch 10,000 activities in pages of 1000: landscape-api (Python, legacy)",
            |b| {
                b.iter(|| {
                    for page in 0..TOTAL / PAGE {
                        let out = std::process::Command::new(&python)
                            .args([
                                "--json",
                                "get-activities",
                                "--limit",
                                &PAGE.to_string(),
                                "--offset",
                                &(page * PAGE).to_string(),
                            ])
                            .env("LANDSCAPE_API_KEY", &credentials.access_key)
                            .env("LANDSCAPE_API_SECRET", &credentials.secret_key)
                            .env("LANDSCAPE_API_URI", format!("{base}/api/"))
                            .output()
                            .unwrap();
                        assert!(out.status.success());
                    }
                })
            },
        );
    } else {
        eprintln!(
            "landscape-api (landscape-api-py3) not installed: run .ci/run, or set LANDSCAPE_API_CLIENT"
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
