//! A real Landscape, as far as a client can tell: a proxy in front of
//! `serve` that hides what Landscape does not have (our `/top-level`
//! route, or all of REST as on an older install), adds network latency,
//! counts the requests and bytes that cross it, and can go away and come
//! back on the same address.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// What the proxy answers 404 to, as a Landscape without it would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hide {
    /// `serve` as it is.
    Nothing,
    /// `/api/v2/activities/top-level`: this project's extension.
    TopLevel,
    /// All of `/api/v2`: a Landscape before REST (the legacy API only).
    Rest,
}

pub struct Proxy {
    /// `http://127.0.0.1:port`, the address clients use.
    pub base: String,
    addr: std::net::SocketAddr,
    shared: Arc<Shared>,
    task: Option<tokio::task::JoinHandle<()>>,
}

struct Shared {
    upstream: String,
    hide: Hide,
    delay: Duration,
    http: reqwest::Client,
    requests: AtomicU64,
    bytes: AtomicU64,
    log: std::sync::Mutex<Vec<String>>,
    /// Answer 503 to everything (a server that is up but failing).
    failing: AtomicBool,
}

impl Proxy {
    /// A proxy in front of `upstream` (`http://host:port`).
    pub async fn start(upstream: &str, hide: Hide, delay: Duration) -> Proxy {
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            hide,
            delay,
            http: reqwest::Client::new(),
            requests: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            log: Default::default(),
            failing: AtomicBool::new(false),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut proxy = Proxy {
            base: format!("http://{addr}"),
            addr,
            shared,
            task: None,
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(self.shared.clone());
        self.task = Some(tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }));
    }

    /// Requests that reached the proxy (hidden ones included).
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Response body bytes sent to the client.
    pub fn bytes(&self) -> u64 {
        self.shared.bytes.load(Ordering::SeqCst)
    }

    /// Each request as `METHOD /path?query` (legacy calls as `action=…`).
    pub fn log(&self) -> Vec<String> {
        self.shared.log.lock().unwrap().clone()
    }

    pub fn reset(&self) {
        self.shared.requests.store(0, Ordering::SeqCst);
        self.shared.bytes.store(0, Ordering::SeqCst);
        self.shared.log.lock().unwrap().clear();
    }

    /// Answers 503 to everything until told otherwise.
    pub fn fail(&self, failing: bool) {
        self.shared.failing.store(failing, Ordering::SeqCst);
    }

    /// The server goes away: connections are refused.
    pub fn go_away(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }

    /// The server is back, on the same address.
    pub async fn come_back(&mut self) {
        let listener = loop {
            match tokio::net::TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        };
        self.serve(listener);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.go_away();
    }
}

async fn forward(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let path = uri.path();
    let what = match form_action(&body) {
        Some(action) => format!("{method} {path} action={action}"),
        None => format!(
            "{method} {}",
            uri.path_and_query().map_or(path, |p| p.as_str())
        ),
    };
    shared.log.lock().unwrap().push(what);
    if !shared.delay.is_zero() {
        tokio::time::sleep(shared.delay).await;
    }
    if shared.failing.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "down for maintenance").into_response();
    }
    let hidden = match shared.hide {
        Hide::Nothing => false,
        Hide::TopLevel => path.starts_with("/api/v2/activities/top-level"),
        Hide::Rest => path.starts_with("/api/v2"),
    };
    if hidden {
        let body = r#"{"error": "NotFound", "message": "Not found"}"#;
        shared.bytes.fetch_add(body.len() as u64, Ordering::SeqCst);
        return (StatusCode::NOT_FOUND, body).into_response();
    }
    let url = format!(
        "{}{}",
        shared.upstream,
        uri.path_and_query().map_or(path, |p| p.as_str())
    );
    let mut request = shared.http.request(method, url).body(body);
    for (name, value) in &headers {
        if name != axum::http::header::CONTENT_LENGTH {
            request = request.header(name, value);
        }
    }
    let Ok(answer) = request.send().await else {
        return (StatusCode::BAD_GATEWAY, "upstream gone").into_response();
    };
    let status = answer.status();
    let mut out = Response::builder().status(status.as_u16());
    for (name, value) in answer.headers() {
        if name != reqwest::header::CONTENT_LENGTH && name != reqwest::header::TRANSFER_ENCODING {
            out = out.header(name.as_str(), value.as_bytes());
        }
    }
    let bytes = answer.bytes().await.unwrap_or_default();
    shared.bytes.fetch_add(bytes.len() as u64, Ordering::SeqCst);
    out.body(Body::from(bytes)).unwrap()
}

/// The `action` of a legacy form body, for the log.
fn form_action(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.into_owned())
}
