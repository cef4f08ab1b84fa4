//! `landscape-tui serve`: a backend over HTTP, speaking both of Landscape's
//! activity APIs — the legacy `?action=` API at `/api/` and REST v2 at
//! `/api/v2/` — so official clients, curl and our own HTTP client can work
//! against the embedded engine with no real server.

mod auth;
mod authorised;
mod connections;
mod debarchive;
mod error;
mod events;
mod inventory;
mod legacy;
pub mod limits;
mod params;
mod rest;
mod run;
pub mod session;
pub mod site;
mod throttle;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;

use crate::backend::Backend;
use crate::printable::printable;

pub use auth::{Credentials, JwtKeys};
pub use connections::Hygiene;
pub use error::ApiError;
pub use run::{StartCredentials, run};
pub use throttle::Throttle;

/// `limit` when a request gives none (as Landscape).
pub const DEFAULT_LIMIT: u64 = 1000;
/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// What every handler shares.
pub struct ServerState {
    /// The default account's activities and computers (its name, title
    /// and key pair are the credentials').
    pub default_backend: Arc<dyn Backend>,
    pub credentials: Credentials,
    /// More accounts (`serve --account NAME`), each its own activities,
    /// computers and key pair; the same user logs in to all of them.
    pub others: Vec<Account>,
    pub jwt: JwtKeys,
    /// Where clients reach the server (`scheme://host[:port]`): the base of
    /// `next`/`previous` links, never the request's `Host`.
    pub public_url: String,
    pub throttle: Throttle,
    pub log: LogFormat,
    /// The web UI's extras: its files, feature flags.
    pub site: site::Site,
    /// Sessions of the web UI's logins (cookies).
    pub sessions: session::Sessions,
    /// Answer only requests addressed to this server by a loopback name
    /// or its public URL's host (set when it listens on loopback): a page
    /// of another site whose name was pointed at 127.0.0.1 (DNS
    /// rebinding) is refused.
    pub check_host: bool,
    /// The longest a token lives, when capped (`serve --token-seconds`).
    pub token_seconds: Option<u64>,
}

/// An account beside the default one.
pub struct Account {
    pub name: String,
    pub title: String,
    pub access_key: String,
    pub secret_key: String,
    pub backend: Arc<dyn Backend>,
}

/// An account as its callers see it: name, title, key pair, backend.
pub struct AccountRef<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub access_key: &'a str,
    pub secret_key: &'a str,
    pub backend: &'a Arc<dyn Backend>,
}

impl ServerState {
    /// Every account, the default first.
    pub fn accounts(&self) -> impl Iterator<Item = AccountRef<'_>> {
        let c = &self.credentials;
        std::iter::once(AccountRef {
            name: &c.account,
            title: &c.account_title,
            access_key: &c.access_key,
            secret_key: &c.secret_key,
            backend: &self.default_backend,
        })
        .chain(self.others.iter().map(|a| AccountRef {
            name: &a.name,
            title: &a.title,
            access_key: &a.access_key,
            secret_key: &a.secret_key,
            backend: &a.backend,
        }))
    }

    /// The account named `name`.
    pub fn account(&self, name: &str) -> Option<AccountRef<'_>> {
        self.accounts().find(|a| a.name == name)
    }

    /// The account whose key pair has `access_key`.
    pub fn account_with_key(&self, access_key: &str) -> Option<AccountRef<'_>> {
        self.accounts().find(|a| a.access_key == access_key)
    }

    /// The backend of a token's account (one no longer served: 401).
    pub fn backend_of(&self, claims: &auth::Claims) -> Result<Arc<dyn Backend>, ApiError> {
        self.account(&claims.account)
            .map(|a| a.backend.clone())
            .ok_or_else(|| {
                ApiError::unauthorised("the token's account is not served here; log in again")
            })
    }

    /// The claims of a token this server issued that is still good: not
    /// expired, and if it was a web UI session's, that session not logged
    /// out.
    pub fn verify_token(&self, token: &str) -> Result<auth::Claims, ApiError> {
        let claims = self.jwt.verify(token)?;
        if let Some(sid) = &claims.sid
            && !self.sessions.is_live(sid, chrono::Utc::now().timestamp())
        {
            return Err(ApiError::unauthorised(
                "the session of this token was logged out; log in again",
            ));
        }
        Ok(claims)
    }

    /// Requires a good bearer token (every REST route but login).
    pub fn require_bearer(
        &self,
        headers: &axum::http::HeaderMap,
    ) -> Result<auth::Claims, ApiError> {
        match auth::bearer(headers) {
            Some(token) => self.verify_token(token?),
            None => Err(ApiError::unauthorised(
                "missing Authorization: Bearer token; log in at /api/v2/login",
            )),
        }
    }
}

/// How the request log is written on stderr.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// `GET /api/v2/activities 200 1.2ms`, for people.
    #[default]
    Text,
    /// One JSON object a line, for machines.
    Json,
}

/// The routes of both APIs over `state`.
pub fn router(state: Arc<ServerState>) -> Router {
    Router::new()
        .route("/api", get(legacy::handle).post(legacy::handle))
        .route("/api/", get(legacy::handle).post(legacy::handle))
        .route("/api/v2/login", post(rest::login))
        .route("/api/v2/login/access-key", post(rest::login_access_key))
        .route("/api/v2/switch-account", post(rest::switch_account))
        .route("/api/v2/activities", get(rest::activities))
        .route("/api/v2/activities/parents", get(rest::parents))
        .route("/api/v2/activities/top-level", get(rest::top_level))
        .route("/api/v2/computers", get(rest::computers))
        .route(
            "/api/v2/computers/activities",
            get(rest::computer_activities),
        )
        .route(
            "/api/v2/computers/availability-zones",
            get(inventory::availability_zones),
        )
        .route("/api/v2/computers/{id}", get(rest::computer))
        .route(
            "/api/v2/computers/{id}/recovery-key",
            get(inventory::recovery_key),
        )
        .route("/api/v2/tags", get(inventory::tags))
        .route("/api/v2/events", get(events::events))
        .route("/api/v2/activities/reapply", post(rest::reapply))
        .route("/api/v2/activities/revert", post(rest::revert))
        .route("/api/v2/activities/{id}", get(rest::activity))
        .route("/api/v2/me", get(site::me))
        .route("/api/v2/logout", post(site::logout))
        .route("/api/v2/login/methods", get(site::login_methods))
        .route("/api/v2/about", get(site::about))
        .route("/api/v2/standalone-account", get(site::standalone_account))
        .route("/api/v2/features", get(site::features))
        .route(
            "/api/v2/classic_dashboard_url",
            get(site::classic_dashboard_url),
        )
        .route("/api/v2/alerts/summary", get(site::alerts_summary))
        .route(
            "/debarchive/v1beta1/operations:batchGet",
            post(debarchive::batch_get),
        )
        .route(
            "/debarchive/v1beta1/operations/{id}",
            get(debarchive::operation),
        )
        .route(
            "/debarchive/v1beta1/mirrors/{action}",
            post(debarchive::sync),
        )
        .route("/debarchive/v1beta1/{plural}", get(debarchive::list))
        .fallback(site::fallback)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), known_host))
        .layer(middleware::from_fn_with_state(state.clone(), log_request))
        .layer(middleware::from_fn_with_state(state.clone(), backend_date))
        .with_state(state)
}

/// Dates every answer by the backend's clock (the engine's, which a
/// dataset or `--speed` sets), so a client reads "today" and "2 h ago"
/// as this server's data means them.
async fn backend_date(
    axum::extract::State(state): axum::extract::State<Arc<ServerState>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    if let Some(now) = state.default_backend.now()
        && let Ok(date) =
            axum::http::HeaderValue::from_str(&now.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        response
            .headers_mut()
            .insert(axum::http::header::DATE, date);
    }
    response
}

/// Refuses a request whose `Host` is not this server's (see
/// [`ServerState::check_host`]) with 421.
async fn known_host(
    axum::extract::State(state): axum::extract::State<Arc<ServerState>>,
    request: Request,
    next: Next,
) -> Response {
    if !state.check_host {
        return next.run(request).await;
    }
    let host = request
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if is_our_host(host, &state.public_url) {
        return next.run(request).await;
    }
    ApiError::new(
        StatusCode::MISDIRECTED_REQUEST,
        "UnknownHost",
        format!(
            "this server answers as {} (or a loopback name); Host {:?} is not one of its names",
            state.public_url,
            printable(host)
        ),
    )
    .into_response()
}

/// Whether `host` (a `Host` header: name or address, maybe a port) names
/// this server: a loopback name or address, or the public URL's host.
fn is_our_host(host: &str, public_url: &str) -> bool {
    let name = |h: &str| -> String {
        let h = h.trim();
        let bare = match h.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None => h.rsplit_once(':').map_or(h, |(n, port)| {
                if port.chars().all(|c| c.is_ascii_digit()) {
                    n
                } else {
                    h
                }
            }),
        };
        bare.to_ascii_lowercase()
    };
    let host = name(host);
    let public = public_url
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or("");
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
        || (!host.is_empty() && host == name(public))
}

/// The legacy action a request named, for the request log.
#[derive(Clone)]
pub(crate) struct LoggedAction(pub String);

/// One line per request on stderr: method, path or action, status, duration.
/// Never parameters or headers, so secrets stay out of the log.
async fn log_request(
    axum::extract::State(state): axum::extract::State<Arc<ServerState>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    // What a client named is escaped: a `%0A` or an escape code in it must
    // not forge a log line or reach the operator's terminal.
    let action = response
        .extensions()
        .get::<LoggedAction>()
        .map(|LoggedAction(a)| a.clone());
    let response = json_error_body(response).await;
    let (status, ms) = (
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0,
    );
    match state.log {
        LogFormat::Text => {
            let what = match &action {
                Some(action) => format!("{} {}", printable(&path), printable(action)),
                None => printable(&path).into_owned(),
            };
            eprintln!("{method} {what} {status} {ms:.1}ms");
        }
        // serde_json escapes every control character itself.
        LogFormat::Json => eprintln!(
            "{}",
            serde_json::json!({
                "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "method": method.as_str(),
                "path": path,
                "action": action,
                "status": status,
                "ms": (ms * 10.0).round() / 10.0,
            })
        ),
    }
    response
}

/// Every error answer is `{"error", "message"}` JSON, also axum's own
/// rejections (405, 413, a path or query that does not parse), which come
/// as plain text.
async fn json_error_body(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let text = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text
    };
    let code = match status {
        StatusCode::METHOD_NOT_ALLOWED => "MethodNotAllowed",
        StatusCode::PAYLOAD_TOO_LARGE => "PayloadTooLarge",
        StatusCode::URI_TOO_LONG => "UriTooLong",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "HeadersTooLarge",
        StatusCode::NOT_FOUND => "NotFound",
        s if s.is_server_error() => "InternalError",
        _ => "BadRequest",
    };
    ApiError::new(status, code, message).into_response()
}

/// Serves `state` on `listener` until `shutdown` resolves, with the
/// default connection limits.
pub async fn serve(
    listener: TcpListener,
    state: Arc<ServerState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, shutdown, Hygiene::default()).await
}

/// The same with limits of the caller's choosing.
pub async fn serve_with(
    listener: TcpListener,
    state: Arc<ServerState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    hygiene: Hygiene,
) -> std::io::Result<()> {
    let timeout = hygiene.request_timeout;
    let router = router(state).layer(middleware::from_fn(move |request, next| {
        answer_within(timeout, request, next)
    }));
    connections::accept(listener, router, shutdown, hygiene).await
}

/// A request not answered in time (a body that never finishes arriving)
/// ends with 408.
async fn answer_within(limit: std::time::Duration, request: Request, next: Next) -> Response {
    // The backend is told the same time: its work stops with the answer.
    let deadline = std::time::Instant::now() + limit;
    let answer = crate::backend::deadline::scope(deadline, next.run(request));
    match tokio::time::timeout(limit, answer).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "RequestTimeout",
            format!("the request was not complete within {} s", limit.as_secs()),
        )
        .into_response(),
    }
}
