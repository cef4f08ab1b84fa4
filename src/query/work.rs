//! Which terms of a query are about per-computer work. A group
//! (ActivityGroup) is a request to many computers: its own fields (`id:`,
//! the words of its summary, `type:`, `creator:`, dates) say which request
//! it is, but its status is only a summary of its children's and it has
//! no computer. So `status:` and `computer:` terms are read on each
//! child: a group chosen by its own fields brings the children that
//! satisfy them (`model::scope` states the rule).

use super::ast::{Query, TermKind};
use super::{Mode, ParseOptions};

/// A query cut in two: an AND of the two halves is the query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkSplit {
    /// The `OR` chains that name no status or computer: what chooses a
    /// group by its own fields.
    pub own: String,
    /// The chains that name a status or a computer (a chain that mixes
    /// both kinds is read on the child, whole): what a chosen group's
    /// children must satisfy. Empty when the query has none.
    pub work: String,
    /// An `OR` chain of `parent-id:` terms only: no group can match (a
    /// group has no parent), so the query selects exactly what it
    /// matches.
    pub chooses_no_group: bool,
}

impl WorkSplit {
    /// Whether the query says anything about per-computer work.
    pub fn has_work(&self) -> bool {
        !self.work.is_empty()
    }

    /// Whether it picks children by status: a set that shrinks as they
    /// move (a rollout of `status:unapproved` would not resume).
    pub fn names_status(&self) -> bool {
        self.work.contains("status:")
    }
}

/// Splits `text`, read leniently (a server may know more terms than this
/// build). A query that does not parse is taken whole as its own part:
/// the server that answers it decides what it means.
pub fn split_work(text: &str) -> WorkSplit {
    let options = ParseOptions {
        mode: Mode::Lenient,
        ..ParseOptions::default()
    };
    let Ok(parsed) = super::parse_with(text, &options) else {
        return WorkSplit {
            own: text.trim().to_owned(),
            work: String::new(),
            chooses_no_group: false,
        };
    };
    let chooses_no_group = parsed.query.all.iter().any(|chain| {
        chain
            .any
            .iter()
            .all(|c| !c.negated && matches!(c.term.kind, TermKind::ParentId(_)))
    });
    let (work, own): (Vec<_>, Vec<_>) = parsed.query.all.into_iter().partition(|chain| {
        chain
            .any
            .iter()
            .any(|c| matches!(c.term.kind, TermKind::Status(_) | TermKind::Computer(_)))
    });
    if work.is_empty() {
        return WorkSplit {
            own: text.trim().to_owned(),
            work: String::new(),
            chooses_no_group,
        };
    }
    WorkSplit {
        own: Query { all: own }.to_string(),
        work: Query { all: work }.to_string(),
        chooses_no_group,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(q: &str) -> (String, String) {
        let s = split_work(q);
        (s.own, s.work)
    }

    #[test]
    fn status_and_computer_chains_are_work_the_rest_chooses_groups() {
        assert_eq!(split("status:failed"), ("".into(), "status:failed".into()));
        assert_eq!(
            split("id:7  status:failed"),
            ("id:7".into(), "status:failed".into())
        );
        assert_eq!(
            split("upgrade NOT computer:tag:web creator:a@b.c"),
            (
                "upgrade creator:a@b.c".into(),
                "NOT computer:tag:web".into()
            )
        );
        // A chain that mixes both is read on the child, whole.
        assert_eq!(
            split("type:X id:1 OR status:failed"),
            ("type:X".into(), "id:1 OR status:failed".into())
        );
        // No work: the text as written.
        assert_eq!(
            split(" id:1  OR id:2 "),
            ("id:1  OR id:2".into(), "".into())
        );
        assert_eq!(split(""), ("".into(), "".into()));
        // Unparsable: taken whole.
        assert_eq!(split("status:"), ("status:".into(), "".into()));
        assert!(split_work("parent-id:4 OR parent-id:5 status:failed").chooses_no_group);
        assert!(!split_work("parent-id:4 OR id:5 status:failed").chooses_no_group);
        assert!(!split_work("NOT parent-id:4").chooses_no_group);
    }
}
