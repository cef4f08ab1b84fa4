//! Who may call: a REST JWT (`Authorization: Bearer`) or, on the legacy API,
//! a version 2 HMAC signature. Both are judged by the real wall clock, never
//! by the engine's simulated one.

use std::fmt;

use axum::http::HeaderMap;
use chrono::{DateTime, NaiveDateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::Rng;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::signature::{SIGNATURE_METHOD, SIGNATURE_VERSION, SignedTarget, TIMESTAMP_FORMAT};

/// How far a signed request's timestamp may be from the server's clock.
pub const SIGNATURE_WINDOW_SECONDS: i64 = 15 * 60;
/// Token lifetime when a login does not ask for one (Landscape's default).
pub const DEFAULT_EXPIRY_MINUTES: i64 = 1440;

/// Whether two secrets are equal, in time that does not depend on where
/// they differ (nor on their lengths: their digests are compared).
pub fn same_secret(given: &str, known: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (
        Sha256::digest(given.as_bytes()),
        Sha256::digest(known.as_bytes()),
    );
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}
/// The longest a token may live: 30 days.
pub const MAX_EXPIRY_MINUTES: i64 = 30 * 24 * 60;

/// The one account's credentials. `Debug` never prints the secrets.
#[derive(Clone)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: String,
    pub email: String,
    pub password: String,
    /// The user's name, as login and `/me` answer it.
    pub name: String,
    pub account: String,
    /// The account's title (the web UI shows it).
    pub account_title: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("email", &self.email)
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Random credentials for a server started without any.
    pub fn random() -> Credentials {
        let mut rng = rand::rng();
        let mut token = |n: usize| -> String {
            (&mut rng)
                .sample_iter(Alphanumeric)
                .take(n)
                .map(char::from)
                .collect()
        };
        Credentials {
            access_key: token(20).to_ascii_uppercase(),
            secret_key: token(40),
            email: "admin@example.com".to_owned(),
            password: token(16),
            name: "admin".to_owned(),
            account: "standalone".to_owned(),
            account_title: "standalone".to_owned(),
        }
    }
}

/// The claims of the tokens this server issues.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub account: String,
    pub iat: i64,
    pub exp: i64,
    /// The web UI session the token belongs to: it ends with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// HS256 keys; a fresh random secret per server unless a test pins one.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl JwtKeys {
    pub fn from_secret(secret: &[u8]) -> JwtKeys {
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn random() -> JwtKeys {
        let secret: [u8; 32] = rand::rng().random();
        JwtKeys::from_secret(&secret)
    }

    /// A token that expires at `exp` (Unix seconds), of session `sid`.
    pub fn issue_until(
        &self,
        (email, account): (&str, &str),
        exp: i64,
        sid: Option<&str>,
    ) -> Result<String, ApiError> {
        let claims = Claims {
            sub: email.to_owned(),
            account: account.to_owned(),
            iat: Utc::now().timestamp(),
            exp,
            sid: sid.map(str::to_owned),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| {
            ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                format!("could not issue a token: {e}"),
            )
        })
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    ApiError::unauthorised("the token has expired; log in again")
                }
                _ => ApiError::unauthorised("the token is not valid"),
            })
    }
}

/// The bearer token of a request, if it carries one.
pub fn bearer(headers: &HeaderMap) -> Option<Result<&str, ApiError>> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?;
    Some(
        value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::unauthorised("malformed Authorization header")),
    )
}

/// Checks a legacy request's version 2 signature. `params` are all the
/// request's parameters, decoded, `signature` included.
pub fn verify_signature(
    (known_key, secret): (&str, &str),
    target: &SignedTarget<'_>,
    params: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let access_key = get("access_key_id")
        .ok_or_else(|| ApiError::unauthorised("missing access_key_id (or a Bearer token)"))?;
    if access_key != known_key {
        return Err(ApiError::unauthorised("unknown access key"));
    }
    if get("signature_method") != Some(SIGNATURE_METHOD)
        || get("signature_version") != Some(SIGNATURE_VERSION)
    {
        return Err(ApiError::unauthorised(
            "only signature_method=HmacSHA256, signature_version=2 is supported",
        ));
    }
    let timestamp = get("timestamp").ok_or_else(|| ApiError::unauthorised("missing timestamp"))?;
    let at = NaiveDateTime::parse_from_str(timestamp, TIMESTAMP_FORMAT)
        .map_err(|_| ApiError::unauthorised("timestamp is not %Y-%m-%dT%H:%M:%SZ"))?
        .and_utc();
    if (now - at).num_seconds().abs() > SIGNATURE_WINDOW_SECONDS {
        return Err(ApiError::unauthorised(
            "timestamp is more than 15 minutes from the server's clock",
        ));
    }
    let signature = get("signature").ok_or_else(|| ApiError::unauthorised("missing signature"))?;
    if !target.verify(secret, params, signature) {
        return Err(ApiError::unauthorised("signature does not match"));
    }
    Ok(())
}
