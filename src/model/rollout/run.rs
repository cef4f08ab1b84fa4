//! One rollout as a state machine with no I/O: told what the server
//! answered, it says the next thing to do ([`Run::step`]). The command
//! line drives it with sleeps, the dashboard with its ticks and calls,
//! the tests with a stepped engine clock, and all three take the same
//! decisions.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Gate, Share, release_order, resume_at, targets};
use crate::model::{Activity, ActivityStatus};

/// Where one activity of the set stands, as last read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stand {
    /// Not released yet.
    Unapproved,
    /// Released, not final.
    Running,
    Succeeded,
    Failed,
    Canceled,
}

impl Stand {
    pub fn of(status: Option<&ActivityStatus>) -> Stand {
        match status {
            Some(ActivityStatus::Unapproved) => Stand::Unapproved,
            Some(ActivityStatus::Succeeded) => Stand::Succeeded,
            Some(ActivityStatus::Failed) => Stand::Failed,
            Some(ActivityStatus::Canceled) => Stand::Canceled,
            _ => Stand::Running,
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, Stand::Succeeded | Stand::Failed | Stand::Canceled)
    }
}

/// What to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Approve these by exact plan (wave `wave`, counted from 0), then
    /// read them ([`Run::read`]).
    Release { wave: usize, ids: Vec<u64> },
    /// Read these again: released, not final when last read.
    Look(Vec<u64>),
    /// Everything released is final: wait until `until` before the gate.
    Soak { until: DateTime<Utc> },
    /// The next wave waits for the operator ([`Run::paused`]).
    Paused { wave: usize },
    /// Every wave released, everything final, the gate held.
    Done,
    /// The gate was crossed after wave `wave`: the rest stays unapproved.
    Stopped { wave: usize, figure: Figure },
}

/// What the gate read: failed among the final ones released so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Figure {
    pub failed: u64,
    pub final_: u64,
}

/// What one wave did in this run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaveFacts {
    /// When this run released it (a resumed run finds earlier waves
    /// released).
    pub started: Option<DateTime<Utc>>,
    /// When everything released up to it was final.
    pub settled: Option<DateTime<Utc>>,
    /// The gate's reading after it, and whether it held.
    pub gate: Option<(Figure, bool)>,
}

/// `seconds` after `now`, or the end of time for a soak longer than it.
pub fn later(now: DateTime<Utc>, seconds: u64) -> DateTime<Utc> {
    i64::try_from(seconds)
        .ok()
        .and_then(chrono::TimeDelta::try_seconds)
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// One rollout: its set in release order, what is known of each, and
/// how far the waves have gone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub query: String,
    pub waves: Vec<Share>,
    pub gate: Option<Gate>,
    pub soak_seconds: u64,
    /// How many of the set each wave has released when it is done.
    pub targets: Vec<u64>,
    /// The set, in the order it is released.
    order: Vec<u64>,
    stands: HashMap<u64, Stand>,
    /// How many were released when the gate last held (0: not yet).
    checked: u64,
    soak_until: Option<DateTime<Utc>>,
    /// The operator holds the next wave back.
    pub paused: bool,
    /// The operator let it go on past a crossed gate once.
    overridden: bool,
    pub facts: Vec<WaveFacts>,
    stopped: Option<(usize, Figure)>,
}

impl Run {
    /// A rollout of `set` (the single activities the query selects):
    /// what is no longer unapproved counts as released, so a rollout
    /// started again goes on from the first wave not reached.
    pub fn new(
        query: &str,
        waves: Vec<Share>,
        gate: Option<Gate>,
        soak_seconds: u64,
        set: &[Activity],
    ) -> Run {
        let mut keyed: Vec<(u64, Option<u64>)> = set
            .iter()
            .map(|a| (a.id, a.computer_id.get().copied()))
            .collect();
        release_order(&mut keyed);
        let targets = targets(&waves, set.len() as u64);
        Run {
            query: query.to_owned(),
            facts: vec![WaveFacts::default(); waves.len()],
            waves,
            gate,
            soak_seconds,
            targets,
            order: keyed.into_iter().map(|(id, _)| id).collect(),
            stands: set.iter().map(|a| (a.id, Stand::of(a.status()))).collect(),
            checked: 0,
            soak_until: None,
            paused: false,
            overridden: false,
            stopped: None,
        }
    }

    /// Tells it what the server answers for activities of the set:
    /// whether any stands elsewhere now.
    pub fn read(&mut self, activities: &[Activity]) -> bool {
        let mut moved = false;
        for a in activities {
            if let Some(s) = self.stands.get_mut(&a.id) {
                let now = Stand::of(a.status());
                moved |= *s != now;
                *s = now;
            }
        }
        moved
    }

    pub fn total(&self) -> u64 {
        self.order.len() as u64
    }

    /// How many of the set are no longer unapproved.
    pub fn released(&self) -> u64 {
        self.count(|s| s != Stand::Unapproved)
    }

    pub fn count(&self, pick: impl Fn(Stand) -> bool) -> u64 {
        self.stands.values().filter(|s| pick(**s)).count() as u64
    }

    /// Released and not final when last read, in release order.
    pub fn running(&self) -> Vec<u64> {
        self.order
            .iter()
            .filter(|id| self.stands.get(id) == Some(&Stand::Running))
            .copied()
            .collect()
    }

    /// Failed among the final ones released so far.
    pub fn figure(&self) -> Figure {
        Figure {
            failed: self.count(|s| s == Stand::Failed),
            final_: self.count(Stand::is_final),
        }
    }

    /// The next thing to do at `now`.
    pub fn step(&mut self, now: DateTime<Utc>) -> Step {
        if let Some((wave, figure)) = self.stopped {
            return Step::Stopped { wave, figure };
        }
        let running = self.running();
        if !running.is_empty() {
            self.soak_until = None;
            return Step::Look(running);
        }
        let released = self.released();
        let next = resume_at(&self.targets, released);
        let settled = self.targets.iter().rposition(|&t| t <= released);
        if released > self.checked {
            let wave = settled.unwrap_or(0);
            self.facts[wave].settled.get_or_insert(now);
            if !self.overridden {
                let until = *self
                    .soak_until
                    .get_or_insert_with(|| later(now, self.soak_seconds));
                if now < until {
                    return Step::Soak { until };
                }
            }
            self.soak_until = None;
            let figure = self.figure();
            let held = self
                .gate
                .is_none_or(|g| g.holds(figure.failed, figure.final_))
                || std::mem::take(&mut self.overridden);
            self.facts[wave].gate = Some((figure, held));
            if !held {
                self.stopped = Some((wave, figure));
                return Step::Stopped { wave, figure };
            }
            self.checked = released;
        }
        let Some(wave) = next else {
            return Step::Done;
        };
        if self.paused {
            return Step::Paused { wave };
        }
        let want = (self.targets[wave] - released) as usize;
        let ids: Vec<u64> = self
            .order
            .iter()
            .filter(|id| self.stands.get(id) == Some(&Stand::Unapproved))
            .take(want)
            .copied()
            .collect();
        self.facts[wave].started.get_or_insert(now);
        Step::Release { wave, ids }
    }

    /// Goes on past a crossed gate (the operator confirmed it): the next
    /// wave is released as if it had held.
    pub fn go_on(&mut self) {
        if self.stopped.take().is_some() {
            self.overridden = true;
        }
    }

    /// A crossed gate in words: where it stopped and what is left (after
    /// the last wave nothing is: the rollout ended under its gate).
    pub fn crossed(&self, wave: usize, figure: Figure) -> String {
        let reading = format!(
            "{} failed of {} final crosses the gate {}",
            figure.failed,
            figure.final_,
            self.gate.map(|g| g.to_string()).unwrap_or_default()
        );
        match self.total() - self.released() {
            0 => format!("every wave released: {reading}"),
            left => format!(
                "stopped after wave {}/{}: {reading}; {left} left unapproved",
                wave + 1,
                self.waves.len()
            ),
        }
    }

    /// The waves as a dry run shows them: each wave's share, where it
    /// reaches, and the ids it would release (a wave already reached
    /// releases none).
    pub fn preview(&self) -> Vec<(Share, u64, Vec<u64>)> {
        let mut unapproved = self
            .order
            .iter()
            .filter(|id| self.stands.get(id) == Some(&Stand::Unapproved));
        let mut reached = self.released();
        self.waves
            .iter()
            .zip(&self.targets)
            .map(|(share, &target)| {
                let n = target.saturating_sub(reached);
                reached = reached.max(target);
                (
                    *share,
                    target,
                    unapproved.by_ref().take(n as usize).copied().collect(),
                )
            })
            .collect()
    }

    /// Each wave's members by where they stand now: the released
    /// activities in release order, the first `targets[0]` in wave 1 and
    /// so on (an uninterrupted run released exactly these).
    pub fn by_wave(&self) -> Vec<HashMap<Stand, u64>> {
        let released: Vec<Stand> = self
            .order
            .iter()
            .filter_map(|id| self.stands.get(id).copied())
            .filter(|s| *s != Stand::Unapproved)
            .collect();
        let mut from = 0usize;
        self.targets
            .iter()
            .map(|&t| {
                let to = (t as usize).min(released.len()).max(from);
                let mut tally = HashMap::new();
                for s in &released[from..to] {
                    *tally.entry(*s).or_insert(0) += 1;
                }
                from = to;
                tally
            })
            .collect()
    }
}
