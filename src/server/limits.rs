//! What `serve` refuses to do, each limit named in its refusal: values no
//! real client reaches, so one careless or hostile request cannot tie up
//! the engine or the memory it shares with every other client.

use super::ApiError;

/// The longest query accepted (Landscape's own URLs cap this anyway).
pub const MAX_QUERY_BYTES: usize = 32 * 1024;
/// The longest single word or term in a query.
pub const MAX_TERM_BYTES: usize = 1024;
/// The largest `limit` a page may ask for.
pub const MAX_LIMIT: u64 = 10_000;
/// The most ids one reapply or revert may name.
pub const MAX_IDS: usize = 10_000;

/// `query`, when it is within the limits.
pub fn query(query: &str) -> Result<&str, ApiError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(ApiError::bad_request(
            "QueryTooLong",
            format!(
                "the query is {} bytes; the limit is {MAX_QUERY_BYTES}",
                query.len()
            ),
        ));
    }
    if let Some(term) = query.split_whitespace().find(|t| t.len() > MAX_TERM_BYTES) {
        return Err(ApiError::bad_request(
            "QueryTooLong",
            format!(
                "a term of the query is {} bytes (it starts {:?}); the limit is {MAX_TERM_BYTES}",
                term.len(),
                term.chars().take(20).collect::<String>()
            ),
        ));
    }
    Ok(query)
}

/// A page's `limit`, when it is within the limit.
pub fn page_size(limit: u64) -> Result<u64, ApiError> {
    if limit > MAX_LIMIT {
        return Err(ApiError::bad_request(
            "LimitTooLarge",
            format!("limit is {limit}; the largest page is {MAX_LIMIT}"),
        ));
    }
    Ok(limit)
}

/// The ids of a reapply or revert, when there are not too many.
pub fn ids(ids: &[u64]) -> Result<&[u64], ApiError> {
    if ids.len() > MAX_IDS {
        return Err(ApiError::bad_request(
            "TooManyIds",
            format!(
                "{} activity ids given; one request may name {MAX_IDS}",
                ids.len()
            ),
        ));
    }
    Ok(ids)
}
