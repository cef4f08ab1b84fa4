//! Dataset files: every load error names the record and field; nothing
//! starts on a half-loaded dataset; saving then loading gives the same state.

use chrono::{DateTime, Utc};
use landscape_tui::engine::{DemoOptions, Engine, Selection};
use serde_json::{Value, json};

fn small_json() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/demo-small.json"
        ))
        .unwrap(),
    )
    .unwrap()
}

fn load_err(v: &Value) -> String {
    Engine::from_dataset_str(&v.to_string()).unwrap_err().0
}

#[test]
fn the_shipped_small_dataset_loads() {
    let e = Engine::from_dataset_str(&small_json().to_string()).unwrap();
    assert_eq!(e.activity_count(), 14);
    assert_eq!(e.computers().count(), 5);
    assert_eq!(e.now().to_rfc3339(), "2024-02-07T18:00:00+00:00");
}

#[test]
fn save_then_load_gives_the_same_state() {
    let t = DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let mut e = Engine::demo(&DemoOptions {
        seed: 11,
        computers: 15,
        activities: 300,
        now: t,
    });
    e.approve(&Selection::Query("status:unapproved".into()))
        .unwrap();
    e.step(chrono::Duration::minutes(30));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    e.save(&path).unwrap();
    let back = Engine::load(&path).unwrap();
    assert!(e.same_state(&back));
    // And the loaded engine moves on exactly as the original.
    let (mut a, mut b) = (e.clone(), back);
    a.step(chrono::Duration::hours(1));
    b.step(chrono::Duration::hours(1));
    assert!(a.same_state(&b));
}

#[test]
fn not_json_is_refused() {
    let e = Engine::from_dataset_str("{\"computers\": [").unwrap_err();
    assert!(e.0.starts_with("not a dataset"), "{e}");
}

#[test]
fn a_missing_required_field_names_record_and_field() {
    let mut v = small_json();
    v["activities"][3]
        .as_object_mut()
        .unwrap()
        .remove("summary");
    let e = load_err(&v);
    assert!(e.contains("activity #3 (id 103)"), "{e}");
    assert!(e.contains("summary"), "{e}");
}

#[test]
fn a_wrong_type_names_the_field() {
    let mut v = small_json();
    v["activities"][1]["creation_time"] = json!("yesterday");
    let e = load_err(&v);
    assert!(
        e.contains("activity #1 (id 101)") && e.contains("creation_time"),
        "{e}"
    );
    let mut v = small_json();
    v["computers"][2]["tags"] = json!("server");
    let e = load_err(&v);
    assert!(
        e.contains("computer #2 (id 3)") && e.contains("tags"),
        "{e}"
    );
}

#[test]
fn duplicate_ids_are_refused() {
    let mut v = small_json();
    v["activities"][2]["id"] = json!(101);
    assert!(load_err(&v).contains("duplicate id 101"));
    let mut v = small_json();
    v["computers"][1]["id"] = json!(1);
    assert!(load_err(&v).contains("computer #1 (id 1): duplicate id 1"));
}

#[test]
fn references_to_nothing_are_refused() {
    let mut v = small_json();
    v["activities"][1]["parent_id"] = json!(4242);
    let e = load_err(&v);
    assert!(
        e.contains("activity #1 (id 101)") && e.contains("parent_id") && e.contains("4242"),
        "{e}"
    );
    let mut v = small_json();
    v["activities"][1]["computer_id"] = json!(77);
    let e = load_err(&v);
    assert!(e.contains("computer_id") && e.contains("77"), "{e}");
}

#[test]
fn an_unknown_status_is_refused() {
    let mut v = small_json();
    v["activities"][1]["activity_status"] = json!("paused");
    let e = load_err(&v);
    assert!(
        e.contains("activity #1 (id 101)")
            && e.contains("activity_status")
            && e.contains("\"paused\""),
        "{e}"
    );
}

#[test]
fn computers_need_id_and_title_only() {
    let v = json!({"computers": [{"id": 1, "title": "bare"}], "activities": []});
    let e = Engine::from_dataset_str(&v.to_string()).unwrap();
    let c = e.computers().next().unwrap();
    assert!(c.tags.is_empty() && !c.needs_reboot);
    let v = json!({"computers": [{"id": 1}]});
    assert!(load_err(&v).contains("title"));
}

#[test]
fn derived_parent_fields_in_the_file_are_ignored() {
    let mut v = small_json();
    v["activities"][0]["children_count"] = json!(99);
    v["activities"][0]["activity_status"] = json!("succeeded");
    let e = Engine::from_dataset_str(&v.to_string()).unwrap();
    let p = e.activity(100).unwrap();
    assert_eq!(p.children_count.copied(), Some(3));
    assert_eq!(p.status().unwrap().as_str(), "unapproved");
}

#[test]
fn in_a_large_file_the_first_bad_record_is_named_wherever_it_is() {
    // Enough records that the parse is split across threads.
    let mut v = small_json();
    let template = v["activities"][6].clone();
    let list = v["activities"].as_array_mut().unwrap();
    for n in 0..20_000u64 {
        let mut a = template.clone();
        a["id"] = json!(1_000_000 + n);
        list.push(a);
    }
    let late = list.len() - 3;
    list[late]["summary"] = json!(42);
    let earlier = list.len() - 9_000;
    list[earlier]["creation_time"] = json!("not a time");
    let e = load_err(&v);
    let id = v["activities"][earlier]["id"].clone();
    assert!(
        e.contains(&format!("activity #{earlier} (id {id})")) && e.contains("creation_time"),
        "{e}"
    );
}

#[test]
fn the_stream_reader_takes_any_key_order_escapes_and_whitespace() {
    let v = small_json();
    // Activities before computers, an unknown key, braces and quotes inside strings.
    let mut acts = v["activities"].clone();
    acts[0]["summary"] = json!("a } ] { [ \"quoted\" \\ summary");
    let text = format!(
        "\n {{ \"note\" : {{\"x\": [1, {{\"y\": \"}}\"}}]}},\"activities\" :\n{}, \"clock\": \"2024-02-08T00:00:00Z\", \"computers\":{} }}\n",
        serde_json::to_string_pretty(&acts).unwrap(),
        v["computers"]
    );
    let e = Engine::from_dataset_str(&text).unwrap();
    assert_eq!(e.activity_count(), 14);
    assert_eq!(e.now().to_rfc3339(), "2024-02-08T00:00:00+00:00");
    let first = e.activity(acts[0]["id"].as_u64().unwrap()).unwrap();
    assert_eq!(&*first.summary, "a } ] { [ \"quoted\" \\ summary");
}

#[test]
fn broken_structure_is_refused_with_a_position() {
    let good = small_json().to_string();
    let missing_comma = good.replacen("},{", "} {", 1);
    let truncated = &good[..good.len() / 2];
    let trailing = format!("{good} extra");
    for (text, what) in [
        (missing_comma.as_str(), "expected `,`"),
        (truncated, "ends"),
        (trailing.as_str(), "after the dataset"),
        ("[]", "opening `{`"),
    ] {
        let e = Engine::from_dataset_str(text).unwrap_err().0;
        assert!(
            e.starts_with("not a dataset") && e.contains(what),
            "{what}: {e}"
        );
        assert!(e.contains("at byte"), "{e}");
    }
}

#[test]
fn an_early_bad_record_in_a_long_list_stops_the_read() {
    // Far more records than the reader holds in flight: an error in the
    // first batch must end the read, not wait on the rest.
    let mut v = small_json();
    let template = v["activities"][6].clone();
    let list = v["activities"].as_array_mut().unwrap();
    for n in 0..60_000u64 {
        let mut a = template.clone();
        a["id"] = json!(2_000_000 + n);
        list.push(a);
    }
    list[10]["type"] = json!(7);
    let e = load_err(&v);
    assert!(e.contains("activity #10") && e.contains("type"), "{e}");
}

const FAILURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo-failures.json");

/// What `assets/demo-failures.json` is: the demo generator's account of
/// 40 computers (kiosks among them, some not heard from) on a frozen
/// Monday morning.
fn failures_demo() -> Engine {
    Engine::demo(&DemoOptions {
        seed: 23,
        computers: 40,
        activities: 600,
        now: DateTime::parse_from_rfc3339("2026-11-30T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
    })
}

#[test]
fn the_failures_dataset_is_what_the_demo_generator_makes() {
    let made = failures_demo();
    if std::env::var_os("LANDSCAPE_UPDATE_ASSETS").is_some() {
        let mut v = made.to_dataset();
        // Computers by id, so a regenerated file differs only where the data does.
        v["computers"]
            .as_array_mut()
            .unwrap()
            .sort_by_key(|c| c["id"].as_u64());
        std::fs::write(FAILURES, serde_json::to_string_pretty(&v).unwrap() + "\n").unwrap();
    }
    let shipped = Engine::load(std::path::Path::new(FAILURES)).unwrap();
    assert!(
        shipped.same_state(&made),
        "assets/demo-failures.json is not what the demo generator makes now; \
         LANDSCAPE_UPDATE_ASSETS=1 cargo test --test it -- engine_dataset:: rewrites it"
    );
    // What it is for: failures of several kinds, and computers gone quiet
    // with activities waiting for them.
    let failed = shipped
        .activities("status:failed NOT type:ActivityGroup", u64::MAX, 0)
        .unwrap();
    let clusters = landscape_tui::model::failure::cluster(failed.results.iter());
    assert!(clusters.len() >= 5, "{} clusters", clusters.len());
    let codes: std::collections::HashSet<_> = clusters.iter().map(|c| c.key.result_code).collect();
    assert!(codes.len() >= 3, "{codes:?}");
    let offline: Vec<u64> = shipped
        .computers()
        .filter(|c| landscape_tui::engine::offline(c))
        .map(|c| c.id)
        .collect();
    assert!(offline.len() >= 2, "{offline:?}");
    let stuck = shipped
        .activities("status:undelivered", u64::MAX, 0)
        .unwrap()
        .results
        .into_iter()
        .filter(|a| a.computer().is_some_and(|c| offline.contains(&c)))
        .count();
    assert!(stuck >= 2, "{stuck} undelivered on offline computers");
}
