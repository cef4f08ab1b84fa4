//! Canonical's own Landscape web UI against `serve`, in headless Chromium:
//! log in, the list (its rows are the API's), the Overview (its "Requires
//! approval" is `status:unapproved`), a search, the details panel, approve
//! and redo (checked through the API), the Overview's "Approve all", the
//! Instances list and an instance's Activities tab, the Events log (what
//! was done, by whom), a reload that stays logged in, sign out — with no
//! page error and no API answer of 400 or more on any page.
//!
//! Needs a built landscape-ui (`LANDSCAPE_WEB_UI`, its directory), a
//! Chromium (`CHROMIUM`, default /usr/bin/chromium), node, and
//! puppeteer-core in tests/web_ui/node_modules (`npm install --prefix
//! tests/web_ui`). `.ci/run` provides them all and sets
//! `LANDSCAPE_TEST_TOOLS=required`, so in CI a missing piece fails the
//! test; elsewhere it is skipped with a note.

use crate::common;

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo-small.json");
const DRIVER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/web_ui/drive.mjs");

/// What the test needs, or why it cannot run.
fn needs() -> Result<(PathBuf, PathBuf), String> {
    let ui = std::env::var_os("LANDSCAPE_WEB_UI")
        .map(PathBuf::from)
        .ok_or("LANDSCAPE_WEB_UI (a built landscape-ui) is not set")?;
    if !ui.join("index.html").is_file() {
        return Err(format!("{} has no index.html", ui.display()));
    }
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.is_file() {
        return Err(format!("no Chromium at {}", chromium.display()));
    }
    let modules = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/web_ui/node_modules/puppeteer-core"
    );
    if !std::path::Path::new(modules).is_dir() {
        return Err("puppeteer-core is not installed (npm install --prefix tests/web_ui)".into());
    }
    Ok((ui, chromium))
}

/// `serve --web-ui` on the small dataset as jane@example.com: its base.
fn serve(ui: &std::path::Path) -> (String, std::process::Child) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_landscape-tui"));
    cmd.args(["--data", DATA, "--frozen", "serve"])
        .args(["--bind", "127.0.0.1:0", "--web-ui"])
        .arg(ui)
        .env("LANDSCAPE_EMAIL", "jane@example.com")
        .env("LANDSCAPE_PASSWORD", "correct horse")
        .env("LANDSCAPE_USER_NAME", "Jane Doe")
        .env("LANDSCAPE_API_KEY", "BROWSERTESTKEY")
        .env("LANDSCAPE_API_SECRET", "browser-test-secret");
    let (uri, mut child) = common::announced(cmd);
    // The request log: read, so a long run never fills its pipe.
    let mut log = child.stderr.take().unwrap();
    std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
    (uri.trim_end_matches("/api/").to_owned(), child)
}

/// The web UI's word for a status.
fn label(status: &str) -> &str {
    match status {
        "undelivered" => "Queued",
        "delivered" => "In progress",
        "unapproved" => "Unapproved",
        "succeeded" => "Succeeded",
        "failed" => "Failed",
        "canceled" => "Canceled",
        other => other,
    }
}

#[test]
fn canonicals_web_ui_logs_in_lists_searches_acts_and_signs_out() {
    let (ui, chromium) = match needs() {
        Ok(n) => n,
        Err(why) => return common::without_tool(&why),
    };
    let (base, mut server) = serve(&ui);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = reqwest::Client::new();
    let api = format!("{base}/api/");
    let token = rt.block_on(common::rest_token(
        &http,
        &api,
        "jane@example.com",
        "correct horse",
    ));
    let get = |path: &str| -> Value {
        rt.block_on(async {
            http.get(format!("{base}/api/v2/{path}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        })
    };
    let before = get("activities?limit=20&offset=0")["results"].clone();
    let unapproved =
        get("activities?limit=100&offset=0&query=status:unapproved")["results"].clone();
    let computers = get("computers?limit=100")["results"].clone();
    let nginx = get("activities?limit=20&offset=0&query=nginx")["results"].clone();

    let out = Command::new("node")
        .arg(DRIVER)
        .args([&base, "jane@example.com", "correct horse"])
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let seen: Value = serde_json::from_str(text.trim())
        .unwrap_or_else(|e| panic!("{e}: {text}\n{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(seen.get("error"), None, "{seen:#}");
    assert_eq!(
        seen["steps"],
        serde_json::json!([
            "list",
            "overview",
            "search",
            "details",
            "approve",
            "redo",
            "approve-all",
            "instances",
            "instance",
            "events",
            "reload",
            "logout"
        ])
    );
    assert_eq!(seen["pageErrors"], serde_json::json!([]), "{seen:#}");
    assert_eq!(seen["badAnswers"], serde_json::json!([]), "{seen:#}");
    // What the page still asked with the logged-out session's token was
    // refused as such (its tokens end with it), and nothing else failed.
    for answer in seen["afterLogout"].as_array().unwrap() {
        assert!(answer.as_str().unwrap().starts_with("401 "), "{seen:#}");
    }

    // Logging in came back to the list; its rows are the API's first page.
    assert!(
        seen["loginUrl"]
            .as_str()
            .unwrap()
            .contains("/new_dashboard/login")
    );
    assert!(
        seen["listUrl"]
            .as_str()
            .unwrap()
            .ends_with("/new_dashboard/activities")
    );
    let rows = |key: &str| -> Vec<(String, String)> {
        seen[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["description"].as_str().unwrap().to_owned(),
                    r["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let api_rows = |list: &Value| -> Vec<(String, String)> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["summary"].as_str().unwrap().to_owned(),
                    label(a["activity_status"].as_str().unwrap()).to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(rows("list"), api_rows(&before));
    assert_eq!(rows("search"), api_rows(&nginx));
    assert!(
        seen["searchUrl"]
            .as_str()
            .unwrap()
            .ends_with("?query=nginx")
    );

    // The details panel of the first match: its computer's title, output.
    let first = &nginx[0];
    let computer = get(&format!("computers/{}", first["computer_id"]));
    let details = seen["details"].as_str().unwrap();
    assert!(
        details.contains(&format!(
            "INSTANCE\n{}",
            computer["title"].as_str().unwrap()
        )),
        "{details}"
    );
    assert!(
        details.contains(first["result_text"].as_str().unwrap()),
        "{details}"
    );

    // Approve: that activity is unapproved no more.
    let approved = &before[seen["approveRow"].as_u64().unwrap() as usize];
    assert_eq!(approved["activity_status"], "unapproved");
    let now = get(&format!("activities/{}", approved["id"]));
    assert_ne!(now["activity_status"], "unapproved", "{now}");
    // Redo: a new activity of the same summary, created by jane.
    let redone = &before[seen["redoRow"].as_u64().unwrap() as usize];
    assert_eq!(redone["activity_status"], "failed");
    let after = get("activities?limit=20&offset=0")["results"].clone();
    let new: Vec<&Value> = after
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| {
            a["id"].as_u64()
                > before
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|b| b["id"].as_u64())
                    .max()
        })
        .collect();
    assert!(!new.is_empty(), "no new activity after redo: {after:#}");
    for a in &new {
        assert_eq!(a["summary"], redone["summary"], "{a}");
        assert_eq!(a["creator"]["email"], "jane@example.com", "{a}");
        assert_eq!(a["creator"]["name"], "Jane Doe", "{a}");
    }

    // The Overview's "Requires approval" is the API's status:unapproved;
    // "Approve all" left none.
    let summaries = |list: &Value| -> Vec<String> {
        let mut v: Vec<String> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["summary"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    let mut overview: Vec<String> = seen["overview"]
        .as_array()
        .unwrap_or_else(|| panic!("no Requires approval table: {seen:#}"))
        .iter()
        .map(|d| d.as_str().unwrap().to_owned())
        .collect();
    overview.sort();
    assert_eq!(overview, summaries(&unapproved));
    assert!(!overview.is_empty());
    let text = seen["overviewText"].as_str().unwrap();
    assert!(!text.contains("Error loading data"), "{text}");
    assert_eq!(seen["approveAllDialog"]["status"], 200);
    assert_eq!(
        get("activities?limit=1&offset=0&query=status:unapproved")["count"],
        0
    );
    // Instances: every computer; one's Activities tab is the API's.
    let listed = seen["instances"].as_array().unwrap();
    assert_eq!(
        listed.len(),
        computers.as_array().unwrap().len(),
        "{seen:#}"
    );
    for c in computers.as_array().unwrap() {
        let title = c["title"].as_str().unwrap();
        assert!(
            listed.iter().any(|r| r.as_str().unwrap().contains(title)),
            "{title} not listed: {listed:?}"
        );
    }
    let of_one = get("activities?limit=20&offset=0&query=computer:id:1")["results"].clone();
    let shown: Vec<String> = seen["instance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["description"].as_str().unwrap().to_owned())
        .collect();
    let api: Vec<String> = of_one
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["summary"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(shown, api);
    // The Events log lists the approvals and the redo, by Jane Doe.
    let events: Vec<&str> = seen["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(events.len() >= 3, "{events:#?}");
    assert!(events.iter().all(|e| e.contains("Jane Doe")), "{events:#?}");
    assert!(
        events
            .iter()
            .any(|e| e.contains("Group activity approved.")),
        "{events:#?}"
    );
    assert!(
        events.iter().any(|e| e.contains("reapplied")),
        "{events:#?}"
    );
    let logged = get("events?days=7&limit=20&offset=0");
    assert_eq!(
        logged["count"].as_u64(),
        Some(events.len() as u64),
        "{logged}"
    );

    // A reload kept the session; signing out ended it.
    assert!(
        seen["reloadUrl"]
            .as_str()
            .unwrap()
            .ends_with("/new_dashboard/activities")
    );
    assert!(!seen["afterReload"].as_array().unwrap().is_empty());
    assert_eq!(seen["logoutStatus"], 200);
    assert!(
        seen["logoutUrl"]
            .as_str()
            .unwrap()
            .contains("/new_dashboard/login")
    );
    assert_eq!(seen["meAfterLogout"], serde_json::json!({}));
    server.kill().unwrap();
}
