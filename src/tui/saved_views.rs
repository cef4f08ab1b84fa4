//! Saved queries on keys (`[[views]]`): one key applies a query and names
//! the list after it, like the web UI's "Requires approval" tabs.

use chrono::{DateTime, FixedOffset, Utc};

use super::keys::Chord;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub key: Chord,
    pub name: String,
    /// The query; `{today}` stands for the operator's date at the moment
    /// the view is applied.
    pub query: String,
}

impl SavedView {
    /// The views on 1–4 when the config defines none.
    pub fn defaults() -> Vec<SavedView> {
        [
            ('1', "Needs approval", "status:unapproved"),
            (
                '2',
                "In progress",
                "status:undelivered OR status:delivered OR status:scheduled",
            ),
            ('3', "Failed today", "status:failed created-after:{today}"),
            ('4', "Everything", ""),
        ]
        .into_iter()
        .map(|(key, name, query)| SavedView {
            key: Chord::char(key),
            name: name.to_owned(),
            query: query.to_owned(),
        })
        .collect()
    }

    /// The query as of `now`: `{today}` is the local date's start in UTC,
    /// to the minute, so "today" means the operator's day.
    pub fn query_at(&self, now: DateTime<Utc>, offset: FixedOffset) -> String {
        if !self.query.contains("{today}") {
            return self.query.clone();
        }
        let local = now.with_timezone(&offset).date_naive();
        let start = local
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(offset).single())
            .map_or(now, |t| t.with_timezone(&Utc));
        self.query
            .replace("{today}", &start.format("%Y-%m-%dT%H:%M").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn today_is_the_operators_day_in_utc() {
        let v = &SavedView::defaults()[2];
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 1, 30, 0).unwrap();
        assert_eq!(
            v.query_at(now, FixedOffset::east_opt(0).unwrap()),
            "status:failed created-after:2026-11-23T00:00"
        );
        // 02:30 in Berlin is still the 23rd there, which began at 23:00 UTC.
        assert_eq!(
            v.query_at(now, FixedOffset::east_opt(3600).unwrap()),
            "status:failed created-after:2026-11-22T23:00"
        );
    }
}
