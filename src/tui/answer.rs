//! What each backend command asks of the backend, and the event its answer
//! comes back as: one mapping, used by the runtime's tasks and by every
//! test that drives the dashboard against a backend.

use super::event::{Call, Event};
use crate::backend::{Backend, action_plan};

/// How many long-running activities in flight the "In progress" panel
/// reads; it counts them all from the page's count.
pub const IN_FLIGHT_PAGE: u64 = 20;

/// How far back, and how many, of the server's events the action log shows.
pub const SERVER_EVENTS_DAYS: u64 = 7;
pub const SERVER_EVENTS_SHOWN: u64 = 20;

/// The long-running activities in flight, as a query.
pub fn in_flight_query() -> String {
    let types: Vec<String> = crate::model::LONG_RUNNING_TYPES
        .iter()
        .map(|t| format!("type:{t}"))
        .collect();
    format!("status:delivered {}", types.join(" OR "))
}

/// Calls `backend` as `call` asks and returns the event its answer is
/// (`None` for a call that answers nothing).
pub async fn answer(backend: &dyn Backend, call: Call) -> Option<Event> {
    Some(match call {
        Call::RetryCredentials => {
            backend.retry_credentials();
            return None;
        }
        Call::FetchList {
            generation,
            query,
            offset,
            limit,
            sort,
        } => Event::ListLoaded {
            generation,
            offset,
            result: backend.top_level_sorted(&query, sort, limit, offset).await,
        },
        Call::FetchChildren { parent, query } => Event::ChildrenLoaded {
            parent,
            result: backend.children(parent, query.as_deref()).await,
        },
        Call::FetchOwnChildren {
            generation,
            parents,
            query,
        } => Event::OwnChildrenLoaded {
            generation,
            result: own_children(backend, &parents, &query).await,
        },
        Call::Plan { kind, scope, .. } => Event::PlanLoaded {
            kind,
            result: action_plan::plan(backend, kind, &scope).await,
            scope,
        },
        Call::CarryOut {
            plan,
            only_changeable,
        } => Event::ActionDone(action_plan::carry_out(backend, &plan, only_changeable).await),
        Call::FetchTitles { ids, fresh } => {
            Event::TitlesLoaded(backend.computer_titles(&ids, fresh).await)
        }
        Call::FetchOperations => Event::OperationsLoaded(backend.operations_in_flight().await),
        Call::FetchEndedOperations(names) => {
            Event::OperationsEnded(backend.operations(&names).await)
        }
        Call::FetchInFlight => Event::InFlightLoaded(
            backend
                .activities(&in_flight_query(), IN_FLIGHT_PAGE, 0)
                .await,
        ),
        Call::FetchHealth {
            generation,
            query,
            now,
        } => Event::HealthLoaded {
            generation,
            result: crate::backend::health::load(backend, &query, now).await,
        },
        Call::FetchComputers(ids) => Event::ComputersLoaded(backend.computers_by_id(&ids).await),
        Call::FetchClusters { generation, query } => Event::ClustersLoaded {
            generation,
            result: crate::backend::clusters::load(backend, &query).await,
        },
        Call::FetchVocabulary => {
            let values = backend.completion_values().await;
            let computers = backend.computers().await.unwrap_or_default();
            Event::Vocabulary(values.map(|v| (v, computers)))
        }
        Call::Export {
            query,
            path,
            format,
        } => {
            let result = crate::export::export(backend, &query, &path, format)
                .await
                .map_err(|e| e.explain());
            Event::Exported { path, result }
        }
        Call::FetchServerEvents => {
            Event::ServerEventsLoaded(backend.events(&server_events()).await)
        }
        call @ (Call::ReadRolloutSet { .. }
        | Call::LookRollout { .. }
        | Call::LookWatches(_)
        | Call::WatchQuery { .. }) => tracked(backend, call).await,
        Call::FetchCommandComputer {
            command,
            values,
            computer,
        } => Event::CommandComputerLoaded {
            command,
            values,
            result: backend.computers_by_id(&[computer]).await,
        },
    })
}

/// The calls of watches and rollouts: what they follow, read.
async fn tracked(backend: &dyn Backend, call: Call) -> Event {
    match call {
        Call::ReadRolloutSet { query, label, spec } => Event::RolloutSetRead {
            result: action_plan::selected_activities(backend, &query)
                .await
                .map_err(|e| e.to_string()),
            query,
            label,
            spec,
        },
        Call::LookRollout { number, ids } => Event::RolloutLooked {
            number,
            result: backend.activities_by_id(&ids).await,
        },
        Call::LookWatches(ask) => {
            Event::WatchesLooked(crate::backend::watched::look(backend, &ask).await)
        }
        Call::WatchQuery { query, guard } => Event::WatchQueryLoaded {
            result: to_watch(backend, &query).await,
            query,
            guard,
        },
        other => unreachable!("not a watch's or a rollout's call: {other:?}"),
    }
}

/// The server's events the action log shows: the newest of the last week.
fn server_events() -> crate::backend::EventFilter {
    crate::backend::EventFilter {
        days: Some(SERVER_EVENTS_DAYS),
        search: String::new(),
        limit: SERVER_EVENTS_SHOWN,
        offset: 0,
    }
}

/// The one matching child of each of `parents`, in one request.
async fn own_children(
    backend: &dyn Backend,
    parents: &[u64],
    query: &str,
) -> Result<Vec<crate::model::Activity>, crate::backend::BackendError> {
    let q = crate::model::scope::and(
        query,
        &crate::model::scope::parents_chain(parents.iter().copied()),
    );
    backend
        .activities(&q, parents.len() as u64, 0)
        .await
        .map(|p| p.results)
}

/// `query`'s matches to watch, refused past the most watched.
async fn to_watch(
    backend: &dyn Backend,
    query: &str,
) -> Result<Vec<crate::model::Activity>, String> {
    let most = crate::tui::watches::MOST_WATCHED;
    match crate::export::fetch(backend, query, most + 1, 0).await {
        Ok((list, _)) if list.len() as u64 > most => Err(format!(
            "the query matches more than {} activities: narrow it to watch them",
            crate::printable::thousands(most)
        )),
        Ok((list, _)) => Ok(list),
        Err(e) => Err(e.explain()),
    }
}
