//! What Canonical's web UI needs of `serve` around the activity routes,
//! over HTTP: the session cookie, `/me`, logout, the login answer, the
//! server's description, alerts, and the UI's own files.

use crate::common;

use common::{TestServer, dataset, frozen};
use landscape_tui::engine::Engine;
use landscape_tui::server::site::Site;
use landscape_tui::server::{Hygiene, Throttle};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn server(site: Site) -> TestServer {
    let engine = Engine::from_dataset_str(&dataset()).unwrap();
    TestServer::start_site(
        frozen(engine),
        Throttle::default(),
        Hygiene::default(),
        site,
    )
    .await
}

/// A password login: the answer and its `Set-Cookie`.
async fn login(s: &TestServer) -> (Value, String) {
    let r = s
        .http
        .post(format!("{}/api/v2/login", s.base))
        .json(&json!({"email": s.credentials.email, "password": s.credentials.password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r
        .headers()
        .get("set-cookie")
        .expect("a session cookie")
        .to_str()
        .unwrap()
        .to_owned();
    (r.json().await.unwrap(), cookie)
}

/// `name=value` of a `Set-Cookie`, as a browser sends it back.
fn sent(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

async fn get(
    s: &TestServer,
    path: &str,
    cookie: Option<&str>,
    token: Option<&str>,
) -> (StatusCode, Value) {
    let mut r = s.http.get(format!("{}/api/v2/{path}", s.base));
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// The `exp` claim of a JWT (not verified: the server does that).
fn exp(token: &str) -> i64 {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice::<Value>(&bytes).unwrap()["exp"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn login_answers_the_user_and_opens_a_cookie_session() {
    let s = server(Site::default()).await;
    let (user, cookie) = login(&s).await;
    assert_eq!(user["name"], "Test Admin");
    assert_eq!(user["email"], "admin@example.com");
    assert_eq!(user["current_account"], "standalone");
    assert_eq!(user["attach_code"], Value::Null);
    assert_eq!(user["has_password"], true);
    let account = &user["accounts"][0];
    assert_eq!(account["name"], "standalone");
    assert_eq!(account["title"], "Test Lab");
    assert_eq!(account["subdomain"], Value::Null);
    assert!(user["token"].as_str().unwrap().len() > 20);

    // HTTP-only, SameSite=Lax, for the whole site, as long as the token.
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(attributes[0].starts_with("landscape_session="), "{cookie}");
    assert!(attributes.contains(&"HttpOnly"), "{cookie}");
    assert!(attributes.contains(&"SameSite=Lax"), "{cookie}");
    assert!(attributes.contains(&"Path=/"), "{cookie}");
    assert!(
        !attributes.contains(&"Secure"),
        "plain HTTP on loopback: {cookie}"
    );
    let max_age: i64 = attributes
        .iter()
        .find_map(|a| a.strip_prefix("Max-Age="))
        .unwrap()
        .parse()
        .unwrap();
    let token_left = exp(user["token"].as_str().unwrap()) - chrono::Utc::now().timestamp();
    assert!(
        (max_age - token_left).abs() <= 2,
        "{max_age} vs {token_left}"
    );
    assert!((max_age - 1440 * 60).abs() <= 2);

    // An access-key login (a script) gets no cookie.
    let r = s
        .http
        .post(format!("{}/api/v2/login/access-key", s.base))
        .json(&json!({"access_key": s.credentials.access_key, "secret_key": s.credentials.secret_key}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn me_answers_the_cookies_user_and_the_cookie_opens_nothing_else() {
    let s = server(Site::default()).await;
    // Nobody logged in: an empty object.
    assert_eq!(get(&s, "me", None, None).await, (StatusCode::OK, json!({})));
    assert_eq!(
        get(&s, "me", Some("landscape_session=forged"), None).await,
        (StatusCode::OK, json!({}))
    );
    let (user, set_cookie) = login(&s).await;
    let cookie = sent(&set_cookie);
    let (status, me) = get(&s, "me", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], user["email"]);
    assert_eq!(me["current_account"], "standalone");
    assert_eq!(me["attach_code"], Value::Null);
    // Its token works, and ends when the session does.
    let token = me["token"].as_str().unwrap();
    assert!((exp(token) - exp(user["token"].as_str().unwrap())).abs() <= 1);
    assert_eq!(
        get(&s, "activities?limit=1", None, Some(token)).await.0,
        StatusCode::OK
    );
    // The cookie alone opens no API route.
    for path in [
        "activities?limit=1",
        "activities/110",
        "computers/1",
        "alerts/summary",
    ] {
        assert_eq!(
            get(&s, path, Some(&cookie), None).await.0,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }

    // Logout ends the session and clears the cookie.
    let r = s
        .http
        .post(format!("{}/api/v2/logout", s.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cleared = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cleared.starts_with("landscape_session=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(
        get(&s, "me", Some(&cookie), None).await,
        (StatusCode::OK, json!({}))
    );
}

#[test]
fn a_session_ends_with_its_token() {
    use landscape_tui::server::session::Sessions;
    let sessions = Sessions::default();
    let id = sessions.open(1_000, 900);
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "cookie",
        format!("other=1; landscape_session={id}").parse().unwrap(),
    );
    assert_eq!(sessions.find(&headers, 999), Some((id.clone(), 1_000)));
    assert_eq!(sessions.find(&headers, 1_000), None);
}

#[tokio::test]
async fn the_servers_description_and_alerts() {
    let s = server(Site {
        web_ui: None,
        features: vec!["activity-redo".into()],
    })
    .await;
    let (status, methods) = get(&s, "login/methods", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        methods["password"],
        json!({"available": true, "enabled": true})
    );
    for off in ["pam", "standalone_oidc", "ubuntu_one"] {
        assert_eq!(
            methods[off],
            json!({"available": false, "enabled": false}),
            "{off}"
        );
    }
    assert_eq!(
        methods["oidc"],
        json!({"available": false, "configurations": []})
    );

    let (_, about) = get(&s, "about", None, None).await;
    assert_eq!(about["self_hosted"], true);
    assert_eq!(about["package_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(about["display_disa_stig_banner"], false);
    assert_eq!(
        get(&s, "standalone-account", None, None).await.1,
        json!({"exists": true})
    );
    let (_, features) = get(&s, "features", None, None).await;
    assert_eq!(
        features["results"],
        json!([{"key": "activity-redo", "enabled": true}])
    );
    assert_eq!(
        server(Site::default()).await.get("/api/v2/features").await["results"],
        json!([])
    );

    // Bearer routes.
    assert_eq!(
        get(&s, "classic_dashboard_url", None, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let url = s.get("/api/v2/classic_dashboard_url").await;
    assert_eq!(url["url"], format!("{}/", s.base));
    // The small dataset: computer 1 has package upgrades, 3 security
    // upgrades, 5 is offline.
    let summary = s.get("/api/v2/alerts/summary").await["alerts_summary"].clone();
    let kinds: Vec<(&str, &str)> = summary
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["alert_type"].as_str().unwrap(),
                a["summary"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "PackageUpgradesAlert",
                "1 computer has package upgrades available"
            ),
            (
                "SecurityUpgradesAlert",
                "1 computer has security upgrades available"
            ),
            ("ComputerOfflineAlert", "1 computer is offline"),
        ]
    );
    // A queued activity the dataset wrote without `completion_time` is
    // sent with it `null`, as a server does (the UI reads a missing one as
    // "completed now").
    let queued = s.get("/api/v2/activities/162").await;
    assert_eq!(queued["activity_status"], "undelivered");
    assert_eq!(
        queued.get("completion_time"),
        Some(&Value::Null),
        "{queued}"
    );
    assert_eq!(queued.get("result_text"), Some(&Value::Null), "{queued}");
    // The details panel's computer: id, title and parent.
    let computer = s.get("/api/v2/computers/1").await;
    assert_eq!(computer["id"], 1);
    assert!(computer["title"].is_string());
    assert!(computer.get("parent").is_some(), "{computer}");
}

#[tokio::test]
async fn web_ui_files_are_served_with_index_html_for_its_routes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>Landscape</title>",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets/app-1234.js"), "console.log(1)").unwrap();
    let s = server(Site {
        web_ui: Some(dir.path().to_owned()),
        features: vec![],
    })
    .await;
    let fetch = |path: &str| {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let url = format!("{}{path}", s.base);
        async move { http.get(url).send().await.unwrap() }
    };
    for route in [
        "/new_dashboard/",
        "/new_dashboard/activities",
        "/login",
        "/new_dashboard/x/y?z=1",
    ] {
        let r = fetch(route).await;
        assert_eq!(r.status(), StatusCode::OK, "{route}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(
            r.text().await.unwrap().contains("<title>Landscape</title>"),
            "{route}"
        );
    }
    let r = fetch("/assets/app-1234.js").await;
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert_eq!(r.text().await.unwrap(), "console.log(1)");
    // No way out of the directory.
    for escape in [
        "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc/passwd",
    ] {
        let text = fetch(escape).await.text().await.unwrap();
        assert!(!text.contains("root:"), "{escape}");
    }
    let r = fetch("/").await;
    assert_eq!(r.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(r.headers()["location"], "/new_dashboard/");
    // API paths stay the API's.
    let r = fetch("/api/v2/nope").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "NotFound");
    // Hidden files in the directory are never served; a file the UI does
    // not have is not found (not its page).
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".git/config"), "[remote] secret").unwrap();
    std::fs::write(dir.path().join(".env"), "TOKEN=secret").unwrap();
    for path in [
        "/.git/config",
        "/new_dashboard/.env",
        "/.env",
        "/wp-login.php",
        "/new_dashboard/backup.sql",
    ] {
        let r = fetch(path).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(!r.text().await.unwrap().contains("secret"), "{path}");
    }
    // Read only: other methods are refused, saying which are taken.
    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let r = reqwest::Client::new()
            .request(method.clone(), format!("{}/new_dashboard/", s.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(r.headers()["allow"], "GET, HEAD");
    }
}
