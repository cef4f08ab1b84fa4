//! REST API v2: login, activity pages, one activity, parents, reapply and
//! revert. JSON in, JSON out; every route but login needs a bearer token.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::auth::{DEFAULT_EXPIRY_MINUTES, MAX_EXPIRY_MINUTES, same_secret};
use super::authorised::Authorised;
use super::legacy::number;
use super::throttle::Attempt;
use super::{ApiError, DEFAULT_LIMIT, ServerState, limits};
use crate::model::{ActionKind, Page};
use crate::signature::encode;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    email: String,
    password: String,
    #[serde(default)]
    account: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccessKeyLogin {
    access_key: String,
    secret_key: String,
    #[serde(default)]
    expiry_minutes: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityIds {
    activity_ids: Vec<u64>,
}

/// Parses a JSON body, answering 400 with what was wrong.
fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request("BadRequest", format!("invalid JSON body: {e}")))
}

/// The user with a token of `expiry_minutes`; with `session`, also a
/// session cookie that ends with the token (the web UI's login), and the
/// token is the session's: it ends when the session is logged out.
fn login_answer(
    state: &ServerState,
    account: &str,
    expiry_minutes: i64,
    session: bool,
) -> Result<Response, ApiError> {
    let now = chrono::Utc::now().timestamp();
    let mut exp = now.saturating_add(expiry_minutes.saturating_mul(60));
    if let Some(most) = state.token_seconds {
        exp = exp.min(now.saturating_add(most.min(i64::MAX as u64) as i64));
    }
    let mut headers = HeaderMap::new();
    // The answer carries a token: no cache keeps it.
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    let sid = session.then(|| state.sessions.open(exp, now));
    let user = (state.credentials.email.as_str(), account);
    let token = state.jwt.issue_until(user, exp, sid.as_deref())?;
    if let Some(id) = &sid {
        super::session::set_cookie(&mut headers, id, exp - now, super::site::secure(state));
    }
    Ok((headers, Json(super::site::user(state, &token, account))).into_response())
}

/// Counts a wrong login and refuses it.
fn wrong(state: &ServerState, attempt: &Attempt<'_>, message: &str) -> ApiError {
    state.throttle.failed(attempt);
    ApiError::unauthorised(message)
}

/// Logins and writes take JSON only, as Landscape 26.04 does (415
/// otherwise): a form or `text/plain` body is what another site's page
/// can send without asking (a "simple" cross-origin request).
fn json_only(headers: &HeaderMap) -> Result<(), ApiError> {
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if json {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "this route takes a JSON body: send Content-Type: application/json",
        ))
    }
}

pub async fn login(
    State(state): State<Arc<ServerState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    json_only(&headers)?;
    super::site::same_origin(&state, &headers)?;
    let login: Login = json_body(&body)?;
    let attempt = Attempt {
        address: peer.ip(),
        account: &login.email,
    };
    state.throttle.check(&attempt)?;
    let c = &state.credentials;
    let account = login.account.as_deref().unwrap_or(&c.account);
    let right_email = login.email.eq_ignore_ascii_case(&c.email);
    if !(same_secret(&login.password, &c.password) && right_email) {
        return Err(wrong(&state, &attempt, "wrong email or password"));
    }
    if state.account(account).is_none() {
        return Err(ApiError::unauthorised("no such account for this user"));
    }
    state.throttle.succeeded(&attempt);
    login_answer(&state, account, DEFAULT_EXPIRY_MINUTES, true)
}

pub async fn login_access_key(
    State(state): State<Arc<ServerState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    json_only(&headers)?;
    let login: AccessKeyLogin = json_body(&body)?;
    let attempt = Attempt {
        address: peer.ip(),
        account: &login.access_key,
    };
    state.throttle.check(&attempt)?;
    // A key pair is its account's.
    let Some(account) = state
        .account_with_key(&login.access_key)
        .filter(|a| same_secret(&login.secret_key, a.secret_key))
        .map(|a| a.name.to_owned())
    else {
        return Err(wrong(&state, &attempt, "wrong access key or secret key"));
    };
    state.throttle.succeeded(&attempt);
    let minutes = login.expiry_minutes.unwrap_or(DEFAULT_EXPIRY_MINUTES);
    if !(0..=MAX_EXPIRY_MINUTES).contains(&minutes) {
        return Err(ApiError::bad_request(
            "BadRequest",
            format!(
                "expiry_minutes must be from 0 to {MAX_EXPIRY_MINUTES} (30 days), got {minutes}"
            ),
        ));
    }
    login_answer(&state, &account, minutes, false)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SwitchAccount {
    account_name: String,
}

/// `POST /switch-account {"account_name": …}`: a token for another
/// account of the same user (as the web UI's organisation menu asks).
pub async fn switch_account(
    State(state): State<Arc<ServerState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    json_only(&headers)?;
    state.require_bearer(&headers)?;
    let switch: SwitchAccount = json_body(&body)?;
    if state.account(&switch.account_name).is_none() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("no account {:?} for this user", switch.account_name),
        ));
    }
    login_answer(&state, &switch.account_name, DEFAULT_EXPIRY_MINUTES, false)
}

/// `limit`, `offset` and `query` of a list route.
struct ListParams {
    limit: u64,
    offset: u64,
    query: String,
}

fn list_params(raw: Option<&str>) -> Result<ListParams, ApiError> {
    let pairs = super::params::of_query(raw);
    let get = |name: &str| super::params::first(&pairs, name);
    Ok(ListParams {
        limit: limits::page_size(number(get("limit"), "limit", DEFAULT_LIMIT)?)?,
        offset: number(get("offset"), "offset", 0)?,
        query: limits::query(get("query").unwrap_or(""))?.to_owned(),
    })
}

/// A list route's request: authorised, its parameters read, its path kept
/// for the page's links.
pub struct ListRequest {
    params: ListParams,
    uri: Uri,
    /// The caller's account's backend.
    backend: Arc<dyn crate::backend::Backend>,
}

impl FromRequestParts<Arc<ServerState>> for ListRequest {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<ServerState>,
    ) -> Result<Self, Self::Rejection> {
        let Authorised(backend) = Authorised::from_request_parts(parts, state).await?;
        Ok(ListRequest {
            params: list_params(parts.uri.query())?,
            uri: parts.uri.clone(),
            backend,
        })
    }
}

impl ListRequest {
    /// `page` with its `next` and `previous` links.
    fn linked<T>(&self, page: Page<T>, state: &ServerState) -> Page<T> {
        link_page(page, &state.public_url, &self.uri, &self.params)
    }
}

/// Fills `next`/`previous` with absolute URLs, as Landscape does.
fn link_page<T>(mut page: Page<T>, base: &str, uri: &Uri, p: &ListParams) -> Page<T> {
    let url = |offset: u64| {
        let mut url = format!("{base}{}?limit={}&offset={offset}", uri.path(), p.limit);
        if !p.query.is_empty() {
            url.push_str("&query=");
            url.push_str(&encode(&p.query));
        }
        url
    };
    let end = p.offset.saturating_add(p.limit);
    page.next = (p.limit > 0 && end < page.count).then(|| url(end));
    page.previous = (p.offset > 0).then(|| url(p.offset.saturating_sub(p.limit).min(page.count)));
    page
}

pub async fn activities(
    State(state): State<Arc<ServerState>>,
    list: ListRequest,
) -> Result<Response, ApiError> {
    let p = &list.params;
    let page = list.backend.activities(&p.query, p.limit, p.offset).await?;
    Ok(Json(list.linked(page, &state)).into_response())
}

pub async fn parents(
    State(state): State<Arc<ServerState>>,
    list: ListRequest,
) -> Result<Response, ApiError> {
    let p = &list.params;
    // Implicit AND binds loosest, so appending the caller's query keeps its meaning.
    let query = format!("type:ActivityGroup {}", p.query);
    let page = list.backend.activities(&query, p.limit, p.offset).await?;
    Ok(Json(list.linked(page, &state)).into_response())
}

/// This project's extension: the dashboard's rows (top-level activities that
/// match, plus every parent with a matching child), counted, so a client
/// pages rows in one request each. A real Landscape has no such route; the
/// client then folds raw pages itself.
pub async fn top_level(
    State(state): State<Arc<ServerState>>,
    list: ListRequest,
) -> Result<Response, ApiError> {
    let p = &list.params;
    let mut page = list.backend.top_level(&p.query, p.limit, p.offset).await?;
    page.rows = list.linked(page.rows, &state);
    Ok(Json(page).into_response())
}

/// `GET /computers?query=&limit=&offset=`: computers by a computer query.
pub async fn computers(
    State(state): State<Arc<ServerState>>,
    list: ListRequest,
) -> Result<Response, ApiError> {
    let p = &list.params;
    let page = list
        .backend
        .computers_page(&p.query, p.limit, p.offset)
        .await?;
    Ok(Json(list.linked(page, &state)).into_response())
}

/// `GET /computers/activities?computer_ids=1,2`: the activities of those
/// computers, newest first, as a page (Landscape's per-computer route).
pub async fn computer_activities(
    State(state): State<Arc<ServerState>>,
    list: ListRequest,
    uri: Uri,
) -> Result<Response, ApiError> {
    let pairs = super::params::of_query(uri.query());
    let ids: Vec<u64> = super::params::first(&pairs, "computer_ids")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim().parse().map_err(|_| {
                ApiError::bad_request(
                    "InvalidParameter",
                    format!("computer_ids: {s:?} is not a computer id"),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Err(ApiError::bad_request(
            "MissingArgument",
            "computer_ids: name one computer or more (computer_ids=1,2)",
        ));
    }
    let chain: Vec<String> = ids.iter().map(|id| format!("computer:id:{id}")).collect();
    let query = crate::model::scope::and(&list.params.query, &chain.join(" OR "));
    let query = limits::query(&query)?;
    let page = list
        .backend
        .activities(query, list.params.limit, list.params.offset)
        .await?;
    Ok(Json(list.linked(page, &state)).into_response())
}

/// `GET /computers/<id>`.
pub async fn computer(
    Authorised(backend): Authorised,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let missing = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("no computer {id:?}"),
        )
    };
    let n: u64 = id.parse().map_err(|_| missing())?;
    let page = backend.computers_page(&format!("id:{n}"), 1, 0).await?;
    let mut computer = page.results.into_iter().next().ok_or_else(missing)?;
    // The web UI's details panel reads `parent` (a child computer's host):
    // none here.
    computer
        .extra
        .entry("parent")
        .or_insert(serde_json::Value::Null);
    Ok(Json(computer).into_response())
}

pub async fn activity(
    Authorised(backend): Authorised,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: u64 = id.parse().map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("no activity {id:?}: ids are non-negative integers"),
        )
    })?;
    Ok(Json(backend.activity(id).await?).into_response())
}

pub async fn reapply(
    Authorised(backend): Authorised,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    json_only(&headers)?;
    create(backend.as_ref(), &body, ActionKind::Reapply).await
}

pub async fn revert(
    Authorised(backend): Authorised,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    json_only(&headers)?;
    create(backend.as_ref(), &body, ActionKind::Revert).await
}

/// Reapply and revert: `{"activity_ids": [..]}` in, the new activities out.
async fn create(
    backend: &dyn crate::backend::Backend,
    body: &[u8],
    kind: ActionKind,
) -> Result<Response, ApiError> {
    let ids: ActivityIds = json_body(body)?;
    let ids = limits::ids(&ids.activity_ids)?;
    let created = match kind {
        ActionKind::Revert => backend.revert(ids).await?,
        _ => backend.reapply(ids).await?,
    };
    Ok(Json(created).into_response())
}
