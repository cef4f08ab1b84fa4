//! The engine's side of the lifecycle (`docs/lifecycle.md`): how a parent's
//! fields derive from its children, and the `actions` flags. Which action
//! each status allows is a rule every backend speaks: `ActionKind::refusal`.

use std::collections::BTreeSet;

use crate::model::{
    ActionKind, Activity, ActivityActions, ActivityStatus, ChildrenStatuses, Health,
};

pub use crate::model::LONG_RUNNING_TYPES;

pub fn is_long_running(activity_type: &str) -> bool {
    LONG_RUNNING_TYPES.contains(&activity_type)
}

/// The `actions` flags of a single activity.
pub fn flags(activity: &Activity) -> ActivityActions {
    ActivityActions {
        approvable: ActionKind::Approve.refusal(activity).is_none(),
        cancelable: ActionKind::Cancel.refusal(activity).is_none(),
        reappliable: ActionKind::Reapply.refusal(activity).is_none(),
    }
}

/// A parent's flags: an action is possible when it is for some child.
pub fn parent_flags<'a>(children: impl IntoIterator<Item = &'a Activity>) -> ActivityActions {
    children
        .into_iter()
        .fold(ActivityActions::default(), |acc, c| {
            let f = flags(c);
            ActivityActions {
                approvable: acc.approvable || f.approvable,
                cancelable: acc.cancelable || f.cancelable,
                reappliable: acc.reappliable || f.reappliable,
            }
        })
}

/// What a parent shows, derived from its children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    pub status: ActivityStatus,
    pub statuses: ChildrenStatuses,
    pub children: u64,
    pub computers: u64,
}

/// Derives a parent's fields. A parent with no children is `succeeded`
/// (nothing is left to do), as Landscape shows an empty group.
pub fn derive<'a>(children: impl IntoIterator<Item = &'a Activity>) -> Derived {
    let mut statuses = ChildrenStatuses::default();
    let mut seen: Vec<&ActivityStatus> = Vec::new();
    let mut computers = BTreeSet::new();
    let mut count = 0;
    for c in children {
        count += 1;
        let status = c.status().unwrap_or(&ActivityStatus::Undelivered);
        match status.health() {
            Health::Good => statuses.good += 1,
            Health::Warning => statuses.warning += 1,
            Health::Bad => statuses.bad += 1,
        }
        if !seen.contains(&status) {
            seen.push(status);
        }
        if let Some(id) = c.computer() {
            computers.insert(id);
        }
    }
    let any = |s: &ActivityStatus| seen.contains(&s);
    let status = if any(&ActivityStatus::Unapproved) {
        ActivityStatus::Unapproved
    } else if let Some(pending) = [
        ActivityStatus::Blocked,
        ActivityStatus::Waiting,
        ActivityStatus::Undelivered,
        ActivityStatus::Scheduled,
        ActivityStatus::Delivered,
    ]
    .into_iter()
    .find(|s| any(s))
    {
        pending
    } else if seen.iter().all(|s| **s == ActivityStatus::Succeeded) {
        ActivityStatus::Succeeded
    } else if seen.iter().all(|s| **s == ActivityStatus::Canceled) {
        ActivityStatus::Canceled
    } else {
        ActivityStatus::Failed
    };
    Derived {
        status,
        statuses,
        children: count,
        computers: computers.len() as u64,
    }
}

/// The change that undoes `change_type`.
pub fn inverse_change(change_type: &str) -> &str {
    match change_type {
        "install" => "remove",
        "remove" => "install",
        "upgrade" => "downgrade",
        "downgrade" => "upgrade",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;
    use chrono::Utc;

    fn with(status: ActivityStatus) -> Activity {
        let mut a = Activity::new(1, "ChangePackagesRequest", "x", Utc::now());
        a.activity_status = Field::Value(status);
        a
    }

    #[test]
    fn each_transition_allowed_and_refused() {
        use ActivityStatus::*;
        let approve_from = [Unapproved];
        let cancel_from = [
            Unapproved,
            Undelivered,
            Scheduled,
            Waiting,
            Blocked,
            Delivered,
        ];
        let reapply_from = [Succeeded, Failed, Canceled];
        for s in ActivityStatus::KNOWN {
            let a = with(s.clone());
            assert_eq!(
                ActionKind::Approve.refusal(&a).is_none(),
                approve_from.contains(&s),
                "approve {s}"
            );
            assert_eq!(
                ActionKind::Cancel.refusal(&a).is_none(),
                cancel_from.contains(&s),
                "cancel {s}"
            );
            assert_eq!(
                ActionKind::Reapply.refusal(&a).is_none(),
                reapply_from.contains(&s),
                "reapply {s}"
            );
            assert_eq!(
                ActionKind::Revert.refusal(&a).is_none(),
                s == Succeeded,
                "revert {s}"
            );
        }
        let mut restart = with(Succeeded);
        restart.activity_type = "RestartRequest".into();
        assert!(
            ActionKind::Revert
                .refusal(&restart)
                .unwrap()
                .contains("only package changes")
        );
        // An unknown status from a newer server allows nothing.
        let other = with(ActivityStatus::Other("paused".into()));
        assert!(ActionKind::ALL.iter().all(|k| k.refusal(&other).is_some()));
    }

    #[test]
    fn parent_status_derivation() {
        use ActivityStatus::*;
        let d = |ss: &[ActivityStatus]| {
            derive(
                ss.iter()
                    .map(|s| with(s.clone()))
                    .collect::<Vec<_>>()
                    .iter(),
            )
            .status
        };
        assert_eq!(d(&[Succeeded, Unapproved, Delivered]), Unapproved);
        assert_eq!(d(&[Succeeded, Delivered, Waiting]), Waiting);
        assert_eq!(d(&[Blocked, Waiting]), Blocked);
        assert_eq!(d(&[Scheduled, Delivered]), Scheduled);
        assert_eq!(d(&[Undelivered, Scheduled]), Undelivered);
        assert_eq!(d(&[Succeeded, Delivered]), Delivered);
        assert_eq!(d(&[Succeeded, Succeeded]), Succeeded);
        assert_eq!(d(&[Canceled, Canceled]), Canceled);
        assert_eq!(d(&[Succeeded, Canceled]), Failed);
        assert_eq!(d(&[Failed, Succeeded]), Failed);
    }

    #[test]
    fn children_statuses_count_by_health() {
        use ActivityStatus::*;
        let children: Vec<Activity> = [Succeeded, Failed, Canceled, Delivered, Unapproved]
            .into_iter()
            .map(with)
            .collect();
        let d = derive(children.iter());
        assert_eq!(
            d.statuses,
            ChildrenStatuses {
                good: 1,
                warning: 2,
                bad: 2
            }
        );
        assert_eq!(d.children, 5);
    }
}
