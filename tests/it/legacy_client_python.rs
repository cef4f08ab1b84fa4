//! The official command-line client (`landscape-api` from `landscape-api-py3`
//! on PyPI) works unchanged against `serve`. `.ci/run` installs it in a
//! virtualenv; where `LANDSCAPE_TEST_TOOLS=required` (CI) its absence is a
//! failure, elsewhere the test says it could not run.

use crate::common;

use std::path::PathBuf;

use common::{TestServer, dataset};
use serde_json::Value;

fn client() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("LANDSCAPE_API_CLIENT").map(PathBuf::from),
        Some(PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/.ci/venv/bin/landscape-api"
        ))),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file())
}

async fn run(server: &TestServer, client: &PathBuf, args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(client)
        .args(args)
        .env("LANDSCAPE_API_KEY", &server.credentials.access_key)
        .env("LANDSCAPE_API_SECRET", &server.credentials.secret_key)
        .env("LANDSCAPE_API_URI", format!("{}/api/", server.base))
        .output()
        .await
        .expect("landscape-api runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn official_python_client_works_against_serve() {
    let Some(client) = client() else {
        return common::without_tool(
            "landscape-api (landscape-api-py3) is not installed in .ci/venv",
        );
    };
    let s = TestServer::start(dataset()).await;

    let (ok, out, err) = run(
        &s,
        &client,
        &[
            "--json",
            "get-activities",
            "--query",
            "status:unapproved",
            "--limit",
            "10",
        ],
    )
    .await;
    assert!(ok, "{err}");
    let list: Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<u64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![103, 102, 101, 100]);

    let (ok, out, err) = run(
        &s,
        &client,
        &[
            "--json",
            "get-activities",
            "--query",
            "computer:title:café-01",
        ],
    )
    .await;
    assert!(ok, "{err}");
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list[0]["id"], 130);

    let (ok, out, err) = run(&s, &client, &["--json", "get-activity-types"]).await;
    assert!(ok, "{err}");
    assert!(out.contains("ChangePackagesRequest"));

    // Refused: the client surfaces the server's error code and message.
    let (ok, _, err) = run(&s, &client, &["--json", "approve-activities", "id:111"]).await;
    assert!(!ok);
    assert!(
        err.contains("InvalidActivityStatusChange") || err.contains("111 =>"),
        "{err}"
    );

    let (ok, out, err) = run(
        &s,
        &client,
        &["--json", "approve-activities", "parent-id:100"],
    )
    .await;
    assert!(ok, "{err}");
    let mut approved: Vec<u64> = serde_json::from_str(&out).unwrap();
    approved.sort();
    assert_eq!(approved, vec![101, 102, 103]);

    let (ok, out, err) = run(
        &s,
        &client,
        &["--json", "cancel-activities", "parent-id:100"],
    )
    .await;
    assert!(ok, "{err}");
    let canceled: Vec<u64> = serde_json::from_str(&out).unwrap();
    assert_eq!(canceled.len(), 3);

    // A wrong secret is refused.
    let out = tokio::process::Command::new(&client)
        .args(["--json", "get-activities"])
        .env("LANDSCAPE_API_KEY", &s.credentials.access_key)
        .env("LANDSCAPE_API_SECRET", "wrong")
        .env("LANDSCAPE_API_URI", format!("{}/api/", s.base))
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
}

#[tokio::test]
async fn official_python_client_lists_computers_from_serve() {
    let Some(client) = client() else {
        return common::without_tool(
            "landscape-api (landscape-api-py3) is not installed in .ci/venv",
        );
    };
    let s = TestServer::start(dataset()).await;
    let titles = |out: &str| -> Vec<String> {
        let list: Value = serde_json::from_str(out).unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|c| c["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let (ok, out, err) = run(&s, &client, &["--json", "get-computers"]).await;
    assert!(ok, "{err}");
    assert_eq!(
        titles(&out),
        vec!["web-01", "web-02", "db-01", "laptop-ana", "café-01"]
    );
    let (ok, out, err) = run(
        &s,
        &client,
        &["--json", "get-computers", "--query", "tag:server tag:web"],
    )
    .await;
    assert!(ok, "{err}");
    assert_eq!(titles(&out), vec!["web-01", "web-02"]);
    let (ok, out, err) = run(
        &s,
        &client,
        &[
            "--json",
            "get-computers",
            "--limit",
            "2",
            "--offset",
            "2",
            "--with-annotations",
        ],
    )
    .await;
    assert!(ok, "{err}");
    assert_eq!(titles(&out), vec!["db-01", "laptop-ana"]);
    let list: Value = serde_json::from_str(&out).unwrap();
    assert!(list[0]["annotations"].is_object(), "{list}");
    assert!(list[0]["tags"].is_array());
    // A bad computer term is the server's InvalidQuery, which the client prints.
    let (ok, _, err) = run(
        &s,
        &client,
        &["--json", "get-computers", "--query", "colour:red"],
    )
    .await;
    assert!(!ok);
    assert!(err.contains("InvalidQuery"), "{err}");
}
