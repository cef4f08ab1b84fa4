//! `RemoteBackend`: the `Backend` trait over HTTP.
//!
//! REST v2 with a JWT when the server has it (Landscape 24.04+), the legacy
//! API with signed requests otherwise. Reads are retried on connection
//! errors and 5xx; actions never are: an action whose answer was lost is
//! re-read, not re-sent.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Utc;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::{Mutex, watch};

use super::endpoints::Endpoints;
use super::options::{ApiChoice, RemoteCredentials, RemoteOptions};
use super::rows::{LazyRows, Need, RAW_PAGE};
use crate::backend::{Backend, BackendError, BackendInfo, CompletionValues, Refusal, Selection};
use crate::model::{Activity, Computer, Page, RowPage};
use crate::printable::printable;
use crate::query::{Mode, ParseOptions};
use crate::signature::{SIGNATURE_METHOD, SIGNATURE_VERSION, SignedTarget, TIMESTAMP_FORMAT};

/// The legacy API version sent with every call.
/// Past this many matches a legacy count stops probing: a billion
/// activities is beyond any account, so a server answering there has
/// pages that never end.
const MAX_PROBED_COUNT: u64 = 1 << 30;
const LEGACY_VERSION: &str = "2011-08-01";
/// How many times a read is tried before its error is reported.
const READ_ATTEMPTS: u32 = 3;
/// Children fetched for one parent (Landscape accounts rarely exceed it).
const CHILDREN_LIMIT: u64 = 5000;
/// A legacy count first reads this many matches: fewer is the count.
const COUNT_FIRST_PAGE: u64 = 100;
/// Newest matches read by a refresh to find what is new.
const NEWEST_CHECK: u64 = 20;
/// Computers asked for in one request (`id:1 OR id:2 …`).
const COMPUTERS_PER_REQUEST: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Rest,
    Legacy,
}

#[derive(Default)]
struct Session {
    api: Option<Api>,
    token: Option<String>,
}

pub struct RemoteBackend {
    http: reqwest::Client,
    options: RemoteOptions,
    endpoints: Endpoints,
    session: Mutex<Session>,
    /// Whether the server answers rows itself (`serve` does); `None` until asked.
    server_rows: std::sync::Mutex<Option<bool>>,
    /// The rows of the last query, folded lazily from raw pages.
    lazy: Mutex<Option<LazyRows>>,
    /// Computer titles learnt so far.
    titles: std::sync::Mutex<HashMap<u64, String>>,
    /// Ticks when this client changed something (an action); the
    /// dashboard's own timer refreshes the rest.
    changes: watch::Sender<u64>,
    /// How far the server's clock (its answers' `Date`) is from ours, in
    /// seconds; [`UNKNOWN_SKEW`] until a server said. Raw: the dashboard
    /// decides what is too small to count.
    skew: std::sync::atomic::AtomicI64,
    /// What holds requests back: refused credentials, a server's "wait".
    hold: std::sync::Mutex<Hold>,
}

const UNKNOWN_SKEW: i64 = i64::MIN;

/// After credentials are refused, no request is sent for this long
/// (unless the operator asks): retried on a timer, a wrong secret would
/// have the server lock the account out.
const CREDENTIALS_BACKOFF: Duration = Duration::from_secs(600);
/// A 429 without a usable `Retry-After` waits this long.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(60);
/// The longest `Retry-After` honoured (a server's word is not forever).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Why requests are held back.
#[derive(Debug, Default)]
struct Hold {
    /// When and why the credentials were refused.
    refused: Option<(Instant, String)>,
    /// Until when the server asked to wait (HTTP 429), on both clocks.
    wait: Option<(Instant, chrono::DateTime<Utc>)>,
}

/// An HTTP answer: status and body, read whole.
struct Answer {
    status: StatusCode,
    body: String,
}

impl RemoteBackend {
    /// Builds the client; no request is sent until the first call.
    pub fn new(options: RemoteOptions) -> Result<Arc<RemoteBackend>, BackendError> {
        let endpoints = Endpoints::parse(&options.url)?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            // Credentials go to the configured origin only: a redirect is an error.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("landscape-tui/", env!("CARGO_PKG_VERSION")));
        if let Some(ca) = &options.ca_file {
            let pem = std::fs::read(ca)
                .map_err(|e| BackendError::Setup(format!("CA file {}: {e}", ca.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| BackendError::Setup(format!("CA file {}: {e}", ca.display())))?;
            if certs.is_empty() {
                // Not a PEM file (a DER certificate, a key, a typo): trusting
                // nothing extra would fail later with no word of why.
                return Err(BackendError::Setup(format!(
                    "CA file {} holds no PEM certificate (-----BEGIN CERTIFICATE-----); convert a DER one with: openssl x509 -inform der -in FILE -out FILE.pem",
                    ca.display()
                )));
            }
            builder = builder.tls_certs_merge(certs);
        }
        if options.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let http = builder
            .build()
            .map_err(|e| BackendError::Setup(format!("HTTP client: {e}")))?;
        let (changes, _) = watch::channel(0);
        Ok(Arc::new(RemoteBackend {
            http,
            options,
            endpoints,
            session: Mutex::new(Session::default()),
            server_rows: std::sync::Mutex::new(None),
            lazy: Mutex::new(None),
            titles: std::sync::Mutex::new(HashMap::new()),
            changes,
            skew: std::sync::atomic::AtomicI64::new(UNKNOWN_SKEW),
            hold: std::sync::Mutex::new(Hold::default()),
        }))
    }

    /// The credentials this client sends, named for a person (the key's
    /// first letters, or the email; never a secret).
    fn who(&self) -> String {
        match &self.options.credentials {
            RemoteCredentials::AccessKey { key, .. } => {
                let shown: String = key.chars().take(4).collect();
                format!("the access key {shown}…")
            }
            RemoteCredentials::Password { email, .. } => format!("the login {email}"),
        }
    }

    /// Remembers that the server refused the credentials: the error said.
    fn refused(&self, why: &str) -> BackendError {
        let secret = match &self.options.credentials {
            RemoteCredentials::AccessKey { .. } => "the secret",
            RemoteCredentials::Password { .. } => "the password",
        };
        let text = format!(
            "{} refused {} ({why}); not tried again on its own, so the server cannot lock the account: check {secret}, then r tries again (:profile switches)",
            self.endpoints.legacy,
            self.who()
        );
        self.hold.lock().expect("hold").refused = Some((Instant::now(), text.clone()));
        BackendError::Auth(text)
    }

    /// The error that holds a request back, if one does.
    fn held(&self) -> Option<BackendError> {
        let mut hold = self.hold.lock().expect("hold");
        if let Some((at, text)) = &hold.refused {
            if at.elapsed() < CREDENTIALS_BACKOFF {
                return Some(BackendError::Auth(text.clone()));
            }
            hold.refused = None;
        }
        if let Some((until, wall)) = hold.wait {
            if Instant::now() < until {
                return Some(wait_error(wall));
            }
            hold.wait = None;
        }
        None
    }

    /// Which API this server speaks, logging in when REST is possible.
    async fn api(&self) -> Result<Api, BackendError> {
        let mut session = self.session.lock().await;
        if let Some(api) = session.api {
            return Ok(api);
        }
        let api = match self.options.api {
            ApiChoice::Legacy => Api::Legacy,
            ApiChoice::Rest => {
                session.token = Some(self.login().await?.ok_or_else(|| {
                    BackendError::Unsupported(format!(
                        "{} has no REST API (api = \"rest\" in the profile)",
                        self.endpoints.rest
                    ))
                })?);
                Api::Rest
            }
            ApiChoice::Auto => match self.login().await? {
                Some(token) => {
                    session.token = Some(token);
                    Api::Rest
                }
                None => Api::Legacy,
            },
        };
        if api == Api::Legacy
            && !matches!(
                self.options.credentials,
                RemoteCredentials::AccessKey { .. }
            )
        {
            return Err(BackendError::Auth(
                "this server has only the legacy API, which needs an access key and secret".into(),
            ));
        }
        session.api = Some(api);
        Ok(api)
    }

    /// Logs in through REST. `Ok(None)`: the server has no REST API.
    async fn login(&self) -> Result<Option<String>, BackendError> {
        let (path, body) = match &self.options.credentials {
            RemoteCredentials::AccessKey { key, secret } => (
                "login/access-key",
                json!({"access_key": key, "secret_key": secret.expose()}),
            ),
            RemoteCredentials::Password {
                email,
                password,
                account,
            } => {
                let mut body = json!({"email": email, "password": password.expose()});
                if let Some(account) = account {
                    body["account"] = json!(account);
                }
                ("login", body)
            }
        };
        let url = format!("{}/{path}", self.endpoints.rest);
        let start = Instant::now();
        let answer = self.send(self.http.post(&url).json(&body)).await?;
        // The status only: the credentials and the token stay out.
        tracing::debug!(
            "HTTP POST /{path}: {} in {:.1} ms",
            answer.status.as_u16(),
            start.elapsed().as_secs_f64() * 1000.0
        );
        match answer.status {
            s if s.is_success() => {
                let v: Value = parse_json(&answer.body)?;
                v["token"]
                    .as_str()
                    .map(|t| Some(t.to_owned()))
                    .ok_or_else(|| BackendError::Protocol("login answer has no token".into()))
            }
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => Ok(None),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(self.refused(&format!(
                "login refused: {}",
                printable(&error_message(&answer.body))
            ))),
            _ => Err(self.error_of(answer)),
        }
    }

    /// Keeps how far the server's clock is from ours (its `Date`).
    fn learn_clock(&self, headers: &reqwest::header::HeaderMap) {
        let Some(date) = headers
            .get(reqwest::header::DATE)
            .and_then(|d| d.to_str().ok())
            .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
        else {
            return;
        };
        let skew = (date.with_timezone(&Utc) - Utc::now()).num_seconds();
        self.skew.store(skew, std::sync::atomic::Ordering::Relaxed);
    }

    /// Sends `request` and reads its answer whole, up to the body cap.
    async fn send(&self, request: RequestBuilder) -> Result<Answer, BackendError> {
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
    async fn rest(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Answer, BackendError> {
        for attempt in 0..2 {
            let token = self.session.lock().await.token.clone().unwrap_or_default();
            let mut request = self
                .http
                .request(method.clone(), format!("{}{path}", self.endpoints.rest))
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

    async fn relogin(&self) -> Result<(), BackendError> {
        let token = self
            .login()
            .await?
            .ok_or_else(|| BackendError::Auth("the server stopped offering REST login".into()))?;
        self.session.lock().await.token = Some(token);
        Ok(())
    }

    /// A legacy `?action=` call: bearer token in REST mode, signed otherwise.
    async fn legacy(&self, action: &str, args: &[(&str, String)]) -> Result<Answer, BackendError> {
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
    async fn retrying<T, F, Fut>(&self, call: F) -> Result<T, BackendError>
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
    fn error_of(&self, answer: Answer) -> BackendError {
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

    async fn page(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Activity>, BackendError> {
        check_query(query)?;
        match self.api().await? {
            Api::Rest => {
                let params = list_params(query, limit, offset);
                self.retrying(|| self.rest(Method::GET, "/activities", &params, None))
                    .await
                    .map_err(|e| with_local_span(e, query))
            }
            Api::Legacy => {
                // The legacy answer is a bare list: ask for one more to learn
                // whether there are further pages.
                let args = [
                    ("query", query.to_owned()),
                    ("limit", limit.saturating_add(1).to_string()),
                    ("offset", offset.to_string()),
                ];
                let mut results: Vec<Activity> = self
                    .retrying(|| self.legacy("GetActivities", &args))
                    .await
                    .map_err(|e| with_local_span(e, query))?;
                let more = results.len() as u64 > limit;
                results.truncate(limit as usize);
                Ok(Page {
                    count: offset
                        .saturating_add(results.len() as u64)
                        .saturating_add(u64::from(more)),
                    results,
                    next: None,
                    previous: None,
                    count_is_lower_bound: more,
                })
            }
        }
    }

    /// A fold of `query` with its first raw page read and its matches
    /// counted (REST pages carry the count; the legacy API is probed).
    async fn start_rows(
        &self,
        query: &str,
        ratio_of: Option<&LazyRows>,
    ) -> Result<LazyRows, BackendError> {
        let first = self.page(query, RAW_PAGE, 0).await?;
        let count = match self.api().await? {
            Api::Rest => first.count,
            Api::Legacy if (first.results.len() as u64) < RAW_PAGE => first.results.len() as u64,
            Api::Legacy => self.count_from(query, RAW_PAGE - 1).await?,
        };
        let mut lazy = match ratio_of {
            Some(old) => old.restart(count),
            None => LazyRows::new(query, count),
        };
        lazy.absorb(0, first.results);
        Ok(lazy)
    }

    /// A refresh: the newest matches until one already read. Only new
    /// ones: they are folded in on top (`None`). Anything else moved (a count that
    /// new ones do not explain, or too many new to see the known ones):
    /// the fold starts again, which costs a page, not the account.
    async fn look_for_new(&self, lazy: &mut LazyRows) -> Result<Option<LazyRows>, BackendError> {
        let top = self.page(&lazy.query, NEWEST_CHECK, 0).await?;
        let known = top.results.iter().position(|a| lazy.knows(a.id));
        let counted = self.api().await? == Api::Rest;
        let fresh = match known {
            Some(k) if !counted || top.count == lazy.raw_count + k as u64 => {
                let mut new = top.results;
                new.truncate(k);
                if !new.is_empty() {
                    lazy.prepend(new);
                }
                None
            }
            _ if top.results.is_empty() => Some(lazy.restart(0)),
            _ => Some(self.start_rows(&lazy.query, Some(lazy)).await?),
        };
        lazy.checked = Instant::now();
        Ok(fresh.map(|mut f| {
            f.checked = Instant::now();
            f
        }))
    }

    /// The legacy count of `query`, knowing there is a match at `low`
    /// (at most 31 probes up, as many down):
    /// one-record pages at doubling offsets, then halving.
    async fn count_from(&self, query: &str, low: u64) -> Result<u64, BackendError> {
        let exists = |offset: u64| async move {
            Ok::<bool, BackendError>(!self.page(query, 1, offset).await?.results.is_empty())
        };
        // Invariant: a match at `low`, none at `high`.
        let mut low = low;
        let mut high = low.max(1).saturating_mul(2);
        while exists(high).await? {
            if high >= MAX_PROBED_COUNT {
                // No real account is this large: a server whose pages
                // never end. Stop rather than ask for ever.
                return Err(BackendError::Protocol(format!(
                    "the server answers a match at every offset up to {} for {:?}: its pages never end; stopped counting",
                    crate::printable::thousands(high),
                    crate::printable::printable(query)
                )));
            }
            low = high;
            high = high.saturating_mul(2);
        }
        while high - low > 1 {
            let mid = low + (high - low) / 2;
            if exists(mid).await? {
                low = mid;
            } else {
                high = mid;
            }
        }
        Ok(high)
    }

    /// Reads what `lazy` needs to answer `limit` rows from `offset`.
    async fn fill(
        &self,
        lazy: &mut LazyRows,
        offset: u64,
        limit: u64,
    ) -> Result<RowPage, BackendError> {
        loop {
            match lazy.need(offset, limit) {
                Need::Raw {
                    offset: at,
                    limit: n,
                } => {
                    let page = self.page(&lazy.query, n, at).await?;
                    lazy.absorb(at, page.results);
                }
                Need::Parents(ids) => {
                    let found = self.activities_by_id(&ids).await?;
                    lazy.add_parents(found);
                }
                Need::Ready => return Ok(lazy.page(offset, limit)),
            }
        }
    }

    /// The dashboard's rows folded from raw pages, lazily: the rows asked
    /// for and what leads to them. A refresh (a call a while after the
    /// last look) asks only what is new and re-reads the rows answered
    /// that are not final yet.
    async fn lazy_rows(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        // Worked on in place, under the lock: a call abandoned half way
        // (a newer request made it stale) leaves what it read.
        let mut cache = self.lazy.lock().await;
        let lazy = match &mut *cache {
            Some(l) if l.query == query => l,
            slot => slot.insert(self.start_rows(query, None).await?),
        };
        let refresh = lazy.checked.elapsed() >= self.options.poll_interval / 2;
        if refresh {
            let looked = self.look_for_new(lazy).await?;
            if let Some(fresh) = looked {
                *lazy = fresh;
            }
        }
        let mut page = self.fill(lazy, offset, limit).await?;
        let unsettled = LazyRows::unsettled(&page);
        if refresh && !unsettled.is_empty() {
            let fresh = self.activities_by_id(&unsettled).await?;
            // A status that moved can move a row out of a query about
            // status: the next call folds afresh.
            let moved = fresh.iter().any(|a| {
                page.rows
                    .results
                    .iter()
                    .any(|old| old.id == a.id && old.activity_status != a.activity_status)
            });
            for row in &mut page.rows.results {
                if let Some(a) = fresh.iter().find(|a| a.id == row.id) {
                    *row = a.clone();
                }
            }
            lazy.refresh_records(fresh);
            if moved && query.to_ascii_lowercase().contains("status:") {
                *lazy = lazy.restart(lazy.raw_count);
            }
        }
        Ok(page)
    }

    /// The computers `ids`, [`COMPUTERS_PER_REQUEST`] a request
    /// (`id:1 OR id:2 …`, a few requests at a time): what is shown costs
    /// what is shown, never the whole fleet.
    async fn fetch_computers(&self, ids: &[u64]) -> Result<Vec<Computer>, BackendError> {
        use futures::{StreamExt, TryStreamExt};
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let queries: Vec<(String, u64)> = ids
            .chunks(COMPUTERS_PER_REQUEST)
            .map(|chunk| {
                let chain: Vec<String> = chunk.iter().map(|id| format!("id:{id}")).collect();
                (chain.join(" OR "), chunk.len() as u64)
            })
            .collect();
        let pages: Vec<Vec<Computer>> =
            futures::stream::iter(queries)
                .map(|(query, n)| async move {
                    self.computers_page(&query, n, 0).await.map(|p| p.results)
                })
                .buffer_unordered(4)
                .try_collect()
                .await?;
        Ok(pages.into_iter().flatten().collect())
    }

    async fn status_change(
        &self,
        action: &str,
        selection: &Selection,
    ) -> Result<Vec<u64>, BackendError> {
        if self.options.read_only {
            return Err(BackendError::ReadOnly);
        }
        let query = match selection {
            Selection::Query(q) => q.clone(),
            Selection::Ids(ids) if ids.is_empty() => return Ok(Vec::new()),
            Selection::Ids(ids) => crate::model::scope::ids_chain(ids.iter().copied()),
        };
        check_query(&query)?;
        let result = match self.legacy(action, &[("query", query.clone())]).await {
            Ok(answer) if answer.status.is_success() => parse_json(&answer.body),
            Ok(answer) => Err(with_local_span(self.error_of(answer), &query)),
            Err(e) => Err(e),
        };
        match result {
            Ok(ids) => {
                self.changes.send_modify(|n| *n += 1);
                Ok(ids)
            }
            // The answer was lost: the change may have happened. Re-read, never re-send.
            Err(e @ BackendError::Transport(_)) => {
                self.changes.send_modify(|n| *n += 1);
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    async fn create(&self, path: &str, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        if self.options.read_only {
            return Err(BackendError::ReadOnly);
        }
        if self.api().await? == Api::Legacy {
            return Err(BackendError::Unsupported(
                "reapply and revert need the REST API (Landscape 24.04 or later)".into(),
            ));
        }
        let body = json!({"activity_ids": ids});
        let answer = self.rest(Method::POST, path, &[], Some(&body)).await?;
        self.changes.send_modify(|n| *n += 1);
        if answer.status.is_success() {
            parse_json(&answer.body)
        } else {
            Err(self.error_of(answer))
        }
    }
}

#[async_trait]
impl Backend for RemoteBackend {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            label: self.endpoints.legacy.clone(),
            embedded: false,
            sends_action_flags: true,
            sorts_every_column: false,
            unverified_tls: self.options.insecure,
        }
    }

    async fn activities(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Activity>, BackendError> {
        self.page(query, limit, offset).await
    }

    async fn top_level(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, BackendError> {
        check_query(query)?;
        if self.api().await? == Api::Rest && *lock(&self.server_rows) != Some(false) {
            let params = list_params(query, limit, offset);
            let answer = self
                .retrying(|| self.rest(Method::GET, "/activities/top-level", &params, None))
                .await;
            match answer {
                Ok(page) => {
                    *lock(&self.server_rows) = Some(true);
                    return Ok(page);
                }
                Err(e) if no_such_route(&e) => *lock(&self.server_rows) = Some(false),
                Err(e) => return Err(with_local_span(e, query)),
            }
        }
        self.lazy_rows(query, limit, offset).await
    }

    async fn activity(&self, id: u64) -> Result<Activity, BackendError> {
        match self.api().await? {
            Api::Rest => {
                let path = format!("/activities/{id}");
                let answer = self.rest(Method::GET, &path, &[], None).await;
                match answer {
                    Ok(a) if a.status == StatusCode::NOT_FOUND => Err(BackendError::NotFound(id)),
                    Ok(a) if a.status.is_success() => parse_json(&a.body),
                    Ok(a) => Err(self.error_of(a)),
                    Err(e) => Err(e),
                }
            }
            Api::Legacy => self
                .activities_by_id(&[id])
                .await?
                .into_iter()
                .next()
                .ok_or(BackendError::NotFound(id)),
        }
    }

    async fn children(
        &self,
        parent_id: u64,
        query: Option<&str>,
    ) -> Result<Vec<Activity>, BackendError> {
        let query = format!("parent-id:{parent_id} {}", query.unwrap_or(""));
        Ok(self.page(query.trim(), CHILDREN_LIMIT, 0).await?.results)
    }

    async fn activity_types(&self) -> Result<Vec<String>, BackendError> {
        self.retrying(|| self.legacy("GetActivityTypes", &[])).await
    }

    async fn completion_values(&self) -> Result<CompletionValues, BackendError> {
        let types = self.activity_types().await.unwrap_or_default();
        let recent = self.page("", 500, 0).await?;
        let mut creators: Vec<String> = recent
            .results
            .iter()
            .filter_map(|a| a.creator_email().map(str::to_owned))
            .collect();
        creators.sort();
        creators.dedup();
        Ok(CompletionValues {
            creators,
            types,
            ..CompletionValues::default()
        })
    }

    /// By REST when the server has it; the legacy list has no count, so
    /// there it counts what was seen.
    async fn computers_page(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Computer>, BackendError> {
        match self.api().await? {
            Api::Rest => {
                let params = list_params(query, limit, offset);
                self.retrying(|| self.rest(Method::GET, "/computers", &params, None))
                    .await
            }
            Api::Legacy => {
                let args = [
                    ("query", query.to_owned()),
                    ("limit", limit.to_string()),
                    ("offset", offset.to_string()),
                ];
                let results: Vec<Computer> =
                    self.retrying(|| self.legacy("GetComputers", &args)).await?;
                // A full page may have more behind it.
                let full = results.len() as u64 >= limit && limit > 0;
                Ok(Page {
                    count: offset.saturating_add(results.len() as u64),
                    results,
                    next: None,
                    previous: None,
                    count_is_lower_bound: full,
                })
            }
        }
    }

    async fn events(
        &self,
        filter: &crate::backend::EventFilter,
    ) -> Result<Page<crate::model::event::Event>, BackendError> {
        let mut params = vec![
            ("limit", filter.limit.to_string()),
            ("offset", filter.offset.to_string()),
        ];
        if let Some(days) = filter.days {
            params.push(("days", days.to_string()));
        }
        if !filter.search.is_empty() {
            params.push(("search", filter.search.clone()));
        }
        let answer = match self.api().await? {
            Api::Rest => {
                self.retrying(|| self.rest(Method::GET, "/events", &params, None))
                    .await
            }
            Api::Legacy => self
                .retrying(|| self.legacy("GetEventLog", &params))
                .await
                .map(|results: Vec<crate::model::event::Event>| Page {
                    count: filter.offset.saturating_add(results.len() as u64),
                    results,
                    next: None,
                    previous: None,
                    count_is_lower_bound: true,
                }),
        };
        match answer {
            // A server without an events log says so as the trait does.
            Err(e) if no_such_route(&e) => Err(BackendError::Unsupported(
                "this server keeps no events log".into(),
            )),
            other => other,
        }
    }

    async fn computers_by_id(&self, ids: &[u64]) -> Result<Vec<Computer>, BackendError> {
        match self.fetch_computers(ids).await {
            Ok(found) => {
                lock(&self.titles).extend(found.iter().map(|c| (c.id, c.title.clone())));
                Ok(found.into_iter().filter(|c| ids.contains(&c.id)).collect())
            }
            // A server without a computer API: nothing is known of them.
            Err(e) if no_such_route(&e) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    async fn computer_titles(
        &self,
        ids: &[u64],
        fresh: bool,
    ) -> Result<HashMap<u64, String>, BackendError> {
        let mut missing: Vec<u64> = {
            let known = lock(&self.titles);
            ids.iter()
                .copied()
                .filter(|id| fresh || !known.contains_key(id))
                .collect()
        };
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            match self.fetch_computers(&missing).await {
                Ok(found) => lock(&self.titles).extend(found.into_iter().map(|c| (c.id, c.title))),
                // A server without a computer API: names stay numbers.
                Err(e) if no_such_route(&e) => {}
                Err(e) => return Err(e),
            }
        }
        let known = lock(&self.titles);
        Ok(ids
            .iter()
            .filter_map(|id| Some((*id, known.get(id)?.clone())))
            .collect())
    }

    async fn first_page(&self, query: &str, limit: u64) -> Result<Page<Activity>, BackendError> {
        if self.api().await? == Api::Rest {
            return self.page(query, limit, 0).await;
        }
        let count = self.count(query).await?;
        let mut page = match count {
            0 => Page::empty(),
            _ => self.page(query, limit, 0).await?,
        };
        page.count = count;
        Ok(page)
    }

    /// REST pages carry the count. A legacy answer is a bare list, so
    /// there a short first page says a small count, and a larger one is
    /// found by probing offsets with one-record pages (doubling, then
    /// halving): about 2·log2(count / 100) small requests more.
    async fn count(&self, query: &str) -> Result<u64, BackendError> {
        if self.api().await? == Api::Rest {
            return Ok(self.page(query, 1, 0).await?.count);
        }
        // Most counts are small: one short page says them exactly.
        let first = self.page(query, COUNT_FIRST_PAGE, 0).await?.results.len() as u64;
        if first < COUNT_FIRST_PAGE {
            return Ok(first);
        }
        self.count_from(query, COUNT_FIRST_PAGE - 1).await
    }

    async fn approve(&self, selection: &Selection) -> Result<Vec<u64>, BackendError> {
        self.status_change("ApproveActivities", selection).await
    }

    async fn cancel(&self, selection: &Selection) -> Result<Vec<u64>, BackendError> {
        self.status_change("CancelActivities", selection).await
    }

    async fn reapply(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        self.create("/activities/reapply", ids).await
    }

    async fn revert(&self, ids: &[u64]) -> Result<Vec<Activity>, BackendError> {
        self.create("/activities/revert", ids).await
    }

    fn changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn now(&self) -> Option<chrono::DateTime<Utc>> {
        match self.skew.load(std::sync::atomic::Ordering::Relaxed) {
            UNKNOWN_SKEW => None,
            skew => Some(Utc::now() + chrono::Duration::seconds(skew)),
        }
    }

    fn retry_credentials(&self) {
        self.hold.lock().expect("hold").refused = None;
    }
}

/// `limit`, `offset` and (when there is one) `query` of a REST list route.
fn list_params(query: &str, limit: u64, offset: u64) -> Vec<(&'static str, String)> {
    let mut params = vec![("limit", limit.to_string()), ("offset", offset.to_string())];
    if !query.trim().is_empty() {
        params.push(("query", query.to_owned()));
    }
    params
}

/// A route or action the server does not have (an older Landscape, or one
/// that is not `serve`), as opposed to a refusal of what was asked.
fn no_such_route(e: &BackendError) -> bool {
    match e {
        BackendError::Http { status, code, .. } => {
            matches!(status, 404 | 405) || (*status == 400 && code == "UnknownAction")
        }
        _ => false,
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn shorten(body: &str) -> String {
    body.chars().take(200).collect()
}

/// Refuses a query the local parser finds broken before it travels; lenient,
/// so the server stays the authority on what it knows.
fn check_query(query: &str) -> Result<(), BackendError> {
    let options = ParseOptions {
        mode: Mode::Lenient,
        ..ParseOptions::default()
    };
    crate::query::parse_with(query, &options)
        .map(|_| ())
        .map_err(BackendError::from)
}

/// Adds the span of the local parser's finding to a server's query error.
fn with_local_span(e: BackendError, query: &str) -> BackendError {
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

fn parse_json<T: DeserializeOwned>(body: &str) -> Result<T, BackendError> {
    serde_json::from_str(body).map_err(|e| {
        BackendError::Protocol(format!(
            "the server sent an answer that is not the expected JSON: {e}"
        ))
    })
}

/// The error of a request held back until the server's `Retry-After`.
fn wait_error(until: chrono::DateTime<Utc>) -> BackendError {
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
fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    (at.with_timezone(&Utc) - Utc::now()).to_std().ok()
}

fn error_message(body: &str) -> String {
    let message = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| shorten(body));
    printable(&message).into_owned()
}

fn transport(e: reqwest::Error) -> BackendError {
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
