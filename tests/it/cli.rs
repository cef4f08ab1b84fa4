//! The binary as scripts and operators use it: output formats, exit codes,
//! clear errors, configuration mistakes caught before the terminal is
//! touched, and `serve` announcing itself.

use crate::common;

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

/// What `command` printed, once it has succeeded (else its stderr).
fn stdout_of(command: &mut Command) -> String {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
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
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("approve refused for 1 activity; nothing changed"),
        "{err}"
    );
    assert!(err.contains("111 => it has succeeded"), "{err}");
}

fn code(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = bin().args(args).envs(env.iter().copied()).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A legacy-only server that lists one activity and drops the connection
/// of every approve or cancel without answering: the answer is lost.
fn losing_server() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(200) {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // The head, then a body of Content-Length bytes.
            let (head, body_len) = loop {
                let Ok(n) = stream.read(&mut buf) else {
                    break (String::new(), 0);
                };
                if n == 0 {
                    break (String::new(), 0);
                }
                request.extend_from_slice(&buf[..n]);
                if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&request[..end]).to_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    break (head, end + 4 + len);
                }
            };
            while request.len() < body_len {
                match stream.read(&mut buf) {
                    Ok(n) if n > 0 => request.extend_from_slice(&buf[..n]),
                    _ => break,
                }
            }
            let text = String::from_utf8_lossy(&request).into_owned();
            if text.contains("ApproveActivities") || text.contains("CancelActivities") {
                continue; // dropped: the answer is lost
            }
            let (status, body) = if head.contains("/api/v2/") {
                ("404 Not Found", "{}".to_owned())
            } else if text.contains("offset=0") || !text.contains("offset=") {
                (
                    "200 OK",
                    r#"[{"id": 7, "creation_time": "2024-02-07T17:30:05Z", "type": "RestartRequest", "summary": "Restart web-01", "activity_status": "undelivered", "parent_id": null}]"#.to_owned(),
                )
            } else {
                ("200 OK", "[]".to_owned())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

/// Each cause ends the command with its own exit code (README, --help).
#[test]
fn exit_codes_say_why() {
    // 0: done.
    let (c, _, err) = code(&["--data", DATA, "approve", "parent-id:100"], &[]);
    assert_eq!(c, 0, "{err}");
    // 1: refused, nothing changed; a dry run of it exits the same.
    let (c, _, _) = code(&["--data", DATA, "approve", "id:101", "OR", "id:111"], &[]);
    assert_eq!(c, 1);
    for (only, exit, says) in [
        (None, 1, "dry run: approve would be refused"),
        (
            Some("--only-changeable"),
            0,
            "dry run: would approve 1 activity",
        ),
    ] {
        let mut args = vec!["--data", DATA, "approve", "--dry-run", "--format", "table"];
        args.extend(only);
        args.extend(["id:101", "OR", "id:111"]);
        let (c, out, _) = code(&args, &[]);
        assert_eq!(c, exit, "{args:?}");
        assert!(out.starts_with(says), "{out}");
    }
    // 2: a bad query (and a usage error).
    let (c, _, err) = code(&["--data", DATA, "cancel", "status:faild"], &[]);
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("invalid query (at 7..12)"), "{err}");
    let (c, _, _) = code(&["--data", DATA, "cancel", "--ids", "x"], &[]);
    assert_eq!(c, 2, "--ids needs --dry-run");
    // 3: authentication, against serve with a wrong secret.
    let dir = tempfile::tempdir().unwrap();
    let (uri, mut server) = serve_state(&dir.path().join("state.json"));
    let env = [
        ("LANDSCAPE_API_URI", uri.as_str()),
        ("LANDSCAPE_API_KEY", "STATEKEY"),
        ("LANDSCAPE_API_SECRET", "wrong"),
    ];
    let (c, _, err) = code(&["approve", "id:101"], &env);
    assert_eq!(c, 3, "{err}");
    // `wait` says the same with the same code, and prints no summary.
    let (c, out, err) = code(&["wait", "101", "--timeout", "2s"], &env);
    assert_eq!((c, out.as_str()), (3, ""), "{err}");
    let _ = server.kill();
    let _ = server.wait();
    // 4: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let uri = format!("http://127.0.0.1:{port}/api/");
    let env = [
        ("LANDSCAPE_API_URI", uri.as_str()),
        ("LANDSCAPE_API_KEY", "K"),
        ("LANDSCAPE_API_SECRET", "S"),
    ];
    let (c, _, err) = code(&["approve", "id:101"], &env);
    assert_eq!(c, 4, "{err}");
    let (c, out, err) = code(&["wait", "101", "--timeout", "2s"], &env);
    assert_eq!((c, out.as_str()), (4, ""), "{err}");
    // 5: the approve was sent and its answer lost.
    let uri = losing_server();
    let env = [
        ("LANDSCAPE_API_URI", uri.as_str()),
        ("LANDSCAPE_API_KEY", "K"),
        ("LANDSCAPE_API_SECRET", "S"),
    ];
    let (c, out, err) = code(&["cancel", "--only-changeable", "id:7"], &env);
    assert_eq!(c, 5, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("may or may not have been applied"), "{err}");
    // --help says all of this.
    let (_, help, _) = run(&["approve", "--help"]);
    assert!(help.contains("Exit codes: 0 done"), "{help}");
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

/// A mistake in the dashboard's own sections (`[keys]`) stops the
/// dashboard, at its line, before the terminal; the scripting commands,
/// which use no keys, go on.
#[test]
fn a_keys_mistake_stops_the_dashboard_but_not_a_script() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[keys]\napprove = \"ctrl-\"\n").unwrap();
    let config = path.to_str().unwrap();
    let out = bin()
        .args(["--config", config, "--data", DATA, "--frozen"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("approve"), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    let (ok, listed, err) = run(&[
        "--config",
        config,
        "--data",
        DATA,
        "--frozen",
        "activities",
        "--query",
        "id:120",
    ]);
    assert!(ok, "{err}");
    assert!(listed.contains("120"), "{listed}");
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
        let token = common::rest_token(
            &http,
            &uri,
            &env["LANDSCAPE_EMAIL"],
            &env["LANDSCAPE_PASSWORD"],
        )
        .await;
        let r = http
            .get(format!("{uri}v2/activities/130"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        // A name that is not the server's (DNS rebinding) is refused.
        let misdirected = http
            .get(format!("{uri}v2/activities?limit=1"))
            .header("host", "evil.example")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(misdirected.status(), 421);
        // Links are built on the public address, never on the Host header.
        let page: serde_json::Value = http
            .get(format!("{uri}v2/activities?limit=1"))
            .header("host", "LANDSCAPE.example.com:443")
            .bearer_auth(&token)
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
    // The REST API's own URL, as Landscape's REST docs give it, with a
    // person's login: the same server, not "only the legacy API".
    let out = stdout_of(
        bin()
            .args(["activities", "--query", "id:130", "--format", "json"])
            .env("LANDSCAPE_API_URI", format!("{uri}v2/"))
            .env("LANDSCAPE_EMAIL", &env["LANDSCAPE_EMAIL"])
            .env("LANDSCAPE_PASSWORD", &env["LANDSCAPE_PASSWORD"]),
    );
    let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed[0]["id"], 130, "{listed}");
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

use common::announced;

/// Starts `serve --state` on the small dataset with `env` set (`None`
/// unsets); its API base and process.
fn serve_on_state(
    state: &std::path::Path,
    env: &[(&str, Option<&str>)],
) -> (String, std::process::Child) {
    let mut cmd = bin();
    cmd.args(["--data", DATA, "--frozen", "--state"])
        .arg(state)
        .args(["serve", "--bind", "127.0.0.1:0"]);
    for (name, value) in env {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
    announced(cmd)
}

/// `serve --state` with an access key and a login of its own.
fn serve_state(state: &std::path::Path) -> (String, std::process::Child) {
    serve_on_state(
        state,
        &[
            ("LANDSCAPE_API_KEY", Some("STATEKEY")),
            ("LANDSCAPE_API_SECRET", Some("state-secret")),
            ("LANDSCAPE_EMAIL", Some("state@example.com")),
            ("LANDSCAPE_PASSWORD", Some("pw")),
        ],
    )
}

/// A REST token for the `serve_state` user.
async fn state_token(http: &reqwest::Client, uri: &str) -> String {
    common::rest_token(http, uri, "state@example.com", "pw").await
}

/// A small deterministic random source (xorshift), seeded per run.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Every activity of the `serve_state` server, by id.
async fn every_activity(
    http: &reqwest::Client,
    uri: &str,
    token: &str,
) -> std::collections::BTreeMap<u64, serde_json::Value> {
    let page: serde_json::Value = http
        .get(format!("{uri}v2/activities?limit=10000"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_u64().unwrap(), a.clone()))
        .collect()
}

/// Random actions against `serve --state`, killed with SIGKILL at random
/// points (some with a request in flight), restarted each time: every
/// change that was answered is there afterwards, and the lifecycle holds.
/// The seed is printed; `CRASH_SEED=<n>` replays a run.
#[test]
fn kill_9_loses_nothing_that_was_answered() {
    use std::collections::BTreeMap;
    let seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("CRASH_SEED={seed}");
    let mut dice = Dice(seed);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = reqwest::Client::new();
    // Every status as of the last answered change, and what reapply and
    // revert were answered with.
    let mut expected: BTreeMap<u64, String> = BTreeMap::new();
    let mut created: Vec<u64> = Vec::new();
    let mut answered = 0;
    for round in 0..4 {
        let (uri, mut child) = serve_state(&state);
        rt.block_on(async {
            let token = state_token(&http, &uri).await;
            let ids: Vec<u64> = every_activity(&http, &uri, &token)
                .await
                .into_keys()
                .collect();
            for _ in 0..2 + dice.below(7) {
                let id = ids[dice.below(ids.len() as u64) as usize];
                let action = ["approve", "cancel", "reapply", "revert"][dice.below(4) as usize];
                let r = match action {
                    "reapply" | "revert" => http
                        .post(format!("{uri}v2/activities/{action}"))
                        .bearer_auth(&token)
                        .json(&serde_json::json!({"activity_ids": [id]})),
                    _ => http.post(&uri).bearer_auth(&token).form(&[
                        (
                            "action",
                            if action == "approve" {
                                "ApproveActivities"
                            } else {
                                "CancelActivities"
                            },
                        ),
                        ("version", "2011-08-01"),
                        ("query", &format!("id:{id}")),
                    ]),
                }
                .send()
                .await
                .unwrap();
                // Refusals (a finished activity cannot be approved) change nothing.
                if r.status() == reqwest::StatusCode::BAD_REQUEST {
                    continue;
                }
                assert!(r.status().is_success(), "{action} {id}: {}", r.status());
                answered += 1;
                let body: serde_json::Value = r.json().await.unwrap();
                if matches!(action, "reapply" | "revert") {
                    created.extend(
                        body.as_array()
                            .unwrap()
                            .iter()
                            .map(|a| a["id"].as_u64().unwrap()),
                    );
                }
                // What the server says now, every activity's status, is
                // what a restart must show (a parent's answer names the
                // parent; its children changed too).
                expected = every_activity(&http, &uri, &token)
                    .await
                    .into_iter()
                    .map(|(id, a)| (id, a["activity_status"].as_str().unwrap_or("").to_owned()))
                    .collect();
            }
            if dice.below(2) == 0 {
                // One more request under way when the process dies: it may
                // or may not have happened, and either is fine.
                let _ = tokio::time::timeout(
                    std::time::Duration::from_millis(dice.below(3)),
                    http.post(format!("{uri}v2/activities/reapply"))
                        .bearer_auth(&token)
                        .json(&serde_json::json!({"activity_ids": [ids[0]]}))
                        .send(),
                )
                .await;
            }
        });
        // kill -9: no shutdown, no flush.
        child.kill().unwrap();
        let _ = child.wait();
        eprintln!("round {round}: {answered} changes answered so far");
    }
    let (uri, mut child) = serve_state(&state);
    let found = rt.block_on(async {
        let token = state_token(&http, &uri).await;
        every_activity(&http, &uri, &token).await
    });
    child.kill().unwrap();
    let _ = child.wait();
    let status = |id: u64| found.get(&id).and_then(|a| a["activity_status"].as_str());
    for (id, want) in &expected {
        assert_eq!(
            status(*id),
            Some(want.as_str()),
            "activity {id} (CRASH_SEED={seed})"
        );
    }
    assert!(answered > 0, "nothing was answered (CRASH_SEED={seed})");
    for id in &created {
        assert!(
            found.contains_key(id),
            "created activity {id} was lost (CRASH_SEED={seed})"
        );
    }
    // The lifecycle holds: each parent's status and counts are what its
    // children say.
    for parent in found.values().filter(|a| a["type"] == "ActivityGroup") {
        let kids: Vec<&serde_json::Value> = found
            .values()
            .filter(|a| a["parent_id"] == parent["id"])
            .collect();
        assert_eq!(
            parent["children_count"].as_u64(),
            Some(kids.len() as u64),
            "parent {} (CRASH_SEED={seed})",
            parent["id"]
        );
        let finished = |s: &str| matches!(s, "succeeded" | "failed" | "canceled");
        let all_final = kids
            .iter()
            .all(|k| finished(k["activity_status"].as_str().unwrap_or("")));
        if !kids.is_empty() {
            assert_eq!(
                finished(parent["activity_status"].as_str().unwrap_or("")),
                all_final,
                "parent {} (CRASH_SEED={seed})",
                parent["id"]
            );
        }
    }
}

/// `--dry-run` says what would change and what would be refused, and
/// changes nothing: with a state file, the next run sees every status as it
/// was and nothing in the journal.
#[test]
fn dry_run_prints_the_plan_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let run = |args: &[&str]| on_state(&state, args);
    let before = run(&["activities", "--format", "json", "--limit", "1000"]);
    let table = run(&[
        "approve",
        "--dry-run",
        "--only-changeable",
        "--format",
        "table",
        "status:unapproved OR status:succeeded",
    ]);
    assert!(
        table.starts_with("dry run: would approve 3 activities (nothing changed)"),
        "{table}"
    );
    assert!(table.contains("refused: 2"), "{table}");
    assert!(
        table.contains("111 => it has succeeded; only unapproved activities can be approved"),
        "{table}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&run(&["cancel", "--dry-run", "--ids", "status:unapproved"])).unwrap();
    assert_eq!(json["would_change"], 3);
    assert_eq!(json["ids"], serde_json::json!([101, 102, 103]));
    assert_eq!(json["refused"], 0);
    assert_eq!(json["would_be_refused"], false);
    // Reapply and revert by query plan the same way.
    let json: serde_json::Value =
        serde_json::from_str(&run(&["reapply", "--dry-run", "--ids", "status:failed"])).unwrap();
    // Group 110 failed, with 111 succeeded beside 112 failed: a status
    // picks per-computer work, so only 112 is reapplied.
    assert_eq!(json["ids"], serde_json::json!([112]));
    let after = run(&["activities", "--format", "json", "--limit", "1000"]);
    assert_eq!(before, after, "a dry run changed something");
    assert_eq!(
        std::fs::metadata(dir.path().join("state.json.journal"))
            .unwrap()
            .len(),
        0,
        "a dry run was journaled"
    );
}

/// The newest release in the changelog is the version being built, and
/// its date is the man page's: a bump without its entry fails here.
#[test]
fn the_changelog_names_this_version_and_the_man_page_its_date() {
    let log =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/CHANGELOG.md")).unwrap();
    let newest = log
        .lines()
        .find(|l| l.starts_with("## ") && l != &"## Unreleased")
        .expect("a release heading");
    let (version, date) = newest[3..].split_once(" — ").expect("## VERSION — DATE");
    assert_eq!(version, env!("CARGO_PKG_VERSION"), "{newest}");
    let out = bin().arg("man").output().unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    let title = page.lines().find(|l| l.starts_with(".TH ")).unwrap();
    assert!(title.contains(date), "{title} vs {newest}");
}

#[test]
fn completions_and_the_man_page_are_printed() {
    for shell in ["bash", "zsh", "fish"] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        // Every subcommand and the options are offered (fish writes
        // `-l dry-run`, the others `--dry-run`).
        for word in ["serve", "activities", "approve", "dry-run", "state"] {
            assert!(text.contains(word), "{shell} completion lacks {word}");
        }
    }
    let out = bin().arg("man").output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH landscape-tui 1"), "{page}");
    assert!(
        page.contains("LANDSCAPE_API_URI"),
        "the page explains the variables"
    );
    assert!(
        page.contains("completions"),
        "the page lists the subcommands"
    );
    assert!(
        page.contains(".SH KEYS"),
        "the page lists the dashboard's keys"
    );

    // --dir: the page and one per subcommand, as the Debian package has them.
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["man", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let listed: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.rsplit('/').next().unwrap().to_owned())
        .collect();
    let mut expected = vec!["landscape-tui.1".to_owned()];
    for sub in [
        "serve",
        "activities",
        "approve",
        "cancel",
        "reapply",
        "revert",
        "wait",
        "rollout",
        "types",
        "completions",
        "man",
    ] {
        expected.push(format!("landscape-tui-{sub}.1"));
        assert!(
            page.contains(&format!("landscape\\-tui\\-{sub}(1)")),
            "{sub} in SEE ALSO"
        );
    }
    assert_eq!(listed, expected);
    let wait = std::fs::read_to_string(dir.path().join("landscape-tui-wait.1")).unwrap();
    assert!(wait.contains(".SH \"EXIT STATUS\""), "{wait}");
    assert!(wait.contains("\\fB8\\fR"), "wait's own exit code 8: {wait}");
    // Where man-db is installed, every page renders without a warning.
    if std::process::Command::new("man")
        .arg("--version")
        .output()
        .is_ok()
    {
        for name in &expected {
            let out = std::process::Command::new("man")
                .args(["--warnings", "-l"])
                .arg(dir.path().join(name))
                .env("MANWIDTH", "80")
                .output()
                .unwrap();
            assert!(out.status.success(), "{name}");
            assert!(
                out.stderr.is_empty(),
                "{name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn log_writes_timed_backend_calls_and_never_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let (uri, mut server) = serve_state(&state);
    let log = dir.path().join("logs/calls.log");
    for (key, secret) in [("STATEKEY", "state-secret"), ("STATEKEY", "wrong-secret")] {
        let out = bin()
            .args(["--log"])
            .arg(&log)
            .args(["activities", "-q", "status:failed", "--format", "tsv"])
            .env("LANDSCAPE_API_URI", &uri)
            .env("LANDSCAPE_API_KEY", key)
            .env("LANDSCAPE_API_SECRET", secret)
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        // Nothing of the log on the terminal.
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("ms"), "{stderr}");
    }
    server.kill().unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    // The call, its time and its outcome; the HTTP exchange under it.
    assert!(
        text.lines()
            .any(|l| l.contains("activities \"status:failed\" limit")
                && l.contains(" ms")
                && l.contains(" of ")),
        "{text}"
    );
    assert!(text.contains("HTTP POST /login/access-key"), "{text}");
    assert!(text.contains("failed in"), "{text}");
    for secret in ["state-secret", "wrong-secret", "Bearer", "signature="] {
        assert!(!text.contains(secret), "{secret} in the log:\n{text}");
    }
}

#[test]
fn every_option_of_every_command_has_help() {
    use clap::CommandFactory;
    let cli = landscape_tui::cli::Cli::command();
    let mut missing = Vec::new();
    for command in std::iter::once(&cli).chain(cli.get_subcommands()) {
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if arg.get_help().is_none() && !["help", "version"].contains(&id) {
                missing.push(format!("{} --{id}", command.get_name()));
            }
        }
    }
    assert!(missing.is_empty(), "options without help: {missing:?}");
}

/// `serve --state` as jane@example.com (named by LANDSCAPE_USER_NAME).
fn serve_as_jane(state: &std::path::Path) -> (String, std::process::Child) {
    serve_on_state(
        state,
        &[
            ("LANDSCAPE_EMAIL", Some("jane@example.com")),
            ("LANDSCAPE_PASSWORD", Some("pw")),
            ("LANDSCAPE_USER_NAME", Some("Jane Doe")),
            ("LANDSCAPE_ACCOUNT", Some("lab")),
            ("LANDSCAPE_API_KEY", None),
            ("LANDSCAPE_API_SECRET", None),
        ],
    )
}

#[test]
fn what_a_user_redoes_through_serve_is_theirs_also_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = reqwest::Client::new();
    let (uri, mut server) = serve_as_jane(&state);
    let created: serde_json::Value = rt.block_on(async {
        let login = common::rest_login(&http, &uri, "jane@example.com", "pw").await;
        assert_eq!(login["name"], "Jane Doe");
        assert_eq!(login["current_account"], "lab");
        assert_eq!(login["accounts"][0]["name"], "lab");
        let token = login["token"].as_str().unwrap();
        http.post(format!("{uri}v2/activities/reapply"))
            .bearer_auth(token)
            .json(&serde_json::json!({"activity_ids": [112]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let new = created.as_array().unwrap();
    assert!(!new.is_empty(), "{created}");
    for a in new {
        assert_eq!(a["creator"]["email"], "jane@example.com", "{a}");
        assert_eq!(a["creator"]["name"], "Jane Doe", "{a}");
    }
    let id = new.last().unwrap()["id"].as_u64().unwrap();
    server.kill().unwrap();
    server.wait().unwrap();

    // Started again as someone else, the journal replays jane's redo as hers.
    let (uri, mut server) = serve_on_state(
        &state,
        &[
            ("LANDSCAPE_EMAIL", Some("bob@example.com")),
            ("LANDSCAPE_PASSWORD", Some("pw2")),
            ("LANDSCAPE_USER_NAME", None),
            ("LANDSCAPE_API_KEY", None),
            ("LANDSCAPE_API_SECRET", None),
        ],
    );
    let again: serde_json::Value = rt.block_on(async {
        let token = common::rest_token(&http, &uri, "bob@example.com", "pw2").await;
        http.get(format!("{uri}v2/activities/{id}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    server.kill().unwrap();
    assert_eq!(again["creator"]["email"], "jane@example.com", "{again}");
    assert_eq!(again["creator"]["name"], "Jane Doe", "{again}");
}

/// Scripted actions land in the same action log as the dashboard's, and
/// print its facts.
#[test]
fn scripted_actions_are_logged_beside_the_dashboards() {
    let home = tempfile::tempdir().unwrap();
    let out = bin()
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        // Frozen: a running clock may finish 161 between the plan and the cancel.
        .args([
            "--data",
            DATA,
            "--frozen",
            "cancel",
            "--format",
            "table",
            "parent-id:160",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.starts_with("canceled 2 activities\nsent: parent-id:160\n"),
        "{text}"
    );
    let log =
        std::fs::read_to_string(home.path().join("data/landscape-tui/actions.jsonl")).unwrap();
    let record: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(record["action"], "cancel");
    assert_eq!(record["changed"], 2);
    assert_eq!(record["ids"], serde_json::json!([161, 162]));
    assert_eq!(record["server"], "DEMO");
}

/// A second `serve` on a state one already serves stops at once, naming
/// the first; the first goes on serving; once it is gone the state opens.
#[test]
fn a_second_serve_on_the_same_state_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let (uri, mut first) = serve_state(&state);
    let second = bin()
        .args(["--data", DATA, "--frozen", "--state"])
        .arg(&state)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!second.status.success());
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(
        said.contains("is held by another landscape-tui")
            && said.contains(&format!("pid {}", first.id())),
        "{said}"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let about = rt.block_on(async {
        reqwest::get(format!("{uri}v2/about"))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(about, 200);
    first.kill().unwrap();
    let _ = first.wait();
    let (_, mut again) = serve_state(&state);
    again.kill().unwrap();
    let _ = again.wait();
}

/// `wait`'s exit code and its one summary on stdout.
fn wait_on(args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["--data", DATA];
    all.extend_from_slice(args);
    let out = bin().args(&all).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn wait_exits_by_the_outcome_and_by_the_clock() {
    let json = |s: &str| -> serde_json::Value { serde_json::from_str(s).unwrap() };
    // Final already: the outcome is the exit code with --exit-status.
    let (code, out, err) = wait_on(&["--frozen", "wait", "120", "--exit-status"]);
    assert_eq!(code, Some(0), "{err}");
    let s = json(&out);
    assert_eq!(
        (s["done"].as_bool(), s["succeeded"].as_u64()),
        (Some(true), Some(1))
    );
    assert_eq!(
        wait_on(&["--frozen", "wait", "112", "--exit-status"]).0,
        Some(6)
    );
    assert_eq!(
        wait_on(&["--frozen", "wait", "150", "--exit-status"]).0,
        Some(7)
    );
    // Failed beats canceled; without --exit-status, final is enough.
    assert_eq!(
        wait_on(&["--frozen", "wait", "150", "112", "--exit-status"]).0,
        Some(6)
    );
    assert_eq!(wait_on(&["--frozen", "wait", "150", "112"]).0, Some(0));

    // An unapproved activity never moves by itself: the timeout ends it.
    let (code, out, _) = wait_on(&[
        "--frozen",
        "wait",
        "101",
        "--timeout",
        "1s",
        "--interval",
        "100ms",
    ]);
    assert_eq!(code, Some(8));
    let s = json(&out);
    assert_eq!(
        (s["done"].as_bool(), s["pending"].as_u64()),
        (Some(false), Some(1))
    );
    assert_eq!(s["activities"][0]["status"], "unapproved");

    // A query's matches, in a table.
    let (code, out, _) = wait_on(&[
        "--frozen",
        "wait",
        "--query",
        "status:undelivered",
        "--timeout",
        "300ms",
        "--interval",
        "100ms",
        "--format",
        "table",
    ]);
    assert_eq!(code, Some(8));
    assert!(out.contains("130 ") && out.contains("162 "), "{out}");
    assert!(
        out.contains("(timed out: 0 succeeded, 0 failed, 0 canceled"),
        "{out}"
    );

    // The clock running (an hour a second), delivered work finishes.
    let (code, out, err) = wait_on(&[
        "--speed",
        "3600",
        "wait",
        "140",
        "161",
        "--interval",
        "200ms",
        "--timeout",
        "60s",
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    let s = json(&out);
    assert_eq!(s["done"], true, "{s}");
    assert_eq!(s["total"], 2);

    // Mistakes are said: an id that does not exist (a usage error, 2,
    // as --help says), a duration, no ids.
    let (code, out, err) = wait_on(&["--frozen", "wait", "120", "999"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no activity 999"), "{err}");
    assert!(out.is_empty());
    let (code, _, err) = wait_on(&["--frozen", "wait", "120", "--timeout", "soon"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("not a duration"), "{err}");
    assert_eq!(wait_on(&["--frozen", "wait"]).0, Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_asks_only_for_what_is_not_final_on_any_account() {
    use landscape_tui::scripting::wait::{WaitRequest, wait};
    let mut costs = Vec::new();
    for n in [5_000, 50_000] {
        let engine = common::frozen(common::demo(5, 60, n));
        let waiting: Vec<u64> = engine
            .read()
            .activities(
                "NOT status:succeeded NOT status:failed NOT status:canceled NOT type:ActivityGroup",
                150,
                0,
            )
            .unwrap()
            .results
            .iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(waiting.len(), 150);
        let counted = common::counting::Counting::new(engine);
        let request = WaitRequest {
            ids: waiting.clone(),
            query: None,
            timeout: std::time::Duration::from_millis(300),
            interval: std::time::Duration::from_millis(100),
            exit_status: false,
            guard: None,
            log: None,
        };
        let polls = std::sync::atomic::AtomicU64::new(0);
        let progress = |_: u64, _: u64, _: u64| {
            polls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        };
        let (exit, summary) = wait(counted.as_ref(), &request, &progress).await.unwrap();
        assert_eq!((summary.total, summary.pending), (150, 150));
        assert_eq!(exit as u8, 8);
        // Each look (the first read and every poll) is one request per
        // 100 ids still waited for: never a walk over the account.
        let per_look = waiting.len().div_ceil(100);
        let looks = polls.load(std::sync::atomic::Ordering::Relaxed) as usize;
        assert_eq!(counted.calls(), per_look * looks, "{n} activities");
        costs.push(per_look);
    }
    assert_eq!(costs[0], costs[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_through_serve_sees_its_clock_finish_the_work() {
    use landscape_tui::backend::Backend;
    use landscape_tui::backend::engine::{EngineBackend, EngineOptions};
    use landscape_tui::backend::remote::{ApiChoice, RemoteBackend};
    use landscape_tui::scripting::wait::{WaitRequest, wait};
    // `serve --speed 3600`: an hour of the account a second.
    let engine = landscape_tui::engine::Engine::from_dataset_str(&common::dataset()).unwrap();
    let backend = EngineBackend::new(
        engine,
        EngineOptions {
            speed: 3600.0,
            tick: std::time::Duration::from_millis(100),
            ..EngineOptions::default()
        },
    );
    let s = common::TestServer::start_with(backend).await;
    for api in [ApiChoice::Rest, ApiChoice::Legacy] {
        let remote = RemoteBackend::new(s.access_key_options(&s.base, api)).unwrap();
        let request = WaitRequest {
            ids: vec![140, 161],
            query: None,
            timeout: std::time::Duration::from_secs(60),
            interval: std::time::Duration::from_millis(200),
            exit_status: true,
            guard: None,
            log: None,
        };
        let (exit, summary) = wait(remote.as_ref(), &request, &|_, _, _| {})
            .await
            .unwrap();
        assert_eq!((summary.done, summary.total), (true, 2), "{api:?}");
        // What it says is what the server says now.
        for row in &summary.activities {
            let a = remote.activity(row.id).await.unwrap();
            assert_eq!(Some(row.status.as_str()), a.status().map(|s| s.as_str()));
        }
        let exit = exit as u8;
        let expected = if summary.failed > 0 {
            6
        } else if summary.canceled > 0 {
            7
        } else {
            0
        };
        assert_eq!(exit, expected, "{api:?}: {:?}", summary.activities);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_on_a_query_takes_every_match_over_either_api() {
    use landscape_tui::backend::remote::{ApiChoice, RemoteBackend};
    use landscape_tui::scripting::wait::{WaitRequest, wait};
    let s = common::TestServer::start_with(common::frozen(common::demo(3, 40, 6_000))).await;
    // More than a page of 1,000, so the pages, not a first count, must end it.
    let query = "NOT status:succeeded NOT type:ActivityGroup";
    let expected = s.backend.read().activities(query, 0, 0).unwrap().count;
    assert!(expected > 1_000, "{expected}");
    for api in [ApiChoice::Rest, ApiChoice::Legacy] {
        let remote = RemoteBackend::new(s.access_key_options(&s.base, api)).unwrap();
        let request = WaitRequest {
            ids: vec![],
            query: Some(query.to_owned()),
            timeout: std::time::Duration::ZERO,
            interval: std::time::Duration::from_millis(100),
            exit_status: false,
            guard: None,
            log: None,
        };
        let (_, summary) = wait(remote.as_ref(), &request, &|_, _, _| {})
            .await
            .unwrap();
        assert_eq!(summary.total as u64, expected, "{api:?}");
    }
}

/// `wait --guard failed>=3` on a rollout through `serve`: the third
/// failure is already there, so the guard cancels what had not started,
/// exactly that (checked through the API), logs it, and the wait goes on
/// for what is running; below its threshold it stops nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_guard_cancels_only_what_had_not_started() {
    use landscape_tui::backend::Backend;
    use landscape_tui::backend::remote::{ApiChoice, RemoteBackend};
    use landscape_tui::model::guard::Threshold;
    use landscape_tui::scripting::wait::{WaitRequest, wait};
    for (api, threshold, trips) in [
        (ApiChoice::Rest, "failed>=3", true),
        (ApiChoice::Legacy, "failed>=30%", true),
        (ApiChoice::Rest, "failed>=4", false),
    ] {
        let engine =
            landscape_tui::engine::Engine::from_dataset_str(&common::rollout(3, 2, 5)).unwrap();
        let s = common::TestServer::start_with(common::frozen(engine)).await;
        let remote = RemoteBackend::new(s.access_key_options(&s.base, api)).unwrap();
        let log = tempfile::NamedTempFile::new().unwrap();
        let request = WaitRequest {
            ids: vec![500],
            query: None,
            timeout: std::time::Duration::from_millis(600),
            interval: std::time::Duration::from_millis(100),
            exit_status: true,
            guard: Some(Threshold::parse(threshold).unwrap()),
            log: Some(log.path().to_owned()),
        };
        let (exit, summary) = wait(remote.as_ref(), &request, &|_, _, _| {})
            .await
            .unwrap();
        // Two are still delivered on their computers: the clock is frozen.
        assert_eq!(exit as u8, 8, "{api:?} {threshold}");
        let guard = summary.guard.as_ref().unwrap();
        assert_eq!((guard.failed, guard.of), (3, 10), "{threshold}");
        assert_eq!(guard.tripped, trips, "{threshold}");
        let status = |q: &str| {
            let remote = remote.clone();
            let q = q.to_owned();
            async move { remote.count(&q).await.unwrap() }
        };
        let canceled = if trips { 5 } else { 0 };
        assert_eq!(guard.canceled, canceled, "{threshold}");
        assert_eq!(status("parent-id:500 status:canceled").await, canceled);
        assert_eq!(
            status("parent-id:500 status:undelivered").await,
            5 - canceled
        );
        assert_eq!(status("parent-id:500 status:delivered").await, 2);
        assert_eq!(status("parent-id:500 status:failed").await, 3);
        assert_eq!(status("parent-id:600 status:undelivered").await, 3);
        let logged = std::fs::read_to_string(log.path()).unwrap();
        if trips {
            let record: serde_json::Value = serde_json::from_str(logged.trim()).unwrap();
            assert_eq!(record["action"], "cancel");
            assert_eq!(record["changed"], 5);
            assert!(
                record["picked"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("guard {threshold} tripped: 3 of 10 failed")),
                "{record}"
            );
            let sent = record["sent"][0].as_str().unwrap();
            assert!(
                sent.starts_with(
                    "parent-id:500 status:undelivered OR status:unapproved OR status:scheduled"
                ),
                "{record}"
            );
        } else {
            assert_eq!(logged, "");
        }
    }
}

/// `wait --query 'id:A OR id:B' --guard`: the groups the query names
/// bring their children, so the guard counts them, trips, and cancels
/// the children of both that had not started (it counted 0 of 0 when it
/// took the group ids for single activities). REST and legacy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_guard_on_a_query_naming_groups_stops_their_children() {
    use landscape_tui::backend::Backend;
    use landscape_tui::backend::remote::{ApiChoice, RemoteBackend};
    use landscape_tui::model::guard::Threshold;
    use landscape_tui::scripting::wait::{WaitRequest, wait};
    for api in [ApiChoice::Rest, ApiChoice::Legacy] {
        let engine =
            landscape_tui::engine::Engine::from_dataset_str(&common::rollout(3, 2, 5)).unwrap();
        let s = common::TestServer::start_with(common::frozen(engine)).await;
        let remote = RemoteBackend::new(s.access_key_options(&s.base, api)).unwrap();
        let request = WaitRequest {
            ids: Vec::new(),
            query: Some("id:500 OR id:600".into()),
            timeout: std::time::Duration::from_millis(600),
            interval: std::time::Duration::from_millis(100),
            exit_status: true,
            guard: Some(Threshold::parse("failed>=1").unwrap()),
            log: None,
        };
        let (_, summary) = wait(remote.as_ref(), &request, &|_, _, _| {})
            .await
            .unwrap();
        let guard = summary.guard.as_ref().unwrap();
        // 10 children of 500 (3 failed) and 3 of 600.
        assert_eq!((guard.failed, guard.of), (3, 13), "{api:?}");
        assert!(guard.tripped, "{api:?}");
        assert_eq!(guard.canceled, 8, "{api:?}");
        let count = |q: &'static str| {
            let remote = remote.clone();
            async move { remote.count(q).await.unwrap() }
        };
        assert_eq!(count("parent-id:500 status:canceled").await, 5);
        assert_eq!(count("parent-id:600 status:canceled").await, 3);
        assert_eq!(count("parent-id:500 status:delivered").await, 2);
    }
}

/// The command's output on the small dataset kept in `state`.
fn on_state(state: &std::path::Path, args: &[&str]) -> String {
    stdout_of(
        bin()
            .args(["--data", DATA, "--frozen", "--state"])
            .arg(state)
            .args(args)
            .env_remove("LANDSCAPE_API_URI"),
    )
}

/// `reapply 'status:failed'` makes one copy per failed activity: a
/// failed group's succeeded children are not run again; the ids a dry
/// run lists are the ones the action then prints.
#[test]
fn reapply_by_status_copies_each_failed_activity_once() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let run = |args: &[&str]| on_state(&state, args);
    let failed: Vec<u64> = serde_json::from_str::<serde_json::Value>(&run(&[
        "activities",
        "--format",
        "json",
        "--query",
        "status:failed NOT type:ActivityGroup",
    ]))
    .unwrap()
    .as_array()
    .unwrap()
    .iter()
    .map(|a| a["id"].as_u64().unwrap())
    .collect();
    assert!(!failed.is_empty());
    let dry: serde_json::Value =
        serde_json::from_str(&run(&["reapply", "--dry-run", "--ids", "status:failed"])).unwrap();
    assert_eq!(dry["ids"], serde_json::json!(failed));
    // A group by id: the dry run lists its children, and the action
    // prints the same children, not the group's id.
    for (kind, query, children) in [
        ("approve", "id:100", [101, 102, 103].as_slice()),
        ("cancel", "id:160", [161, 162].as_slice()),
    ] {
        let dry: serde_json::Value =
            serde_json::from_str(&run(&[kind, "--dry-run", "--ids", query])).unwrap();
        let done: serde_json::Value = serde_json::from_str(&run(&[kind, query])).unwrap();
        assert_eq!(dry["ids"], serde_json::json!(children), "{kind}: {dry}");
        assert_eq!(done, serde_json::json!(children), "{kind}: {done}");
    }
    let out = run(&["reapply", "--format", "json", "status:failed"]);
    let made: serde_json::Value = serde_json::from_str(&out).unwrap();
    let copies: Vec<&serde_json::Value> = made
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["type"] != "ActivityGroup")
        .collect();
    assert_eq!(copies.len(), failed.len(), "{made}");
}

/// `--version` says the version, the commit it was built from (this is a
/// checkout), the TLS stack and that the web UI is not bundled; `-V` the
/// version alone.
#[test]
fn version_says_what_this_build_is() {
    let out = bin().arg("--version").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!("landscape-tui {}", env!("CARGO_PKG_VERSION"))
    );
    assert!(lines[1].starts_with("commit: "), "{text}");
    let commit = lines[1].trim_start_matches("commit: ");
    let hex = commit.split(' ').next().unwrap();
    assert!(
        hex.len() == 12 && hex.chars().all(|c| c.is_ascii_hexdigit())
            || commit.starts_with("unknown"),
        "{text}"
    );
    assert!(text.contains("TLS: rustls"), "{text}");
    assert!(text.contains("web UI: serve --web-ui DIR"), "{text}");
    let short = bin().arg("-V").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&short.stdout).trim(),
        format!("landscape-tui {}", env!("CARGO_PKG_VERSION"))
    );
}
