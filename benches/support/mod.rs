//! What the HTTP benches share: a frozen demo served on loopback, its
//! credentials, and our client for it.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use landscape_tui::backend::engine::{EngineBackend, EngineOptions};
use landscape_tui::backend::remote::{
    ApiChoice, RemoteBackend, RemoteCredentials, RemoteOptions, Secret,
};
use landscape_tui::engine::{DemoOptions, Engine};
use landscape_tui::server::{Credentials, JwtKeys, ServerState, serve};

pub fn credentials() -> Credentials {
    Credentials {
        access_key: "BENCHKEY000000000000".into(),
        secret_key: "bench-secret".into(),
        email: "admin@example.com".into(),
        password: "pw".into(),
        name: "Bench".into(),
        account: "standalone".into(),
        account_title: "standalone".into(),
    }
}

/// A frozen demo of `activities` on `computers`, in process and served on
/// loopback (call inside a tokio runtime): the backend and the base URL.
pub async fn serve_demo(activities: usize, computers: usize) -> (Arc<EngineBackend>, String) {
    serve_demo_kept(activities, computers, None).await
}

/// The same, keeping its state (`--state`) at `state` when given.
pub async fn serve_demo_kept(
    activities: usize,
    computers: usize,
    state: Option<&std::path::Path>,
) -> (Arc<EngineBackend>, String) {
    serve_demo_with(activities, computers, state, None).await
}

/// The same, its clock running at `speed` engine seconds a second when given.
pub async fn serve_demo_with(
    activities: usize,
    computers: usize,
    state: Option<&std::path::Path>,
    speed: Option<f64>,
) -> (Arc<EngineBackend>, String) {
    let engine = Engine::demo(&DemoOptions {
        seed: 9,
        computers,
        activities,
        now: Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap(),
    });
    let options = EngineOptions {
        frozen: speed.is_none(),
        speed: speed.unwrap_or(1.0),
        ..EngineOptions::default()
    };
    let backend = match state {
        None => EngineBackend::new(engine, options),
        Some(path) => {
            let (engine, journal, _) =
                landscape_tui::engine::state::open(path, &Default::default(), || Ok(engine))
                    .unwrap();
            EngineBackend::with_journal(engine, options, Some(journal))
        }
    };
    let base = serve_backend(backend.clone()).await;
    (backend, base)
}

/// Serves `backend` on loopback with the bench's credentials: its base URL.
pub async fn serve_backend(backend: Arc<dyn landscape_tui::backend::Backend>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(ServerState {
        default_backend: backend,
        others: Vec::new(),
        credentials: credentials(),
        jwt: JwtKeys::random(),
        public_url: base.clone(),
        throttle: Default::default(),
        log: Default::default(),
        site: Default::default(),
        sessions: Default::default(),
        check_host: true,
        token_seconds: None,
    });
    tokio::spawn(serve(listener, state, std::future::pending()));
    base
}

/// Our HTTP client's options for `base` with the bench's access key.
pub fn options(base: &str, api: ApiChoice) -> RemoteOptions {
    let c = credentials();
    let mut o = RemoteOptions::new(
        format!("{base}/api/"),
        RemoteCredentials::AccessKey {
            key: c.access_key,
            secret: Secret::new(c.secret_key),
        },
    );
    o.api = api;
    o
}

/// Our HTTP client for `base` with the bench's access key.
pub fn client(rt: &tokio::runtime::Runtime, base: &str, api: ApiChoice) -> Arc<RemoteBackend> {
    rt.block_on(async { RemoteBackend::new(options(base, api)).unwrap() })
}
