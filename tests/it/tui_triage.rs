//! The triage screens beside the clusters: the health picture (its counts
//! against the API's, its cost on a Landscape's own routes), the columns
//! an operator chooses, and why an activity waits, from a real server.

use crate::common;
use crate::common::tui::said;

use std::time::Duration;

use chrono::Duration as Span;
use common::TestServer;
use common::proxy::{Hide, Proxy};
use common::tui::{answer, command, draw, feed, key, loaded, screen, typed};
use landscape_tui::backend::Backend;
use landscape_tui::backend::health::{self, HOURS};
use landscape_tui::backend::remote::{ApiChoice, RemoteBackend};
use landscape_tui::model::ActivityStatus;
use landscape_tui::tui::event::{Call, Command};
use landscape_tui::tui::list_columns::ListColumn;
use ratatui::crossterm::event::KeyCode;

fn count(e: &landscape_tui::engine::Engine, q: &str) -> u64 {
    e.activities(q, 0, 0).unwrap().count
}

#[test]
fn h_shows_the_querys_activities_by_status_and_failures_per_hour() {
    let engine = common::demo(7, 40, 3_000);
    let mut app = loaded(&engine, (160, 45));
    let c = typed(&mut app, "/computer:tag:web");
    let mut c2 = c;
    c2.extend(feed(
        &mut app,
        [common::tui::code(KeyCode::Enter), key('H')],
    ));
    assert!(
        c2.iter()
            .any(|c| matches!(c, Command::Call(Call::FetchHealth { .. }))),
        "{c2:?}"
    );
    answer(&mut app, &engine, c2);
    let h = app.health.health.clone().expect("counted");
    assert_eq!(h.query, "computer:tag:web");
    // Each status's count is the API's own count of that query.
    for (status, n) in &h.by_status {
        let q = format!(
            "computer:tag:web NOT type:ActivityGroup status:{}",
            status.as_str()
        );
        assert_eq!(*n, count(&engine, &q), "{q}");
    }
    assert_eq!(
        h.total(),
        count(&engine, "computer:tag:web NOT type:ActivityGroup")
    );
    // The hours partition the last day's failures.
    assert_eq!(h.failed_per_hour.len(), HOURS);
    let since = h.since.format("%Y-%m-%dT%H:%M");
    let day = count(
        &engine,
        &format!("computer:tag:web NOT type:ActivityGroup status:failed created-after:{since}"),
    );
    assert_eq!(h.failed_per_hour.iter().sum::<u64>(), day);
    assert!(day > 0, "the demo fails something every day");
    let text = screen(&draw(&app));
    let succeeded = h
        .by_status
        .iter()
        .find(|(s, _)| *s == ActivityStatus::Succeeded)
        .unwrap()
        .1;
    assert!(
        text.contains(&format!(
            "succeeded {}",
            landscape_tui::printable::thousands(succeeded)
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("{day} failed in 24 h, per hour")),
        "{text}"
    );
    assert!(text.contains('█'), "the stacked bar: {text}");
    // H again hides it; the list gets its rows back.
    feed(&mut app, [key('H')]);
    assert!(!screen(&draw(&app)).contains("failed in 24 h"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_picture_costs_the_same_on_any_account_on_landscapes_routes() {
    let mut costs = Vec::new();
    for activities in [2_000, 40_000] {
        let s = TestServer::start_with(common::frozen(common::demo(5, 60, activities))).await;
        let proxy = Proxy::start(&s.base, Hide::TopLevel, Duration::ZERO).await;
        let remote =
            RemoteBackend::new(s.access_key_options(&proxy.base, ApiChoice::Rest)).unwrap();
        remote.activity_types().await.unwrap();
        let now = s.backend.read().now();
        proxy.reset();
        let h = health::load(remote.as_ref(), "", now).await.unwrap();
        costs.push(proxy.requests());
        let local = health::load(s.backend.as_ref(), "", now).await.unwrap();
        assert_eq!(h, local, "the server's counts are the engine's");
    }
    assert_eq!(costs[0], costs[1], "{costs:?}");
    assert_eq!(
        costs[0],
        9 + HOURS as u64,
        "a count per status and per hour"
    );
}

#[test]
fn columns_are_chosen_on_the_command_line_and_in_the_config() {
    let engine = common::demo(7, 40, 3_000);
    let mut app = loaded(&engine, (160, 45));
    let c = command(&mut app, "columns status id creator computer summary");
    answer(&mut app, &engine, c);
    assert_eq!(
        app.prefs.columns,
        [
            ListColumn::Status,
            ListColumn::Id,
            ListColumn::Creator,
            ListColumn::Computer,
            ListColumn::Summary
        ]
    );
    let text = screen(&draw(&app));
    let header = text.lines().find(|l| l.contains("summary")).unwrap();
    let at = |w: &str| header.find(w).unwrap_or_else(|| panic!("{w} in {header}"));
    assert!(
        at("status") < at(" id ") && at(" id ") < at("creator") && at("creator") < at("computer")
    );
    assert!(!header.contains("type"), "{header}");
    // The rows say what the columns name: the first row's id and creator.
    let first = app.list.rows[0].clone();
    let row = text
        .lines()
        .find(|l| l.contains(&first.id.to_string()))
        .unwrap();
    let creator = first.creator.get().unwrap().name.get().unwrap().clone();
    assert!(row.contains(&creator), "{row}");
    // A mistake is said and changes nothing.
    let c = command(&mut app, "columns status colour");
    answer(&mut app, &engine, c);
    assert!(said(&app).contains("no column \"colour\""));
    assert_eq!(app.prefs.columns.len(), 5);

    // The config's [list] columns, and its mistakes at their line.
    let config = landscape_tui::config::Config::parse(
        "[list]\ncolumns = [\"id\", \"created-at\", \"duration\", \"summary\"]\n",
    )
    .unwrap();
    let settings = landscape_tui::settings::Settings::from_config(&config, false).unwrap();
    assert_eq!(
        settings.looks.columns,
        [
            ListColumn::Id,
            ListColumn::CreatedAt,
            ListColumn::Duration,
            ListColumn::Summary
        ]
    );
    let bad =
        landscape_tui::config::Config::parse("\n[list]\ncolumns = [\"id\", \"idd\"]\n").unwrap();
    let e = landscape_tui::settings::Settings::from_config(&bad, false)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 3") && e.contains("no column \"idd\""),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn why_it_waits_reads_the_computers_last_contact_from_the_server() {
    let s = TestServer::start_with(common::frozen(common::demo(7, 40, 3_000))).await;
    let remote = RemoteBackend::new(s.access_key_options(&s.base, ApiChoice::Rest)).unwrap();
    let now = s.backend.read().now();
    // The kiosk rollout: queued on the kiosks that went offline.
    let queued = remote
        .activities("computer:tag:kiosk status:undelivered", 10, 0)
        .await
        .unwrap()
        .results;
    assert!(!queued.is_empty());
    let mut app = common::tui::remote_app(&s.base, (160, 45));
    app.clock.now = now;
    let ids: Vec<u64> = queued.iter().filter_map(|a| a.computer()).collect();
    common::tui::drive_remote(
        &mut app,
        remote.as_ref(),
        vec![Command::Call(Call::FetchComputers(ids))],
    )
    .await;
    let why = app.why_waiting(&queued[0]).unwrap();
    assert!(why[0].starts_with("Queued for kiosk-store-"), "{why:?}");
    assert!(why[1].contains("has not pinged for"), "{why:?}");
    // A computer in touch pinged within the client's 30 s.
    let first = s.backend.read().computers().next().unwrap().id;
    let web = remote.computers_by_id(&[first]).await.unwrap();
    let contact = landscape_tui::model::waiting::Contact::of(&web[0]);
    if !landscape_tui::engine::offline(&web[0]) {
        assert!(now - contact.last_ping.unwrap() < Span::seconds(30));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_clock_reaches_the_client_so_today_is_the_datasets() {
    // A dataset frozen on 2024-06-01: its "today" is not the wall's.
    let s = TestServer::start_with(common::frozen(common::demo(7, 10, 200))).await;
    let engine_now = s.backend.read().now();
    let answer = reqwest::get(format!("{}/api/v2/about", s.base))
        .await
        .unwrap();
    let date = answer.headers()[reqwest::header::DATE].to_str().unwrap();
    assert_eq!(
        date,
        engine_now.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
    );

    for api in [ApiChoice::Rest, ApiChoice::Legacy] {
        let remote = RemoteBackend::new(s.access_key_options(&s.base, api)).unwrap();
        assert_eq!(remote.now(), None, "no answer yet, no clock");
        remote.activities("", 1, 0).await.unwrap();
        let told = remote.now().unwrap();
        assert!(
            (told - engine_now).num_seconds().abs() <= 2,
            "{api:?}: {told}"
        );

        // The dashboard reads "today" on that clock: the view and a typed
        // relative date expand to the dataset's day.
        let mut app = common::tui::remote_app(&s.base, (120, 30));
        app.clock.server_skew = told - app.clock.now;
        feed(&mut app, [key('3')]);
        assert_eq!(
            app.query.editor.text(),
            "status:failed created-after:2024-06-01T00:00"
        );
        let bar = screen(&draw(&app));
        assert!(bar.contains("created-after:2024-06-01T00:00"), "{bar}");
    }
}
