//! The clock moving activities along: scheduled ones become due, queued
//! ones are delivered or expire, delivered ones finish, long-running ones
//! report progress. Each activity's path is a pure function of its record,
//! the seed and the time, so stepping the clock in any way gives one state.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::model::{Activity, ActivityStatus, Field};

use super::Engine;
use super::fate::{Fate, failure_text, fate, success_text};
use super::lifecycle::is_long_running;

/// What the clock does to the engine by a time: the activities it moves
/// and what each becomes. Worked out while reading (readers go on), then
/// applied in a short write.
#[derive(Debug, Clone, Default)]
pub struct Moves {
    to: Option<DateTime<Utc>>,
    rows: Vec<(usize, Activity)>,
}

impl Moves {
    /// Whether the clock moves any activity.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The time they are worked out for.
    pub fn to(&self) -> Option<DateTime<Utc>> {
        self.to
    }
}

impl Engine {
    /// Moves every live activity to `to`. True when anything changed.
    pub(super) fn advance_to(&mut self, to: DateTime<Utc>) -> bool {
        let moves = self.moves_by(to);
        self.make_moves(moves)
    }

    /// What the clock does by the clock's own time (see [`Moves`]); nothing
    /// when it has not moved past the engine's (a loaded state is not
    /// simulated up to its own time).
    pub fn moves_now(&self) -> Moves {
        let to = self.clock.now();
        if to <= self.now {
            return Moves::default();
        }
        self.moves_by(to)
    }

    /// What the clock does by `to`, changing nothing.
    pub fn moves_by(&self, to: DateTime<Utc>) -> Moves {
        self.moves_of(self.store.live.iter(), to)
    }

    fn moves_of(&self, live: impl Iterator<Item = usize>, to: DateTime<Utc>) -> Moves {
        if to < self.now {
            return Moves::default();
        }
        let offline: std::collections::HashSet<u64> = self
            .store
            .computers
            .values()
            .filter(|c| super::offline(c))
            .map(|c| c.id)
            .collect();
        let rows = live
            .filter_map(|i| {
                let a = &self.store.activities[i];
                let f = fate(self.seed, a.id, &a.activity_type);
                let reachable = a.computer().is_none_or(|c| !offline.contains(&c));
                let mut next = a.clone();
                evolve(&mut next, &f, to, reachable).then_some((i, next))
            })
            .collect();
        Moves { to: Some(to), rows }
    }

    /// Applies `moves`, worked out on this state (nothing may change it in
    /// between). True when anything changed.
    pub fn make_moves(&mut self, moves: Moves) -> bool {
        let Some(to) = moves.to.filter(|to| *to >= self.now) else {
            return false;
        };
        self.now = to;
        let changed = !moves.rows.is_empty();
        let mut parents = Vec::new();
        for (i, next) in moves.rows {
            if let Some(p) = next.parent() {
                parents.push(p);
            }
            self.store.replace(i, next);
        }
        parents.sort_unstable();
        parents.dedup();
        for p in parents {
            self.store.derive_parent(p);
        }
        changed
    }
}

/// When a queued activity is ready to be delivered.
fn ready_at(a: &Activity) -> DateTime<Utc> {
    [a.approval_time.copied(), a.deliver_after_time.copied()]
        .into_iter()
        .flatten()
        .fold(a.creation_time, DateTime::max)
}

fn first_package(a: &Activity) -> Option<Arc<str>> {
    a.changes
        .get()
        .and_then(|c| c.first())
        .map(|c| c.package.clone())
}

/// Applies every event of `a` up to `now`. True when `a` changed. An
/// activity for a computer out of `reachable` reach is neither delivered
/// nor reported: it waits (or expires) until the computer is back.
fn evolve(a: &mut Activity, f: &Fate, now: DateTime<Utc>, reachable: bool) -> bool {
    let before = a.clone();
    while let Some(status) = a.status().cloned() {
        match status {
            ActivityStatus::Scheduled => {
                let due = a.deliver_after_time.copied().unwrap_or(a.creation_time);
                if expire(a, now, due) {
                    break;
                }
                if due > now {
                    break;
                }
                set_status(a, ActivityStatus::Undelivered, due);
            }
            ActivityStatus::Undelivered => {
                let deliver_at = ready_at(a) + f.delivery_delay;
                if expire(a, now, deliver_at) || deliver_at > now || !reachable {
                    break;
                }
                set_status(a, ActivityStatus::Delivered, deliver_at);
                a.delivery_time = Field::Value(deliver_at);
                if is_long_running(&a.activity_type) {
                    a.progress = Field::Value(0);
                }
            }
            ActivityStatus::Delivered if !reachable => break,
            ActivityStatus::Delivered => {
                let started = a.delivery_time.copied().unwrap_or_else(|| ready_at(a));
                let end = started + f.duration;
                if is_long_running(&a.activity_type) {
                    let fail_at = started
                        + Duration::seconds((f.duration.num_seconds() as f64 * f.fails_at) as i64);
                    if !f.succeeds && now >= fail_at {
                        a.progress = Field::Value(-1);
                        finish(a, f, fail_at);
                    } else if f.succeeds && now >= end {
                        a.progress = Field::Value(100);
                        finish(a, f, end);
                    } else {
                        let done = (now - started).num_seconds().max(0) as f64
                            / f.duration.num_seconds().max(1) as f64;
                        let pct = ((done * 100.0) as i64).clamp(0, 99);
                        if a.progress.copied() != Some(pct) {
                            a.progress = Field::Value(pct);
                        }
                    }
                    break;
                }
                if end > now {
                    break;
                }
                finish(a, f, end);
            }
            _ => break,
        }
    }
    *a != before
}

/// Fails a queued activity whose `deliver_before_time` passed before `next`.
fn expire(a: &mut Activity, now: DateTime<Utc>, next: DateTime<Utc>) -> bool {
    match a.deliver_before_time.copied() {
        Some(deadline) if deadline <= now && deadline <= next => {
            set_status(a, ActivityStatus::Failed, deadline);
            a.completion_time = Field::Value(deadline);
            a.result_text = Field::Value(
                format!(
                    "The activity expired: it was not delivered before {}",
                    deadline.format("%Y-%m-%d %H:%M:%SZ")
                )
                .into(),
            );
            a.result_code = Field::Value(1);
            true
        }
        _ => false,
    }
}

fn finish(a: &mut Activity, f: &Fate, at: DateTime<Utc>) {
    let package = first_package(a);
    if f.succeeds {
        set_status(a, ActivityStatus::Succeeded, at);
        a.result_text = Field::Value(success_text(&a.activity_type, package.as_deref()).into());
        a.result_code = Field::Value(0);
    } else {
        let (text, code) = failure_text(&a.activity_type, f.failure, package.as_deref());
        set_status(a, ActivityStatus::Failed, at);
        a.result_text = Field::Value(text.into());
        a.result_code = Field::Value(code);
    }
    a.completion_time = Field::Value(at);
}

fn set_status(a: &mut Activity, status: ActivityStatus, at: DateTime<Utc>) {
    a.activity_status = Field::Value(status);
    a.modification_time = Field::Value(at);
}
