//! The dataset file (`docs/dataset-format.md`): load with errors that
//! name the record and field, save in the same shape. Nothing runs on a
//! half-loaded dataset: a load either gives a whole engine or an error.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::dataset_reader::{DatasetError, DatasetReader, Entry, RawRecord, value};
use super::{Engine, Progress};
use crate::model::{Activity, ActivityStatus, Computer, Creator, Field};

/// A reader that counts what passes through it.
struct Counted<'a, R> {
    inner: R,
    progress: &'a Progress,
}

impl<R: std::io::Read> std::io::Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.add(n as u64);
        Ok(n)
    }
}

/// `#3 (id 42)`: how an error names a record, from its text.
fn record(index: usize, text: &[u8]) -> String {
    #[derive(Deserialize)]
    struct IdOnly {
        id: Option<Value>,
    }
    match serde_json::from_slice::<IdOnly>(text) {
        Ok(IdOnly { id: Some(id) }) => format!("#{index} (id {id})"),
        _ => format!("#{index}"),
    }
}

/// The same, for a record already parsed.
fn named(index: usize, id: u64) -> String {
    format!("#{index} (id {id})")
}

fn typed<T: serde::de::DeserializeOwned>(what: &str, raw: &RawRecord) -> Result<T, DatasetError> {
    // Fast path first; only a record that fails is parsed again to learn
    // which field was wrong (tracking the path costs on every field).
    if let Ok(v) = serde_json::from_slice(raw.text) {
        return Ok(v);
    }
    let mut de = serde_json::Deserializer::from_slice(raw.text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            String::new()
        } else {
            format!(" field `{path}`:")
        };
        DatasetError(format!(
            "{what} {}:{field} {}",
            record(raw.index, raw.text),
            e.inner()
        ))
    })
}

fn parse_computer(_: &mut (), raw: RawRecord) -> Result<Computer, DatasetError> {
    typed("computer", &raw)
}

fn parse_activity(pool: &mut Shared, raw: RawRecord) -> Result<Activity, DatasetError> {
    let mut a = typed("activity", &raw)?;
    pool.share(&mut a);
    Ok(a)
}

/// One shared copy of what repeats, so a million activities by a few dozen
/// people, of a few dozen types, hold each once; the children of a request
/// share its summary, and result texts, package names and versions repeat. Creators with fields we do not know stay as they are.
#[derive(Default)]
struct Shared {
    creators: HashMap<CreatorKey, Arc<Creator>>,
    texts: HashSet<Arc<str>>,
}

/// Name, email and id: what tells two creators apart.
type CreatorKey = (Option<String>, Option<String>, Option<u64>);

impl Shared {
    const MOST_TEXTS: usize = 100_000;

    fn share(&mut self, a: &mut Activity) {
        a.activity_type = self.text(&a.activity_type);
        a.summary = self.text(&a.summary);
        if let Field::Value(text) = &a.result_text {
            a.result_text = Field::Value(self.text(text));
        }
        if let Field::Value(changes) = &mut a.changes {
            for c in changes {
                c.package = self.text(&c.package);
                c.change_type = self.text(&c.change_type);
                for v in [
                    &mut c.version,
                    &mut c.install_version,
                    &mut c.remove_version,
                ] {
                    if let Field::Value(text) = v {
                        *text = self.text(text);
                    }
                }
            }
        }
        let Field::Value(c) = &mut a.creator else {
            return;
        };
        if !c.extra.is_empty() {
            return;
        }
        let key = (c.name.get().cloned(), c.email.get().cloned(), c.id.copied());
        *c = self
            .creators
            .entry(key)
            .or_insert_with(|| c.clone())
            .clone();
    }

    /// The shared copy of `text`. Past [`Shared::MOST_TEXTS`] distinct
    /// texts, new ones are not kept: a file of unique script outputs must
    /// not hold a second index of them while it loads.
    fn text(&mut self, text: &Arc<str>) -> Arc<str> {
        match self.texts.get(text) {
            Some(shared) => shared.clone(),
            None => {
                if self.texts.len() < Self::MOST_TEXTS {
                    self.texts.insert(text.clone());
                }
                text.clone()
            }
        }
    }
}

impl Engine {
    /// Loads a dataset file as it streams in (see `dataset_reader`).
    pub fn load(path: &Path) -> Result<Engine, DatasetError> {
        Engine::load_with_progress(path, &Progress::default())
    }

    /// The same, counting the bytes read into `progress`.
    pub fn load_with_progress(path: &Path, progress: &Progress) -> Result<Engine, DatasetError> {
        let failed = |e: &dyn fmt::Display| DatasetError(format!("{}: {e}", path.display()));
        let file = std::fs::File::open(path).map_err(|e| failed(&e))?;
        progress.start(
            file.metadata().map_or(0, |m| m.len()),
            crate::progress::Unit::Bytes,
        );
        let counted = Counted {
            inner: file,
            progress,
        };
        Engine::from_dataset_reader(counted).map_err(|e| failed(&e))
    }

    pub fn from_dataset_str(text: &str) -> Result<Engine, DatasetError> {
        Engine::from_dataset_reader(text.as_bytes())
    }

    pub fn from_dataset_reader(input: impl std::io::Read) -> Result<Engine, DatasetError> {
        let mut reader = DatasetReader::new(input);
        let (mut computers, mut activities): (Vec<Computer>, Vec<Activity>) = (vec![], vec![]);
        let (mut clock, mut seed): (Option<DateTime<Utc>>, Option<u64>) = (None, None);
        let mut journal_seq = 0u64;
        let mut events: Vec<crate::model::event::ServerEvent> = Vec::new();
        let mut searches: Vec<crate::model::SavedSearch> = Vec::new();
        let mut pending: Vec<Value> = Vec::new();
        while let Some(entry) = reader.next_entry(&["computers", "activities"])? {
            match entry {
                Entry::List(key) if key == "computers" => {
                    computers = reader.records(parse_computer)?;
                }
                Entry::List(_) => activities = reader.records(parse_activity)?,
                Entry::Value(key, raw) if key == "clock" => clock = value(&key, &raw)?,
                Entry::Value(key, raw) if key == "seed" => seed = value(&key, &raw)?,
                Entry::Value(key, raw) if key == "journal_seq" => {
                    journal_seq = value(&key, &raw)?;
                }
                Entry::Value(key, raw) if key == "events" => events = value(&key, &raw)?,
                Entry::Value(key, raw) if key == "saved_searches" => {
                    searches = value(&key, &raw)?;
                }
                Entry::Value(key, raw) if key == "pending_computers" => {
                    pending = value(&key, &raw)?;
                }
                // Keys this build does not know are passed over.
                Entry::Value(..) => {}
            }
        }
        check_references(&computers, &activities)?;
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
        let clock = clock.or(latest).unwrap_or_else(Utc::now);
        let seed = seed.unwrap_or(0);
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
        let mut engine = Engine::new(computers, activities, clock, seed);
        engine.journal_seq = journal_seq;
        engine.events = events;
        engine.pending_computers = pending;
        for search in searches {
            let name = search.name.clone();
            engine
                .save_search(search)
                .map_err(|e| DatasetError(format!("saved search {name:?}: {}", e.message)))?;
        }
        Ok(engine)
    }

    /// The engine's state in the dataset format.
    #[cfg(any(test, feature = "test-support"))]
    pub fn to_dataset(&self) -> Value {
        let activities: Vec<&Activity> = self.store.activities.iter().collect();
        let computers: Vec<&Computer> = self.store.computers.values().collect();
        let mut dataset = serde_json::json!({
            "computers": computers,
            "activities": activities,
            "clock": self.now,
            "seed": self.seed,
        });
        // Only where there are some: a dataset without actions stays as
        // it was written.
        if !self.events.is_empty() {
            dataset["events"] = serde_json::json!(self.events);
        }
        if !self.saved_searches.is_empty() {
            dataset["saved_searches"] = serde_json::json!(self.saved_searches);
        }
        if !self.pending_computers.is_empty() {
            dataset["pending_computers"] = serde_json::json!(self.pending_computers);
        }
        dataset
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
            journal_seq: u64,
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            events: &'a [crate::model::event::ServerEvent],
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            saved_searches: &'a [crate::model::SavedSearch],
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            pending_computers: &'a [Value],
        }
        let failed = |e: &dyn fmt::Display| DatasetError(format!("{}: {e}", path.display()));
        let file = std::fs::File::create(path).map_err(|e| failed(&e))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let saved = Saved {
            computers: self.store.computers.values().collect(),
            activities: &self.store.activities,
            clock: self.now,
            seed: self.seed,
            journal_seq: self.journal_seq,
            events: &self.events,
            saved_searches: &self.saved_searches,
            pending_computers: &self.pending_computers,
        };
        serde_json::to_writer(&mut out, &saved).map_err(|e| failed(&e))?;
        std::io::Write::flush(&mut out).map_err(|e| failed(&e))
    }

    /// Records and computers equal, clock equal: the state a save keeps.
    #[cfg(any(test, feature = "test-support"))]
    pub fn same_state(&self, other: &Engine) -> bool {
        self.now == other.now
            && self.seed == other.seed
            && self.events == other.events
            && self.saved_searches == other.saved_searches
            && self.pending_computers == other.pending_computers
            && self.store.computers == other.store.computers
            && self.store.activities.len() == other.store.activities.len()
            && self
                .store
                .activities
                .iter()
                .all(|a| other.store.get(a.id) == Some(a))
    }
}

/// Ids are unique, statuses known, and every computer and parent named
/// exists; the error names the record.
fn check_references(computers: &[Computer], activities: &[Activity]) -> Result<(), DatasetError> {
    let mut computer_ids = HashSet::with_capacity(computers.len());
    for (i, c) in computers.iter().enumerate() {
        if !computer_ids.insert(c.id) {
            return Err(DatasetError(format!(
                "computer {}: duplicate id {}",
                named(i, c.id),
                c.id
            )));
        }
    }
    let mut ids = HashSet::with_capacity(activities.len());
    for (i, a) in activities.iter().enumerate() {
        let v = a.id;
        if !ids.insert(a.id) {
            return Err(DatasetError(format!(
                "activity {}: duplicate id {}",
                named(i, v),
                a.id
            )));
        }
        if let Some(ActivityStatus::Other(s)) = a.status() {
            return Err(DatasetError(format!(
                "activity {}: field `activity_status`: unknown status \"{s}\"; expected one of {}",
                named(i, v),
                ActivityStatus::NAMES.join(", ")
            )));
        }
        if let Some(c) = a.computer()
            && !computer_ids.contains(&c)
        {
            return Err(DatasetError(format!(
                "activity {}: field `computer_id`: no computer has id {c}",
                named(i, v)
            )));
        }
    }
    for (i, a) in activities.iter().enumerate() {
        let v = a.id;
        if let Some(p) = a.parent()
            && !ids.contains(&p)
        {
            return Err(DatasetError(format!(
                "activity {}: field `parent_id`: no activity has id {p}",
                named(i, v)
            )));
        }
    }
    Ok(())
}
