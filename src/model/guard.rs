//! A rollout guard: a threshold of failures over what a query selects
//! (a group's children, `parent-id:N`), and what it stops when it trips:
//! one cancel by query of what has not started yet. Every number and
//! query here is said in Landscape's language, so the dashboard and
//! `wait --guard` count and stop the same way any server would.

use std::fmt;

use super::scope::{NOT_GROUPS, and};

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
        let bad = || format!("{text:?} is not a threshold: write failed>=3 or failed>=5%");
        let rest = text.trim().strip_prefix("failed>=").ok_or_else(bad)?;
        let (number, percent) = match rest.strip_suffix('%') {
            Some(n) => (n, true),
            None => (rest, false),
        };
        let at_least: u64 = number.parse().map_err(|_| bad())?;
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

    /// What it counts: the query's single activities (a group stands for
    /// its children, and they are matched in their own right).
    pub fn counted_query(&self) -> String {
        self.singles("")
    }

    /// What it counts as failed.
    pub fn failed_query(&self) -> String {
        self.singles("status:failed")
    }

    /// What a trip cancels: what it counts that has not started.
    pub fn stop_query(&self) -> String {
        let statuses: Vec<String> = NOT_STARTED.iter().map(|s| format!("status:{s}")).collect();
        self.singles(&statuses.join(" OR "))
    }

    /// `query` narrowed by `terms`, groups left out: a group matching
    /// would stand for all its children, delivered ones too. Children
    /// (`parent-id:N`) are never groups, so that query is left as it is.
    fn singles(&self, terms: &str) -> String {
        let q = and(&self.query, terms);
        if is_children_of_one_group(&self.query) {
            q
        } else {
            and(&q, NOT_GROUPS)
        }
    }
}

fn is_children_of_one_group(query: &str) -> bool {
    query
        .trim()
        .strip_prefix("parent-id:")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
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
    fn a_query_guard_leaves_groups_out() {
        let g = Guard {
            query: "type:ChangePackagesRequest".into(),
            threshold: Threshold::parse("failed>=5%").unwrap(),
        };
        assert_eq!(
            g.counted_query(),
            "type:ChangePackagesRequest NOT type:ActivityGroup"
        );
        assert_eq!(
            g.stop_query(),
            "type:ChangePackagesRequest status:undelivered OR status:unapproved OR status:scheduled NOT type:ActivityGroup"
        );
    }
}
