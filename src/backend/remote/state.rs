//! What a `RemoteBackend` holds, shared by its parts (`client`,
//! `session`, `transport`, `row_reads`): its fields, the session, what
//! holds requests back, and the limits they use.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use reqwest::StatusCode;
use tokio::sync::{Mutex, watch};

use super::endpoints::Endpoints;
use super::options::RemoteOptions;
use super::rows::LazyRows;

/// Past this many matches a legacy count stops probing: a billion
/// activities is beyond any account, so a server answering there has
/// pages that never end.
pub(super) const MAX_PROBED_COUNT: u64 = 1 << 30;
/// The legacy API version sent with every call.
pub(super) const LEGACY_VERSION: &str = "2011-08-01";
/// How many times a read is tried before its error is reported.
pub(super) const READ_ATTEMPTS: u32 = 3;
/// Children fetched for one parent (Landscape accounts rarely exceed it).
pub(super) const CHILDREN_LIMIT: u64 = 5000;
/// A legacy count first reads this many matches: fewer is the count.
pub(super) const COUNT_FIRST_PAGE: u64 = 100;
/// Newest matches read by a refresh to find what is new.
pub(super) const NEWEST_CHECK: u64 = 20;
/// Computers asked for in one request (`id:1 OR id:2 …`).
pub(super) const COMPUTERS_PER_REQUEST: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Api {
    Rest,
    Legacy,
}

#[derive(Default)]
pub(super) struct Session {
    pub(super) api: Option<Api>,
    pub(super) token: Option<String>,
}

pub struct RemoteBackend {
    pub(super) http: reqwest::Client,
    pub(super) options: RemoteOptions,
    pub(super) endpoints: Endpoints,
    pub(super) session: Mutex<Session>,
    /// Whether the server answers rows itself (`serve` does); `None` until asked.
    pub(super) server_rows: std::sync::Mutex<Option<bool>>,
    /// The rows of the last query, folded lazily from raw pages.
    pub(super) lazy: Mutex<Option<LazyRows>>,
    /// Computer titles learnt so far.
    pub(super) titles: std::sync::Mutex<HashMap<u64, String>>,
    /// Ticks when this client changed something (an action); the
    /// dashboard's own timer refreshes the rest.
    pub(super) changes: watch::Sender<u64>,
    /// How far the server's clock (its answers' `Date`) is from ours, in
    /// seconds; [`UNKNOWN_SKEW`] until a server said. Raw: the dashboard
    /// decides what is too small to count.
    pub(super) skew: std::sync::atomic::AtomicI64,
    /// What holds requests back: refused credentials, a server's "wait".
    pub(super) hold: std::sync::Mutex<Hold>,
    /// The long-running operations this client follows (Landscape 26.04).
    pub(super) operations: Mutex<Followed>,
}

/// What the client knows of the server's long-running operations
/// (`remote::operations` follows them).
#[derive(Debug, Default)]
pub(super) struct Followed {
    /// Whether the server has the service; `None` until asked.
    pub(super) supported: Option<bool>,
    /// The operations not done at the last look.
    pub(super) in_flight: Vec<String>,
    /// When the resources were last listed.
    pub(super) listed: Option<std::time::Instant>,
}

pub(super) const UNKNOWN_SKEW: i64 = i64::MIN;

/// After credentials are refused, no request is sent for this long
/// (unless the operator asks): retried on a timer, a wrong secret would
/// have the server lock the account out.
pub(super) const CREDENTIALS_BACKOFF: Duration = Duration::from_secs(600);
/// A 429 without a usable `Retry-After` waits this long.
pub(super) const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(60);
/// The longest `Retry-After` honoured (a server's word is not forever).
pub(super) const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Why requests are held back.
#[derive(Debug, Default)]
pub(super) struct Hold {
    /// When and why the credentials were refused.
    pub(super) refused: Option<(Instant, String)>,
    /// Until when the server asked to wait (HTTP 429), on both clocks.
    pub(super) wait: Option<(Instant, chrono::DateTime<Utc>)>,
}

/// An HTTP answer: status and body, read whole.
pub(super) struct Answer {
    pub(super) status: StatusCode,
    pub(super) body: String,
}
