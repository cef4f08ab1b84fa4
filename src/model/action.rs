//! What an operator can do to activities, and why one may be refused.

use std::fmt;

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
