//! A request's parameters as every route reads them: `name=value` pairs
//! in the order sent, the first of a name taken.

/// The pairs of a query string (or a form body).
pub fn pairs(raw: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(raw).into_owned().collect()
}

/// The pairs of a URI's query string.
pub fn of_query(query: Option<&str>) -> Vec<(String, String)> {
    pairs(query.unwrap_or("").as_bytes())
}

/// The first value of `name`.
pub fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
