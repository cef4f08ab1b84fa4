//! The events log: who did what to which activity group or computer, and
//! when, as Landscape's `GET /events` answers it ("Activity approved:
//! Upgrade package openssl" on a computer; "Group activity canceled." on
//! a group).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ActionKind, Activity, Computer, Creator};

/// Every field defaults: a server's record without one is still read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerEvent {
    pub id: u64,
    pub person_id: Option<u64>,
    pub person_name: String,
    pub entity_id: u64,
    pub entity_name: String,
    /// `Activity group` or `Computer`, as Landscape names them.
    pub entity_type: String,
    pub message: String,
    pub creation_time: DateTime<Utc>,
}

pub const GROUP_ENTITY: &str = "Activity group";
pub const COMPUTER_ENTITY: &str = "Computer";

/// The past tense Landscape's messages use.
fn done(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Approve => "approved",
        ActionKind::Cancel => "canceled",
        ActionKind::Reapply => "reapplied",
        ActionKind::Revert => "reverted",
    }
}

impl ServerEvent {
    /// `kind` done by `by` on a group: one event for the group.
    pub fn on_group(
        id: u64,
        kind: ActionKind,
        group: &Activity,
        by: &Creator,
        at: DateTime<Utc>,
    ) -> ServerEvent {
        ServerEvent {
            id,
            person_id: by.id.copied(),
            person_name: person(by),
            entity_id: group.id,
            entity_name: group.summary.to_string(),
            entity_type: GROUP_ENTITY.into(),
            message: format!("Group activity {}.", done(kind)),
            creation_time: at,
        }
    }

    /// `kind` done by `by` on an activity of `computer` (a standalone one):
    /// the computer's event, naming the activity.
    pub fn on_computer(
        id: u64,
        kind: ActionKind,
        activity: &Activity,
        computer: Option<&Computer>,
        by: &Creator,
        at: DateTime<Utc>,
    ) -> ServerEvent {
        let verb = done(kind);
        ServerEvent {
            id,
            person_id: by.id.copied(),
            person_name: person(by),
            entity_id: computer.map_or(0, |c| c.id),
            entity_name: computer.map_or_else(String::new, |c| c.title.clone()),
            entity_type: COMPUTER_ENTITY.into(),
            message: format!("Activity {verb}: {}", activity.summary),
            creation_time: at,
        }
    }

    /// Whether it mentions `text` (the web UI's search is over messages;
    /// names too, as an operator would expect), ignoring case.
    pub fn mentions(&self, text: &str) -> bool {
        let text = text.to_lowercase();
        [&self.message, &self.entity_name, &self.person_name]
            .iter()
            .any(|f| f.to_lowercase().contains(&text))
    }
}

fn person(by: &Creator) -> String {
    by.name
        .get()
        .cloned()
        .or_else(|| by.email.get().cloned())
        .unwrap_or_default()
}
