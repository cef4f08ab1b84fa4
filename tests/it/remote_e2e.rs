//! The HTTP client against `serve` on a loopback port, over both ways of
//! authenticating (REST JWT and legacy signatures): the same answers as the
//! engine gives in process, typed errors, and the dashboard driven through it.

use crate::common;
use crate::common::tui::said;

use std::sync::Arc;

use common::{TestServer, dataset};
use landscape_tui::backend::action_plan;
use landscape_tui::backend::remote::{
    ApiChoice, RemoteBackend, RemoteCredentials, RemoteOptions, Secret,
};
use landscape_tui::backend::{Backend, BackendError, Selection};
use landscape_tui::model::ActivityStatus;
use landscape_tui::model::scope::Scope;
use landscape_tui::tui::app::{App, Dialog};
use landscape_tui::tui::event::Event;
use landscape_tui::tui::update::{start, update};

fn client(s: &TestServer, api: ApiChoice, password: bool) -> Arc<RemoteBackend> {
    let credentials = if password {
        RemoteCredentials::Password {
            email: s.credentials.email.clone(),
            password: Secret::new(s.credentials.password.clone()),
            account: None,
        }
    } else {
        RemoteCredentials::AccessKey {
            key: s.credentials.access_key.clone(),
            secret: Secret::new(s.credentials.secret_key.clone()),
        }
    };
    let mut o = RemoteOptions::new(format!("{}/api/", s.base), credentials);
    o.api = api;
    RemoteBackend::new(o).unwrap()
}

async fn exercise(b: &dyn Backend, rest: bool) {
    let ids =
        |list: &[landscape_tui::model::Activity]| list.iter().map(|a| a.id).collect::<Vec<_>>();
    let page = b.activities("", 3, 1).await.unwrap();
    assert_eq!(ids(&page.results), vec![161, 160, 140]);
    if rest {
        assert_eq!(page.count, 14);
    } else {
        // The legacy API sends no count: at least the rows seen plus one more.
        assert!(page.count >= 5);
    }
    let page = b
        .activities("status:unapproved computer:tag:web", 10, 0)
        .await
        .unwrap();
    assert_eq!(ids(&page.results), vec![102, 101]);
    let top = b.top_level("computer:web-02", 10, 0).await.unwrap();
    assert_eq!(ids(&top.rows.results), vec![160, 100, 110]);
    let one = b.activity(100).await.unwrap();
    assert_eq!(one.children_count.copied(), Some(3));
    assert!(matches!(
        b.activity(4242).await,
        Err(BackendError::NotFound(4242))
    ));
    let kids = b.children(100, None).await.unwrap();
    assert_eq!(ids(&kids), vec![103, 102, 101]);
    let kids = b.children(100, Some("computer:db-01")).await.unwrap();
    assert_eq!(ids(&kids), vec![103]);
    let types = b.activity_types().await.unwrap();
    assert!(types.iter().any(|t| t == "SyncPocketRequest"));
    // A bad query is refused with the span the local parser finds.
    match b.activities("status:faild", 10, 0).await {
        Err(BackendError::InvalidQuery {
            span: Some(span),
            message,
        }) => {
            assert_eq!(span, 7..12);
            assert!(message.contains("faild"));
        }
        other => panic!("{other:?}"),
    }
    // Approve: all or nothing, with reasons.
    let plan = action_plan::plan(
        b,
        landscape_tui::model::ActionKind::Approve,
        &Scope::every_match("id:100 OR id:111"),
    )
    .await
    .unwrap();
    assert_eq!((plan.changes(), plan.refused()), (3, 1), "rest: {rest}");
    // Counts are exact over both APIs (the legacy one is probed).
    assert_eq!(b.count("").await.unwrap(), 14, "rest: {rest}");
    // The three children and their group.
    assert_eq!(
        b.count("status:unapproved").await.unwrap(),
        4,
        "rest: {rest}"
    );
    assert!(b.count("status:faild OR x").await.is_err());
    assert_eq!(b.count("nothing-matches-this").await.unwrap(), 0);
    match b.approve(&Selection::Ids(vec![101, 111])).await {
        Err(BackendError::Refused { refusals, .. }) => {
            assert_eq!(refusals.len(), 1);
            assert_eq!(refusals[0].id, 111);
            assert!(refusals[0].reason.contains("succeeded"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        b.activity(101).await.unwrap().status(),
        Some(&ActivityStatus::Unapproved)
    );
    assert_eq!(
        b.approve(&Selection::Ids(vec![101])).await.unwrap(),
        vec![101]
    );
    assert_eq!(
        b.activity(101).await.unwrap().status(),
        Some(&ActivityStatus::Undelivered)
    );
    let mut canceled = b
        .cancel(&Selection::Query("parent-id:160".into()))
        .await
        .unwrap();
    canceled.sort();
    assert_eq!(canceled, vec![161, 162]);
    if rest {
        let new = b.reapply(&[112]).await.unwrap();
        assert_eq!(new[0].status(), Some(&ActivityStatus::Undelivered));
        let new = b.revert(&[120]).await.unwrap();
        assert_eq!(&*new[0].changes.get().unwrap()[0].change_type, "remove");
        assert!(matches!(
            b.reapply(&[101]).await,
            Err(BackendError::Refused { .. })
        ));
    } else {
        let e = b.reapply(&[112]).await.unwrap_err();
        assert!(e.to_string().contains("REST API"), "{e}");
    }
}

#[tokio::test]
async fn rest_with_an_access_key() {
    let s = TestServer::start(dataset()).await;
    exercise(client(&s, ApiChoice::Auto, false).as_ref(), true).await;
}

#[tokio::test]
async fn rest_with_email_and_password() {
    let s = TestServer::start(dataset()).await;
    exercise(client(&s, ApiChoice::Rest, true).as_ref(), true).await;
}

#[tokio::test]
async fn legacy_signed_requests() {
    let s = TestServer::start(dataset()).await;
    exercise(client(&s, ApiChoice::Legacy, false).as_ref(), false).await;
}

#[tokio::test]
async fn wrong_credentials_are_an_auth_error() {
    let s = TestServer::start(dataset()).await;
    let mut o = RemoteOptions::new(
        format!("{}/api/", s.base),
        RemoteCredentials::AccessKey {
            key: "NOPE".into(),
            secret: Secret::new("x"),
        },
    );
    o.api = ApiChoice::Auto;
    let b = RemoteBackend::new(o.clone()).unwrap();
    assert!(matches!(
        b.activities("", 1, 0).await,
        Err(BackendError::Auth(_))
    ));
    o.api = ApiChoice::Legacy;
    let b = RemoteBackend::new(o).unwrap();
    assert!(matches!(
        b.activities("", 1, 0).await,
        Err(BackendError::Auth(_))
    ));
}

/// A dashboard for `s`, as the binary starts one, at `size`.
fn remote_app(s: &TestServer, size: (u16, u16)) -> App {
    common::tui::remote_app(&s.base, size)
}

#[tokio::test]
async fn the_dashboard_works_through_the_remote_backend() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let s = TestServer::start(dataset()).await;
    let backend = client(&s, ApiChoice::Auto, false);
    let mut app = remote_app(&s, (120, 40));
    let cmds = start(&mut app);
    common::tui::drive_remote(&mut app, backend.as_ref(), cmds).await;
    assert_eq!(app.list.rows.len(), 7);
    let key = |c: KeyCode| Event::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let mut cmds = crate::common::tui::feed(&mut app, [key(KeyCode::Char('/'))]);
    for c in "status:unapproved".chars() {
        cmds.extend(crate::common::tui::feed(&mut app, [key(KeyCode::Char(c))]));
    }
    cmds.extend(crate::common::tui::feed(&mut app, [key(KeyCode::Enter)]));
    common::tui::drive_remote(&mut app, backend.as_ref(), cmds).await;
    assert_eq!(app.list.rows[0].id, 100);
    let cmds = crate::common::tui::feed(&mut app, [key(KeyCode::Char('a'))]);
    common::tui::drive_remote(&mut app, backend.as_ref(), cmds).await;
    // The dialog counts the group's approvable children; the result agrees.
    let promised = match &app.dialog {
        Some(Dialog::Confirm(c)) => c.plan.as_ref().unwrap().changes(),
        other => panic!("no confirmation: {other:?}"),
    };
    assert_eq!(promised, 3);
    let cmds = crate::common::tui::feed(&mut app, [key(KeyCode::Char('y'))]);
    common::tui::drive_remote(&mut app, backend.as_ref(), cmds).await;
    assert!(
        said(&app).contains("approved 3 activities"),
        "{:?}",
        app.status.message
    );
    // Nothing is unapproved any more; the query and marks are kept.
    assert_eq!(app.query.applied, "status:unapproved");
    assert_eq!(app.list.total, 0);
    assert_eq!(
        backend.activity(103).await.unwrap().status(),
        Some(&ActivityStatus::Undelivered)
    );
}

#[tokio::test]
async fn computer_titles_come_over_both_apis() {
    let s = TestServer::start(dataset()).await;
    for api in [ApiChoice::Rest, ApiChoice::Legacy] {
        let b = client(&s, api, false);
        let titles = b.computer_titles(&[1, 5, 999], false).await.unwrap();
        assert_eq!(titles.get(&1).map(String::as_str), Some("web-01"));
        assert_eq!(titles.get(&5).map(String::as_str), Some("café-01"));
        assert!(!titles.contains_key(&999), "{api:?}");
        let page = b.computers_page("tag:web", 10, 0).await.unwrap();
        let ids: Vec<u64> = page.results.iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![1, 2], "{api:?}");
    }
    let token = s.login().await;
    let one = s
        .http
        .get(format!("{}/api/v2/computers/3", s.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(one.status(), 200);
    let one: serde_json::Value = one.json().await.unwrap();
    assert_eq!(one["title"], "db-01");
    let page = s.get("/api/v2/computers?query=tag:laptop&limit=1").await;
    assert_eq!(page["count"], 2);
    assert_eq!(page["results"][0]["title"], "laptop-ana");
    assert!(page["next"].as_str().unwrap().contains("offset=1"));
}

#[tokio::test]
async fn the_dashboard_over_http_jumps_to_the_end_and_refreshes_mid_list() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let engine = common::demo(11, 40, 8000);
    let expected = engine.top_level("", u64::MAX, 0).unwrap();
    let s = TestServer::start_with(common::frozen(engine)).await;
    let remote = client(&s, ApiChoice::Rest, false);
    let mut app = remote_app(&s, (80, 24));
    let cmds = start(&mut app);
    common::tui::drive_remote(&mut app, remote.as_ref(), cmds).await;
    assert_eq!(app.list.total, expected.rows.count);
    let key = |c: KeyCode| Event::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let cmds = crate::common::tui::feed(&mut app, [key(KeyCode::End)]);
    common::tui::drive_remote(&mut app, remote.as_ref(), cmds).await;
    assert_eq!(
        app.list.selected_row().map(|a| a.id),
        expected.rows.results.last().map(|a| a.id)
    );
    let mut cmds = crate::common::tui::feed(&mut app, [key(KeyCode::Home)]);
    for _ in 0..50 {
        cmds.extend(crate::common::tui::feed(&mut app, [key(KeyCode::PageDown)]));
    }
    common::tui::drive_remote(&mut app, remote.as_ref(), cmds).await;
    let at = app.list.selected as usize;
    assert_eq!(
        app.list.selected_row().map(|a| a.id),
        Some(expected.rows.results[at].id)
    );
    let cmds = crate::common::tui::feed(&mut app, [key(KeyCode::Char('r'))]);
    common::tui::drive_remote(&mut app, remote.as_ref(), cmds).await;
    assert_eq!(app.list.selected as usize, at);
    assert_eq!(
        app.list.selected_row().map(|a| a.id),
        Some(expected.rows.results[at].id)
    );
}

/// A server lists 500 refusals and counts the rest; the client reports the
/// whole number, in the CLI's words and in the dashboard's dialog.
#[tokio::test]
async fn thousands_refused_over_http_are_all_counted() {
    let engine = common::demo(3, 20, 4000);
    let refused = engine
        .activities("NOT status:unapproved", 0, 0)
        .unwrap()
        .count as usize;
    assert!(refused > 1000, "{refused}");
    let s = TestServer::start_with(common::frozen(engine)).await;
    for api in [ApiChoice::Rest, ApiChoice::Legacy] {
        let b = client(&s, api, false);
        match b
            .approve(&Selection::Query("NOT status:unapproved".into()))
            .await
        {
            Err(e @ BackendError::Refused { .. }) => {
                let BackendError::Refused { refusals, unlisted } = &e else {
                    unreachable!()
                };
                assert_eq!(refusals.len(), 500, "{api:?}");
                assert_eq!(refusals.len() + unlisted, refused, "{api:?}");
                assert_eq!(e.to_string(), format!("{refused} activities refused"));
                let said = e.explain();
                assert!(
                    said.starts_with(&format!("refused, nothing changed ({refused} activities)")),
                    "{said}"
                );
                assert!(
                    said.ends_with(&format!("… and {unlisted} more refused")),
                    "{said}"
                );
            }
            other => panic!("{api:?}: {other:?}"),
        }
    }
}

/// The dashboard's action log shows the server's events log beneath its
/// own entries: an approval another client made (a script by the legacy
/// API here) is there with its person, over either API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_action_log_shows_what_others_did_on_the_server() {
    use landscape_tui::backend::remote::ApiChoice;
    for api in [ApiChoice::Rest, ApiChoice::Legacy] {
        let s = TestServer::start(dataset()).await;
        let other = RemoteBackend::new(s.access_key_options(&s.base, ApiChoice::Legacy)).unwrap();
        other
            .approve(&Selection::Query("id:100".into()))
            .await
            .unwrap();
        let remote = RemoteBackend::new(s.access_key_options(&s.base, api)).unwrap();
        let mut app = common::tui::remote_app(&remote.info().label, (160, 40));
        let cmds = start(&mut app);
        common::tui::drive_remote(&mut app, remote.as_ref(), cmds).await;
        let cmds = update(&mut app, common::tui::key('L'));
        common::tui::drive_remote(&mut app, remote.as_ref(), cmds).await;
        let shown = common::tui::screen(&common::tui::draw(&app));
        assert!(
            shown.contains("The server's events log, last 7 days"),
            "{api:?}\n{shown}"
        );
        assert!(
            shown.contains("Landscape Admin · Activity group Upgrade package openssl: Group"),
            "{api:?}\n{shown}"
        );
        let event = &app.acting.server_events.as_ref().unwrap().as_ref().unwrap()[0];
        assert_eq!(event.message, "Group activity approved.", "{api:?}");
    }
}
