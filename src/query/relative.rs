//! Relative dates, a convenience of this client: `created-after:-12h`,
//! `created-after:today`, `created-before:yesterday`. Landscape's language
//! has none, so the dashboard expands them to ISO-8601 (in the operator's
//! time zone, to the minute) before a query is sent, and shows what they
//! became: what goes to Landscape is its own language.

use chrono::{DateTime, Duration, FixedOffset, Utc};

use super::lexer::{TokenKind, tokenize};

/// Keys whose values may be relative.
const DATE_KEYS: [&str; 2] = ["created-after", "created-before"];

/// The words and forms a relative date takes, for messages and completion.
pub const FORMS: [&str; 6] = ["now", "today", "yesterday", "-30m", "-12h", "-7d"];

/// Whether `value` is written as a relative date (resolvable or not).
pub fn looks_relative(value: &str) -> bool {
    matches!(value, "now" | "today" | "yesterday") || value.starts_with('-')
}

/// The instant `value` names as of `now` in the zone `offset`: `now`;
/// `today` and `yesterday` (the start of that local day); `-N` followed by
/// `m`, `h`, `d` or `w` (that long before now).
pub fn resolve(value: &str, now: DateTime<Utc>, offset: FixedOffset) -> Option<DateTime<Utc>> {
    let day_start = |days_back: i64| {
        let local = now.with_timezone(&offset).date_naive() - Duration::days(days_back);
        local
            .and_hms_opt(0, 0, 0)?
            .and_local_timezone(offset)
            .single()
            .map(|t| t.with_timezone(&Utc))
    };
    match value {
        "now" => Some(now),
        "today" => day_start(0),
        "yesterday" => day_start(1),
        _ => {
            let ago = value.strip_prefix('-')?;
            let unit = ago.chars().last()?;
            let n: i64 = ago[..ago.len() - unit.len_utf8()].parse().ok()?;
            let back = match unit {
                'm' => Duration::try_minutes(n)?,
                'h' => Duration::try_hours(n)?,
                'd' => Duration::try_days(n)?,
                'w' => Duration::try_weeks(n)?,
                _ => return None,
            };
            now.checked_sub_signed(back)
        }
    }
}

/// `t` without its seconds: what the expansion writes.
pub fn to_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::DurationRound;
    t.duration_trunc(Duration::minutes(1)).unwrap_or(t)
}

/// A query with its relative dates written out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub text: String,
    /// Each relative term and what it became (`created-after:-12h`,
    /// `created-after:2026-12-02T09:24`).
    pub changed: Vec<(String, String)>,
}

/// `input` with every relative date of `created-after:`/`created-before:`
/// written as ISO-8601 (UTC, to the minute). Anything else, and a query
/// that does not tokenize, is left as it is (the parser says what is
/// wrong with it).
pub fn expand(input: &str, now: DateTime<Utc>, offset: FixedOffset) -> Expanded {
    let mut out = Expanded {
        text: input.to_owned(),
        changed: Vec::new(),
    };
    let Ok(tokens) = tokenize(input) else {
        return out;
    };
    let mut text = String::with_capacity(input.len());
    let mut at = 0;
    for token in tokens {
        let TokenKind::Term { key, value } = &token.kind else {
            continue;
        };
        let (key_text, value_text) = (&input[key.clone()], &input[value.clone()]);
        if !DATE_KEYS.contains(&key_text.to_ascii_lowercase().as_str()) {
            continue;
        }
        let Some(instant) = resolve(value_text, now, offset) else {
            continue;
        };
        let written = instant.format("%Y-%m-%dT%H:%M").to_string();
        text.push_str(&input[at..value.start]);
        text.push_str(&written);
        at = value.end;
        out.changed.push((
            input[token.span.clone()].to_owned(),
            format!("{key_text}:{written}"),
        ));
    }
    if out.changed.is_empty() {
        return out;
    }
    text.push_str(&input[at..]);
    out.text = text;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 21, 24, 37).unwrap()
    }

    #[test]
    fn relative_values_resolve_in_the_operators_zone() {
        let utc = FixedOffset::east_opt(0).unwrap();
        let berlin = FixedOffset::east_opt(3600).unwrap();
        let t = |s: &str| {
            Utc.from_utc_datetime(
                &chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap(),
            )
        };
        assert_eq!(resolve("-12h", at(), utc), Some(t("2026-12-02T09:24:37")));
        assert_eq!(resolve("-30m", at(), utc), Some(t("2026-12-02T20:54:37")));
        assert_eq!(resolve("-7d", at(), utc), Some(t("2026-11-25T21:24:37")));
        assert_eq!(resolve("-2w", at(), utc), Some(t("2026-11-18T21:24:37")));
        assert_eq!(resolve("today", at(), utc), Some(t("2026-12-02T00:00:00")));
        assert_eq!(
            resolve("yesterday", at(), utc),
            Some(t("2026-12-01T00:00:00"))
        );
        // 22:24 in Berlin: its day began at 23:00 UTC the day before.
        assert_eq!(
            resolve("today", at(), berlin),
            Some(t("2026-12-01T23:00:00"))
        );
        for bad in ["-12", "-h", "-3y", "12h", "-99999999999999999w", "tomorrow"] {
            assert_eq!(resolve(bad, at(), utc), None, "{bad}");
        }
    }

    #[test]
    fn expansion_rewrites_only_relative_dates_and_says_what_they_became() {
        let utc = FixedOffset::east_opt(0).unwrap();
        let e = expand(
            "status:failed created-after:-12h NOT created-before:today summary:-12h",
            at(),
            utc,
        );
        assert_eq!(
            e.text,
            "status:failed created-after:2026-12-02T09:24 NOT created-before:2026-12-02T00:00 summary:-12h"
        );
        assert_eq!(
            e.changed,
            vec![
                (
                    "created-after:-12h".into(),
                    "created-after:2026-12-02T09:24".into()
                ),
                (
                    "created-before:today".into(),
                    "created-before:2026-12-02T00:00".into()
                ),
            ]
        );
        let same = expand("created-after:2024-02 \"unclosed", at(), utc);
        assert_eq!(same.text, "created-after:2024-02 \"unclosed");
        assert!(same.changed.is_empty());
    }
}
