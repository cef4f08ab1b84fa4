//! The confirmation: what an action will do, counted before it is sent.

use crate::backend::action_plan::ActionPlan;
use crate::model::ActionKind;
use crate::model::scope::Scope;

/// What a confirmation says before an action runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub kind: ActionKind,
    /// What the action acts on; the plan counts it and proceeding sends it.
    pub scope: Scope,
    /// What was picked, said for the operator ("2 marked", "row 7").
    pub picked: String,
    /// Filled in by the dry run; `None` while it runs.
    pub plan: Option<ActionPlan>,
    /// Marked activities the current query does not show.
    pub hidden_marked: usize,
    /// The selected row is shown only through some children:
    /// (its summary, matching children, all children).
    pub partial: Option<(String, u64, u64)>,
    /// The marks this action consumes when it succeeds.
    pub from_marks: bool,
    /// A group picked under a query: the other choice (what the query
    /// brings of it, or the whole group).
    pub choice: Option<Choice>,
}

/// The choice a confirmation on one group offers besides the one shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub other: Scope,
    pub plan: Option<ActionPlan>,
    /// What was picked, said of the other choice.
    pub picked: String,
    /// The dialog shows the whole group now (the other is the query's).
    pub whole: bool,
}

impl Confirm {
    /// Shows the other choice.
    pub fn switch(&mut self) {
        if let Some(choice) = &mut self.choice {
            std::mem::swap(&mut self.scope, &mut choice.other);
            std::mem::swap(&mut self.plan, &mut choice.plan);
            std::mem::swap(&mut self.picked, &mut choice.picked);
            choice.whole = !choice.whole;
        }
    }
}

impl Confirm {
    /// Proceeding sends only what can change when Landscape would refuse
    /// the whole (all or nothing).
    pub fn only_changeable(&self) -> bool {
        self.plan.as_ref().is_some_and(ActionPlan::would_be_refused)
    }
}
