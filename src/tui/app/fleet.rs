//! The fleet room: what is read beside the list (computers, the
//! long-running activities in flight, the values completion offers).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::backend::CompletionValues;
use crate::model::Activity;
use crate::model::waiting::Contact;

/// How long a computer read is kept before a row showing it reads it
/// again: a last contact minutes old still says how long it is silent.
pub const CONTACTS_LIFETIME: chrono::Duration = chrono::Duration::minutes(5);

#[derive(Debug, Clone, Default)]
pub struct Fleet {
    pub in_flight: Vec<Activity>,
    /// How many are in flight in all, and whether that is only "at
    /// least" (the legacy API does not count).
    pub in_flight_count: (u64, bool),
    /// Landscape 26.04's long-running operations still running.
    pub operations: Vec<crate::model::operation::Operation>,
    /// Those seen running that ended since, oldest first (the last few).
    pub ended_operations: Vec<crate::model::operation::Operation>,
    /// Operations the operator watches (`w` in `:operations`): their end
    /// is also a terminal notification.
    pub watched_operations: std::collections::HashSet<String>,
    pub values: CompletionValues,
    pub computer_titles: HashMap<u64, String>,
    /// When computers were last heard from, for saying why an activity
    /// waits: read for the waiting activities shown.
    pub contacts: HashMap<u64, Contact>,
    /// When each computer was read: kept for [`CONTACTS_LIFETIME`], so an
    /// idle dashboard re-reads no computer (`r` reads them again).
    pub contacts_read: HashMap<u64, DateTime<Utc>>,
}
