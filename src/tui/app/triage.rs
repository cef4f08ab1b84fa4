//! The triage rooms: `:clusters`' failures and the health picture.

use chrono::{DateTime, Utc};

/// `:clusters`: a query's failures, grouped by what went wrong.
#[derive(Debug, Clone, Default)]
pub struct ClustersState {
    /// What was clustered, said for the operator ("the query's failures").
    pub of: String,
    /// The query whose failures these are: narrowing starts from it.
    pub base: String,
    pub report: Option<crate::backend::clusters::ClusterReport>,
    pub error: Option<String>,
    pub loading: bool,
    pub selected: usize,
    /// The selected cluster's computer list has focus, at this index.
    pub computer: Option<usize>,
    /// A request generation: answers to older ones are dropped.
    pub generation: u64,
}

impl ClustersState {
    pub fn selected_cluster(&self) -> Option<&crate::model::failure::FailureCluster> {
        self.report.as_ref()?.clusters.get(self.selected)
    }
}

/// The health picture above the list: the query's activities by status
/// and its failures per hour, counted by the backend.
#[derive(Debug, Clone, Default)]
pub struct HealthState {
    pub shown: bool,
    pub health: Option<crate::backend::health::Health>,
    pub error: Option<String>,
    pub loading: bool,
    /// A request generation: answers to older ones are dropped.
    pub generation: u64,
    /// When it was last asked for (it is asked again at most each minute).
    pub asked: Option<DateTime<Utc>>,
}
