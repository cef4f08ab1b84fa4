//! Random engine steps for property tests: actions on picked activities,
//! an approve by query, a clock step.

use chrono::Duration;
use landscape_tui::engine::state::Op;
use landscape_tui::engine::{Engine, Selection};
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

/// Runs `step` on `e`, picking activities from `ids` (indices wrap):
/// the change as the journal records it and whether it was done; `None`
/// for a clock step, which is not journaled.
pub fn apply(e: &mut Engine, step: &Step, ids: &[u64], queries: &[&str]) -> Option<(Op, bool)> {
    let pick = |p: &Vec<usize>| p.iter().map(|i| ids[i % ids.len()]).collect::<Vec<u64>>();
    Some(match step {
        Step::Approve(p) => {
            let selection = Selection::Ids(pick(p));
            let done = e.approve(&selection).is_ok();
            (Op::Approve { selection }, done)
        }
        Step::Cancel(p) => {
            let selection = Selection::Ids(pick(p));
            let done = e.cancel(&selection).is_ok();
            (Op::Cancel { selection }, done)
        }
        Step::Reapply(p) => {
            let ids = pick(p);
            let done = e.reapply(&ids).is_ok();
            (Op::Reapply { ids }, done)
        }
        Step::Revert(p) => {
            let ids = pick(p);
            let done = e.revert(&ids).is_ok();
            (Op::Revert { ids }, done)
        }
        Step::ApproveQuery(q) => {
            let selection = Selection::Query(queries[*q].into());
            let done = e.approve(&selection).is_ok();
            (Op::Approve { selection }, done)
        }
        Step::Clock(secs) => {
            e.step(Duration::seconds(*secs));
            return None;
        }
    })
}
