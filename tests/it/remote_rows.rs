//! The dashboard's rows over HTTP are exactly the engine's: same ids, same
//! order, same counts, page by page to the end, for queries that match
//! parents, standalone activities and only some children — through the
//! server's own rows route (REST) and through the client's lazy fold of
//! raw pages (the legacy API, as against a Landscape without that route),
//! read from the top or jumped to the end first.

use crate::common;

use std::sync::Arc;

use common::TestServer;
use landscape_tui::backend::Backend;

use landscape_tui::backend::remote::{ApiChoice, RemoteBackend};
use landscape_tui::engine::Engine;

fn client(s: &TestServer, api: ApiChoice) -> Arc<RemoteBackend> {
    RemoteBackend::new(s.access_key_options(&s.base, api)).unwrap()
}

const QUERIES: &[&str] = &[
    "",
    "status:failed",
    "computer:tag:web",
    "NOT status:succeeded type:ChangePackagesRequest",
    "status:unapproved OR status:canceled",
    "nginx",
];

/// `G` on a fresh client: ask at the end the first page tells, and again
/// while the answer moves it; the rows there are the engine's last.
async fn same_end(engine: &Engine, remote: &dyn Backend, what: &str) {
    for query in QUERIES {
        let want: Vec<u64> = engine
            .top_level(query, u64::MAX, 0)
            .unwrap()
            .rows
            .results
            .iter()
            .map(|a| a.id)
            .collect();
        let mut asked = remote.top_level(query, 1, 0).await.unwrap().rows.count;
        let mut end = remote
            .top_level(query, 40, asked.saturating_sub(40))
            .await
            .unwrap();
        for _ in 0..3 {
            if end.rows.count == asked {
                break;
            }
            asked = end.rows.count;
            end = remote
                .top_level(query, 40, asked.saturating_sub(40))
                .await
                .unwrap();
        }
        assert_eq!(end.rows.count, asked, "{what} {query:?}: the end settles");
        let tail: Vec<u64> = end.rows.results.iter().map(|a| a.id).collect();
        assert_eq!(
            tail,
            want[want.len().saturating_sub(tail.len())..],
            "{what} {query:?} tail"
        );
        assert!(!tail.is_empty() || want.is_empty(), "{what} {query:?}");
    }
}

async fn same_rows(engine: &Engine, remote: &dyn Backend, what: &str) {
    for query in QUERIES {
        let expected = engine.top_level(query, u64::MAX, 0).unwrap();
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let page = remote.top_level(query, 250, offset).await.unwrap();
            // A lazy fold estimates the rows until it has read them all.
            if !page.rows_estimated {
                assert_eq!(
                    page.rows.count, expected.rows.count,
                    "{what} {query:?} count"
                );
            }
            assert_eq!(
                page.activity_count, expected.activity_count,
                "{what} {query:?}"
            );
            for a in &page.rows.results {
                assert_eq!(
                    page.matching(a.id),
                    expected.matching(a.id),
                    "{what} {query:?} row {}",
                    a.id
                );
            }
            if page.rows.results.is_empty() {
                assert!(!page.rows_estimated, "{what} {query:?}: read to the end");
                assert_eq!(page.rows.count, expected.rows.count, "{what} {query:?}");
                break;
            }
            offset += page.rows.results.len() as u64;
            seen.extend(page.rows.results.into_iter().map(|a| a.id));
        }
        let want: Vec<u64> = expected.rows.results.iter().map(|a| a.id).collect();
        assert_eq!(seen, want, "{what} {query:?}: rows page by page");
        // The end of the list answers directly, as after `G`.
        let last = remote
            .top_level(query, 10, expected.rows.count.saturating_sub(10))
            .await
            .unwrap();
        let tail: Vec<u64> = last.rows.results.iter().map(|a| a.id).collect();
        assert_eq!(
            tail,
            want[want.len().saturating_sub(10)..],
            "{what} {query:?} tail"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_rows_equal_the_engine_rows_page_by_page() {
    let engine = common::demo(7, 60, 9000);
    let reference = engine.clone();
    let groups = reference
        .top_level("type:ActivityGroup", 1, 0)
        .unwrap()
        .rows
        .count;
    assert!(groups > 1000, "a demo of thousands of groups: {groups}");
    // Some queries must match only some children of a group.
    let partial = reference.top_level("computer:tag:web", 1000, 0).unwrap();
    assert!(!partial.matching_children.is_empty());
    let s = TestServer::start_with(common::frozen(engine)).await;
    same_rows(
        &reference,
        client(&s, ApiChoice::Rest).as_ref(),
        "server rows",
    )
    .await;
    same_end(&reference, client(&s, ApiChoice::Legacy).as_ref(), "folded").await;
    same_rows(&reference, client(&s, ApiChoice::Legacy).as_ref(), "folded").await;
}
