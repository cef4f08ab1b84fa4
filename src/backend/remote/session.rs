//! The client's session: which API the server speaks (learnt once), the
//! login and its token, refused credentials held back (never retried on
//! a timer), and the server's clock as its answers date them.

use std::time::Instant;

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::options::{ApiChoice, RemoteCredentials};
use super::state::*;
use super::transport::*;
use crate::backend::BackendError;
use crate::printable::printable;

impl RemoteBackend {
    /// The credentials this client sends, named for a person (the key's
    /// first letters, or the email; never a secret).
    pub(super) fn who(&self) -> String {
        match &self.options.credentials {
            RemoteCredentials::AccessKey { key, .. } => {
                let shown: String = key.chars().take(4).collect();
                format!("the access key {shown}…")
            }
            RemoteCredentials::Password { email, .. } => format!("the login {email}"),
        }
    }

    /// Remembers that the server refused the credentials: the error said.
    pub(super) fn refused(&self, why: &str) -> BackendError {
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
    pub(super) fn held(&self) -> Option<BackendError> {
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
    pub(super) async fn api(&self) -> Result<Api, BackendError> {
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
    pub(super) async fn login(&self) -> Result<Option<String>, BackendError> {
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
    pub(super) fn learn_clock(&self, headers: &reqwest::header::HeaderMap) {
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

    pub(super) async fn relogin(&self) -> Result<(), BackendError> {
        let token = self
            .login()
            .await?
            .ok_or_else(|| BackendError::Auth("the server stopped offering REST login".into()))?;
        self.session.lock().await.token = Some(token);
        Ok(())
    }
}
