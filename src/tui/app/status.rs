//! The status room: the line at the bottom, every message said, and
//! the server's outage.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Success,
    Warning,
    Error,
}

/// Messages `:messages` keeps.
pub const MESSAGES_KEPT: usize = 500;

/// The server stopped answering the list: how, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outage {
    /// "server unreachable", "credentials refused", …
    pub what: String,
    /// The error as it came, for `:messages`.
    pub detail: String,
    pub since: DateTime<Utc>,
    /// Not retried on the timer (refused credentials): the operator's
    /// refresh key tries again.
    pub manual: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub level: Level,
    /// Ticks left before it fades (errors stay until replaced).
    pub ttl: u8,
}

/// The status line and what it has said.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub message: Option<Message>,
    /// Every message said, oldest first (the last few hundred), for
    /// `:messages`: nothing is lost when the status line moves on.
    pub messages: std::collections::VecDeque<(DateTime<Utc>, Level, String)>,
    /// The server is not answering: named in the status line, rows shown
    /// as stale and actions refused until a load succeeds.
    pub outage: Option<Outage>,
    pub spinner: usize,
}
