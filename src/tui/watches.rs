//! Watches: activities the operator asked to be told about, and the
//! guards armed on them. The state is plain data, kept in a file in the
//! data directory so a watch outlives the dashboard; each look
//! ([`crate::backend::watched`]) is taken in here, and what the operator
//! must hear (a first failure, the end, a tripped guard) comes out as
//! [`Notice`]s. Pure: no clock, no I/O.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::backend::watched::{Ask, Look};
use crate::model::guard::Guard;
use crate::model::{Activity, ActivityStatus, ChildrenStatuses};

/// A watch of a query's matches takes at most this many.
pub const MOST_WATCHED: u64 = 10_000;
/// Done watches kept for `:watches` (the newest).
const DONE_KEPT: usize = 20;

/// One activity watched: a standalone activity, a child, or a group
/// (which stands for its children).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Watched {
    pub summary: String,
    pub status: Option<ActivityStatus>,
    pub group: bool,
    /// A group's children failed so far.
    #[serde(default)]
    pub failed_children: u64,
    /// A group's children by health (good: succeeded; bad: failed or
    /// canceled), where the server counts them.
    #[serde(default)]
    pub children: Option<ChildrenStatuses>,
}

impl Watched {
    pub fn of(a: &Activity) -> Watched {
        Watched {
            summary: a.summary.to_string(),
            status: a.status().cloned(),
            group: a.is_parent(),
            failed_children: 0,
            children: children_of(a),
        }
    }

    /// One not on screen when it was picked: the first look says what it is.
    pub fn unknown() -> Watched {
        Watched {
            summary: String::new(),
            status: None,
            group: false,
            failed_children: 0,
            children: None,
        }
    }

    pub fn is_final(&self) -> bool {
        self.status.as_ref().is_some_and(ActivityStatus::is_final)
    }

    fn take(&mut self, a: &Activity) {
        self.summary = a.summary.to_string();
        self.group = a.is_parent();
        self.status = a.status().cloned();
        self.children = children_of(a).or(self.children);
    }

    /// Failed: the activity itself, or children of the group.
    fn failed(&self) -> u64 {
        if self.group {
            self.failed_children
        } else {
            u64::from(self.status == Some(ActivityStatus::Failed))
        }
    }
}

fn children_of(a: &Activity) -> Option<ChildrenStatuses> {
    a.children_statuses.copied()
}

/// A guard armed on a watch, and what it has seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmedGuard {
    pub guard: Guard,
    /// Stop without asking.
    pub auto: bool,
    pub failed: u64,
    pub of: u64,
    /// It tripped: its stop was asked for (or made, with `auto`).
    pub tripped: bool,
    /// Tripped while a dialog was open: the confirmation is still to
    /// be shown.
    #[serde(default)]
    pub stop_pending: bool,
}

/// One watch: what was picked, on which server, since when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Watch {
    pub number: u64,
    /// What was picked, for the operator ("row 100 Upgrade …", "3 marked").
    pub label: String,
    /// The backend's label: a watch is looked at only on its own server.
    pub server: String,
    pub since: DateTime<Utc>,
    pub activities: BTreeMap<u64, Watched>,
    pub guard: Option<ArmedGuard>,
    /// The first failure was told.
    pub failure_told: bool,
    pub done: bool,
    /// A look has come back since it started: until then everything is
    /// asked for, final or not (a group's failures are counted by a look,
    /// and a watch of what is already final ends at its first look).
    #[serde(default)]
    pub looked: bool,
}

impl Watch {
    pub fn failed(&self) -> u64 {
        self.activities.values().map(Watched::failed).sum()
    }

    /// Final of all, counting a group's children where they are counted.
    pub fn progress(&self) -> (u64, u64) {
        self.activities
            .values()
            .fold((0, 0), |(f, t), w| match (w.group, w.children) {
                (true, Some(c)) => (f + c.good + c.bad, t + c.good + c.warning + c.bad),
                _ => (f + u64::from(w.is_final()), t + 1),
            })
    }

    /// The end in a few words: "3 succeeded, 1 failed, 2 canceled".
    pub fn outcome(&self) -> String {
        let (mut ok, mut failed, mut canceled) = (0, 0, 0);
        for w in self.activities.values() {
            match (w.group, w.children) {
                (true, Some(c)) => {
                    // Bad is failed or canceled; failed is counted.
                    ok += c.good;
                    failed += w.failed_children;
                    canceled += c.bad.saturating_sub(w.failed_children);
                }
                _ => match w.status {
                    Some(ActivityStatus::Succeeded) => ok += 1,
                    Some(ActivityStatus::Failed) => failed += 1,
                    Some(ActivityStatus::Canceled) => canceled += 1,
                    _ => {}
                },
            }
        }
        let mut parts = vec![format!("{ok} succeeded")];
        if failed > 0 {
            parts.push(format!("{failed} failed"));
        }
        if canceled > 0 {
            parts.push(format!("{canceled} canceled"));
        }
        parts.join(", ")
    }
}

/// What the operator is told.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// The watch's first failure; the rest go on.
    Failed { watch: u64, text: String },
    /// Every activity of the watch is final.
    Done { watch: u64, text: String },
    /// A guard reached its threshold: its stop is due.
    Tripped { watch: u64, text: String },
}

impl Notice {
    pub fn text(&self) -> &str {
        match self {
            Notice::Failed { text, .. }
            | Notice::Done { text, .. }
            | Notice::Tripped { text, .. } => text,
        }
    }

    pub fn watch(&self) -> u64 {
        match self {
            Notice::Failed { watch, .. }
            | Notice::Done { watch, .. }
            | Notice::Tripped { watch, .. } => *watch,
        }
    }
}

/// Every watch, and whether a look is under way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Watches {
    pub list: Vec<Watch>,
    /// A look was sent and has not come back: the next waits for it.
    pub looking: bool,
    /// The watches the look under way asked about.
    pub covering: Vec<u64>,
}

impl Watches {
    /// Watches still running on `server`.
    pub fn active<'a>(&'a self, server: &'a str) -> impl Iterator<Item = &'a Watch> + 'a {
        self.list
            .iter()
            .filter(move |w| !w.done && w.server == server)
    }

    /// A new watch of `activities`; its number.
    pub fn add(
        &mut self,
        label: String,
        server: &str,
        since: DateTime<Utc>,
        activities: &[Activity],
        guard: Option<ArmedGuard>,
    ) -> u64 {
        let number = self.list.iter().map(|w| w.number).max().unwrap_or(0) + 1;
        self.list.push(Watch {
            number,
            label,
            server: server.to_owned(),
            since,
            activities: activities.iter().map(|a| (a.id, Watched::of(a))).collect(),
            guard,
            failure_told: false,
            done: false,
            looked: false,
        });
        number
    }

    /// Stops watching `number`.
    pub fn remove(&mut self, number: u64) -> Option<Watch> {
        let at = self.list.iter().position(|w| w.number == number)?;
        Some(self.list.remove(at))
    }

    /// What the next look asks on `server`: the activities not final, the
    /// groups among them (their failed children), the armed guards.
    pub fn ask(&self, server: &str) -> Ask {
        let mut ask = Ask::default();
        for w in self.active(server) {
            for (id, a) in &w.activities {
                if !a.is_final() || !w.looked {
                    ask.ids.push(*id);
                    if a.group {
                        ask.groups.push(*id);
                    }
                }
            }
            if let Some(g) = w.guard.as_ref().filter(|g| !g.tripped) {
                ask.guards.push(g.guard.clone());
            }
        }
        ask.ids.sort_unstable();
        ask.ids.dedup();
        ask.groups.sort_unstable();
        ask.groups.dedup();
        ask
    }

    /// Starts a look on `server`: what it asks, `None` when nothing is
    /// watched there or a look is under way.
    pub fn start_look(&mut self, server: &str) -> Option<Ask> {
        if self.looking {
            return None;
        }
        let ask = self.ask(server);
        if ask.is_empty() {
            return None;
        }
        self.looking = true;
        self.covering = self.active(server).map(|w| w.number).collect();
        Some(ask)
    }

    /// Takes in a look asked by [`Watches::ask`] on `server`: what the
    /// operator must be told.
    pub fn take(&mut self, server: &str, look: &Look) -> Vec<Notice> {
        let fresh: BTreeMap<u64, &Activity> = look.activities.iter().map(|a| (a.id, a)).collect();
        let failed: BTreeMap<u64, u64> = look.failed_children.iter().copied().collect();
        let mut guards = look.guards.iter();
        let mut notices = Vec::new();
        let covering = std::mem::take(&mut self.covering);
        self.looking = false;
        for w in self
            .list
            .iter_mut()
            .filter(|w| !w.done && w.server == server)
        {
            if !covering.contains(&w.number) {
                // Started after the look was asked: the next one is its.
                continue;
            }
            w.looked = true;
            for (id, a) in w.activities.iter_mut() {
                if let Some(now) = fresh.get(id) {
                    a.take(now);
                }
                if let Some(n) = failed.get(id) {
                    a.failed_children = *n;
                }
            }
            if let Some(g) = w.guard.as_mut().filter(|g| !g.tripped)
                && let Some(count) = guards.next()
            {
                (g.failed, g.of) = (count.failed, count.of);
                if g.guard.threshold.tripped(count.failed, count.of) {
                    g.tripped = true;
                    // The trip says the failures: not told twice.
                    w.failure_told = true;
                    notices.push(Notice::Tripped {
                        watch: w.number,
                        text: format!(
                            "guard {} tripped on {}: {} of {} failed; stopping what has not started",
                            g.guard.threshold, w.label, count.failed, count.of
                        ),
                    });
                }
            }
            let all_final = w.activities.values().all(Watched::is_final);
            if all_final {
                w.done = true;
                notices.push(Notice::Done {
                    watch: w.number,
                    text: format!("watch {}: {} is done: {}", w.number, w.label, w.outcome()),
                });
            } else if !w.failure_told && w.failed() > 0 {
                w.failure_told = true;
                let (done, all) = w.progress();
                notices.push(Notice::Failed {
                    watch: w.number,
                    text: format!(
                        "watch {}: {} has a failure ({} failed, {done} of {all} final)",
                        w.number,
                        w.label,
                        w.failed()
                    ),
                });
            }
        }
        self.trim();
        notices
    }

    /// Keeps the newest [`DONE_KEPT`] done watches.
    fn trim(&mut self) {
        super::kept::forget_oldest(&mut self.list, |w| w.done, DONE_KEPT);
    }
}

pub fn default_path() -> Option<PathBuf> {
    super::kept::data_file("watches.json")
}
