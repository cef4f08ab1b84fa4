//! What the operator marked.

use std::collections::{BTreeSet, HashMap};

use super::Pane;
use crate::model::scope::PickedChild;

/// `*`: every activity the query matches, acted on by query.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkAll {
    pub query: String,
    pub count: u64,
}

/// What the operator marked, and how: the rows and children an action
/// takes when no single row is meant.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    /// Every marked id, rows and children.
    pub ids: BTreeSet<u64>,
    /// Marks set in the children pane: which group each belongs to.
    pub children: HashMap<u64, PickedChild>,
    /// Marked rows: the query they were marked under and whether they
    /// matched it only through some children.
    pub rows: HashMap<u64, (String, bool)>,
    /// `*`: every match of a query.
    pub all: Option<MarkAll>,
    /// The marks the action under way will consume when it succeeds.
    pub consuming: bool,
    /// `V` was pressed at this row (list) or child (children pane): the
    /// next `V` marks everything in between.
    pub range_from: Option<(Pane, u64)>,
}

impl Marks {
    /// No mark of any kind.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.all.is_none()
    }

    /// Drops every mark (a range being marked stays).
    pub fn clear(&mut self) {
        self.ids.clear();
        self.children.clear();
        self.rows.clear();
        self.all = None;
    }
}
