//! What Canonical's web UI asks for around the activity routes: the login
//! methods, the server's description, features, alerts, the logged-in
//! user (`/me`, by session cookie), logout, and optionally the UI's own
//! files. Answered from the engine and `serve`'s configuration.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::authorised::Authorised;
use super::session::set_cookie;
use super::{ApiError, ServerState};

/// What `serve` says about itself beyond the engine.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// A built web UI to serve (`--web-ui DIR`).
    pub web_ui: Option<PathBuf>,
    /// Feature flags reported enabled (`--feature KEY`).
    pub features: Vec<String>,
}

/// The user as login and `/me` answer it, with `token` for `account`,
/// and every account it may switch to.
pub fn user(state: &ServerState, token: &str, account: &str) -> Value {
    let c = &state.credentials;
    let accounts: Vec<Value> = state
        .accounts()
        .map(|a| {
            json!({
                "name": a.name,
                "title": a.title,
                "subdomain": null,
                "classic_dashboard_url": classic_url(state),
                "default": a.name == c.account,
            })
        })
        .collect();
    json!({
        "token": token,
        "email": c.email,
        "name": c.name,
        "current_account": account,
        "accounts": accounts,
        "has_password": true,
        "return_to": null,
        "attach_code": null,
    })
}

fn classic_url(state: &ServerState) -> String {
    format!("{}/", state.public_url)
}

/// Whether clients reach the server over HTTPS (then cookies are `Secure`).
pub fn secure(state: &ServerState) -> bool {
    state.public_url.starts_with("https://")
}

/// `GET /me`: the user of a live session cookie, else `{}`. Its token
/// ends when the session does.
pub async fn me(
    State(state): State<Arc<ServerState>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    same_origin(&state, &headers)?;
    let now = chrono::Utc::now().timestamp();
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    let Some((id, end)) = state.sessions.find(&headers, now) else {
        return Ok((no_store, Json(json!({}))).into_response());
    };
    let c = &state.credentials;
    let token = state
        .jwt
        .issue_until((&c.email, &c.account), end, Some(&id))?;
    Ok((no_store, Json(user(&state, &token, &c.account))).into_response())
}

/// `POST /logout`: ends the cookie's session (and the tokens it was
/// given) and clears the cookie.
pub async fn logout(
    State(state): State<Arc<ServerState>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    same_origin(&state, &headers)?;
    let now = chrono::Utc::now().timestamp();
    if let Some((id, _)) = state.sessions.find(&headers, now) {
        state.sessions.close(&id);
    }
    let mut out = HeaderMap::new();
    set_cookie(&mut out, "", 0, secure(&state));
    Ok((StatusCode::OK, out, Json(json!({}))).into_response())
}

/// The cookie routes (login, `/me`, logout) answer this server's own pages
/// only. A browser names the page's site in `Origin`; it must be this
/// server (its public URL, or the host the request was sent to). Clients
/// that are not browsers send no `Origin` and are let through.
pub fn same_origin(state: &ServerState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("null").trim_end_matches('/');
    let authority = origin.split_once("://").map(|(_, rest)| rest);
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let ours = origin.eq_ignore_ascii_case(&state.public_url)
        || (authority.is_some() && authority == host);
    if ours {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "CrossOrigin",
            format!(
                "a page of {} may not use this server's session; open {} instead",
                crate::printable::printable(origin),
                state.public_url
            ),
        ))
    }
}

/// `GET /login/methods`: password login only.
pub async fn login_methods() -> Json<Value> {
    let off = json!({"available": false, "enabled": false});
    Json(json!({
        "password": {"available": true, "enabled": true},
        "pam": off,
        "standalone_oidc": off,
        "ubuntu_one": off,
        "oidc": {"available": false, "configurations": []},
    }))
}

/// `GET /about`: a self-hosted server of this crate's version.
pub async fn about() -> Json<Value> {
    Json(json!({
        "self_hosted": true,
        "package_version": env!("CARGO_PKG_VERSION"),
        "revision": concat!("landscape-tui ", env!("CARGO_PKG_VERSION")),
        "display_disa_stig_banner": false,
    }))
}

/// `GET /standalone-account`: the one account exists.
pub async fn standalone_account() -> Json<Value> {
    Json(json!({"exists": true}))
}

/// `GET /features`: the `--feature` flags, enabled.
pub async fn features(State(state): State<Arc<ServerState>>) -> Json<Value> {
    let results: Vec<Value> = state
        .site
        .features
        .iter()
        .map(|key| json!({"key": key, "enabled": true}))
        .collect();
    Json(json!({
        "count": results.len(),
        "next": null,
        "previous": null,
        "results": results,
    }))
}

/// `GET /classic_dashboard_url`.
pub async fn classic_dashboard_url(
    State(state): State<Arc<ServerState>>,
    _: Authorised,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"url": classic_url(&state)})))
}

/// The web UI's name and summary (one computer, several) of each
/// computer alert the engine knows.
const ALERTS: [(&str, &str, &str, &str); 6] = [
    (
        "package-upgrades",
        "PackageUpgradesAlert",
        "has package upgrades available",
        "have package upgrades available",
    ),
    (
        "security-upgrades",
        "SecurityUpgradesAlert",
        "has security upgrades available",
        "have security upgrades available",
    ),
    (
        "package-profiles",
        "PackageProfilesAlert",
        "has package profiles available",
        "have package profiles available",
    ),
    (
        "package-reporter",
        "PackageReporterAlert",
        "has package reporter problems",
        "have package reporter problems",
    ),
    (
        "computer-offline",
        "ComputerOfflineAlert",
        "is offline",
        "are offline",
    ),
    (
        "computer-reboot",
        "ComputerRebootAlert",
        "needs a reboot",
        "need a reboot",
    ),
];

/// `GET /alerts/summary`: each alert raised on any computer, with how
/// many computers raise it.
pub async fn alerts_summary(Authorised(backend): Authorised) -> Result<Json<Value>, ApiError> {
    let computers = backend.computers().await?;
    let since = chrono::Utc::now()
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string();
    let summary: Vec<Value> = ALERTS
        .iter()
        .enumerate()
        .filter_map(|(i, (name, kind, one, many))| {
            let n = computers
                .iter()
                .filter(|c| c.alerts.iter().any(|a| a == name))
                .count();
            (n > 0).then(|| {
                json!({
                    "id": i + 1,
                    "alert_type": kind,
                    "summary": if n == 1 {
                        format!("1 computer {one}")
                    } else {
                        format!("{n} computers {many}")
                    },
                    "activation_time": since,
                })
            })
        })
        .collect();
    Ok(Json(json!({"alerts_summary": summary})))
}

/// Everything not an API route: the web UI's files when `--web-ui` is
/// given (its routes answer `index.html`), else a JSON 404.
pub async fn fallback(
    State(state): State<Arc<ServerState>>,
    method: axum::http::Method,
    uri: Uri,
) -> Response {
    let path = uri.path();
    let Some(dir) = state
        .site
        .web_ui
        .as_ref()
        .filter(|_| !path.starts_with("/api"))
    else {
        return super::error::no_route(&uri).into_response();
    };
    // Files are read, never written or deleted.
    if method != axum::http::Method::GET && method != axum::http::Method::HEAD {
        let mut refused = ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("the web UI's files take GET and HEAD, not {method}"),
        )
        .into_response();
        refused
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("GET, HEAD"));
        return refused;
    }
    if path == "/" {
        return Redirect::temporary("/new_dashboard/").into_response();
    }
    let relative = path.strip_prefix("/new_dashboard").unwrap_or(path);
    // `safe_join` never serves a hidden file (`.git/`, `.env`) or one
    // outside the directory. A route of the UI (no file extension) is
    // its page; a file it does not have is not found.
    let file = safe_join(dir, relative).filter(|f| f.is_file());
    let decoded = percent_encoding::percent_decode_str(relative).decode_utf8_lossy();
    let last = decoded.rsplit('/').next().unwrap_or("");
    let (file, cache) = match file {
        Some(f) => (f, relative.starts_with("/assets/")),
        None if last.contains('.') || decoded.split('/').any(|p| p.starts_with('.')) => {
            return ApiError::new(
                StatusCode::NOT_FOUND,
                "NotFound",
                format!(
                    "the web UI has no file {}",
                    crate::printable::printable(path)
                ),
            )
            .into_response();
        }
        None => (dir.join("index.html"), false),
    };
    match tokio::fs::File::open(&file).await {
        Ok(opened) => {
            let mut headers = HeaderMap::new();
            if let Ok(v) = content_type(&file).parse() {
                headers.insert(header::CONTENT_TYPE, v);
            }
            // Built assets carry a hash in their names; the page does not.
            let policy = if cache {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            if let Ok(v) = policy.parse() {
                headers.insert(header::CACHE_CONTROL, v);
            }
            if let Ok(meta) = opened.metadata().await {
                headers.insert(header::CONTENT_LENGTH, meta.len().into());
            }
            (StatusCode::OK, headers, streamed(opened)).into_response()
        }
        Err(e) => ApiError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("the web UI has no {}: {e}", file.display()),
        )
        .into_response(),
    }
}

/// A file sent as it is read, a chunk at a time: an answer costs the
/// chunk in memory, not the file, however slowly the client reads.
fn streamed(file: tokio::fs::File) -> axum::body::Body {
    use tokio::io::AsyncReadExt;
    const CHUNK: usize = 64 * 1024;
    let chunks = futures::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0u8; CHUNK];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(axum::body::Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    axum::body::Body::from_stream(chunks)
}

/// `dir` joined with a URL path: plain names only (no `..`, no dotfiles),
/// and a file that really is inside `dir` (a symbolic link out of it is
/// not followed).
fn safe_join(dir: &std::path::Path, path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let mut out = dir.to_path_buf();
    for part in decoded.split('/').filter(|p| !p.is_empty()) {
        if part.starts_with('.') || part.contains('\\') || part.contains('\0') {
            return None;
        }
        out.push(part);
    }
    let real = out.canonicalize().ok()?;
    real.starts_with(dir.canonicalize().ok()?).then_some(real)
}

fn content_type(file: &std::path::Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
