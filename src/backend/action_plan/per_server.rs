//! An action over several servers: planned on each on its own (its
//! parts marked with it) and sent to each, a read-only or failing one
//! left out and said.

use super::{ActionPlan, LISTED, QueryPlan, Skipped, carry_out_on};
use crate::backend::BackendError;
use crate::backend::action_report::ActionReport;
use crate::backend::several::Server;
use crate::model::ActionKind;
use crate::model::scope::Scope;

/// Each server planned on its own, its parts marked with it; a
/// read-only or failing one is left out and said. Fails only when every
/// server does.
pub(super) async fn plan(
    servers: &[Server],
    kind: ActionKind,
    scope: &Scope,
) -> Result<ActionPlan, BackendError> {
    let plans = futures::future::join_all(servers.iter().map(|s| async move {
        if s.read_only {
            return None;
        }
        Some(Box::pin(super::plan(&*s.backend, kind, scope)).await)
    }))
    .await;
    let mut all = ActionPlan::empty(kind, scope);
    let mut first_error = None;
    for (k, (server, planned)) in servers.iter().zip(plans).enumerate() {
        let skip = |why: String| Skipped {
            server: server.name.clone(),
            why,
        };
        match planned {
            None => all.skipped.push(skip("read-only".into())),
            Some(Err(e)) => {
                all.skipped.push(skip(format!("not sent: {e}")));
                first_error.get_or_insert(e);
            }
            Some(Ok(p)) => {
                all.parts.extend(p.parts.into_iter().map(|part| QueryPlan {
                    server: Some(k),
                    ..part
                }));
                let room = LISTED.saturating_sub(all.refusals.len());
                all.refusals.extend(p.refusals.into_iter().take(room));
                let room = LISTED.saturating_sub(all.sample.len());
                all.sample.extend(p.sample.into_iter().take(room));
            }
        }
    }
    match first_error {
        Some(e) if all.parts.is_empty() && all.skipped.iter().all(|s| s.why != "read-only") => {
            Err(e)
        }
        _ => Ok(all),
    }
}

/// Each server's parts sent to it; the reports add up, each said.
pub(super) async fn carry_out(
    servers: &[Server],
    plan: &ActionPlan,
    only_changeable: bool,
) -> ActionReport {
    let mut report = ActionReport::new(plan.kind);
    report.planned = plan.changes();
    for (k, server) in servers.iter().enumerate() {
        let parts: Vec<QueryPlan> = plan
            .parts
            .iter()
            .filter(|p| p.server == Some(k))
            .cloned()
            .collect();
        if parts.is_empty() {
            continue;
        }
        let share = ActionPlan {
            parts,
            ..ActionPlan::empty(plan.kind, &plan.scope)
        };
        let done = Box::pin(carry_out_on(&*server.backend, &share, only_changeable)).await;
        report.add_server((k, &server.name), done);
    }
    for s in &plan.skipped {
        report
            .by_server
            .push(crate::backend::action_report::ServerReport {
                server: s.server.clone(),
                changed: 0,
                complete: false,
                text: s.why.clone(),
            });
    }
    report
}
