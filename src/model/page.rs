//! A page of results, as REST v2 list routes answer.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// How many match in all, not how many are on this page.
    pub count: u64,
    pub results: Vec<T>,
    pub next: Option<String>,
    pub previous: Option<String>,
    /// `count` says only that there is at least this many: the legacy
    /// API answers a bare list, so a client knows no more without
    /// probing. Never part of the JSON.
    #[serde(skip)]
    pub count_is_lower_bound: bool,
}

impl<T> Page<T> {
    pub fn empty() -> Page<T> {
        Page {
            count: 0,
            results: Vec::new(),
            next: None,
            previous: None,
            count_is_lower_bound: false,
        }
    }
}

/// A page of the dashboard's list: top-level activities that match, plus
/// every parent with a matching child (newest first), counted as rows, with
/// how many activities matched and, for parents shown only through some of
/// their children, how many of those children match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowPage {
    /// `count` is the number of rows; `results` the rows of this page.
    #[serde(flatten)]
    pub rows: Page<super::Activity>,
    /// Activities the query matched (children included).
    pub activity_count: u64,
    /// Parent id → matching children, for parents that did not match on
    /// their own but through some children.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub matching_children: std::collections::BTreeMap<u64, u64>,
    /// `count` is an estimate: the rows have not all been read yet (a
    /// client folding a real Landscape's raw pages lazily).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rows_estimated: bool,
    /// With several servers: what each answered (its rows), or that it
    /// is down. Never part of the JSON.
    #[serde(skip)]
    pub servers: Vec<super::origin::ServerRows>,
}

impl Default for RowPage {
    fn default() -> RowPage {
        RowPage {
            rows: Page::empty(),
            activity_count: 0,
            matching_children: Default::default(),
            rows_estimated: false,
            servers: Vec::new(),
        }
    }
}

impl RowPage {
    /// How many of `parent`'s children match, when only some of them do.
    pub fn matching(&self, parent: u64) -> Option<u64> {
        self.matching_children.get(&parent).copied()
    }
}
