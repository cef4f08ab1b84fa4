//! The dashboard's rows from a server that pages only raw activities.
//!
//! A row is a top-level activity that matches, or a parent with a matching
//! child. `serve` answers rows directly (`GET /api/v2/activities/top-level`);
//! a real Landscape server does not, so the client pages through the raw
//! matches once, folds each child into its parent with a seen-set, fetches
//! the parents it has not seen, and orders the rows as the engine does.
//! Rows, order and counts are then exactly the engine's for the same data;
//! the price is one scan of the matches, which is cached for a short while
//! so paging through the list costs nothing more.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::model::{Activity, Page, RowPage};

/// Raw matches fetched per request while folding.
pub(super) const RAW_PAGE: u64 = 1000;

/// One finished scan of a query's matches.
pub(super) struct Folded {
    pub query: String,
    pub built: Instant,
    /// Rows, newest first.
    pub rows: Vec<Activity>,
    pub activity_count: u64,
    pub matching_children: HashMap<u64, u64>,
}

impl Folded {
    pub fn fresh(&self, query: &str, ttl: Duration) -> bool {
        self.query == query && self.built.elapsed() < ttl
    }

    /// `limit` rows from `offset`.
    pub fn page(&self, limit: u64, offset: u64) -> RowPage {
        let start = (offset as usize).min(self.rows.len());
        let end = start.saturating_add(limit as usize).min(self.rows.len());
        let results = self.rows[start..end].to_vec();
        let matching_children: BTreeMap<u64, u64> = results
            .iter()
            .filter_map(|a| Some((a.id, *self.matching_children.get(&a.id)?)))
            .collect();
        RowPage {
            rows: Page {
                count: self.rows.len() as u64,
                results,
                next: None,
                previous: None,
            },
            activity_count: self.activity_count,
            matching_children,
        }
    }
}

/// The fold in progress: raw matches in, rows out.
#[derive(Default)]
pub(super) struct Fold {
    /// Top-level records seen (matched themselves, or fetched as parents).
    records: HashMap<u64, Activity>,
    /// Row ids whose record is still to be fetched.
    wanted: Vec<u64>,
    /// Row ids that matched on their own.
    itself: std::collections::HashSet<u64>,
    /// Parent id → matching children seen.
    children: HashMap<u64, u64>,
    pub scanned: u64,
}

impl Fold {
    /// Takes one page of raw matches; the children are counted and dropped.
    pub fn absorb(&mut self, page: Vec<Activity>) {
        self.scanned += page.len() as u64;
        for a in page {
            match a.parent() {
                None => {
                    self.itself.insert(a.id);
                    self.records.insert(a.id, a);
                }
                Some(p) => {
                    let seen = self.children.entry(p).or_default();
                    if *seen == 0 && !self.records.contains_key(&p) {
                        self.wanted.push(p);
                    }
                    *seen += 1;
                }
            }
        }
    }

    /// Parents to fetch by id: seen only through children so far.
    pub fn take_wanted(&mut self) -> Vec<u64> {
        let records = &self.records;
        let mut wanted = std::mem::take(&mut self.wanted);
        wanted.retain(|id| !records.contains_key(id));
        wanted
    }

    pub fn add_parents(&mut self, parents: Vec<Activity>) {
        for p in parents {
            self.records.entry(p.id).or_insert(p);
        }
    }

    pub fn finish(self, query: &str) -> Folded {
        let mut rows: Vec<Activity> = self.records.into_values().collect();
        rows.sort_by_key(|a| std::cmp::Reverse(order_key(a)));
        let itself = self.itself;
        let matching_children = self
            .children
            .into_iter()
            .filter(|(p, _)| !itself.contains(p))
            .collect();
        Folded {
            query: query.to_owned(),
            built: Instant::now(),
            rows,
            activity_count: self.scanned,
            matching_children,
        }
    }
}

/// Landscape's order: newest first, equal times by highest id.
fn order_key(a: &Activity) -> (DateTime<Utc>, u64) {
    (a.creation_time, a.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn activity(id: u64, parent: Option<u64>, second: u32) -> Activity {
        let mut a = Activity::new(
            id,
            "ChangePackagesRequest",
            "s",
            Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, second).unwrap(),
        );
        a.parent_id = parent.into();
        a
    }

    #[test]
    fn children_fold_into_parents_once_and_rows_sort_newest_first() {
        let mut fold = Fold::default();
        fold.absorb(vec![
            activity(12, Some(10), 9),
            activity(11, Some(10), 9),
            activity(20, None, 5),
        ]);
        fold.absorb(vec![activity(13, Some(10), 1)]);
        assert_eq!(fold.take_wanted(), vec![10]);
        fold.add_parents(vec![activity(10, None, 7)]);
        let folded = fold.finish("q");
        let ids: Vec<u64> = folded.rows.iter().map(|a| a.id).collect();
        assert_eq!(ids, vec![10, 20]);
        assert_eq!(folded.activity_count, 4);
        let page = folded.page(1, 0);
        assert_eq!(page.rows.count, 2);
        assert_eq!(page.matching(10), Some(3));
        assert_eq!(folded.page(10, 1).rows.results[0].id, 20);
        assert!(folded.page(10, 5).rows.results.is_empty());
    }
}
