//! Activities and computers with the indexes queries and the simulation
//! need: by id, by parent, newest-first order, the packed fields every
//! search scans, and the set of activities still moving.

use std::collections::BTreeMap;

use foldhash::HashMap;

use chrono::{DateTime, Utc};

use crate::model::{Activity, ActivityStatus, Computer, Field};
use crate::query::{Columns, ComputerLookup, RowSet};

use super::lifecycle::derive;

#[derive(Debug, Clone, Default)]
pub struct Store {
    pub activities: Vec<Activity>,
    /// The fields queries test, a column each.
    pub columns: Columns,
    pub by_id: HashMap<u64, usize>,
    /// Parent id → indices of its children.
    pub children: HashMap<u64, Vec<usize>>,
    /// Indices, oldest first (ties: lowest id first), so that an activity
    /// created now is appended. Pages read it from the end.
    pub order: Vec<usize>,
    /// Each index's position in `order`.
    pub rank: Vec<usize>,
    /// `order` is `0, 1, 2, …`: records were added in creation order.
    pub(super) in_order: bool,
    /// The top-level ones (no parent) in the same order: the unfiltered list.
    pub top_order: Vec<usize>,
    /// The groups (ActivityGroup) in the same order: `/activities/parents`.
    pub group_order: Vec<usize>,
    /// Each index's parent's index; [`Store::NO_ROW`] for top-level
    /// activities and children whose parent is not in the store.
    pub parent_row: Vec<usize>,
    pub computers: BTreeMap<u64, Computer>,
    /// Computer ids by tag, ascending (see [`Store::index_computers`]).
    pub by_tag: HashMap<String, Vec<u64>>,
    /// Indices of activities the clock can still move.
    pub live: RowSet,
    /// The highest id held (0 for none): new ids follow it without a scan.
    pub(super) max_id: u64,
}

impl ComputerLookup for Store {
    fn computer(&self, id: u64) -> Option<&Computer> {
        self.computers.get(&id)
    }

    fn for_each_computer(&self, f: &mut dyn FnMut(&Computer)) {
        self.computers.values().for_each(f);
    }

    fn columns(&self) -> Option<&Columns> {
        Some(&self.columns)
    }

    fn tagged(&self, tag: &str) -> Option<&[u64]> {
        Some(self.by_tag.get(tag).map_or(&[], Vec::as_slice))
    }
}

/// Statuses the clock moves on from.
pub fn moves_with_clock(a: &Activity) -> bool {
    !a.is_parent()
        && matches!(
            a.status(),
            Some(
                ActivityStatus::Undelivered | ActivityStatus::Scheduled | ActivityStatus::Delivered
            )
        )
}

impl Store {
    pub const NO_ROW: usize = usize::MAX;

    /// Indexes the computers (set once, when the store is made).
    pub fn index_computers(&mut self) {
        self.by_tag.clear();
        for c in self.computers.values() {
            for t in &c.tags {
                self.by_tag.entry(t.clone()).or_default().push(c.id);
            }
        }
    }

    pub fn index(&self, id: u64) -> Option<usize> {
        self.by_id.get(&id).copied()
    }

    pub fn get(&self, id: u64) -> Option<&Activity> {
        self.index(id).map(|i| &self.activities[i])
    }

    pub fn next_id(&self) -> u64 {
        self.max_id + 1
    }

    /// Appends a record and indexes it (all but the order). Its index.
    fn push(&mut self, a: Activity) -> usize {
        self.activities.push(a);
        let i = self.activities.len() - 1;
        self.index_record(i);
        i
    }

    /// Indexes record `i` (all but the order).
    fn index_record(&mut self, i: usize) {
        let a = &self.activities[i];
        self.max_id = self.max_id.max(a.id);
        self.by_id.insert(a.id, i);
        if let Some(p) = a.parent() {
            self.children.entry(p).or_default().push(i);
        }
        let parent_row = a.parent().and_then(|p| self.index(p));
        self.parent_row.push(parent_row.unwrap_or(Self::NO_ROW));
        self.columns.push(a);
        self.live.set(i, moves_with_clock(a));
    }

    /// Adds activities in bulk (a load or a demo) and builds every index once.
    /// An empty store takes the list and puts it in creation order in place
    /// (a million records are never held twice), so that a query's matches,
    /// a set of rows, page by themselves.
    pub fn extend(&mut self, activities: Vec<Activity>) {
        if self.activities.is_empty() {
            self.activities = activities;
            in_creation_order(&mut self.activities);
            self.by_id.reserve(self.activities.len());
            for i in 0..self.activities.len() {
                self.index_record(i);
            }
        } else {
            for a in activities {
                self.push(a);
            }
        }
        // Children in id order, whatever order the records came in, so
        // actions over a parent do the same in any store.
        let acts = &self.activities;
        for kids in self.children.values_mut() {
            kids.sort_unstable_by_key(|&k| acts[k].id);
        }
        // Children that came before their parent learn its index now.
        for i in 0..self.activities.len() {
            if self.parent_row[i] == Self::NO_ROW
                && let Some(p) = self.activities[i].parent()
            {
                self.parent_row[i] = self.index(p).unwrap_or(Self::NO_ROW);
            }
        }
        self.order = (0..self.activities.len()).collect();
        let acts = &self.activities;
        if !acts.is_sorted_by_key(|a| (a.creation_time, a.id)) {
            self.order
                .sort_unstable_by_key(|&i| (acts[i].creation_time, acts[i].id));
        }
        self.rank = vec![0; self.order.len()];
        for (k, &i) in self.order.iter().enumerate() {
            self.rank[i] = k;
        }
        self.in_order = self.order.iter().enumerate().all(|(k, &i)| k == i);
        self.top_order = self
            .order
            .iter()
            .copied()
            .filter(|&i| acts[i].is_top_level())
            .collect();
        self.group_order = self
            .top_order
            .iter()
            .copied()
            .filter(|&i| acts[i].is_parent())
            .collect();
        let parents: Vec<u64> = self.children.keys().copied().collect();
        for p in parents {
            self.derive_parent(p);
        }
        let empty: Vec<u64> = self
            .activities
            .iter()
            .filter(|a| a.is_parent() && !self.children.contains_key(&a.id))
            .map(|a| a.id)
            .collect();
        for p in empty {
            self.derive_parent(p);
        }
    }

    /// Adds one activity created now (reapply, revert), keeping every
    /// order true.
    pub fn insert(&mut self, a: Activity) -> usize {
        let key = (a.creation_time, a.id);
        let (top, group, id) = (a.is_top_level(), a.is_parent(), a.id);
        let i = self.push(a);
        let acts = &self.activities;
        // Usually the newest: an append. Otherwise an insert, and the ranks
        // after it move up.
        let place = |order: &mut Vec<usize>| {
            let at = order.partition_point(|&j| (acts[j].creation_time, acts[j].id) < key);
            order.insert(at, i);
            at
        };
        let at = place(&mut self.order);
        self.in_order = (self.in_order || i == 0) && at == i;
        self.rank.push(at);
        for (k, &j) in self.order.iter().enumerate().skip(at + 1) {
            self.rank[j] = k;
        }
        if top {
            place(&mut self.top_order);
        }
        if group {
            place(&mut self.group_order);
        }
        if let Some(kids) = self.children.get(&id) {
            for &k in kids {
                self.parent_row[k] = i;
            }
        }
        i
    }

    /// Whether row order is creation order (true unless records were
    /// added out of order), so a set of rows pages by itself.
    pub fn rows_in_order(&self) -> bool {
        self.in_order
    }

    /// Puts `next` in row `i`'s place, indexes and all, leaving its
    /// parent to be derived by the caller.
    pub fn replace(&mut self, i: usize, next: Activity) {
        self.activities[i] = next;
        let a = &self.activities[i];
        self.columns.refresh(i, a);
        self.live.set(i, moves_with_clock(a));
    }

    /// Applies `change` to each of `rows` and keeps every index true; each
    /// parent they share is derived once, not once per child.
    pub fn update_many(&mut self, rows: &[usize], mut change: impl FnMut(&mut Activity)) {
        let mut parents = Vec::new();
        for &i in rows {
            change(&mut self.activities[i]);
            let a = &self.activities[i];
            self.columns.refresh(i, a);
            self.live.set(i, moves_with_clock(a));
            if let Some(p) = a.parent() {
                parents.push(p);
            }
        }
        parents.sort_unstable();
        parents.dedup();
        for p in parents {
            self.derive_parent(p);
        }
    }

    /// Recomputes a parent's derived fields from its children.
    pub fn derive_parent(&mut self, parent_id: u64) {
        let Some(pi) = self.index(parent_id) else {
            return;
        };
        let kids = self
            .children
            .get(&parent_id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let d = derive(kids.iter().map(|&k| &self.activities[k]));
        let completion = kids
            .iter()
            .filter_map(|&k| self.activities[k].completion_time.copied())
            .max();
        let modification = kids
            .iter()
            .filter_map(|&k| self.activities[k].modification_time.copied())
            .max();
        let p = &mut self.activities[pi];
        p.children_count = Field::Value(d.children);
        p.children_statuses = Field::Value(d.statuses);
        p.computer_count = Field::Value(d.computers);
        if p.deliver_delay_window.is_absent() {
            p.deliver_delay_window = Field::Value(0);
        }
        if p.computer.is_absent() {
            p.computer = Field::Null;
        }
        let final_now = d.status.is_final();
        p.activity_status = Field::Value(d.status);
        p.completion_time = if final_now {
            completion.into()
        } else {
            Field::Null
        };
        if let Some(m) = modification
            && p.modification_time.get().is_none_or(|old| *old < m)
        {
            p.modification_time = Field::Value(m);
        }
        self.columns.refresh(pi, &self.activities[pi]);
    }

    pub fn children_of(&self, parent_id: u64) -> impl Iterator<Item = &Activity> {
        self.children
            .get(&parent_id)
            .into_iter()
            .flatten()
            .map(|&i| &self.activities[i])
    }
}

/// Sorts records by (creation time, id) with swaps: no second copy of them.
fn in_creation_order(records: &mut [Activity]) {
    let key = |a: &Activity| (a.creation_time, a.id);
    if records.is_sorted_by_key(key) {
        return;
    }
    // The keys sorted apart from the records: 24 bytes each, not 500.
    let mut keys: Vec<(DateTime<Utc>, u64, usize)> = records
        .iter()
        .enumerate()
        .map(|(i, a)| (a.creation_time, a.id, i))
        .collect();
    keys.sort_unstable();
    let order: Vec<usize> = keys.into_iter().map(|(_, _, i)| i).collect();
    // Position k takes the record at order[k]: follow each cycle.
    let mut done = vec![false; records.len()];
    for start in 0..records.len() {
        let mut j = start;
        while !done[j] {
            done[j] = true;
            let from = order[j];
            if from == start {
                break;
            }
            records.swap(j, from);
            j = from;
        }
    }
}
