//! Activities and computers with the indexes queries and the simulation
//! need: by id, by parent, newest-first order, the packed fields every
//! search scans, and the set of activities still moving.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::{Activity, ActivityStatus, Computer, Field};
use crate::query::{Columns, ComputerLookup};

use super::lifecycle::derive;

#[derive(Debug, Clone, Default)]
pub struct Store {
    pub activities: Vec<Activity>,
    /// The fields queries test, a column each.
    pub columns: Columns,
    pub by_id: HashMap<u64, usize>,
    /// Parent id → indices of its children.
    pub children: HashMap<u64, Vec<usize>>,
    /// Indices, newest first (ties: highest id first).
    pub order: Vec<usize>,
    /// The top-level ones (no parent) in the same order: the unfiltered list.
    pub top_order: Vec<usize>,
    /// The groups (ActivityGroup) in the same order: `/activities/parents`.
    pub group_order: Vec<usize>,
    pub computers: BTreeMap<u64, Computer>,
    /// Indices of activities the clock can still move.
    pub live: BTreeSet<usize>,
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
    pub fn index(&self, id: u64) -> Option<usize> {
        self.by_id.get(&id).copied()
    }

    pub fn get(&self, id: u64) -> Option<&Activity> {
        self.index(id).map(|i| &self.activities[i])
    }

    pub fn next_id(&self) -> u64 {
        self.activities
            .iter()
            .map(|a| a.id)
            .max()
            .map_or(1, |m| m + 1)
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
        self.by_id.insert(a.id, i);
        if let Some(p) = a.parent() {
            self.children.entry(p).or_default().push(i);
        }
        self.columns.push(a);
        if moves_with_clock(a) {
            self.live.insert(i);
        }
    }

    /// Adds activities in bulk (a load or a demo) and builds every index once.
    /// An empty store takes the list as it is: a million records are never
    /// held twice.
    pub fn extend(&mut self, activities: Vec<Activity>) {
        if self.activities.is_empty() {
            self.activities = activities;
            self.by_id.reserve(self.activities.len());
            for i in 0..self.activities.len() {
                self.index_record(i);
            }
        } else {
            for a in activities {
                self.push(a);
            }
        }
        self.order = (0..self.activities.len()).collect();
        let acts = &self.activities;
        self.order.sort_by(|&x, &y| {
            acts[y]
                .creation_time
                .cmp(&acts[x].creation_time)
                .then(acts[y].id.cmp(&acts[x].id))
        });
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
        let (top, group) = (a.is_top_level(), a.is_parent());
        let i = self.push(a);
        let acts = &self.activities;
        let place = |order: &mut Vec<usize>| {
            let at = order.partition_point(|&j| (acts[j].creation_time, acts[j].id) > key);
            order.insert(at, i);
        };
        place(&mut self.order);
        if top {
            place(&mut self.top_order);
        }
        if group {
            place(&mut self.group_order);
        }
        i
    }

    /// Applies `change` to one activity and keeps every index true.
    pub fn update(&mut self, i: usize, change: impl FnOnce(&mut Activity)) {
        change(&mut self.activities[i]);
        let a = &self.activities[i];
        self.columns.refresh(i, a);
        if moves_with_clock(a) {
            self.live.insert(i);
        } else {
            self.live.remove(&i);
        }
        if let Some(p) = a.parent() {
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
