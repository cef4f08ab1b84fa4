//! One look at watched activities, for the dashboard's watches and guards
//! and for `wait`: the ones not final yet, read by id (100 a request);
//! the failed children of watched groups, and each guard's failed and
//! counted, by counting queries. What it costs follows what is still
//! running, never the account.

use std::collections::HashMap;

use super::{Backend, BackendError};
use crate::model::Activity;
use crate::model::guard::Guard;

/// What to look at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ask {
    /// Activities not final at the last look.
    pub ids: Vec<u64>,
    /// Groups whose failed children are counted (a group's own status
    /// says "failed" only once all its children are final).
    pub groups: Vec<u64>,
    pub guards: Vec<Guard>,
}

impl Ask {
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.groups.is_empty() && self.guards.is_empty()
    }
}

/// A guard's count: failed of counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GuardCount {
    pub failed: u64,
    pub of: u64,
}

/// What a look found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Look {
    /// The activities asked for, as they are now (one not found is left
    /// out).
    pub activities: Vec<Activity>,
    /// `(group, failed children)` for each group asked about.
    pub failed_children: Vec<(u64, u64)>,
    /// Each guard's count, in the order asked.
    pub guards: Vec<GuardCount>,
}

/// Looks once. The same count asked twice (a watched group with a guard
/// on it) is asked once.
pub async fn look(backend: &dyn Backend, ask: &Ask) -> Result<Look, BackendError> {
    let activities = backend.activities_by_id(&ask.ids).await?;
    let mut counts: HashMap<String, u64> = HashMap::new();
    let mut count = async |query: String| -> Result<u64, BackendError> {
        if let Some(n) = counts.get(&query) {
            return Ok(*n);
        }
        let n = backend.count(&query).await?;
        counts.insert(query, n);
        Ok(n)
    };
    let mut failed_children = Vec::with_capacity(ask.groups.len());
    for group in &ask.groups {
        let n = count(format!("parent-id:{group} status:failed")).await?;
        failed_children.push((*group, n));
    }
    // A guard counts what its query selects by the action rule: the
    // groups it names bring their children.
    let mut guards = Vec::with_capacity(ask.guards.len());
    for guard in &ask.guards {
        let mut failed_and_of = [0; 2];
        for (n, query) in failed_and_of
            .iter_mut()
            .zip([guard.failed_query(), guard.counted_query()])
        {
            *n = if crate::query::split_work(&query).chooses_no_group {
                // A group's children: a plain count, maybe asked already.
                count(query).await?
            } else {
                super::action_plan::selected(backend, &query).await?
            };
        }
        guards.push(GuardCount {
            failed: failed_and_of[0],
            of: failed_and_of[1],
        });
    }
    Ok(Look {
        activities,
        failed_children,
        guards,
    })
}
