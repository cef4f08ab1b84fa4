//! Landscape's activity search language: lexer, parser (an AST with byte
//! spans), evaluator, and the query bar's highlighting and completion.
//! Pure: no I/O; computers are read through a lookup the caller provides.

mod complete;
mod error;

pub use complete::CompletionValues;
pub use error::QueryError;
