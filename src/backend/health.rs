//! The health picture: a query's activities by status and its failures
//! per hour over the last day, each a counting query (a page of one), so
//! it costs the same on ten activities as on a million.

use chrono::{DateTime, Duration, DurationRound, Utc};
use futures::{StreamExt, TryStreamExt};

use super::{Backend, BackendError};
use crate::model::ActivityStatus;
use crate::model::scope::and;

/// Hours the failures are counted over.
pub const HOURS: usize = 24;
/// Counting requests in flight at once.
const AT_ONCE: usize = 8;
/// What is counted: each computer's activities, not the groups (whose
/// status only repeats their children's).
const NOT_GROUPS: &str = "NOT type:ActivityGroup";

#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    /// The query counted.
    pub query: String,
    /// Each known status with its count, in lifecycle order.
    pub by_status: Vec<(ActivityStatus, u64)>,
    /// Failures created in each of the last [`HOURS`] hours, oldest first
    /// (the last is the hour under way).
    pub failed_per_hour: Vec<u64>,
    /// The start of the first hour.
    pub since: DateTime<Utc>,
}

impl Health {
    pub fn total(&self) -> u64 {
        self.by_status.iter().map(|(_, n)| n).sum()
    }
}

/// The queries [`load`] counts, by status then by hour.
pub fn queries(query: &str, now: DateTime<Utc>) -> (Vec<String>, Vec<String>, DateTime<Utc>) {
    let base = and(query, NOT_GROUPS);
    let statuses = ActivityStatus::KNOWN
        .iter()
        .map(|s| and(&base, &format!("status:{}", s.as_str())))
        .collect();
    let hour = now.duration_trunc(Duration::hours(1)).unwrap_or(now);
    let since = hour - Duration::hours(HOURS as i64 - 1);
    let at = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M").to_string();
    let hours = (0..HOURS as i64)
        .map(|h| {
            let from = since + Duration::hours(h);
            and(
                &base,
                &format!(
                    "status:failed created-after:{} created-before:{}",
                    at(from),
                    at(from + Duration::hours(1))
                ),
            )
        })
        .collect();
    (statuses, hours, since)
}

/// Counts `query`'s activities by status and its failures per hour up to
/// `now`: 9 + 24 counting requests, a few at a time.
pub async fn load(
    backend: &dyn Backend,
    query: &str,
    now: DateTime<Utc>,
) -> Result<Health, BackendError> {
    let (statuses, hours, since) = queries(query, now);
    let all: Vec<String> = statuses.iter().chain(&hours).cloned().collect();
    let counts: Vec<u64> = futures::stream::iter(all)
        .map(|q| async move { backend.count(&q).await })
        .buffered(AT_ONCE)
        .try_collect()
        .await?;
    let (by_status, per_hour) = counts.split_at(statuses.len());
    Ok(Health {
        query: query.to_owned(),
        by_status: ActivityStatus::KNOWN
            .iter()
            .cloned()
            .zip(by_status.iter().copied())
            .collect(),
        failed_per_hour: per_hour.to_vec(),
        since,
    })
}
