//! `:clusters`: the failures a query matches, grouped by what went wrong.
//! The clusters partition exactly the failed matches, a cluster shown
//! alone is exactly its members, and the dashboard gets there and back.

use std::collections::BTreeSet;

use landscape_tui::backend::Backend;
use landscape_tui::backend::clusters::{failures_query, load};
use landscape_tui::engine::Engine;
use landscape_tui::model::failure::{FailureKey, Narrowing, narrowing};
use landscape_tui::tui::app::{App, Dialog};
use landscape_tui::tui::event::{Call, Command};
use proptest::prelude::*;
use ratatui::crossterm::event::KeyCode;

use crate::common;
use common::tui::{answer, code, draw, feed, key, loaded, screen};

/// Queries of the kinds an operator clusters under.
const QUERIES: [&str; 6] = [
    "",
    "computer:tag:web",
    "type:ChangePackagesRequest",
    "NOT type:ExecuteScriptRequest",
    "created-after:2024-05-20",
    "computer:tag:kiosk OR computer:tag:laptop",
];

fn ids_of(backend: &dyn Backend, rt: &tokio::runtime::Runtime, query: &str) -> BTreeSet<u64> {
    rt.block_on(backend.activities(query, u64::MAX, 0))
        .unwrap()
        .results
        .iter()
        .map(|a| a.id)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn clusters_partition_the_failed_matches_and_each_narrows_to_itself(
        seed in 0u64..1_000,
        computers in 3usize..30,
        activities in 40usize..900,
        q in 0usize..QUERIES.len(),
    ) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let backend = common::frozen(common::demo(seed, computers, activities));
        let query = QUERIES[q];
        let report = rt.block_on(load(backend.as_ref(), query)).unwrap();
        let failed = ids_of(backend.as_ref(), &rt, &failures_query(query));
        prop_assert_eq!(report.failed, failed.len() as u64);
        prop_assert!(report.complete());
        // Every failed match is in exactly one cluster, and nothing else is.
        let mut seen = BTreeSet::new();
        for c in &report.clusters {
            for id in &c.ids {
                prop_assert!(seen.insert(*id), "{} is in two clusters", id);
            }
        }
        prop_assert_eq!(&seen, &failed);
        // Members share their cluster's key; clusters come largest first.
        for c in &report.clusters {
            for id in &c.ids {
                let a = rt.block_on(backend.activity(*id)).unwrap();
                prop_assert_eq!(&FailureKey::of(&a), &c.key);
            }
        }
        prop_assert!(report.clusters.windows(2).all(|w| w[0].count() >= w[1].count()));
        // Shown alone, a cluster is exactly its members: by a query, or
        // marked inside one that holds them.
        for i in 0..report.clusters.len() {
            let members: BTreeSet<u64> = report.clusters[i].ids.iter().copied().collect();
            match narrowing(query, &report.clusters, i, report.complete()) {
                Narrowing::Query(q) => {
                    let shown: BTreeSet<u64> = ids_of(backend.as_ref(), &rt, &failures_query(&q));
                    prop_assert_eq!(&shown, &members, "{}", q);
                }
                Narrowing::Marked { query: q, ids } => {
                    let shown = ids_of(backend.as_ref(), &rt, &q);
                    prop_assert_eq!(ids.iter().copied().collect::<BTreeSet<u64>>(), members.clone());
                    prop_assert!(members.is_subset(&shown), "{}", q);
                }
            }
        }
    }
}

/// A demo account with many kinds of failure, frozen.
fn failing() -> Engine {
    common::demo(7, 40, 3_000)
}

fn opened(engine: &Engine, size: (u16, u16)) -> App {
    let mut app = loaded(engine, size);
    let c = feed(&mut app, [key('F')]);
    assert!(
        c.iter()
            .any(|c| matches!(c, Command::Call(Call::FetchClusters { .. }))),
        "{c:?}"
    );
    answer(&mut app, engine, c);
    app
}

#[test]
fn f_shows_the_failures_grouped_largest_first_with_an_example() {
    let engine = failing();
    let app = opened(&engine, (160, 45));
    assert_eq!(app.dialog, Some(Dialog::Clusters));
    let report = app.clusters.report.as_ref().unwrap();
    let failed = engine
        .activities("status:failed NOT type:ActivityGroup", 0, 0)
        .unwrap()
        .count;
    assert_eq!(report.failed, failed);
    assert!(report.clusters.len() > 5, "{}", report.clusters.len());
    let text = screen(&draw(&app));
    assert!(text.contains("Failure clusters: every failure"), "{text}");
    assert!(
        text.contains(&format!("{failed} failed in")),
        "the count is said: {text}"
    );
    // Fifty held dpkg locks are one cluster, whichever process held them.
    assert!(
        text.contains("It is held by process <n> (unattended-upgr)"),
        "{text}"
    );
    // The example is one failure, whole (its other lines too).
    let first = &report.clusters[0];
    assert!(
        text.contains(&format!("Example: activity {}", first.example.id)),
        "{text}"
    );
}

#[test]
fn enter_narrows_the_list_to_the_cluster_and_esc_comes_back() {
    let engine = failing();
    let mut app = opened(&engine, (160, 45));
    let before = app.query.applied.clone();
    // The second cluster, by a query Landscape's language can say.
    let c = feed(&mut app, [code(KeyCode::Down), code(KeyCode::Enter)]);
    answer(&mut app, &engine, c);
    assert_eq!(app.dialog, None);
    let report = app.clusters.report.clone().unwrap();
    let members: BTreeSet<u64> = report.clusters[1].ids.iter().copied().collect();
    match narrowing("", &report.clusters, 1, true) {
        Narrowing::Query(q) => {
            assert_eq!(app.query.applied, q);
            let matched: BTreeSet<u64> = engine
                .activities(&failures_query(&q), u64::MAX, 0)
                .unwrap()
                .results
                .iter()
                .map(|a| a.id)
                .collect();
            assert_eq!(matched, members);
        }
        Narrowing::Marked { query, .. } => {
            assert_eq!(app.query.applied, query);
            assert!(members.iter().all(|id| app.marks.ids.contains(id)));
        }
    }
    assert!(app.list.total > 0);
    let c = feed(&mut app, [code(KeyCode::Esc)]);
    answer(&mut app, &engine, c);
    assert_eq!(
        app.query.applied, before,
        "Back returns to the list clustered"
    );
}

#[test]
fn a_large_cluster_the_language_cannot_name_is_marked_inside_its_type() {
    let engine = common::demo(3, 60, 40_000);
    let mut app = opened(&engine, (160, 45));
    let report = app.clusters.report.clone().unwrap();
    let i = (0..report.clusters.len())
        .find(|i| {
            matches!(
                narrowing("", &report.clusters, *i, true),
                Narrowing::Marked { .. }
            )
        })
        .expect("a cluster of more than 100 sharing its type with another");
    app.clusters.selected = i;
    let c = feed(&mut app, [code(KeyCode::Enter)]);
    answer(&mut app, &engine, c);
    let cluster = &report.clusters[i];
    assert_eq!(
        app.query.applied,
        format!("status:failed type:{}", cluster.key.activity_type)
    );
    assert_eq!(app.marks.ids.len(), cluster.count());
    // What an action takes is the marked cluster: the dialog's own count.
    let (scope, picked) = app.action_scope().unwrap();
    assert_eq!(picked, format!("{} marked", cluster.count()));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let backend = common::frozen(engine.clone());
    let plan = rt
        .block_on(landscape_tui::backend::action_plan::plan(
            backend.as_ref(),
            landscape_tui::model::ActionKind::Reapply,
            &scope,
        ))
        .unwrap();
    assert_eq!(plan.changes(), cluster.count() as u64);
}

#[test]
fn a_groups_clusters_are_its_own_and_c_opens_a_computer_of_one() {
    let engine = failing();
    let mut app = loaded(&engine, (160, 45));
    // A group with a failed child, its children open.
    let group = engine
        .activities("type:ActivityGroup status:failed", 1, 0)
        .unwrap()
        .results[0]
        .id;
    let c = feed(&mut app, [key('/')]);
    answer(&mut app, &engine, c);
    let c = common::tui::typed(&mut app, &format!("id:{group}"));
    answer(&mut app, &engine, c);
    let c = feed(&mut app, [code(KeyCode::Enter), code(KeyCode::Enter)]);
    answer(&mut app, &engine, c);
    assert_eq!(app.children.parent, Some(group));
    let c = feed(&mut app, [key('F')]);
    answer(&mut app, &engine, c);
    assert_eq!(app.clusters.base, format!("parent-id:{group}"));
    let report = app.clusters.report.clone().unwrap();
    let children_failed = engine
        .activities(&format!("parent-id:{group} status:failed"), 0, 0)
        .unwrap()
        .count;
    assert_eq!(report.failed, children_failed);
    let text = screen(&draw(&app));
    assert!(
        text.contains(&format!("the failures of group {group}")),
        "{text}"
    );
    // Tab to the computers, C opens the first one's activities.
    let computer = report.clusters[0].computers[0];
    let c = feed(&mut app, [code(KeyCode::Tab), key('C')]);
    answer(&mut app, &engine, c);
    assert_eq!(app.query.applied, format!("computer:id:{computer}"));
    let c = feed(&mut app, [code(KeyCode::Esc)]);
    answer(&mut app, &engine, c);
    assert_eq!(app.query.applied, format!("id:{group}"));
}
