//! The dataset file (`docs/dataset-format.md`): load with errors that
//! name the record and field, save in the same shape. Nothing runs on a
//! half-loaded dataset: a load either gives a whole engine or an error.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::Engine;
use crate::model::{Activity, ActivityStatus, Computer, Creator, Field};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetError(pub String);

impl fmt::Display for DatasetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DatasetError {}

/// The file's outline: each record stays a slice of the text until it is
/// parsed into its type, so no tree of the whole file is ever built.
#[derive(Deserialize)]
struct RawDataset<'a> {
    #[serde(default, borrow)]
    computers: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    activities: Vec<&'a RawValue>,
    #[serde(default)]
    clock: Option<DateTime<Utc>>,
    #[serde(default)]
    seed: Option<u64>,
}

/// `#3 (id 42)`: how an error names a record.
fn record(index: usize, raw: &RawValue) -> String {
    #[derive(Deserialize)]
    struct IdOnly {
        id: Option<Value>,
    }
    match serde_json::from_str::<IdOnly>(raw.get()) {
        Ok(IdOnly { id: Some(id) }) => format!("#{index} (id {id})"),
        _ => format!("#{index}"),
    }
}

fn typed<T: serde::de::DeserializeOwned>(
    what: &str,
    index: usize,
    raw: &RawValue,
) -> Result<T, DatasetError> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            String::new()
        } else {
            format!(" field `{path}`:")
        };
        DatasetError(format!(
            "{what} {}:{field} {}",
            record(index, raw),
            e.inner()
        ))
    })
}

/// Parses every record, the list split across the machine's cores; the
/// first error in file order wins. `tidy` sees each record as it is parsed,
/// with state of its own per thread.
fn typed_all<T: serde::de::DeserializeOwned + Send, S: Default>(
    what: &str,
    raws: &[&RawValue],
    tidy: fn(&mut S, &mut T),
) -> Result<Vec<T>, DatasetError> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = raws.len().div_ceil(threads).max(PARSE_CHUNK_MIN);
    let parts: Vec<Result<Vec<T>, DatasetError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = raws
            .chunks(chunk)
            .enumerate()
            .map(|(n, part)| {
                scope.spawn(move || {
                    let mut state = S::default();
                    part.iter()
                        .enumerate()
                        .map(|(i, raw)| {
                            let mut record = typed(what, n * chunk + i, raw)?;
                            tidy(&mut state, &mut record);
                            Ok(record)
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut all = Vec::with_capacity(raws.len());
    for part in parts {
        all.extend(part?);
    }
    Ok(all)
}

/// One shared record per creator, so a million activities by a few dozen
/// people hold a few dozen creators. Creators with fields we do not know
/// are left as they are.
#[derive(Default)]
struct Creators(HashMap<CreatorKey, Arc<Creator>>);

/// Name, email and id: what tells two creators apart.
type CreatorKey = (Option<String>, Option<String>, Option<u64>);

fn share_creator(pool: &mut Creators, a: &mut Activity) {
    let Field::Value(c) = &mut a.creator else {
        return;
    };
    if !c.extra.is_empty() {
        return;
    }
    let key = (c.name.get().cloned(), c.email.get().cloned(), c.id.copied());
    *c = pool.0.entry(key).or_insert_with(|| c.clone()).clone();
}

fn as_is<T>(_: &mut (), _: &mut T) {}

/// Records per thread below which one thread parses them all.
const PARSE_CHUNK_MIN: usize = 4096;

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
        let computers: Vec<Computer> = typed_all("computer", &raw.computers, as_is)?;
        let mut computer_ids = HashSet::with_capacity(computers.len());
        for (i, (c, v)) in computers.iter().zip(&raw.computers).enumerate() {
            if !computer_ids.insert(c.id) {
                return Err(DatasetError(format!(
                    "computer {}: duplicate id {}",
                    record(i, v),
                    c.id
                )));
            }
        }
        let mut activities: Vec<Activity> = typed_all("activity", &raw.activities, share_creator)?;
        let mut ids = HashSet::with_capacity(activities.len());
        for (i, (a, v)) in activities.iter().zip(&raw.activities).enumerate() {
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

    /// Writes the dataset straight from the store (compact JSON, no copy of
    /// the records in between), so saving a million costs no extra memory.
    pub fn save(&self, path: &Path) -> Result<(), DatasetError> {
        #[derive(serde::Serialize)]
        struct Saved<'a> {
            computers: Vec<&'a Computer>,
            activities: &'a [Activity],
            clock: DateTime<Utc>,
            seed: u64,
        }
        let failed = |e: &dyn fmt::Display| DatasetError(format!("{}: {e}", path.display()));
        let file = std::fs::File::create(path).map_err(|e| failed(&e))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let saved = Saved {
            computers: self.store.computers.values().collect(),
            activities: &self.store.activities,
            clock: self.now,
            seed: self.seed,
        };
        serde_json::to_writer(&mut out, &saved).map_err(|e| failed(&e))?;
        std::io::Write::flush(&mut out).map_err(|e| failed(&e))
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
