//! Login throttling: after `FAILURES` wrong logins within a minute from one
//! address, or for one account, further logins from it (or for it) are
//! refused with 429 and `Retry-After` for a while that doubles each time,
//! up to a quarter of an hour. A right login clears the account's record.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong logins tolerated within [`WINDOW`].
pub const FAILURES: u32 = 10;
pub const WINDOW: Duration = Duration::from_secs(60);
/// The longest a block lasts.
const LONGEST: Duration = Duration::from_secs(15 * 60);
/// Records kept at most; expired ones are dropped first when it is full.
const RECORDS: usize = 100_000;

#[derive(Debug)]
pub struct Throttle {
    /// The first block's length; each next one doubles.
    first_block: Duration,
    records: Mutex<HashMap<String, Record>>,
}

#[derive(Debug, Clone, Copy)]
struct Record {
    failures: u32,
    since: Instant,
    blocked_until: Option<Instant>,
    blocks: u32,
}

impl Default for Throttle {
    fn default() -> Throttle {
        Throttle::new(Duration::from_secs(30))
    }
}

impl Throttle {
    pub fn new(first_block: Duration) -> Throttle {
        Throttle {
            first_block,
            records: Mutex::new(HashMap::new()),
        }
    }

    fn records(&self) -> std::sync::MutexGuard<'_, HashMap<String, Record>> {
        self.records.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long `keys` (an address, an account) must still wait, if any.
    pub fn wait(&self, keys: &[String]) -> Option<Duration> {
        let now = Instant::now();
        let records = self.records();
        keys.iter()
            .filter_map(|k| records.get(k)?.blocked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max()
    }

    /// Counts a wrong login against each of `keys`.
    pub fn failed(&self, keys: &[String]) {
        let now = Instant::now();
        let mut records = self.records();
        if records.len() >= RECORDS {
            records
                .retain(|_, r| r.since + WINDOW > now || r.blocked_until.is_some_and(|u| u > now));
        }
        for key in keys {
            let r = records.entry(key.clone()).or_insert(Record {
                failures: 0,
                since: now,
                blocked_until: None,
                blocks: 0,
            });
            if now.duration_since(r.since) > WINDOW {
                r.failures = 0;
                r.since = now;
            }
            r.failures += 1;
            if r.failures >= FAILURES {
                let block = self
                    .first_block
                    .saturating_mul(1 << r.blocks.min(16))
                    .min(LONGEST);
                r.blocked_until = Some(now + block);
                r.blocks += 1;
                r.failures = 0;
                r.since = now;
            }
        }
    }

    /// A right login: the account starts afresh.
    pub fn succeeded(&self, account: &str) {
        self.records().remove(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_failures_block_and_blocks_grow() {
        let t = Throttle::new(Duration::from_secs(30));
        let keys = [
            "addr:127.0.0.1".to_owned(),
            "account:a@example.com".to_owned(),
        ];
        for _ in 0..FAILURES - 1 {
            t.failed(&keys);
        }
        assert_eq!(t.wait(&keys), None);
        t.failed(&keys);
        let first = t.wait(&keys).unwrap();
        assert!(first > Duration::from_secs(29) && first <= Duration::from_secs(30));
        for _ in 0..FAILURES {
            t.failed(&keys);
        }
        assert!(t.wait(&keys).unwrap() > Duration::from_secs(59));
        // Another address is not blocked by this one.
        assert_eq!(t.wait(&["addr:10.9.9.9".to_owned()]), None);
    }
}
