//! The dashboard's rows from a server that pages only raw activities,
//! folded lazily: a page of rows costs a page or two of raw matches, not a
//! scan of the account.
//!
//! A row is a top-level activity that matches, or a parent with a matching
//! child. `serve` answers rows directly (`GET /api/v2/activities/top-level`);
//! a real Landscape does not, so the client reads the raw matches as
//! Landscape orders them (newest first, equal times by highest id) and
//! folds each child into its parent.
//!
//! Why a prefix of raw matches gives exact rows: a child is created with
//! or after its parent, so its order key is at least its parent's. Once
//! the raw matches down to key `k` are read, every row whose key is at
//! least `k` has had all its matching children counted. Those rows are
//! *settled*: in their final order, with their final counts.
//!
//! A segment is one contiguous run of raw matches. The head starts at raw
//! offset 0 and its row numbers are exact. A jump far away (`G`, or a row
//! number far beyond what is read) starts an island where the row would be
//! by the ratio of rows to activities seen so far; its row numbers are an
//! estimate until the head reaches it. An island does not show the rows of
//! the creation time it starts in (a group there may have children before
//! it), so its rows are exact too, only their numbers are not.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::model::{Activity, Page, RowPage};

/// Raw matches asked for per request while folding.
pub(super) const RAW_PAGE: u64 = 1000;
/// A request at most this many rows past what is read (or before an
/// island) may be reached by reading on; farther it starts an island.
/// Nearer still when rows are sparse: see [`LazyRows::near_rows`].
const NEAR_ROWS: u64 = 1000;

/// Landscape's order: newest first, equal times by highest id.
type Key = (DateTime<Utc>, u64);

fn key(a: &Activity) -> Key {
    (a.creation_time, a.id)
}

/// One contiguous run of raw matches, folded.
#[derive(Debug, Default)]
struct Segment {
    raw_start: u64,
    raw_end: u64,
    /// Raw ids folded in, with their parents: a match read twice (an
    /// overlap after a refresh) is not counted twice.
    raw: HashMap<u64, Option<u64>>,
    /// The newest and oldest raw keys folded in.
    newest: Option<Key>,
    oldest: Option<Key>,
    /// Top-level records: matched themselves, or fetched as parents.
    records: HashMap<u64, Activity>,
    /// Row ids that matched on their own.
    itself: HashSet<u64>,
    /// Parent id → its matching children folded in.
    children: HashMap<u64, u64>,
    /// Parents seen through a child whose record is still to be read.
    wanted: HashSet<u64>,
    /// Row number of `shown[0]`.
    first_row: u64,
    /// For an island started at the end: the row number after its last
    /// row stays put, so the total does not move while it grows back.
    end_anchor: Option<u64>,
    /// Settled rows, newest first.
    shown: Vec<u64>,
}

impl Segment {
    fn end_row(&self) -> u64 {
        self.first_row + self.shown.len() as u64
    }

    fn absorb(&mut self, page: Vec<Activity>) {
        for a in page {
            if self.raw.insert(a.id, a.parent()).is_some() {
                continue;
            }
            let k = key(&a);
            self.newest = Some(self.newest.map_or(k, |n| n.max(k)));
            self.oldest = Some(self.oldest.map_or(k, |o| o.min(k)));
            match a.parent() {
                None => {
                    self.itself.insert(a.id);
                    self.wanted.remove(&a.id);
                    self.records.insert(a.id, a);
                }
                Some(p) => {
                    *self.children.entry(p).or_default() += 1;
                    if !self.records.contains_key(&p) {
                        self.wanted.insert(p);
                    }
                }
            }
        }
    }

    fn merge(&mut self, other: Segment) {
        self.raw_start = self.raw_start.min(other.raw_start);
        self.raw_end = self.raw_end.max(other.raw_end);
        for (id, parent) in other.raw {
            if self.raw.insert(id, parent).is_none()
                && let Some(p) = parent
            {
                *self.children.entry(p).or_default() += 1;
            }
        }
        self.itself.extend(other.itself);
        for (id, a) in other.records {
            self.records.entry(id).or_insert(a);
        }
        self.wanted.extend(other.wanted);
        self.wanted.retain(|id| !self.records.contains_key(id));
        self.newest = self.newest.max(other.newest);
        self.oldest = match (self.oldest, other.oldest) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    /// Recomputes the settled rows. `complete`: nothing older is left to read.
    fn settle(&mut self, complete: bool) {
        let before = self.shown.first().copied();
        let newest_time = self.newest.map(|k| k.0);
        let oldest = self.oldest;
        let head = self.raw_start == 0;
        let mut shown: Vec<(Key, u64)> = self
            .records
            .values()
            .map(|a| (key(a), a.id))
            .filter(|(k, _)| head || newest_time.is_some_and(|t| k.0 < t))
            .filter(|(k, _)| complete || oldest.is_some_and(|o| *k >= o))
            .collect();
        shown.sort_unstable_by_key(|(k, _)| std::cmp::Reverse(*k));
        self.shown = shown.into_iter().map(|(_, id)| id).collect();
        // Rows gained above keep the old first row's number.
        if self.end_anchor.is_none()
            && let Some(old) = before
            && let Some(at) = self.shown.iter().position(|id| *id == old)
        {
            self.first_row = self.first_row.saturating_sub(at as u64);
        }
        if let Some(end) = self.end_anchor {
            self.first_row = end.saturating_sub(self.shown.len() as u64);
        }
    }
}

/// What the fold needs next to answer a request for rows.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Need {
    /// Raw matches `offset..offset + limit`.
    Raw {
        offset: u64,
        limit: u64,
    },
    /// The records of these parents (matched only through children).
    Parents(Vec<u64>),
    Ready,
}

/// The lazily folded rows of one query.
#[derive(Debug)]
pub(super) struct LazyRows {
    pub query: String,
    /// Raw matches in all (the activity count).
    pub raw_count: u64,
    /// By raw offset, none overlapping; `segments[0]` is the head.
    segments: Vec<Segment>,
    /// Which segment the request in progress is served from.
    serving: usize,
    /// Rows per raw match carried from an earlier fold of the query, for
    /// placing islands before anything is read.
    ratio_hint: Option<f64>,
    /// When the newest matches were last looked at.
    pub checked: Instant,
}

impl LazyRows {
    pub fn new(query: &str, raw_count: u64) -> LazyRows {
        LazyRows {
            query: query.to_owned(),
            raw_count,
            segments: vec![Segment::default()],
            serving: 0,
            ratio_hint: None,
            checked: Instant::now(),
        }
    }

    /// A fresh fold of the same query that places islands as this one did.
    pub fn restart(&self, raw_count: u64) -> LazyRows {
        let mut fresh = LazyRows::new(&self.query, raw_count);
        fresh.ratio_hint = Some(self.ratio());
        fresh
    }

    /// Whether the rows are all known, so their count is exact.
    pub fn exact(&self) -> bool {
        self.segments.len() == 1 && self.segments[0].raw_end >= self.raw_count
    }

    /// Raw matches read so far, over all segments.
    pub fn raw_read(&self) -> u64 {
        self.segments.iter().map(|s| s.raw_end - s.raw_start).sum()
    }

    /// Rows per raw match, as seen so far (a parent still to be read is
    /// a row already).
    fn ratio(&self) -> f64 {
        let rows: usize = self
            .segments
            .iter()
            .map(|s| s.records.len() + s.wanted.len())
            .sum();
        let raw = self.raw_read();
        if raw == 0 || rows == 0 {
            self.ratio_hint.unwrap_or(1.0)
        } else {
            rows as f64 / raw as f64
        }
    }

    /// How far past what is read reading on still pays: about one raw
    /// page's rows (a query whose matches are mostly children has few
    /// rows per match), and at most half the rows asked for (the rows
    /// read on to have their parents read too; an island reads only its
    /// own). Farther, an island is cheaper than walking the matches.
    fn near_rows(&self, limit: u64) -> u64 {
        ((RAW_PAGE as f64 * self.ratio()) as u64)
            .min(limit / 2)
            .clamp(20, NEAR_ROWS)
    }

    /// Raw matches to read for about `rows` rows, with a margin (an
    /// island leaves out the rows of its first creation time).
    fn raw_for(&self, rows: u64) -> u64 {
        let raw = rows as f64 / self.ratio() * 1.25 + 20.0;
        (raw.ceil() as u64).clamp(100, RAW_PAGE)
    }

    /// The number of rows: exact once all are read, else the last
    /// island's end or an estimate from the ratio seen so far.
    pub fn total_rows(&self) -> u64 {
        let last = self.segments.last().expect("the head is always there");
        if last.raw_end >= self.raw_count {
            return last.end_row();
        }
        let estimate = (self.raw_count as f64 * self.ratio()).round() as u64;
        estimate.max(last.end_row() + 1)
    }

    /// Decides what to read next to answer `limit` rows from `offset`.
    pub fn need(&mut self, offset: u64, limit: u64) -> Need {
        self.serving = self.choose(offset, limit);
        let count = self.raw_count;
        let i = self.serving;
        let s = &self.segments[i];
        let floor = if i == 0 {
            0
        } else {
            self.segments[i - 1].raw_end
        };
        let ceiling = self.segments.get(i + 1).map_or(count, |n| n.raw_start);
        if s.raw_end == s.raw_start && s.raw_start < ceiling {
            // Nothing read yet: about the rows asked for, from its start
            // (an island at the end starts where they are).
            let limit = if s.end_anchor.is_some() {
                ceiling - s.raw_start
            } else if i == 0 {
                RAW_PAGE.min(ceiling)
            } else {
                self.raw_for(limit).min(ceiling - s.raw_start)
            };
            return Need::Raw {
                offset: s.raw_start,
                limit,
            };
        }
        // Grow back first: an island must reach `offset` (once the
        // parents of what is read could not).
        if s.raw_start > floor && s.first_row.saturating_sub(s.wanted.len() as u64) > offset {
            let back = self.raw_for(s.first_row - offset);
            let from = s.raw_start.saturating_sub(back).max(floor);
            return Need::Raw {
                offset: from,
                limit: s.raw_start - from,
            };
        }
        // Read on while even the rows waiting for their parent's record
        // would not fill the request: parents are asked for together.
        let want_end = offset.saturating_add(limit);
        let could_show = s.end_row() + s.wanted.len() as u64;
        if s.raw_end < ceiling
            && (could_show < want_end || s.shown.is_empty() && s.wanted.is_empty())
        {
            let rows_short = want_end.saturating_sub(could_show).max(1);
            let raw_guess = (rows_short as f64 / self.ratio()).ceil() as u64;
            let limit = raw_guess.clamp(100, RAW_PAGE).min(ceiling - s.raw_end);
            return Need::Raw {
                offset: s.raw_end,
                limit,
            };
        }
        if !s.wanted.is_empty() {
            let mut ids: Vec<u64> = s.wanted.iter().copied().collect();
            ids.sort_unstable();
            return Need::Parents(ids);
        }
        if s.raw_end < ceiling && s.end_row() < want_end {
            let rows_short = want_end - s.end_row();
            let raw_guess = (rows_short as f64 / self.ratio()).ceil() as u64;
            return Need::Raw {
                offset: s.raw_end,
                limit: raw_guess.clamp(100, RAW_PAGE).min(ceiling - s.raw_end),
            };
        }
        Need::Ready
    }

    /// The segment that answers a request at `offset`, starting an island
    /// when none is near.
    fn choose(&mut self, offset: u64, limit: u64) -> usize {
        let total = self.total_rows();
        let near = self.near_rows(limit);
        for (i, s) in self.segments.iter().enumerate() {
            let next_first = self.segments.get(i + 1).map_or(u64::MAX, |n| n.first_row);
            let reach_back = if i == 0 {
                0
            } else {
                s.first_row.saturating_sub(near)
            };
            let reach_on = if s.raw_end >= self.raw_count {
                u64::MAX
            } else {
                s.end_row().saturating_add(near)
            };
            if offset >= reach_back && offset < reach_on.min(next_first) {
                return i;
            }
        }
        // Far from everything read: start an island where the row should be.
        let to_end = offset.saturating_add(limit) >= total;
        let last_end = self.segments.last().map_or(0, |s| s.raw_end);
        let (raw_start, end_anchor) = if to_end {
            let rows = total.saturating_sub(offset).clamp(1, limit.max(1));
            let start = self.raw_count.saturating_sub(self.raw_for(rows));
            (start, Some(total))
        } else {
            let at = (offset as f64 / self.ratio()) as u64;
            (at.min(self.raw_count.saturating_sub(1)), None)
        };
        let at = self
            .segments
            .partition_point(|s| s.raw_start <= raw_start)
            .max(1);
        let floor = self.segments[at - 1].raw_end;
        if raw_start <= floor || (to_end && raw_start <= last_end) {
            // Overlaps what is read: read on from there instead.
            return if to_end {
                self.segments.len() - 1
            } else {
                at - 1
            };
        }
        let island = Segment {
            raw_start,
            raw_end: raw_start,
            first_row: offset,
            end_anchor,
            ..Segment::default()
        };
        self.segments.insert(at, island);
        at
    }

    /// Folds in the raw matches `offset..` that [`LazyRows::need`] asked for.
    pub fn absorb(&mut self, offset: u64, page: Vec<Activity>) {
        let i = self.serving;
        let got = page.len() as u64;
        let count = self.raw_count;
        let s = &mut self.segments[i];
        if s.raw_end == s.raw_start {
            s.raw_start = offset;
            s.raw_end = offset;
        }
        let asked_back = offset < s.raw_start;
        s.absorb(page);
        if asked_back {
            s.raw_start = offset;
        } else {
            s.raw_end = (offset + got).max(s.raw_end);
            if got == 0 {
                // Fewer matches than counted: the end is here.
                self.raw_count = s.raw_end.min(count);
            }
        }
        self.join_and_settle();
    }

    pub fn add_parents(&mut self, parents: Vec<Activity>) {
        let s = &mut self.segments[self.serving];
        for p in parents {
            s.wanted.remove(&p.id);
            s.records.entry(p.id).or_insert(p);
        }
        // A parent that no longer exists is not asked for again.
        s.wanted.clear();
        self.join_and_settle();
    }

    /// Joins segments whose raw runs meet, settles each and keeps row
    /// numbers increasing.
    fn join_and_settle(&mut self) {
        let mut i = 1;
        while i < self.segments.len() {
            if self.segments[i - 1].raw_end >= self.segments[i].raw_start {
                let later = self.segments.remove(i);
                let earlier = &mut self.segments[i - 1];
                earlier.merge(later);
                if self.serving >= i {
                    self.serving = self.serving.saturating_sub(1);
                }
            } else {
                i += 1;
            }
        }
        let count = self.raw_count;
        let mut floor = 0;
        for (i, s) in self.segments.iter_mut().enumerate() {
            if i == 0 {
                s.end_anchor = None;
                s.first_row = 0;
            }
            s.settle(s.raw_end >= count);
            if i > 0 && s.first_row < floor {
                // The estimate was short: move the island down.
                if let Some(end) = &mut s.end_anchor {
                    *end += floor - s.first_row;
                }
                s.first_row = floor;
            }
            // At least the row of an island's first creation time lies between.
            floor = s.end_row() + 1;
        }
    }

    /// The rows `offset..offset + limit` the last [`LazyRows::need`] made ready.
    pub fn page(&self, offset: u64, limit: u64) -> RowPage {
        let s = &self.segments[self.serving];
        // `need` made the segment reach `offset`: its rows start there.
        let from = offset.saturating_sub(s.first_row) as usize;
        let results: Vec<Activity> = s
            .shown
            .iter()
            .skip(from)
            .take(limit as usize)
            .filter_map(|id| s.records.get(id).cloned())
            .collect();
        let matching_children: BTreeMap<u64, u64> = results
            .iter()
            .filter(|a| !s.itself.contains(&a.id))
            .filter_map(|a| Some((a.id, *s.children.get(&a.id)?)))
            .collect();
        RowPage {
            rows: Page {
                count: self.total_rows(),
                results,
                next: None,
                previous: None,
                count_is_lower_bound: false,
            },
            activity_count: self.raw_count,
            matching_children,
            rows_estimated: !self.exact(),
            servers: Vec::new(),
        }
    }

    /// Records refreshed (statuses move until final): replaced where held.
    pub fn refresh_records(&mut self, fresh: Vec<Activity>) {
        for a in fresh {
            for s in &mut self.segments {
                if let Some(old) = s.records.get_mut(&a.id) {
                    *old = a.clone();
                }
            }
        }
    }

    /// Ids of the records in `page` whose status can still change.
    pub fn unsettled(page: &RowPage) -> Vec<u64> {
        page.rows
            .results
            .iter()
            .filter(|a| !a.is_final())
            .map(|a| a.id)
            .collect()
    }

    /// Raw matches newer than all that were read: `new` came first in a
    /// fresh first page, before the first id already known. Everything
    /// read moves down by as many.
    pub fn prepend(&mut self, new: Vec<Activity>) {
        let n = new.len() as u64;
        self.raw_count += n;
        for s in &mut self.segments[1..] {
            s.raw_start += n;
            s.raw_end += n;
        }
        let serving = self.serving;
        self.serving = 0;
        let head = &mut self.segments[0];
        head.absorb(new);
        head.raw_end += n;
        self.serving = serving;
        self.join_and_settle();
    }

    /// Whether `id` is a raw match already read.
    pub fn knows(&self, id: u64) -> bool {
        self.segments.iter().any(|s| s.raw.contains_key(&id))
    }
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
            Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
                + chrono::Duration::seconds(second.into()),
        );
        a.parent_id = parent.into();
        a
    }

    /// Answers a request as the client does, from `raw` (the matches,
    /// newest first) and `all` (every activity, for parents by id); with
    /// the requests a client would have sent for it (parents 100 a time).
    fn answer_counted(
        lazy: &mut LazyRows,
        raw: &[Activity],
        all: &[Activity],
        offset: u64,
        limit: u64,
    ) -> (RowPage, usize) {
        let mut requests = 0;
        for _ in 0..10_000 {
            match lazy.need(offset, limit) {
                Need::Raw { offset, limit } => {
                    requests += 1;
                    let page = raw
                        .iter()
                        .skip(offset as usize)
                        .take(limit as usize)
                        .cloned()
                        .collect();
                    lazy.absorb(offset, page);
                }
                Need::Parents(ids) => {
                    requests += ids.len().div_ceil(100);
                    let ids: HashSet<u64> = ids.into_iter().collect();
                    let found = all
                        .iter()
                        .filter(|a| ids.contains(&a.id))
                        .cloned()
                        .collect();
                    lazy.add_parents(found);
                }
                Need::Ready => return (lazy.page(offset, limit), requests),
            }
        }
        panic!("the fold did not finish");
    }

    fn answer(
        lazy: &mut LazyRows,
        raw: &[Activity],
        all: &[Activity],
        offset: u64,
        limit: u64,
    ) -> RowPage {
        answer_counted(lazy, raw, all, offset, limit).0
    }

    #[test]
    fn children_fold_into_parents_once_and_rows_sort_newest_first() {
        // Group 10 at second 9 with children 11..13; standalone 20 at 5.
        let all = vec![
            activity(13, Some(10), 9),
            activity(12, Some(10), 9),
            activity(11, Some(10), 9),
            activity(10, None, 9),
            activity(20, None, 5),
        ];
        // Only the children and 20 match.
        let raw: Vec<Activity> = all.iter().filter(|a| a.id != 10).cloned().collect();
        let mut lazy = LazyRows::new("q", raw.len() as u64);
        let page = answer(&mut lazy, &raw, &all, 0, 10);
        let ids: Vec<u64> = page.rows.results.iter().map(|a| a.id).collect();
        assert_eq!(ids, vec![10, 20]);
        assert_eq!(page.rows.count, 2);
        assert!(!page.rows_estimated);
        assert_eq!(page.activity_count, 4);
        assert_eq!(page.matching(10), Some(3));
        assert_eq!(answer(&mut lazy, &raw, &all, 1, 10).rows.results[0].id, 20);
        assert!(answer(&mut lazy, &raw, &all, 5, 10).rows.results.is_empty());
    }

    /// An account as Landscape makes one: requests at random seconds,
    /// each a standalone activity or a group whose children share its
    /// time and follow its id; and which of them a query matches.
    fn account(spec: &[(u32, u8, u8)]) -> (Vec<Activity>, Vec<Activity>) {
        let mut all = Vec::new();
        let mut id = 1;
        for &(second, children, pick) in spec {
            let parent = id;
            all.push(activity(parent, None, second));
            id += 1;
            for _ in 0..children % 6 {
                all.push(activity(id, Some(parent), second));
                id += 1;
            }
            // Which match: a different pattern per request.
            let _ = pick;
        }
        all.sort_by_key(|a| std::cmp::Reverse(key(a)));
        let raw = all
            .iter()
            .filter(|a| {
                let pick = spec[(a.parent().unwrap_or(a.id) as usize) % spec.len()].2;
                (a.id + u64::from(pick)) % 3 != 0
            })
            .cloned()
            .collect();
        (all, raw)
    }

    /// The rows, in order, with their matching-children counts, as the
    /// engine makes them from all matches at once.
    fn expected(all: &[Activity], raw: &[Activity]) -> Vec<(u64, Option<u64>)> {
        let mut itself = HashSet::new();
        let mut children: HashMap<u64, u64> = HashMap::new();
        for a in raw {
            match a.parent() {
                None => {
                    itself.insert(a.id);
                }
                Some(p) => *children.entry(p).or_default() += 1,
            }
        }
        all.iter()
            .filter(|a| a.parent().is_none())
            .filter(|a| itself.contains(&a.id) || children.contains_key(&a.id))
            .map(|a| {
                let partial = (!itself.contains(&a.id)).then(|| children[&a.id]);
                (a.id, partial)
            })
            .collect()
    }

    fn rows_of(page: &RowPage) -> Vec<(u64, Option<u64>)> {
        page.rows
            .results
            .iter()
            .map(|a| (a.id, page.matching(a.id)))
            .collect()
    }

    /// Requests a client would send to answer one page.
    fn reads(
        lazy: &mut LazyRows,
        raw: &[Activity],
        all: &[Activity],
        offset: u64,
        limit: u64,
    ) -> usize {
        answer_counted(lazy, raw, all, offset, limit).1
    }

    #[test]
    fn a_page_costs_a_page_not_the_account() {
        // Three requests a second, over most of a day.
        let spec: Vec<(u32, u8, u8)> = (0..60_000u32)
            .map(|i| (i / 3, (i % 7) as u8, (i % 5) as u8))
            .collect();
        let (all, raw) = account(&spec);
        assert!(raw.len() > 100_000, "{}", raw.len());
        let mut lazy = LazyRows::new("q", raw.len() as u64);
        let first = reads(&mut lazy, &raw, &all, 0, 400);
        assert!(first <= 4, "the first screen: {first} reads");
        let total = lazy.total_rows();
        assert!(lazy.page(0, 1).rows_estimated);
        let g = reads(&mut lazy, &raw, &all, total - 200, 400);
        assert!(g <= 4, "G: {g} reads");
        let mid = reads(&mut lazy, &raw, &all, total / 2, 400);
        assert!(mid <= 4, "a jump to the middle: {mid} reads");
        // Paging on from there reads on, a little at a time.
        let on = reads(&mut lazy, &raw, &all, total / 2 + 400, 400);
        assert!(on <= 3, "the next page: {on} reads");
        assert!(
            lazy.raw_read() < 10_000,
            "{} of {} read",
            lazy.raw_read(),
            raw.len()
        );
    }

    /// Groups whose children alone match (per-computer work): far
    /// fewer rows than matches, each row's record read as a parent.
    fn children_account(groups: u32) -> (Vec<Activity>, Vec<Activity>) {
        let spec: Vec<(u32, u8, u8)> = (0..groups).map(|i| (i / 2, 3 + (i % 3) as u8, 0)).collect();
        let (all, _) = account(&spec);
        let raw = all
            .iter()
            .filter(|a| a.parent().is_some())
            .cloned()
            .collect();
        (all, raw)
    }

    #[test]
    fn far_rows_over_children_cost_the_same_at_any_size() {
        let mut costs = Vec::new();
        for groups in [10_000, 80_000] {
            let (all, raw) = children_account(groups);
            let want = expected(&all, &raw);
            let mut lazy = LazyRows::new("q", raw.len() as u64);
            reads(&mut lazy, &raw, &all, 0, 400);
            let total = lazy.total_rows();
            let (end, g) = answer_counted(&mut lazy, &raw, &all, total - 200, 400);
            let tail = rows_of(&end);
            assert_eq!(
                tail,
                want[want.len() - tail.len()..],
                "{groups}: the last rows"
            );
            let (middle, jump) = answer_counted(&mut lazy, &raw, &all, total / 2, 400);
            let run = rows_of(&middle);
            let at = want.iter().position(|r| Some(r) == run.first()).unwrap();
            assert_eq!(run, want[at..at + run.len()], "{groups}: the middle rows");
            assert!(run.len() >= 300, "{groups}: {} middle rows", run.len());
            // The rows said are near the rows there are.
            assert!(end.rows.count.abs_diff(want.len() as u64) * 20 <= want.len() as u64);
            costs.push((g, jump));
        }
        assert!(costs[0].0 <= 5 && costs[0].1 <= 8, "{costs:?}");
        assert_eq!(
            costs[0], costs[1],
            "the same reads at 10,000 and 80,000 groups"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(200))]

        /// Read from the top, page by page, the rows are exactly the
        /// engine's; a jump anywhere (or to the end) answers a run of
        /// them, exact but for the row numbers; and once everything is
        /// read the count is exact.
        #[test]
        fn lazy_rows_are_the_engines_rows(
            spec in proptest::collection::vec((0u32..50, 0u8..=255, 0u8..=255), 1..400),
            page_size in 1u64..60,
            jump in 0.0f64..1.2,
        ) {
            let (all, raw) = account(&spec);
            let want = expected(&all, &raw);
            // A jump first: an island where the row should be.
            let mut lazy = LazyRows::new("q", raw.len() as u64);
            let first = answer(&mut lazy, &raw, &all, 0, page_size);
            let total = first.rows.count;
            let at = (total as f64 * jump) as u64;
            let island = rows_of(&answer(&mut lazy, &raw, &all, at, page_size));
            if let Some(start) = want.iter().position(|r| island.first() == Some(r)) {
                proptest::prop_assert_eq!(&want[start..start + island.len()], &island[..]);
            } else {
                proptest::prop_assert!(island.is_empty() || at == 0, "island rows {:?} not among the rows", island);
            }
            // Then from the top to the end.
            let mut seen = Vec::new();
            let mut offset = 0;
            loop {
                let page = answer(&mut lazy, &raw, &all, offset, page_size);
                if page.rows.results.is_empty() {
                    proptest::prop_assert!(!page.rows_estimated);
                    proptest::prop_assert_eq!(page.rows.count, want.len() as u64);
                    break;
                }
                offset += page.rows.results.len() as u64;
                seen.extend(rows_of(&page));
                proptest::prop_assert!(seen.len() <= want.len() + 1, "more rows than there are");
            }
            proptest::prop_assert_eq!(&seen, &want);
            proptest::prop_assert_eq!(lazy.raw_read(), raw.len() as u64);
        }

        /// `G` first: the last rows are the engine's last rows.
        #[test]
        fn the_end_answers_the_last_rows(
            spec in proptest::collection::vec((0u32..50, 0u8..=255, 0u8..=255), 1..600),
            page_size in 1u64..60,
        ) {
            let (all, raw) = account(&spec);
            let want = expected(&all, &raw);
            let mut lazy = LazyRows::new("q", raw.len() as u64);
            let total = answer(&mut lazy, &raw, &all, 0, 1).rows.count;
            // As the dashboard does: ask at the end it knows, then again
            // at the end the answer says (an estimate may have moved it).
            let mut asked = total;
            let mut end = answer(&mut lazy, &raw, &all, asked.saturating_sub(page_size), page_size);
            let mut asks = 1;
            while end.rows.count != asked {
                asked = end.rows.count;
                end = answer(&mut lazy, &raw, &all, asked.saturating_sub(page_size), page_size);
                asks += 1;
                proptest::prop_assert!(asks <= 3, "the end keeps moving");
            }
            let tail = rows_of(&end);
            proptest::prop_assert!(!tail.is_empty() || want.is_empty());
            proptest::prop_assert_eq!(&want[want.len() - tail.len()..], &tail[..]);
            // The row count is where the rows end.
            let beyond = answer(&mut lazy, &raw, &all, end.rows.count, page_size);
            proptest::prop_assert!(beyond.rows.results.is_empty());
        }
    }
}
