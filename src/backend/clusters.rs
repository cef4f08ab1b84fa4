//! `:clusters`: every failure a query matches, read page by page (never
//! the account), grouped by what went wrong (`model::failure`).

use std::collections::HashSet;

use super::{Backend, BackendError};
use crate::model::failure::{FAILED_TERMS, FailureCluster, cluster};
use crate::model::scope::and;

/// Failures read per request.
pub const CLUSTER_PAGE: u64 = 1_000;
/// The most failures clustered at once: the newest this many.
pub const MOST_CLUSTERED: u64 = 100_000;

/// The failures of a query, clustered.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterReport {
    /// The query the failures were read with.
    pub query: String,
    /// How many failures it matched.
    pub failed: u64,
    /// How many of them were read and clustered (the newest).
    pub clustered: u64,
    pub clusters: Vec<FailureCluster>,
}

impl ClusterReport {
    /// Every failure was read: a cluster is all there is of its kind.
    pub fn complete(&self) -> bool {
        self.clustered >= self.failed
    }
}

/// The query that reads `query`'s failures.
pub fn failures_query(query: &str) -> String {
    and(query, FAILED_TERMS)
}

/// Reads and clusters the failures `query` matches, the newest
/// [`MOST_CLUSTERED`] of them, [`CLUSTER_PAGE`] per request.
pub async fn load(backend: &dyn Backend, query: &str) -> Result<ClusterReport, BackendError> {
    let failures_query = failures_query(query);
    let first = backend.first_page(&failures_query, CLUSTER_PAGE).await?;
    let failed = first.count;
    let want = failed.min(MOST_CLUSTERED);
    let mut seen: HashSet<u64> = HashSet::new();
    let mut read = Vec::with_capacity(want as usize);
    let mut page = first.results;
    let mut offset = 0;
    loop {
        let n = page.len() as u64;
        // New failures push older ones down a page: one read twice is
        // counted once.
        read.extend(page.into_iter().filter(|a| seen.insert(a.id)));
        offset += n;
        if n == 0 || offset >= want {
            break;
        }
        let limit = CLUSTER_PAGE.min(want - offset);
        page = backend
            .activities(&failures_query, limit, offset)
            .await?
            .results;
    }
    read.truncate(want as usize);
    Ok(ClusterReport {
        clustered: read.len() as u64,
        clusters: cluster(&read),
        failed,
        query: failures_query,
    })
}
