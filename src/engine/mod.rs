//! The embedded Landscape: computers and activities in process, with
//! Landscape's lifecycle rules, actions, a clock that moves activities
//! along, demo data and dataset files. No async, no terminal, no HTTP.

mod actions;
mod checksum;
mod clock;
mod dataset;
mod dataset_reader;
pub mod deadline;
pub mod debarchive;
mod demo;
mod fate;
mod journal_records;
pub mod lifecycle;
mod simulation;
pub mod state;
mod store;

use chrono::{DateTime, Duration, Utc};

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::{Activity, Computer, Creator, Field, ListSort, Page, RowPage, SortColumn};
use crate::query::{
    CompletionValues, KNOWN_TYPES, Matcher, ParseOptions, Query, QueryError, RowSet,
};

pub use crate::model::Selection;
pub use crate::progress::{Progress, Reading};
pub use actions::{ActionError, Done, MAX_CREATED, Prepared};
pub use clock::Clock;
pub use dataset_reader::DatasetError;
pub use demo::DemoOptions;
pub use simulation::Moves;
use store::Store;

/// The engine's whole state. Share it behind a lock: reads take `&self`,
/// actions and the clock `&mut self`, so no reader sees half an action.
#[derive(Debug, Clone)]
pub struct Engine {
    store: Store,
    clock: Clock,
    /// The engine's time as of the last advance; actions happen at it.
    now: DateTime<Utc>,
    seed: u64,
    /// Who reapplies and reverts (the caller of this embedded server).
    pub(crate) user: Arc<Creator>,
    /// The last journal change this state includes (see `state`).
    journal_seq: u64,
    query_budget: u64,
    /// The events log, oldest first, at most [`EVENTS_KEPT`].
    events: Vec<crate::model::event::ServerEvent>,
    /// Saved searches, in the order they were made (`search:NAME`).
    saved_searches: Vec<crate::model::SavedSearch>,
    /// Computers that asked to be registered and wait for acceptance, as
    /// the dataset gives them (`GetPendingComputers`).
    pending_computers: Vec<serde_json::Value>,
}

/// How deep saved searches may name one another.
const SEARCH_DEPTH: usize = 8;

/// Events the engine keeps (the newest): a year of a busy account's
/// actions, a few tens of MB.
pub const EVENTS_KEPT: usize = 100_000;

/// Row tests one query may make before it is refused (a column compare is
/// one, a record read 16): under half a second of one core, so that
/// one request cannot hold the engine for seconds. At a million
/// activities that is 100 `OR`ed column terms, or six that read records.
pub const QUERY_BUDGET: u64 = 100_000_000;

impl Engine {
    /// An engine with `computers` and `activities`, its clock frozen at `now`.
    pub fn new(
        computers: Vec<Computer>,
        activities: Vec<Activity>,
        now: DateTime<Utc>,
        seed: u64,
    ) -> Engine {
        let mut store = Store {
            computers: computers.into_iter().map(|c| (c.id, c)).collect(),
            ..Store::default()
        };
        store.index_computers();
        store.extend(activities);
        let now = clock::whole_seconds(now);
        Engine {
            store,
            clock: Clock::frozen(now),
            now,
            seed,
            user: Arc::new(Creator::new("Landscape Admin", "admin@example.com", 1)),
            journal_seq: 0,
            events: Vec::new(),
            saved_searches: Vec::new(),
            pending_computers: Vec::new(),
            query_budget: QUERY_BUDGET,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Runs the clock at `speed` times wall speed from the engine's now.
    pub fn run_clock(&mut self, speed: f64) {
        self.clock = Clock::running(self.now, speed);
    }

    pub fn freeze_clock(&mut self) {
        self.clock = Clock::frozen(self.now);
    }

    /// Moves the engine to the clock's time. True when anything changed.
    pub fn advance(&mut self) -> bool {
        let to = self.clock.now().max(self.now);
        self.advance_to(to)
    }

    /// Moves the clock by `by`, leaving the engine where it is until it is
    /// moved to the clock's time (see [`Engine::moves_now`]).
    pub fn wind_clock(&mut self, by: Duration) {
        self.clock.step(by);
    }

    /// Steps the clock by `by` and moves the engine along.
    pub fn step(&mut self, by: Duration) -> bool {
        self.clock.step(by);
        self.advance()
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn set_user(&mut self, user: Creator) {
        self.user = Arc::new(user);
    }

    pub fn computers(&self) -> impl Iterator<Item = &Computer> {
        self.store.computers.values()
    }

    /// Computers matching a computer query, by id, `limit` from `offset`.
    pub fn computers_page(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Computer>, QueryError> {
        let parsed = self.computer_query(query)?;
        // Each term is tried on each computer (a string compare or search);
        // a saved search counts as what it expands to.
        let tests = parsed
            .cost()
            .saturating_mul(self.store.computers.len() as u64)
            .saturating_mul(crate::query::RECORD_TEST);
        self.within_budget(query, tests, parsed.cost(), "terms")?;
        let m = parsed.matcher();
        let matching = self.store.computers.values().filter(|c| m.matches(c));
        let mut count = 0u64;
        let mut results = Vec::new();
        for c in matching {
            if count >= offset && (results.len() as u64) < limit {
                results.push(self.with_contact(c));
            }
            count += 1;
        }
        Ok(Page {
            count,
            results,
            next: None,
            previous: None,
            count_is_lower_bound: false,
        })
    }

    /// The computers `ids` that exist, with their last contact.
    pub fn computers_by_id(&self, ids: &[u64]) -> Vec<Computer> {
        ids.iter()
            .filter_map(|id| self.store.computers.get(id))
            .map(|c| self.with_contact(c))
            .collect()
    }

    /// `c` with `last_ping_time` and `last_exchange_time` by the engine's
    /// clock: a computer in touch pings every 30 s and exchanges every
    /// 15 min (each at its own phase); one whose record says when it was
    /// last heard from (an offline one) keeps that.
    pub fn with_contact(&self, c: &Computer) -> Computer {
        let mut c = c.clone();
        if c.extra.contains_key("last_ping_time") || offline(&c) {
            return c;
        }
        let at =
            |t: DateTime<Utc>| serde_json::Value::from(t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        let ping = self.now - Duration::seconds((c.id.wrapping_mul(7) % 30) as i64);
        let exchange = self.now - Duration::seconds((c.id.wrapping_mul(13) % 900) as i64);
        c.extra.insert("last_ping_time".into(), at(ping));
        c.extra.insert("last_exchange_time".into(), at(exchange));
        c
    }

    /// Titles of the computers `ids` that exist.
    pub fn computer_titles(&self, ids: &[u64]) -> HashMap<u64, String> {
        ids.iter()
            .filter_map(|id| Some((*id, self.store.computers.get(id)?.title.clone())))
            .collect()
    }

    pub fn activity_count(&self) -> usize {
        self.store.activities.len()
    }

    /// Refuses `query` when trying its `terms` on every computer (`tests`
    /// in all) is past the query budget.
    fn within_budget(
        &self,
        query: &str,
        tests: u64,
        terms: u64,
        what: &str,
    ) -> Result<(), QueryError> {
        if tests <= self.query_budget {
            return Ok(());
        }
        Err(QueryError::new(
            0..query.len(),
            format!(
                "too costly: {terms} {what} tried on each of {} computers is more than {} tests; split the query",
                crate::printable::thousands(self.store.computers.len() as u64),
                crate::printable::thousands(self.query_budget),
            ),
        ))
    }

    /// The rows `m` (made from `query`) matches, within the query budget.
    fn select(&self, m: &Matcher, query: &str) -> Result<RowSet, QueryError> {
        let s = &self.store;
        m.select_within(
            &s.columns,
            &s.activities,
            self.query_budget,
            &deadline::passed,
        )
        .map_err(|why| match why {
            crate::query::NotDone::OverBudget(over) => QueryError::new(
                0..query.len(),
                format!(
                    "too costly: this query needs more than {} tests over {} activities; narrow it with cheap terms first (status:, type:, created-after:) or split it",
                    crate::printable::thousands(over.limit),
                    crate::printable::thousands(over.rows as u64),
                ),
            ),
            crate::query::NotDone::Stopped => QueryError::new(
                0..query.len(),
                "stopped: the request's time ran out before the query finished; narrow it with cheap terms first (status:, type:, created-after:)",
            ),
        })
    }

    /// Row tests one query may make (see [`QUERY_BUDGET`]).
    pub fn set_query_budget(&mut self, tests: u64) {
        self.query_budget = tests;
    }

    fn matcher(&self, query: &str) -> Result<Matcher, QueryError> {
        let mut parsed: Query = crate::query::parse_with(query, &ParseOptions::default())?.query;
        let mut computer_terms = 0u64;
        for any in &mut parsed.all {
            for clause in &mut any.any {
                if let crate::query::TermKind::Computer(term) = &mut clause.term.kind {
                    self.resolve_term(term, 0)?;
                    // A tag is an index lookup; any other term is tried
                    // on every computer before the activities are read.
                    if !matches!(term.kind, crate::query::ComputerTermKind::Tag(_)) {
                        computer_terms += term.kind.cost();
                    }
                }
            }
        }
        // Counted before anything is built: the budget holds whatever
        // the terms expand to.
        let tests = computer_terms
            .saturating_mul(self.store.computers.len() as u64)
            .saturating_mul(crate::query::RECORD_TEST);
        self.within_budget(query, tests, computer_terms, "computer terms")?;
        Ok(parsed.matcher(&self.store))
    }

    pub fn pending_computers(&self) -> &[serde_json::Value] {
        &self.pending_computers
    }

    pub fn saved_searches(&self) -> &[crate::model::SavedSearch] {
        &self.saved_searches
    }

    /// Saves a search (replacing one of the same name); its query must
    /// parse and name only saved searches there are.
    pub fn save_search(&mut self, search: crate::model::SavedSearch) -> Result<(), QueryError> {
        self.computer_query(&search.search)?;
        match self
            .saved_searches
            .iter_mut()
            .find(|s| s.name == search.name)
        {
            Some(old) => *old = search,
            None => self.saved_searches.push(search),
        }
        Ok(())
    }

    /// A computer query, its `search:` terms resolved.
    fn computer_query(&self, query: &str) -> Result<crate::query::ComputerQuery, QueryError> {
        self.computer_query_at(query, 0)
    }

    fn computer_query_at(
        &self,
        query: &str,
        depth: usize,
    ) -> Result<crate::query::ComputerQuery, QueryError> {
        let mut parsed = crate::query::parse_computer_query(query, &ParseOptions::default())?;
        for any in &mut parsed.all {
            for clause in any {
                self.resolve_term(&mut clause.term, depth)?;
            }
        }
        Ok(parsed)
    }

    /// Fills in a `search:NAME` term with its saved query.
    fn resolve_term(
        &self,
        term: &mut crate::query::ComputerTerm,
        depth: usize,
    ) -> Result<(), QueryError> {
        let crate::query::ComputerTermKind::Search { name, resolved } = &mut term.kind else {
            return Ok(());
        };
        let Some(saved) = self.saved_searches.iter().find(|s| s.name == *name) else {
            let known: Vec<&str> = self
                .saved_searches
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            return Err(QueryError::new(
                term.span.clone(),
                if known.is_empty() {
                    format!("no saved search \"{name}\": none are saved")
                } else {
                    format!(
                        "no saved search \"{name}\"; saved searches: {}",
                        known.join(", ")
                    )
                },
            ));
        };
        if depth >= SEARCH_DEPTH {
            return Err(QueryError::new(
                term.span.clone(),
                format!("saved search \"{name}\" names saved searches in a circle"),
            ));
        }
        let inner = self
            .computer_query_at(&saved.search, depth + 1)
            .map_err(|e| {
                QueryError::new(
                    term.span.clone(),
                    format!("saved search \"{name}\": {}", e.message),
                )
            })?;
        *resolved = Some(Arc::new(inner));
        Ok(())
    }

    /// The record as the REST API returns it: with its `actions` flags.
    pub fn present(&self, a: &Activity) -> Activity {
        let mut out = a.clone();
        out.fill_standard_fields();
        out.actions = Field::Value(if a.is_parent() {
            lifecycle::parent_flags(self.store.children_of(a.id))
        } else {
            lifecycle::flags(a)
        });
        out
    }

    /// Matching activities, newest first, `limit` from `offset`, with the
    /// total count.
    pub fn activities(
        &self,
        query: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Activity>, QueryError> {
        let m = self.matcher(query)?;
        let s = &self.store;
        // The lists kept in order answer in the time of the page.
        if m.matches_everything() {
            return Ok(self.page_of(&s.order, limit, offset));
        }
        if m.is_only_type(crate::model::ACTIVITY_GROUP) {
            return Ok(self.page_of(&s.group_order, limit, offset));
        }
        // One listed term over rows in creation order: counted from the
        // lists' lengths, paged from their tails, no set of rows built
        // (deep pages skip by popcount on the set instead).
        if s.rows_in_order()
            && offset < 10_000
            && let Some(lists) = m.row_lists(&s.columns)
        {
            let count: usize = lists.iter().map(|l| l.len()).sum();
            let (start, end) = window(count, limit, offset);
            return Ok(self.page(newest_of_lists(&lists, start, end).into_iter(), count));
        }
        Ok(self.page_of_hits(&self.select(&m, query)?, limit, offset))
    }

    /// `limit` records of a kept list (oldest first) from `offset` counted
    /// from its newest end, and its length.
    fn page_of(&self, order: &[usize], limit: u64, offset: u64) -> Page<Activity> {
        let (start, end) = window(order.len(), limit, offset);
        let rows = order.iter().rev().skip(start).take(end - start);
        self.page(rows.copied(), order.len())
    }

    fn page(&self, rows: impl Iterator<Item = usize>, count: usize) -> Page<Activity> {
        Page {
            count: count as u64,
            results: rows
                .map(|i| self.present(&self.store.activities[i]))
                .collect(),
            next: None,
            previous: None,
            count_is_lower_bound: false,
        }
    }

    /// The rows of `hits`, newest first, `limit` from `offset`, counted.
    fn page_of_hits(&self, hits: &RowSet, limit: u64, offset: u64) -> Page<Activity> {
        let count = hits.count();
        let (start, end) = window(count, limit, offset);
        self.page(self.newest(hits, count, start, end).into_iter(), count)
    }

    /// The rows of `hits` (`count` of them) from the `start`th newest to
    /// before the `end`th. When rows are in creation order the set is
    /// walked from its top; otherwise by whichever costs less: the kept
    /// order walked until the page is full, or the hits ranked.
    fn newest(&self, hits: &RowSet, count: usize, start: usize, end: usize) -> Vec<usize> {
        let s = &self.store;
        if start == end {
            return Vec::new();
        }
        if s.rows_in_order() {
            return hits.highest(start, end - start);
        }
        // Walking visits about end × n / count rows; ranking sorts count.
        let walk = end.saturating_mul(s.order.len()) / count.max(1);
        if walk <= count.saturating_mul(4) {
            return s
                .order
                .iter()
                .rev()
                .copied()
                .filter(|&i| hits.contains(i))
                .skip(start)
                .take(end - start)
                .collect();
        }
        let mut rows = hits.indices();
        let newest_first = |&i: &usize| std::cmp::Reverse(s.rank[i]);
        if end < rows.len() {
            rows.select_nth_unstable_by_key(end, newest_first);
            rows.truncate(end);
        }
        rows.sort_unstable_by_key(newest_first);
        rows.drain(start..).collect()
    }

    /// `limit` of `rows` from `offset` in `sort`'s order: only the rows up
    /// to the page's end are sorted, the rest only partitioned.
    fn sorted_page(
        &self,
        mut rows: Vec<usize>,
        sort: ListSort,
        limit: u64,
        offset: u64,
    ) -> Page<Activity> {
        let count = rows.len();
        let (start, end) = window(count, limit, offset);
        if start == end {
            return self.page(std::iter::empty(), count);
        }
        let s = &self.store;
        let acts = &s.activities;
        // Summaries compare as their rank among the distinct texts (a few
        // hundred), not as text for every pair of rows.
        let ranks = (sort.column == SortColumn::Summary)
            .then(|| s.columns.summary_ranks(crate::model::caseless));
        let order = |a: &usize, b: &usize| match &ranks {
            Some(r) => {
                let (x, y) = (
                    r[s.columns.summary[*a] as usize],
                    r[s.columns.summary[*b] as usize],
                );
                let key = if sort.descending {
                    y.cmp(&x)
                } else {
                    x.cmp(&y)
                };
                key.then_with(|| sort.compare(&acts[*a], &acts[*b]))
            }
            None => sort.compare(&acts[*a], &acts[*b]),
        };
        if end < count && end > 0 {
            rows.select_nth_unstable_by(end - 1, order);
            rows.truncate(end);
        }
        rows.sort_unstable_by(order);
        rows.truncate(end);
        self.page(rows.drain(start.min(rows.len())..), count)
    }

    /// Top-level activities (parents and standalone) that match, plus every
    /// parent with a matching child; newest first. Counts rows and matching
    /// activities, and how many children match for parents shown only
    /// through some of them.
    pub fn top_level(&self, query: &str, limit: u64, offset: u64) -> Result<RowPage, QueryError> {
        self.top_level_sorted(query, ListSort::default(), limit, offset)
    }

    /// [`Engine::top_level`] in `sort`'s order.
    pub fn top_level_sorted(
        &self,
        query: &str,
        sort: ListSort,
        limit: u64,
        offset: u64,
    ) -> Result<RowPage, QueryError> {
        let m = self.matcher(query)?;
        let s = &self.store;
        if m.matches_everything() {
            let rows = if sort.is_default() {
                self.page_of(&s.top_order, limit, offset)
            } else {
                self.sorted_page(s.top_order.clone(), sort, limit, offset)
            };
            return Ok(RowPage {
                rows,
                activity_count: s.activities.len() as u64,
                matching_children: Default::default(),
                rows_estimated: false,
                servers: Vec::new(),
            });
        }
        let hits = self.select(&m, query)?;
        let mut shown = RowSet::empty(s.activities.len());
        for i in hits.iter() {
            shown.insert(match s.parent_row[i] {
                Store::NO_ROW => i,
                parent => parent,
            });
        }
        let rows = if sort.is_default() {
            self.page_of_hits(&shown, limit, offset)
        } else {
            self.sorted_page(shown.indices(), sort, limit, offset)
        };
        // Only the rows on the page are told how many children match.
        let matching_children = rows
            .results
            .iter()
            .filter_map(|a| {
                let row = s.index(a.id)?;
                if hits.contains(row) {
                    return None;
                }
                let kids = s.children.get(&a.id)?;
                let n = kids.iter().filter(|&&k| hits.contains(k)).count() as u64;
                (n > 0).then_some((a.id, n))
            })
            .collect();
        Ok(RowPage {
            rows,
            activity_count: hits.count() as u64,
            matching_children,
            rows_estimated: false,
            servers: Vec::new(),
        })
    }

    pub fn activity(&self, id: u64) -> Option<Activity> {
        self.store.get(id).map(|a| self.present(a))
    }

    /// A parent's children (newest first); with `query`, the matching ones.
    pub fn children(
        &self,
        parent_id: u64,
        query: Option<&str>,
    ) -> Result<Vec<Activity>, QueryError> {
        let m = match query {
            Some(q) if !q.trim().is_empty() => Some(self.matcher(q)?),
            _ => None,
        };
        let s = &self.store;
        let mut kids: Vec<usize> = s
            .children
            .get(&parent_id)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|&i| {
                m.as_ref()
                    .is_none_or(|m| m.matches_at(&s.columns, i, &s.activities[i]))
            })
            .collect();
        kids.sort_unstable_by_key(|&i| std::cmp::Reverse(s.rank[i]));
        Ok(kids
            .into_iter()
            .map(|i| self.present(&s.activities[i]))
            .collect())
    }

    /// Every type the engine knows (what `GetActivityTypes` answers).
    pub fn activity_types(&self) -> Vec<String> {
        KNOWN_TYPES.iter().map(|t| (*t).to_owned()).collect()
    }

    /// Tags, hostnames, titles, access groups and creators for completion.
    pub fn completion_values(&self) -> CompletionValues {
        let mut v = CompletionValues {
            types: self.activity_types(),
            ..CompletionValues::default()
        };
        for c in self.store.computers.values() {
            v.tags.extend(c.tags.iter().cloned());
            if !c.hostname.is_empty() {
                v.hostnames.push(c.hostname.clone());
            }
            v.titles.push(c.title.clone());
            if !c.access_group.is_empty() {
                v.access_groups.push(c.access_group.clone());
            }
        }
        // Creators of recent activities are the ones an operator searches for.
        for &i in self.store.order.iter().rev().take(20_000) {
            if let Some(e) = self.store.activities[i].creator_email() {
                v.creators.push(e.to_owned());
            }
        }
        for list in [
            &mut v.tags,
            &mut v.hostnames,
            &mut v.titles,
            &mut v.access_groups,
            &mut v.creators,
        ] {
            list.sort();
            list.dedup();
        }
        v
    }
}

/// The positions `start..end` of a page of `limit` from `offset` in a list
/// of `len`.
fn window(len: usize, limit: u64, offset: u64) -> (usize, usize) {
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(len);
    let end = start
        .saturating_add(usize::try_from(limit).unwrap_or(usize::MAX))
        .min(len);
    (start, end)
}

/// Rows `start..end` counted from the highest of disjoint ascending lists:
/// a merge from their ends, a heap entry per list.
fn newest_of_lists(lists: &[&[u32]], start: usize, end: usize) -> Vec<usize> {
    use std::collections::BinaryHeap;
    let mut heap: BinaryHeap<(u32, usize, usize)> = lists
        .iter()
        .enumerate()
        .filter_map(|(k, l)| Some((*l.last()?, k, l.len() - 1)))
        .collect();
    let mut out = Vec::with_capacity(end.saturating_sub(start).min(1024));
    let mut at = 0;
    while at < end {
        let Some((row, k, i)) = heap.pop() else {
            break;
        };
        if at >= start {
            out.push(row as usize);
        }
        at += 1;
        if i > 0 {
            heap.push((lists[k][i - 1], k, i - 1));
        }
    }
    out
}

/// A computer the server has lost touch with: Landscape raises the
/// `computer-offline` alert, and nothing reaches it until it is back.
pub fn offline(c: &Computer) -> bool {
    c.alerts.iter().any(|a| a == "computer-offline")
}
