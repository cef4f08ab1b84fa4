//! The dataset file (`reference/dataset-format.md`): load with errors that
//! name the record and field, save in the same shape. Nothing runs on a
//! half-loaded dataset: a load either gives a whole engine or an error.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Engine;
use crate::model::{Activity, ActivityStatus, Computer};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetError(pub String);

impl fmt::Display for DatasetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DatasetError {}

#[derive(Deserialize)]
struct RawDataset {
    #[serde(default)]
    computers: Vec<Value>,
    #[serde(default)]
    activities: Vec<Value>,
    #[serde(default)]
    clock: Option<DateTime<Utc>>,
    #[serde(default)]
    seed: Option<u64>,
}

/// `#3 (id 42)`: how an error names a record.
fn record(index: usize, v: &Value) -> String {
    match v.get("id") {
        Some(id) => format!("#{index} (id {id})"),
        None => format!("#{index}"),
    }
}

fn typed<T: serde::de::DeserializeOwned>(
    what: &str,
    index: usize,
    v: &Value,
) -> Result<T, DatasetError> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            String::new()
        } else {
            format!(" field `{path}`:")
        };
        DatasetError(format!("{what} {}:{field} {}", record(index, v), e.inner()))
    })
}

impl Engine {
    pub fn load(path: &Path) -> Result<Engine, DatasetError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| DatasetError(format!("{}: {e}", path.display())))?;
        Engine::from_dataset_str(&text)
            .map_err(|e| DatasetError(format!("{}: {e}", path.display())))
    }

    pub fn from_dataset_str(text: &str) -> Result<Engine, DatasetError> {
        let raw: RawDataset =
            serde_json::from_str(text).map_err(|e| DatasetError(format!("not a dataset: {e}")))?;
        let mut computers = Vec::with_capacity(raw.computers.len());
        let mut computer_ids = HashSet::new();
        for (i, v) in raw.computers.iter().enumerate() {
            let c: Computer = typed("computer", i, v)?;
            if !computer_ids.insert(c.id) {
                return Err(DatasetError(format!(
                    "computer {}: duplicate id {}",
                    record(i, v),
                    c.id
                )));
            }
            computers.push(c);
        }
        let mut activities = Vec::with_capacity(raw.activities.len());
        let mut ids = HashSet::new();
        for (i, v) in raw.activities.iter().enumerate() {
            let a: Activity = typed("activity", i, v)?;
            if !ids.insert(a.id) {
                return Err(DatasetError(format!(
                    "activity {}: duplicate id {}",
                    record(i, v),
                    a.id
                )));
            }
            if let Some(ActivityStatus::Other(s)) = a.status() {
                return Err(DatasetError(format!(
                    "activity {}: field `activity_status`: unknown status \"{s}\"; expected one of {}",
                    record(i, v),
                    ActivityStatus::NAMES.join(", ")
                )));
            }
            if let Some(c) = a.computer()
                && !computer_ids.contains(&c)
            {
                return Err(DatasetError(format!(
                    "activity {}: field `computer_id`: no computer has id {c}",
                    record(i, v)
                )));
            }
            activities.push(a);
        }
        for (i, (a, v)) in activities.iter().zip(&raw.activities).enumerate() {
            if let Some(p) = a.parent()
                && !ids.contains(&p)
            {
                return Err(DatasetError(format!(
                    "activity {}: field `parent_id`: no activity has id {p}",
                    record(i, v)
                )));
            }
        }
        // Default status: a record without one is queued.
        for a in &mut activities {
            if !a.is_parent() && a.status().is_none() && a.progress.is_absent() {
                a.activity_status = crate::model::Field::Value(ActivityStatus::Undelivered);
            }
        }
        let latest = activities
            .iter()
            .flat_map(|a| {
                [
                    Some(a.creation_time),
                    a.modification_time.copied(),
                    a.completion_time.copied(),
                    a.delivery_time.copied(),
                ]
            })
            .flatten()
            .max();
        let clock = raw.clock.or(latest).unwrap_or_else(Utc::now);
        let seed = raw.seed.unwrap_or(0);
        // A long-running activity given as `delivered` at some progress
        // started that far into its run, so the clock carries it on from there.
        for a in &mut activities {
            if a.status() == Some(&ActivityStatus::Delivered)
                && a.delivery_time.get().is_none()
                && let Some(p) = a.progress.copied().filter(|p| (0..100).contains(p))
            {
                let run = super::fate::fate(seed, a.id, &a.activity_type).duration;
                let into = chrono::Duration::seconds(run.num_seconds() * p / 100);
                a.delivery_time = crate::model::Field::Value(clock - into);
            }
        }
        Ok(Engine::new(computers, activities, clock, seed))
    }

    /// The engine's state in the dataset format.
    pub fn to_dataset(&self) -> Value {
        let activities: Vec<&Activity> = self.store.activities.iter().collect();
        let computers: Vec<&Computer> = self.store.computers.values().collect();
        json!({
            "computers": computers,
            "activities": activities,
            "clock": self.now,
            "seed": self.seed,
        })
    }

    pub fn save(&self, path: &Path) -> Result<(), DatasetError> {
        let text = serde_json::to_string_pretty(&self.to_dataset())
            .map_err(|e| DatasetError(format!("cannot write the dataset: {e}")))?;
        std::fs::write(path, text).map_err(|e| DatasetError(format!("{}: {e}", path.display())))
    }

    /// Records and computers equal, clock equal: the state a save keeps.
    pub fn same_state(&self, other: &Engine) -> bool {
        self.now == other.now
            && self.seed == other.seed
            && self.store.computers == other.store.computers
            && self.store.activities.len() == other.store.activities.len()
            && self
                .store
                .activities
                .iter()
                .all(|a| other.store.get(a.id) == Some(a))
    }
}
