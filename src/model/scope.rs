//! What an action acts on. One rule, written here once, for the dialog
//! that asks, the action that runs and the report that follows:
//!
//! > An action acts on the single activities (standalone ones and a
//! > group's per-computer children) that the query selects among what was
//! > picked (the marked rows, else the selected row, else every match). A
//! > single activity is selected when it matches the query. A group
//! > (ActivityGroup) is a request to many computers: its own fields
//! > (`id:`, the words of its summary, `type:`, `creator:`, dates) choose
//! > it, and it brings those of its children that satisfy the query's
//! > terms about per-computer work, `status:` and `computer:` (all of
//! > them when the query has none). A group's own status is only a
//! > summary of its children's, so `status:failed` never brings a
//! > succeeded child: it picks the failed ones.
//!
//! A query with no work terms is sent as it is: a server (Landscape)
//! takes a group that matches in its own right as all its children. One
//! with work terms is planned as the children the chosen groups bring
//! (`backend::action_plan`), so that the server never sees a group.
//!
//! A [`Scope`] says this as search-language queries ([`Scope::queries`]),
//! so a server evaluates it by Landscape's own rule (a matching group
//! stands for its children): the dashboard never computes the set on one
//! side and sends another. The language has no parentheses, but `OR` binds
//! tighter than the implicit `AND`, so appending an `OR` chain to a query
//! narrows it: `Q id:7 OR parent-id:7` is `Q AND (id:7 OR parent-id:7)`.

use super::ActionKind;

/// How many picked ids one query names (`id:N OR parent-id:N` is about 30
/// bytes: 100 of them stay far below any server's URL limit).
pub const IDS_PER_QUERY: usize = 100;

/// What the operator picked for an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every activity the query matches (`*`).
    EveryMatch,
    /// Rows of the list (groups or standalone activities) and children.
    Picked {
        rows: Vec<PickedRow>,
        children: Vec<PickedChild>,
    },
}

/// A row of the list picked for an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PickedRow {
    pub id: u64,
    /// How the row matches the query, when known: `Some(false)` in its own
    /// right (it stands for its children), `Some(true)` only through some
    /// children (they are what is acted on).
    pub through_children: Option<bool>,
}

impl PickedRow {
    pub fn new(id: u64, through_children: Option<bool>) -> PickedRow {
        PickedRow {
            id,
            through_children,
        }
    }
}

/// A child picked in the children pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PickedChild {
    pub id: u64,
    pub parent: u64,
    /// Its group matches the query in its own right (or, when the query
    /// names per-computer work, is chosen by its own terms), so it brings
    /// this child whether or not the child matches itself: with work
    /// terms, when the child satisfies them.
    pub brought: bool,
}

/// The query and what was picked under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub query: String,
    pub target: Target,
    /// The query's terms about per-computer work (`status:`,
    /// `computer:`), as `query::split_work` finds them; empty when it
    /// has none. With them a picked group is named both ways (its own
    /// terms choose it, its children satisfy the work) and a brought
    /// child must satisfy them.
    pub work: String,
}

impl Scope {
    pub fn every_match(query: &str) -> Scope {
        Scope {
            query: query.trim().to_owned(),
            target: Target::EveryMatch,
            work: String::new(),
        }
    }

    pub fn picked(query: &str, rows: Vec<PickedRow>, children: Vec<PickedChild>) -> Scope {
        Scope {
            query: query.trim().to_owned(),
            target: Target::Picked { rows, children },
            work: String::new(),
        }
    }

    /// The same scope, told the query's work terms.
    pub fn with_work(mut self, work: &str) -> Scope {
        self.work = work.trim().to_owned();
        self
    }

    /// Nothing picked: no activity can be acted on.
    pub fn is_empty(&self) -> bool {
        matches!(&self.target, Target::Picked { rows, children } if rows.is_empty() && children.is_empty())
    }

    /// The scope as queries whose matches (a matching group standing for
    /// its children) are the activities acted on. No two of them select
    /// the same activity: a picked child whose row is picked too is left
    /// to the row.
    pub fn queries(&self) -> Vec<String> {
        let (rows, children) = match &self.target {
            Target::EveryMatch => return vec![self.query.clone()],
            Target::Picked { rows, children } => (rows, children),
        };
        let mut rows: Vec<PickedRow> = rows.clone();
        rows.sort_unstable();
        rows.dedup_by_key(|r| r.id);
        let row_ids: Vec<u64> = rows.iter().map(|r| r.id).collect();
        let mut kids: Vec<PickedChild> = children
            .iter()
            .copied()
            .filter(|c| {
                row_ids.binary_search(&c.parent).is_err() && row_ids.binary_search(&c.id).is_err()
            })
            .collect();
        kids.sort_unstable();
        kids.dedup_by_key(|c| c.id);
        let (brought, matching): (Vec<PickedChild>, Vec<PickedChild>) =
            kids.into_iter().partition(|c| c.brought);
        let mut out = Vec::new();
        // A row that matches in its own right is named alone: naming its
        // children too would select those the action cannot change, and
        // Landscape would refuse the whole. One shown through children is
        // named by them. One not known either way is named both ways.
        // With work terms the action plan reads `id:G OR parent-id:G` by
        // the refined rule: G's children that satisfy the work when G's
        // own terms choose it, else those that match the query.
        let how_of = |r: &PickedRow| {
            if self.work.is_empty() {
                r.through_children
            } else {
                None
            }
        };
        let term = |r: &PickedRow| match how_of(r) {
            Some(false) => format!("id:{}", r.id),
            Some(true) => format!("parent-id:{}", r.id),
            None => format!("id:{0} OR parent-id:{0}", r.id),
        };
        for how in [Some(false), Some(true), None] {
            let these: Vec<&PickedRow> = rows.iter().filter(|r| how_of(r) == how).collect();
            for chunk in these.chunks(IDS_PER_QUERY) {
                let chain: Vec<String> = chunk.iter().map(|r| term(r)).collect();
                out.push(and(&self.query, &chain.join(" OR ")));
            }
        }
        for chunk in matching.chunks(IDS_PER_QUERY) {
            out.push(and(&self.query, &ids_chain(chunk.iter().map(|c| c.id))));
        }
        for chunk in brought.chunks(IDS_PER_QUERY) {
            out.push(and(&self.work, &ids_chain(chunk.iter().map(|c| c.id))));
        }
        out
    }
}

/// `id:a OR id:b …`
pub fn ids_chain(ids: impl IntoIterator<Item = u64>) -> String {
    ids.into_iter()
        .map(|id| format!("id:{id}"))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// `parent-id:a OR parent-id:b …`
pub fn parents_chain(ids: impl IntoIterator<Item = u64>) -> String {
    ids.into_iter()
        .map(|id| format!("parent-id:{id}"))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// `query` narrowed by `terms` (each side one or more AND groups).
pub fn and(query: &str, terms: &str) -> String {
    match (query.trim(), terms.trim()) {
        ("", t) => t.to_owned(),
        (q, "") => q.to_owned(),
        // `id:7` narrowed by `id:7` is `id:7`, as the action log says it.
        (q, t) if q == t => q.to_owned(),
        (q, t) => format!("{q} {t}"),
    }
}

/// Statuses from which `cancel` is allowed, as query terms.
const CANCELABLE: [&str; 6] = [
    "unapproved",
    "undelivered",
    "scheduled",
    "waiting",
    "blocked",
    "delivered",
];
const FINISHED: [&str; 3] = ["succeeded", "failed", "canceled"];

impl ActionKind {
    /// Terms that match exactly the single (non-group) activities this
    /// action allows, by Landscape's lifecycle (`ActionKind::allowed_in`).
    /// For approve and cancel they also match exactly the groups with a
    /// child the action allows (a group's status follows its children).
    pub fn allowed_terms(self) -> String {
        match self {
            ActionKind::Approve => "status:unapproved".into(),
            ActionKind::Cancel => statuses("status:", &CANCELABLE, " OR "),
            ActionKind::Reapply => statuses("status:", &FINISHED, " OR "),
            ActionKind::Revert => format!("status:succeeded type:{}", super::REVERTIBLE_TYPE),
        }
    }

    /// Terms that match exactly the single activities this action refuses.
    pub fn refused_terms(self) -> String {
        match self {
            ActionKind::Approve => "NOT status:unapproved".into(),
            ActionKind::Cancel => statuses("NOT status:", &CANCELABLE, " "),
            ActionKind::Reapply => statuses("NOT status:", &FINISHED, " "),
            ActionKind::Revert => {
                format!(
                    "NOT status:succeeded OR NOT type:{}",
                    super::REVERTIBLE_TYPE
                )
            }
        }
    }
}

/// `status:a OR status:b …` (or `NOT status:a NOT status:b …`).
fn statuses(term: &str, names: &[&str], joined: &str) -> String {
    names
        .iter()
        .map(|s| format!("{term}{s}"))
        .collect::<Vec<_>>()
        .join(joined)
}

/// Matches single activities only (children and standalone ones).
pub const NOT_GROUPS: &str = "NOT type:ActivityGroup";
/// Matches groups only.
pub const GROUPS: &str = "type:ActivityGroup";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picked_rows_narrow_the_query_and_children_of_picked_rows_are_left_to_them() {
        let scope = Scope::picked(
            "status:unapproved computer:tag:web",
            vec![
                PickedRow::new(9, Some(false)),
                PickedRow::new(7, Some(true)),
                PickedRow::new(5, None),
            ],
            vec![
                PickedChild {
                    id: 71,
                    parent: 7,
                    brought: false,
                },
                PickedChild {
                    id: 31,
                    parent: 3,
                    brought: false,
                },
                PickedChild {
                    id: 41,
                    parent: 4,
                    brought: true,
                },
            ],
        );
        assert_eq!(
            scope.queries(),
            [
                "status:unapproved computer:tag:web id:9",
                "status:unapproved computer:tag:web parent-id:7",
                "status:unapproved computer:tag:web id:5 OR parent-id:5",
                "status:unapproved computer:tag:web id:31",
                "id:41",
            ]
        );
        assert_eq!(Scope::every_match(" x ").queries(), ["x"]);
        assert_eq!(
            Scope::picked("", vec![PickedRow::new(5, None)], vec![]).queries(),
            ["id:5 OR parent-id:5"]
        );
        assert!(Scope::picked("q", vec![], vec![]).queries().is_empty());
    }

    #[test]
    fn many_picks_make_several_queries_of_bounded_length() {
        let rows: Vec<PickedRow> = (1_000_000..1_000_250)
            .map(|id| PickedRow::new(id, None))
            .collect();
        let queries = Scope::picked("status:failed", rows, vec![]).queries();
        assert_eq!(queries.len(), 3);
        assert!(queries.iter().all(|q| q.len() < 4_000));
    }
}
