//! A rollout guard: a threshold of failures over what a query selects
//! (a group's children, `parent-id:N`), and what it stops when it trips:
//! one cancel by query of what has not started yet. Every number and
//! query here is said in Landscape's language, so the dashboard and
//! `wait --guard` count and stop the same way any server would.

use std::fmt;

use super::scope::and;

/// Statuses of work not started yet: what a tripped guard cancels.
/// (Delivered work is on its computer already; canceling it races the
/// client, and a guard stops the rest, not what is running.)
pub const NOT_STARTED: [&str; 3] = ["undelivered", "unapproved", "scheduled"];

/// `failed>=3` or `failed>=5%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Threshold {
    pub at_least: u64,
    /// `at_least` is a percentage of what the guard counts.
    pub percent: bool,
}

impl Threshold {
    /// Reads `failed>=N` or `failed>=N%`.
    pub fn parse(text: &str) -> Result<Threshold, String> {
        let (at_least, percent) = failed_figure(text, ">=")
            .ok_or_else(|| format!("{text:?} is not a threshold: write failed>=3 or failed>=5%"))?;
        if at_least == 0 || (percent && at_least > 100) {
            return Err(format!(
                "{text:?}: a threshold is at least 1{}",
                if percent { " and at most 100%" } else { "" }
            ));
        }
        Ok(Threshold { at_least, percent })
    }

    /// Whether `failed` of `of` reaches it.
    pub fn tripped(&self, failed: u64, of: u64) -> bool {
        if self.percent {
            failed > 0 && failed * 100 >= self.at_least * of
        } else {
            failed >= self.at_least
        }
    }
}

/// `failed` then `op` then a count or a percentage (`failed>=5%`): the
/// figure and whether it is a percentage; `None` when it is not that.
pub(super) fn failed_figure(text: &str, op: &str) -> Option<(u64, bool)> {
    let rest = text.trim().strip_prefix("failed")?.strip_prefix(op)?;
    let (number, percent) = match rest.strip_suffix('%') {
        Some(n) => (n, true),
        None => (rest, false),
    };
    Some((number.parse().ok()?, percent))
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.percent { "%" } else { "" };
        write!(f, "failed>={}{sign}", self.at_least)
    }
}

/// A threshold over the single activities (standalone, children) a query
/// matches.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Guard {
    pub query: String,
    pub threshold: Threshold,
}

impl Guard {
    /// A guard over a group's children.
    pub fn on_group(group: u64, threshold: Threshold) -> Guard {
        Guard {
            query: format!("parent-id:{group}"),
            threshold,
        }
    }

    /// A guard over activities by id (at most [`IDS_PER_QUERY`]): a
    /// group stands for its children.
    ///
    /// [`IDS_PER_QUERY`]: super::scope::IDS_PER_QUERY
    pub fn on_ids(ids: &[u64], threshold: Threshold) -> Guard {
        let terms: Vec<String> = ids
            .iter()
            .map(|id| format!("id:{id} OR parent-id:{id}"))
            .collect();
        Guard {
            query: terms.join(" OR "),
            threshold,
        }
    }

    /// What it counts: what the query selects by `model::scope`'s rule
    /// (its single activities, and the children of the groups it chooses
    /// that satisfy its work terms). Counted with
    /// `backend::action_plan::selected`, never as a plain count: a plain
    /// count of `id:A OR id:B` is the two groups, not their children.
    pub fn counted_query(&self) -> String {
        self.query.trim().to_owned()
    }

    /// What it counts as failed.
    pub fn failed_query(&self) -> String {
        and(&self.query, "status:failed")
    }

    /// What a trip cancels: what it counts that has not started (a
    /// status term: the chosen groups bring their children not started).
    pub fn stop_query(&self) -> String {
        let statuses: Vec<String> = NOT_STARTED.iter().map(|s| format!("status:{s}")).collect();
        and(&self.query, &statuses.join(" OR "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_read_and_trip() {
        let three = Threshold::parse("failed>=3").unwrap();
        assert_eq!(three.to_string(), "failed>=3");
        assert!(!three.tripped(2, 300));
        assert!(three.tripped(3, 300));
        let five = Threshold::parse("failed>=5%").unwrap();
        assert_eq!(five.to_string(), "failed>=5%");
        assert!(!five.tripped(4, 100));
        assert!(five.tripped(5, 100));
        assert!(five.tripped(1, 20));
        assert!(!five.tripped(0, 0), "nothing failed trips nothing");
        for bad in [
            "failed>3",
            "failed>=",
            "failed>=x",
            "failed>=0",
            "failed>=101%",
            "3",
        ] {
            assert!(Threshold::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_group_guard_stops_its_children_not_started() {
        let g = Guard::on_group(100, Threshold::parse("failed>=3").unwrap());
        assert_eq!(g.failed_query(), "parent-id:100 status:failed");
        assert_eq!(
            g.stop_query(),
            "parent-id:100 status:undelivered OR status:unapproved OR status:scheduled"
        );
    }

    #[test]
    fn a_guard_on_groups_names_them_and_its_statuses_pick_their_children() {
        let g = Guard::on_ids(&[7, 9], Threshold::parse("failed>=5%").unwrap());
        assert_eq!(
            g.counted_query(),
            "id:7 OR parent-id:7 OR id:9 OR parent-id:9"
        );
        assert_eq!(
            g.failed_query(),
            "id:7 OR parent-id:7 OR id:9 OR parent-id:9 status:failed"
        );
    }
}
