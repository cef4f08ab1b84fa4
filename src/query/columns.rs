//! The fields most terms test, kept a column each beside the records: a
//! search over a million activities reads a megabyte per term (a status is
//! one byte) instead of the records' hundreds, and strings that repeat —
//! creators' emails, summaries — are numbered, so a term compares numbers
//! and a bare word is tried once per distinct summary.

use foldhash::HashMap;
use std::sync::Arc;

use super::row_set::RowSet;
use crate::model::{Activity, ActivityStatus};

static EMPTY: RowSet = RowSet::EMPTY;

/// Columns of a store's activities, index for index.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    pub id: Vec<u64>,
    /// [`Columns::NONE`] when the activity has no parent.
    pub parent: Vec<u64>,
    /// Number of the computer; [`Columns::NO_COMPUTER`] when none.
    pub computer: Vec<u32>,
    /// Unix seconds.
    pub created: Vec<i64>,
    /// Number of the type name.
    pub kind: Vec<u16>,
    /// Index in [`ActivityStatus::KNOWN`]; `OTHER` or `NO_STATUS` else.
    pub status: Vec<u8>,
    /// Number of the creator's email (lower case); `NO_CREATOR` when none.
    pub creator: Vec<u32>,
    /// Number of the summary.
    pub summary: Vec<u32>,
    /// The rows of each known status, by code: a status term is a copy.
    by_status: Vec<RowSet>,
    /// The rows of each of the first [`Columns::INDEXED_KINDS`] types.
    by_kind: Vec<RowSet>,
    /// The rows of each computer, summary and creator, by number,
    /// ascending: a term that picks a few of them reads only their rows.
    by_computer: Vec<Vec<u32>>,
    by_summary: Vec<Vec<u32>>,
    by_creator: Vec<Vec<u32>>,
    /// `created` never decreases down the rows (records in creation
    /// order), so a date term is a range of rows.
    created_sorted: bool,
    creators: HashMap<String, u32>,
    computers: HashMap<u64, u32>,
    kinds: HashMap<String, u16>,
    summaries: Vec<Arc<str>>,
    /// Every distinct summary, each followed by [`Columns::SUMMARY_END`],
    /// and where each starts: a word is searched for once in all of them.
    summary_text: String,
    summary_starts: Vec<u32>,
    summary_numbers: HashMap<Arc<str>, u32>,
}

impl Columns {
    pub const NONE: u64 = u64::MAX;
    pub const OTHER: u8 = 254;
    pub const NO_STATUS: u8 = 255;
    pub const NO_CREATOR: u32 = u32::MAX;
    pub const NO_COMPUTER: u32 = u32::MAX;
    /// The type number of names past the table's room: the record decides.
    pub const SHARED_KIND: u16 = u16::MAX;
    /// Types numbered below this keep a set of their rows (Landscape has a
    /// few dozen types; a set is an eighth of a byte a row).
    pub const INDEXED_KINDS: u16 = 64;
    /// Ends each summary in [`Columns::summary_text`]; a word holding it
    /// is searched summary by summary instead.
    pub const SUMMARY_END: char = '\0';

    pub fn with_capacity(n: usize) -> Columns {
        Columns {
            id: Vec::with_capacity(n),
            parent: Vec::with_capacity(n),
            computer: Vec::with_capacity(n),
            created: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            status: Vec::with_capacity(n),
            creator: Vec::with_capacity(n),
            summary: Vec::with_capacity(n),
            ..Columns::default()
        }
    }

    pub fn of(activities: &[Activity]) -> Columns {
        let mut c = Columns::with_capacity(activities.len());
        for a in activities {
            c.push(a);
        }
        c
    }

    pub fn len(&self) -> usize {
        self.id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    pub fn push(&mut self, a: &Activity) {
        let creator = self.creator_number(a);
        let summary = self.summary_number(&a.summary);
        self.id.push(a.id);
        self.parent.push(a.parent_id.copied().unwrap_or(Self::NONE));
        let computer = match a.computer_id.copied() {
            Some(id) => self.computer_number(id),
            None => Self::NO_COMPUTER,
        };
        self.computer.push(computer);
        let created = a.creation_time.timestamp();
        self.created_sorted = self.created.last().is_none_or(|&last| last <= created)
            && (self.created_sorted || self.created.is_empty());
        self.created.push(created);
        let kind = self.kind_number(&a.activity_type);
        self.kind.push(kind);
        if kind < Self::INDEXED_KINDS {
            let k = usize::from(kind);
            if self.by_kind.len() <= k {
                self.by_kind.resize(k + 1, RowSet::empty(0));
            }
            let n = self.id.len() - 1;
            self.by_kind[k].set(n, true);
        }
        let status = status_of(a);
        self.status.push(status);
        self.mark_status(self.id.len() - 1, status, true);
        let row = (self.id.len() - 1) as u32;
        for (postings, n) in [
            (&mut self.by_computer, computer),
            (&mut self.by_summary, summary),
            (&mut self.by_creator, creator),
        ] {
            // "No computer" and "no creator" have no list.
            if n != Self::NO_COMPUTER && n != Self::NO_CREATOR {
                let n = n as usize;
                if postings.len() <= n {
                    postings.resize_with(n + 1, Vec::new);
                }
                postings[n].push(row);
            }
        }
        self.creator.push(creator);
        self.summary.push(summary);
    }

    /// Row `i` after its record changed (the fields an action or the clock
    /// can change: status).
    pub fn refresh(&mut self, i: usize, a: &Activity) {
        let (old, new) = (self.status[i], status_of(a));
        if old != new {
            self.mark_status(i, old, false);
            self.mark_status(i, new, true);
            self.status[i] = new;
        }
    }

    fn mark_status(&mut self, i: usize, code: u8, on: bool) {
        if usize::from(code) < ActivityStatus::KNOWN.len() {
            if self.by_status.is_empty() {
                self.by_status = vec![RowSet::empty(0); ActivityStatus::KNOWN.len()];
            }
            self.by_status[usize::from(code)].set(i, on);
        }
    }

    /// The rows with status `code`, when it is a known one.
    pub fn rows_with_status(&self, code: u8) -> Option<&RowSet> {
        if usize::from(code) >= ActivityStatus::KNOWN.len() {
            return None;
        }
        Some(self.by_status.get(usize::from(code)).unwrap_or(&EMPTY))
    }

    /// The rows created before `secs` are `0..n` and the rest follow, when
    /// rows are in creation order: that n.
    pub fn created_before_row(&self, secs: i64) -> Option<usize> {
        self.created_sorted
            .then(|| self.created.partition_point(|&c| c < secs))
    }

    /// The rows of type number `kind`, when that type keeps a set.
    pub fn rows_of_kind(&self, kind: u16) -> Option<&RowSet> {
        if kind >= Self::INDEXED_KINDS {
            return None;
        }
        Some(self.by_kind.get(usize::from(kind)).unwrap_or(&EMPTY))
    }

    /// The status a row's code stands for, when it is a known one.
    pub fn status_at(&self, i: usize) -> Option<&'static ActivityStatus> {
        ActivityStatus::KNOWN.get(usize::from(self.status[i]))
    }

    /// The rows of computer number `n`, ascending.
    pub fn rows_of_computer(&self, n: u32) -> &[u32] {
        self.by_computer.get(n as usize).map_or(&[], Vec::as_slice)
    }

    /// The rows of summary number `n`, ascending.
    pub fn rows_of_summary(&self, n: u32) -> &[u32] {
        self.by_summary.get(n as usize).map_or(&[], Vec::as_slice)
    }

    /// The rows of creator number `n`, ascending.
    pub fn rows_of_creator(&self, n: u32) -> &[u32] {
        self.by_creator.get(n as usize).map_or(&[], Vec::as_slice)
    }

    /// The number of a lower-case email, when any activity has it.
    pub fn creator_id(&self, email_lowercase: &str) -> Option<u32> {
        self.creators.get(email_lowercase).copied()
    }

    /// The number of a computer, when any activity has it.
    pub fn computer_id(&self, id: u64) -> Option<u32> {
        self.computers.get(&id).copied()
    }

    /// How many computers are numbered.
    pub fn computer_count(&self) -> usize {
        self.computers.len()
    }

    fn computer_number(&mut self, id: u64) -> u32 {
        let next = self.computers.len() as u32;
        *self.computers.entry(id).or_insert(next)
    }

    /// The number of a type name, when any activity has it.
    pub fn kind_id(&self, name: &str) -> Option<u16> {
        self.kinds.get(name).copied()
    }

    /// Every distinct summary, by number.
    pub fn summaries(&self) -> &[Arc<str>] {
        &self.summaries
    }

    fn creator_number(&mut self, a: &Activity) -> u32 {
        let Some(email) = a.creator_email() else {
            return Self::NO_CREATOR;
        };
        let key = email.to_lowercase();
        let next = self.creators.len() as u32;
        *self.creators.entry(key).or_insert(next)
    }

    /// Types are few (Landscape knows a few dozen); past 65,535 distinct
    /// names the last number is shared and the record decides.
    fn kind_number(&mut self, name: &str) -> u16 {
        if let Some(n) = self.kinds.get(name) {
            return *n;
        }
        let n = self.kinds.len().min(usize::from(Self::SHARED_KIND)) as u16;
        if n < Self::SHARED_KIND {
            self.kinds.insert(name.to_owned(), n);
        }
        n
    }

    fn summary_number(&mut self, text: &Arc<str>) -> u32 {
        if let Some(n) = self.summary_numbers.get(text) {
            return *n;
        }
        let n = self.summaries.len() as u32;
        self.summaries.push(text.clone());
        self.summary_numbers.insert(text.clone(), n);
        self.summary_starts.push(self.summary_text.len() as u32);
        self.summary_text.push_str(text);
        self.summary_text.push(Self::SUMMARY_END);
        n
    }

    /// Each summary number's place among all summaries in `order`: rows
    /// sort by summary as numbers, the texts compared once each.
    pub fn summary_ranks(&self, order: impl Fn(&str, &str) -> std::cmp::Ordering) -> Vec<u32> {
        let mut numbers: Vec<u32> = (0..self.summaries.len() as u32).collect();
        numbers.sort_by(|a, b| order(&self.summaries[*a as usize], &self.summaries[*b as usize]));
        let mut ranks = vec![0; numbers.len()];
        for (rank, n) in numbers.into_iter().enumerate() {
            ranks[n as usize] = rank as u32;
        }
        ranks
    }

    /// All distinct summaries in one text, each ended by
    /// [`Columns::SUMMARY_END`], and the byte where each starts.
    pub fn summary_text(&self) -> (&str, &[u32]) {
        (&self.summary_text, &self.summary_starts)
    }
}

fn status_of(a: &Activity) -> u8 {
    a.activity_status
        .get()
        .map_or(Columns::NO_STATUS, status_code)
}

pub(super) fn status_code(s: &ActivityStatus) -> u8 {
    ActivityStatus::KNOWN
        .iter()
        .position(|k| k == s)
        .map_or(Columns::OTHER, |i| i as u8)
}
