//! The dashboard's backend against a real Landscape's routes: `serve`
//! behind a proxy that hides our `/top-level` extension (REST) or all of
//! REST (the legacy API), counting what crosses it. A page, `G` and a
//! refresh each cost a handful of requests, not a scan of the account.

use crate::common;
use crate::common::tui::said;

use std::sync::Arc;
use std::time::Duration;

use common::TestServer;
use common::proxy::{Hide, Proxy};
use landscape_tui::backend::Backend;
use landscape_tui::backend::remote::{
    ApiChoice, RemoteBackend, RemoteCredentials, RemoteOptions, Secret,
};

/// How often the client looks for what is new, shortened for the test.
const REFRESH: Duration = Duration::from_millis(400);

fn client(s: &TestServer, proxy: &Proxy, api: ApiChoice) -> Arc<RemoteBackend> {
    let mut o = s.access_key_options(&proxy.base, api);
    o.poll_interval = REFRESH;
    RemoteBackend::new(o).unwrap()
}

/// What one step cost: requests and bytes through the proxy.
async fn cost<T, F>(proxy: &Proxy, step: F) -> (T, u64, u64)
where
    F: std::future::Future<Output = T>,
{
    proxy.reset();
    let out = step.await;
    (out, proxy.requests(), proxy.bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_the_end_and_refreshes_cost_what_is_shown() {
    let s = TestServer::start_with(common::frozen(common::demo(11, 80, 30_000))).await;
    for (hide, api) in [
        (Hide::TopLevel, ApiChoice::Rest),
        (Hide::Rest, ApiChoice::Legacy),
    ] {
        let proxy = Proxy::start(&s.base, hide, Duration::ZERO).await;
        let remote = client(&s, &proxy, api);
        let what = format!("{hide:?}");
        // What the engine itself lists, as of this round.
        let all = s.backend.top_level("", u64::MAX, 0).await.unwrap();
        // Log in and learn the API outside the counts.
        remote.activity_types().await.unwrap();

        let (first, requests, bytes) = cost(&proxy, remote.top_level("", 400, 0)).await;
        let first = first.unwrap();
        let ids = |p: &landscape_tui::model::RowPage| -> Vec<u64> {
            p.rows.results.iter().map(|a| a.id).collect()
        };
        let want: Vec<u64> = ids(&all);
        assert_eq!(ids(&first), want[..400], "{what}: the first screen's rows");
        assert_eq!(
            first.activity_count, all.activity_count,
            "{what}: activities counted exactly"
        );
        assert!(first.rows_estimated, "{what}: rows not all read");
        // The legacy API has no count: it is probed, about 2·log2(n) tiny pages.
        eprintln!("{what}: first screen {requests} requests, {bytes} bytes");
        let budget = if hide == Hide::Rest { 30 } else { 5 };
        assert!(
            requests <= budget,
            "{what}: first screen {requests} requests"
        );
        assert!(bytes < 4_000_000, "{what}: first screen {bytes} bytes");

        // `G`: at the end the first page tells, then where the answer says.
        let mut end_at = first.rows.count;
        proxy.reset();
        let mut end = remote.top_level("", 400, end_at - 200).await.unwrap();
        while end.rows.count != end_at {
            end_at = end.rows.count;
            end = remote
                .top_level("", 400, end_at.saturating_sub(200))
                .await
                .unwrap();
        }
        let g = proxy.requests();
        eprintln!("{what}: G {g} requests, {} bytes", proxy.bytes());
        assert!(g <= 8, "{what}: G {g} requests");
        let tail = ids(&end);
        assert_eq!(
            tail,
            want[want.len() - tail.len()..],
            "{what}: the last rows"
        );

        // Idle, nothing new: a refresh asks for the newest few and re-reads
        // the rows shown that are not final yet.
        tokio::time::sleep(REFRESH).await;
        let (again, requests, bytes) = cost(&proxy, remote.top_level("", 40, 0)).await;
        assert_eq!(ids(&again.unwrap()), want[..40], "{what}");
        eprintln!("{what}: idle refresh {requests} requests, {bytes} bytes");
        assert!(requests <= 2, "{what}: idle refresh {requests} requests");
        assert!(bytes <= 100_000, "{what}: idle refresh {bytes} bytes");

        // Something new on top: the refresh shows it, still cheaply.
        let finished = s
            .backend
            .activities("status:succeeded NOT type:ActivityGroup", 1, 0)
            .await
            .unwrap()
            .results[0]
            .id;
        let new = s.backend.reapply(&[finished]).await.unwrap();
        tokio::time::sleep(REFRESH).await;
        let (fresh, requests, bytes) = cost(&proxy, remote.top_level("", 40, 0)).await;
        let fresh = fresh.unwrap();
        eprintln!("{what}: refresh with news {requests} requests, {bytes} bytes");
        let new_row = new[0].parent().unwrap_or(new[0].id);
        assert_eq!(
            fresh.rows.results[0].id, new_row,
            "{what}: the new activity on top"
        );
        assert_eq!(
            ids(&fresh)[1..],
            want[..39],
            "{what}: the rest moved down one"
        );
        assert!(
            requests <= 3,
            "{what}: refresh with news {requests} requests"
        );
    }
}

/// The dashboard on a Landscape without our rows route: the first screen,
/// `G` to the very last row (while the estimated end moves), fifty pages
/// down from the top, and a refresh there, each on the right activity.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_on_landscapes_routes_reaches_the_end_and_keeps_its_place() {
    use common::tui::{drive_remote, remote_app};
    use landscape_tui::tui::update::start;
    use ratatui::crossterm::event::KeyCode;
    let s = TestServer::start_with(common::frozen(common::demo(5, 60, 20_000))).await;
    let want = s.backend.top_level("", u64::MAX, 0).await.unwrap();
    let want: Vec<u64> = want.rows.results.iter().map(|a| a.id).collect();
    let key = crate::common::tui::code;
    for (hide, api) in [
        (Hide::TopLevel, ApiChoice::Rest),
        (Hide::Rest, ApiChoice::Legacy),
    ] {
        let proxy = Proxy::start(&s.base, hide, Duration::ZERO).await;
        let remote = client(&s, &proxy, api);
        let mut app = remote_app(&proxy.base, (80, 24));
        let cmds = start(&mut app);
        drive_remote(&mut app, remote.as_ref(), cmds).await;
        assert_eq!(app.list.rows[0].id, want[0], "{hide:?}");
        assert!(
            app.list.rows_estimated,
            "{hide:?}: the rows are not all read"
        );
        let title = common::tui::screen(&common::tui::draw(&app));
        assert!(
            title.contains("≈"),
            "{hide:?}: the count says it is an estimate:\n{title}"
        );

        let cmds = crate::common::tui::feed(&mut app, [key(KeyCode::End)]);
        drive_remote(&mut app, remote.as_ref(), cmds).await;
        assert_eq!(
            app.list.selected_row().map(|a| a.id),
            want.last().copied(),
            "{hide:?}: G"
        );
        assert_eq!(
            app.list.selected + 1,
            app.list.total,
            "{hide:?}: on the last row"
        );

        let mut cmds = crate::common::tui::feed(&mut app, [key(KeyCode::Home)]);
        for _ in 0..50 {
            cmds.extend(crate::common::tui::feed(&mut app, [key(KeyCode::PageDown)]));
        }
        drive_remote(&mut app, remote.as_ref(), cmds).await;
        let at = app.list.selected as usize;
        assert_eq!(
            app.list.selected_row().map(|a| a.id),
            Some(want[at]),
            "{hide:?}: pages down"
        );
        tokio::time::sleep(REFRESH).await;
        proxy.reset();
        let cmds = crate::common::tui::feed(&mut app, [key(KeyCode::Char('r'))]);
        drive_remote(&mut app, remote.as_ref(), cmds).await;
        assert_eq!(
            app.list.selected_row().map(|a| a.id),
            Some(want[at]),
            "{hide:?}: refresh"
        );
        eprintln!(
            "{hide:?}: a refresh mid-list: {} requests, {} bytes: {:?}",
            proxy.requests(),
            proxy.bytes(),
            proxy.log()
        );
    }
}

/// `activities --limit 1` over the legacy API counts the matches (probing)
/// instead of printing "1 of 2"; and the panel's query is one a server
/// accepts, counting every long-running activity in flight.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_totals_are_counted_never_made_up() {
    let s = TestServer::start_with(common::frozen(common::demo(5, 60, 6_000))).await;
    let proxy = Proxy::start(&s.base, Hide::Rest, Duration::ZERO).await;
    let remote = client(&s, &proxy, ApiChoice::Legacy);
    for query in [
        "",
        "status:succeeded",
        &landscape_tui::tui::answer::in_flight_query(),
    ] {
        let want = s.backend.activities(query, 0, 0).await.unwrap().count;
        let (list, count) = landscape_tui::export::fetch(remote.as_ref(), query, 1, 0)
            .await
            .unwrap();
        assert_eq!(list.len() as u64, want.min(1), "{query:?}");
        assert_eq!(count, want, "{query:?}");
    }
    let page = remote
        .activities(&landscape_tui::tui::answer::in_flight_query(), 1, 0)
        .await
        .unwrap();
    assert!(page.count_is_lower_bound || page.count <= 1);
}

/// The server goes away mid-session: the status line names the outage
/// with its time and the next retry, the rows are kept (dimmed), an action
/// is refused before anything is sent, every message stays readable in
/// `:messages`; when it is back the outage ends with query, cursor and
/// marks as they were. A bad password ends loading with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_is_a_state_named_until_the_server_is_back() {
    use common::tui::{draw, drive_remote, remote_app, screen};
    use landscape_tui::tui::event::Event;
    use landscape_tui::tui::update::{start, update};
    use ratatui::crossterm::event::KeyCode;
    let key = crate::common::tui::code;
    let s = TestServer::start_with(common::frozen(common::demo(5, 30, 3_000))).await;
    let mut proxy = Proxy::start(&s.base, Hide::TopLevel, Duration::ZERO).await;
    let remote = client(&s, &proxy, ApiChoice::Rest);
    let mut app = remote_app(&proxy.base, (100, 30));
    let cmds = start(&mut app);
    drive_remote(&mut app, remote.as_ref(), cmds).await;
    let mut cmds = crate::common::tui::feed(&mut app, [key(KeyCode::Char('j'))]);
    cmds.extend(crate::common::tui::feed(
        &mut app,
        [key(KeyCode::Char(' '))],
    ));
    drive_remote(&mut app, remote.as_ref(), cmds).await;
    let (selected, marked) = (app.list.selected_row().map(|a| a.id), app.marks.ids.clone());
    assert!(!marked.is_empty());

    proxy.go_away();
    let cmds = crate::common::tui::feed(&mut app, [key(KeyCode::Char('r'))]);
    drive_remote(&mut app, remote.as_ref(), cmds).await;
    let shown = screen(&draw(&app));
    assert!(
        shown.contains("✘ server unreachable since"),
        "the list's title: {shown}"
    );
    let status = shown.lines().last().unwrap_or_default().to_owned();
    assert!(status.contains("✘ server unreachable since"), "{status}");
    assert!(status.contains("· retry"), "{status}");
    assert_eq!(
        app.list.selected_row().map(|a| a.id),
        selected,
        "the rows stay"
    );
    // A later refresh still fails: the outage keeps its start.
    let since = app.status.outage.as_ref().unwrap().since;
    app.clock.now += chrono::Duration::seconds(30);
    let cmds = update(&mut app, Event::RefreshDue);
    drive_remote(&mut app, remote.as_ref(), cmds).await;
    assert_eq!(app.status.outage.as_ref().map(|o| o.since), Some(since));
    let cmds = crate::common::tui::feed(&mut app, [key(KeyCode::Char('a'))]);
    assert!(cmds.is_empty(), "nothing is sent: {cmds:?}");
    let said = said(&app).to_owned();
    assert!(
        said.contains("server unreachable since") && said.starts_with("not sent: "),
        "{said}"
    );
    let mut cmds = crate::common::tui::feed(&mut app, [key(KeyCode::Char(':'))]);
    for c in "messages".chars() {
        cmds.extend(crate::common::tui::feed(&mut app, [key(KeyCode::Char(c))]));
    }
    cmds.extend(crate::common::tui::feed(&mut app, [key(KeyCode::Enter)]));
    assert!(cmds.is_empty());
    let shown = screen(&draw(&app));
    assert!(shown.contains("Messages, newest first"), "{shown}");
    assert!(
        shown.contains("server unreachable: could not connect"),
        "the error whole: {shown}"
    );
    crate::common::tui::feed(&mut app, [key(KeyCode::Esc)]);

    proxy.come_back().await;
    let cmds = crate::common::tui::feed(&mut app, [key(KeyCode::Char('r'))]);
    drive_remote(&mut app, remote.as_ref(), cmds).await;
    assert!(app.status.outage.is_none());
    let shown = screen(&draw(&app));
    assert!(!shown.contains("✘ server unreachable"), "{shown}");
    assert_eq!(app.list.selected_row().map(|a| a.id), selected);
    assert_eq!(app.marks.ids, marked);

    // A bad password: loading ends, with the reason.
    let mut o = RemoteOptions::new(
        format!("{}/api/", proxy.base),
        RemoteCredentials::Password {
            email: s.credentials.email.clone(),
            password: Secret::new("wrong"),
            account: None,
        },
    );
    o.api = ApiChoice::Rest;
    let wrong = RemoteBackend::new(o).unwrap();
    let mut app = remote_app(&proxy.base, (100, 30));
    let cmds = start(&mut app);
    drive_remote(&mut app, wrong.as_ref(), cmds).await;
    let shown = screen(&draw(&app));
    assert!(
        shown.contains("Activities — credentials refused"),
        "{shown}"
    );
    assert!(!shown.contains("loading"), "{shown}");
}

/// Computers are read by id, 100 a request, and kept: with a group of
/// 98 waiting children open on a real Landscape's routes, the first
/// look reads their computers in one request (two titles and contacts
/// reads at most), and half a minute of idle refreshes reads none again;
/// `r` reads them once more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_group_reads_its_computers_once() {
    use common::tui::{drive_remote, remote_app};
    use landscape_tui::engine::Engine;
    use landscape_tui::tui::event::Event;
    use landscape_tui::tui::update::{start, update};
    use ratatui::crossterm::event::KeyCode;
    let statuses = vec!["undelivered"; 98];
    let engine = Engine::from_dataset_str(&common::rollout_of(&statuses)).unwrap();
    let s = TestServer::start_with(common::frozen(engine)).await;
    let proxy = Proxy::start(&s.base, Hide::TopLevel, Duration::ZERO).await;
    let remote = client(&s, &proxy, ApiChoice::Rest);
    let mut app = remote_app(&proxy.base, (160, 40));
    let cmds = start(&mut app);
    drive_remote(&mut app, remote.as_ref(), cmds).await;
    let computer_reads = |log: Vec<String>| log.iter().filter(|l| l.contains("computers")).count();
    proxy.reset();
    let mut cmds = crate::common::tui::typed(&mut app, "/id:500");
    cmds.extend(crate::common::tui::feed(
        &mut app,
        [crate::common::tui::code(KeyCode::Enter)],
    ));
    drive_remote(&mut app, remote.as_ref(), cmds).await;
    assert_eq!(app.children.rows.len(), 98);
    assert!(
        app.children.rows.iter().all(|c| c
            .computer()
            .is_some_and(|id| app.fleet.contacts.contains_key(&id))),
        "the children's computers are known"
    );
    let first = computer_reads(proxy.log());
    assert!((1..=2).contains(&first), "{first}: {:?}", proxy.log());
    proxy.reset();
    for _ in 0..6 {
        app.clock.now += chrono::Duration::seconds(5);
        let cmds = update(&mut app, Event::RefreshDue);
        drive_remote(&mut app, remote.as_ref(), cmds).await;
    }
    assert_eq!(
        computer_reads(proxy.log()),
        0,
        "idle refreshes read computers: {:?}",
        proxy.log()
    );
    assert_eq!(app.children.rows.len(), 98);
    let cmds = crate::common::tui::feed(&mut app, [crate::common::tui::key('r')]);
    drive_remote(&mut app, remote.as_ref(), cmds).await;
    assert!(computer_reads(proxy.log()) >= 1, "r reads them again");
}

/// `G` and a far jump on a filtered query whose matches are mostly
/// children cost the same few requests at two account sizes: the fold
/// reads where the rows are and the parents of what it read, never the
/// match list from the top.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn far_jumps_on_a_filtered_query_cost_a_page_at_any_size() {
    // Per-computer work: far more matching children than groups.
    const QUERY: &str = "computer:tag:web";
    let mut costs = Vec::new();
    for activities in [20_000, 80_000] {
        let s = TestServer::start_with(common::frozen(common::demo(5, 200, activities))).await;
        let all = s.backend.top_level(QUERY, u64::MAX, 0).await.unwrap();
        let want: Vec<u64> = all.rows.results.iter().map(|a| a.id).collect();
        assert!(
            all.activity_count > want.len() as u64 * 3 / 2,
            "mostly children: {} matches, {} rows",
            all.activity_count,
            want.len()
        );
        for (hide, api) in [
            (Hide::TopLevel, ApiChoice::Rest),
            (Hide::Rest, ApiChoice::Legacy),
        ] {
            let proxy = Proxy::start(&s.base, hide, Duration::ZERO).await;
            let remote = client(&s, &proxy, api);
            let what = format!("{activities} activities, {hide:?}");
            remote.activity_types().await.unwrap();
            let first = remote.top_level(QUERY, 400, 0).await.unwrap();

            // G, as the dashboard asks it: at the end it knows, then at
            // the end the answer says.
            proxy.reset();
            let mut end_at = first.rows.count;
            let mut end = remote
                .top_level(QUERY, 400, end_at.saturating_sub(200))
                .await
                .unwrap();
            while end.rows.count != end_at {
                end_at = end.rows.count;
                end = remote
                    .top_level(QUERY, 400, end_at.saturating_sub(200))
                    .await
                    .unwrap();
            }
            let g = proxy.requests();
            let tail: Vec<u64> = end.rows.results.iter().map(|a| a.id).collect();
            assert!(tail.len() >= 150, "{what}: {} rows at the end", tail.len());
            assert_eq!(
                tail,
                want[want.len() - tail.len()..],
                "{what}: the last rows"
            );
            assert!(
                end.rows_estimated,
                "{what}: the count is said to be an estimate"
            );
            let off = end.rows.count.abs_diff(want.len() as u64);
            assert!(
                off * 10 <= want.len() as u64,
                "{what}: ≈{} rows said, {} true",
                end.rows.count,
                want.len()
            );

            // A jump to the middle.
            proxy.reset();
            let middle = remote
                .top_level(QUERY, 400, end.rows.count / 2)
                .await
                .unwrap();
            let jump = proxy.requests();
            let run: Vec<u64> = middle.rows.results.iter().map(|a| a.id).collect();
            let at = want
                .iter()
                .position(|id| Some(id) == run.first())
                .expect("rows of the query");
            assert_eq!(
                run,
                want[at..at + run.len()],
                "{what}: the middle rows in order"
            );
            assert!(run.len() >= 300, "{what}: {} rows in the middle", run.len());
            eprintln!(
                "{what}: {} rows ({} matches), G {g} requests, middle {jump} requests",
                want.len(),
                all.activity_count,
            );
            assert!(g <= 6, "{what}: G {g} requests");
            assert!(jump <= 8, "{what}: a far jump {jump} requests");
            costs.push((hide, g + jump));
        }
    }
    // The larger account costs what the smaller does, give or take a read.
    for hide in [Hide::TopLevel, Hide::Rest] {
        let of: Vec<u64> = costs.iter().filter(|c| c.0 == hide).map(|c| c.1).collect();
        assert!(
            of[1] <= of[0] + 2,
            "{hide:?}: {of:?} requests at 20k and 80k"
        );
    }
}

/// On Landscape's own routes, an idle dashboard with a finished group open
/// reads neither the group's children nor its computers again: a refresh
/// costs the same few requests with 20 children or 90.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_finished_group_costs_the_same_at_any_size() {
    use common::tui::{drive_remote, remote_app};
    use landscape_tui::engine::Engine;
    use landscape_tui::tui::event::Event;
    use landscape_tui::tui::update::{start, update};
    use ratatui::crossterm::event::KeyCode;
    let mut costs = Vec::new();
    for children in [20, 90] {
        let statuses: Vec<&str> = (0..children)
            .map(|i| if i % 3 == 0 { "failed" } else { "succeeded" })
            .collect();
        let engine = Engine::from_dataset_str(&common::rollout_of(&statuses)).unwrap();
        let s = TestServer::start_with(common::frozen(engine)).await;
        let proxy = Proxy::start(&s.base, Hide::TopLevel, Duration::ZERO).await;
        let remote = client(&s, &proxy, ApiChoice::Rest);
        let mut app = remote_app(&proxy.base, (80, 24));
        let cmds = start(&mut app);
        drive_remote(&mut app, remote.as_ref(), cmds).await;
        let mut cmds = crate::common::tui::typed(&mut app, "/id:500");
        cmds.extend(crate::common::tui::feed(
            &mut app,
            [crate::common::tui::code(KeyCode::Enter)],
        ));
        drive_remote(&mut app, remote.as_ref(), cmds).await;
        assert_eq!(app.children.parent, Some(500));
        assert_eq!(app.children.rows.len(), children);
        proxy.reset();
        for _ in 0..6 {
            app.clock.now += chrono::Duration::seconds(5);
            tokio::time::sleep(REFRESH).await;
            let cmds = update(&mut app, Event::RefreshDue);
            drive_remote(&mut app, remote.as_ref(), cmds).await;
        }
        let log = proxy.log();
        let side = log
            .iter()
            .filter(|l| l.contains("parent-id") || l.contains("computers"))
            .count();
        assert_eq!(side, 0, "{children} children: side reads {log:?}");
        assert_eq!(app.children.rows.len(), children);
        costs.push(proxy.requests());
    }
    assert_eq!(
        costs[0], costs[1],
        "requests in six idle refreshes at 20 and 90 children"
    );
}

/// A slow children read on Landscape's own routes: while the open group's
/// children are still on their way, six refreshes read the list and
/// nothing of the children; once the read answers, the next refresh
/// reads them again. The same requests at 20 and 90 children.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn children_still_loading_are_not_read_again_at_any_size() {
    use common::tui::{drive_remote, remote_app};
    use landscape_tui::engine::Engine;
    use landscape_tui::tui::answer;
    use landscape_tui::tui::app::App;
    use landscape_tui::tui::event::{Call, Command, Event};
    use landscape_tui::tui::update::{start, update};
    use ratatui::crossterm::event::KeyCode;
    /// Drives `cmds` to their end, holding back every children read.
    async fn holding_children(
        app: &mut App,
        backend: &dyn Backend,
        mut cmds: Vec<Command>,
        held: &mut Vec<Command>,
    ) {
        while let Some(c) = cmds.pop() {
            match c {
                Command::Call(Call::FetchChildren { .. }) => held.push(c),
                Command::Call(call) => {
                    if let Some(e) = answer::answer(backend, call).await {
                        cmds.extend(update(app, e));
                    }
                }
                Command::Effect(_) => {}
            }
        }
    }
    let children_reads = |log: &[String]| log.iter().filter(|l| l.contains("parent-id")).count();
    let mut costs = Vec::new();
    for children in [20, 90] {
        // Still moving: the group is never settled, so only the read under
        // way keeps a refresh from asking again.
        let statuses = vec!["delivered"; children];
        let engine = Engine::from_dataset_str(&common::rollout_of(&statuses)).unwrap();
        let s = TestServer::start_with(common::frozen(engine)).await;
        let proxy = Proxy::start(&s.base, Hide::TopLevel, Duration::ZERO).await;
        let remote = client(&s, &proxy, ApiChoice::Rest);
        let mut app = remote_app(&proxy.base, (80, 24));
        let mut held = Vec::new();
        let cmds = start(&mut app);
        holding_children(&mut app, remote.as_ref(), cmds, &mut held).await;
        let mut cmds = common::tui::typed(&mut app, "/id:500");
        cmds.extend(common::tui::feed(
            &mut app,
            [common::tui::code(KeyCode::Enter)],
        ));
        holding_children(&mut app, remote.as_ref(), cmds, &mut held).await;
        assert_eq!(app.children.parent, Some(500));
        assert!(app.children.loading, "its children's read is out");
        proxy.reset();
        for _ in 0..6 {
            app.clock.now += chrono::Duration::seconds(5);
            tokio::time::sleep(REFRESH).await;
            let cmds = update(&mut app, Event::RefreshDue);
            holding_children(&mut app, remote.as_ref(), cmds, &mut held).await;
        }
        let log = proxy.log();
        assert_eq!(children_reads(&log), 0, "{children} children: {log:?}");
        assert!(
            log.iter().any(|l| l.contains("/activities")),
            "the list is read: {log:?}"
        );
        costs.push(proxy.requests());
        // The read under way (the newest: the runtime stops older ones)
        // answers; the next refresh reads them again.
        let newest = held.pop().expect("the group's children were asked for");
        drive_remote(&mut app, remote.as_ref(), vec![newest]).await;
        assert_eq!(app.children.rows.len(), children);
        proxy.reset();
        let cmds = update(&mut app, Event::RefreshDue);
        drive_remote(&mut app, remote.as_ref(), cmds).await;
        assert_eq!(children_reads(&proxy.log()), 1, "{:?}", proxy.log());
    }
    assert_eq!(
        costs[0], costs[1],
        "requests in six refreshes with the children still on their way, at 20 and 90"
    );
}
