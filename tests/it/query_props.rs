//! Properties of the search language: parsing never panics and errors point
//! inside the input; printing a query and parsing it back is the identity.

use chrono::{TimeZone, Utc};
use landscape_tui::model::ActivityStatus;
use landscape_tui::query::{
    AnyOf, Clause, ComputerTerm, ComputerTermKind, DateBound, DatePrecision, KNOWN_TYPES, Mode,
    ParseOptions, Query, Term, TermKind, complete, highlight, parse, parse_with,
};
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    // Quotes, backslashes, colons, spaces and non-ASCII: the hard cases.
    proptest::string::string_regex("[a-zA-Z0-9 :\"\\\\._@é日-]{1,12}").unwrap()
}

fn date() -> impl Strategy<Value = DateBound> {
    (
        2000i32..2030,
        1u32..13,
        1u32..29,
        0u32..24,
        0u32..60,
        0u32..60,
        0usize..6,
    )
        .prop_map(|(y, mo, d, h, mi, s, p)| {
            let precision = [
                DatePrecision::Year,
                DatePrecision::Month,
                DatePrecision::Day,
                DatePrecision::Hour,
                DatePrecision::Minute,
                DatePrecision::Second,
            ][p];
            let (mo, d, h, mi, s) = match precision {
                DatePrecision::Year => (1, 1, 0, 0, 0),
                DatePrecision::Month => (mo, 1, 0, 0, 0),
                DatePrecision::Day => (mo, d, 0, 0, 0),
                DatePrecision::Hour => (mo, d, h, 0, 0),
                DatePrecision::Minute => (mo, d, h, mi, 0),
                DatePrecision::Second => (mo, d, h, mi, s),
            };
            DateBound {
                start: Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap(),
                precision,
            }
        })
}

fn computer_term() -> impl Strategy<Value = ComputerTermKind> {
    prop_oneof![
        any::<u64>().prop_map(ComputerTermKind::Id),
        text().prop_map(ComputerTermKind::Tag),
        text().prop_map(ComputerTermKind::Hostname),
        text().prop_map(ComputerTermKind::Title),
        prop::sample::select(vec!["22.04", "24.04", "20.04"])
            .prop_map(|d| ComputerTermKind::Distribution(d.into())),
        text().prop_map(ComputerTermKind::AccessGroup),
        prop::sample::select(landscape_tui::query::ALERTS.to_vec())
            .prop_map(|a| ComputerTermKind::Alert(a.into())),
        text().prop_map(ComputerTermKind::Mac),
        text().prop_map(ComputerTermKind::Ip),
        (text(), proptest::option::of(text()))
            .prop_map(|(key, value)| ComputerTermKind::Annotation { key, value }),
        Just(ComputerTermKind::NeedsReboot),
        text().prop_map(ComputerTermKind::Word),
    ]
}

fn term() -> impl Strategy<Value = TermKind> {
    prop_oneof![
        any::<u64>().prop_map(TermKind::Id),
        any::<u64>().prop_map(TermKind::ParentId),
        prop::sample::select(ActivityStatus::KNOWN.to_vec()).prop_map(TermKind::Status),
        date().prop_map(TermKind::CreatedAfter),
        date().prop_map(TermKind::CreatedBefore),
        text().prop_map(TermKind::Creator),
        prop::sample::select(KNOWN_TYPES.to_vec()).prop_map(|t| TermKind::Type(t.into())),
        computer_term().prop_map(|kind| TermKind::Computer(ComputerTerm { kind, span: 0..0 })),
        text().prop_map(TermKind::Word),
    ]
}

fn query() -> impl Strategy<Value = Query> {
    let clause = (any::<bool>(), term()).prop_map(|(negated, kind)| Clause {
        negated,
        term: Term { kind, span: 0..0 },
    });
    let group = prop::collection::vec(clause, 1..4).prop_map(|any| AnyOf { any });
    prop::collection::vec(group, 0..5).prop_map(|all| Query { all })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsing_anything_never_panics_and_errors_point_inside(input in "\\PC{0,40}|[a-z: \"\\\\ORNT-]{0,40}") {
        for mode in [Mode::Strict, Mode::Lenient] {
            match parse_with(&input, &ParseOptions { mode, ..ParseOptions::default() }) {
                Ok(parsed) => {
                    for w in parsed.warnings {
                        prop_assert!(w.span.end <= input.len());
                    }
                }
                Err(e) => {
                    prop_assert!(e.span.start <= e.span.end && e.span.end <= input.len(), "{:?} in {:?}", e.span, input);
                    prop_assert!(input.is_char_boundary(e.span.start) && input.is_char_boundary(e.span.end));
                    prop_assert!(!e.message.is_empty());
                }
            }
        }
        // The editor services never panic either, wherever the cursor is.
        let hs = highlight(&input, &ParseOptions::default());
        for h in hs {
            prop_assert!(h.span.end <= input.len());
        }
        for cursor in 0..=input.len() {
            let c = complete(&input, cursor, &Default::default());
            prop_assert!(c.replace.start <= c.replace.end && c.replace.end <= input.len());
        }
    }

    #[test]
    fn printing_then_parsing_is_the_identity(q in query()) {
        let text = q.to_string();
        let back = parse(&text);
        prop_assert!(back.is_ok(), "{text:?}: {:?}", back.err());
        prop_assert_eq!(back.unwrap(), q, "{}", text);
    }
}
