//! Landscape's activity search language: lexer, parser (an AST with byte
//! spans), evaluator, and the query bar's highlighting and completion.
//! Pure: no I/O; computers are read through a [`ComputerLookup`].

mod ast;
mod columns;
mod complete;
mod computer_match;
mod display;
mod error;
mod eval;
mod highlight;
mod lexer;
mod parser;
mod relative;
pub mod route;
mod row_set;
mod vocabulary;
mod work;

pub use ast::{
    AnyOf, Clause, ComputerClause, ComputerQuery, ComputerTerm, ComputerTermKind, DateBound,
    DatePrecision, Query, Term, TermKind,
};
pub use columns::Columns;
pub use complete::{Completion, CompletionValues, Completions, complete};
pub use computer_match::{ComputerLookup, computer_matches, contains_ignoring_case};
pub use error::{QueryError, QueryWarning};
pub use eval::{Matcher, NotDone, OverBudget, RECORD_TEST};
pub use highlight::{Highlight, HighlightKind, highlight};
pub use relative::{Expanded, expand as expand_relative_dates};
pub use row_set::RowSet;
pub use vocabulary::{
    ALERTS, COMPUTER_KEYS, KEYS, KNOWN_TYPES, RELEASES, code_name, release_number,
};
pub use work::{WorkSplit, split_work};

/// Strict for the engine (it must understand every term); lenient for a
/// remote server, which knows more computer terms and types than we do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Strict,
    Lenient,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ParseOptions<'a> {
    pub mode: Mode,
    /// Known activity types; empty means [`KNOWN_TYPES`].
    pub types: &'a [String],
    /// The dashboard's now and time zone: relative dates (`-12h`, `today`)
    /// are accepted, as the dashboard expands them before sending. Without
    /// them (a server, a script) they are errors.
    pub relative_to: Option<(chrono::DateTime<chrono::Utc>, chrono::FixedOffset)>,
}

/// A parsed query and what lenient mode let through.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub query: Query,
    pub warnings: Vec<QueryWarning>,
}

/// Parses strictly against the documented activity types.
pub fn parse(input: &str) -> Result<Query, QueryError> {
    parse_with(input, &ParseOptions::default()).map(|p| p.query)
}

pub fn parse_with(input: &str, options: &ParseOptions) -> Result<Parsed, QueryError> {
    parser::parse_with(input, options)
}

pub use parser::parse_computer_query;
