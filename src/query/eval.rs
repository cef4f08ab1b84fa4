//! Evaluating a query against activities. A [`Matcher`] is built once per
//! query: it resolves each `computer:` term to the set of matching computer
//! ids and orders the AND groups cheapest first, so matching one activity is
//! a few comparisons and a bit lookup.

use super::computer_match::{CompiledTerm, ComputerLookup, ComputerSet, WordFinder};
use chrono::{DateTime, Utc};

use super::ast::{ComputerTermKind, Query, TermKind};
use super::columns::{Columns, status_code};
use super::row_set::RowSet;
use crate::model::{Activity, ActivityStatus};

/// A query ready to test activities.
#[derive(Debug, Clone)]
pub struct Matcher {
    all: Vec<Group>,
}

/// One AND operand; most are a single clause, so that case has no inner loop.
#[derive(Debug, Clone)]
enum Group {
    One(bool, Predicate),
    Any(Vec<(bool, Predicate)>),
}

impl Group {
    fn cost(&self) -> u8 {
        match self {
            Group::One(_, p) => p.cost(),
            Group::Any(ps) => ps.iter().map(|(_, p)| p.cost()).max().unwrap_or(0),
        }
    }
}

#[derive(Debug, Clone)]
enum Predicate {
    Id(u64),
    ParentId(u64),
    /// The status and its packed code.
    Status(ActivityStatus, u8),
    /// The instant, and the same in Unix seconds for the packed test.
    After(DateTime<Utc>, i64),
    Before(DateTime<Utc>, i64),
    /// The lower-case email, and its number in the store's columns.
    Creator(String, Numbered<u32>),
    /// The name, and its number in the store's columns.
    Type(String, Numbered<u16>),
    /// The computers' ids, and the same as a set of the store's numbers.
    Computers(ComputerSet, Option<Bits>),
    /// The word, and which of the store's distinct summaries contain it.
    Word(WordFinder, Option<Bits>),
}

/// What a store's numbering says of a creator or a type.
#[derive(Debug, Clone, Copy)]
enum Numbered<T> {
    /// No columns (or no number to tell it by): test the record.
    Unknown,
    Is(T),
    /// No activity has it.
    Nobody,
}

/// A set of small numbers, a byte each: a test is one load, no shift,
/// and numbers past the end (the "none" markers) read the last, false.
#[derive(Debug, Clone)]
struct Bits(Vec<bool>);

impl Bits {
    fn of(flags: impl Iterator<Item = bool>) -> Bits {
        let mut on: Vec<bool> = flags.collect();
        on.push(false);
        Bits(on)
    }

    #[inline]
    fn contains(&self, n: u32) -> bool {
        self.0[(n as usize).min(self.0.len() - 1)]
    }

    /// The numbers in the set.
    fn members(&self) -> impl Iterator<Item = u32> + Clone + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, on)| **on)
            .map(|(n, _)| n as u32)
    }
}

/// Narrows `rows` to the union of some numbers' row lists when those lists
/// are shorter than the rows still in (reading a list is cheaper than
/// testing a row); hands `rows` back untouched when testing row by row is
/// cheaper.
fn by_postings<'a>(
    mut rows: RowSet,
    negated: bool,
    lists: impl Iterator<Item = &'a [u32]> + Clone,
) -> Result<RowSet, RowSet> {
    let still_in = rows.count();
    let listed: usize = lists.clone().map(<[u32]>::len).sum();
    if listed >= still_in {
        return Err(rows);
    }
    let mut union = RowSet::empty(rows.universe());
    for list in lists {
        union.add_all(list);
    }
    // The first term of a query narrows every row: the union is the answer.
    if !negated && still_in == rows.universe() {
        return Ok(union);
    }
    rows.intersect(&union, negated);
    Ok(rows)
}

impl Predicate {
    /// A rough cost, to test cheap predicates first.
    fn cost(&self) -> u8 {
        match self {
            Predicate::Id(_)
            | Predicate::ParentId(_)
            | Predicate::After(..)
            | Predicate::Before(..) => 0,
            Predicate::Status(..) => 1,
            Predicate::Type(_, Numbered::Is(n)) if *n < Columns::INDEXED_KINDS => 1,
            Predicate::Computers(..) => 2,
            Predicate::Type(..) => 3,
            Predicate::Creator(..) => 4,
            Predicate::Word(..) => 5,
        }
    }

    fn test(&self, a: &Activity) -> bool {
        match self {
            Predicate::Id(id) => a.id == *id,
            Predicate::ParentId(id) => a.parent_id.copied() == Some(*id),
            Predicate::Status(s, _) => a.activity_status.get() == Some(s),
            Predicate::After(t, _) => a.creation_time >= *t,
            Predicate::Before(t, _) => a.creation_time < *t,
            Predicate::Creator(email, _) => a.creator_email().is_some_and(|e| {
                if email.is_ascii() {
                    e.eq_ignore_ascii_case(email)
                } else {
                    e.to_lowercase() == *email
                }
            }),
            Predicate::Type(t, _) => *a.activity_type == **t,
            Predicate::Computers(set, _) => {
                a.computer_id.copied().is_some_and(|id| set.contains(id))
            }
            Predicate::Word(w, _) => w.found_in(&a.summary),
        }
    }
}

impl Query {
    /// Prepares this query for matching, reading computers once.
    pub fn matcher(&self, computers: &dyn ComputerLookup) -> Matcher {
        let mut all: Vec<Group> = self
            .all
            .iter()
            .map(|group| {
                let mut clauses: Vec<(bool, Predicate)> = group
                    .any
                    .iter()
                    .map(|clause| (clause.negated, predicate(&clause.term.kind, computers)))
                    .collect();
                if clauses.len() == 1 {
                    let (negated, p) = clauses.remove(0);
                    Group::One(negated, p)
                } else {
                    Group::Any(clauses)
                }
            })
            .collect();
        // AND is commutative and predicates have no effects: cheap ones first.
        all.sort_by_key(Group::cost);
        Matcher { all }
    }
}

fn predicate(kind: &TermKind, computers: &dyn ComputerLookup) -> Predicate {
    let columns = computers.columns();
    match kind {
        TermKind::Id(id) => Predicate::Id(*id),
        TermKind::ParentId(id) => Predicate::ParentId(*id),
        TermKind::Status(s) => Predicate::Status(s.clone(), status_code(s)),
        TermKind::CreatedAfter(d) => Predicate::After(d.start, d.start.timestamp()),
        TermKind::CreatedBefore(d) => Predicate::Before(d.start, d.start.timestamp()),
        TermKind::Creator(e) => {
            let email = e.to_lowercase();
            let number = match columns {
                None => Numbered::Unknown,
                Some(c) => c.creator_id(&email).map_or(Numbered::Nobody, Numbered::Is),
            };
            Predicate::Creator(email, number)
        }
        TermKind::Type(t) => {
            let number = match columns.map(|c| c.kind_id(t)) {
                None | Some(Some(Columns::SHARED_KIND)) => Numbered::Unknown,
                Some(Some(n)) => Numbered::Is(n),
                Some(None) => Numbered::Nobody,
            };
            Predicate::Type(t.clone(), number)
        }
        TermKind::Computer(term) => {
            let indexed = match &term.kind {
                ComputerTermKind::Tag(t) => computers.tagged(t),
                _ => None,
            };
            let ids = match indexed {
                Some(ids) => ids.to_vec(),
                None => {
                    let mut ids = Vec::new();
                    let compiled = CompiledTerm::new(&term.kind);
                    computers.for_each_computer(&mut |c| {
                        if compiled.matches(c) {
                            ids.push(c.id);
                        }
                    });
                    ids
                }
            };
            // Numbered the store's way, a row's test is one bit in a small set.
            let numbered = columns.map(|c| {
                let mut on = vec![false; c.computer_count()];
                for n in ids.iter().filter_map(|id| c.computer_id(*id)) {
                    on[n as usize] = true;
                }
                Bits::of(on.into_iter())
            });
            Predicate::Computers(ComputerSet::new(ids), numbered)
        }
        TermKind::Word(w) => {
            let finder = WordFinder::new(w);
            // Each distinct summary is tried once, not once per activity,
            // and all of them in one search when the word allows it.
            let hits = columns.map(|c| {
                let (text, starts) = c.summary_text();
                match finder.found_in_each(text, starts, Columns::SUMMARY_END) {
                    Some(found) => Bits::of(found.into_iter()),
                    None => Bits::of(c.summaries().iter().map(|s| finder.found_in(s))),
                }
            });
            Predicate::Word(finder, hits)
        }
    }
}

impl Matcher {
    pub fn matches(&self, activity: &Activity) -> bool {
        self.all.iter().all(|group| match group {
            Group::One(negated, p) => p.test(activity) != *negated,
            Group::Any(ps) => ps.iter().any(|(negated, p)| p.test(activity) != *negated),
        })
    }

    /// True for the empty query.
    pub fn matches_everything(&self) -> bool {
        self.all.is_empty()
    }
}

impl Predicate {
    /// Tests row `i` from the columns, reading the record only where they
    /// cannot say.
    fn test_at(&self, c: &Columns, i: usize, full: &Activity) -> bool {
        match self {
            Predicate::Id(id) => c.id[i] == *id,
            Predicate::ParentId(id) => c.parent[i] == *id && *id != Columns::NONE,
            Predicate::Status(_, Columns::OTHER) => self.test_record(full),
            Predicate::Status(_, code) => c.status[i] == *code,
            // Query dates are whole seconds, so whole-second creation times decide exactly.
            Predicate::After(_, secs) => c.created[i] >= *secs,
            Predicate::Before(_, secs) => c.created[i] < *secs,
            Predicate::Type(_, Numbered::Is(n)) => c.kind[i] == *n,
            Predicate::Type(_, Numbered::Nobody) => false,
            Predicate::Type(_, Numbered::Unknown) => self.test_record(full),
            Predicate::Computers(_, Some(numbers)) => numbers.contains(c.computer[i]),
            Predicate::Computers(_, None) => self.test_record(full),
            Predicate::Creator(_, Numbered::Is(n)) => c.creator[i] == *n,
            Predicate::Creator(_, Numbered::Nobody) => false,
            Predicate::Word(_, Some(hits)) => hits.contains(c.summary[i]),
            Predicate::Creator(_, Numbered::Unknown) | Predicate::Word(_, None) => {
                self.test_record(full)
            }
        }
    }

    /// Kept out of line so the compiler cannot hoist loads from the record
    /// above the column tests (that was a cache miss per activity).
    #[inline(never)]
    fn test_record(&self, full: &Activity) -> bool {
        self.test(full)
    }
}

impl Matcher {
    /// Whether the query is exactly `type:<name>`, which stores may answer
    /// from a list they keep.
    pub fn is_only_type(&self, name: &str) -> bool {
        matches!(self.all.as_slice(), [Group::One(false, Predicate::Type(t, _))] if t == name)
    }

    /// Same answer as [`Matcher::matches`] on `full`, reading the columns first.
    pub fn matches_at(&self, columns: &Columns, i: usize, full: &Activity) -> bool {
        self.all.iter().all(|group| group.test_at(columns, i, full))
    }

    /// For a query of one term that the columns list rows for (a bare word,
    /// `computer:`, `creator:`): those row lists, ascending and disjoint,
    /// so a count is their lengths and a page their tails.
    pub fn row_lists<'c>(&self, c: &'c Columns) -> Option<Vec<&'c [u32]>> {
        let [Group::One(false, predicate)] = self.all.as_slice() else {
            return None;
        };
        Some(match predicate {
            Predicate::Word(_, Some(words)) => {
                words.members().map(|n| c.rows_of_summary(n)).collect()
            }
            Predicate::Computers(_, Some(numbers)) => {
                numbers.members().map(|n| c.rows_of_computer(n)).collect()
            }
            Predicate::Creator(_, Numbered::Is(n)) => vec![c.rows_of_creator(*n)],
            _ => return None,
        })
    }

    /// Indices (ascending) of the activities that match.
    pub fn select(&self, columns: &Columns, full: &[Activity]) -> Vec<usize> {
        self.select_set(columns, full).indices()
    }

    /// The rows that match. Each AND group narrows a set of the rows: a
    /// group the columns decide is tested 64 rows at a time, branch-free,
    /// where many rows are still in, and row by row where few are; one
    /// that must read records reads only the rows still in.
    pub fn select_set(&self, columns: &Columns, full: &[Activity]) -> RowSet {
        match self.select_within(columns, full, u64::MAX, &|| false) {
            Ok(rows) => rows,
            // A budget of every test there is cannot run out.
            Err(_) => RowSet::empty(columns.len().min(full.len())),
        }
    }

    /// [`Matcher::select_set`] within a budget of row tests (a column
    /// compare is one, a record read [`RECORD_TEST`]), counted group by
    /// group over the rows still in before each runs: a query whose work
    /// would pass `budget` stops before doing it, whatever its length.
    /// `stop` is asked every few thousand records read (a request's time
    /// ran out): once it says so the work ends there, unfinished.
    pub fn select_within(
        &self,
        columns: &Columns,
        full: &[Activity],
        budget: u64,
        stop: &dyn Fn() -> bool,
    ) -> Result<RowSet, NotDone> {
        let n = columns.len().min(full.len());
        let mut rows = RowSet::all(n);
        let mut spent = 0u64;
        for group in &self.all {
            let tests = group.tests_per_row().saturating_mul(rows.count() as u64);
            spent = spent.saturating_add(tests);
            if spent > budget {
                return Err(NotDone::OverBudget(OverBudget {
                    tests: spent,
                    limit: budget,
                    rows: n,
                }));
            }
            rows = narrow(group, rows, columns, full, stop);
            // A narrowing cut short leaves rows no answer may use.
            if stop() {
                return Err(NotDone::Stopped);
            }
        }
        Ok(rows)
    }
}

/// Row tests a term costs when the record must be read (a cache miss and
/// a string compare) against one for a packed column.
pub const RECORD_TEST: u64 = 16;

/// Why [`Matcher::select_within`] gave no rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotDone {
    OverBudget(OverBudget),
    /// Asked to stop (its request's time ran out) before it finished.
    Stopped,
}

/// A query that would cost more row tests than allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverBudget {
    /// Tests counted when it stopped (at least this many).
    pub tests: u64,
    pub limit: u64,
    /// Activities it would have tested.
    pub rows: usize,
}

/// Keeps the rows of `rows` that `group` lets through.
fn narrow(
    group: &Group,
    mut rows: RowSet,
    c: &Columns,
    full: &[Activity],
    stop: &dyn Fn() -> bool,
) -> RowSet {
    if !group.columns_decide() {
        // Records are read: only for the rows still in.
        for (k, word) in rows.words_mut().iter_mut().enumerate() {
            if k.is_multiple_of(STOP_CHECK_WORDS) && stop() {
                break;
            }
            let mut w = *word;
            while w != 0 {
                let bit = w.trailing_zeros() as usize;
                let i = k * 64 + bit;
                if !group.test_at(c, i, &full[i]) {
                    *word &= !(1u64 << bit);
                }
                w &= w - 1;
            }
        }
        return rows;
    }
    let Group::One(negated, pred) = group else {
        if let Some((ids, parents)) = group.id_sets() {
            // `id:a OR parent-id:b OR …` (a pick, a plan's group chunk):
            // one set lookup a row, not a compare per term.
            return keep(rows, false, |i| {
                ids.contains(&c.id[i])
                    || (c.parent[i] != Columns::NONE && parents.contains(&c.parent[i]))
            });
        }
        return keep_reading(rows, false, |i| group.test_at(c, i, &full[i]), stop);
    };
    let negated = *negated;
    // One loop per kind of test, so each compiles to a tight pass over a column.
    match pred {
        Predicate::Id(id) => keep_equal(rows, negated, &c.id, *id),
        Predicate::ParentId(id) => keep_equal(rows, negated, &c.parent, *id),
        Predicate::After(_, secs) => match c.created_before_row(*secs) {
            Some(first) => kept(rows, |r| r.keep_range(first..usize::MAX, negated)),
            None => keep(rows, negated, |i| c.created[i] >= *secs),
        },
        Predicate::Before(_, secs) => match c.created_before_row(*secs) {
            Some(end) => kept(rows, |r| r.keep_range(0..end, negated)),
            None => keep(rows, negated, |i| c.created[i] < *secs),
        },
        Predicate::Status(_, code) => match c.rows_with_status(*code) {
            Some(set) => kept(rows, |r| r.intersect(set, negated)),
            None => keep_equal(rows, negated, &c.status, *code),
        },
        Predicate::Type(_, Numbered::Is(id)) => match c.rows_of_kind(*id) {
            Some(set) => kept(rows, |r| r.intersect(set, negated)),
            None => keep_equal(rows, negated, &c.kind, *id),
        },
        Predicate::Computers(_, Some(numbers)) => {
            match by_postings(
                rows,
                negated,
                numbers.members().map(|n| c.rows_of_computer(n)),
            ) {
                Ok(narrowed) => narrowed,
                Err(rows) => keep(rows, negated, |i| numbers.contains(c.computer[i])),
            }
        }
        Predicate::Creator(_, Numbered::Is(id)) => {
            match by_postings(rows, negated, std::iter::once(c.rows_of_creator(*id))) {
                Ok(narrowed) => narrowed,
                Err(rows) => keep_equal(rows, negated, &c.creator, *id),
            }
        }
        Predicate::Word(_, Some(words)) => {
            match by_postings(rows, negated, words.members().map(|n| c.rows_of_summary(n))) {
                Ok(narrowed) => narrowed,
                Err(rows) => keep(rows, negated, |i| words.contains(c.summary[i])),
            }
        }
        _ => keep_reading(rows, negated, |i| pred.test_at(c, i, &full[i]), stop),
    }
}

fn kept(mut rows: RowSet, narrow: impl FnOnce(&mut RowSet)) -> RowSet {
    narrow(&mut rows);
    rows
}

/// Keeps the rows whose value in `column` equals `value` (or, negated,
/// does not): a slice compare per 64 rows, which the compiler turns into
/// vector instructions.
fn keep_equal<T: Copy + PartialEq>(
    mut rows: RowSet,
    negated: bool,
    column: &[T],
    value: T,
) -> RowSet {
    for (word, chunk) in rows.words_mut().iter_mut().zip(column.chunks(64)) {
        if *word == 0 {
            continue;
        }
        if word.count_ones() <= SPARSE_WORD {
            *word = keep_bits(*word, |j| (chunk[j] == value) != negated);
            continue;
        }
        let mut bits = 0u64;
        for (j, v) in chunk.iter().enumerate() {
            bits |= u64::from(*v == value) << j;
        }
        *word &= if negated { !bits } else { bits };
    }
    rows
}

/// A word with at most this many rows still in tests only those rows;
/// above it, all 64 branch-free (measured: a row-by-row test costs about
/// twice a branch-free one).
const SPARSE_WORD: u32 = 32;

/// The bits of `word` for which `test(bit)` holds.
fn keep_bits(word: u64, mut test: impl FnMut(usize) -> bool) -> u64 {
    let mut w = word;
    let mut out = word;
    while w != 0 {
        let bit = w.trailing_zeros() as usize;
        if !test(bit) {
            out &= !(1u64 << bit);
        }
        w &= w - 1;
    }
    out
}

/// Keeps the rows for which `test` differs from `negated`, 64 at a time.
/// Words of 64 rows read between two questions to `stop`.
const STOP_CHECK_WORDS: usize = 64;

/// [`keep`] for a test that reads records: asks `stop` every
/// [`STOP_CHECK_WORDS`] words and ends there when told to.
fn keep_reading<F: Fn(usize) -> bool>(
    rows: RowSet,
    negated: bool,
    test: F,
    stop: &dyn Fn() -> bool,
) -> RowSet {
    let mut calls = 0usize;
    let mut stopped = false;
    keep(rows, negated, |i| {
        if stopped {
            return false;
        }
        calls += 1;
        if calls.is_multiple_of(STOP_CHECK_WORDS * 64) && stop() {
            stopped = true;
            return false;
        }
        test(i)
    })
}

fn keep<F: FnMut(usize) -> bool>(mut rows: RowSet, negated: bool, mut test: F) -> RowSet {
    let n = rows.universe();
    for (k, word) in rows.words_mut().iter_mut().enumerate() {
        if *word == 0 {
            continue;
        }
        let base = k * 64;
        if word.count_ones() <= SPARSE_WORD {
            *word = keep_bits(*word, |b| test(base + b) != negated);
            continue;
        }
        let mut bits = 0u64;
        for i in base..(base + 64).min(n) {
            bits |= u64::from(test(i) != negated) << (i - base);
        }
        *word &= bits;
    }
    rows
}

impl Predicate {
    /// Whether the columns alone decide it (no record is read).
    fn columns_decide(&self) -> bool {
        match self {
            Predicate::Status(_, code) => *code != Columns::OTHER,
            Predicate::Creator(_, Numbered::Unknown) | Predicate::Type(_, Numbered::Unknown) => {
                false
            }
            Predicate::Word(_, hits) => hits.is_some(),
            Predicate::Computers(_, numbers) => numbers.is_some(),
            _ => true,
        }
    }
}

/// Above this many `id:` / `parent-id:` terms an OR group is tested by
/// set lookups (below it, comparing each term is as fast).
const ID_SET_TERMS: usize = 8;

impl Group {
    /// For an OR group of only `id:` and `parent-id:` terms (none negated,
    /// more than [`ID_SET_TERMS`]): the ids and the parent ids it names.
    fn id_sets(&self) -> Option<(foldhash::HashSet<u64>, foldhash::HashSet<u64>)> {
        let Group::Any(ps) = self else { return None };
        if ps.len() <= ID_SET_TERMS {
            return None;
        }
        let mut ids = foldhash::HashSet::default();
        let mut parents = foldhash::HashSet::default();
        for (negated, p) in ps {
            match (negated, p) {
                (false, Predicate::Id(id)) => ids.insert(*id),
                (false, Predicate::ParentId(id)) => parents.insert(*id),
                _ => return None,
            };
        }
        Some((ids, parents))
    }

    /// Row tests this group costs each row it is tried on.
    fn tests_per_row(&self) -> u64 {
        let cost = |p: &Predicate| if p.columns_decide() { 1 } else { RECORD_TEST };
        match self {
            Group::One(_, p) => cost(p),
            // One set lookup a row (see `id_sets`).
            Group::Any(ps)
                if ps.len() > ID_SET_TERMS
                    && ps.iter().all(|(negated, p)| {
                        !negated && matches!(p, Predicate::Id(_) | Predicate::ParentId(_))
                    }) =>
            {
                1
            }
            Group::Any(ps) => ps.iter().map(|(_, p)| cost(p)).sum(),
        }
    }

    fn columns_decide(&self) -> bool {
        match self {
            Group::One(_, p) => p.columns_decide(),
            Group::Any(ps) => ps.iter().all(|(_, p)| p.columns_decide()),
        }
    }

    fn test_at(&self, c: &Columns, i: usize, full: &Activity) -> bool {
        match self {
            Group::One(negated, pred) => pred.test_at(c, i, full) != *negated,
            Group::Any(ps) => ps
                .iter()
                .any(|(negated, pred)| pred.test_at(c, i, full) != *negated),
        }
    }
}
