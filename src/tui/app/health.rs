//! The health room: the picture above the list.

use chrono::{DateTime, Utc};

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
