//! Every row of `reference/query-language.md`: terms, computer terms,
//! combining rules, quoting, dates, and every error case.

use chrono::{DateTime, Utc};
use landscape_tui::model::{Activity, ActivityStatus, Computer, Creator, Field};
use landscape_tui::query::{
    HighlightKind, Mode, ParseOptions, Query, QueryError, highlight, parse, parse_with,
};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn computers() -> Vec<Computer> {
    let mut web = Computer::new(1, "web 01");
    web.hostname = "web-01.example.com".into();
    web.tags = vec!["server".into(), "web".into()];
    web.distribution = "22.04".into();
    web.alerts = vec!["package-upgrades".into()];
    web.macs = vec!["52:54:00:12:34:56".into()];
    web.ips = vec!["10.1.2.3".into()];
    web.annotations.insert("rack".into(), "r12-top".into());
    let mut laptop = Computer::new(2, "Laptop Ünïcode");
    laptop.hostname = "laptop-ana".into();
    laptop.tags = vec!["laptop".into()];
    laptop.distribution = "24.04".into();
    laptop.access_group = "desktops".into();
    laptop.needs_reboot = true;
    vec![web, laptop]
}

fn activity(
    id: u64,
    status: &str,
    created: &str,
    ty: &str,
    summary: &str,
    computer: Option<u64>,
) -> Activity {
    let mut a = Activity::new(id, ty, summary, t(created));
    a.activity_status = Field::Value(ActivityStatus::from_wire(status));
    a.computer_id = computer.into();
    a.creator = Field::Value(std::sync::Arc::new(Creator::new(
        "Jane",
        "Jane@Example.com",
        5,
    )));
    a
}

fn activities() -> Vec<Activity> {
    let mut child = activity(
        3,
        "failed",
        "2024-02-29T23:59:59Z",
        "ChangePackagesRequest",
        "Upgrade café packages",
        Some(2),
    );
    child.parent_id = Field::Value(2);
    vec![
        activity(
            1,
            "succeeded",
            "2024-01-31T23:59:59Z",
            "RestartRequest",
            "Restart web 01",
            Some(1),
        ),
        activity(
            2,
            "unapproved",
            "2024-02-01T00:00:00Z",
            "ActivityGroup",
            "Upgrade packages",
            None,
        ),
        child,
        activity(
            4,
            "blocked",
            "2024-03-01T00:00:00Z",
            "SyncPocketRequest",
            "Sync pocket 'release'",
            None,
        ),
    ]
}

/// Ids of the sample activities that `query` matches.
fn select(query: &str) -> Vec<u64> {
    let q = parse(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    let cs = computers();
    let m = q.matcher(&cs);
    activities()
        .iter()
        .filter(|a| m.matches(a))
        .map(|a| a.id)
        .collect()
}

fn error(query: &str) -> QueryError {
    parse(query).expect_err(query)
}

#[test]
fn empty_query_matches_everything() {
    assert_eq!(select(""), vec![1, 2, 3, 4]);
    assert_eq!(select("   \t "), vec![1, 2, 3, 4]);
    assert!(parse("").unwrap().is_empty());
}

#[test]
fn id_and_parent_id() {
    assert_eq!(select("id:3"), vec![3]);
    assert_eq!(select("parent-id:2"), vec![3]);
    assert_eq!(select("id:99"), Vec::<u64>::new());
}

#[test]
fn status_any_of_nine_case_insensitive() {
    assert_eq!(select("status:failed"), vec![3]);
    assert_eq!(select("status:FAILED"), vec![3]);
    assert_eq!(select("status:blocked"), vec![4]);
    for name in ActivityStatus::NAMES {
        assert!(parse(&format!("status:{name}")).is_ok(), "{name}");
    }
}

#[test]
fn created_after_and_before_are_period_starts() {
    // created-after: >= start; created-before: < start.
    assert_eq!(
        select("created-after:2024-02 created-before:2024-03"),
        vec![2, 3]
    );
    assert_eq!(select("created-after:2024"), vec![1, 2, 3, 4]);
    assert_eq!(select("created-before:2024-02-01"), vec![1]);
    assert_eq!(select("created-after:2024-02-29T23"), vec![3, 4]);
    assert_eq!(select("created-after:2024-02-29T23:59"), vec![3, 4]);
    assert_eq!(select("created-after:2024-02-29T23:59:59Z"), vec![3, 4]);
    assert_eq!(select("created-before:2024-02-29T23:59:59"), vec![1, 2]);
}

#[test]
fn impossible_dates_are_errors_at_the_value() {
    for (q, start) in [
        ("created-after:2011-13", 14),
        ("created-after:2011-02-30", 14),
        ("created-before:2011-1", 15),
        ("created-after:someday", 14),
        ("created-after:2011-01-01T25", 14),
    ] {
        let e = error(q);
        assert_eq!(e.span, start..q.len(), "{q}");
        assert!(e.message.contains("not a date"), "{q}: {}", e.message);
    }
}

#[test]
fn creator_ignores_case() {
    assert_eq!(select("creator:jane@example.com"), vec![1, 2, 3, 4]);
    assert_eq!(select("creator:\"JANE@EXAMPLE.COM\""), vec![1, 2, 3, 4]);
    assert_eq!(select("creator:bob@example.com"), Vec::<u64>::new());
}

#[test]
fn type_exact_and_unknown_names_the_closest() {
    assert_eq!(select("type:ActivityGroup"), vec![2]);
    let e = error("type:ChangePackageRequest");
    assert_eq!(e.span, 5..25);
    assert!(
        e.message.contains("did you mean \"ChangePackagesRequest\""),
        "{}",
        e.message
    );
    // Exact: case matters for types.
    assert!(parse("type:activitygroup").is_err());
}

#[test]
fn computer_terms() {
    assert_eq!(select("computer:id:2"), vec![3]);
    assert_eq!(select("computer:tag:server"), vec![1]);
    assert_eq!(select("computer:tag:Server"), Vec::<u64>::new());
    assert_eq!(select("computer:hostname:laptop-ana"), vec![3]);
    assert_eq!(select("computer:title:\"web 01\""), vec![1]);
    assert_eq!(select("computer:distribution:22.04"), vec![1]);
    assert_eq!(select("computer:distribution:noble"), vec![3]);
    assert_eq!(select("computer:access-group:desktops"), vec![3]);
    assert_eq!(select("computer:alert:package-upgrades"), vec![1]);
    assert_eq!(select("computer:mac:12:34"), vec![1]);
    assert_eq!(select("computer:ip:10.1."), vec![1]);
    assert_eq!(select("computer:annotation:rack"), vec![1]);
    assert_eq!(select("computer:annotation:rack:r12"), vec![1]);
    assert_eq!(select("computer:annotation:rack:r13"), Vec::<u64>::new());
    assert_eq!(select("computer:needs:reboot"), vec![3]);
    // A word: hostname or title contains it, ignoring case.
    assert_eq!(select("computer:WEB"), vec![1]);
    assert_eq!(select("computer:ünï"), vec![3]);
    // Activities with no computer never match.
    assert!(!select("computer:web").contains(&2));
}

#[test]
fn unknown_computer_key_is_an_error_inside_the_whole_query() {
    let q = "status:failed computer:rack:12";
    let e = error(q);
    assert_eq!(e.span, 23..27);
    assert!(
        e.message.contains("unknown computer key \"rack\""),
        "{}",
        e.message
    );
}

#[test]
fn lenient_mode_warns_and_keeps_the_term() {
    let options = ParseOptions {
        mode: Mode::Lenient,
        ..ParseOptions::default()
    };
    let parsed = parse_with("computer:license-id:7 type:NewFancyRequest", &options).unwrap();
    assert_eq!(parsed.warnings.len(), 2);
    assert_eq!(parsed.warnings[0].span, 9..19);
    assert_eq!(parsed.query.all.len(), 2);
    // Errors that are not about knowledge stay errors.
    assert!(parse_with("status:nope", &options).is_err());
}

#[test]
fn bare_words_match_summaries_ignoring_case_with_unicode() {
    assert_eq!(select("upgrade"), vec![2, 3]);
    assert_eq!(select("CAFÉ"), vec![3]);
    assert_eq!(select("\"web 01\""), vec![1]);
    assert_eq!(select("or"), Vec::<u64>::new());
    assert_eq!(select("'release'"), vec![4]);
}

#[test]
fn long_words_match_as_short_ones_do() {
    // Past the length where the automaton changes kind, matching is the same.
    let long = format!("Upgrade{}", "x".repeat(100));
    assert_eq!(select(&long), Vec::<u64>::new());
    let phrase = "\"upgrade package openssl on web-01 and the rest of the fleet tonight\"";
    let summary_word = &phrase[1..phrase.len() - 1];
    assert!(summary_word.len() > 64);
    assert_eq!(select(phrase), Vec::<u64>::new());
    // A very long repetitive word is answered (no match) rather than stalling.
    assert_eq!(select(&"ab".repeat(30_000)), Vec::<u64>::new());
}

#[test]
fn keys_are_case_insensitive_and_keywords_are_not() {
    assert_eq!(select("Status:failed"), vec![3]);
    assert_eq!(select("STATUS:FAILED"), vec![3]);
    // Lower-case `not` is a bare word.
    assert_eq!(select("not"), Vec::<u64>::new());
}

#[test]
fn implicit_and() {
    assert_eq!(select("status:failed computer:laptop"), vec![3]);
    assert_eq!(select("status:failed computer:web"), Vec::<u64>::new());
}

#[test]
fn or_binds_tighter_than_and() {
    // (a OR b) AND (c OR d)
    assert_eq!(
        select("id:1 OR id:3 status:failed OR status:blocked"),
        vec![3]
    );
    assert_eq!(select("id:1 OR id:3 id:3 OR id:4"), vec![3]);
}

#[test]
fn not_negates_one_term_and_binds_tighter_than_or() {
    assert_eq!(select("NOT status:failed"), vec![1, 2, 4]);
    // (NOT a) OR b
    assert_eq!(select("NOT id:1 OR id:1"), vec![1, 2, 3, 4]);
    assert_eq!(select("NOT NOT id:1"), vec![1]);
    assert_eq!(parse("NOT NOT id:1").unwrap(), parse("id:1").unwrap());
}

#[test]
fn keyword_placement_errors() {
    for (q, span, what) in [
        ("OR id:1", 0..2, "before"),
        ("id:1 OR", 5..7, "after"),
        ("id:1 OR OR id:2", 8..10, "OR cannot follow OR"),
        ("id:1 NOT", 5..8, "NOT needs"),
        ("NOT OR id:1", 4..6, "OR cannot follow NOT"),
        ("id:1 OR NOT", 8..11, "NOT needs"),
    ] {
        let e = error(q);
        assert_eq!(e.span, span, "{q}");
        assert!(e.message.contains(what), "{q}: {}", e.message);
    }
}

#[test]
fn unknown_key_names_the_closest() {
    let e = error("status:failed stauts:failed");
    assert_eq!(e.span, 14..20);
    assert!(
        e.message.contains("did you mean \"status\""),
        "{}",
        e.message
    );
}

#[test]
fn empty_values_are_errors() {
    for q in [
        "status:",
        "id:",
        "computer:",
        "creator:\"\"",
        "computer:tag:",
    ] {
        let e = error(q);
        assert!(e.message.contains("needs a value"), "{q}: {}", e.message);
    }
}

#[test]
fn unknown_status_lists_the_valid_ones() {
    let e = error("status:faild");
    assert_eq!(e.span, 7..12);
    assert_eq!(
        e.message,
        "unknown status \"faild\"; expected one of undelivered, unapproved, delivered, canceled, failed, succeeded, scheduled, waiting, blocked"
    );
}

#[test]
fn numbers_must_be_whole_and_non_negative() {
    for q in [
        "id:-1",
        "id:1.5",
        "parent-id:abc",
        "computer:id:x",
        "id:99999999999999999999999",
    ] {
        assert!(parse(q).is_err(), "{q}");
    }
}

#[test]
fn unterminated_quote_is_an_error() {
    let e = error("creator:\"jane@example.com");
    assert_eq!(e.span, 8..25);
    assert!(e.message.contains("unterminated quote"));
}

#[test]
fn unicode_in_values_and_words_keeps_spans_on_char_boundaries() {
    let q = "computer:title:\"Laptop Ünïcode\" status:fäiled";
    let e = error(q);
    assert!(q.is_char_boundary(e.span.start) && q.is_char_boundary(e.span.end));
    assert_eq!(&q[e.span.clone()], "fäiled");
    assert_eq!(select("computer:title:\"Laptop Ünïcode\""), vec![3]);
}

#[test]
fn canonical_display_parses_back() {
    for q in [
        "status:failed  computer:tag:web   OR computer:distribution:jammy",
        "NOT NOT id:1",
        "created-after:2024-02 created-before:2024-03-01T10:30",
        "computer:title:\"web 01\" \"two words\" \"a:b\"",
        "creator:\"we ird\\\"quote\" computer:annotation:rack:r12",
        "Status:FAILED",
    ] {
        let parsed = parse(q).unwrap();
        let text = parsed.to_string();
        assert_eq!(parse(&text).unwrap(), parsed, "{q} -> {text}");
    }
    assert_eq!(
        parse("Status:FAILED  computer:distribution:jammy")
            .unwrap()
            .to_string(),
        "status:failed computer:distribution:22.04"
    );
}

#[test]
fn highlighting_classifies_every_token() {
    let q = "status:failed OR computer:tag:web NOT summary";
    let spans: Vec<(&str, HighlightKind)> = highlight(q, &ParseOptions::default())
        .into_iter()
        .map(|h| (&q[h.span], h.kind))
        .collect();
    assert_eq!(
        spans,
        vec![
            ("status:", HighlightKind::Key),
            ("failed", HighlightKind::Value),
            ("OR", HighlightKind::Keyword),
            ("computer:tag:", HighlightKind::Key),
            ("web", HighlightKind::Value),
            ("NOT", HighlightKind::Keyword),
            ("summary", HighlightKind::Word),
        ]
    );
}

#[test]
fn highlighting_marks_the_error_while_typing() {
    let q = "status:faild id:1";
    let hs = highlight(q, &ParseOptions::default());
    let error: Vec<&str> = hs
        .iter()
        .filter(|h| h.kind == HighlightKind::Error)
        .map(|h| &q[h.span.clone()])
        .collect();
    assert_eq!(error, vec!["faild"]);
    // An open quote is still highlighted (as an error) up to the end.
    let q = "creator:\"jane";
    let hs = highlight(q, &ParseOptions::default());
    assert_eq!(hs.last().unwrap().kind, HighlightKind::Error);
    assert_eq!(hs.last().unwrap().span.end, q.len());
    // Lenient mode: an unknown computer key is a warning.
    let q = "computer:license-id:3";
    let hs = highlight(
        q,
        &ParseOptions {
            mode: Mode::Lenient,
            ..ParseOptions::default()
        },
    );
    assert!(
        hs.iter()
            .any(|h| h.kind == HighlightKind::Warning && &q[h.span.clone()] == "license-id")
    );
}

#[test]
fn matcher_is_reusable_across_activities() {
    let q: Query = parse("computer:tag:laptop OR id:1").unwrap();
    let cs = computers();
    let m = q.matcher(&cs);
    let ids: Vec<u64> = activities()
        .iter()
        .filter(|a| m.matches(a))
        .map(|a| a.id)
        .collect();
    assert_eq!(ids, vec![1, 3]);
}

#[test]
fn column_selection_agrees_with_record_matching() {
    use landscape_tui::model::Computer;
    use landscape_tui::query::{Columns, ComputerLookup};
    /// Computers plus the activities' columns, as a store keeps them.
    struct WithColumns(Vec<Computer>, Columns);
    impl ComputerLookup for WithColumns {
        fn computer(&self, id: u64) -> Option<&Computer> {
            self.0.computer(id)
        }
        fn for_each_computer(&self, f: &mut dyn FnMut(&Computer)) {
            self.0.for_each_computer(f)
        }
        fn columns(&self) -> Option<&Columns> {
            Some(&self.1)
        }
    }
    let acts = activities();
    let columns = Columns::of(&acts);
    let cs = computers();
    let store = WithColumns(cs.clone(), columns.clone());
    for q in [
        "",
        "status:failed",
        "NOT status:failed",
        "created-after:2024-02 created-before:2024-03",
        "computer:tag:laptop OR id:1",
        "NOT computer:web",
        "parent-id:2 upgrade",
        "type:ActivityGroup OR type:SyncPocketRequest NOT id:4",
        "creator:JANE@example.com NOT café",
        "creator:nobody@example.com OR upgrade",
        "CAFÉ OR \"web 01\"",
    ] {
        let by_record: Vec<usize> = {
            let m = parse(q).unwrap().matcher(&cs);
            (0..acts.len()).filter(|&i| m.matches(&acts[i])).collect()
        };
        // Built against the columns: creators and words resolved by number.
        let m = parse(q).unwrap().matcher(&store);
        let by_columns: Vec<usize> = (0..acts.len())
            .filter(|&i| m.matches_at(&columns, i, &acts[i]))
            .collect();
        assert_eq!(m.select(&columns, &acts), by_record, "{q}");
        assert_eq!(by_columns, by_record, "{q}");
    }
}

/// Habits from other query languages are named, not silently misread.
#[test]
fn brackets_and_a_bare_and_are_named() {
    for (q, span) in [
        ("(status:failed OR status:canceled)", 0..1),
        ("status:failed (nginx", 14..15),
        ("status:failed nginx)", 19..20),
    ] {
        let e = error(q);
        assert_eq!(e.span, span, "{q}");
        assert!(e.message.contains("no brackets"), "{q}: {}", e.message);
        assert!(
            e.message.contains(" OR "),
            "says what to write: {}",
            e.message
        );
    }
    // A word with brackets inside is a word; quoted brackets are text.
    for q in ["f(x)", "\"(draft)\""] {
        assert!(landscape_tui::query::parse(q).is_ok(), "{q} should parse");
    }
    let parsed = landscape_tui::query::parse_with(
        "status:failed AND nginx",
        &landscape_tui::query::ParseOptions::default(),
    )
    .unwrap();
    let w = &parsed.warnings[0];
    assert_eq!(w.span, 14..17);
    assert!(w.message.contains("already joined by AND"), "{}", w.message);
    // It still runs, AND searched as a word, as Landscape would.
    assert_eq!(parsed.query.all.len(), 3);
    // Quoted, it is searched without a warning.
    let quoted = landscape_tui::query::parse_with(
        "status:failed \"AND\"",
        &landscape_tui::query::ParseOptions::default(),
    )
    .unwrap();
    assert!(quoted.warnings.is_empty());
}

/// Relative dates are the dashboard's: a server or a script given one
/// raw is told to use ISO-8601, at the value.
#[test]
fn relative_dates_outside_the_dashboard_are_pointed_at() {
    let e = landscape_tui::query::parse("status:failed created-after:-12h").unwrap_err();
    assert_eq!(e.span, 28..32);
    assert!(
        e.message.contains("only the dashboard expands"),
        "{}",
        e.message
    );
}
