//! The engine's clock: frozen (tests step it by hand) or running at wall
//! speed times a factor (the demo). Always whole seconds.

use std::time::Instant;

use chrono::{DateTime, Duration, DurationRound, Utc};

#[derive(Debug, Clone)]
pub enum Clock {
    Frozen(DateTime<Utc>),
    Running {
        /// Engine time at `since`.
        at: DateTime<Utc>,
        since: Instant,
        speed: f64,
    },
}

/// Drops sub-second parts: the APIs speak whole seconds.
pub fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::seconds(1)).unwrap_or(t)
}

impl Clock {
    pub fn frozen(at: DateTime<Utc>) -> Clock {
        Clock::Frozen(whole_seconds(at))
    }

    pub fn running(at: DateTime<Utc>, speed: f64) -> Clock {
        Clock::Running {
            at: whole_seconds(at),
            since: Instant::now(),
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::Frozen(t) => *t,
            Clock::Running { at, since, speed } => {
                let elapsed = since.elapsed().as_secs_f64() * speed;
                let secs = elapsed.min(1e12) as i64;
                *at + Duration::seconds(secs)
            }
        }
    }

    /// Moves the clock forward by `by` (also a running one).
    pub fn step(&mut self, by: Duration) {
        match self {
            Clock::Frozen(t) => *t += by,
            Clock::Running { at, .. } => *at += by,
        }
    }

    pub fn is_frozen(&self) -> bool {
        matches!(self, Clock::Frozen(_))
    }
}
