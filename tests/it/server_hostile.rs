//! `serve` against hostile clients and a failing disk: one address cannot
//! take every connection, an answer nobody reads is cut off while others
//! are served, a query too costly is refused before it runs while cheap
//! ones answer, engine work stalls no request that does not need it, and a
//! change the server could not write is refused, not shown, and a restart
//! has every change that was answered.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use landscape_tui::backend::engine::{EngineBackend, EngineOptions};
use landscape_tui::engine::{Engine, Progress, state};
use landscape_tui::server::site::Site;
use landscape_tui::server::{Hygiene, Throttle};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common;
use common::disk::FillingDisk;
use common::{TestServer, dataset, frozen};

/// A connection to `host` from another loopback address (Linux routes all
/// of 127/8 to the loopback device): a second client machine.
async fn connect_from(from: &str, host: &str) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket
        .bind(format!("{from}:0").parse::<SocketAddr>().unwrap())
        .unwrap();
    socket.connect(host.parse().unwrap()).await.unwrap()
}

/// Reads what the server sends until it closes, or `limit` passes.
async fn read_all(stream: &mut tokio::net::TcpStream, limit: Duration) -> Vec<u8> {
    let mut got = Vec::new();
    let _ = tokio::time::timeout(limit, stream.read_to_end(&mut got)).await;
    got
}

async fn about(s: &TestServer) -> StatusCode {
    s.http
        .get(format!("{}/api/v2/about", s.base))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .map(|r| r.status())
        .unwrap_or(StatusCode::REQUEST_TIMEOUT)
}

/// The small dataset served with connection caps of the test's choosing.
async fn capped(max_connections: usize, max_per_address: usize) -> TestServer {
    let engine = Engine::from_dataset_str(&dataset()).unwrap();
    let hygiene = Hygiene {
        max_connections,
        max_per_address,
        ..Hygiene::default()
    };
    TestServer::start_custom(frozen(engine), Throttle::default(), hygiene).await
}

#[tokio::test]
async fn one_address_holding_half_sent_requests_cannot_take_every_connection() {
    let s = capped(16, 4).await;
    // Slowloris from 127.0.0.2: headers begun, never finished.
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut c = connect_from("127.0.0.2", &s.host).await;
        c.write_all(b"GET /api/v2/about HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
            .await
            .unwrap();
        held.push(c);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Its next connection is refused, with the reason...
    let mut fifth = connect_from("127.0.0.2", &s.host).await;
    let answer =
        String::from_utf8_lossy(&read_all(&mut fifth, Duration::from_secs(10)).await).into_owned();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.contains("your address has 4 connections"),
        "{answer}"
    );
    // ...while another address is served.
    assert_eq!(about(&s).await, StatusCode::OK);
    // Its slots come back when its connections close.
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = connect_from("127.0.0.2", &s.host).await;
    again
        .write_all(b"GET /api/v2/about HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer =
        String::from_utf8_lossy(&read_all(&mut again, Duration::from_secs(10)).await).into_owned();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// Large files of `--web-ui`, asked for by clients that never read: each
/// answer is streamed (not read whole into memory) and cut off when it
/// makes no progress, and other clients are served meanwhile.
#[tokio::test]
async fn answers_nobody_reads_are_cut_off_while_others_are_served() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html>").unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    let size = 32 << 20;
    std::fs::write(dir.path().join("assets/big.js"), vec![b'x'; size]).unwrap();
    let engine = Engine::from_dataset_str(&dataset()).unwrap();
    let hygiene = Hygiene {
        send_timeout: Duration::from_millis(300),
        ..Hygiene::default()
    };
    let site = Site {
        web_ui: Some(dir.path().to_owned()),
        features: vec![],
    };
    let s = TestServer::start_site(frozen(engine), Throttle::default(), hygiene, site).await;
    let mut readers = Vec::new();
    for _ in 0..8 {
        let mut c = connect_from("127.0.0.3", &s.host).await;
        c.write_all(b"GET /new_dashboard/assets/big.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .await
            .unwrap();
        readers.push(c);
    }
    assert_eq!(about(&s).await, StatusCode::OK);
    // Long past the send timeout: each was cut off well short of the file.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for mut c in readers {
        let got = read_all(&mut c, Duration::from_secs(10)).await;
        assert!(got.starts_with(b"HTTP/1.1 200"));
        assert!(
            got.len() < size,
            "an unread answer was kept open to the end"
        );
    }
    // A client that reads gets the whole file.
    let r = s
        .http
        .get(format!("{}/new_dashboard/assets/big.js", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.bytes().await.unwrap().len(), size);
}

#[tokio::test]
async fn the_web_ui_serves_no_dotfiles_and_follows_no_link_out_of_its_directory() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "SECRET").unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "INDEX").unwrap();
    std::fs::write(dir.path().join(".env"), "TOKEN=SECRET").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        dir.path().join("leak.txt"),
    )
    .unwrap();
    let engine = Engine::from_dataset_str(&dataset()).unwrap();
    let site = Site {
        web_ui: Some(dir.path().to_owned()),
        features: vec![],
    };
    let s = TestServer::start_site(
        frozen(engine),
        Throttle::default(),
        Hygiene::default(),
        site,
    )
    .await;
    for path in [
        "/new_dashboard/.env",
        "/new_dashboard/leak.txt",
        "/new_dashboard/%2eenv",
    ] {
        let r = s
            .http
            .get(format!("{}{path}", s.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::NOT_FOUND, "{path}");
        let body = r.text().await.unwrap();
        assert!(!body.contains("SECRET"), "{path}: {body}");
    }
}

/// A query whose work would pass the engine's budget is refused before it
/// runs, saying so; the same server answers cheap queries.
#[tokio::test]
async fn a_query_too_costly_is_refused_before_it_runs() {
    let mut engine = common::demo(3, 40, 3_000);
    engine.set_query_budget(1_000_000);
    let s = TestServer::start_with(frozen(engine)).await;
    let token = s.login().await;
    let heavy: String = (0..500)
        .map(|i| format!("summary{i}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let ask = |path: &str, query: &str| {
        s.http
            .get(format!("{}/api/v2/{path}", s.base))
            .query(&[("query", query), ("limit", "5")])
            .bearer_auth(&token)
            .send()
    };
    let r = ask("activities", &heavy).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("too costly") && message.contains("1,000,000"),
        "{body}"
    );
    // Narrowed by a cheap term first, the same alternatives run.
    let narrowed = format!("id:1 {heavy}");
    assert_eq!(
        ask("activities", &narrowed).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        ask("activities", "status:failed").await.unwrap().status(),
        StatusCode::OK
    );
    // Computer queries are bounded too.
    let words: String = (0..4_000).map(|i| format!("w{i} ")).collect();
    let r = ask("computers", &words).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("too costly"),
        "{body}"
    );
}

/// Computer queries cost what they expand to: at 10,000 computers a
/// 200-word computer query, and the same words as `computer:` terms of
/// an activity query, are answered (each word's finder built once, not
/// once per computer); saved searches are counted as the terms they
/// expand to, so a handful of `search:` terms over a long saved search
/// is refused before it runs, as is a long activity query of computer
/// words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn computer_queries_cost_what_they_expand_to() {
    let mut engine = common::demo(3, 10_000, 5_000);
    let words: Vec<String> = (0..200).map(|i| format!("zz{i}")).collect();
    let long = words.join(" OR ");
    engine
        .save_search(landscape_tui::model::SavedSearch::new("fleet", &long))
        .unwrap();
    let s = TestServer::start_with(frozen(engine)).await;
    let token = s.login().await;
    let ask = |path: &'static str, query: String| {
        s.http
            .get(format!("{}/api/v2/{path}", s.base))
            .query(&[("query", query.as_str()), ("limit", "5")])
            .bearer_auth(&token)
            .send()
    };
    let r = ask("computers", long.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["count"], 0);
    let as_terms: Vec<String> = words.iter().map(|w| format!("computer:{w}")).collect();
    let r = ask("activities", as_terms.join(" OR ")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // 40 searches of 201 terms each: 8,040 terms on 10,000 computers.
    let many = vec!["search:fleet"; 40].join(" OR ");
    for (path, query) in [
        ("computers", many.clone()),
        (
            "activities",
            format!("computer:{}", many.replace(" OR ", " OR computer:")),
        ),
    ] {
        let r = ask(path, query).await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["message"].as_str().unwrap().contains("too costly"),
            "{path}: {body}"
        );
    }
    // And the server still answers.
    let r = ask("activities", "status:failed".into()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// Engine work waits on the engine alone: with the engine held (a long
/// change), requests that read it wait, and the rest are answered, on a
/// runtime with only two workers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_waiting_on_the_engine_hold_up_no_one_else() {
    let s = TestServer::start_with(frozen(common::demo(3, 40, 3_000))).await;
    let token = s.login().await;
    // The engine held from another thread, as a long change would.
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (taken, is_taken) = std::sync::mpsc::channel::<()>();
    let backend = s.backend.clone();
    let holder = std::thread::spawn(move || {
        let _held = backend.write();
        taken.send(()).unwrap();
        let _ = released.recv();
    });
    is_taken.recv().unwrap();
    let waiting: Vec<_> = (0..8)
        .map(|_| {
            let (http, url, token) = (
                s.http.clone(),
                format!("{}/api/v2/activities?limit=1", s.base),
                token.clone(),
            );
            tokio::spawn(async move {
                http.get(url)
                    .bearer_auth(token)
                    .send()
                    .await
                    .map(|r| r.status())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    for _ in 0..5 {
        assert_eq!(about(&s).await, StatusCode::OK);
    }
    assert!(
        waiting.iter().all(|w| !w.is_finished()),
        "the engine was not held"
    );
    release.send(()).unwrap();
    holder.join().unwrap();
    for w in waiting {
        assert_eq!(w.await.unwrap().unwrap(), StatusCode::OK);
    }
}

/// The disk fills up under a running `serve --state`: the approve that
/// could not be written is answered 503 and not shown; when there is room
/// again changes go on; after a restart every answered change is there.
#[tokio::test]
async fn a_full_disk_refuses_changes_and_shows_nothing_unsaved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let full = Arc::new(AtomicBool::new(false));
    let data = dataset();
    let (engine, journal, _) = state::open_with(
        &path,
        &Progress::default(),
        || Ok(Engine::from_dataset_str(&data).unwrap()),
        FillingDisk::wrap(&full),
    )
    .unwrap();
    let options = EngineOptions {
        frozen: true,
        ..EngineOptions::default()
    };
    let mut s =
        TestServer::start_with(EngineBackend::with_journal(engine, options, Some(journal))).await;
    let token = s.login().await;
    let unapproved: Vec<u64> = s
        .get("/api/v2/activities?query=status:unapproved%20NOT%20type:ActivityGroup&limit=3")
        .await["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_u64().unwrap())
        .collect();
    assert_eq!(unapproved.len(), 3);
    let approve = |id: u64| {
        s.http
            .post(format!("{}/api/", s.base))
            .bearer_auth(&token)
            .query(&[("action", "ApproveActivities"), ("version", "2011-08-01")])
            .query(&[("query", format!("id:{id}"))])
            .send()
    };
    let status_of = |id: u64| {
        let (s, path) = (&s, format!("/api/v2/activities/{id}"));
        async move {
            s.get(&path).await["activity_status"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(
        approve(unapproved[0]).await.unwrap().status(),
        StatusCode::OK
    );
    full.store(true, Ordering::SeqCst);
    let r = approve(unapproved[1]).await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "StateNotWritable", "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("was not made"),
        "{body}"
    );
    assert_eq!(status_of(unapproved[1]).await, "unapproved");
    full.store(false, Ordering::SeqCst);
    assert_eq!(
        approve(unapproved[2]).await.unwrap().status(),
        StatusCode::OK
    );
    // A restart.
    s.stop().await.unwrap().unwrap();
    drop(s);
    let (reopened, _, recovery) =
        state::open(&path, &Progress::default(), || panic!("the state exists")).unwrap();
    assert_eq!(recovery.replayed, 2, "{recovery:?}");
    let status = |id: u64| {
        reopened
            .activity(id)
            .unwrap()
            .status()
            .unwrap()
            .as_str()
            .to_owned()
    };
    assert_eq!(status(unapproved[0]), "undelivered");
    assert_eq!(status(unapproved[1]), "unapproved");
    assert_eq!(status(unapproved[2]), "undelivered");
}

/// An HTTP client whose connections come from `address` (another machine).
fn client_from(address: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(address.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn password_login(http: &reqwest::Client, s: &TestServer, password: &str) -> StatusCode {
    http.post(format!("{}/api/v2/login", s.base))
        .json(&serde_json::json!({"email": s.credentials.email, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

/// Someone else guessing the user's password from another address holds
/// up their own guesses, never the user's right password.
#[tokio::test]
async fn guesses_from_another_address_never_lock_the_user_out() {
    let s = TestServer::start(dataset()).await;
    let guesser = client_from("127.0.0.4");
    for _ in 0..12 {
        password_login(&guesser, &s, "wrong").await;
    }
    assert_eq!(
        password_login(&guesser, &s, &s.credentials.password).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        password_login(&s.http, &s, &s.credentials.password).await,
        StatusCode::OK
    );
    // Wrong signatures for the access key count the same way.
    let at = chrono::Utc::now();
    for _ in 0..12 {
        crate::server_http::legacy_through(&guesser, &s, "GetActivities", &[], at, "wrong").await;
    }
    let (status, body) = crate::server_http::legacy_through(
        &guesser,
        &s,
        "GetActivities",
        &[],
        at,
        &s.credentials.secret_key,
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let (status, _) = crate::server_http::legacy_through(
        &s.http,
        &s,
        "GetActivities",
        &[],
        at,
        &s.credentials.secret_key,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

/// What another site's page could send: a form or text body, or any body
/// with its own `Origin`. Refused; the server's own page is answered.
#[tokio::test]
async fn logins_take_json_from_this_servers_pages_only() {
    let s = TestServer::start(dataset()).await;
    let body =
        serde_json::json!({"email": s.credentials.email, "password": s.credentials.password});
    let url = format!("{}/api/v2/login", s.base);
    let r = s
        .http
        .post(&url)
        .header("content-type", "text/plain")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = s
        .http
        .post(&url)
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["error"], "CrossOrigin");
    let r = s
        .http
        .post(&url)
        .header("origin", &s.base)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
}

/// Logging out ends the session's tokens too: the login's and the one
/// `/me` handed out.
#[tokio::test]
async fn logout_ends_the_tokens_of_its_session() {
    let s = TestServer::start(dataset()).await;
    let r = s
        .http
        .post(format!("{}/api/v2/login", s.base))
        .json(
            &serde_json::json!({"email": s.credentials.email, "password": s.credentials.password}),
        )
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let login: Value = r.json().await.unwrap();
    let me: Value = s
        .http
        .get(format!("{}/api/v2/me", s.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tokens = [
        login["token"].as_str().unwrap().to_owned(),
        me["token"].as_str().unwrap().to_owned(),
    ];
    let works = |token: String| {
        let (http, url) = (
            s.http.clone(),
            format!("{}/api/v2/activities?limit=1", s.base),
        );
        async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    for t in &tokens {
        assert_eq!(works(t.clone()).await, StatusCode::OK);
    }
    let r = s
        .http
        .post(format!("{}/api/v2/logout", s.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    for t in &tokens {
        assert_eq!(works(t.clone()).await, StatusCode::UNAUTHORIZED);
    }
    // A new login is a new session, and works.
    assert_eq!(works(s.login().await).await, StatusCode::OK);
}

/// A page of another site whose name was pointed at 127.0.0.1 (DNS
/// rebinding) reaches the server with its own name in `Host`: refused.
#[tokio::test]
async fn requests_for_another_host_name_are_refused() {
    let s = TestServer::start(dataset()).await;
    let port = s.host.rsplit(':').next().unwrap();
    let ask = |host: String| {
        s.http
            .get(format!("{}/api/v2/about", s.base))
            .header("host", host)
            .send()
    };
    let r = ask(format!("attacker.example:{port}")).await.unwrap();
    assert_eq!(r.status(), StatusCode::MISDIRECTED_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "UnknownHost", "{body}");
    for name in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "app.localhost".to_owned(),
    ] {
        assert_eq!(
            ask(name.clone()).await.unwrap().status(),
            StatusCode::OK,
            "{name}"
        );
    }
}

/// Two addresses hold every connection the server allows: a third is
/// still served, because the address holding more than its share gives up
/// its oldest connection.
#[tokio::test]
async fn addresses_holding_every_slot_make_room_for_a_new_one() {
    let s = capped(6, 4).await;
    let mut held = Vec::new();
    for from in [
        "127.0.0.2",
        "127.0.0.2",
        "127.0.0.2",
        "127.0.0.2",
        "127.0.0.3",
        "127.0.0.3",
    ] {
        let mut c = connect_from(from, &s.host).await;
        c.write_all(b"GET /api/v2/about HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
            .await
            .unwrap();
        held.push(c);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(about(&s).await, StatusCode::OK);
    // The oldest of 127.0.0.2's was the one ended.
    let cut = read_all(&mut held[0], Duration::from_secs(10)).await;
    assert!(cut.is_empty(), "{}", String::from_utf8_lossy(&cut));
    // Now 3 + 2 + 1 (the client just served keeps its connection): with no
    // address holding more than a newcomer from 127.0.0.3 would, it is
    // refused, with the reason.
    let mut more = connect_from("127.0.0.3", &s.host).await;
    let answer =
        String::from_utf8_lossy(&read_all(&mut more, Duration::from_secs(10)).await).into_owned();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("connections open, its limit"), "{answer}");
}

/// Many addresses each holding one half-sent request (dripping a byte
/// now and then) fill every slot the server has: a new client is still
/// served, because the connection whose request has waited longest is
/// ended, however many bytes it dripped; a request answered within the
/// last second is never the one ended.
#[tokio::test]
async fn many_addresses_dripping_headers_cannot_keep_a_client_out() {
    let s = capped(12, 4).await;
    let mut held = Vec::new();
    for n in 0..12 {
        let mut c = connect_from(&format!("127.0.0.{}", 10 + n), &s.host).await;
        c.write_all(b"GET /api/v2/about HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
            .await
            .unwrap();
        held.push(c);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // They drip: each byte is progress of a kind, not an answer.
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        for c in &mut held {
            c.write_all(b"a").await.unwrap();
        }
    }
    assert_eq!(about(&s).await, StatusCode::OK, "a new client served");
    // The first to start waiting was the one ended.
    let cut = read_all(&mut held[0], Duration::from_secs(10)).await;
    assert!(cut.is_empty(), "{}", String::from_utf8_lossy(&cut));
    for _ in 0..3 {
        assert_eq!(
            about(&s).await,
            StatusCode::OK,
            "each new client makes room"
        );
    }
}
