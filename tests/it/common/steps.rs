//! Random engine steps for property tests: actions on picked activities,
//! an approve by query, a clock step.

use chrono::Duration;
use landscape_tui::engine::{Engine, Selection};
use landscape_tui::model::ActionKind;
use proptest::prelude::*;

#[derive(Debug, Clone)]
pub enum Step {
    Approve(Vec<usize>),
    Cancel(Vec<usize>),
    Reapply(Vec<usize>),
    Revert(Vec<usize>),
    /// Approve what the `n`th of the caller's queries selects.
    ApproveQuery(usize),
    Clock(i64),
}

/// Steps choosing among `queries` queries and moving the clock by under
/// `max_clock_secs`.
pub fn step(queries: usize, max_clock_secs: i64) -> impl Strategy<Value = Step> {
    let picks = prop::collection::vec(0usize..10_000, 1..4);
    prop_oneof![
        picks.clone().prop_map(Step::Approve),
        picks.clone().prop_map(Step::Cancel),
        picks.clone().prop_map(Step::Reapply),
        picks.prop_map(Step::Revert),
        (0usize..queries).prop_map(Step::ApproveQuery),
        (1i64..max_clock_secs).prop_map(Step::Clock),
    ]
}

/// The action `step` takes, picking activities from `ids` (indices wrap);
/// `None` for a clock step.
pub fn action(step: &Step, ids: &[u64], queries: &[&str]) -> Option<(ActionKind, Selection)> {
    let pick = |p: &Vec<usize>| Selection::Ids(p.iter().map(|i| ids[i % ids.len()]).collect());
    Some(match step {
        Step::Approve(p) => (ActionKind::Approve, pick(p)),
        Step::Cancel(p) => (ActionKind::Cancel, pick(p)),
        Step::Reapply(p) => (ActionKind::Reapply, pick(p)),
        Step::Revert(p) => (ActionKind::Revert, pick(p)),
        Step::ApproveQuery(q) => (ActionKind::Approve, Selection::Query(queries[*q].into())),
        Step::Clock(_) => return None,
    })
}

/// Runs `step` on `e`: whether it changed anything (a refused action
/// changes nothing).
pub fn apply(e: &mut Engine, step: &Step, ids: &[u64], queries: &[&str]) -> bool {
    match (step, action(step, ids, queries)) {
        (Step::Clock(secs), _) => e.step(Duration::seconds(*secs)),
        (_, Some((kind, selection))) => match e.prepare(kind, &selection) {
            Ok(prepared) => {
                let changes = !prepared.changes_nothing();
                e.perform(prepared);
                changes
            }
            Err(_) => false,
        },
        (_, None) => false,
    }
}
