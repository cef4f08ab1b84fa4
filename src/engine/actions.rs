//! Approve, cancel, reapply and revert: all or nothing, with a reason for
//! every refused activity (ids ascending).

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::model::{
    ACTIVITY_GROUP, ActionKind, Activity, ActivityStatus, Field, Refusal, Selection,
};
use crate::query::{Columns, QueryError};

use super::Engine;
use super::lifecycle::inverse_change;

/// The most activities one reapply or revert creates (a group counts with
/// the children it copies): a request past it is refused, whole.
pub const MAX_CREATED: usize = 10_000;

#[derive(Debug, Clone, PartialEq)]
pub enum ActionError {
    Query(QueryError),
    /// Nothing changed, because these could not.
    Refused(Vec<Refusal>),
}

/// An action checked and not yet done (see [`Engine::prepare`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    kind: ActionKind,
    /// Rows that change (approve, cancel) or are copied (reapply, revert).
    rows: Vec<usize>,
    /// Their ids, in the same order.
    ids: Vec<u64>,
    /// What the caller of an approve or cancel is told changed.
    reported: Vec<u64>,
}

impl Prepared {
    pub fn kind(&self) -> ActionKind {
        self.kind
    }

    /// Whether doing it changes nothing (a query that matched nothing).
    pub fn changes_nothing(&self) -> bool {
        self.rows.is_empty()
    }

    /// Ids of what changes (approve, cancel) or is copied (reapply, revert):
    /// what the journal records, so that a replay never re-runs a query.
    pub fn ids(&self) -> &[u64] {
        &self.ids
    }
}

/// What a performed action did.
#[derive(Debug, Clone, PartialEq)]
pub enum Done {
    /// Approve, cancel: the ids the caller named that changed.
    Changed(Vec<u64>),
    /// Reapply, revert: the new activities.
    Created(Vec<Activity>),
}

impl Done {
    pub fn ids(self) -> Vec<u64> {
        match self {
            Done::Changed(ids) => ids,
            Done::Created(acts) => acts.into_iter().map(|a| a.id).collect(),
        }
    }

    pub fn created(self) -> Vec<Activity> {
        match self {
            Done::Created(acts) => acts,
            Done::Changed(_) => Vec::new(),
        }
    }
}

/// The plan of an approve or cancel: what changes, what the caller is told
/// changed, what is refused.
struct Plan {
    /// Rows, ascending, each once.
    change: Vec<usize>,
    /// Ids, ascending, each once.
    reported: Vec<u64>,
    refused: Vec<Refusal>,
}

impl Engine {
    fn selected(&self, selection: &Selection) -> Result<(Vec<usize>, Vec<Refusal>), ActionError> {
        match selection {
            Selection::Query(q) => {
                let m = self.matcher(q).map_err(ActionError::Query)?;
                let rows = self.select(&m, q).map_err(ActionError::Query)?;
                Ok((rows.indices(), Vec::new()))
            }
            Selection::Ids(ids) => {
                let mut found = Vec::new();
                let mut missing = Vec::new();
                for id in ids.iter().collect::<BTreeSet<_>>() {
                    match self.store.index(*id) {
                        Some(i) => found.push(i),
                        None => missing.push(Refusal {
                            id: *id,
                            reason: "no such activity".into(),
                        }),
                    }
                }
                Ok((found, missing))
            }
        }
    }

    fn plan(&self, kind: ActionKind, selection: &Selection) -> Result<Plan, ActionError> {
        let (found, mut refused) = self.selected(selection)?;
        let mut change = Vec::with_capacity(found.len());
        let mut reported = Vec::with_capacity(found.len());
        // Approve and cancel look at a single activity's status alone, so
        // the status column decides; a record is read only to say why one
        // is refused.
        let c = &self.store.columns;
        let allowed_at = |k: usize| c.status_at(k).is_some_and(|s| kind.allowed_in(Some(s)));
        let group = c.kind_id(ACTIVITY_GROUP);
        for i in found {
            let single = group.is_none_or(|g| c.kind[i] != g && g != Columns::SHARED_KIND);
            if single && allowed_at(i) {
                change.push(i);
                reported.push(c.id[i]);
                continue;
            }
            let a = &self.store.activities[i];
            if a.is_parent() {
                // A parent stands for each child the rule allows.
                let allowed: Vec<usize> = self
                    .store
                    .children
                    .get(&a.id)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|&k| allowed_at(k))
                    .collect();
                if allowed.is_empty() {
                    refused.push(Refusal {
                        id: a.id,
                        reason: format!("no activity of this group can be {}", kind.past()),
                    });
                } else {
                    change.extend(allowed);
                    reported.push(a.id);
                }
            } else {
                match kind.refusal(a) {
                    None => {
                        change.push(i);
                        reported.push(a.id);
                    }
                    Some(reason) => refused.push(Refusal { id: a.id, reason }),
                }
            }
        }
        refused.sort_by_key(|r| r.id);
        refused.dedup_by_key(|r| r.id);
        change.sort_unstable();
        change.dedup();
        reported.sort_unstable();
        reported.dedup();
        Ok(Plan {
            change,
            reported,
            refused,
        })
    }

    pub fn approve(&mut self, selection: &Selection) -> Result<Vec<u64>, ActionError> {
        let prepared = self.prepare(ActionKind::Approve, selection)?;
        Ok(self.perform(prepared).ids())
    }

    pub fn cancel(&mut self, selection: &Selection) -> Result<Vec<u64>, ActionError> {
        let prepared = self.prepare(ActionKind::Cancel, selection)?;
        Ok(self.perform(prepared).ids())
    }

    /// New copies of finished activities, created now by the engine's user.
    /// A parent is reapplied as one new parent over its finished children.
    pub fn reapply(&mut self, ids: &[u64]) -> Result<Vec<Activity>, ActionError> {
        let prepared = self.prepare(ActionKind::Reapply, &Selection::Ids(ids.to_vec()))?;
        Ok(self.perform(prepared).created())
    }

    /// New package changes that undo succeeded ones.
    pub fn revert(&mut self, ids: &[u64]) -> Result<Vec<Activity>, ActionError> {
        let prepared = self.prepare(ActionKind::Revert, &Selection::Ids(ids.to_vec()))?;
        Ok(self.perform(prepared).created())
    }

    /// Checks `kind` over `selection` against the state as it is, changing
    /// nothing: all or nothing, so any refusal refuses the whole action.
    /// What it returns is what [`Engine::perform`] will do, and what the
    /// journal records before that (see [`Prepared::journal_op`]).
    /// Reapply and revert take ids only (a query is read as none).
    pub fn prepare(
        &self,
        kind: ActionKind,
        selection: &Selection,
    ) -> Result<Prepared, ActionError> {
        match kind {
            ActionKind::Approve | ActionKind::Cancel => {
                let plan = self.plan(kind, selection)?;
                if !plan.refused.is_empty() {
                    return Err(ActionError::Refused(plan.refused));
                }
                let ids = plan
                    .change
                    .iter()
                    .map(|&i| self.store.activities[i].id)
                    .collect();
                Ok(Prepared {
                    kind,
                    rows: plan.change,
                    ids,
                    reported: plan.reported,
                })
            }
            ActionKind::Reapply | ActionKind::Revert => {
                let ids = match selection {
                    Selection::Ids(ids) => ids.clone(),
                    Selection::Query(_) => Vec::new(),
                };
                let rows = self.check_create(kind, &ids)?;
                let ids = rows.iter().map(|&i| self.store.activities[i].id).collect();
                Ok(Prepared {
                    kind,
                    rows,
                    ids,
                    reported: Vec::new(),
                })
            }
        }
    }

    /// The same action read back from the journal: the ids it changed (or
    /// copied), taken as they are, without the rules (they held when it
    /// was done). An id the state does not have is an error: the journal
    /// does not belong to this state.
    pub(super) fn prepared_from_journal(
        &self,
        kind: ActionKind,
        ids: &[u64],
    ) -> Result<Prepared, ActionError> {
        let mut rows = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        for &id in ids {
            match self.store.index(id) {
                Some(i) => rows.push(i),
                None => missing.push(Refusal {
                    id,
                    reason: "no such activity".into(),
                }),
            }
        }
        if !missing.is_empty() {
            return Err(ActionError::Refused(missing));
        }
        Ok(Prepared {
            kind,
            rows,
            ids: ids.to_vec(),
            reported: ids.to_vec(),
        })
    }

    /// Does what `prepared` says, at the engine's now. Infallible: every
    /// check was made by [`Engine::prepare`] under the same lock.
    pub fn perform(&mut self, prepared: Prepared) -> Done {
        // The events first, from the rows as they were picked (a replay of
        // the journal makes the same ones: same rows, time and person).
        self.log_events(prepared.kind, &prepared.rows);
        match prepared.kind {
            ActionKind::Approve | ActionKind::Cancel => {
                self.set_status(prepared.kind, &prepared.rows);
                Done::Changed(prepared.reported)
            }
            kind => Done::Created(self.create(kind, prepared.rows)),
        }
    }

    /// The events of `kind` on `rows`: one per group touched (a child
    /// counts for its group), one per standalone activity (its computer's).
    fn log_events(&mut self, kind: ActionKind, rows: &[usize]) {
        use crate::model::event::ServerEvent;
        let mut groups = std::collections::BTreeSet::new();
        let mut singles = Vec::new();
        for &i in rows {
            let a = &self.store.activities[i];
            match (a.is_parent(), a.parent()) {
                (true, _) => {
                    groups.insert(a.id);
                }
                (false, Some(p)) => {
                    groups.insert(p);
                }
                (false, None) => singles.push(i),
            }
        }
        let (at, by) = (self.now, self.user.clone());
        let mut id = self.events.last().map_or(1, |e| e.id + 1);
        for g in groups {
            if let Some(group) = self.store.get(g) {
                self.events
                    .push(ServerEvent::on_group(id, kind, group, &by, at));
                id += 1;
            }
        }
        for i in singles {
            let a = &self.store.activities[i];
            let computer = a.computer().and_then(|c| self.store.computers.get(&c));
            self.events
                .push(ServerEvent::on_computer(id, kind, a, computer, &by, at));
            id += 1;
        }
        let over = self.events.len().saturating_sub(super::EVENTS_KEPT);
        self.events.drain(..over);
    }

    /// The events log, newest first: those of the last `days` (on the
    /// engine's clock) that mention `search`, `limit` from `offset`.
    pub fn events(
        &self,
        days: Option<u64>,
        search: &str,
        limit: u64,
        offset: u64,
    ) -> crate::model::Page<crate::model::event::ServerEvent> {
        let since = days.map(|d| self.now - chrono::Duration::days(d.min(36_500) as i64));
        let matching: Vec<&crate::model::event::ServerEvent> = self
            .events
            .iter()
            .rev()
            .filter(|e| since.is_none_or(|s| e.creation_time >= s))
            .filter(|e| search.is_empty() || e.mentions(search))
            .collect();
        crate::model::Page {
            count: matching.len() as u64,
            results: matching
                .iter()
                .skip(offset as usize)
                .take(limit as usize)
                .map(|e| (*e).clone())
                .collect(),
            next: None,
            previous: None,
            count_is_lower_bound: false,
        }
    }

    fn set_status(&mut self, kind: ActionKind, rows: &[usize]) {
        let now = self.now;
        self.store.update_many(rows, |a| {
            a.modification_time = Field::Value(now);
            match kind {
                ActionKind::Approve => {
                    a.approval_time = Field::Value(now);
                    let later = a.deliver_after_time.get().is_some_and(|t| *t > now);
                    a.activity_status = Field::Value(if later {
                        ActivityStatus::Scheduled
                    } else {
                        ActivityStatus::Undelivered
                    });
                }
                _ => {
                    a.activity_status = Field::Value(ActivityStatus::Canceled);
                    a.completion_time = Field::Value(now);
                }
            }
        });
    }

    /// The rows of `ids` when `kind` may copy every one of them.
    /// The rows a reapply or revert of `ids` copies, or every refusal
    /// (all or nothing); past [`MAX_CREATED`] new activities the rest are
    /// refused too.
    fn check_create(&self, kind: ActionKind, ids: &[u64]) -> Result<Vec<usize>, ActionError> {
        let (mut found, mut refused) = self.selected(&Selection::Ids(ids.to_vec()))?;
        // A child named beside its group is copied with the group, once
        // (one the action refuses is still refused).
        let groups: BTreeSet<u64> = found
            .iter()
            .map(|&i| &self.store.activities[i])
            .filter(|a| a.is_parent())
            .map(|a| a.id)
            .collect();
        found.retain(|&i| {
            let a = &self.store.activities[i];
            a.parent().is_none_or(|p| !groups.contains(&p)) || kind.refusal(a).is_some()
        });
        let mut created = 0usize;
        for &i in &found {
            let a = &self.store.activities[i];
            let reason = if a.is_parent() {
                let copied = self
                    .store
                    .children_of(a.id)
                    .filter(|c| kind.refusal(c).is_none())
                    .count();
                created += 1 + copied;
                (copied == 0).then(|| format!("no activity of this group can be {}", kind.past()))
            } else {
                created += 1;
                kind.refusal(a)
            };
            let reason = reason.or_else(|| {
                (created > MAX_CREATED).then(|| {
                    format!(
                        "past the {} new activities one {} may create; {} the rest in another request",
                        crate::printable::thousands(MAX_CREATED as u64),
                        kind.verb(),
                        kind.verb()
                    )
                })
            });
            if let Some(reason) = reason {
                refused.push(Refusal { id: a.id, reason });
            }
        }
        if !refused.is_empty() {
            refused.sort_by_key(|r| r.id);
            return Err(ActionError::Refused(refused));
        }
        Ok(found)
    }

    fn create(&mut self, kind: ActionKind, found: Vec<usize>) -> Vec<Activity> {
        let mut next = self.store.next_id();
        let mut created = Vec::new();
        for i in found {
            let original = self.store.activities[i].clone();
            if original.is_parent() {
                let mut parent = self.copy(kind, &original, next, None);
                parent.activity_type = ACTIVITY_GROUP.into();
                let parent_id = next;
                next += 1;
                let kids: Vec<Activity> = self
                    .store
                    .children_of(original.id)
                    .filter(|c| kind.refusal(c).is_none())
                    .cloned()
                    .collect();
                self.store.insert(parent);
                let mut new_kids = Vec::new();
                for k in kids {
                    let copy = self.copy(kind, &k, next, Some(parent_id));
                    next += 1;
                    new_kids.push(copy.id);
                    self.store.insert(copy);
                }
                self.store.derive_parent(parent_id);
                created.push(parent_id);
                created.extend(new_kids);
            } else {
                let copy = self.copy(kind, &original, next, None);
                next += 1;
                created.push(copy.id);
                self.store.insert(copy);
            }
        }
        created
            .into_iter()
            .filter_map(|id| self.activity(id))
            .collect()
    }

    fn copy(&self, kind: ActionKind, from: &Activity, id: u64, parent: Option<u64>) -> Activity {
        let summary: Arc<str> = match kind {
            ActionKind::Revert => format!("Revert: {}", from.summary).into(),
            _ => from.summary.clone(),
        };
        let mut a = Activity::new(id, from.activity_type.clone(), summary, self.now);
        a.creator = Field::Value(self.user.clone());
        a.computer_id = from.computer_id.clone().get().copied().into();
        a.parent_id = parent.into();
        a.package_ids = Field::Value(from.package_ids.get().cloned().unwrap_or_default());
        let mut changes = from.changes.get().cloned().unwrap_or_default();
        if kind == ActionKind::Revert {
            for c in &mut changes {
                c.change_type = inverse_change(&c.change_type).into();
                std::mem::swap(&mut c.install_version, &mut c.remove_version);
            }
        }
        a.changes = Field::Value(changes);
        a.extra = from.extra.clone();
        if from.progress.is_some() {
            a.progress = Field::Value(0);
        }
        a
    }
}
