//! The clock room: the times the dashboard reads (inputs set by the loop,
//! so a screen is a function of the state alone) and its refresh timer.

use chrono::{DateTime, FixedOffset, Utc};

pub struct Clock {
    /// The wall clock as of the event being handled.
    pub now: DateTime<Utc>,
    /// How far the backend's clock is from the wall's (the demo's engine,
    /// a `serve` dataset's, a server's off by minutes): activity times are
    /// read against [`super::App::server_now`]. Zero in tests.
    pub server_skew: chrono::Duration,
    /// The operator's offset from UTC, for the times shown (UTC in tests).
    pub offset: FixedOffset,
    /// How often the dashboard refreshes (the runtime's timer).
    pub refresh_every: std::time::Duration,
    pub paused: bool,
    /// When the list was last asked for.
    pub list_asked: Option<DateTime<Utc>>,
    pub last_refresh: Option<DateTime<Utc>>,
}

impl Default for Clock {
    fn default() -> Clock {
        Clock {
            now: Utc::now(),
            server_skew: chrono::Duration::zero(),
            offset: FixedOffset::east_opt(0).expect("UTC"),
            refresh_every: std::time::Duration::from_secs(5),
            paused: false,
            list_asked: None,
            last_refresh: None,
        }
    }
}
