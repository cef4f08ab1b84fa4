//! Random sequences of actions and clock steps never break the lifecycle: no
//! activity leaves a final status, and every parent's fields always equal
//! their derivation from its children.

use chrono::{DateTime, Duration, Utc};
use landscape_tui::engine::lifecycle::derive;
use landscape_tui::engine::{DemoOptions, Engine};
use landscape_tui::model::{Activity, ActivityStatus, Computer, Field, ListSort, SortColumn};
use landscape_tui::query::parse;
use proptest::prelude::*;
use std::collections::HashMap;

use crate::common;

use common::steps::{apply, step};

/// The queries the lifecycle test approves by.
const APPROVE_QUERIES: [&str; 4] = [
    "status:unapproved",
    "computer:tag:web",
    "type:ActivityGroup",
    "NOT status:failed",
];

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
        let want = window(&ids(&top), offset, limit);
        prop_assert_eq!(ids(&page.rows.results), want);
        prop_assert_eq!(page.rows.count, top.len() as u64);
    }
    Ok(())
}

fn check(e: &Engine, before: &HashMap<u64, ActivityStatus>) -> Result<(), TestCaseError> {
    kept_lists_equal_the_scan(e)?;
    indexes_equal_the_oracle(e)?;
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
    fn lifecycle_invariants_hold(steps in prop::collection::vec(step(4, 7200), 1..25)) {
        let now = DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z").unwrap().with_timezone(&Utc);
        let mut e = Engine::demo(&DemoOptions { seed: 5, computers: 8, activities: 120, now });
        for s in steps {
            let before: HashMap<u64, ActivityStatus> = all(&e).into_iter().map(|a| (a.id, a.status().cloned().unwrap_or(ActivityStatus::Undelivered))).collect();
            let ids: Vec<u64> = before.keys().copied().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
            apply(&mut e, &s, &ids, &APPROVE_QUERIES);
            check(&e, &before)?;
        }
    }
}

/// The newest-first order every list promises, computed from the records.
fn newest_first(mut list: Vec<Activity>) -> Vec<Activity> {
    list.sort_by_key(|a| std::cmp::Reverse((a.creation_time, a.id)));
    list
}

/// What `activities` and `top_level` must answer for `q`, from the records
/// alone: the matches, and the rows (top-level matches and parents of
/// matching children) with the count of matching children for the rows
/// that match only through them.
fn oracle(e: &Engine, q: &str) -> (Vec<u64>, Vec<u64>, HashMap<u64, u64>) {
    let computers: Vec<Computer> = e.computers().cloned().collect();
    let m = parse(q).unwrap().matcher(&computers);
    let everything = newest_first(all(e));
    let by_id: HashMap<u64, &Activity> = everything.iter().map(|a| (a.id, a)).collect();
    let matches: Vec<u64> = everything
        .iter()
        .filter(|a| m.matches(a))
        .map(|a| a.id)
        .collect();
    let mut through: HashMap<u64, u64> = HashMap::new();
    let mut rows = std::collections::HashSet::new();
    for id in &matches {
        match by_id[id].parent().filter(|p| by_id.contains_key(p)) {
            Some(p) => {
                rows.insert(p);
                if !m.matches(by_id[&p]) {
                    *through.entry(p).or_default() += 1;
                }
            }
            None => {
                rows.insert(*id);
            }
        }
    }
    let rows = everything
        .iter()
        .map(|a| a.id)
        .filter(|id| rows.contains(id))
        .collect();
    (matches, rows, through)
}

const QUERIES: [&str; 18] = [
    "status:failed",
    "status:failed computer:tag:web",
    "NOT status:succeeded type:ChangePackagesRequest",
    "creator:jane@example.com",
    "status:unapproved OR status:canceled",
    "nginx OR restart",
    "id:7",
    "created-after:1970",
    "created-after:2024-04-30 NOT status:failed",
    "NOT created-before:2024-04-30T06 NOT type:ActivityGroup",
    "created-before:2024-04-30 type:ActivityGroup",
    "computer:tag:web",
    "NOT status:succeeded",
    "creator:JANE@example.com",
    "upgrade",
    "NOT package",
    "type:ChangePackagesRequest creator:bob@example.com",
    "NOT computer:tag:web status:failed",
];

/// `limit` ids from `offset`.
fn window(list: &[u64], offset: u64, limit: u64) -> Vec<u64> {
    list.iter()
        .copied()
        .skip(offset as usize)
        .take(limit as usize)
        .collect()
}

/// Every query's count and pages, from `activities` and `top_level`
/// (through the sets, lists and columns the store keeps), equal what the
/// records alone say.
fn indexes_equal_the_oracle(e: &Engine) -> Result<(), TestCaseError> {
    // A long chain of ids and parent ids (a pick, a plan's chunk of
    // groups) is tested by set lookups: it must answer as the records say.
    let some: Vec<Activity> = all(e).into_iter().step_by(7).take(12).collect();
    let chain = some
        .iter()
        .map(|a| match a.parent() {
            Some(p) if a.id % 2 == 0 => format!("parent-id:{p}"),
            _ => format!("id:{}", a.id),
        })
        .collect::<Vec<_>>()
        .join(" OR ");
    let narrowed = format!("NOT status:succeeded {chain}");
    let extra = [chain.as_str(), narrowed.as_str()];
    for q in QUERIES.iter().copied().chain(extra) {
        let (matches, rows, through) = oracle(e, q);
        for (offset, limit) in [
            (0u64, u64::MAX),
            (0, 3),
            (2, 4),
            (matches.len() as u64 / 2, 5),
        ] {
            let page = e.activities(q, limit, offset).unwrap();
            let want = window(&matches, offset, limit);
            prop_assert_eq!(ids(&page.results), want, "{} {}+{}", q, offset, limit);
            prop_assert_eq!(page.count, matches.len() as u64, "{}", q);
            let top = e.top_level(q, limit, offset).unwrap();
            let want = window(&rows, offset, limit);
            prop_assert_eq!(
                ids(&top.rows.results),
                want.clone(),
                "rows of {} {}+{}",
                q,
                offset,
                limit
            );
            prop_assert_eq!(top.rows.count, rows.len() as u64, "{}", q);
            prop_assert_eq!(top.activity_count, matches.len() as u64, "{}", q);
            let through_on_page: std::collections::BTreeMap<u64, u64> = want
                .iter()
                .filter_map(|id| Some((*id, *through.get(id)?)))
                .collect();
            prop_assert_eq!(&top.matching_children, &through_on_page, "{}", q);
        }
    }
    // Every sort: the same rows, ordered by the sort's comparison (on the
    // paths a sort takes: everything, a selective set, a large set).
    for q in ["", "status:failed", "NOT status:succeeded"] {
        let (_, rows, _) = oracle(e, q);
        let records: Vec<Activity> = rows.iter().map(|id| e.activity(*id).unwrap()).collect();
        for column in SortColumn::ALL {
            for sort in [ListSort::by(column), ListSort::by(column).reversed()] {
                let mut all = records.clone();
                all.sort_by(|a, b| sort.compare(a, b));
                let order: Vec<u64> = all.iter().map(|a| a.id).collect();
                for (offset, limit) in [(0u64, u64::MAX), (rows.len() as u64 / 3, 4)] {
                    let page = e.top_level_sorted(q, sort, limit, offset).unwrap();
                    prop_assert_eq!(
                        ids(&page.rows.results),
                        window(&order, offset, limit),
                        "{} by {:?} {}+{}",
                        q,
                        sort,
                        offset,
                        limit
                    );
                    prop_assert_eq!(page.rows.count, rows.len() as u64);
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Records added in any order (a dataset need not be sorted) answer
    /// every query, page and count as the records alone say, through
    /// random actions and clock steps.
    #[test]
    fn indexed_answers_equal_the_scan_in_any_row_order(
        shuffle in any::<u64>(),
        steps in prop::collection::vec(step(4, 7200), 0..12),
    ) {
        let now = DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z").unwrap().with_timezone(&Utc);
        let demo = Engine::demo(&DemoOptions { seed: 9, computers: 8, activities: 150, now });
        // As stored: without the `actions` flags the API adds.
        let mut records: Vec<Activity> = all(&demo)
            .into_iter()
            .map(|mut a| {
                a.actions = Field::Absent;
                a
            })
            .collect();
        // A deterministic shuffle: sort by a hash of (seed, id).
        records.sort_by_key(|a| (a.id ^ shuffle).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let computers: Vec<Computer> = demo.computers().cloned().collect();
        // Some created after the clock: what an action creates now lands
        // before them, out of row order.
        let later: Vec<Activity> = records
            .iter()
            .cloned()
            .map(|mut a| {
                if a.id % 7 == shuffle % 7 {
                    a.creation_time += Duration::days(30);
                }
                a
            })
            .collect();
        let mut engines = [
            demo,
            Engine::new(computers.clone(), records, now, 9),
            Engine::new(computers, later, now, 9),
        ];
        prop_assert!(engines[0].same_state(&engines[1]));
        for e in &engines {
            indexes_equal_the_oracle(e)?;
        }
        for s in steps {
            for e in &mut engines {
                let ids: Vec<u64> = ids(&all(e)).into_iter().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
                apply(e, &s, &ids, &QUERIES[..4]);
                indexes_equal_the_oracle(e)?;
            }
            prop_assert!(engines[0].same_state(&engines[1]));
        }
    }
}

const COMPUTER_TERMS: [&str; 8] = [
    "tag:web",
    "tag:db",
    "tag:laptop",
    "alert:package-upgrades",
    "alert:computer-offline",
    "distribution:22.04",
    "access-group:global",
    "needs:reboot",
];

/// A computer query of AND-ed groups of OR-ed, maybe negated, terms.
fn computer_query() -> impl Strategy<Value = Vec<Vec<(bool, usize)>>> {
    prop::collection::vec(
        prop::collection::vec((any::<bool>(), 0..COMPUTER_TERMS.len()), 1..4),
        1..4,
    )
}

fn written(groups: &[Vec<(bool, usize)>], prefix: &str) -> String {
    groups
        .iter()
        .map(|any| {
            any.iter()
                .map(|(not, t)| {
                    format!(
                        "{}{prefix}{}",
                        if *not { "NOT " } else { "" },
                        COMPUTER_TERMS[*t]
                    )
                })
                .collect::<Vec<_>>()
                .join(" OR ")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// `computer:` with `OR` and `NOT` in an activity query means what the
    /// same computer query means through `/computers` and `GetComputers`
    /// (the engine's `computers_page` answers both): an activity with a
    /// computer matches exactly when its computer is among those.
    #[test]
    fn computer_terms_in_an_activity_query_agree_with_the_computer_query(
        seed in 0u64..200,
        groups in computer_query(),
    ) {
        let engine = common::demo(seed, 30, 300);
        let cq = written(&groups, "");
        let aq = written(&groups, "computer:");
        let chosen: std::collections::HashSet<u64> = engine
            .computers_page(&cq, u64::MAX, 0)
            .unwrap()
            .results
            .iter()
            .map(|c| c.id)
            .collect();
        let all = engine.activities("NOT type:ActivityGroup", u64::MAX, 0).unwrap().results;
        let expected: Vec<u64> = all
            .iter()
            .filter(|a| a.computer().is_some_and(|c| chosen.contains(&c)))
            .map(|a| a.id)
            .collect();
        let matched: Vec<u64> = engine
            .activities(&format!("{aq} NOT type:ActivityGroup"), u64::MAX, 0)
            .unwrap()
            .results
            .iter()
            .filter(|a| a.computer().is_some())
            .map(|a| a.id)
            .collect();
        prop_assert_eq!(matched, expected, "{} / {}", cq, aq);
    }
}
