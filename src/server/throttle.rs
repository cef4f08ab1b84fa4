//! Login throttling that protects users rather than locking them out.
//!
//! Wrong logins are counted per (account, address) and per address alone,
//! with separate budgets: [`PAIR_FAILURES`] a minute for one account from
//! one address (password guessing), [`ADDRESS_FAILURES`] for one address
//! across accounts (spraying). Past a budget, that key waits before its
//! next try, a wait that doubles with each block up to a quarter of an
//! hour. The account alone is never a key: another address's failures
//! never hold up the real user's right password. A right login clears
//! its (account, address) record.
//!
//! The table is bounded: account names are cut to [`MAX_ACCOUNT_BYTES`],
//! records older than the window are swept, and past [`MAX_TABLE_BYTES`]
//! the oldest records go first.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong logins for one account from one address tolerated within [`WINDOW`].
pub const PAIR_FAILURES: u32 = 10;
/// Wrong logins from one address, any account, tolerated within [`WINDOW`].
pub const ADDRESS_FAILURES: u32 = 100;
pub const WINDOW: Duration = Duration::from_secs(60);
/// The longest a wait lasts.
const LONGEST: Duration = Duration::from_secs(15 * 60);
/// The part of an account name (an email, an access key id) kept as a key.
pub const MAX_ACCOUNT_BYTES: usize = 256;
/// What the table may hold, keys and records together.
pub const MAX_TABLE_BYTES: usize = 16 << 20;
/// A record's size besides its key, roughly (the map's own entry too).
const RECORD_BYTES: usize = 96;

/// One login attempt: who it claims to be, and where it comes from.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub address: IpAddr,
    /// The email or access key id given.
    pub account: &'a str,
}

#[derive(Debug)]
pub struct Throttle {
    /// The first wait's length; each next one doubles.
    first_block: Duration,
    table: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    records: HashMap<String, Record>,
    bytes: usize,
    swept: Option<Instant>,
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

/// The keys an attempt counts against, each with its budget.
fn keys(a: &Attempt<'_>) -> [(String, u32); 2] {
    let mut account = a.account.to_lowercase();
    if account.len() > MAX_ACCOUNT_BYTES {
        let mut cut = MAX_ACCOUNT_BYTES;
        while !account.is_char_boundary(cut) {
            cut -= 1;
        }
        account.truncate(cut);
    }
    [
        (format!("{} {account}", a.address), PAIR_FAILURES),
        (a.address.to_string(), ADDRESS_FAILURES),
    ]
}

impl Throttle {
    pub fn new(first_block: Duration) -> Throttle {
        Throttle {
            first_block,
            table: Mutex::new(Table::default()),
        }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long `attempt` must still wait, if at all.
    pub fn wait(&self, attempt: &Attempt<'_>) -> Option<Duration> {
        let now = Instant::now();
        let table = self.table();
        keys(attempt)
            .iter()
            .filter_map(|(k, _)| table.records.get(k)?.blocked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max()
    }

    /// Refuses with 429 and `Retry-After` while `attempt` must wait.
    pub fn check(&self, attempt: &Attempt<'_>) -> Result<(), super::ApiError> {
        match self.wait(attempt) {
            None => Ok(()),
            Some(wait) => Err(super::ApiError::too_many_attempts(wait.as_secs().max(1))),
        }
    }

    /// Counts a wrong login.
    pub fn failed(&self, attempt: &Attempt<'_>) {
        let now = Instant::now();
        let mut table = self.table();
        table.sweep(now, false);
        for (key, budget) in keys(attempt) {
            if !table.records.contains_key(&key) {
                if table.bytes + key.len() + RECORD_BYTES > MAX_TABLE_BYTES {
                    table.sweep(now, true);
                }
                table.bytes += key.len() + RECORD_BYTES;
            }
            let r = table.records.entry(key).or_insert(Record {
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
            if r.failures >= budget {
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

    /// A right login: this account from this address starts afresh.
    pub fn succeeded(&self, attempt: &Attempt<'_>) {
        let [(pair, _), _] = keys(attempt);
        let mut table = self.table();
        if table.records.remove(&pair).is_some() {
            table.bytes -= pair.len() + RECORD_BYTES;
        }
    }

    /// Bytes the table holds now (keys and records).
    pub fn bytes(&self) -> usize {
        self.table().bytes
    }
}

impl Table {
    /// Drops records whose window and wait are over (once a window, or
    /// now when `full`); when full still, the oldest half of the rest.
    fn sweep(&mut self, now: Instant, full: bool) {
        let due = self.swept.is_none_or(|at| now.duration_since(at) > WINDOW);
        if !(due || full) {
            return;
        }
        self.swept = Some(now);
        let live = |r: &Record| {
            now.duration_since(r.since) <= WINDOW
                || r.blocked_until.is_some_and(|u| u > now)
                // A key blocked before waits longer next time: kept a while.
                || (r.blocks > 0 && now.duration_since(r.since) <= LONGEST)
        };
        self.records.retain(|_, r| live(r));
        if full && self.bytes_now() * 2 > MAX_TABLE_BYTES {
            let mut since: Vec<Instant> = self.records.values().map(|r| r.since).collect();
            since.sort_unstable();
            if let Some(cut) = since.get(since.len() / 2).copied() {
                self.records.retain(|_, r| r.since > cut);
            }
        }
        self.bytes = self.bytes_now();
    }

    fn bytes_now(&self) -> usize {
        self.records.keys().map(|k| k.len() + RECORD_BYTES).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from<'a>(address: &str, account: &'a str) -> Attempt<'a> {
        Attempt {
            address: address.parse().unwrap(),
            account,
        }
    }

    #[test]
    fn ten_failures_make_that_pair_wait_and_waits_grow() {
        let t = Throttle::new(Duration::from_secs(30));
        let guesser = from("10.0.0.9", "jane@example.com");
        for _ in 0..PAIR_FAILURES - 1 {
            t.failed(&guesser);
        }
        assert_eq!(t.wait(&guesser), None);
        t.failed(&guesser);
        let first = t.wait(&guesser).unwrap();
        assert!(first > Duration::from_secs(29) && first <= Duration::from_secs(30));
        for _ in 0..PAIR_FAILURES {
            t.failed(&guesser);
        }
        assert!(t.wait(&guesser).unwrap() > Duration::from_secs(59));
        // Jane from her own address is not held up by the guesser.
        assert_eq!(t.wait(&from("10.0.0.1", "jane@example.com")), None);
        // Nor is the guesser's address for another account, under its budget.
        assert_eq!(t.wait(&from("10.0.0.9", "bob@example.com")), None);
    }

    #[test]
    fn one_address_spraying_accounts_waits_too() {
        let t = Throttle::default();
        let accounts: Vec<String> = (0..ADDRESS_FAILURES).map(|i| format!("u{i}@x")).collect();
        for a in &accounts {
            t.failed(&from("10.0.0.9", a));
        }
        assert!(t.wait(&from("10.0.0.9", "new@x")).is_some());
        assert_eq!(t.wait(&from("10.0.0.8", "new@x")), None);
    }

    #[test]
    fn huge_account_names_are_cut_and_the_table_stays_bounded() {
        let t = Throttle::default();
        let huge = "a".repeat(256 * 1024);
        for i in 0..2_000u32 {
            let address = std::net::IpAddr::from(std::net::Ipv4Addr::from(0x0A00_0000 + i));
            t.failed(&Attempt {
                address,
                account: &huge,
            });
        }
        assert!(t.bytes() <= 2_000 * (MAX_ACCOUNT_BYTES + 2 * (RECORD_BYTES + 32)));
        assert!(t.bytes() <= MAX_TABLE_BYTES);
    }
}
