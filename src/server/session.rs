//! The web UI's session, kept as Landscape keeps it: login sets an
//! HTTP-only, `SameSite=Lax` cookie that lives as long as the login's
//! token. The cookie answers `/me` and `/logout` only; every other route
//! still needs the Bearer token. Tokens a session was given carry its id
//! and end when it is logged out.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::HeaderMap;
use axum::http::header::{COOKIE, SET_COOKIE};
use rand::Rng;
use rand::distr::Alphanumeric;

/// The cookie's name.
pub const COOKIE_NAME: &str = "landscape_session";

/// Live sessions: id → when it ends (Unix seconds, the token's `exp`).
#[derive(Default)]
pub struct Sessions {
    live: Mutex<HashMap<String, i64>>,
}

/// Sessions kept at most; the oldest-ending go first past it, so a
/// client logging in in a loop cannot grow the table without bound.
const MAX_SESSIONS: usize = 10_000;

impl Sessions {
    /// A new session ending at `exp`: its id.
    pub fn open(&self, exp: i64, now: i64) -> String {
        let id: String = rand::rng()
            .sample_iter(Alphanumeric)
            .take(40)
            .map(char::from)
            .collect();
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.retain(|_, end| *end > now);
        if live.len() >= MAX_SESSIONS
            && let Some(oldest) = live
                .iter()
                .min_by_key(|(_, end)| **end)
                .map(|(k, _)| k.clone())
        {
            live.remove(&oldest);
        }
        live.insert(id.clone(), exp);
        id
    }

    /// When the session of `headers`' cookie ends, if it is live at `now`.
    pub fn find(&self, headers: &HeaderMap, now: i64) -> Option<(String, i64)> {
        let id = cookie(headers)?;
        let live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.get(&id)
            .copied()
            .filter(|end| *end > now)
            .map(|end| (id, end))
    }

    /// Whether session `id` is live at `now`.
    pub fn is_live(&self, id: &str, now: i64) -> bool {
        let live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.get(id).is_some_and(|end| *end > now)
    }

    pub fn close(&self, id: &str) {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.remove(id);
    }
}

/// The session id a request's `Cookie` header carries.
fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_owned())
}

/// `Set-Cookie` for session `id`, living `max_age` seconds (0 clears it).
/// `Secure` when clients reach the server over HTTPS.
pub fn set_cookie(headers: &mut HeaderMap, id: &str, max_age: i64, secure: bool) {
    let value = format!(
        "{COOKIE_NAME}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        max_age.max(0),
        if secure { "; Secure" } else { "" }
    );
    if let Ok(v) = value.parse() {
        headers.append(SET_COOKIE, v);
    }
}
