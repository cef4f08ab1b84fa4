//! The status of an activity, as the APIs spell it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One of the nine statuses Landscape servers send, or a string this build
/// does not know yet (kept as it came, so a newer server never breaks a page).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActivityStatus {
    Unapproved,
    Undelivered,
    Scheduled,
    Waiting,
    Blocked,
    Delivered,
    Succeeded,
    Failed,
    Canceled,
    Other(String),
}

impl ActivityStatus {
    /// The nine known statuses, in lifecycle order.
    pub const KNOWN: [ActivityStatus; 9] = [
        ActivityStatus::Unapproved,
        ActivityStatus::Undelivered,
        ActivityStatus::Scheduled,
        ActivityStatus::Waiting,
        ActivityStatus::Blocked,
        ActivityStatus::Delivered,
        ActivityStatus::Succeeded,
        ActivityStatus::Failed,
        ActivityStatus::Canceled,
    ];

    /// The wire names of the known statuses, in the order the legacy
    /// documentation lists them, then the two newer ones.
    pub const NAMES: [&'static str; 9] = [
        "undelivered",
        "unapproved",
        "delivered",
        "canceled",
        "failed",
        "succeeded",
        "scheduled",
        "waiting",
        "blocked",
    ];

    pub fn as_str(&self) -> &str {
        match self {
            ActivityStatus::Unapproved => "unapproved",
            ActivityStatus::Undelivered => "undelivered",
            ActivityStatus::Scheduled => "scheduled",
            ActivityStatus::Waiting => "waiting",
            ActivityStatus::Blocked => "blocked",
            ActivityStatus::Delivered => "delivered",
            ActivityStatus::Succeeded => "succeeded",
            ActivityStatus::Failed => "failed",
            ActivityStatus::Canceled => "canceled",
            ActivityStatus::Other(s) => s,
        }
    }

    /// Parses a wire name; unknown names become `Other` (never an error).
    pub fn from_wire(s: &str) -> ActivityStatus {
        Self::known(s).unwrap_or_else(|| ActivityStatus::Other(s.to_owned()))
    }

    /// A known status by name, ignoring ASCII case.
    pub fn known(s: &str) -> Option<ActivityStatus> {
        Self::KNOWN
            .iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
            .cloned()
    }

    /// Where it sorts by what needs attention: failed, then what waits
    /// for someone (unapproved), for its computer (undelivered,
    /// scheduled) or on something else (waiting, blocked), then what runs,
    /// then what ended without trouble (canceled, succeeded).
    pub fn attention(&self) -> u8 {
        match self {
            ActivityStatus::Failed => 0,
            ActivityStatus::Unapproved => 1,
            ActivityStatus::Undelivered | ActivityStatus::Scheduled => 2,
            ActivityStatus::Waiting | ActivityStatus::Blocked => 3,
            ActivityStatus::Delivered => 4,
            ActivityStatus::Canceled => 5,
            ActivityStatus::Succeeded => 6,
            ActivityStatus::Other(_) => 7,
        }
    }

    /// Final statuses never change again.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            ActivityStatus::Succeeded | ActivityStatus::Failed | ActivityStatus::Canceled
        )
    }

    /// The bucket a parent's `children_statuses` counts this status in.
    pub fn health(&self) -> Health {
        match self {
            ActivityStatus::Succeeded => Health::Good,
            ActivityStatus::Failed | ActivityStatus::Canceled => Health::Bad,
            _ => Health::Warning,
        }
    }

    /// The label Landscape's web UI shows (it renames two statuses).
    pub fn label(&self) -> &str {
        match self {
            ActivityStatus::Undelivered => "queued",
            ActivityStatus::Delivered => "in progress",
            other => other.as_str(),
        }
    }
}

/// good = succeeded, bad = failed or canceled, warning = anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Health {
    Good,
    Warning,
    Bad,
}

impl fmt::Display for ActivityStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ActivityStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ActivityStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        // Exact match only: the wire is lower case; anything else is kept verbatim.
        Ok(ActivityStatus::KNOWN
            .iter()
            .find(|k| k.as_str() == s)
            .cloned()
            .unwrap_or(ActivityStatus::Other(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_status_is_kept_verbatim() {
        let s: ActivityStatus = serde_json::from_str("\"paused-by-operator\"").unwrap();
        assert_eq!(s, ActivityStatus::Other("paused-by-operator".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"paused-by-operator\"");
    }

    #[test]
    fn all_nine_round_trip() {
        for name in ActivityStatus::NAMES {
            let s: ActivityStatus = serde_json::from_str(&format!("\"{name}\"")).unwrap();
            assert!(!matches!(s, ActivityStatus::Other(_)), "{name}");
            assert_eq!(s.as_str(), name);
        }
    }

    #[test]
    fn health_buckets() {
        assert_eq!(ActivityStatus::Succeeded.health(), Health::Good);
        assert_eq!(ActivityStatus::Canceled.health(), Health::Bad);
        assert_eq!(ActivityStatus::Failed.health(), Health::Bad);
        assert_eq!(ActivityStatus::Blocked.health(), Health::Warning);
    }
}
