//! The dashboard's rollouts (`:rollout`, `:rollouts`): each one's run
//! (`model::rollout::run` decides every step, as it does for the command
//! line), the wave put to the operator, and what was told. Plain data,
//! kept in a file beside the watches so a rollout outlives the dashboard.
//! Pure: no clock, no I/O.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::rollout::run::Run;
use crate::model::rollout::{Gate, Share};

/// Ended rollouts kept for `:rollouts` (the newest).
const ENDED_KEPT: usize = 20;

/// What `:rollout` asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutSpec {
    pub waves: Vec<Share>,
    pub gate: Option<Gate>,
    pub soak_seconds: u64,
    /// Approve each wave without asking (as `:guard --auto` stops).
    pub auto: bool,
}

/// One rollout started from the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tracked {
    pub number: u64,
    /// What was picked ("row 500 Upgrade …", "every match of …").
    pub label: String,
    /// The backend's label: a rollout moves only on its own server.
    pub server: String,
    pub since: DateTime<Utc>,
    pub run: Run,
    pub auto: bool,
    /// A wave put to the operator (or sent), until it is read back.
    pub asked: Option<Vec<u64>>,
    /// Going on past a crossed gate asks even a rollout that does not.
    pub ask_next: bool,
    /// Where it stands, in words, for the panel.
    pub phase: String,
    /// How it ended (done, stopped by the operator), once it has.
    pub ended: Option<String>,
    /// The gate's readings told so far (one a wave).
    pub told: usize,
    /// A crossed gate was told.
    pub stop_told: bool,
}

impl Tracked {
    pub fn is_active(&self) -> bool {
        self.ended.is_none()
    }
}

/// Every rollout, and those with a call under way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rollouts {
    pub list: Vec<Tracked>,
    pub busy: BTreeSet<u64>,
}

impl Rollouts {
    /// Adds a rollout of `run`: its number.
    pub fn add(
        &mut self,
        label: String,
        server: &str,
        now: DateTime<Utc>,
        run: Run,
        auto: bool,
    ) -> u64 {
        let number = self.list.iter().map(|t| t.number).max().unwrap_or(0) + 1;
        self.list.push(Tracked {
            number,
            label,
            server: server.to_owned(),
            since: now,
            run,
            auto,
            asked: None,
            ask_next: false,
            phase: "starting".into(),
            ended: None,
            told: 0,
            stop_told: false,
        });
        self.forget_old();
        number
    }

    pub fn get_mut(&mut self, number: u64) -> Option<&mut Tracked> {
        self.list.iter_mut().find(|t| t.number == number)
    }

    /// The numbers of the rollouts moving on `server`.
    pub fn active(&self, server: &str) -> Vec<u64> {
        self.list
            .iter()
            .filter(|t| t.is_active() && t.server == server)
            .map(|t| t.number)
            .collect()
    }

    pub fn remove(&mut self, number: u64) -> Option<Tracked> {
        let at = self.list.iter().position(|t| t.number == number)?;
        Some(self.list.remove(at))
    }

    /// Only the newest ended ones are kept.
    fn forget_old(&mut self) {
        super::kept::forget_oldest(&mut self.list, |t| !t.is_active(), ENDED_KEPT);
    }
}

pub fn default_path() -> Option<PathBuf> {
    super::kept::data_file("rollouts.json")
}
