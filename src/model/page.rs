//! A page of results, as REST v2 list routes answer.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// How many match in all, not how many are on this page.
    pub count: u64,
    pub results: Vec<T>,
    pub next: Option<String>,
    pub previous: Option<String>,
}

impl<T> Page<T> {
    pub fn empty() -> Page<T> {
        Page {
            count: 0,
            results: Vec::new(),
            next: None,
            previous: None,
        }
    }
}
