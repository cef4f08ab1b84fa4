//! A `serve` instance on an ephemeral loopback port, stopped when dropped.
#![allow(dead_code)]

pub mod counting;
pub mod disk;
pub mod login;
pub mod proxy;
pub mod steps;
pub mod tui;

pub use login::{rest_login, rest_token};

use std::sync::Arc;

use landscape_tui::backend::engine::{EngineBackend, EngineOptions};
use landscape_tui::engine::Engine;
use landscape_tui::server::{Credentials, Hygiene, JwtKeys, ServerState, Throttle, serve_with};
use serde_json::Value;
use tokio::sync::oneshot;

/// A test that needs a tool this machine lacks (the official Python
/// client, Chromium and a built web UI): where `LANDSCAPE_TEST_TOOLS` is
/// `required` (`.ci/run` sets it) that is a failure; elsewhere the test
/// says why it could not run and passes, as cargo has no "skipped".
pub fn without_tool(why: &str) {
    assert!(
        std::env::var("LANDSCAPE_TEST_TOOLS").as_deref() != Ok("required"),
        "this test is required here (LANDSCAPE_TEST_TOOLS=required) but cannot run: {why}"
    );
    eprintln!("skipped: {why} (.ci/run installs what it needs)");
}

/// The hand-written dataset the HTTP tests pin their expectations on.
pub fn dataset() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo-small.json"
    ))
    .unwrap()
}

/// A rollout under way: group 500 "Upgrade package curl" with `failed`
/// children failed, `delivered` on their computers and `undelivered` not
/// started, one computer each; and group 600, three undelivered children
/// elsewhere, that no guard of 500 may touch. Clock 2024-02-07T18:00Z.
pub fn rollout(failed: usize, delivered: usize, undelivered: usize) -> String {
    let statuses: Vec<&str> = std::iter::repeat_n("failed", failed)
        .chain(std::iter::repeat_n("delivered", delivered))
        .chain(std::iter::repeat_n("undelivered", undelivered))
        .collect();
    rollout_of(&statuses)
}

/// The same rollout with group 500's children in `statuses`, in order.
pub fn rollout_of(statuses: &[&str]) -> String {
    let n = statuses.len();
    let computer = |id: usize| {
        serde_json::json!({"id": id, "title": format!("node-{id:02}"), "hostname": format!("node-{id:02}.example.com"),
            "tags": ["server"], "access_group": "global", "distribution": "22.04", "alerts": [],
            "macs": [], "ips": [format!("10.9.0.{id}")], "annotations": {}, "needs_reboot": false})
    };
    let creator = serde_json::json!({"name": "Jane Smith", "email": "jane@example.com", "id": 11});
    let child = |id: usize, parent: usize, computer: usize, status: &str| {
        let mut a = serde_json::json!({"id": id, "type": "ChangePackagesRequest", "summary": "Upgrade package curl",
            "creator": creator, "creation_time": "2024-02-07T16:00:00Z", "parent_id": parent,
            "computer_id": computer, "activity_status": status});
        if status == "scheduled" {
            a["deliver_after_time"] = "2024-02-08T02:00:00Z".into();
        }
        if ["failed", "succeeded", "canceled"].contains(&status) {
            a["completion_time"] = "2024-02-07T17:00:00Z".into();
        }
        if status == "failed" {
            a["result_code"] = 100.into();
            a["result_text"] =
                "E: dpkg was interrupted, you must manually run 'dpkg --configure -a'".into();
        }
        if !["undelivered", "unapproved", "scheduled"].contains(&status) {
            a["delivery_time"] = "2024-02-07T16:30:00Z".into();
        }
        a
    };
    let group = |id: usize, summary: &str| {
        serde_json::json!({"id": id, "type": "ActivityGroup", "summary": summary, "creator": creator,
            "creation_time": "2024-02-07T16:00:00Z", "parent_id": null, "computer_id": null})
    };
    let mut activities = vec![group(500, "Upgrade package curl")];
    for (i, status) in statuses.iter().enumerate() {
        activities.push(child(501 + i, 500, i + 1, status));
    }
    activities.push(group(600, "Restart database servers"));
    for i in 0..3 {
        let mut a = child(601 + i, 600, n + 1 + i, "undelivered");
        a["type"] = "RestartRequest".into();
        a["summary"] = "Restart database servers".into();
        activities.push(a);
    }
    serde_json::json!({
        "computers": (1..=n + 3).map(computer).collect::<Vec<_>>(),
        "activities": activities,
        "clock": "2024-02-07T18:00:00Z",
    })
    .to_string()
}

/// A generated account of `activities`, frozen on 2024-06-01.
pub fn demo(seed: u64, computers: usize, activities: usize) -> Engine {
    use chrono::TimeZone;
    Engine::demo(&landscape_tui::engine::DemoOptions {
        seed,
        computers,
        activities,
        now: chrono::Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap(),
    })
}

/// `engine` behind a backend whose clock stays still.
pub fn frozen(engine: Engine) -> Arc<EngineBackend> {
    EngineBackend::new(
        engine,
        EngineOptions {
            frozen: true,
            ..EngineOptions::default()
        },
    )
}

pub struct TestServer {
    pub base: String,
    /// `127.0.0.1:PORT`, as clients address it (what signatures cover).
    pub host: String,
    pub credentials: Credentials,
    pub jwt: JwtKeys,
    pub http: reqwest::Client,
    pub backend: Arc<EngineBackend>,
    stop: Option<oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    /// Serves `dataset` on a frozen engine clock.
    pub async fn start(dataset: String) -> TestServer {
        let engine = Engine::from_dataset_str(&dataset).expect("test dataset loads");
        TestServer::start_with(frozen(engine)).await
    }

    pub async fn start_with(backend: Arc<EngineBackend>) -> TestServer {
        TestServer::start_throttled(backend, Throttle::default()).await
    }

    /// With a login throttle of the test's choosing.
    pub async fn start_throttled(backend: Arc<EngineBackend>, throttle: Throttle) -> TestServer {
        TestServer::start_custom(backend, throttle, Hygiene::default()).await
    }

    /// With a login throttle and connection limits of the test's choosing.
    pub async fn start_custom(
        backend: Arc<EngineBackend>,
        throttle: Throttle,
        hygiene: Hygiene,
    ) -> TestServer {
        TestServer::start_site(backend, throttle, hygiene, Default::default()).await
    }

    /// With the web UI's extras (`--web-ui`, `--feature`) too.
    pub async fn start_site(
        backend: Arc<EngineBackend>,
        throttle: Throttle,
        hygiene: Hygiene,
        site: landscape_tui::server::site::Site,
    ) -> TestServer {
        let served: Arc<dyn landscape_tui::backend::Backend> = backend.clone();
        TestServer::start_serving(backend, served, throttle, hygiene, site).await
    }

    /// Serves `backend` through a counter of the calls that reach it: each
    /// list page, count or action a client asks is one.
    pub async fn start_counted(
        backend: Arc<EngineBackend>,
    ) -> (TestServer, Arc<counting::Counting>) {
        let counted = counting::Counting::new(backend.clone());
        let server = TestServer::start_serving(
            backend,
            counted.clone(),
            Throttle::default(),
            Hygiene::default(),
            Default::default(),
        )
        .await;
        (server, counted)
    }

    async fn start_serving(
        backend: Arc<EngineBackend>,
        served: Arc<dyn landscape_tui::backend::Backend>,
        throttle: Throttle,
        hygiene: Hygiene,
        site: landscape_tui::server::site::Site,
    ) -> TestServer {
        let credentials = Credentials {
            access_key: "TESTACCESSKEY0000000".into(),
            secret_key: "test/secret+key=".into(),
            email: "admin@example.com".into(),
            password: "correct horse".into(),
            name: "Test Admin".into(),
            account: "standalone".into(),
            account_title: "Test Lab".into(),
        };
        let jwt = JwtKeys::from_secret(b"test jwt secret");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let host = listener.local_addr().unwrap().to_string();
        let state = Arc::new(ServerState {
            default_backend: served,
            others: Vec::new(),
            credentials: credentials.clone(),
            jwt: jwt.clone(),
            public_url: format!("http://{host}"),
            throttle,
            log: Default::default(),
            site,
            sessions: Default::default(),
            check_host: true,
            token_seconds: None,
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(serve_with(
            listener,
            state,
            async {
                let _ = stopped.await;
            },
            hygiene,
        ));
        TestServer {
            base: format!("http://{host}"),
            host,
            credentials,
            jwt,
            http: reqwest::Client::new(),
            backend,
            stop: Some(stop),
            served: Some(served),
        }
    }

    /// Client options with this server's access key, for `base` (this
    /// server, or a proxy in front of it).
    pub fn access_key_options(
        &self,
        base: &str,
        api: landscape_tui::backend::remote::ApiChoice,
    ) -> landscape_tui::backend::remote::RemoteOptions {
        use landscape_tui::backend::remote::{RemoteCredentials, RemoteOptions, Secret};
        let mut o = RemoteOptions::new(
            format!("{base}/api/"),
            RemoteCredentials::AccessKey {
                key: self.credentials.access_key.clone(),
                secret: Secret::new(self.credentials.secret_key.clone()),
            },
        );
        o.api = api;
        o
    }

    pub async fn login(&self) -> String {
        let api = format!("{}/api/", self.base);
        rest_token(
            &self.http,
            &api,
            &self.credentials.email,
            &self.credentials.password,
        )
        .await
    }

    /// GET a REST path with a fresh token; panics unless 200.
    pub async fn get(&self, path: &str) -> Value {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(self.login().await)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::OK, "{path}");
        r.json().await.unwrap()
    }
}

impl TestServer {
    /// Asks the server to stop; the task that served, to await.
    pub fn stop(&mut self) -> tokio::task::JoinHandle<std::io::Result<()>> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.served.take().expect("stopped once")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts `serve` as `cmd` says: the API base it announces
/// (`LANDSCAPE_API_URI`), and the process, its stderr (the request log)
/// piped for the caller. What else it prints on stdout is read on, as a
/// terminal would.
pub fn announced(mut cmd: std::process::Command) -> (String, std::process::Child) {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let uri = lines
        .by_ref()
        .map(Result::unwrap)
        .find_map(|l| {
            l.strip_prefix("export LANDSCAPE_API_URI=")
                .map(str::to_owned)
        })
        .unwrap();
    std::thread::spawn(move || lines.for_each(drop));
    (uri, child)
}
