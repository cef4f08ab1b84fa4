//! The binary as scripts and operators use it: output formats, exit codes,
//! clear errors, configuration mistakes caught before the terminal is
//! touched, and `serve` announcing itself.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo-small.json");

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_landscape-tui"));
    let home = std::env::temp_dir().join("landscape-tui-cli-test-home");
    c.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("LANDSCAPE_API_URI")
        .env_remove("LANDSCAPE_API_KEY")
        .env_remove("LANDSCAPE_API_SECRET");
    c
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn activities_as_json_table_csv_and_tsv() {
    let (ok, out, err) = run(&[
        "--data",
        DATA,
        "--frozen",
        "activities",
        "--query",
        "status:unapproved",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<u64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![103, 102, 101, 100]);
    let (_, out, _) = run(&[
        "--data",
        DATA,
        "activities",
        "--query",
        "id:130",
        "--format",
        "table",
    ]);
    assert!(out.lines().next().unwrap().starts_with("id"));
    assert!(out.contains("Restart computer café-01"));
    assert!(out.contains("(1 of 1 matching)"));
    let (_, out, _) = run(&[
        "--data",
        DATA,
        "activities",
        "--query",
        "id:140",
        "--format",
        "csv",
    ]);
    assert_eq!(
        out.lines().nth(1).unwrap(),
        "140,delivered,2024-02-07T12:00:00Z,SyncPocketRequest,Sync pocket 'release' of series 'jammy' in distribution 'ubuntu',,,"
    );
    let (_, out, _) = run(&[
        "--data",
        DATA,
        "activities",
        "--query",
        "id:101",
        "--format",
        "tsv",
    ]);
    assert_eq!(out.lines().nth(1).unwrap().split('\t').count(), 8);
}

#[test]
fn tables_name_computers_and_csv_keeps_the_id_beside_the_title() {
    let (ok, out, err) = run(&[
        "--data",
        DATA,
        "activities",
        "--query",
        "parent-id:100",
        "--format",
        "table",
    ]);
    assert!(ok, "{err}");
    for (id, title) in [("101", "web-01"), ("102", "web-02"), ("103", "db-01")] {
        let line = out.lines().find(|l| l.starts_with(id)).unwrap();
        assert!(line.contains(title), "{line}");
    }
    let (_, out, _) = run(&[
        "--data",
        DATA,
        "activities",
        "--query",
        "id:130",
        "--format",
        "csv",
    ]);
    assert!(
        out.lines()
            .next()
            .unwrap()
            .ends_with(",computer,parent,computer_title")
    );
    assert!(
        out.lines().nth(1).unwrap().ends_with(",5,,café-01"),
        "{out}"
    );
}

#[test]
fn any_limit_and_offset_is_honoured_without_overflow() {
    let (ok, out, err) = run(&[
        "--data",
        DATA,
        "activities",
        "--limit",
        "18446744073709551615",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 14);
    let (ok, out, err) = run(&[
        "--data",
        DATA,
        "activities",
        "--limit",
        "18446744073709551615",
        "--offset",
        "18446744073709551615",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "[]");
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    let mut child = bin()
        .args([
            "--activities",
            "20000",
            "--frozen",
            "activities",
            "--limit",
            "20000",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        // Read one line, then close the pipe, as `| head -1` does.
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(first.starts_with("id"), "{first}");
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.to_lowercase().contains("pipe"), "{err}");
}

#[test]
fn approve_prints_ids_and_refusals_fail_with_reasons() {
    let (ok, out, err) = run(&["--data", DATA, "approve", "parent-id:100"]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "[101,102,103]");
    let (ok, out, err) = run(&["--data", DATA, "approve", "id:101", "OR", "id:111"]);
    assert!(!ok);
    assert!(out.is_empty());
    assert!(err.contains("refused, nothing changed"), "{err}");
    assert!(err.contains("111 => activity is succeeded"), "{err}");
}

#[test]
fn reapply_revert_and_types() {
    let (ok, out, err) = run(&["--data", DATA, "reapply", "112"]);
    assert!(ok, "{err}");
    let created: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(created[0]["activity_status"], "undelivered");
    let (ok, out, _) = run(&["--data", DATA, "revert", "120"]);
    assert!(ok);
    assert!(out.contains("\"remove\""));
    let (ok, out, _) = run(&["--data", DATA, "types", "--format", "table"]);
    assert!(ok);
    assert!(out.lines().any(|l| l == "ChangePackagesRequest"));
}

#[test]
fn a_bad_query_says_where() {
    let (ok, _, err) = run(&["--data", DATA, "activities", "--query", "status:faild"]);
    assert!(!ok);
    assert!(err.contains("invalid query (at 7..12)"), "{err}");
}

#[test]
fn read_only_refuses_actions() {
    let (ok, _, err) = run(&["--data", DATA, "--read-only", "cancel", "id:130"]);
    assert!(!ok);
    assert!(err.contains("read-only"), "{err}");
}

#[test]
fn a_bad_config_is_reported_with_line_and_key_before_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "[profiles.prod]\nurl = \"https://l.example.com/api/\"\nrefresh_secs = 5\n",
    )
    .unwrap();
    let out = bin()
        .args(["--config", path.to_str().unwrap()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config.toml: line 3, column 1"), "{err}");
    assert!(err.contains("profiles.prod.refresh_secs"), "{err}");
    // Nothing was drawn: no alternate screen, no escape sequences.
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
}

#[test]
fn secrets_stay_out_of_help_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[profiles.p]\nurl = \"http://127.0.0.1:9/api/\"\naccess_key = \"K\"\nsecret_key = \"hunter2-secret\"\ntimeout_seconds = 1\nconnect_timeout_seconds = 1\n").unwrap();
    let out = bin()
        .args([
            "--config",
            path.to_str().unwrap(),
            "--profile",
            "p",
            "types",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("hunter2"), "{all}");
    assert!(all.contains("could not connect"), "{all}");
    let (_, help, _) = run(&["--help"]);
    assert!(help.contains("serve") && help.contains("--read-only") && help.contains("--data"));
}

#[test]
fn serve_announces_its_address_and_credentials_and_answers() {
    let mut child = bin()
        .args(["--data", DATA, "--frozen", "serve", "--bind", "127.0.0.1:0"])
        .args(["--public-url", "https://landscape.example.com/"])
        .env_remove("LANDSCAPE_EMAIL")
        .env_remove("LANDSCAPE_PASSWORD")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut env = std::collections::HashMap::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("export ") {
            let (k, v) = rest.split_once('=').unwrap();
            env.insert(k.to_owned(), v.to_owned());
        }
        if line.starts_with("(generated credentials") {
            break;
        }
    }
    let uri = env["LANDSCAPE_API_URI"].clone();
    assert!(
        uri.starts_with("http://127.0.0.1:") && uri.ends_with("/api/"),
        "{uri}"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        let http = reqwest::Client::new();
        let login: serde_json::Value = http
            .post(format!("{uri}v2/login"))
            .json(&serde_json::json!({"email": env["LANDSCAPE_EMAIL"], "password": env["LANDSCAPE_PASSWORD"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let r = http.get(format!("{uri}v2/activities/130")).bearer_auth(login["token"].as_str().unwrap()).send().await.unwrap();
        // Links are built on the public address, never on the Host header.
        let page: serde_json::Value = http
            .get(format!("{uri}v2/activities?limit=1"))
            .header("host", "evil.example")
            .bearer_auth(login["token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let next = page["next"].as_str().unwrap();
        assert!(
            next.starts_with("https://landscape.example.com/api/v2/activities?limit=1&offset=1"),
            "{next}"
        );
        // A hostile action name: a line break and an escape code.
        let _ = http
            .get(format!("{uri}?action=GetActivities%0AFORGED%201%1b%5B31m"))
            .send()
            .await
            .unwrap();
        r.status()
    });
    assert_eq!(status, 200);
    child.kill().unwrap();
    let _ = child.wait();
    let mut log = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut log).unwrap();
    assert!(log.contains("GET /api/v2/activities/130 200"), "{log}");
    // What a client named is escaped: no forged line, no escape code.
    assert!(log.contains("GetActivities\\nFORGED 1\\x1b[31m"), "{log}");
    assert!(!log.lines().any(|l| l.starts_with("FORGED")), "{log}");
    assert!(!log.contains('\u{1b}'), "{log}");
    // Secrets are printed once at start, never logged.
    assert!(!log.contains(&env["LANDSCAPE_PASSWORD"]));
}

#[test]
fn serve_refuses_half_configured_credentials() {
    for (set, missing) in [
        ("LANDSCAPE_API_KEY", "LANDSCAPE_API_SECRET"),
        ("LANDSCAPE_PASSWORD", "LANDSCAPE_EMAIL"),
    ] {
        let out = bin()
            .args(["--data", DATA, "serve", "--bind", "127.0.0.1:0"])
            .env_remove("LANDSCAPE_EMAIL")
            .env_remove("LANDSCAPE_PASSWORD")
            .env(set, "something")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(missing) && err.contains(set), "{err}");
        assert!(out.stdout.is_empty(), "nothing generated or announced");
    }
}

#[test]
fn serve_logs_json_lines_for_machines() {
    let mut cmd = bin();
    cmd.args(["--data", DATA, "--frozen", "serve", "--bind", "127.0.0.1:0"])
        .args(["--log-format", "json"])
        .env_remove("LANDSCAPE_EMAIL")
        .env_remove("LANDSCAPE_PASSWORD");
    let (uri, mut child) = announced(cmd);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        reqwest::get(format!("{uri}?action=Get%0AForged"))
            .await
            .unwrap();
    });
    child.kill().unwrap();
    let _ = child.wait();
    let mut log = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut log).unwrap();
    let line = log
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("{log}"));
    let entry: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(entry["method"], "GET");
    assert_eq!(entry["path"], "/api/");
    assert_eq!(entry["action"], "Get\nForged");
    assert_eq!(entry["status"], 401);
    assert!(entry["time"].as_str().unwrap().ends_with('Z'));
    assert!(!log.lines().any(|l| l.starts_with("Forged")), "{log}");
}

/// Starts `serve` as `cmd` says; the API base it announces, and the process.
fn announced(mut cmd: Command) -> (String, std::process::Child) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let uri = lines
        .by_ref()
        .map(Result::unwrap)
        .find_map(|l| {
            l.strip_prefix("export LANDSCAPE_API_URI=")
                .map(str::to_owned)
        })
        .unwrap();
    // Whatever else serve prints is read, as a terminal would.
    std::thread::spawn(move || lines.for_each(drop));
    (uri, child)
}

/// Starts `serve --state` on the small dataset; its API base and process.
fn serve_state(state: &std::path::Path) -> (String, std::process::Child) {
    let mut cmd = bin();
    cmd.args(["--data", DATA, "--frozen", "--state"])
        .arg(state)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("LANDSCAPE_API_KEY", "STATEKEY")
        .env("LANDSCAPE_API_SECRET", "state-secret")
        .env("LANDSCAPE_EMAIL", "state@example.com")
        .env("LANDSCAPE_PASSWORD", "pw");
    announced(cmd)
}

/// A REST token for the `serve_state` user.
async fn state_token(http: &reqwest::Client, uri: &str) -> String {
    let login: serde_json::Value = http
        .post(format!("{uri}v2/login"))
        .json(&serde_json::json!({"email": "state@example.com", "password": "pw"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    login["token"].as_str().unwrap().to_owned()
}

#[test]
fn kill_9_loses_nothing_that_was_answered() {
    use std::collections::HashMap;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = reqwest::Client::new();
    // Status each acknowledged change left, by id; activities reapply made.
    let mut expected: HashMap<u64, String> = HashMap::new();
    let mut created: Vec<u64> = Vec::new();
    let plan: [&[(&str, u64)]; 3] = [
        &[("approve", 101), ("cancel", 102), ("reapply", 111)],
        &[("approve", 103), ("cancel", 130), ("reapply", 150)],
        &[("cancel", 101), ("reapply", 120)],
    ];
    for (round, actions) in plan.iter().enumerate() {
        let (uri, mut child) = serve_state(&state);
        rt.block_on(async {
            let token = state_token(&http, &uri).await;
            for (action, id) in *actions {
                let r = match *action {
                    "reapply" => http
                        .post(format!("{uri}v2/activities/reapply"))
                        .bearer_auth(&token)
                        .json(&serde_json::json!({"activity_ids": [id]}))
                        .send()
                        .await
                        .unwrap(),
                    _ => http
                        .post(&uri)
                        .bearer_auth(&token)
                        .form(&[
                            (
                                "action",
                                if *action == "approve" {
                                    "ApproveActivities"
                                } else {
                                    "CancelActivities"
                                },
                            ),
                            ("version", "2011-08-01"),
                            ("query", &format!("id:{id}")),
                        ])
                        .send()
                        .await
                        .unwrap(),
                };
                assert!(r.status().is_success(), "{action} {id}: {}", r.status());
                let body: serde_json::Value = r.json().await.unwrap();
                match *action {
                    "approve" => {
                        expected.insert(*id, "undelivered".into());
                    }
                    "cancel" => {
                        expected.insert(*id, "canceled".into());
                    }
                    _ => created.extend(
                        body.as_array()
                            .unwrap()
                            .iter()
                            .map(|a| a["id"].as_u64().unwrap()),
                    ),
                }
            }
            if round == 1 {
                // One more request under way when the process dies.
                let _ = tokio::time::timeout(
                    std::time::Duration::from_millis(1),
                    http.post(&uri)
                        .bearer_auth(&token)
                        .form(&[
                            ("action", "ApproveActivities"),
                            ("version", "2011-08-01"),
                            ("query", "id:102"),
                        ])
                        .send(),
                )
                .await;
            }
        });
        // kill -9: no shutdown, no flush.
        child.kill().unwrap();
        let _ = child.wait();
    }
    let (uri, mut child) = serve_state(&state);
    let found = rt.block_on(async {
        let token = state_token(&http, &uri).await;
        let page: serde_json::Value = http
            .get(format!("{uri}v2/activities?limit=1000"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        page["results"].as_array().unwrap().clone()
    });
    child.kill().unwrap();
    let _ = child.wait();
    let status = |id: u64| {
        found
            .iter()
            .find(|a| a["id"] == id)
            .map(|a| a["activity_status"].as_str().unwrap().to_owned())
    };
    for (id, want) in &expected {
        assert_eq!(status(*id).as_deref(), Some(want.as_str()), "activity {id}");
    }
    assert_eq!(created.len(), 3);
    for id in &created {
        assert!(status(*id).is_some(), "reapplied activity {id} was lost");
    }
    // Parents still equal their derivation: 100's children are approved or canceled.
    assert_eq!(status(100).as_deref(), Some("undelivered"));
}
