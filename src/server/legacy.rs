//! The legacy API: `?action=` calls at `/api/`, parameters in the query
//! string or a form body, authenticated by JWT or by signature.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::auth::{bearer, verify_signature};
use super::throttle::Attempt;
use super::{ApiError, DEFAULT_LIMIT, LoggedAction, ServerState, limits};
use axum::extract::ConnectInfo;
use serde_json::json;

use crate::backend::Selection;
use crate::model::Computer;
use crate::signature::SignedTarget;

/// The actions this server implements.
const ACTIONS: [&str; 9] = [
    "GetActivities",
    "GetActivityTypes",
    "ApproveActivities",
    "CancelActivities",
    "GetComputers",
    "GetAccessGroups",
    "GetPendingComputers",
    "GetSavedSearches",
    "GetEventLog",
];

pub async fn handle(
    State(state): State<Arc<ServerState>>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = parameters(&uri, &headers, &body);
    let action = params
        .iter()
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.clone());
    let request = Request {
        method: &method,
        uri: &uri,
        headers: &headers,
        params: &params,
        peer,
    };
    let mut response = match run(&state, &request, action.as_deref()).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    };
    if let Some(action) = action {
        response.extensions_mut().insert(LoggedAction(action));
    }
    response
}

/// Query-string parameters, then form-body ones, in the order sent.
fn parameters(uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Vec<(String, String)> {
    let mut params = super::params::of_query(uri.query());
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form && !body.is_empty() {
        params.extend(super::params::pairs(body));
    }
    params
}

/// What a legacy request brought.
struct Request<'a> {
    method: &'a Method,
    uri: &'a Uri,
    headers: &'a HeaderMap,
    params: &'a [(String, String)],
    peer: std::net::SocketAddr,
}

/// Checks a signed request, throttled as logins are: a wrong signature
/// for an access key from an address counts as a wrong password.
fn signed(
    state: &ServerState,
    r: &Request<'_>,
) -> Result<std::sync::Arc<dyn crate::backend::Backend>, ApiError> {
    let (uri, headers, params) = (r.uri, r.headers, r.params);
    let key = params
        .iter()
        .find(|(k, _)| k == "access_key_id")
        .map_or("", |(_, v)| v.as_str());
    let attempt = Attempt {
        address: r.peer.ip(),
        account: key,
    };
    state.throttle.check(&attempt)?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))
        .unwrap_or("");
    let target = SignedTarget {
        method: r.method.as_str(),
        host,
        path: uri.path(),
    };
    // Each account signs with its own key pair; an unknown key is
    // checked against the default's (and refused as unknown).
    let account = state.account_with_key(key);
    let c = &state.credentials;
    let keys = account
        .as_ref()
        .map_or((c.access_key.as_str(), c.secret_key.as_str()), |a| {
            (a.access_key, a.secret_key)
        });
    let checked = verify_signature(keys, &target, params, Utc::now());
    match &checked {
        Ok(()) => state.throttle.succeeded(&attempt),
        Err(_) => state.throttle.failed(&attempt),
    }
    checked?;
    Ok(account.map_or_else(|| state.default_backend.clone(), |a| a.backend.clone()))
}

async fn run(
    state: &ServerState,
    request: &Request<'_>,
    action: Option<&str>,
) -> Result<Response, ApiError> {
    let (headers, params) = (request.headers, request.params);
    let backend = match bearer(headers) {
        Some(token) => state.backend_of(&state.verify_token(token?)?)?,
        None => signed(state, request)?,
    };
    let get = |name: &str| super::params::first(params, name);
    let action = action.ok_or_else(|| {
        ApiError::bad_request("MissingArgument", "missing required argument: action")
    })?;
    match action {
        "GetActivities" => {
            let query = limits::query(get("query").unwrap_or(""))?;
            let limit = limits::page_size(number(get("limit"), "limit", DEFAULT_LIMIT)?)?;
            let offset = number(get("offset"), "offset", 0)?;
            let page = backend.activities(query, limit, offset).await?;
            Ok(Json(page.results).into_response())
        }
        "GetActivityTypes" => Ok(Json(backend.activity_types().await?).into_response()),
        "GetComputers" => {
            let query = limits::query(get("query").unwrap_or(""))?;
            let limit = limits::page_size(number(get("limit"), "limit", DEFAULT_LIMIT)?)?;
            let offset = number(get("offset"), "offset", 0)?;
            let with = |name: &str| flag(get(name), name);
            let (annotations, network, hardware) = (
                with("with_annotations")?,
                with("with_network")?,
                with("with_hardware")?,
            );
            let page = backend.computers_page(query, limit, offset).await?;
            let listed: Vec<serde_json::Value> = page
                .results
                .iter()
                .map(|c| legacy_computer(c, annotations, network, hardware))
                .collect();
            Ok(Json(listed).into_response())
        }
        "GetAccessGroups" => {
            let computers = backend.computers().await?;
            Ok(Json(super::inventory::access_groups(&computers)).into_response())
        }
        "GetEventLog" => {
            let owned = |name: &str| get(name).map(str::to_owned);
            let page = backend.events(&super::events::filter(&owned)?).await?;
            Ok(Json(page.results).into_response())
        }
        "GetPendingComputers" => Ok(Json(backend.pending_computers().await?).into_response()),
        "GetSavedSearches" => Ok(Json(backend.saved_searches().await?).into_response()),
        "ApproveActivities" | "CancelActivities" => {
            let query = get("query").ok_or_else(|| {
                ApiError::bad_request(
                    "MissingArgument",
                    format!("{action}: missing required argument: query"),
                )
            })?;
            let selection = Selection::Query(limits::query(query)?.to_owned());
            let ids = if action == "ApproveActivities" {
                backend.approve(&selection).await?
            } else {
                backend.cancel(&selection).await?
            };
            Ok(Json(ids).into_response())
        }
        other => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "UnknownAction",
            format!(
                "unknown action {other:?}; this server implements {}",
                ACTIONS.join(", ")
            ),
        )),
    }
}

/// A non-negative integer argument, or its default when absent.
pub(super) fn number(value: Option<&str>, name: &str, default: u64) -> Result<u64, ApiError> {
    match value {
        None | Some("") => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| {
            ApiError::bad_request(
                "InvalidArgument",
                format!("{name} must be a non-negative integer, got {v:?}"),
            )
        }),
    }
}

/// A boolean argument (`true`/`false`, as the official client sends them).
fn flag(value: Option<&str>, name: &str) -> Result<bool, ApiError> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(v) => Err(ApiError::bad_request(
            "InvalidArgument",
            format!("{name} must be true or false, got {v:?}"),
        )),
    }
}

/// A computer as `GetComputers` lists it: the fields every answer has,
/// and the optional groups the caller asked for.
fn legacy_computer(
    c: &Computer,
    annotations: bool,
    network: bool,
    hardware: bool,
) -> serde_json::Value {
    let field = |name: &str| {
        c.extra
            .get(name)
            .cloned()
            .unwrap_or(serde_json::Value::Null)
    };
    let mut v = json!({
        "id": c.id,
        "title": c.title,
        "hostname": c.hostname,
        "tags": c.tags,
        "access_group": c.access_group,
        "distribution": c.distribution,
        "reboot_required_flag": c.needs_reboot,
        "comment": c.extra.get("comment").cloned().unwrap_or(json!("")),
        "last_ping_time": field("last_ping_time"),
        "last_exchange_time": field("last_exchange_time"),
        "total_memory": field("total_memory"),
        "total_swap": field("total_swap"),
        "update_manager_prompt": field("update_manager_prompt"),
        "vm_info": field("vm_info"),
        "container_info": field("container_info"),
        "ubuntu_pro_info": field("ubuntu_pro_info"),
    });
    if annotations {
        v["annotations"] = json!(c.annotations);
    }
    if network {
        v["network_devices"] = json!(
            c.ips
                .iter()
                .zip(c.macs.iter().chain(std::iter::repeat(&String::new())))
                .map(|(ip, mac)| json!({"ip_address": ip, "mac_address": mac}))
                .collect::<Vec<_>>()
        );
    }
    if hardware {
        v["hardware"] = json!([]);
    }
    v
}
