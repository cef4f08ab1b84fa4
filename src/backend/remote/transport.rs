//! The client's transport: a request sent and its answer read whole
//! within the body cap, REST calls with the token (logging in again once
//! when it expired), legacy calls signed or with the token, reads retried
//! on lost answers and 5xx (actions never), and answers turned into errors.

use std::time::{Duration, Instant};

use chrono::Utc;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::options::RemoteCredentials;
use super::state::*;
use crate::backend::{BackendError, Refusal};
use crate::printable::printable;
use crate::query::{Mode, ParseOptions};
use crate::signature::{SIGNATURE_METHOD, SIGNATURE_VERSION, SignedTarget, TIMESTAMP_FORMAT};

impl RemoteBackend {
    /// Sends `request` and reads its answer whole, up to the body cap.
    pub(super) async fn send(&self, request: RequestBuilder) -> Result<Answer, BackendError> {
        if let Some(e) = self.held() {
            return Err(e);
        }
        let mut response = request.send().await.map_err(transport)?;
        self.learn_clock(response.headers());
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            // Asked to wait: nothing is sent before then.
            let after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(retry_after)
                .unwrap_or(DEFAULT_RETRY_AFTER)
                .min(MAX_RETRY_AFTER);
            let wall = Utc::now() + chrono::Duration::from_std(after).unwrap_or_default();
            self.hold.lock().expect("hold").wait = Some((Instant::now() + after, wall));
            return Err(wait_error(wall));
        }
        if status.is_redirection() {
            let to = response
                .headers()
                .get(reqwest::header::LOCATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_else(|| "nowhere (no Location header)".into());
            return Err(BackendError::Protocol(format!(
                "the server redirected (HTTP {}) to {}; credentials are sent only to {} — if the server moved, put its new address in the profile's url",
                status.as_u16(),
                printable(&to),
                self.endpoints.legacy
            )));
        }
        let cap = self.options.max_body_bytes;
        let too_big = || {
            BackendError::Protocol(format!(
                "the server's answer is larger than {} MiB (max_body_mib in the profile); stopped reading it",
                cap / (1024 * 1024)
            ))
        };
        if response.content_length().is_some_and(|n| n > cap as u64) {
            return Err(too_big());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > cap {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        let body = String::from_utf8(body)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Ok(Answer { status, body })
    }

    /// A REST call with the session's token; one re-login on 401.
    pub(super) async fn rest(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Answer, BackendError> {
        self.rest_at(&self.endpoints.rest, method, path, query, body)
            .await
    }

    /// [`Self::rest`] under another base (the debarchive service's).
    pub(super) async fn rest_at(
        &self,
        base: &str,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Answer, BackendError> {
        for attempt in 0..2 {
            let token = self.session.lock().await.token.clone().unwrap_or_default();
            let mut request = self
                .http
                .request(method.clone(), format!("{base}{path}"))
                .bearer_auth(token)
                .query(query);
            if let Some(body) = body {
                request = request.json(body);
            }
            let start = Instant::now();
            let answer = self.send(request).await?;
            // The path and status only: the token and bodies stay out.
            tracing::debug!(
                "HTTP {method} {path}: {} ({} bytes) in {:.1} ms",
                answer.status.as_u16(),
                answer.body.len(),
                start.elapsed().as_secs_f64() * 1000.0
            );
            if answer.status == StatusCode::UNAUTHORIZED && attempt == 0 {
                tracing::info!("HTTP 401: logging in again");
                self.relogin().await?;
                continue;
            }
            return Ok(answer);
        }
        unreachable!("the loop returns on its second pass")
    }

    /// A legacy `?action=` call: bearer token in REST mode, signed otherwise.
    pub(super) async fn legacy(
        &self,
        action: &str,
        args: &[(&str, String)],
    ) -> Result<Answer, BackendError> {
        let api = self.api().await?;
        for attempt in 0..2 {
            let mut params: Vec<(String, String)> = args
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect();
            params.push(("action".into(), action.into()));
            params.push(("version".into(), LEGACY_VERSION.into()));
            let request = self.http.post(&self.endpoints.legacy).header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            );
            let request = match (api, &self.options.credentials) {
                (Api::Legacy, RemoteCredentials::AccessKey { key, secret }) => {
                    params.push(("access_key_id".into(), key.clone()));
                    params.push(("signature_method".into(), SIGNATURE_METHOD.into()));
                    params.push(("signature_version".into(), SIGNATURE_VERSION.into()));
                    params.push((
                        "timestamp".into(),
                        Utc::now().format(TIMESTAMP_FORMAT).to_string(),
                    ));
                    let target = SignedTarget {
                        method: "POST",
                        host: &self.endpoints.signed_host,
                        path: &self.endpoints.path,
                    };
                    request.body(target.signed_body(secret.expose(), &params))
                }
                _ => {
                    let token = self.session.lock().await.token.clone().unwrap_or_default();
                    let body = form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(params.iter())
                        .finish();
                    request.bearer_auth(token).body(body)
                }
            };
            let start = Instant::now();
            let answer = self.send(request).await?;
            // The action and status only: keys, signatures and tokens stay out.
            tracing::debug!(
                "legacy {action}: {} ({} bytes) in {:.1} ms",
                answer.status.as_u16(),
                answer.body.len(),
                start.elapsed().as_secs_f64() * 1000.0
            );
            if answer.status == StatusCode::UNAUTHORIZED && api == Api::Rest && attempt == 0 {
                self.relogin().await?;
                continue;
            }
            if answer.status == StatusCode::UNAUTHORIZED && api == Api::Legacy {
                // A signature refused is the secret refused.
                return Err(self.refused(&format!(
                    "signature refused: {}",
                    printable(&error_message(&answer.body))
                )));
            }
            return Ok(answer);
        }
        unreachable!("the loop returns on its second pass")
    }

    /// Retries `call` on lost answers and 5xx, with backoff, all within
    /// one deadline (the profile's timeout).
    pub(super) async fn retrying<T, F, Fut>(&self, call: F) -> Result<T, BackendError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Answer, BackendError>>,
        T: DeserializeOwned,
    {
        let deadline = Instant::now() + self.options.timeout;
        let mut delay = Duration::from_millis(200);
        let mut attempt = 1;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let result = match tokio::time::timeout(left, call()).await {
                Ok(Ok(answer)) if answer.status.is_success() => return parse_json(&answer.body),
                Ok(Ok(answer)) => Err(self.error_of(answer)),
                Ok(Err(e)) => Err(e),
                Err(_) => Err(BackendError::Transport(format!(
                    "timed out: no answer within {} s",
                    self.options.timeout.as_secs()
                ))),
            };
            let retry = result.as_ref().is_err_and(BackendError::is_retryable)
                && attempt < READ_ATTEMPTS
                && Instant::now() + delay < deadline;
            if !retry {
                return result;
            }
            if let Err(e) = &result {
                tracing::warn!(
                    "attempt {attempt} failed ({e}); retrying in {} ms",
                    delay.as_millis()
                );
            }
            tokio::time::sleep(delay).await;
            delay *= 2;
            attempt += 1;
        }
    }

    /// The typed error of a non-2xx answer.
    /// Every text in it is made printable: a server's words never reach
    /// the terminal raw.
    pub(super) fn error_of(&self, answer: Answer) -> BackendError {
        let (code, message) = match serde_json::from_str::<Value>(&answer.body) {
            Ok(v) => (
                v["error"].as_str().unwrap_or_default().to_owned(),
                v["message"]
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| shorten(&answer.body)),
            ),
            Err(_) => (String::new(), shorten(&answer.body)),
        };
        let code = printable(&code).into_owned();
        match (answer.status, code.as_str()) {
            (_, "InvalidQuery") => BackendError::InvalidQuery {
                message: printable(&message).into_owned(),
                span: None,
            },
            (_, "InvalidActivityStatusChange") => BackendError::Refused {
                refusals: parse_refusals(&message),
                unlisted: unlisted_refusals(&message),
            },
            (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN, _) => {
                BackendError::Auth(printable(&message).into_owned())
            }
            (s, _) => BackendError::Http {
                status: s.as_u16(),
                code,
                message: printable(&message).into_owned(),
            },
        }
    }
}

/// A route or action the server does not have (an older Landscape, or one
/// that is not `serve`), as opposed to a refusal of what was asked.
pub(super) fn no_such_route(e: &BackendError) -> bool {
    match e {
        BackendError::Http { status, code, .. } => {
            matches!(status, 404 | 405) || (*status == 400 && code == "UnknownAction")
        }
        _ => false,
    }
}

pub(super) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(super) fn shorten(body: &str) -> String {
    body.chars().take(200).collect()
}

/// Refuses a query the local parser finds broken before it travels; lenient,
/// so the server stays the authority on what it knows.
pub(super) fn check_query(query: &str) -> Result<(), BackendError> {
    let options = ParseOptions {
        mode: Mode::Lenient,
        ..ParseOptions::default()
    };
    crate::query::parse_with(query, &options)
        .map(|_| ())
        .map_err(BackendError::from)
}

/// Adds the span of the local parser's finding to a server's query error.
pub(super) fn with_local_span(e: BackendError, query: &str) -> BackendError {
    match e {
        BackendError::InvalidQuery {
            message,
            span: None,
        } => {
            let span = crate::query::parse_with(
                query,
                &ParseOptions {
                    mode: Mode::Strict,
                    ..ParseOptions::default()
                },
            )
            .err()
            .map(|local| local.span);
            BackendError::InvalidQuery { message, span }
        }
        other => other,
    }
}

/// `<id> => <reason>` lines of an `InvalidActivityStatusChange` message.
pub fn parse_refusals(message: &str) -> Vec<Refusal> {
    message
        .lines()
        .filter_map(|line| {
            let (id, reason) = line.split_once("=>")?;
            Some(Refusal {
                id: id.trim().parse().ok()?,
                reason: reason.trim().to_owned(),
            })
        })
        .collect()
}

/// The count in a last line `… and N more refused` (the server's cap).
pub fn unlisted_refusals(message: &str) -> usize {
    message
        .lines()
        .filter_map(|line| {
            let rest = line.trim().trim_start_matches('…').trim();
            let n = rest.strip_prefix("and ")?.strip_suffix(" more refused")?;
            n.trim().parse::<usize>().ok()
        })
        .sum()
}

pub(super) fn parse_json<T: DeserializeOwned>(body: &str) -> Result<T, BackendError> {
    serde_json::from_str(body).map_err(|e| {
        BackendError::Protocol(format!(
            "the server sent an answer that is not the expected JSON: {e}"
        ))
    })
}

/// The error of a request held back until the server's `Retry-After`.
pub(super) fn wait_error(until: chrono::DateTime<Utc>) -> BackendError {
    BackendError::Http {
        status: 429,
        code: "TooManyRequests".into(),
        message: format!(
            "the server asks to wait until {} UTC (HTTP 429, Retry-After); nothing is sent before then",
            until.format("%H:%M:%S")
        ),
    }
}

/// A `Retry-After` value: seconds, or an HTTP date.
pub(super) fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    (at.with_timezone(&Utc) - Utc::now()).to_std().ok()
}

pub(super) fn error_message(body: &str) -> String {
    let message = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| shorten(body));
    printable(&message).into_owned()
}

pub(super) fn transport(e: reqwest::Error) -> BackendError {
    // reqwest's Display can include the URL but never credentials we send
    // in bodies. Its causes say why (a certificate's reason is only there).
    let mut why = String::new();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        let text = c.to_string();
        if !why.contains(&text) {
            why.push_str(": ");
            why.push_str(&text);
        }
        cause = c.source();
    }
    let why = printable(&why).into_owned();
    if why.contains("certificate") {
        return BackendError::Unreachable(format!(
            "TLS failed{why}; if the server's certificate is signed by your own CA, set ca_file (PEM) in the profile or LANDSCAPE_API_SSL_CA_FILE"
        ));
    }
    if e.is_connect() {
        return BackendError::Unreachable(format!("could not connect: {e}{why}"));
    }
    let what = if e.is_timeout() {
        "timed out"
    } else {
        "request failed"
    };
    BackendError::Transport(format!("{what}: {e}{why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_lines_parse() {
        let r = parse_refusals("12 => it has succeeded\n7 => no such activity\ngarbage");
        assert_eq!(
            r,
            vec![
                Refusal {
                    id: 12,
                    reason: "it has succeeded".into()
                },
                Refusal {
                    id: 7,
                    reason: "no such activity".into()
                },
            ]
        );
    }
}
