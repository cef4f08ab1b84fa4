//! Evaluating a query against activities. A [`Matcher`] is built once per
//! query: it resolves each `computer:` term to the set of matching computer
//! ids and orders the AND groups cheapest first, so matching one activity is
//! a few comparisons and a bit lookup.

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use chrono::{DateTime, Utc};

use super::ast::{ComputerTermKind, Query, TermKind};
use crate::model::{Activity, ActivityStatus, Computer};

/// Read access to the computers that `computer:` terms look at.
pub trait ComputerLookup {
    fn computer(&self, id: u64) -> Option<&Computer>;
    fn for_each_computer(&self, f: &mut dyn FnMut(&Computer));
}

impl ComputerLookup for Vec<Computer> {
    fn computer(&self, id: u64) -> Option<&Computer> {
        self.iter().find(|c| c.id == id)
    }

    fn for_each_computer(&self, f: &mut dyn FnMut(&Computer)) {
        self.iter().for_each(f);
    }
}

impl ComputerLookup for std::collections::HashMap<u64, Computer> {
    fn computer(&self, id: u64) -> Option<&Computer> {
        self.get(&id)
    }

    fn for_each_computer(&self, f: &mut dyn FnMut(&Computer)) {
        self.values().for_each(f);
    }
}

impl ComputerLookup for std::collections::BTreeMap<u64, Computer> {
    fn computer(&self, id: u64) -> Option<&Computer> {
        self.get(&id)
    }

    fn for_each_computer(&self, f: &mut dyn FnMut(&Computer)) {
        self.values().for_each(f);
    }
}

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
    Creator(String),
    /// The name and its hash for the packed test.
    Type(String, u32),
    Computers(ComputerSet),
    Word(WordFinder),
}

/// Computer ids as a bitmap when they are small enough, else sorted.
#[derive(Debug, Clone)]
enum ComputerSet {
    Bits(Vec<u64>),
    Sorted(Vec<u64>),
}

/// Ids below this use a bitmap (at most 8 MiB).
const BITMAP_LIMIT: u64 = 1 << 26;

impl ComputerSet {
    fn new(mut ids: Vec<u64>) -> ComputerSet {
        let max = ids.iter().copied().max().unwrap_or(0);
        if max < BITMAP_LIMIT {
            let mut bits = vec![0u64; (max / 64 + 1) as usize];
            for id in ids {
                bits[(id / 64) as usize] |= 1 << (id % 64);
            }
            ComputerSet::Bits(bits)
        } else {
            ids.sort_unstable();
            ids.dedup();
            ComputerSet::Sorted(ids)
        }
    }

    fn contains(&self, id: u64) -> bool {
        match self {
            ComputerSet::Bits(bits) => bits
                .get((id / 64) as usize)
                .is_some_and(|w| w & (1 << (id % 64)) != 0),
            ComputerSet::Sorted(ids) => ids.binary_search(&id).is_ok(),
        }
    }
}

/// Case-insensitive substring search: ASCII needles without allocating.
#[derive(Debug, Clone)]
enum WordFinder {
    Ascii(AhoCorasick),
    Unicode(String),
}

/// Longer words get an automaton built in time linear in their length: the
/// default (a DFA) is quickest to search but takes seconds to build for a
/// long repetitive word — a 60,000-character one took 17 s.
const DFA_WORD_LIMIT: usize = 64;

impl WordFinder {
    fn new(word: &str) -> WordFinder {
        let mut builder = AhoCorasick::builder();
        builder.ascii_case_insensitive(true);
        if word.len() > DFA_WORD_LIMIT {
            builder.kind(Some(AhoCorasickKind::ContiguousNFA));
        }
        if word.is_ascii()
            && let Ok(ac) = builder.build([word])
        {
            return WordFinder::Ascii(ac);
        }
        WordFinder::Unicode(word.to_lowercase())
    }

    fn found_in(&self, text: &str) -> bool {
        match self {
            WordFinder::Ascii(ac) => ac.is_match(text),
            WordFinder::Unicode(lower) => text.to_lowercase().contains(lower.as_str()),
        }
    }
}

/// Whether `haystack` contains `needle`, ignoring case.
pub fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    WordFinder::new(needle).found_in(haystack)
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
            Predicate::Computers(_) => 2,
            Predicate::Type(..) => 3,
            Predicate::Creator(_) => 4,
            Predicate::Word(_) => 5,
        }
    }

    fn test(&self, a: &Activity) -> bool {
        match self {
            Predicate::Id(id) => a.id == *id,
            Predicate::ParentId(id) => a.parent_id.copied() == Some(*id),
            Predicate::Status(s, _) => a.activity_status.get() == Some(s),
            Predicate::After(t, _) => a.creation_time >= *t,
            Predicate::Before(t, _) => a.creation_time < *t,
            Predicate::Creator(email) => a.creator_email().is_some_and(|e| {
                if email.is_ascii() {
                    e.eq_ignore_ascii_case(email)
                } else {
                    e.to_lowercase() == *email
                }
            }),
            Predicate::Type(t, _) => *a.activity_type == **t,
            Predicate::Computers(set) => a.computer_id.copied().is_some_and(|id| set.contains(id)),
            Predicate::Word(w) => w.found_in(&a.summary),
        }
    }
}

/// Whether `computer` matches a `computer:` term.
pub fn computer_matches(term: &ComputerTermKind, c: &Computer) -> bool {
    match term {
        ComputerTermKind::Id(id) => c.id == *id,
        ComputerTermKind::Tag(t) => c.tags.iter().any(|x| x == t),
        ComputerTermKind::Hostname(h) => c.hostname == *h,
        ComputerTermKind::Title(t) => c.title == *t,
        ComputerTermKind::Distribution(d) => {
            c.distribution == *d
                || super::vocabulary::release_number(&c.distribution).as_deref() == Some(d.as_str())
        }
        ComputerTermKind::AccessGroup(g) => c.access_group == *g,
        ComputerTermKind::Alert(a) => c.alerts.iter().any(|x| x == a),
        ComputerTermKind::Mac(m) => c.macs.iter().any(|x| x.contains(m.as_str())),
        ComputerTermKind::Ip(i) => c.ips.iter().any(|x| x.contains(i.as_str())),
        ComputerTermKind::Annotation { key, value } => c
            .annotations
            .get(key)
            .is_some_and(|v| value.as_ref().is_none_or(|want| v.contains(want.as_str()))),
        ComputerTermKind::NeedsReboot => c.needs_reboot,
        ComputerTermKind::Word(w) => {
            let finder = WordFinder::new(w);
            finder.found_in(&c.hostname) || finder.found_in(&c.title)
        }
        ComputerTermKind::Unknown { .. } => false,
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
    match kind {
        TermKind::Id(id) => Predicate::Id(*id),
        TermKind::ParentId(id) => Predicate::ParentId(*id),
        TermKind::Status(s) => Predicate::Status(s.clone(), status_code(s)),
        TermKind::CreatedAfter(d) => Predicate::After(d.start, d.start.timestamp()),
        TermKind::CreatedBefore(d) => Predicate::Before(d.start, d.start.timestamp()),
        TermKind::Creator(e) => Predicate::Creator(e.to_lowercase()),
        TermKind::Type(t) => Predicate::Type(t.clone(), type_hash(t)),
        TermKind::Computer(term) => {
            let mut ids = Vec::new();
            computers.for_each_computer(&mut |c| {
                if computer_matches(&term.kind, c) {
                    ids.push(c.id);
                }
            });
            Predicate::Computers(ComputerSet::new(ids))
        }
        TermKind::Word(w) => Predicate::Word(WordFinder::new(w)),
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

/// The fields most terms test, packed into 40 bytes. A store keeps one per
/// activity beside the records, so a scan over a million activities reads
/// 40 MB instead of the records' hundreds; strings are read only for the
/// few activities that pass every packed test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackedActivity {
    pub id: u64,
    /// `NONE` when the activity has no parent.
    pub parent_id: u64,
    /// `NONE` when the activity has no computer.
    pub computer_id: u64,
    /// Unix seconds.
    pub created: i64,
    /// FNV-1a of the type name: unequal hashes are unequal types.
    pub type_hash: u32,
    /// Index in [`ActivityStatus::KNOWN`]; `OTHER` or `NO_STATUS` else.
    pub status: u8,
}

impl PackedActivity {
    pub const NONE: u64 = u64::MAX;
    pub const OTHER: u8 = 254;
    pub const NO_STATUS: u8 = 255;

    pub fn of(a: &Activity) -> PackedActivity {
        PackedActivity {
            id: a.id,
            parent_id: a.parent_id.copied().unwrap_or(Self::NONE),
            computer_id: a.computer_id.copied().unwrap_or(Self::NONE),
            created: a.creation_time.timestamp(),
            type_hash: type_hash(&a.activity_type),
            status: a.activity_status.get().map_or(Self::NO_STATUS, status_code),
        }
    }
}

fn status_code(s: &ActivityStatus) -> u8 {
    ActivityStatus::KNOWN
        .iter()
        .position(|k| k == s)
        .map_or(PackedActivity::OTHER, |i| i as u8)
}

fn type_hash(name: &str) -> u32 {
    name.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

impl Predicate {
    /// Tests the packed fields, reading `full` only where they cannot say.
    fn test_packed(&self, p: &PackedActivity, full: &Activity) -> bool {
        match self {
            Predicate::Id(id) => p.id == *id,
            Predicate::ParentId(id) => p.parent_id == *id && *id != PackedActivity::NONE,
            Predicate::Status(_, PackedActivity::OTHER) => self.test_record(full),
            Predicate::Status(_, code) => p.status == *code,
            // Query dates are whole seconds, so whole-second creation times decide exactly.
            Predicate::After(_, secs) => p.created >= *secs,
            Predicate::Before(_, secs) => p.created < *secs,
            Predicate::Type(_, hash) => p.type_hash == *hash && self.test_record(full),
            Predicate::Computers(set) => {
                p.computer_id != PackedActivity::NONE && set.contains(p.computer_id)
            }
            Predicate::Creator(_) | Predicate::Word(_) => self.test_record(full),
        }
    }

    /// Kept out of line so the compiler cannot hoist loads from the record
    /// above the packed tests (that was a cache miss per activity).
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

    /// Same answer as [`Matcher::matches`] on `full`, reading `packed` first.
    pub fn matches_packed(&self, packed: &PackedActivity, full: &Activity) -> bool {
        self.all.iter().all(|group| group.test_packed(packed, full))
    }
}

impl Matcher {
    /// Indices (ascending) of the activities that match, one group at a
    /// time: each group is a tight loop of its own (the predicate is chosen
    /// outside the loop), the cheapest over every row, the others over what
    /// is left.
    pub fn select(&self, packed: &[PackedActivity], full: &[Activity]) -> Vec<usize> {
        let n = packed.len().min(full.len());
        let (packed, full) = (&packed[..n], &full[..n]);
        let mut hits: Option<Vec<usize>> = None;
        for group in &self.all {
            hits = Some(narrow_group(group, hits, packed, full));
        }
        hits.unwrap_or_else(|| (0..n).collect())
    }
}

/// Keeps the rows (all, or `hits`) for which `test` differs from `negated`.
fn narrow<F: Fn(usize) -> bool>(
    hits: Option<Vec<usize>>,
    n: usize,
    negated: bool,
    test: F,
) -> Vec<usize> {
    match hits {
        None => (0..n).filter(|&i| test(i) != negated).collect(),
        Some(mut hits) => {
            hits.retain(|&i| test(i) != negated);
            hits
        }
    }
}

fn narrow_group(
    group: &Group,
    hits: Option<Vec<usize>>,
    packed: &[PackedActivity],
    full: &[Activity],
) -> Vec<usize> {
    let n = packed.len();
    let Group::One(negated, pred) = group else {
        return narrow(hits, n, false, |i| group.test_packed(&packed[i], &full[i]));
    };
    let negated = *negated;
    match pred {
        Predicate::Id(id) => narrow(hits, n, negated, |i| packed[i].id == *id),
        Predicate::ParentId(id) => narrow(hits, n, negated, |i| packed[i].parent_id == *id),
        Predicate::After(_, secs) => narrow(hits, n, negated, |i| packed[i].created >= *secs),
        Predicate::Before(_, secs) => narrow(hits, n, negated, |i| packed[i].created < *secs),
        Predicate::Status(_, code) if *code != PackedActivity::OTHER => {
            narrow(hits, n, negated, |i| packed[i].status == *code)
        }
        Predicate::Computers(set) => narrow(hits, n, negated, |i| {
            packed[i].computer_id != PackedActivity::NONE && set.contains(packed[i].computer_id)
        }),
        _ => narrow(hits, n, negated, |i| pred.test_packed(&packed[i], &full[i])),
    }
}

impl Group {
    fn test_packed(&self, p: &PackedActivity, full: &Activity) -> bool {
        match self {
            Group::One(negated, pred) => pred.test_packed(p, full) != *negated,
            Group::Any(ps) => ps
                .iter()
                .any(|(negated, pred)| pred.test_packed(p, full) != *negated),
        }
    }
}

#[cfg(test)]
mod word_tests {
    use super::WordFinder;

    #[test]
    fn long_words_are_found_ignoring_case_like_short_ones() {
        let word = "rotate-logs-".repeat(8);
        assert!(word.len() > super::DFA_WORD_LIMIT);
        let finder = WordFinder::new(&word);
        let text = format!("Run script: {}!", word.to_uppercase());
        assert!(finder.found_in(&text));
        assert!(!finder.found_in(&text[..text.len() - 3]));
        assert!(WordFinder::new("Rotate").found_in(&text));
    }
}
