//! Every JSON example of both seed pages deserializes into the model and
//! serializes back to equal JSON.

use landscape_tui::model::{Activity, ActivityStatus, Page};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(json: &Value) -> T {
    let typed: T = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(&serde_json::to_value(&typed).unwrap(), json);
    typed
}

#[test]
fn rest_activities_page_round_trips() {
    let page: Page<Activity> = round_trip(&fixture("rest_activities_page.json"));
    assert_eq!(page.count, 89);
    let a = &page.results[0];
    assert_eq!(a.id, 71666950);
    assert_eq!(a.status(), Some(&ActivityStatus::Canceled));
    assert_eq!(a.parent(), Some(71666947));
    assert_eq!(a.creator_email(), Some("jane@example.com"));
    assert_eq!(
        page.next.as_deref(),
        Some("https://landscape.canonical.com/api/v2/activities?limit=2&offset=2")
    );
    assert_eq!(page.previous, None);
}

#[test]
fn rest_single_activity_round_trips() {
    let a: Activity = round_trip(&fixture("rest_activity.json"));
    let change = &a.changes.get().unwrap()[0];
    assert_eq!(&*change.package, "apt-transport-https");
    assert_eq!(&*change.change_type, "downgrade");
    assert_eq!(&**change.remove_version.get().unwrap(), "1.0.1ubuntu2.24");
}

#[test]
fn rest_parents_page_round_trips() {
    let page: Page<Activity> = round_trip(&fixture("rest_parents_page.json"));
    let p = &page.results[0];
    assert!(p.is_parent());
    assert_eq!(p.children_count.copied(), Some(2));
    assert_eq!(p.children_statuses.get().unwrap().bad, 2);
    assert_eq!(p.computer_count.copied(), Some(2));
}

#[test]
fn legacy_activities_round_trip() {
    let list: Vec<Activity> = round_trip(&fixture("legacy_get_activities.json"));
    let changes = list[0].changes.get().unwrap();
    assert_eq!(&**changes[0].version.get().unwrap(), "1:0.8.0-1");
    // Legacy records leave fields out rather than sending null.
    assert!(list[0].result_code.is_absent());
}

#[test]
fn legacy_progress_record_keeps_unknown_fields() {
    let list: Vec<Activity> = round_trip(&fixture("legacy_progress.json"));
    let a = &list[0];
    assert_eq!(a.progress.copied(), Some(37));
    assert_eq!(a.status(), None);
    assert_eq!(a.extra["pocket_name"], "release");
    assert_eq!(a.extra["pocket_id"], 1);
}

#[test]
fn legacy_activity_types_is_a_list_of_names() {
    let types: Vec<String> = round_trip(&fixture("legacy_activity_types.json"));
    assert!(types.contains(&"SyncPocketRequest".to_string()));
}

#[test]
fn unknown_status_and_fields_survive() {
    let json: Value = serde_json::json!({
        "id": 1, "creation_time": "2024-02-07T17:30:05Z", "type": "FutureRequest",
        "summary": "from a newer server", "activity_status": "quarantined",
        "brand_new": {"nested": [1, 2]}
    });
    let a: Activity = round_trip(&json);
    assert_eq!(
        a.status(),
        Some(&ActivityStatus::Other("quarantined".into()))
    );
}

#[test]
fn times_serialize_to_the_second_with_z() {
    let t = chrono::DateTime::parse_from_rfc3339("2024-02-07T17:30:05+00:00")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let a = Activity::new(7, "RestartRequest", "Restart", t);
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(v["creation_time"], "2024-02-07T17:30:05Z");
    assert_eq!(v["result_text"], Value::Null);
}
