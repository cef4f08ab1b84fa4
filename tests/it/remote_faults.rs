//! The HTTP client against a small misbehaving server: slow answers past the
//! timeout, 500s, malformed JSON, a token that expires mid-session, refused
//! connections, and an action whose answer is lost. Every failure is a typed
//! error; reads are retried, actions never re-sent.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use landscape_tui::backend::action_plan::{self, Outcome};
use landscape_tui::backend::remote::{RemoteBackend, RemoteCredentials, RemoteOptions, Secret};
use landscape_tui::backend::{Backend, BackendError, Selection};
use landscape_tui::model::ActionKind;
use landscape_tui::model::scope::Scope;
use serde_json::json;

#[derive(Clone, Copy, PartialEq)]
enum Fault {
    Slow,
    ServerErrorTwice,
    ServerErrorAlways,
    Malformed,
    ExpireFirstToken,
    /// The first read answers 429 with `Retry-After: 2`.
    TooManyOnce,
}

struct Faulty {
    fault: Fault,
    logins: AtomicUsize,
    reads: AtomicUsize,
    actions: AtomicUsize,
}

fn page() -> serde_json::Value {
    json!({"count": 1, "next": null, "previous": null, "results": [{
        "id": 7, "creation_time": "2024-02-07T17:30:05Z", "type": "RestartRequest",
        "summary": "Restart web-01", "activity_status": "undelivered", "parent_id": null
    }]})
}

async fn login(State(s): State<Arc<Faulty>>) -> Response {
    let n = s.logins.fetch_add(1, Ordering::SeqCst) + 1;
    axum::Json(json!({"token": format!("token-{n}"), "email": "a@example.com", "name": "A", "accounts": [], "current_account": "x"})).into_response()
}

async fn activities(State(s): State<Arc<Faulty>>, headers: HeaderMap) -> Response {
    let n = s.reads.fetch_add(1, Ordering::SeqCst) + 1;
    match s.fault {
        Fault::Slow => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            axum::Json(page()).into_response()
        }
        Fault::ServerErrorTwice if n <= 2 => {
            (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response()
        }
        Fault::ServerErrorAlways => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        Fault::Malformed => (StatusCode::OK, "{\"count\": 1, \"results\": [").into_response(),
        Fault::TooManyOnce if n == 1 => (
            StatusCode::TOO_MANY_REQUESTS,
            [(axum::http::header::RETRY_AFTER, "2")],
            axum::Json(json!({"error": "TooManyRequests", "message": "slow down"})),
        )
            .into_response(),
        Fault::ExpireFirstToken => {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if auth == "Bearer token-1" {
                (
                    StatusCode::UNAUTHORIZED,
                    axum::Json(
                        json!({"error": "Unauthorised", "message": "the token has expired"}),
                    ),
                )
                    .into_response()
            } else {
                axum::Json(page()).into_response()
            }
        }
        _ => axum::Json(page()).into_response(),
    }
}

async fn legacy(State(s): State<Arc<Faulty>>) -> Response {
    s.actions.fetch_add(1, Ordering::SeqCst);
    if s.fault == Fault::ServerErrorAlways {
        return (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response();
    }
    // The action is taken, but its answer never arrives in time.
    tokio::time::sleep(Duration::from_secs(5)).await;
    axum::Json(json!([7])).into_response()
}

async fn start(fault: Fault) -> (String, Arc<Faulty>) {
    let state = Arc::new(Faulty {
        fault,
        logins: AtomicUsize::new(0),
        reads: AtomicUsize::new(0),
        actions: AtomicUsize::new(0),
    });
    let app = Router::new()
        .route("/api/v2/login/access-key", post(login))
        .route("/api/v2/activities", get(activities))
        .route("/api/", post(legacy))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, state)
}

fn options(url: &str) -> RemoteOptions {
    let mut o = RemoteOptions::new(
        url,
        RemoteCredentials::AccessKey {
            key: "KEY".into(),
            secret: Secret::new("SECRET"),
        },
    );
    o.timeout = Duration::from_millis(400);
    o.connect_timeout = Duration::from_millis(400);
    o
}

#[tokio::test]
async fn a_silent_server_is_given_up_on_by_the_deadline() {
    let (url, state) = start(Fault::Slow).await;
    let backend = RemoteBackend::new(options(&url)).unwrap();
    let started = std::time::Instant::now();
    let err = backend.activities("", 10, 0).await.unwrap_err();
    assert!(
        matches!(&err, BackendError::Transport(m) if m.contains("timed out")),
        "{err:?}"
    );
    // One deadline for the whole read, retries included: the server's
    // five-second answer is not waited for, once or three times.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(state.reads.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn server_errors_are_retried_for_reads() {
    let (url, state) = start(Fault::ServerErrorTwice).await;
    let mut o = options(&url);
    o.timeout = Duration::from_secs(5);
    let backend = RemoteBackend::new(o).unwrap();
    let page = backend.activities("", 10, 0).await.unwrap();
    assert_eq!(page.results[0].id, 7);
    assert_eq!(state.reads.load(Ordering::SeqCst), 3);

    let (url, _) = start(Fault::ServerErrorAlways).await;
    let backend = RemoteBackend::new(options(&url)).unwrap();
    let err = backend.activities("", 10, 0).await.unwrap_err();
    assert!(
        matches!(&err, BackendError::Http { status: 500, message, .. } if message == "boom"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "HTTP 500: boom");
}

#[tokio::test]
async fn malformed_json_is_a_clear_error() {
    let (url, _) = start(Fault::Malformed).await;
    let backend = RemoteBackend::new(options(&url)).unwrap();
    let err = backend.activities("", 10, 0).await.unwrap_err();
    assert!(
        matches!(&err, BackendError::Protocol(m) if m.contains("not the expected JSON")),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_expired_token_logs_in_again_once() {
    let (url, state) = start(Fault::ExpireFirstToken).await;
    let backend = RemoteBackend::new(options(&url)).unwrap();
    let page = backend.activities("", 10, 0).await.unwrap();
    assert_eq!(page.count, 1);
    assert_eq!(state.logins.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn refused_connections_are_unreachable_and_an_action_there_is_not_sent() {
    // Bind then drop, so the port is (almost certainly) closed.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let backend = RemoteBackend::new(options(&format!("http://127.0.0.1:{port}/api/"))).unwrap();
    let err = backend.activities("", 10, 0).await.unwrap_err();
    assert!(
        matches!(&err, BackendError::Unreachable(m) if m.contains("could not connect")),
        "{err:?}"
    );
    let err = backend.approve(&Selection::Ids(vec![7])).await.unwrap_err();
    assert!(matches!(&err, BackendError::Unreachable(_)), "{err:?}");
}

#[tokio::test]
async fn an_action_whose_answer_is_lost_is_not_sent_again() {
    let (url, state) = start(Fault::ExpireFirstToken).await;
    let backend = RemoteBackend::new(options(&url)).unwrap();
    let err = backend.approve(&Selection::Ids(vec![7])).await.unwrap_err();
    assert!(matches!(&err, BackendError::Transport(_)), "{err:?}");
    assert_eq!(state.actions.load(Ordering::SeqCst), 1);
    // Through the plan, as the dashboard and the CLI send it: the report
    // says the answer was lost, never "nothing changed".
    let scope = Scope::every_match("id:7");
    let plan = action_plan::plan(&*backend, ActionKind::Cancel, &scope)
        .await
        .unwrap();
    assert_eq!(plan.changes(), 1);
    let report = action_plan::carry_out(&*backend, &plan, false).await;
    assert!(matches!(report.outcome, Outcome::Unknown(_)), "{report:?}");
    let text = report.summary();
    assert!(text.contains("may or may not have been applied"), "{text}");
    assert!(!text.contains("nothing changed"), "{text}");
    assert_eq!(state.actions.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_action_the_server_answered_with_an_error_is_not_called_lost() {
    let (url, state) = start(Fault::ServerErrorAlways).await;
    let backend = RemoteBackend::new(options(&url)).unwrap();
    let err = backend.approve(&Selection::Ids(vec![7])).await.unwrap_err();
    assert!(
        matches!(&err, BackendError::Http { status: 500, .. }),
        "{err:?}"
    );
    assert!(!err.to_string().contains("may or may not"), "{err}");
    assert_eq!(state.actions.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn bad_queries_are_refused_locally_with_a_span() {
    let (url, state) = start(Fault::ExpireFirstToken).await;
    let backend = RemoteBackend::new(options(&url)).unwrap();
    let err = backend.activities("status:faild", 10, 0).await.unwrap_err();
    match err {
        BackendError::InvalidQuery { span, .. } => assert_eq!(span, Some(7..12)),
        other => panic!("{other:?}"),
    }
    assert_eq!(state.reads.load(Ordering::SeqCst), 0);
}

/// A second origin that counts what reaches it.
async fn elsewhere() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            axum::Json(json!({"token": "stolen"}))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, hits)
}

/// Fresh counters for a hand-built hostile server (only `login` reads them).
fn counters() -> Arc<Faulty> {
    Arc::new(Faulty {
        fault: Fault::Slow,
        logins: AtomicUsize::new(0),
        reads: AtomicUsize::new(0),
        actions: AtomicUsize::new(0),
    })
}

async fn hostile(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn credentials_never_follow_a_redirect() {
    let (other, hits) = elsewhere().await;
    let target = format!("{other}/api/v2/login/access-key");
    let app = Router::new().route(
        "/api/v2/login/access-key",
        post(move || {
            let target = target.clone();
            async move {
                (
                    StatusCode::TEMPORARY_REDIRECT,
                    [(axum::http::header::LOCATION, target)],
                )
            }
        }),
    );
    let url = hostile(app).await;
    let backend = RemoteBackend::new(options(&url)).unwrap();
    let err = backend.activities("", 10, 0).await.unwrap_err();
    assert!(
        matches!(&err, BackendError::Protocol(m) if m.contains("redirected") && m.contains(&other)),
        "{err:?}"
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "nothing reached the other origin"
    );
}

#[tokio::test]
async fn an_endless_answer_is_cut_off_at_the_cap() {
    let app = Router::new()
        .route("/api/v2/login/access-key", post(login))
        .route(
            "/api/v2/activities",
            get(|| async {
                let chunk = axum::body::Bytes::from(vec![b' '; 64 * 1024]);
                let endless = futures::stream::repeat_with(move || {
                    Ok::<_, std::convert::Infallible>(chunk.clone())
                });
                axum::body::Body::from_stream(endless)
            }),
        )
        .with_state(counters());
    let url = hostile(app).await;
    let mut o = options(&url);
    o.timeout = Duration::from_secs(20);
    o.max_body_bytes = 1024 * 1024;
    let backend = RemoteBackend::new(o).unwrap();
    let err = backend.activities("", 10, 0).await.unwrap_err();
    assert!(
        matches!(&err, BackendError::Protocol(m) if m.contains("larger than 1 MiB")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_servers_words_reach_the_terminal_escaped() {
    let state = counters();
    let app = Router::new()
        .route("/api/v2/login/access-key", post(login))
        .route(
            "/api/v2/activities",
            get(|State(s): State<Arc<Faulty>>| async move {
                s.reads.fetch_add(1, Ordering::SeqCst);
                (
                    StatusCode::BAD_REQUEST,
                    axum::Json(json!({"error": "Oops\u{1b}[2J", "message": "bad\u{1b}]0;pwned\u{7}\nforged line"})),
                )
            }),
        )
        .with_state(state.clone());
    let url = hostile(app).await;
    let mut o = options(&url);
    o.timeout = Duration::from_secs(5);
    let backend = RemoteBackend::new(o).unwrap();
    let err = backend.activities("", 10, 0).await.unwrap_err();
    let text = err.to_string();
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert_eq!(
        text,
        "HTTP 400 Oops\\x1b[2J: bad\\x1b]0;pwned\\x07\\nforged line"
    );
    // A 4xx is an answer, not a lost one: it is not retried.
    assert!(!err.is_retryable());
    assert_eq!(state.reads.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn errors_say_what_they_are_and_only_lost_answers_are_retried() {
    // A login answer without a token breaks the API: said so, asked once.
    let state = counters();
    let app = Router::new()
        .route(
            "/api/v2/login/access-key",
            post(|State(s): State<Arc<Faulty>>| async move {
                s.logins.fetch_add(1, Ordering::SeqCst);
                axum::Json(json!({"email": "a@example.com"}))
            }),
        )
        .with_state(state.clone());
    let url = hostile(app).await;
    let mut o = options(&url);
    o.timeout = Duration::from_secs(5);
    let err = RemoteBackend::new(o)
        .unwrap()
        .activities("", 10, 0)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        BackendError::Protocol("login answer has no token".into())
    );
    assert!(!err.is_retryable());
    assert_eq!(state.logins.load(Ordering::SeqCst), 1);

    // `api = "rest"` on a server without REST: something it cannot do.
    let app = Router::new().with_state(counters());
    let url = hostile(app).await;
    let mut o = options(&url);
    o.api = landscape_tui::backend::remote::ApiChoice::Rest;
    let err = RemoteBackend::new(o)
        .unwrap()
        .activities("", 10, 0)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, BackendError::Unsupported(m) if m.contains("has no REST API")),
        "{err:?}"
    );
    assert!(!err.is_retryable());

    // A URL or a CA file that cannot be used: the client is not built.
    let err = RemoteBackend::new(options("ftp://example.com"))
        .err()
        .unwrap();
    assert!(
        matches!(&err, BackendError::Setup(m) if m.contains("http://")),
        "{err:?}"
    );
    let mut o = options(&url);
    o.ca_file = Some("/nonexistent/ca.pem".into());
    let err = RemoteBackend::new(o).err().unwrap();
    assert!(
        matches!(&err, BackendError::Setup(m) if m.contains("CA file")),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

/// A legacy server whose pages never end: every offset has records, and
/// `asked` counts the requests.
fn endless_legacy(asked: Arc<AtomicUsize>) -> Router {
    Router::new().route(
        "/api/",
        post(move |body: String| {
            let asked = asked.clone();
            async move {
                asked.fetch_add(1, Ordering::SeqCst);
                let param = |name: &str| {
                    form_urlencoded::parse(body.as_bytes())
                        .find(|(k, _)| k == name)
                        .and_then(|(_, v)| v.parse::<u64>().ok())
                };
                let (offset, limit) = (param("offset").unwrap_or(0), param("limit").unwrap_or(1));
                let records: Vec<_> = (offset..offset + limit)
                    .map(|i| {
                        json!({"id": i + 1, "creation_time": "2024-02-07T17:30:05Z",
                           "type": "RestartRequest", "summary": "Restart",
                           "activity_status": "undelivered", "parent_id": null})
                    })
                    .collect();
                axum::Json(records)
            }
        }),
    )
}

/// A legacy server whose pages never end (every offset has records): the
/// dashboard's count stops after a bounded number of probes with a clear
/// error, instead of asking for ever.
#[tokio::test]
async fn a_server_whose_pages_never_end_is_given_up_on() {
    let asked = Arc::new(AtomicUsize::new(0));
    let app = endless_legacy(asked.clone());
    let url = hostile(app).await;
    let mut o = options(&url);
    o.api = landscape_tui::backend::remote::ApiChoice::Legacy;
    o.timeout = Duration::from_secs(10);
    let backend = RemoteBackend::new(o).unwrap();
    let err = backend.top_level("", 20, 0).await.unwrap_err();
    assert!(
        matches!(&err, BackendError::Protocol(m) if m.contains("pages never end")),
        "{err:?}"
    );
    let n = asked.load(Ordering::SeqCst);
    assert!(n <= 40, "{n} requests");
}

/// The same endless server under `activities` or `:export`: what is
/// written goes out a page at a time (memory holds one page) and the
/// listing stops at its stated maximum with an error that says how to
/// read on; the JSON written so far is a whole array.
#[tokio::test]
async fn an_endless_listing_streams_and_stops_at_its_maximum() {
    let app = endless_legacy(Arc::new(AtomicUsize::new(0)));
    let url = hostile(app).await;
    let mut o = options(&url);
    o.api = landscape_tui::backend::remote::ApiChoice::Legacy;
    o.timeout = Duration::from_secs(10);
    let backend = RemoteBackend::new(o).unwrap();
    let mut out = Vec::new();
    let err = landscape_tui::export::stream_at_most(
        backend.as_ref(),
        "",
        (u64::MAX, 0),
        landscape_tui::export::Format::Json,
        &mut out,
        3_000,
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("stopped after 3,000") && text.contains("--offset 3000"),
        "{text}"
    );
    let written: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
    assert_eq!(written.len(), 3_000);
}

/// A 429 with `Retry-After` is waited for: nothing is sent before the
/// time it names (the error says until when), then reads go on.
#[tokio::test]
async fn a_429_is_waited_for_until_its_retry_after() {
    let (url, state) = start(Fault::TooManyOnce).await;
    let mut o = options(&url);
    o.timeout = Duration::from_secs(5);
    let backend = RemoteBackend::new(o).unwrap();
    let err = backend.activities("", 10, 0).await.unwrap_err();
    assert!(err.to_string().contains("wait until"), "{err}");
    let err = backend.activities("", 10, 0).await.unwrap_err();
    assert!(err.to_string().contains("nothing is sent"), "{err}");
    assert_eq!(state.reads.load(Ordering::SeqCst), 1, "held back");
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    let page = backend.activities("", 10, 0).await.unwrap();
    assert_eq!(page.count, 1);
    assert_eq!(state.reads.load(Ordering::SeqCst), 2);
}

/// A wrong secret is not retried until the server locks the account:
/// a minute of the dashboard's refreshes (and of `wait`'s polls) sends
/// one login, over REST and over the legacy API (a signature), and says
/// which server refused which key and what to do; the right secret then
/// logs in at once, and `r` (retry_credentials) sends again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_tried_once_and_the_account_is_never_locked() {
    use crate::common::proxy::{Hide, Proxy};
    use landscape_tui::backend::remote::ApiChoice;
    let s = crate::common::TestServer::start_with(crate::common::frozen(crate::common::demo(
        2, 10, 200,
    )))
    .await;
    let proxy = Proxy::start(&s.base, Hide::Nothing, Duration::ZERO).await;
    for api in [ApiChoice::Rest, ApiChoice::Legacy] {
        let mut o = s.access_key_options(&proxy.base, api);
        o.credentials = RemoteCredentials::AccessKey {
            key: s.credentials.access_key.clone(),
            secret: Secret::new("not-the-secret"),
        };
        let wrong = RemoteBackend::new(o).unwrap();
        proxy.reset();
        // Twelve refreshes, five seconds apart in the dashboard.
        for _ in 0..12 {
            let err = wrong.activities("", 10, 0).await.unwrap_err();
            assert!(matches!(err, BackendError::Auth(_)), "{err:?}");
            let text = err.to_string();
            assert!(text.contains(&proxy.base), "names the server: {text}");
            let key: String = s.credentials.access_key.chars().take(4).collect();
            assert!(text.contains(&key), "names the key: {text}");
            assert!(text.contains("r tries again"), "{text}");
        }
        assert!(
            proxy.requests() <= 2,
            "{api:?}: {} requests",
            proxy.requests()
        );
        // The server did not lock the key: the right secret works now.
        let right = RemoteBackend::new(s.access_key_options(&proxy.base, api)).unwrap();
        assert_eq!(right.activities("", 1, 0).await.unwrap().results.len(), 1);
        // r: one more try.
        let before = proxy.requests();
        wrong.retry_credentials();
        assert!(wrong.activities("", 10, 0).await.is_err());
        assert!(proxy.requests() > before, "r sends again");
    }
}

/// A CA file that holds no PEM certificate is refused when the client is
/// made, saying what to do, instead of being taken as trusting nothing.
#[test]
fn a_ca_file_that_is_not_pem_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.der");
    std::fs::write(&ca, [0x30u8, 0x82, 0x01, 0x0a, 0x02, 0x82]).unwrap();
    let mut o = options("https://landscape.example.com/api/");
    o.ca_file = Some(ca);
    let err = match RemoteBackend::new(o) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a non-PEM CA file was accepted"),
    };
    assert!(err.contains("holds no PEM certificate"), "{err}");
}

/// A server whose certificate is not trusted (self-signed, served by
/// `openssl s_server`): the error says the certificate's reason and what
/// to do; with that certificate as `ca_file` the handshake passes (the
/// answer is then simply not Landscape's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_says_why_and_what_to_do() {
    use landscape_tui::backend::Backend;
    if std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_err()
    {
        crate::common::without_tool("openssl is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let (ca, cert, key) = (path("ca.pem"), path("cert.pem"), path("key.pem"));
    let openssl = |args: &[&str]| {
        let made = std::process::Command::new("openssl")
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
    };
    // A private CA, and the server's certificate signed by it.
    openssl(
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ]
        .iter()
        .chain(&[
            "-subj",
            "/CN=Test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ])
        .copied()
        .collect::<Vec<_>>(),
    );
    openssl(
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
        ]
        .iter()
        .chain(&["-keyout", "key.pem", "-out", "server.csr"])
        .copied()
        .collect::<Vec<_>>(),
    );
    std::fs::write(
        path("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
        ]
        .iter()
        .chain(&[
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            "ext.cnf",
            "-out",
            "cert.pem",
        ])
        .copied()
        .collect::<Vec<_>>(),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = std::process::Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let url = format!("https://127.0.0.1:{port}/api/");
    let mut o = options(&url);
    o.timeout = Duration::from_secs(5);
    o.connect_timeout = Duration::from_secs(5);
    let err = RemoteBackend::new(o.clone())
        .unwrap()
        .activities("", 1, 0)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("certificate"), "{err}");
    assert!(
        err.contains("UnknownIssuer") || err.contains("issuer"),
        "the reason: {err}"
    );
    assert!(err.contains("ca_file"), "what to do: {err}");
    // With its CA trusted: past TLS, the answer is openssl's page.
    o.ca_file = Some(ca);
    let err = RemoteBackend::new(o)
        .unwrap()
        .activities("", 1, 0)
        .await
        .unwrap_err()
        .to_string();
    assert!(!err.contains("TLS failed"), "{err}");
    let _ = server.kill();
    let _ = server.wait();
}
