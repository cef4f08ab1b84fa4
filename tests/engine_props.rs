//! Random sequences of actions and clock steps never break the lifecycle: no
//! activity leaves a final status, and every parent's fields always equal
//! their derivation from its children.

use chrono::{DateTime, Duration, Utc};
use landscape_tui::engine::lifecycle::derive;
use landscape_tui::engine::{DemoOptions, Engine, Selection};
use landscape_tui::model::{Activity, ActivityStatus, Computer};
use landscape_tui::query::parse;
use proptest::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone)]
enum Step {
    Approve(Vec<usize>),
    Cancel(Vec<usize>),
    Reapply(Vec<usize>),
    Revert(Vec<usize>),
    ApproveQuery(usize),
    Clock(i64),
}

fn step() -> impl Strategy<Value = Step> {
    let picks = prop::collection::vec(0usize..10_000, 1..4);
    prop_oneof![
        picks.clone().prop_map(Step::Approve),
        picks.clone().prop_map(Step::Cancel),
        picks.clone().prop_map(Step::Reapply),
        picks.prop_map(Step::Revert),
        (0usize..4).prop_map(Step::ApproveQuery),
        (1i64..7200).prop_map(Step::Clock),
    ]
}

fn all(e: &Engine) -> Vec<Activity> {
    e.activities("", u64::MAX, 0).unwrap().results
}

fn ids(list: &[Activity]) -> Vec<u64> {
    list.iter().map(|a| a.id).collect()
}

/// The lists a store keeps in order answer as the full scan does: every
/// record, in order, counted, page by page.
fn kept_lists_equal_the_scan(e: &Engine) -> Result<(), TestCaseError> {
    // A query every record matches, which the scan answers.
    let scan = e
        .activities("created-after:1970", u64::MAX, 0)
        .unwrap()
        .results;
    let indexed = e.activities("", u64::MAX, 0).unwrap();
    prop_assert_eq!(ids(&indexed.results), ids(&scan));
    prop_assert_eq!(indexed.count, scan.len() as u64);
    let groups: Vec<Activity> = scan.iter().filter(|a| a.is_parent()).cloned().collect();
    let kept = e.activities("type:ActivityGroup", u64::MAX, 0).unwrap();
    prop_assert_eq!(ids(&kept.results), ids(&groups));
    prop_assert_eq!(kept.count, groups.len() as u64);
    let top: Vec<Activity> = scan
        .iter()
        .filter(|a| a.parent().is_none())
        .cloned()
        .collect();
    let rows = e.top_level("", u64::MAX, 0).unwrap();
    prop_assert_eq!(ids(&rows.rows.results), ids(&top));
    prop_assert_eq!(rows.activity_count, scan.len() as u64);
    for (offset, limit) in [(0u64, 5u64), (7, 3), (top.len() as u64 - 1, 10)] {
        let page = e.top_level("", limit, offset).unwrap();
        let want: Vec<u64> = ids(&top)
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        prop_assert_eq!(ids(&page.rows.results), want);
        prop_assert_eq!(page.rows.count, top.len() as u64);
    }
    Ok(())
}

/// Every query's count and pages (found through the columns, the few
/// sorted or the many walked) equal matching each record in turn.
fn columns_equal_the_records(e: &Engine) -> Result<(), TestCaseError> {
    let everything = all(e);
    let computers: Vec<Computer> = e.computers().cloned().collect();
    for q in [
        "status:failed",
        "computer:tag:web",
        "NOT status:succeeded",
        "creator:JANE@example.com",
        "status:unapproved OR status:canceled",
        "upgrade",
        "nginx OR restart",
        "NOT package",
        "type:ChangePackagesRequest creator:bob@example.com",
    ] {
        let m = parse(q).unwrap().matcher(&computers);
        let want: Vec<u64> = everything
            .iter()
            .filter(|a| m.matches(a))
            .map(|a| a.id)
            .collect();
        let got = e.activities(q, u64::MAX, 0).unwrap();
        prop_assert_eq!(ids(&got.results), want.clone(), "{}", q);
        prop_assert_eq!(got.count, want.len() as u64);
        for (offset, limit) in [(0u64, 3u64), (2, 4)] {
            let page = e.activities(q, limit, offset).unwrap();
            let expected: Vec<u64> = want
                .iter()
                .copied()
                .skip(offset as usize)
                .take(limit as usize)
                .collect();
            prop_assert_eq!(
                ids(&page.results),
                expected,
                "{} page {}+{}",
                q,
                offset,
                limit
            );
        }
    }
    Ok(())
}

fn check(e: &Engine, before: &HashMap<u64, ActivityStatus>) -> Result<(), TestCaseError> {
    kept_lists_equal_the_scan(e)?;
    columns_equal_the_records(e)?;
    let list = all(e);
    for a in &list {
        let s = a.status().cloned().unwrap_or(ActivityStatus::Undelivered);
        if let Some(old) = before.get(&a.id)
            && old.is_final()
        {
            prop_assert_eq!(&s, old, "activity {} left a final status", a.id);
        }
        if a.is_parent() {
            let kids: Vec<Activity> = e.children(a.id, None).unwrap();
            let d = derive(kids.iter());
            prop_assert_eq!(a.status(), Some(&d.status), "parent {} status", a.id);
            prop_assert_eq!(a.children_count.copied(), Some(d.children));
            prop_assert_eq!(a.computer_count.copied(), Some(d.computers));
            prop_assert_eq!(a.children_statuses.get(), Some(&d.statuses));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn lifecycle_invariants_hold(steps in prop::collection::vec(step(), 1..25)) {
        let now = DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z").unwrap().with_timezone(&Utc);
        let mut e = Engine::demo(&DemoOptions { seed: 5, computers: 8, activities: 120, now });
        for s in steps {
            let before: HashMap<u64, ActivityStatus> = all(&e).into_iter().map(|a| (a.id, a.status().cloned().unwrap_or(ActivityStatus::Undelivered))).collect();
            let ids: Vec<u64> = before.keys().copied().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
            let pick = |p: &Vec<usize>| p.iter().map(|i| ids[i % ids.len()]).collect::<Vec<u64>>();
            match &s {
                Step::Approve(p) => { let _ = e.approve(&Selection::Ids(pick(p))); }
                Step::Cancel(p) => { let _ = e.cancel(&Selection::Ids(pick(p))); }
                Step::Reapply(p) => { let _ = e.reapply(&pick(p)); }
                Step::Revert(p) => { let _ = e.revert(&pick(p)); }
                Step::ApproveQuery(q) => {
                    let q = ["status:unapproved", "computer:tag:web", "type:ActivityGroup", "NOT status:failed"][*q];
                    let _ = e.approve(&Selection::Query(q.into()));
                }
                Step::Clock(secs) => { e.step(Duration::seconds(*secs)); }
            }
            check(&e, &before)?;
        }
    }
}
