//! The activity record, in the shape both APIs send (REST v2 and legacy).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ActivityStatus, Extra, Field};

/// The parent type: one request to many computers.
pub const ACTIVITY_GROUP: &str = "ActivityGroup";

/// Who asked for an activity.
/// Types that report `progress` while in flight (pocket syncs, release
/// upgrades, provisioning).
pub const LONG_RUNNING_TYPES: [&str; 4] = [
    "SyncPocketRequest",
    "ReleaseUpgradeRequest",
    "CreateChildComputerActivity",
    "UpgradeAllPackagesRequest",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Creator {
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub name: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub email: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub id: Field<u64>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Creator {
    pub fn new(name: &str, email: &str, id: u64) -> Creator {
        Creator {
            name: Field::Value(name.to_owned()),
            email: Field::Value(email.to_owned()),
            id: Field::Value(id),
            extra: Extra::default(),
        }
    }

    pub fn email(&self) -> Option<&str> {
        self.email.get().map(String::as_str)
    }
}

/// One package change of a `ChangePackagesRequest`. The legacy API sends
/// `version`; REST sends `install_version` / `remove_version`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageChange {
    pub package: Arc<str>,
    #[serde(rename = "type")]
    pub change_type: Arc<str>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub complemented: Field<bool>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub version: Field<Arc<str>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub install_version: Field<Arc<str>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub remove_version: Field<Arc<str>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// What Landscape lets an operator do with an activity now (REST only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ActivityActions {
    #[serde(default)]
    pub approvable: bool,
    #[serde(default)]
    pub cancelable: bool,
    #[serde(default)]
    pub reappliable: bool,
}

/// A parent's children counted by health: good = succeeded,
/// bad = failed or canceled, warning = anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChildrenStatuses {
    #[serde(default)]
    pub good: u64,
    #[serde(default)]
    pub warning: u64,
    #[serde(default)]
    pub bad: u64,
}

/// An activity: a standalone request, a child (one computer's part of a
/// request), or a parent (`type: "ActivityGroup"`, with the derived fields).
///
/// Every field but the four a record cannot do without is a [`Field`], so
/// what was absent stays absent and what was `null` stays `null`; fields this
/// build does not know are kept in `extra` and written back as they came.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub id: u64,
    pub creation_time: DateTime<Utc>,
    /// Shared: an account has few creators and many activities.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub creator: Field<Arc<Creator>>,
    /// Shared text: an account has a few dozen types, and the children of
    /// a request share its summary.
    #[serde(rename = "type")]
    pub activity_type: Arc<str>,
    pub summary: Arc<str>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub result_text: Field<Arc<str>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub computer_id: Field<u64>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub approval_time: Field<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub delivery_time: Field<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub deliver_after_time: Field<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub deliver_before_time: Field<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub package_ids: Field<Vec<u64>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub changes: Field<Vec<PackageChange>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub parent_id: Field<u64>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub modification_time: Field<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub completion_time: Field<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub schedule_before_time: Field<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub schedule_after_time: Field<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub result_code: Field<i64>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub activity_status: Field<ActivityStatus>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub children: Field<Vec<Value>>,
    /// 0 not started, 1–100 percent done, -1 failed (long-running types).
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub progress: Field<i64>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub actions: Field<ActivityActions>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub children_count: Field<u64>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub children_statuses: Field<ChildrenStatuses>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub computer_count: Field<u64>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub deliver_delay_window: Field<i64>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub computer: Field<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Activity {
    /// A record in the full REST shape: every standard field present, unset
    /// ones `null`, status `undelivered`.
    pub fn new(
        id: u64,
        activity_type: impl Into<Arc<str>>,
        summary: impl Into<Arc<str>>,
        creation_time: DateTime<Utc>,
    ) -> Activity {
        Activity {
            id,
            creation_time,
            creator: Field::Null,
            activity_type: activity_type.into(),
            summary: summary.into(),
            result_text: Field::Null,
            computer_id: Field::Null,
            approval_time: Field::Null,
            delivery_time: Field::Null,
            deliver_after_time: Field::Null,
            deliver_before_time: Field::Null,
            package_ids: Field::Value(Vec::new()),
            changes: Field::Value(Vec::new()),
            parent_id: Field::Null,
            modification_time: Field::Value(creation_time),
            completion_time: Field::Null,
            schedule_before_time: Field::Null,
            schedule_after_time: Field::Null,
            result_code: Field::Null,
            activity_status: Field::Value(ActivityStatus::Undelivered),
            children: Field::Value(Vec::new()),
            progress: Field::Absent,
            actions: Field::Absent,
            children_count: Field::Absent,
            children_statuses: Field::Absent,
            computer_count: Field::Absent,
            deliver_delay_window: Field::Absent,
            computer: Field::Absent,
            extra: Extra::default(),
        }
    }

    /// Every field a server always sends, `null` where a record (a
    /// dataset's, say) left it out: clients such as the web UI read a
    /// missing `completion_time` as "now", a `null` one as "not yet".
    pub fn fill_standard_fields(&mut self) {
        fn null<T>(f: &mut Field<T>) {
            if f.is_absent() {
                *f = Field::Null;
            }
        }
        null(&mut self.creator);
        null(&mut self.result_text);
        null(&mut self.computer_id);
        null(&mut self.approval_time);
        null(&mut self.delivery_time);
        null(&mut self.deliver_after_time);
        null(&mut self.deliver_before_time);
        null(&mut self.parent_id);
        null(&mut self.modification_time);
        null(&mut self.completion_time);
        null(&mut self.schedule_before_time);
        null(&mut self.schedule_after_time);
        null(&mut self.result_code);
        null(&mut self.activity_status);
    }

    pub fn is_parent(&self) -> bool {
        *self.activity_type == *ACTIVITY_GROUP
    }

    /// Top level: a parent or a standalone activity (no `parent_id`).
    pub fn is_top_level(&self) -> bool {
        !self.parent_id.is_some()
    }

    /// The status, or `None` when the record has none (legacy records of
    /// long-running activities report `progress` instead).
    pub fn status(&self) -> Option<&ActivityStatus> {
        self.activity_status.get()
    }

    /// Its status can no longer change (an unknown one still may).
    pub fn is_final(&self) -> bool {
        self.status().is_some_and(|s| s.is_final())
    }

    pub fn creator_email(&self) -> Option<&str> {
        self.creator.get().and_then(|c| c.email())
    }

    pub fn parent(&self) -> Option<u64> {
        self.parent_id.copied()
    }

    pub fn computer(&self) -> Option<u64> {
        self.computer_id.copied()
    }
}
