//! How to reach a Landscape server: URL, API, credentials, TLS, timeouts.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// A secret that never shows in `Debug` or `Display` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Which of Landscape's APIs to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiChoice {
    /// REST v2 when the server has it (Landscape 24.04+), legacy otherwise.
    #[default]
    Auto,
    Rest,
    Legacy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteCredentials {
    /// API access key pair: REST `login/access-key`, or legacy signatures.
    AccessKey { key: String, secret: Secret },
    /// A user's email and password (REST only).
    Password {
        email: String,
        password: Secret,
        account: Option<String>,
    },
}

/// The default body cap: many times the largest page a client asks for
/// (1,000 activities are about 1.5 MiB; 5,000 children about 8 MiB).
pub const DEFAULT_MAX_BODY_MIB: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub struct RemoteOptions {
    /// The legacy endpoint as the official client takes it
    /// (`https://HOST/api/`), or just `https://HOST`.
    pub url: String,
    pub api: ApiChoice,
    pub credentials: RemoteCredentials,
    /// Extra CA certificate (PEM) trusted beside the system roots.
    pub ca_file: Option<PathBuf>,
    /// Skip TLS verification: only ever set explicitly, and always shown.
    pub insecure: bool,
    pub connect_timeout: Duration,
    /// How long one command (a read with its retries, or an action) may take.
    pub timeout: Duration,
    /// Answers larger than this are cut off with an error.
    pub max_body_bytes: usize,
    pub read_only: bool,
    /// How often the dashboard is told to refresh (a server cannot push).
    pub poll_interval: Duration,
}

impl RemoteOptions {
    pub fn new(url: impl Into<String>, credentials: RemoteCredentials) -> RemoteOptions {
        RemoteOptions {
            url: url.into(),
            api: ApiChoice::Auto,
            credentials,
            ca_file: None,
            insecure: false,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: DEFAULT_MAX_BODY_MIB * 1024 * 1024,
            read_only: false,
            poll_interval: Duration::from_secs(5),
        }
    }
}
