//! What an operator can do to activities, and why one may be refused.

use std::fmt;

use super::{Activity, ActivityStatus};

/// The one type whose successful runs can be reverted.
pub const REVERTIBLE_TYPE: &str = "ChangePackagesRequest";

/// Which activities an approve or cancel applies to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Selection {
    /// Everything the search-language query selects.
    Query(String),
    /// These activities (a parent stands for its children).
    Ids(Vec<u64>),
}

/// Pending statuses from which an activity may still be canceled.
pub fn cancelable(status: &ActivityStatus) -> bool {
    matches!(
        status,
        ActivityStatus::Unapproved
            | ActivityStatus::Undelivered
            | ActivityStatus::Scheduled
            | ActivityStatus::Waiting
            | ActivityStatus::Blocked
            | ActivityStatus::Delivered
    )
}

/// The four things an operator can do to activities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    Approve,
    Cancel,
    Reapply,
    Revert,
}

impl ActionKind {
    pub const ALL: [ActionKind; 4] = [
        ActionKind::Approve,
        ActionKind::Cancel,
        ActionKind::Reapply,
        ActionKind::Revert,
    ];

    pub fn verb(self) -> &'static str {
        match self {
            ActionKind::Approve => "approve",
            ActionKind::Cancel => "cancel",
            ActionKind::Reapply => "reapply",
            ActionKind::Revert => "revert",
        }
    }

    /// "approved", "canceled", …
    pub fn past(self) -> &'static str {
        match self {
            ActionKind::Approve => "approved",
            ActionKind::Cancel => "canceled",
            ActionKind::Reapply => "reapplied",
            ActionKind::Revert => "reverted",
        }
    }

    /// "approving", "canceling", …
    pub fn ongoing(self) -> &'static str {
        match self {
            ActionKind::Approve => "approving",
            ActionKind::Cancel => "canceling",
            ActionKind::Reapply => "reapplying",
            ActionKind::Revert => "reverting",
        }
    }

    /// Why this action may not apply to a single (non-parent) activity now,
    /// by Landscape's lifecycle rules (`docs/lifecycle.md`).
    pub fn refusal(self, activity: &Activity) -> Option<String> {
        let status = activity.status();
        let name = state_of(status);
        match self {
            ActionKind::Approve => (!self.allowed_in(status))
                .then(|| format!("it {name}; only unapproved activities can be approved")),
            ActionKind::Cancel => (!self.allowed_in(status)).then(|| {
                if status.is_some_and(ActivityStatus::is_final) {
                    format!("it {name}; it has already finished")
                } else {
                    format!("it {name}; it cannot be canceled")
                }
            }),
            ActionKind::Reapply => (!self.allowed_in(status))
                .then(|| format!("it {name}; only finished activities can be reapplied")),
            ActionKind::Revert => {
                if *activity.activity_type != *REVERTIBLE_TYPE {
                    Some(format!(
                        "{} cannot be reverted; only package changes can",
                        activity.activity_type
                    ))
                } else if !self.allowed_in(status) {
                    Some(format!(
                        "it {name}; only succeeded package changes can be reverted"
                    ))
                } else {
                    None
                }
            }
        }
    }

    /// Whether an activity's status allows this action (revert also needs
    /// a package change: see [`ActionKind::refusal`]).
    pub fn allowed_in(self, status: Option<&ActivityStatus>) -> bool {
        match self {
            ActionKind::Approve => status == Some(&ActivityStatus::Unapproved),
            ActionKind::Cancel => status.is_some_and(cancelable),
            ActionKind::Reapply => status.is_some_and(ActivityStatus::is_final),
            ActionKind::Revert => status == Some(&ActivityStatus::Succeeded),
        }
    }

    /// Approve and cancel change activities; reapply and revert create new ones.
    pub fn creates(self) -> bool {
        matches!(self, ActionKind::Reapply | ActionKind::Revert)
    }
}

/// One activity an action would not change, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub id: u64,
    pub reason: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} => {}", self.id, self.reason)
    }
}

/// "is unapproved", "has succeeded", …: a status said as English, with
/// Landscape's status name in it.
fn state_of(status: Option<&ActivityStatus>) -> String {
    match status {
        None => "has no status".to_owned(),
        Some(s @ (ActivityStatus::Succeeded | ActivityStatus::Failed)) => {
            format!("has {}", s.as_str())
        }
        Some(ActivityStatus::Canceled) => "was canceled".to_owned(),
        Some(s) => format!("is {}", s.as_str()),
    }
}
