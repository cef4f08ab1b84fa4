//! `serve` over real HTTP on an ephemeral loopback port: every route of both
//! APIs, their errors, auth failures, paging edges and Unicode queries.

use crate::common;

use chrono::{Duration, Utc};
use common::{TestServer, dataset};
use landscape_tui::signature::{SignedTarget, TIMESTAMP_FORMAT};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn signed_params(
    server: &TestServer,
    action: &str,
    args: &[(&str, &str)],
    at: chrono::DateTime<Utc>,
) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    p.push(("action".into(), action.into()));
    p.push((
        "access_key_id".into(),
        server.credentials.access_key.clone(),
    ));
    p.push(("signature_method".into(), "HmacSHA256".into()));
    p.push(("signature_version".into(), "2".into()));
    p.push(("timestamp".into(), at.format(TIMESTAMP_FORMAT).to_string()));
    p.push(("version".into(), "2011-08-01".into()));
    p
}

/// A legacy call signed as the official client signs it (POST, form body).
async fn legacy(server: &TestServer, action: &str, args: &[(&str, &str)]) -> (StatusCode, Value) {
    legacy_at(
        server,
        action,
        args,
        Utc::now(),
        &server.credentials.secret_key.clone(),
    )
    .await
}

async fn legacy_at(
    server: &TestServer,
    action: &str,
    args: &[(&str, &str)],
    at: chrono::DateTime<Utc>,
    secret: &str,
) -> (StatusCode, Value) {
    legacy_through(&server.http, server, action, args, at, secret).await
}

/// A signed legacy call sent by `http` (a client of another address).
pub(crate) async fn legacy_through(
    http: &reqwest::Client,
    server: &TestServer,
    action: &str,
    args: &[(&str, &str)],
    at: chrono::DateTime<Utc>,
    secret: &str,
) -> (StatusCode, Value) {
    let params = signed_params(server, action, args, at);
    let target = SignedTarget {
        method: "POST",
        host: &server.host,
        path: "/api/",
    };
    let body = target.signed_body(secret, &params);
    let r = http
        .post(format!("{}/api/", server.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn ids(v: &Value) -> Vec<u64> {
    let list = if v.is_array() { v } else { &v["results"] };
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_u64().unwrap_or_else(|| a.as_u64().unwrap()))
        .collect()
}

#[tokio::test]
async fn legacy_get_activities_signed_newest_first() {
    let s = TestServer::start(dataset()).await;
    let (status, body) = legacy(&s, "GetActivities", &[("query", "status:unapproved")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Equal creation times order by id, highest first.
    assert_eq!(ids(&body), vec![103, 102, 101, 100]);
    let (_, body) = legacy(&s, "GetActivities", &[("limit", "3"), ("offset", "1")]).await;
    assert_eq!(ids(&body), vec![161, 160, 140]);
}

#[tokio::test]
async fn legacy_signed_get_in_the_query_string() {
    let s = TestServer::start(dataset()).await;
    let params = signed_params(
        &s,
        "GetActivities",
        &[("query", "type:ActivityGroup"), ("limit", "2")],
        Utc::now(),
    );
    let target = SignedTarget {
        method: "GET",
        host: &s.host,
        path: "/api/",
    };
    let qs = target.signed_body(&s.credentials.secret_key, &params);
    let r = s
        .http
        .get(format!("{}/api/?{qs}", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(ids(&body), vec![160, 100]);
}

#[tokio::test]
async fn legacy_auth_failures_are_401_unauthorised() {
    let s = TestServer::start(dataset()).await;
    let (status, body) = legacy_at(&s, "GetActivities", &[], Utc::now(), "wrong secret").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "Unauthorised");
    let stale = Utc::now() - Duration::minutes(20);
    let (status, body) = legacy_at(
        &s,
        "GetActivities",
        &[],
        stale,
        &s.credentials.secret_key.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["message"].as_str().unwrap().contains("15 minutes"),
        "{body}"
    );
    let future = Utc::now() + Duration::minutes(14);
    let (status, _) = legacy_at(
        &s,
        "GetActivities",
        &[],
        future,
        &s.credentials.secret_key.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Unknown key.
    let r = s
        .http
        .post(format!("{}/api/", s.base))
        .form(&[("action", "GetActivities"), ("access_key_id", "NOPE")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Nothing at all.
    let r = s
        .http
        .get(format!("{}/api/?action=GetActivities", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn legacy_accepts_a_rest_token() {
    let s = TestServer::start(dataset()).await;
    let token = s.login().await;
    let r = s
        .http
        .post(format!("{}/api/", s.base))
        .bearer_auth(&token)
        .form(&[("action", "GetActivityTypes"), ("version", "2011-08-01")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let types: Vec<String> = r.json().await.unwrap();
    assert!(types.iter().any(|t| t == "ChangePackagesRequest"));
    assert!(types.iter().any(|t| t == "SyncPocketRequest"));
}

#[tokio::test]
async fn legacy_unknown_action_and_missing_argument_are_400() {
    let s = TestServer::start(dataset()).await;
    let (status, body) = legacy(&s, "RebootEverything", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "UnknownAction");
    let (status, body) = legacy(&s, "ApproveActivities", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("query"),
        "{body}"
    );
    let (status, body) = legacy(&s, "GetActivities", &[("limit", "many")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn legacy_invalid_query_is_400_invalid_query() {
    let s = TestServer::start(dataset()).await;
    let (status, body) = legacy(&s, "GetActivities", &[("query", "status:faild")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "InvalidQuery");
    assert!(
        body["message"].as_str().unwrap().contains("faild"),
        "{body}"
    );
}

#[tokio::test]
async fn approve_is_all_or_nothing() {
    let s = TestServer::start(dataset()).await;
    let (status, body) = legacy(
        &s,
        "ApproveActivities",
        &[("query", "id:101 OR id:111 OR id:150")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "InvalidActivityStatusChange");
    let message = body["message"].as_str().unwrap();
    let lines: Vec<&str> = message.lines().collect();
    assert_eq!(lines.len(), 2, "{message}");
    assert!(lines[0].starts_with("111 => "), "{message}");
    assert!(lines[1].starts_with("150 => "), "{message}");
    // Nothing changed.
    let (_, body) = legacy(&s, "GetActivities", &[("query", "id:101")]).await;
    assert_eq!(body[0]["activity_status"], "unapproved");
    // All allowed: all change.
    let (status, body) = legacy(&s, "ApproveActivities", &[("query", "parent-id:100")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut approved = ids(&body);
    approved.sort();
    assert_eq!(approved, vec![101, 102, 103]);
    let (_, body) = legacy(&s, "GetActivities", &[("query", "parent-id:100")]).await;
    for a in body.as_array().unwrap() {
        assert_eq!(a["activity_status"], "undelivered");
        assert!(a["approval_time"].is_string());
    }
}

#[tokio::test]
async fn cancel_by_query_and_empty_selection() {
    let s = TestServer::start(dataset()).await;
    let (status, body) = legacy(&s, "CancelActivities", &[("query", "parent-id:160")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut canceled = ids(&body);
    canceled.sort();
    assert_eq!(canceled, vec![161, 162]);
    let (status, body) = legacy(
        &s,
        "CancelActivities",
        &[("query", "creator:nobody@example.com")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!([]));
}

#[tokio::test]
async fn rest_login_and_token_failures() {
    let s = TestServer::start(dataset()).await;
    let r = s
        .http
        .post(format!("{}/api/v2/login", s.base))
        .json(&json!({"email": s.credentials.email, "password": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = s
        .http
        .post(format!("{}/api/v2/login", s.base))
        .json(&json!({"email": s.credentials.email, "password": s.credentials.password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let login: Value = r.json().await.unwrap();
    assert!(login["token"].as_str().unwrap().len() > 20);
    assert_eq!(login["current_account"], "standalone");
    assert_eq!(login["accounts"][0]["default"], true);
    let r = s.http.post(format!("{}/api/v2/login/access-key", s.base)).json(&json!({"access_key": s.credentials.access_key, "secret_key": s.credentials.secret_key, "expiry_minutes": 5})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // No token, a bad one, an expired one.
    let r = s
        .http
        .get(format!("{}/api/v2/activities", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = s
        .http
        .get(format!("{}/api/v2/activities", s.base))
        .bearer_auth("not.a.token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let expired = s
        .jwt
        .issue_until(
            (&s.credentials.email, &s.credentials.account),
            chrono::Utc::now().timestamp() - 120,
            None,
        )
        .unwrap();
    let r = s
        .http
        .get(format!("{}/api/v2/activities", s.base))
        .bearer_auth(expired)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = r.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("expired"));
    // Malformed login bodies say what is wrong.
    let r = s
        .http
        .post(format!("{}/api/v2/login", s.base))
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("invalid JSON"),
        "{body}"
    );
}

#[tokio::test]
async fn rest_paging_edges() {
    let s = TestServer::start(dataset()).await;
    let page = s.get("/api/v2/activities?limit=2").await;
    assert_eq!(page["count"], 14);
    assert_eq!(ids(&page), vec![162, 161]);
    assert_eq!(
        page["next"],
        format!("{}/api/v2/activities?limit=2&offset=2", s.base)
    );
    assert_eq!(page["previous"], Value::Null);
    let page = s.get("/api/v2/activities?limit=2&offset=2").await;
    assert_eq!(ids(&page), vec![160, 140]);
    assert_eq!(
        page["previous"],
        format!("{}/api/v2/activities?limit=2&offset=0", s.base)
    );
    let page = s.get("/api/v2/activities?limit=5&offset=12").await;
    assert_eq!(ids(&page).len(), 2);
    assert_eq!(page["next"], Value::Null);
    let page = s.get("/api/v2/activities?offset=100").await;
    assert_eq!(page["count"], 14);
    assert_eq!(ids(&page), Vec::<u64>::new());
    assert_eq!(page["next"], Value::Null);
    let page = s.get("/api/v2/activities?limit=0").await;
    assert_eq!(page["count"], 14);
    assert_eq!(ids(&page), Vec::<u64>::new());
    assert_eq!(page["next"], Value::Null);
    // Every REST record carries its action flags.
    let page = s.get("/api/v2/activities?query=id:101").await;
    assert_eq!(
        page["results"][0]["actions"],
        json!({"approvable": true, "cancelable": true, "reappliable": false})
    );
    let r = s
        .http
        .get(format!("{}/api/v2/activities?limit=-1", s.base))
        .bearer_auth(s.login().await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn rest_query_with_unicode() {
    let s = TestServer::start(dataset()).await;
    let page = s
        .get("/api/v2/activities?query=computer%3Atitle%3Acaf%C3%A9-01")
        .await;
    assert_eq!(ids(&page), vec![130]);
    let page = s.get("/api/v2/activities?query=caf%C3%A9").await;
    assert_eq!(ids(&page), vec![130]);
    let r = s
        .http
        .get(format!("{}/api/v2/activities?query=status%3Afaild", s.base))
        .bearer_auth(s.login().await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "InvalidQuery");
}

#[tokio::test]
async fn rest_one_activity_and_parents() {
    let s = TestServer::start(dataset()).await;
    let a = s.get("/api/v2/activities/100").await;
    assert_eq!(a["type"], "ActivityGroup");
    assert_eq!(a["children_count"], 3);
    assert_eq!(a["computer_count"], 3);
    assert_eq!(
        a["children_statuses"],
        json!({"good": 0, "warning": 3, "bad": 0})
    );
    assert_eq!(a["activity_status"], "unapproved");
    let token = s.login().await;
    for path in [
        "/api/v2/activities/9999",
        "/api/v2/activities/abc",
        "/api/v2/nothing",
    ] {
        let r = s
            .http
            .get(format!("{}{path}", s.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].is_string());
    }
    let parents = s.get("/api/v2/activities/parents").await;
    assert_eq!(ids(&parents), vec![160, 100, 110]);
    assert_eq!(
        parents["results"][2]["children_statuses"],
        json!({"good": 1, "warning": 0, "bad": 1})
    );
    assert_eq!(parents["results"][2]["activity_status"], "failed");
}

#[tokio::test]
async fn rest_reapply_and_revert() {
    let s = TestServer::start(dataset()).await;
    let token = s.login().await;
    let post = |path: &'static str, body: Value| {
        let r = s
            .http
            .post(format!("{}{path}", s.base))
            .bearer_auth(token.clone())
            .json(&body);
        async move {
            let r = r.send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = post("/api/v2/activities/reapply", json!({"activity_ids": [112]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let new = &body[0];
    assert_eq!(new["activity_status"], "undelivered");
    assert_eq!(new["computer_id"], 2);
    assert_eq!(new["summary"], "Install package nginx");
    assert!(new["id"].as_u64().unwrap() > 162);
    let (status, body) = post(
        "/api/v2/activities/reapply",
        json!({"activity_ids": [101, 112]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "InvalidActivityStatusChange");
    assert!(
        body["message"].as_str().unwrap().starts_with("101 => "),
        "{body}"
    );
    let (status, body) = post("/api/v2/activities/revert", json!({"activity_ids": [120]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0]["type"], "ChangePackagesRequest");
    assert_eq!(body[0]["changes"][0]["package"], "htop");
    assert_eq!(body[0]["changes"][0]["type"], "remove");
    let (status, body) = post("/api/v2/activities/revert", json!({"activity_ids": [130]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = post("/api/v2/activities/revert", json!({"activity_ids": "120"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("invalid"),
        "{body}"
    );
    let (status, _) = post("/api/v2/activities/revert", json!({"ids": [120]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // As Landscape 26.04: a write without Content-Type: application/json
    // is 415, and nothing is made.
    use landscape_tui::backend::Backend;
    let before = s.backend.activities("", 1, 0).await.unwrap().count;
    for path in ["/api/v2/activities/reapply", "/api/v2/activities/revert"] {
        let r = s
            .http
            .post(format!("{}{path}", s.base))
            .bearer_auth(token.clone())
            .header("content-type", "text/plain")
            .body(r#"{"activity_ids": [112]}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{path}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("application/json"),
            "{body}"
        );
    }
    assert_eq!(s.backend.activities("", 1, 0).await.unwrap().count, before);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let s = TestServer::start(dataset()).await;
    let big = "x".repeat(1024 * 1024);
    let r = s
        .http
        .post(format!("{}/api/", s.base))
        .form(&[("action", "GetActivities"), ("query", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_refusal_of_thousands_is_a_short_answer() {
    let engine = common::demo(3, 20, 4000);
    let refused = engine
        .activities("NOT status:unapproved", 0, 0)
        .unwrap()
        .count;
    assert!(refused > 1000, "{refused}");
    let s = TestServer::start_with(common::frozen(engine)).await;
    let (status, body) = legacy(
        &s,
        "ApproveActivities",
        &[("query", "NOT status:unapproved")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["message"].as_str().unwrap();
    let lines: Vec<&str> = message.lines().collect();
    assert_eq!(lines.len(), 501);
    assert!(lines[0].contains(" => "), "{}", lines[0]);
    assert!(
        lines[500].starts_with("… and ") && lines[500].ends_with(" more refused"),
        "{}",
        lines[500]
    );
    assert!(message.len() < 64 * 1024, "{} bytes", message.len());
}

#[tokio::test]
async fn every_error_answer_is_json() {
    let s = TestServer::start(dataset()).await;
    let token = s.login().await;
    let check = |r: reqwest::Response, status: StatusCode| async move {
        assert_eq!(r.status(), status);
        let body: Value = r.json().await.expect("a JSON body");
        assert!(
            body["error"].is_string() && body["message"].is_string(),
            "{body}"
        );
        body
    };
    // Wrong method, unknown route, an id that is not one, a body too large.
    let r = s
        .http
        .delete(format!("{}/api/v2/activities", s.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let body = check(r, StatusCode::METHOD_NOT_ALLOWED).await;
    assert_eq!(body["error"], "MethodNotAllowed");
    let r = s
        .http
        .get(format!("{}/api/v2/nothing", s.base))
        .send()
        .await
        .unwrap();
    check(r, StatusCode::NOT_FOUND).await;
    let r = s
        .http
        .get(format!("{}/api/v2/activities/%ff", s.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    assert!(status.is_client_error(), "{status}");
    check(r, status).await;
    let r = s
        .http
        .post(format!("{}/api/v2/login", s.base))
        .header("content-type", "application/json")
        .body(vec![b' '; 300 * 1024])
        .send()
        .await
        .unwrap();
    let body = check(r, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(body["error"], "PayloadTooLarge");
}

#[tokio::test]
async fn tokens_live_thirty_days_at_most() {
    let s = TestServer::start(dataset()).await;
    let login = |minutes: i64| {
        s.http
            .post(format!("{}/api/v2/login/access-key", s.base))
            .json(&json!({
                "access_key": s.credentials.access_key,
                "secret_key": s.credentials.secret_key,
                "expiry_minutes": minutes,
            }))
            .send()
    };
    let r = login(9_223_372_036_854_775_807).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("43200 (30 days)"),
        "{body}"
    );
    assert_eq!(login(43_200).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn each_limit_is_a_clear_refusal_naming_it() {
    let s = TestServer::start(dataset()).await;
    let token = s.login().await;
    let get = |path: String| {
        let (http, token) = (s.http.clone(), token.clone());
        async move {
            let r = http.get(path).bearer_auth(token).send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let long_query = "id:1 ".repeat(7000);
    let (status, body) = get(format!(
        "{}/api/v2/activities?query={}",
        s.base,
        long_query.replace(' ', "%20")
    ))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "QueryTooLong");
    assert!(
        body["message"].as_str().unwrap().contains("32768"),
        "{body}"
    );
    let (status, body) = get(format!(
        "{}/api/v2/activities?query={}",
        s.base,
        "ab".repeat(600)
    ))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("1024"), "{body}");
    let (status, body) = get(format!("{}/api/v2/activities?limit=10001", s.base)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "LimitTooLarge");
    assert!(
        body["message"].as_str().unwrap().contains("10000"),
        "{body}"
    );
    let (status, _) = get(format!("{}/api/v2/activities?limit=10000", s.base)).await;
    assert_eq!(status, StatusCode::OK);
    // The legacy API holds to the same limits.
    let (status, body) = legacy(&s, "GetActivities", &[("limit", "20000")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "LimitTooLarge");
    let word = "x".repeat(2000);
    let (status, body) = legacy(&s, "ApproveActivities", &[("query", word.as_str())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "QueryTooLong");
    let ids: Vec<u64> = (1..=10_001).collect();
    let r = s
        .http
        .post(format!("{}/api/v2/activities/reapply", s.base))
        .bearer_auth(&token)
        .json(&json!({"activity_ids": ids}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "TooManyIds");
    assert!(
        body["message"].as_str().unwrap().contains("10000"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_query_does_not_hold_up_other_clients() {
    let s = TestServer::start_with(common::frozen(common::demo(4, 50, 50_000))).await;
    let token = s.login().await;
    // 1,500 alternatives, each tested on every row: within the query budget, and slow.
    // (An OR of ids alone is answered by set lookups; one other term makes
    // every alternative a test of its own.)
    let hostile: String = (0..1500)
        .map(|i| format!("id:{}", 90_000_000 + i))
        .chain(["created-after:2100".to_owned()])
        .collect::<Vec<_>>()
        .join(" OR ");
    // Two at once: as many as the runtime has workers.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let slow: Vec<_> = (0..2)
        .map(|_| {
            let (http, url, token, done, hostile) = (
                s.http.clone(),
                format!("{}/api/v2/activities", s.base),
                token.clone(),
                done.clone(),
                hostile.clone(),
            );
            tokio::spawn(async move {
                let r = http
                    .get(url)
                    .query(&[("query", hostile.as_str()), ("limit", "1")])
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap();
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                r.status()
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    // Meanwhile other clients are answered, one after another.
    for _ in 0..10 {
        let r = s
            .http
            .get(format!("{}/api/v2/activities?limit=5", s.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    assert_eq!(
        done.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "a hostile query finished first: make it heavier"
    );
    for q in slow {
        assert_eq!(q.await.unwrap(), StatusCode::OK);
    }
}

#[tokio::test]
async fn wrong_logins_are_throttled_then_let_through_after_the_block() {
    use landscape_tui::server::Throttle;
    let engine = landscape_tui::engine::Engine::from_dataset_str(&dataset()).unwrap();
    let s = TestServer::start_throttled(
        common::frozen(engine),
        Throttle::new(std::time::Duration::from_secs(1)),
    )
    .await;
    let login = |password: &str| {
        s.http
            .post(format!("{}/api/v2/login", s.base))
            .json(&json!({"email": s.credentials.email, "password": password}))
            .send()
    };
    for _ in 0..10 {
        assert_eq!(
            login("wrong").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Blocked now, even with the right password.
    let r = login(&s.credentials.password).await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=1).contains(&retry), "{retry}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "TooManyAttempts");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        login(&s.credentials.password).await.unwrap().status(),
        StatusCode::OK
    );
}

/// A server whose connection limits are short enough to test.
async fn hygienic(max_connections: usize) -> TestServer {
    use landscape_tui::server::{Hygiene, Throttle};
    let engine = landscape_tui::engine::Engine::from_dataset_str(&dataset()).unwrap();
    TestServer::start_custom(
        common::frozen(engine),
        Throttle::default(),
        Hygiene {
            header_timeout: std::time::Duration::from_millis(500),
            request_timeout: std::time::Duration::from_secs(1),
            max_connections,
            drain: std::time::Duration::from_millis(500),
            ..Hygiene::default()
        },
    )
    .await
}

/// Reads until the server closes the connection; what it sent.
async fn read_to_close(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut got),
    )
    .await
    .expect("the server closes the connection");
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test]
async fn a_client_dripping_headers_is_cut_off() {
    use tokio::io::AsyncWriteExt;
    let s = hygienic(64).await;
    let mut stream = tokio::net::TcpStream::connect(&s.host).await.unwrap();
    stream
        .write_all(b"GET /api/v2/activities HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    // One byte now and then, never the end of the headers.
    let drip = async {
        for b in b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
            if stream.write_all(&[*b]).await.is_err() {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        false
    };
    let cut = tokio::time::timeout(std::time::Duration::from_secs(10), drip)
        .await
        .unwrap_or(false);
    let rest = read_to_close(&mut stream).await;
    assert!(
        cut || rest.is_empty() || rest.starts_with("HTTP/1.1 408"),
        "{rest:?}"
    );
}

#[tokio::test]
async fn connections_past_the_cap_are_refused_with_a_reason() {
    use tokio::io::AsyncWriteExt;
    let s = hygienic(2).await;
    let _a = tokio::net::TcpStream::connect(&s.host).await.unwrap();
    let _b = tokio::net::TcpStream::connect(&s.host).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let mut c = tokio::net::TcpStream::connect(&s.host).await.unwrap();
    let _ = c
        .write_all(b"GET /api/v2/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await;
    let answer = read_to_close(&mut c).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.contains("TooManyConnections") && answer.contains("limit"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_stalled_body_ends_in_408_and_shutdown_does_not_wait_for_it() {
    use tokio::io::AsyncWriteExt;
    let mut s = hygienic(64).await;
    let mut stream = tokio::net::TcpStream::connect(&s.host).await.unwrap();
    stream
        .write_all(b"POST /api/v2/login HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"em")
        .await
        .unwrap();
    let answer = read_to_close(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("RequestTimeout"), "{answer}");
    // Another stalled one, then shutdown: it ends within the drain.
    let mut stalled = tokio::net::TcpStream::connect(&s.host).await.unwrap();
    stalled
        .write_all(
            b"POST /api/v2/login HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-length: 100\r\n\r\n{",
        )
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let served = s.stop();
    tokio::time::timeout(std::time::Duration::from_secs(5), served)
        .await
        .expect("shutdown ends within its drain")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn every_rest_data_route_needs_a_valid_token() {
    let s = TestServer::start(dataset()).await;
    let routes = [
        ("GET", "activities"),
        ("GET", "activities/parents"),
        ("GET", "activities/top-level"),
        ("GET", "activities/101"),
        ("GET", "computers"),
        ("GET", "computers/1"),
        ("POST", "activities/reapply"),
        ("POST", "activities/revert"),
        ("GET", "classic_dashboard_url"),
        ("GET", "alerts/summary"),
    ];
    for (method, path) in routes {
        for token in [None, Some("not-a-token")] {
            let url = format!("{}/api/v2/{path}", s.base);
            let mut r = match method {
                "GET" => s.http.get(&url),
                _ => s.http.post(&url).json(&json!({"activity_ids": [101]})),
            };
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            let r = r.send().await.unwrap();
            assert_eq!(
                r.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path} {token:?}"
            );
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"], "Unauthorised", "{method} {path}: {body}");
        }
    }
}

/// Computer queries as Landscape has them (its web UI's Overview asks
/// these): `OR` and `NOT`, with the activity language's precedence, by
/// REST and by `GetComputers`, against a plain scan of the computers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn computer_queries_take_or_and_not() {
    use landscape_tui::model::Computer;
    let s = TestServer::start_with(common::frozen(common::demo(4, 80, 400))).await;
    let computers: Vec<Computer> = s.backend.read().computers().cloned().collect();
    let has = |c: &Computer, alert: &str| c.alerts.iter().any(|a| a == alert);
    let tagged = |c: &Computer, tag: &str| c.tags.iter().any(|t| t == tag);
    type Rule<'a> = Box<dyn Fn(&Computer) -> bool + 'a>;
    let cases: Vec<(&str, Rule)> = vec![
        (
            "NOT alert:package-upgrades",
            Box::new(|c| !has(c, "package-upgrades")),
        ),
        (
            "alert:security-upgrades OR alert:package-upgrades",
            Box::new(|c| has(c, "security-upgrades") || has(c, "package-upgrades")),
        ),
        (
            "tag:web OR tag:db NOT alert:computer-offline",
            Box::new(|c| (tagged(c, "web") || tagged(c, "db")) && !has(c, "computer-offline")),
        ),
        ("NOT NOT tag:web", Box::new(|c| tagged(c, "web"))),
        ("alert:esm-disabled", Box::new(|c| has(c, "esm-disabled"))),
        (
            "alert:computer-duplicates",
            Box::new(|c| has(c, "computer-duplicates")),
        ),
    ];
    for (query, rule) in cases {
        let mut expected: Vec<u64> = computers.iter().filter(|c| rule(c)).map(|c| c.id).collect();
        expected.sort_unstable();
        let page = s
            .get(&format!(
                "/api/v2/computers?query={}&limit=1000",
                query.replace(' ', "%20")
            ))
            .await;
        let mut rest: Vec<u64> = page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_u64().unwrap())
            .collect();
        rest.sort_unstable();
        assert_eq!(rest, expected, "REST {query}");
        assert_eq!(
            page["count"].as_u64(),
            Some(expected.len() as u64),
            "{query}"
        );
        let (status, list) = legacy(&s, "GetComputers", &[("query", query)]).await;
        assert_eq!(status, StatusCode::OK, "{query}: {list}");
        let mut legacy: Vec<u64> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_u64().unwrap())
            .collect();
        legacy.sort_unstable();
        assert_eq!(legacy, expected, "legacy {query}");
    }
    // The words' mistakes are pointed at, as in activity queries.
    let r = s
        .http
        .get(format!("{}/api/v2/computers?query=tag:web%20OR", s.base))
        .bearer_auth(s.login().await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("OR needs a term after it"),
        "{body}"
    );
}

/// The routes of the web UI's Overview and Instances pages, from the
/// engine's computers and saved searches: tags, zones, access groups,
/// pending computers, saved searches (and `search:NAME` in a query), a
/// computer's activities.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instances_pages_routes_answer_from_the_computers() {
    use landscape_tui::model::SavedSearch;
    let s = TestServer::start(dataset()).await;
    // As `serve --saved-search web-servers=tag:web …` does.
    s.backend
        .save_search(SavedSearch::new("web-servers", "tag:web"))
        .unwrap();
    s.backend
        .save_search(SavedSearch::new("needs-reboot", "needs:reboot"))
        .unwrap();
    let computers: Vec<landscape_tui::model::Computer> =
        s.backend.read().computers().cloned().collect();

    let tags = s.get("/api/v2/tags").await;
    let mut expected: Vec<String> = computers.iter().flat_map(|c| c.tags.clone()).collect();
    expected.sort();
    expected.dedup();
    assert_eq!(tags["results"], json!(expected));
    assert_eq!(tags["count"], expected.len());
    assert_eq!(
        s.get("/api/v2/tags?search=WE").await["results"],
        json!(["web"])
    );
    assert_eq!(
        s.get("/api/v2/computers/availability-zones").await,
        json!({"values": []})
    );

    let (status, groups) = legacy(&s, "GetAccessGroups", &[]).await;
    assert_eq!(status, StatusCode::OK, "{groups}");
    assert_eq!(
        groups,
        json!([
            {"name": "global", "title": "Global access", "parent": "", "children": "datacenter"},
            {"name": "datacenter", "title": "Datacenter", "parent": "global", "children": ""},
        ])
    );
    let (status, pending) = legacy(&s, "GetPendingComputers", &[]).await;
    assert_eq!((status, pending), (StatusCode::OK, json!([])));
    let (_, searches) = legacy(&s, "GetSavedSearches", &[]).await;
    assert_eq!(
        searches,
        json!([
            {"name": "web-servers", "title": "Web servers", "search": "tag:web"},
            {"name": "needs-reboot", "title": "Needs reboot", "search": "needs:reboot"},
        ])
    );

    // `search:NAME` is the saved search's query, also inside `computer:`
    // and with OR / NOT around it; an unknown name is pointed at.
    let ids = |page: &Value| -> Vec<u64> {
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(
        ids(&s.get("/api/v2/computers?query=search:web-servers").await),
        ids(&s.get("/api/v2/computers?query=tag:web").await)
    );
    assert_eq!(
        ids(&s
            .get("/api/v2/computers?query=NOT%20search:web-servers%20OR%20search:needs-reboot")
            .await),
        ids(&s
            .get("/api/v2/computers?query=NOT%20tag:web%20OR%20needs:reboot")
            .await)
    );
    assert_eq!(
        ids(&s
            .get("/api/v2/activities?query=computer:search:web-servers")
            .await),
        ids(&s.get("/api/v2/activities?query=computer:tag:web").await)
    );
    let r = s
        .http
        .get(format!("{}/api/v2/computers?query=search:nope", s.base))
        .bearer_auth(s.login().await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("no saved search \"nope\"; saved searches: web-servers, needs-reboot"),
        "{body}"
    );

    // A computer's activities: those of computers 1 and 2, newest first.
    let page = s
        .get("/api/v2/computers/activities?computer_ids=1,2&limit=100")
        .await;
    let ids: Vec<u64> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_u64().unwrap())
        .collect();
    let expected: Vec<u64> = s
        .backend
        .read()
        .activities("computer:id:1 OR computer:id:2", 100, 0)
        .unwrap()
        .results
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(ids, expected);
    assert!(!ids.is_empty());
    let r = s
        .http
        .get(format!(
            "{}/api/v2/computers/activities?computer_ids=x",
            s.base
        ))
        .bearer_auth(s.login().await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

/// The events log is true: each approve, cancel and reapply made through
/// `serve`, by either API, is an event with its person, its entity (the
/// group, or the computer of a standalone activity) and Landscape's words;
/// `GET /events` and `GetEventLog` page and search it, newest first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_through_serve_is_an_event() {
    let s = TestServer::start(dataset()).await;
    // As `serve` does: what is done through it is its logged-in user's.
    s.backend.set_user(landscape_tui::model::Creator::new(
        &s.credentials.name,
        &s.credentials.email,
        1,
    ));
    assert_eq!(
        s.get("/api/v2/events?days=7&limit=20&offset=0").await["count"],
        0
    );
    let (status, _) = legacy(&s, "ApproveActivities", &[("query", "id:100")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = legacy(&s, "CancelActivities", &[("query", "id:130")]).await;
    assert_eq!(status, StatusCode::OK);
    let r = s
        .http
        .post(format!("{}/api/v2/activities/reapply", s.base))
        .bearer_auth(s.login().await)
        .json(&json!({"activity_ids": [120]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let page = s.get("/api/v2/events?days=7&limit=20&offset=0").await;
    assert_eq!(page["count"], 3, "{page}");
    let said: Vec<(&str, &str, &str)> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["entity_type"].as_str().unwrap(),
                e["entity_name"].as_str().unwrap(),
                e["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        said,
        [
            (
                "Computer",
                "laptop-ana",
                "Activity reapplied: Install package htop"
            ),
            (
                "Computer",
                "café-01",
                "Activity canceled: Restart computer café-01"
            ),
            (
                "Activity group",
                "Upgrade package openssl",
                "Group activity approved."
            ),
        ]
    );
    for e in page["results"].as_array().unwrap() {
        assert_eq!(e["person_name"], s.credentials.name.as_str(), "{e}");
    }
    let found = s.get("/api/v2/events?search=CANCELED").await;
    assert_eq!(found["count"], 1);
    let (status, log) = legacy(&s, "GetEventLog", &[("limit", "2")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(log, json!(page["results"].as_array().unwrap()[..2]));
}

/// A dataset's computers waiting for acceptance are what
/// `GetPendingComputers` answers (the web UI's Overview counts them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_computers_come_from_the_dataset() {
    let mut data: Value = serde_json::from_str(&dataset()).unwrap();
    let pending = json!([{"id": 28, "title": "kiosk-new", "hostname": "kiosk-new.lxd",
        "creation_time": "2024-02-07T16:39:36Z", "vm_info": "", "container_info": "lxc",
        "client_tags": [], "access_group": null, "cloud_init": {}}]);
    data["pending_computers"] = pending.clone();
    let s = TestServer::start(data.to_string()).await;
    let (status, answer) = legacy(&s, "GetPendingComputers", &[]).await;
    assert_eq!((status, answer), (StatusCode::OK, pending.clone()));
    // Kept with the state: written and read back the same.
    let saved = s.backend.read().to_dataset();
    assert_eq!(saved["pending_computers"], pending);
}
