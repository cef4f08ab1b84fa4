//! The list's sort order: a column and a direction. Ties always fall back
//! to newest first, so a page boundary never splits equal rows two ways.

use std::cmp::Ordering;

use super::Activity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortColumn {
    Created,
    Status,
    Type,
    Summary,
    Children,
    Computers,
}

impl SortColumn {
    /// In the order `s` cycles through them (the list's column order).
    pub const ALL: [SortColumn; 6] = [
        SortColumn::Created,
        SortColumn::Status,
        SortColumn::Type,
        SortColumn::Summary,
        SortColumn::Children,
        SortColumn::Computers,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SortColumn::Created => "created",
            SortColumn::Status => "status",
            SortColumn::Type => "type",
            SortColumn::Summary => "summary",
            SortColumn::Children => "children",
            SortColumn::Computers => "computers",
        }
    }

    pub fn parse(text: &str) -> Option<SortColumn> {
        let text = text.to_ascii_lowercase();
        SortColumn::ALL.into_iter().find(|c| c.name() == text)
    }

    /// The next column `s` moves to.
    pub fn next(self) -> SortColumn {
        let i = SortColumn::ALL.iter().position(|c| *c == self).unwrap_or(0);
        SortColumn::ALL[(i + 1) % SortColumn::ALL.len()]
    }

    /// Which way a column first sorts: newest, most children and most
    /// computers first; text and statuses A to Z.
    pub fn first_descending(self) -> bool {
        matches!(
            self,
            SortColumn::Created | SortColumn::Children | SortColumn::Computers
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListSort {
    pub column: SortColumn,
    pub descending: bool,
}

impl Default for ListSort {
    /// Landscape's own order: newest first.
    fn default() -> ListSort {
        ListSort::by(SortColumn::Created)
    }
}

impl ListSort {
    /// `column` in its first direction.
    pub fn by(column: SortColumn) -> ListSort {
        ListSort {
            column,
            descending: column.first_descending(),
        }
    }

    pub fn is_default(&self) -> bool {
        *self == ListSort::default()
    }

    pub fn reversed(self) -> ListSort {
        ListSort {
            descending: !self.descending,
            ..self
        }
    }

    /// `▲` ascending, `▼` descending.
    pub fn arrow(&self) -> &'static str {
        if self.descending { "▼" } else { "▲" }
    }

    /// `a` before `b` in this order; equal keys newest first.
    pub fn compare(&self, a: &Activity, b: &Activity) -> Ordering {
        let key = match self.column {
            SortColumn::Created => Ordering::Equal,
            SortColumn::Status => status_key(a).cmp(&status_key(b)),
            // Rows share their type and summary text: the same text is equal
            // without reading it.
            SortColumn::Type if std::sync::Arc::ptr_eq(&a.activity_type, &b.activity_type) => {
                Ordering::Equal
            }
            SortColumn::Type => a.activity_type.cmp(&b.activity_type),
            SortColumn::Summary if std::sync::Arc::ptr_eq(&a.summary, &b.summary) => {
                Ordering::Equal
            }
            SortColumn::Summary => caseless(&a.summary, &b.summary),
            SortColumn::Children => children_key(a).cmp(&children_key(b)),
            SortColumn::Computers => computers(a).cmp(&computers(b)),
        };
        let newest_first = (b.creation_time, b.id).cmp(&(a.creation_time, a.id));
        match (self.column, self.descending) {
            (SortColumn::Created, true) => newest_first,
            (SortColumn::Created, false) => newest_first.reverse(),
            (_, true) => key.reverse().then(newest_first),
            (_, false) => key.then(newest_first),
        }
    }
}

/// Case-insensitive order without allocating per comparison (bytes when
/// both are ASCII, as summaries nearly always are).
pub fn caseless(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()));
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

/// By what needs attention (`ActivityStatus::attention`), failures
/// first; a status this build does not know after the others, by name.
fn status_key(a: &Activity) -> (u8, &str) {
    a.status()
        .map_or((u8::MAX, ""), |s| (s.attention(), s.as_str()))
}

/// Failed-or-canceled children first, then pending, then all.
fn children_key(a: &Activity) -> (u64, u64, u64) {
    let all = a.children_count.copied().unwrap_or(0);
    a.children_statuses
        .get()
        .map_or((0, 0, all), |c| (c.bad, c.warning, all))
}

fn computers(a: &Activity) -> u64 {
    a.computer_count
        .copied()
        .unwrap_or_else(|| u64::from(a.computer().is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn activity(id: u64, minute: u32, kind: &str, summary: &str) -> Activity {
        Activity::new(
            id,
            kind,
            summary,
            Utc.with_ymd_and_hms(2026, 1, 1, 0, minute, 0).unwrap(),
        )
    }

    #[test]
    fn columns_sort_both_ways_and_ties_stay_newest_first() {
        let rows = [
            activity(1, 1, "ChangePackages", "b"),
            activity(2, 2, "ActivityGroup", "a"),
            activity(3, 3, "ChangePackages", "C"),
        ];
        let order = |sort: ListSort| {
            let mut r = rows.to_vec();
            r.sort_by(|a, b| sort.compare(a, b));
            r.iter().map(|a| a.id).collect::<Vec<_>>()
        };
        assert_eq!(order(ListSort::default()), [3, 2, 1]);
        assert_eq!(order(ListSort::default().reversed()), [1, 2, 3]);
        assert_eq!(order(ListSort::by(SortColumn::Type)), [2, 3, 1]);
        assert_eq!(order(ListSort::by(SortColumn::Type).reversed()), [3, 1, 2]);
        assert_eq!(order(ListSort::by(SortColumn::Summary)), [2, 1, 3]);
    }

    /// Status sorts by what needs attention, not by name: failed,
    /// unapproved, undelivered and scheduled, waiting, delivered,
    /// canceled, succeeded (issue 42).
    #[test]
    fn status_sorts_failures_first() {
        let statuses = [
            "succeeded",
            "canceled",
            "delivered",
            "waiting",
            "scheduled",
            "undelivered",
            "unapproved",
            "failed",
        ];
        let rows: Vec<Activity> = statuses
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut a = activity(i as u64, i as u32, "ChangePackages", "x");
                a.activity_status =
                    crate::model::Field::Value(crate::model::ActivityStatus::from_wire(s));
                a
            })
            .collect();
        let mut sorted = rows.clone();
        sorted.sort_by(|a, b| ListSort::by(SortColumn::Status).compare(a, b));
        let names: Vec<&str> = sorted
            .iter()
            .map(|a| a.status().unwrap().as_str())
            .collect();
        assert_eq!(
            names,
            [
                "failed",
                "unapproved",
                "scheduled",
                "undelivered",
                "waiting",
                "delivered",
                "canceled",
                "succeeded"
            ],
            "scheduled and undelivered share a rank: by name"
        );
    }
}
