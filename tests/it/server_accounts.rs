//! `serve --account NAME`: several accounts in one server, each its own
//! activities and key pair. The login lists them, `"account"` in the
//! login or `POST /api/v2/switch-account` gives a token for another, a
//! legacy key pair is its account's, and what is done in one account is
//! not seen in another.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo-small.json");

pub(crate) struct Served {
    pub(crate) api: String,
    child: Child,
    /// `(account, key, secret)` of each extra account, from the banner.
    keys: Vec<(String, String, String)>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `serve` on the small dataset with the accounts `beta` and `gamma`.
pub(crate) fn serve(home: &std::path::Path) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_landscape-tui"))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("LANDSCAPE_EMAIL", "ops@example.com")
        .env("LANDSCAPE_PASSWORD", "pw-of-ops")
        .env("LANDSCAPE_API_KEY", "DEFAULTKEY")
        .env("LANDSCAPE_API_SECRET", "default-secret")
        .args(["--data", DATA, "--frozen", "serve", "--bind", "127.0.0.1:0"])
        .args(["--account", "beta", "--account", "gamma"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut api = String::new();
    let mut keys = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(uri) = line.strip_prefix("export LANDSCAPE_API_URI=") {
            api = uri.trim_end_matches("/api/").to_owned() + "/api/v2";
        }
        if let Some(rest) = line.strip_prefix("# account ") {
            let (name, rest) = rest.split_once(": ").unwrap();
            let key = rest.split("LANDSCAPE_API_KEY=").nth(1).unwrap();
            let secret = rest.split("LANDSCAPE_API_SECRET=").nth(1).unwrap();
            let word = |s: &str| s.split_whitespace().next().unwrap().to_owned();
            keys.push((name.to_owned(), word(key), word(secret)));
            if keys.len() == 2 {
                break;
            }
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    Served { api, child, keys }
}

async fn post(http: &reqwest::Client, url: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = http.post(url).json(&body);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

/// How many activities match `query` for `token`'s account.
async fn count(http: &reqwest::Client, api: &str, token: &str, query: &str) -> u64 {
    let page: Value = http
        .get(format!("{api}/activities"))
        .query(&[("query", query), ("limit", "1")])
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["count"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_log_in_switch_and_keep_their_activities_apart() {
    let home = tempfile::tempdir().unwrap();
    let s = serve(home.path());
    let http = reqwest::Client::new();
    let login = |account: Option<&str>| {
        let mut body = json!({"email": "ops@example.com", "password": "pw-of-ops"});
        if let Some(a) = account {
            body["account"] = a.into();
        }
        body
    };
    let (status, me) = post(&http, &format!("{}/login", s.api), None, login(None)).await;
    assert_eq!(status, 200, "{me}");
    let names: Vec<&str> = me["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["standalone", "beta", "gamma"]);
    assert_eq!(me["current_account"], "standalone");
    let default_token = me["token"].as_str().unwrap().to_owned();

    let (status, beta) = post(
        &http,
        &format!("{}/login", s.api),
        None,
        login(Some("beta")),
    )
    .await;
    assert_eq!((status, &beta["current_account"]), (200, &json!("beta")));
    let beta_token = beta["token"].as_str().unwrap().to_owned();
    let (status, _) = post(
        &http,
        &format!("{}/login", s.api),
        None,
        login(Some("nope")),
    )
    .await;
    assert_eq!(status, 401, "an account the user does not have");

    // The same dataset in each: the same ids, kept apart.
    let unapproved = "status:unapproved NOT type:ActivityGroup";
    let before = count(&http, &s.api, &default_token, unapproved).await;
    assert!(before > 0);
    assert_eq!(count(&http, &s.api, &beta_token, unapproved).await, before);
    let (key, secret) = (&s.keys[0].1, &s.keys[0].2);
    assert_eq!(s.keys[0].0, "beta");
    let approved = Command::new(env!("CARGO_BIN_EXE_landscape-tui"))
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("LANDSCAPE_API_URI", s.api.replace("/api/v2", "/api/"))
        .env("LANDSCAPE_API_KEY", key)
        .env("LANDSCAPE_API_SECRET", secret)
        .args(["approve", unapproved])
        .output()
        .unwrap();
    assert!(
        approved.status.success(),
        "{}",
        String::from_utf8_lossy(&approved.stderr)
    );
    assert_eq!(
        count(&http, &s.api, &beta_token, unapproved).await,
        0,
        "approved in beta"
    );
    assert_eq!(
        count(&http, &s.api, &default_token, unapproved).await,
        before,
        "not in the default"
    );

    // Switching: a token for gamma, whose activities are untouched too.
    let url = format!("{}/switch-account", s.api);
    let (status, gamma) = post(
        &http,
        &url,
        Some(&default_token),
        json!({"account_name": "gamma"}),
    )
    .await;
    assert_eq!(
        (status, &gamma["current_account"]),
        (200, &json!("gamma")),
        "{gamma}"
    );
    let gamma_token = gamma["token"].as_str().unwrap();
    assert_eq!(count(&http, &s.api, gamma_token, unapproved).await, before);
    let (status, _) = post(
        &http,
        &url,
        Some(&default_token),
        json!({"account_name": "nope"}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = post(&http, &url, None, json!({"account_name": "gamma"})).await;
    assert_eq!(status, 401, "switching needs a token");
}
