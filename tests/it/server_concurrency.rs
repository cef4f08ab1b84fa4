//! Many clients approving and canceling overlapping selections at once: each
//! activity changes at most once per action, and every final state is a
//! legal lifecycle path.

use crate::common;

use std::collections::HashMap;

use common::TestServer;
use serde_json::{Value, json};

fn dataset(n: u64) -> String {
    let activities: Vec<Value> = (1..=n)
        .map(|id| {
            json!({
                "id": id, "type": "RestartRequest", "summary": format!("Restart {id}"),
                "creator": {"name": "Jane", "email": "jane@example.com", "id": 1},
                "creation_time": "2024-02-07T10:00:00Z", "computer_id": 1 + id % 4,
                "activity_status": "unapproved"
            })
        })
        .collect();
    let computers: Vec<Value> = (1..=4)
        .map(|id| json!({"id": id, "title": format!("c{id}"), "tags": [format!("t{}", id % 2)]}))
        .collect();
    json!({"computers": computers, "activities": activities, "clock": "2024-02-07T18:00:00Z"})
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_approve_and_cancel_change_each_activity_at_most_once() {
    let s = TestServer::start(dataset(200)).await;
    let token = s.login().await;
    let queries = [
        "status:unapproved computer:tag:t0",
        "status:unapproved computer:tag:t1",
        "computer:id:1 OR computer:id:2",
        "computer:id:3",
        "status:unapproved",
    ];
    let mut tasks = Vec::new();
    for i in 0..24 {
        let action = if i % 3 == 0 {
            "CancelActivities"
        } else {
            "ApproveActivities"
        };
        let query = queries[i % queries.len()];
        let http = s.http.clone();
        let url = format!("{}/api/", s.base);
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .form(&[("action", action), ("query", query)])
                .send()
                .await
                .unwrap();
            let status = r.status();
            let body: Value = r.json().await.unwrap();
            (action, status, body)
        }));
    }
    let mut approved: HashMap<u64, usize> = HashMap::new();
    let mut canceled: HashMap<u64, usize> = HashMap::new();
    for t in tasks {
        let (action, status, body) = t.await.unwrap();
        if status.is_success() {
            let target = if action == "ApproveActivities" {
                &mut approved
            } else {
                &mut canceled
            };
            for id in body.as_array().unwrap() {
                *target.entry(id.as_u64().unwrap()).or_default() += 1;
            }
        } else {
            // All or nothing: a refusal names activities and changes none.
            assert_eq!(body["error"], "InvalidActivityStatusChange", "{body}");
        }
    }
    assert!(
        approved.values().all(|&n| n == 1),
        "an activity was approved twice"
    );
    assert!(
        canceled.values().all(|&n| n == 1),
        "an activity was canceled twice"
    );
    let page = s.get("/api/v2/activities?limit=1000").await;
    for a in page["results"].as_array().unwrap() {
        let id = a["id"].as_u64().unwrap();
        let status = a["activity_status"].as_str().unwrap();
        let expected = if canceled.contains_key(&id) {
            "canceled"
        } else if approved.contains_key(&id) {
            "undelivered"
        } else {
            "unapproved"
        };
        assert_eq!(status, expected, "activity {id}");
        if approved.contains_key(&id) {
            assert!(a["approval_time"].is_string());
        }
    }
}
