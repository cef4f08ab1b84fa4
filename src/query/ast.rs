//! The parsed query. Its shape is the grammar's: a query is an AND of
//! groups, a group an OR of clauses, a clause a possibly negated term — so
//! every AST prints back to text that parses to the same AST.

use std::ops::Range;

use chrono::{DateTime, Utc};

use crate::model::ActivityStatus;

/// A whole query; no groups matches every activity.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    pub all: Vec<AnyOf>,
}

/// Clauses joined by `OR` (binds tighter than the implicit AND).
#[derive(Debug, Clone, PartialEq)]
pub struct AnyOf {
    pub any: Vec<Clause>,
}

/// A term, negated by an odd number of `NOT`s.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub negated: bool,
    pub term: Term,
}

/// One `key:value` term or bare word, and where it was written.
#[derive(Debug, Clone)]
pub struct Term {
    pub kind: TermKind,
    pub span: Range<usize>,
}

/// Equality is about meaning: where a term was written does not count.
impl PartialEq for Term {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum TermKind {
    Id(u64),
    ParentId(u64),
    Status(ActivityStatus),
    CreatedAfter(DateBound),
    CreatedBefore(DateBound),
    /// Compared ignoring case.
    Creator(String),
    Type(String),
    Computer(ComputerTerm),
    /// A bare word: the summary contains it, ignoring case.
    Word(String),
}

/// A date at the precision it was written; `start` is the first instant of
/// that period (`2024-02` starts at `2024-02-01T00:00:00Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateBound {
    pub start: DateTime<Utc>,
    pub precision: DatePrecision,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DatePrecision {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
}

/// The term inside `computer:`.
#[derive(Debug, Clone)]
pub struct ComputerTerm {
    pub kind: ComputerTermKind,
    pub span: Range<usize>,
}

impl PartialEq for ComputerTerm {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ComputerTermKind {
    Id(u64),
    Tag(String),
    Hostname(String),
    Title(String),
    /// The release number (`22.04`); code names are resolved when parsed.
    Distribution(String),
    AccessGroup(String),
    Alert(String),
    Mac(String),
    Ip(String),
    Annotation {
        key: String,
        value: Option<String>,
    },
    NeedsReboot,
    /// `search:NAME`: what a saved search's query matches. The server
    /// that keeps the saved searches resolves it (`resolved`); unresolved
    /// it matches nothing.
    Search {
        name: String,
        resolved: Option<std::sync::Arc<ComputerQuery>>,
    },
    /// A word with no key: hostname or title contains it, ignoring case.
    Word(String),
    /// A key this build does not know (lenient mode only): the server
    /// decides; locally it matches nothing.
    Unknown {
        key: String,
        value: String,
    },
}

/// A computer query (`GetComputers`, `/computers`): the activity
/// language's shape over computer terms, an AND of groups of clauses
/// joined by `OR`, each possibly negated.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ComputerQuery {
    pub all: Vec<Vec<ComputerClause>>,
}

/// A computer term, negated by an odd number of `NOT`s.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputerClause {
    pub negated: bool,
    pub term: ComputerTerm,
}

impl ComputerQuery {
    /// How many terms it has (each is tried on each computer).
    pub fn len(&self) -> usize {
        self.all.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }
}

impl Query {
    /// The empty query matches every activity.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// Every term, in the order written.
    pub fn terms(&self) -> impl Iterator<Item = &Term> {
        self.all.iter().flat_map(|g| g.any.iter().map(|c| &c.term))
    }
}
