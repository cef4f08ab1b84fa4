//! What is wrong with a query, and where.

use std::fmt;
use std::ops::Range;

/// A query the parser refuses: the byte span of the offending token in the
/// whole input, and a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub span: Range<usize>,
    pub message: String,
}

impl QueryError {
    pub fn new(span: Range<usize>, message: impl Into<String>) -> QueryError {
        QueryError {
            span,
            message: message.into(),
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (at {}..{})",
            self.message, self.span.start, self.span.end
        )
    }
}

impl std::error::Error for QueryError {}

/// Something lenient mode accepted but a server may refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWarning {
    pub span: Range<usize>,
    pub message: String,
}
