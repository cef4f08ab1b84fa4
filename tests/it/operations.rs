//! Landscape 26.04's long-running operations (the debarchive service):
//! `serve`'s façade over the engine, the client that follows them at the
//! cost of what is in flight, a server without them, `wait --operation`.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::proxy::{Hide, Proxy};
use landscape_tui::backend::Backend;
use landscape_tui::backend::engine::{EngineBackend, EngineOptions};
use landscape_tui::backend::remote::{ApiChoice, RemoteBackend};
use landscape_tui::model::operation::OperationState;

fn running(speed: f64, debarchive: bool) -> Arc<EngineBackend> {
    EngineBackend::new(
        common::demo(5, 8, 160),
        EngineOptions {
            speed,
            frozen: speed == 0.0,
            tick: Duration::from_millis(50),
            debarchive,
            ..EngineOptions::default()
        },
    )
}

fn debarchive(log: &[String]) -> Vec<&String> {
    log.iter().filter(|l| l.contains("/debarchive/")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_mirrors_paged_a_sync_and_operations() {
    let s = common::TestServer::start_with(running(0.0, true)).await;
    let token = s.login().await;
    let get = |path: String| {
        let http = s.http.clone();
        let token = token.clone();
        let base = s.base.clone();
        async move {
            let r = http
                .get(format!("{base}/debarchive/v1beta1/{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                r.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };
    let (status, page) = get("mirrors?pageSize=3".into()).await;
    assert_eq!(status, 200);
    assert_eq!(page["mirrors"].as_array().unwrap().len(), 3);
    let token_next = page["nextPageToken"].as_str().unwrap().to_owned();
    let (_, rest) = get(format!("mirrors?pageSize=3&pageToken={token_next}")).await;
    assert_eq!(rest["mirrors"].as_array().unwrap().len(), 1);
    assert!(rest.get("nextPageToken").is_none());
    let last = page["mirrors"][1]["lastOperation"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, op) = get(last.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(op["name"], last.as_str());
    assert_eq!(op["metadata"]["status"], "in progress");
    // A sync starts an operation, now the mirror's last.
    let r = s
        .http
        .post(format!(
            "{}/debarchive/v1beta1/mirrors/third-party-mirror:sync",
            s.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let started: serde_json::Value = r.json().await.unwrap();
    let (_, all) = get("mirrors".into()).await;
    assert_eq!(all["mirrors"][3]["lastOperation"], started["name"]);
    // batchGet: found ones, the rest unreachable (with partial success).
    let r = s
        .http
        .post(format!("{}/debarchive/v1beta1/operations:batchGet", s.base))
        .bearer_auth(&token)
        .json(
            &serde_json::json!({"names": [last, "operations/nope"], "returnPartialSuccess": true}),
        )
        .send()
        .await
        .unwrap();
    let batch: serde_json::Value = r.json().await.unwrap();
    assert_eq!(batch["operations"].as_array().unwrap().len(), 1);
    assert_eq!(batch["unreachable"], serde_json::json!(["operations/nope"]));
    let (status, _) = get("operations/nope".into()).await;
    assert_eq!(status, 404);
    let (status, _) = get("mirrors".into()).await;
    assert_eq!(status, 200);
    // Without a token: refused.
    let r = s
        .http
        .get(format!("{}/debarchive/v1beta1/mirrors", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

/// The client lists the resources once, then asks `batchGet` only for
/// what is in flight: one request a refresh while some run, none once
/// none do; a failed operation ends with its log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_follows_what_is_in_flight_and_nothing_more() {
    let s = common::TestServer::start_with(running(600.0, true)).await;
    let p = Proxy::start(&s.base, Hide::TopLevel, Duration::ZERO).await;
    let remote = RemoteBackend::new(s.access_key_options(&p.base, ApiChoice::Rest)).unwrap();
    let first = remote.operations_in_flight().await.unwrap();
    let titles: Vec<&str> = first.iter().map(|o| o.title()).collect();
    assert!(titles.iter().any(|t| t.contains("Web stack")), "{titles:?}");
    let import = first
        .iter()
        .find(|o| o.title().contains("Web stack"))
        .unwrap()
        .name
        .clone();
    p.reset();
    let again = remote.operations_in_flight().await.unwrap();
    assert!(!again.is_empty());
    assert_eq!(
        debarchive(&p.log()),
        [&"POST /debarchive/v1beta1/operations:batchGet".to_owned()],
        "a look at what runs is one batchGet"
    );
    // The engine runs 600× fast: all end within a few seconds.
    let mut left = again.len();
    for _ in 0..100 {
        left = remote.operations_in_flight().await.unwrap().len();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "every operation ended");
    let ended = remote.operations(&[import]).await.unwrap();
    assert_eq!(ended[0].state(), OperationState::Failed);
    assert!(ended[0].log().iter().any(|l| l.contains("404  Not Found")));
    p.reset();
    for _ in 0..3 {
        assert!(remote.operations_in_flight().await.unwrap().is_empty());
    }
    assert_eq!(
        p.requests(),
        0,
        "nothing in flight, nothing asked: {:?}",
        p.log()
    );
}

/// A Landscape before 26.04 (404 there): asked once a session, nothing
/// shown, never asked again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_the_service_is_asked_once() {
    let s = common::TestServer::start_with(running(0.0, false)).await;
    let p = Proxy::start(&s.base, Hide::TopLevel, Duration::ZERO).await;
    let remote = RemoteBackend::new(s.access_key_options(&p.base, ApiChoice::Rest)).unwrap();
    for _ in 0..4 {
        assert!(remote.operations_in_flight().await.unwrap().is_empty());
    }
    assert_eq!(
        debarchive(&p.log()),
        [&"GET /debarchive/v1beta1/mirrors?pageSize=1000".to_owned()],
        "one probe: {:?}",
        p.log()
    );
}

/// `wait --operation` through `serve` with its clock running: 0 for one
/// that succeeds, 6 for one that fails (its log printed), 8 when the
/// timeout comes first, 2 for a name the server does not know.
#[test]
fn wait_for_an_operation_exits_by_how_it_ended() {
    use std::process::Command;
    let home = tempfile::tempdir().unwrap();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_landscape-tui"));
    serve
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("LANDSCAPE_API_KEY", "KEY")
        .env("LANDSCAPE_API_SECRET", "secret")
        .args(["--speed", "600", "serve", "--bind", "127.0.0.1:0"]);
    let (uri, mut child) = common::announced(serve);
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_landscape-tui"))
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("LANDSCAPE_API_URI", &uri)
            .env("LANDSCAPE_API_KEY", "KEY")
            .env("LANDSCAPE_API_SECRET", "secret")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let base = uri.trim_end_matches("/api/").to_owned();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mirrors: serde_json::Value = rt.block_on(async {
        let http = reqwest::Client::new();
        let token: serde_json::Value = http
            .post(format!("{base}/api/v2/login/access-key"))
            .json(&serde_json::json!({"access_key": "KEY", "secret_key": "secret"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        http.get(format!("{base}/debarchive/v1beta1/locals"))
            .bearer_auth(token["token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let op = |i: usize| {
        mirrors["locals"][i]["lastOperation"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // The web stack import fails at 70% (a minute of engine time away).
    let (code, out) = run(&[
        "wait",
        "--operation",
        &op(1),
        "--interval",
        "100ms",
        "--format",
        "table",
    ]);
    assert_eq!(code, Some(6), "{out}");
    assert!(out.contains("failed at 70%"), "{out}");
    assert!(out.contains("404  Not Found"), "{out}");
    let (code, out) = run(&["wait", "--operation", &op(0), "--format", "json"]);
    assert_eq!(code, Some(0), "{out}");
    let done: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(done["metadata"]["status"], "succeeded");
    let (code, _) = run(&["wait", "--operation", "operations/nope"]);
    assert_eq!(code, Some(2));
    child.kill().unwrap();
    let _ = child.wait();
}

/// An operation whose description and log a server made hostile (a
/// leading '-', `$(…)`, quotes, an escape sequence, bidi, a megabyte):
/// the panel, the status line, the notification and `M` show it as data.
#[test]
fn a_hostile_operation_is_shown_as_data() {
    use common::tui::{draw, screen};
    use landscape_tui::tui::app::App;
    use landscape_tui::tui::event::{Call, Command, Effect, Event};
    use landscape_tui::tui::notify::Notify;
    use landscape_tui::tui::update::update;
    let hostile = format!(
        "-rf $(reboot) \"q\" 'x' \u{1b}]0;pwned\u{7} \u{202e}evil {}",
        "A".repeat(1 << 20)
    );
    let op = |done: bool| -> landscape_tui::model::operation::Operation {
        let mut v = serde_json::json!({
            "name": "operations/x",
            "done": done,
            "metadata": {"description": hostile, "operationId": "x",
                         "status": if done { "failed" } else { "in progress" },
                         "progressPercent": 40},
        });
        if done {
            v["error"] = serde_json::json!({"code": 13, "message": hostile,
                "details": [{"stackEntries": [hostile.clone(), "E: \u{1b}[2J cleared"]}]});
        }
        serde_json::from_value(v).unwrap()
    };
    let mut app = App::new(
        landscape_tui::backend::BackendInfo::embedded_engine(),
        false,
        vec![],
    );
    app.screen.size = (120, 30);
    update(&mut app, Event::OperationsLoaded(Ok(vec![op(false)])));
    let text = screen(&draw(&app));
    assert!(text.contains("operation: -rf $(reboot)"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "the panel"
    );
    let asked = update(&mut app, Event::OperationsLoaded(Ok(Vec::new())));
    assert!(
        asked.contains(&Command::Call(Call::FetchEndedOperations(vec![
            "operations/x".into()
        ])))
    );
    // Not watched: said and logged, no notification.
    let quiet = update(&mut app, Event::OperationsEnded(Ok(vec![op(true)])));
    assert!(
        !quiet
            .iter()
            .any(|c| matches!(c, Command::Effect(Effect::Notify(_))))
    );
    app.fleet.watched_operations.insert("operations/x".into());
    let told = update(&mut app, Event::OperationsEnded(Ok(vec![op(true)])));
    let notes: Vec<&String> = told
        .iter()
        .filter_map(|c| match c {
            Command::Effect(Effect::Notify(t)) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(notes.len(), 1);
    let seq = Notify::Osc9.sequence(notes[0]);
    assert_eq!(seq.matches('\u{1b}').count(), 1, "only the frame's");
    assert!(
        !seq.contains('\u{202e}') && seq.len() < 300,
        "bounded: {}",
        seq.len()
    );
    let text = screen(&draw(&app));
    assert!(text.contains("operation failed at 40%"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "the status line"
    );
    let kept: Vec<&str> = app.status.messages.iter().map(|m| m.2.as_str()).collect();
    let log = kept.iter().find(|m| m.contains(" log:")).unwrap();
    assert!(
        log.contains("cleared") && !log.contains('\u{1b}'),
        "the log, as text"
    );
    // Kept, not a megabyte a line: the action log's entry is bounded too.
    assert!(kept.iter().all(|m| m.len() < 4000), "bounded");
    let logged = told.iter().find_map(|c| match c {
        Command::Effect(Effect::LogAction(r)) => Some(r.outcome.len()),
        _ => None,
    });
    assert!(logged.is_some_and(|n| n < 1000), "{logged:?}");
}
