//! Matching computers: what `computer:` terms look at (a
//! [`ComputerLookup`]), each term compiled once per query, the sets of
//! computer ids a term resolves to, and the case-insensitive word search
//! both activities and computers use.

use aho_corasick::{AhoCorasick, AhoCorasickKind};

use super::ast::ComputerTermKind;
use super::columns::Columns;
use crate::model::Computer;

/// Read access to the computers that `computer:` terms look at, and, for a
/// store that keeps [`Columns`], their numbering of creators and summaries.
pub trait ComputerLookup {
    fn computer(&self, id: u64) -> Option<&Computer>;
    fn for_each_computer(&self, f: &mut dyn FnMut(&Computer));

    /// The store's columns, when it keeps them.
    fn columns(&self) -> Option<&Columns> {
        None
    }

    /// The ids of the computers with `tag`, ascending, when the store
    /// keeps that index (`computer:tag:` is the computer term most used).
    fn tagged(&self, _tag: &str) -> Option<&[u64]> {
        None
    }
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

/// Computer ids as a bitmap when they are small enough, else sorted.
#[derive(Debug, Clone)]
pub(super) enum ComputerSet {
    Bits(Vec<u64>),
    Sorted(Vec<u64>),
}

/// Ids below this use a bitmap (at most 8 MiB).
const BITMAP_LIMIT: u64 = 1 << 26;

impl ComputerSet {
    pub(super) fn new(mut ids: Vec<u64>) -> ComputerSet {
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

    pub(super) fn contains(&self, id: u64) -> bool {
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
pub(super) enum WordFinder {
    Ascii(AhoCorasick),
    Unicode(String),
}

/// Longer words get an automaton built in time linear in their length: the
/// default (a DFA) is quickest to search but takes seconds to build for a
/// long repetitive word — a 60,000-character one took 17 s.
const DFA_WORD_LIMIT: usize = 64;

impl WordFinder {
    pub(super) fn new(word: &str) -> WordFinder {
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

    /// Which of the summaries in `text` (each ended by `end`, starting at
    /// `starts`) contain the word: one search over all of them. `None`
    /// when the word cannot be searched that way.
    pub(super) fn found_in_each(&self, text: &str, starts: &[u32], end: char) -> Option<Vec<bool>> {
        let WordFinder::Ascii(ac) = self else {
            return None;
        };
        let mut found = vec![false; starts.len()];
        for m in ac.find_iter(text) {
            if text[m.start()..m.end()].contains(end) {
                return None;
            }
            let k = starts.partition_point(|&s| s as usize <= m.start());
            if let Some(f) = k.checked_sub(1).and_then(|k| found.get_mut(k)) {
                *f = true;
            }
        }
        Some(found)
    }

    pub(super) fn found_in(&self, text: &str) -> bool {
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

impl super::ast::ComputerQuery {
    /// Every group holds: one of its clauses does. (To test many
    /// computers, build [`ComputerQuery::matcher`] once.)
    pub fn matches(&self, c: &Computer) -> bool {
        self.matcher().matches(c)
    }

    /// The query ready to test computers: each word's finder built once,
    /// not once per computer.
    pub fn matcher(&self) -> ComputerMatcher {
        ComputerMatcher {
            all: self
                .all
                .iter()
                .map(|any| {
                    any.iter()
                        .map(|cl| (cl.negated, CompiledTerm::new(&cl.term.kind)))
                        .collect()
                })
                .collect(),
        }
    }

    /// How many terms a computer is tried against: a saved search's
    /// (`search:NAME`) count as the terms it expands to.
    pub fn cost(&self) -> u64 {
        self.all
            .iter()
            .flatten()
            .map(|cl| cl.term.kind.cost())
            .sum()
    }
}

impl ComputerTermKind {
    /// Terms tried on each computer to test this one.
    pub fn cost(&self) -> u64 {
        match self {
            ComputerTermKind::Search {
                resolved: Some(q), ..
            } => 1 + q.cost(),
            _ => 1,
        }
    }
}

/// A computer query, compiled ([`ComputerQuery::matcher`]).
#[derive(Debug, Clone)]
pub struct ComputerMatcher {
    all: Vec<Vec<(bool, CompiledTerm)>>,
}

impl ComputerMatcher {
    pub fn matches(&self, c: &Computer) -> bool {
        self.all
            .iter()
            .all(|any| any.iter().any(|(negated, t)| t.matches(c) != *negated))
    }
}

/// A computer term with what it searches for built.
#[derive(Debug, Clone)]
pub(super) enum CompiledTerm {
    Word(WordFinder),
    Search(Option<Box<ComputerMatcher>>),
    Plain(ComputerTermKind),
}

impl CompiledTerm {
    pub(super) fn new(kind: &ComputerTermKind) -> CompiledTerm {
        match kind {
            ComputerTermKind::Word(w) => CompiledTerm::Word(WordFinder::new(w)),
            ComputerTermKind::Search { resolved, .. } => {
                CompiledTerm::Search(resolved.as_ref().map(|q| Box::new(q.matcher())))
            }
            other => CompiledTerm::Plain(other.clone()),
        }
    }

    pub(super) fn matches(&self, c: &Computer) -> bool {
        match self {
            CompiledTerm::Word(finder) => finder.found_in(&c.hostname) || finder.found_in(&c.title),
            CompiledTerm::Search(m) => m.as_ref().is_some_and(|m| m.matches(c)),
            CompiledTerm::Plain(kind) => computer_matches(kind, c),
        }
    }
}

/// Whether `computer` matches a `computer:` term. (To test many
/// computers, compile the term: [`ComputerQuery::matcher`].)
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
        ComputerTermKind::Search { resolved, .. } => {
            resolved.as_ref().is_some_and(|q| q.matches(c))
        }
        ComputerTermKind::Word(w) => {
            let finder = WordFinder::new(w);
            finder.found_in(&c.hostname) || finder.found_in(&c.title)
        }
        ComputerTermKind::Unknown { .. } => false,
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
