//! An action from its confirmation to its report, as one computation: the
//! plan counts what a [`Scope`] acts on (the dialog shows it, `--dry-run`
//! prints it), [`carry_out`] sends exactly the plan's queries, and the
//! report counts in the plan's terms.
//!
//! The plan is a few counts per query of the scope, never a walk over
//! every match: what the action allows and refuses among single activities
//! (`Q NOT type:ActivityGroup status:…`), and for groups that match in
//! their own right (they stand for their children) their allowed children
//! less those already counted. Exact at any size; the cost grows only
//! with the number of such groups (a count per 200 of them).
//!
//! A query that names per-computer work (`status:`, `computer:`) is
//! planned by `model::scope`'s refined rule: the groups its other terms
//! choose bring only their children that satisfy the work terms, and
//! those children are sent as single activities (`status:failed
//! parent-id:G …`), never as their group, which a server would take as
//! all its children.

mod per_server;

use std::collections::HashSet;

pub use super::action_report::{ActionRecord, ActionReport, Outcome};
use super::{Backend, BackendError};
use crate::model::scope::IDS_PER_QUERY;
use crate::model::scope::{GROUPS, NOT_GROUPS, Scope, and, parents_chain};
use crate::model::{ActionKind, Activity, Refusal, Selection};
use crate::query::split_work;

/// Refusals and examples the plan lists (the rest are counted).
pub const LISTED: usize = 50;
/// Groups named in one count of their children.
const GROUPS_PER_COUNT: usize = 200;
/// Activities read per page when ids are needed.
const PAGE: u64 = 1000;
/// Ids sent in one reapply or revert.
const IDS_PER_CREATE: usize = 1000;

/// What one query of the scope selects for an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryPlan {
    pub query: String,
    /// Single activities (standalone or children) it matches that the
    /// action allows, and refuses.
    pub singles_allowed: u64,
    pub singles_refused: u64,
    /// Groups it matches with a child the action allows: they stand for
    /// those children.
    pub groups_allowed: Vec<u64>,
    /// Groups it matches with no child the action allows.
    pub groups_refused: Vec<u64>,
    /// Activities that change (approve, cancel) or are copied (reapply,
    /// revert): the allowed singles and the allowed children of allowed
    /// groups, each once.
    pub changes: u64,
    /// For a query that names per-computer work: what is sent, a request
    /// per 100 chosen groups and one for the rest. Its singles counts are
    /// the sums of these; it has no groups.
    pub work: Option<WorkPlan>,
    /// With several servers: the one (its index) this part is planned
    /// on and sent to.
    pub server: Option<usize>,
}

/// A query with per-computer terms, planned by the refined rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkPlan {
    /// The groups its own terms choose.
    pub chosen: Vec<u64>,
    /// Each selects single activities only; no two select the same one
    /// once the earlier were sent (the last, the query's own singles,
    /// leaves out what the chosen groups brought).
    pub requests: Vec<WorkRequest>,
}

/// One request of a [`WorkPlan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkRequest {
    pub query: String,
    /// What it changes (and the server answers), and refuses.
    pub allowed: u64,
    pub refused: u64,
}

impl QueryPlan {
    /// How many ids a successful approve or cancel of this query answers
    /// (a group once, as Landscape reports it).
    fn answered(&self) -> u64 {
        self.singles_allowed + self.groups_allowed.len() as u64
    }

    fn refused(&self) -> u64 {
        self.singles_refused + self.groups_refused.len() as u64
    }
}

/// The confirmation's content: exact counts, the first refusals with
/// their reasons, the first activities that would change.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionPlan {
    pub kind: ActionKind,
    pub scope: Scope,
    pub parts: Vec<QueryPlan>,
    /// The first [`LISTED`] refused, ids ascending within each query.
    pub refusals: Vec<Refusal>,
    /// The first [`LISTED`] that would change.
    pub sample: Vec<Activity>,
    /// With several servers: those not planned, and why (read-only,
    /// down); nothing is sent to them.
    pub skipped: Vec<Skipped>,
}

/// A server an action leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub server: String,
    pub why: String,
}

impl ActionPlan {
    /// Nothing counted yet: what a plan starts from.
    fn empty(kind: ActionKind, scope: &Scope) -> ActionPlan {
        ActionPlan {
            kind,
            scope: scope.clone(),
            parts: Vec::new(),
            refusals: Vec::new(),
            sample: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// Activities that would change or be copied.
    pub fn changes(&self) -> u64 {
        self.parts.iter().map(|p| p.changes).sum()
    }

    /// Selected activities (a group once) the action would refuse.
    pub fn refused(&self) -> u64 {
        self.parts.iter().map(QueryPlan::refused).sum()
    }

    /// Groups that stand for their children.
    pub fn groups(&self) -> u64 {
        self.parts
            .iter()
            .map(|p| p.groups_allowed.len() as u64)
            .sum()
    }

    /// Landscape refuses all or nothing: sent whole, this plan changes nothing.
    pub fn would_be_refused(&self) -> bool {
        self.refused() > 0
    }

    /// With several servers: what would change on each that has parts,
    /// by index, in order.
    pub fn changes_by_server(&self) -> Vec<(usize, u64)> {
        let mut out: Vec<(usize, u64)> = Vec::new();
        for p in &self.parts {
            let Some(k) = p.server else { continue };
            match out.iter_mut().find(|(s, _)| *s == k) {
                Some((_, n)) => *n += p.changes,
                None => out.push((k, p.changes)),
            }
        }
        out
    }
}

/// Counts what `kind` on `scope` would do; changes nothing.
pub async fn plan(
    backend: &dyn Backend,
    kind: ActionKind,
    scope: &Scope,
) -> Result<ActionPlan, BackendError> {
    let servers = backend.servers();
    if !servers.is_empty() {
        return per_server::plan(&servers, kind, scope).await;
    }
    let mut plan = ActionPlan::empty(kind, scope);
    for query in scope.queries() {
        let part = plan_query(backend, kind, &query, &mut plan).await?;
        plan.parts.push(part);
    }
    // A child the query matches is also its group's: show it once.
    let mut seen = HashSet::new();
    plan.sample.retain(|a| seen.insert(a.id));
    Ok(plan)
}

async fn plan_query(
    backend: &dyn Backend,
    kind: ActionKind,
    query: &str,
    plan: &mut ActionPlan,
) -> Result<QueryPlan, BackendError> {
    let split = split_work(query);
    if split.has_work() {
        return plan_work(backend, kind, query, &split, plan).await;
    }
    let allowed = kind.allowed_terms();
    let singles = and(query, NOT_GROUPS);
    let allowed_singles = and(&singles, &allowed);
    let (singles_allowed, singles_refused) = count_both(backend, kind, &singles, plan).await?;
    let mut part = QueryPlan {
        query: query.to_owned(),
        singles_allowed,
        singles_refused,
        groups_allowed: Vec::new(),
        groups_refused: Vec::new(),
        changes: singles_allowed,
        work: None,
        server: None,
    };
    let groups = and(query, GROUPS);
    if backend.count(&groups).await? == 0 {
        return Ok(part);
    }
    for g in all_matches(backend, &groups).await? {
        if group_allows(backend, kind, &g).await? {
            part.groups_allowed.push(g.id);
        } else {
            part.groups_refused.push(g.id);
            if plan.refusals.len() < LISTED {
                plan.refusals.push(Refusal {
                    id: g.id,
                    reason: format!("no activity of this group can be {}", kind.past()),
                });
            }
        }
    }
    // The allowed children of allowed groups, less those the query
    // matched directly (already counted as singles).
    for chunk in part.groups_allowed.chunks(GROUPS_PER_COUNT) {
        let children = and(&parents_chain(chunk.iter().copied()), &allowed);
        let room = LISTED.saturating_sub(plan.sample.len());
        let all = counted(backend, &children, room, &mut plan.sample).await?;
        let direct = backend
            .count(&and(
                &allowed_singles,
                &parents_chain(chunk.iter().copied()),
            ))
            .await?;
        part.changes += all.saturating_sub(direct);
    }
    Ok(part)
}

/// A query with per-computer terms: the groups its own terms choose
/// bring their children that satisfy its work terms, each a single
/// activity (refused as one when the action does not allow it); the
/// singles the query matches itself come too, each once.
async fn plan_work(
    backend: &dyn Backend,
    kind: ActionKind,
    query: &str,
    split: &crate::query::WorkSplit,
    plan: &mut ActionPlan,
) -> Result<QueryPlan, BackendError> {
    let (allowed, refused_terms) = (kind.allowed_terms(), kind.refused_terms());
    let singles = and(query, NOT_GROUPS);
    let mut requests = Vec::new();
    let chosen = chosen_groups(backend, split).await?;
    let (mut overlap_allowed, mut overlap_refused) = (0, 0);
    for chunk in chosen.chunks(IDS_PER_QUERY) {
        let parents = parents_chain(chunk.iter().copied());
        let query = and(&split.work, &parents);
        let (a, r) = count_both(backend, kind, &query, plan).await?;
        requests.push(WorkRequest {
            query,
            allowed: a,
            refused: r,
        });
        let mine = and(&singles, &parents);
        overlap_allowed += backend.count(&and(&mine, &allowed)).await?;
        overlap_refused += backend.count(&and(&mine, &refused_terms)).await?;
    }
    let (a, r) = count_both(backend, kind, &singles, plan).await?;
    requests.push(WorkRequest {
        query: singles,
        allowed: a.saturating_sub(overlap_allowed),
        refused: r.saturating_sub(overlap_refused),
    });
    let singles_allowed = requests.iter().map(|r| r.allowed).sum();
    Ok(QueryPlan {
        query: query.to_owned(),
        singles_allowed,
        singles_refused: requests.iter().map(|r| r.refused).sum(),
        groups_allowed: Vec::new(),
        groups_refused: Vec::new(),
        changes: singles_allowed,
        work: Some(WorkPlan { chosen, requests }),
        server: None,
    })
}

/// What `query` (single activities only) holds that `kind` allows and
/// refuses, with the first of each added to the plan's sample and
/// refusals.
async fn count_both(
    backend: &dyn Backend,
    kind: ActionKind,
    query: &str,
    plan: &mut ActionPlan,
) -> Result<(u64, u64), BackendError> {
    let room = LISTED.saturating_sub(plan.sample.len());
    let allowed = counted(
        backend,
        &and(query, &kind.allowed_terms()),
        room,
        &mut plan.sample,
    )
    .await?;
    let room = LISTED.saturating_sub(plan.refusals.len());
    let mut refused = Vec::new();
    let n = counted(
        backend,
        &and(query, &kind.refused_terms()),
        room,
        &mut refused,
    )
    .await?;
    plan.refusals.extend(refused.iter().map(|a| {
        Refusal {
            id: a.id,
            reason: super::refusal_reason(kind, a)
                .unwrap_or_else(|| format!("the server does not allow {}", kind.verb())),
        }
    }));
    Ok((allowed, n))
}

/// The groups a query's own terms choose, when choosing them can bring
/// a child the query does not match itself: none when it has no own
/// terms (every group is chosen, but each child it would bring matches
/// the query itself) or they are of children only.
async fn chosen_groups(
    backend: &dyn Backend,
    split: &crate::query::WorkSplit,
) -> Result<Vec<u64>, BackendError> {
    if split.own.is_empty() || split.chooses_no_group {
        return Ok(Vec::new());
    }
    let groups = and(&split.own, GROUPS);
    if backend.count(&groups).await? == 0 {
        return Ok(Vec::new());
    }
    all_ids(backend, &groups).await
}

/// How many single activities `query` selects by `model::scope`'s rule:
/// those it matches, and the children the groups it chooses by their own
/// terms bring (those that satisfy its work terms, or all), each once.
/// A count, a page of groups per 1,000 chosen and two counts per 100.
pub async fn selected(backend: &dyn Backend, query: &str) -> Result<u64, BackendError> {
    let split = split_work(query);
    if split.chooses_no_group {
        return backend.count(query).await;
    }
    let singles = and(query, NOT_GROUPS);
    let mut n = backend.count(&singles).await?;
    let chosen = chosen_groups(backend, &split).await?;
    for chunk in chosen.chunks(IDS_PER_QUERY) {
        let parents = parents_chain(chunk.iter().copied());
        let brought = backend.count(&and(&split.work, &parents)).await?;
        let overlap = backend.count(&and(&singles, &parents)).await?;
        n += brought.saturating_sub(overlap);
    }
    Ok(n)
}

/// The single activities `query` selects by `model::scope`'s rule (the
/// records [`selected`] counts), each once, ascending by id: what a
/// rollout releases. A page per 1,000 of them.
pub async fn selected_activities(
    backend: &dyn Backend,
    query: &str,
) -> Result<Vec<Activity>, BackendError> {
    let split = split_work(query);
    let mut set = std::collections::BTreeMap::new();
    let mut keep = |a: Activity| {
        if !a.is_parent() {
            set.insert(a.id, a);
        }
    };
    if split.chooses_no_group {
        each_match(backend, query, &mut keep).await?;
    } else {
        each_match(backend, &and(query, NOT_GROUPS), &mut keep).await?;
        let chosen = chosen_groups(backend, &split).await?;
        for chunk in chosen.chunks(IDS_PER_QUERY) {
            let parents = parents_chain(chunk.iter().copied());
            each_match(backend, &and(&split.work, &parents), &mut keep).await?;
        }
    }
    Ok(set.into_values().collect())
}

/// Whether group `g` has a child `kind` allows, from its record where
/// the lifecycle makes that exact (a group's status follows its
/// children), else by counting.
async fn group_allows(
    backend: &dyn Backend,
    kind: ActionKind,
    g: &Activity,
) -> Result<bool, BackendError> {
    let status = g.status();
    match kind {
        // Unapproved while any child is; pending while any child is.
        ActionKind::Approve | ActionKind::Cancel => Ok(kind.allowed_in(status)),
        ActionKind::Reapply if g.children_statuses.get().is_some() => {
            let s = g.children_statuses.get().expect("checked");
            Ok(s.good + s.bad > 0)
        }
        _ => {
            let children = and(&format!("parent-id:{}", g.id), &kind.allowed_terms());
            Ok(backend.count(&children).await? > 0)
        }
    }
}

/// How many match `query`, exactly, with the first `room` of them added
/// to `into`: one request where pages carry their count.
async fn counted(
    backend: &dyn Backend,
    query: &str,
    room: usize,
    into: &mut Vec<Activity>,
) -> Result<u64, BackendError> {
    if room == 0 {
        return backend.count(query).await;
    }
    let page = backend.first_page(query, room as u64).await?;
    into.extend(page.results);
    Ok(page.count)
}

/// The most matches [`all_matches`] reads: past it, a server's pages never
/// end (or the selection is one no listing should hold in memory).
const MAX_LISTED: usize = 2_000_000;

/// Every match of `query`, a page at a time, up to [`MAX_LISTED`], each
/// handed to `keep` (which keeps what it needs: a listing of ids holds
/// ids, not records).
async fn each_match(
    backend: &dyn Backend,
    query: &str,
    mut keep: impl FnMut(Activity) + Send,
) -> Result<(), BackendError> {
    let mut read: usize = 0;
    loop {
        let page = backend.activities(query, PAGE, read as u64).await?;
        let n = page.results.len();
        read += n;
        page.results.into_iter().for_each(&mut keep);
        if (n as u64) < PAGE {
            return Ok(());
        }
        if read >= MAX_LISTED {
            return Err(BackendError::Protocol(format!(
                "more than {} activities match {:?} and the pages go on; stopped listing",
                crate::printable::thousands(MAX_LISTED as u64),
                crate::printable::printable(query)
            )));
        }
    }
}

/// Every match of `query` (the records).
async fn all_matches(backend: &dyn Backend, query: &str) -> Result<Vec<Activity>, BackendError> {
    let mut all = Vec::new();
    each_match(backend, query, |a| all.push(a)).await?;
    Ok(all)
}

/// The ids of every match of `query`.
async fn all_ids(backend: &dyn Backend, query: &str) -> Result<Vec<u64>, BackendError> {
    let mut ids = Vec::new();
    each_match(backend, query, |a| ids.push(a.id)).await?;
    Ok(ids)
}

/// The ids of every activity the plan would change or copy (its
/// `--ids` listing): the allowed singles, then the allowed children of
/// allowed groups, each once, ascending.
pub async fn acted_on_ids(
    backend: &dyn Backend,
    plan: &ActionPlan,
) -> Result<Vec<u64>, BackendError> {
    let allowed = plan.kind.allowed_terms();
    let mut ids = std::collections::BTreeSet::new();
    let servers = backend.servers();
    for part in &plan.parts {
        // A part planned on one of several servers is read there alone.
        let backend = match part.server.and_then(|k| servers.get(k)) {
            Some(s) => &*s.backend,
            None => backend,
        };
        if let Some(work) = &part.work {
            for r in &work.requests {
                let q = and(&r.query, &allowed);
                ids.extend(all_ids(backend, &q).await?);
            }
            continue;
        }
        let singles = and(&and(&part.query, NOT_GROUPS), &allowed);
        ids.extend(all_ids(backend, &singles).await?);
        for chunk in part.groups_allowed.chunks(GROUPS_PER_COUNT) {
            let children = and(&parents_chain(chunk.iter().copied()), &allowed);
            ids.extend(all_ids(backend, &children).await?);
        }
    }
    Ok(ids.into_iter().collect())
}

/// Sends what `plan` counted: its queries (approve, cancel) or the ids
/// they select (reapply, revert). With `only_changeable`, the queries are
/// narrowed to what the action allows, so nothing is refused.
pub async fn carry_out(
    backend: &dyn Backend,
    plan: &ActionPlan,
    only_changeable: bool,
) -> ActionReport {
    let servers = backend.servers();
    if servers.is_empty() {
        return carry_out_on(backend, plan, only_changeable).await;
    }
    per_server::carry_out(&servers, plan, only_changeable).await
}

/// [`carry_out`] on one server.
async fn carry_out_on(
    backend: &dyn Backend,
    plan: &ActionPlan,
    only_changeable: bool,
) -> ActionReport {
    let mut report = ActionReport::new(plan.kind);
    report.planned = plan.changes();
    if plan.changes() == 0 && (only_changeable || plan.refused() == 0) {
        report.outcome = Outcome::NothingToDo;
        return report;
    }
    // A scope sent in several requests is all or nothing only if a part
    // that would be refused goes first: its refusal stops the rest.
    let mut ordered: Vec<&QueryPlan> = plan.parts.iter().collect();
    ordered.sort_by_key(|p| p.refused() == 0);
    let mut parts = ordered.into_iter();
    while let Some(part) = parts.next() {
        if part.changes == 0 && (only_changeable || part.refused() == 0) {
            continue;
        }
        let step = if plan.kind.creates() {
            create_part(backend, plan.kind, part, only_changeable, &mut report).await
        } else {
            change_part(backend, plan.kind, part, only_changeable, &mut report).await
        };
        if let Err(e) = step {
            report.outcome = outcome_of(e, &mut report);
            report.not_reached += parts.map(|p| p.changes).sum::<u64>();
            return report;
        }
    }
    report
}

async fn change_part(
    backend: &dyn Backend,
    kind: ActionKind,
    part: &QueryPlan,
    only_changeable: bool,
    report: &mut ActionReport,
) -> Result<(), (BackendError, u64)> {
    if let Some(work) = &part.work {
        return change_work(backend, kind, work, only_changeable, report).await;
    }
    let query = if only_changeable {
        and(&part.query, &kind.allowed_terms())
    } else {
        part.query.clone()
    };
    // Landscape answers a group's id for its children: which children
    // those are is read first, so the report (and the log) names them.
    let mut brought: std::collections::HashMap<u64, Vec<u64>> = Default::default();
    for chunk in part.groups_allowed.chunks(IDS_PER_QUERY) {
        let children = and(&parents_chain(chunk.iter().copied()), &kind.allowed_terms());
        each_match(backend, &children, |a| {
            if let Some(p) = a.parent() {
                brought.entry(p).or_default().push(a.id);
            }
        })
        .await
        .map_err(|e| read_before_sending(e, part.changes))?;
    }
    report.sent.push(query.clone());
    let selection = Selection::Query(query);
    let answer = match kind {
        ActionKind::Cancel => backend.cancel(&selection).await,
        _ => backend.approve(&selection).await,
    };
    let ids = answer.map_err(|e| (e, part.changes))?;
    if ids.len() as u64 != part.answered() {
        report.moved = true;
    }
    report.changed += part.changes;
    let mut changed = std::collections::BTreeSet::new();
    for id in ids {
        match brought.get(&id) {
            Some(children) => changed.extend(children.iter().copied()),
            None => {
                changed.insert(id);
            }
        }
    }
    report.ids.extend(changed);
    Ok(())
}

/// The requests of a work part, one after another: one that the plan
/// says would be refused goes first (sent whole, so the server refuses
/// and nothing changes); the others are narrowed to what the action
/// allows, which also leaves out what an earlier request changed.
async fn change_work(
    backend: &dyn Backend,
    kind: ActionKind,
    work: &WorkPlan,
    only_changeable: bool,
    report: &mut ActionReport,
) -> Result<(), (BackendError, u64)> {
    // The chosen groups' children go before the query's own singles (which
    // leave out what they changed); sent whole, a refused one goes first.
    let mut ordered: Vec<&WorkRequest> = work.requests.iter().collect();
    if !only_changeable {
        ordered.sort_by_key(|r| r.refused == 0);
    }
    let mut left: u64 = ordered.iter().map(|r| r.allowed).sum();
    for r in ordered {
        let whole = r.refused > 0 && !only_changeable;
        if r.allowed == 0 && !whole {
            continue;
        }
        let query = if whole {
            r.query.clone()
        } else {
            and(&r.query, &kind.allowed_terms())
        };
        report.sent.push(query.clone());
        let selection = Selection::Query(query);
        let answer = match kind {
            ActionKind::Cancel => backend.cancel(&selection).await,
            _ => backend.approve(&selection).await,
        };
        let ids = answer.map_err(|e| (e, left))?;
        if ids.len() as u64 != r.allowed {
            report.moved = true;
        }
        left = left.saturating_sub(r.allowed);
        report.changed += r.allowed;
        report.ids.extend(ids);
    }
    Ok(())
}

async fn create_part(
    backend: &dyn Backend,
    kind: ActionKind,
    part: &QueryPlan,
    only_changeable: bool,
    report: &mut ActionReport,
) -> Result<(), (BackendError, u64)> {
    let ids = create_ids(backend, kind, part, only_changeable)
        .await
        .map_err(|e| read_before_sending(e, part.changes))?;
    report.sent.push(part.query.clone());
    let mut left = part.changes;
    for chunk in ids.chunks(IDS_PER_CREATE) {
        let answer = match kind {
            ActionKind::Revert => backend.revert(chunk).await,
            _ => backend.reapply(chunk).await,
        };
        let created = answer.map_err(|e| (e, left))?;
        let copies = created.iter().filter(|a| !a.is_parent()).count() as u64;
        left = left.saturating_sub(copies);
        report.changed += copies;
        report.ids.extend(created.iter().map(|a| a.id));
        report.created.extend(created);
    }
    if left > 0 {
        report.moved = true;
    }
    Ok(())
}

/// The ids a reapply or revert of `part` names: the groups (each stands
/// for its children), the singles whose group is not among them, and the
/// refused singles whose group is.
async fn create_ids(
    backend: &dyn Backend,
    kind: ActionKind,
    part: &QueryPlan,
    only_changeable: bool,
) -> Result<Vec<u64>, BackendError> {
    if let Some(work) = &part.work {
        // Each activity once, though two requests select it.
        let mut ids = std::collections::BTreeSet::new();
        for r in &work.requests {
            let q = if only_changeable {
                and(&r.query, &kind.allowed_terms())
            } else {
                r.query.clone()
            };
            if r.allowed + r.refused > 0 {
                ids.extend(all_ids(backend, &q).await?);
            }
        }
        return Ok(ids.into_iter().collect());
    }
    let mut singles = and(&part.query, NOT_GROUPS);
    if only_changeable {
        singles = and(&singles, &kind.allowed_terms());
    }
    let groups: HashSet<u64> = part
        .groups_allowed
        .iter()
        .chain(&part.groups_refused)
        .copied()
        .collect();
    let mut ids: Vec<u64> = if only_changeable {
        part.groups_allowed.clone()
    } else {
        groups.iter().copied().collect()
    };
    if part.singles_allowed + part.singles_refused > 0 {
        // A matched group brings its children; one it brings that the
        // action refuses is named too, so the refusal the plan counted is
        // the server's (Landscape refuses all or nothing).
        each_match(backend, &singles, |a| {
            if a.parent().is_none_or(|p| !groups.contains(&p))
                || super::refusal_reason(kind, &a).is_some()
            {
                ids.push(a.id);
            }
        })
        .await?;
    }
    ids.sort_unstable();
    Ok(ids)
}

/// A read made before anything is sent failed: a lost answer there is
/// "not sent", never "may have happened".
fn read_before_sending(e: BackendError, planned: u64) -> (BackendError, u64) {
    match e {
        BackendError::Transport(why) => (BackendError::Unreachable(why), planned),
        e => (e, planned),
    }
}

/// How the error of a part ends the report.
fn outcome_of((e, planned): (BackendError, u64), report: &mut ActionReport) -> Outcome {
    match e {
        BackendError::Refused { refusals, unlisted } => {
            report.refusals = refusals;
            report.unlisted = unlisted;
            report.not_reached += planned;
            Outcome::Refused
        }
        BackendError::Unreachable(why) => {
            report.not_reached += planned;
            Outcome::NotSent(why)
        }
        BackendError::Transport(why) => Outcome::Unknown(why),
        other => {
            report.not_reached += planned;
            Outcome::Failed(other)
        }
    }
}
