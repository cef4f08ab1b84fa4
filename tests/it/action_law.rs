//! The law of actions: for random accounts, queries, marks, cursor and
//! pane, the activities the confirmation counts, the ones it lists with
//! `--ids`, the ones the engine then changes, and a plain scan of the
//! records by the rule all agree.
//!
//! The rule, said once: an action acts on the single activities the
//! query selects among what was picked. A single activity is selected
//! when it matches; a group chosen by its own terms (all but `status:`
//! and `computer:`) brings its children that satisfy the query's
//! per-computer terms (all of them when it has none). Of those, the ones
//! the lifecycle allows change.

use crate::common;

use std::collections::{BTreeSet, HashMap};

use common::tui::{answer, backend_of, code, feed, key, typed};
use landscape_tui::backend::Backend;
use landscape_tui::backend::action_plan::{self, Outcome};
use landscape_tui::backend::remote::{
    ApiChoice, RemoteBackend, RemoteCredentials, RemoteOptions, Secret,
};
use landscape_tui::engine::Engine;
use landscape_tui::model::scope::Scope;
use landscape_tui::model::{ActionKind, Activity, ActivityStatus, Computer};
use landscape_tui::query::{Query, TermKind, parse};
use landscape_tui::tui::app::{App, Pane};
use landscape_tui::tui::event::{Call, Command, Effect};
use proptest::prelude::*;
use ratatui::crossterm::event::KeyCode;

pub(crate) const QUERIES: [&str; 20] = [
    "",
    "status:unapproved",
    "computer:tag:web",
    "status:unapproved computer:tag:web",
    "status:failed",
    "NOT status:succeeded",
    "type:ActivityGroup",
    "upgrade",
    "status:succeeded OR status:failed",
    "NOT computer:tag:web",
    "status:delivered OR status:undelivered",
    "type:ChangePackagesRequest",
    "NOT status:unapproved computer:tag:web",
    "GROUP",
    "GROUP status:failed",
    "upgrade status:failed",
    "GROUP NOT status:succeeded",
    "type:ActivityGroup status:unapproved",
    "GROUP OR status:failed computer:tag:web",
    "NOT type:ChangePackagesRequest status:delivered OR status:unapproved",
];

/// What the operator does before pressing the action's key.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// To row `n` of the list (wrapping).
    Row(usize),
    /// Into the selected group's children, then down `n`.
    Child(usize),
    Mark,
    MarkAll,
    /// `A`: all children, not only the matching ones.
    ShowAll,
}

pub(crate) fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..40).prop_map(Op::Row),
        (0usize..6).prop_map(Op::Child),
        Just(Op::Mark),
        Just(Op::Mark),
        Just(Op::MarkAll),
        Just(Op::ShowAll),
    ]
}

pub(crate) fn kind() -> impl Strategy<Value = ActionKind> {
    prop_oneof![
        Just(ActionKind::Approve),
        Just(ActionKind::Cancel),
        Just(ActionKind::Reapply),
        Just(ActionKind::Revert),
    ]
}

fn run(app: &mut App, backend: &dyn Backend, events: Vec<landscape_tui::tui::event::Event>) {
    let commands = feed(app, events);
    common::tui::drive(app, backend, commands, common::tui::is_read);
}

/// What the operator does, answered by `backend` (one engine, or several).
pub(crate) fn do_op(app: &mut App, engine: &dyn Backend, op: &Op) {
    match op {
        Op::Row(n) => {
            while app.screen.focus != Pane::List {
                run(app, engine, vec![code(KeyCode::Tab)]);
            }
            let total = app.list.total.max(1) as usize;
            let mut events = vec![key('g')];
            events.extend((0..n % total).map(|_| key('j')));
            run(app, engine, events);
        }
        Op::Child(n) => {
            if app.screen.focus == Pane::List {
                run(app, engine, vec![code(KeyCode::Enter)]);
            }
            if app.screen.focus == Pane::Children {
                run(app, engine, (0..*n).map(|_| key('j')).collect());
            }
        }
        Op::Mark => run(app, engine, vec![key(' ')]),
        Op::MarkAll => run(app, engine, vec![key('*')]),
        Op::ShowAll => run(app, engine, vec![key('A')]),
    }
}

/// Presses `kind`'s key: the scope the plan it asks for is of, if any.
pub(crate) fn press_action(app: &mut App, kind: ActionKind) -> Option<Scope> {
    let key = match kind {
        ActionKind::Approve => 'a',
        ActionKind::Cancel => 'c',
        ActionKind::Reapply => 'R',
        ActionKind::Revert => 'u',
    };
    feed(app, [common::tui::key(key)])
        .into_iter()
        .find_map(|c| match c {
            Command::Call(Call::Plan { scope, .. }) => Some(scope),
            _ => None,
        })
}

/// The rule, by a plain scan of the records: the single activities the
/// app's picks take under `query`, those the lifecycle allows.
fn scan(engine: &Engine, app: &App, query: &str, kind: ActionKind) -> BTreeSet<u64> {
    let picked: Vec<u64> = if app.marks.all.is_some() {
        every_id(engine)
    } else {
        picks(app)
    };
    scan_picked(engine, picked, query, kind)
}

/// Every activity's id: what `*` picks.
pub(crate) fn every_id(engine: &Engine) -> Vec<u64> {
    let all = engine.activities("", u64::MAX, 0).unwrap().results;
    all.iter().map(|a| a.id).collect()
}

/// The ids the app's picks name: the marks, else the selected child or
/// row (not `*`'s every match: that is each engine's all).
pub(crate) fn picks(app: &App) -> Vec<u64> {
    if !app.marks.ids.is_empty() {
        app.marks.ids.iter().copied().collect()
    } else if app.screen.focus != Pane::List && !app.children.rows.is_empty() {
        vec![app.children.rows[app.children.selected].id]
    } else {
        app.list.selected_row().map(|a| a.id).into_iter().collect()
    }
}

/// The rule on `engine` for the activities `picked`.
pub(crate) fn scan_picked(
    engine: &Engine,
    picked: Vec<u64>,
    query: &str,
    kind: ActionKind,
) -> BTreeSet<u64> {
    let computers: Vec<Computer> = engine.computers().cloned().collect();
    let parsed = parse(query).unwrap();
    let m = parsed.matcher(&computers);
    // The chains about per-computer work, and the group's own.
    let (work, own): (Vec<_>, Vec<_>) = parsed.all.iter().cloned().partition(|chain| {
        chain
            .any
            .iter()
            .any(|c| matches!(c.term.kind, TermKind::Status(_) | TermKind::Computer(_)))
    });
    let work = Query { all: work }.matcher(&computers);
    let own = Query { all: own }.matcher(&computers);
    let all = engine.activities("", u64::MAX, 0).unwrap().results;
    let by_id: HashMap<u64, &Activity> = all.iter().map(|a| (a.id, a)).collect();
    let chooses = |id: u64| {
        by_id
            .get(&id)
            .is_some_and(|g| g.is_parent() && own.matches(g))
    };
    // A single activity is taken when it matches, or when its group is
    // chosen by its own terms and it satisfies the work terms.
    let taken =
        |a: &Activity| m.matches(a) || a.parent().is_some_and(|p| chooses(p) && work.matches(a));
    let mut units = BTreeSet::new();
    for id in picked {
        let Some(a) = by_id.get(&id) else { continue };
        let singles: Vec<&Activity> = if a.is_parent() {
            all.iter().filter(|c| c.parent() == Some(id)).collect()
        } else {
            vec![a]
        };
        for s in singles {
            if taken(s) && kind.refusal(s).is_none() {
                units.insert(s.id);
            }
        }
    }
    units
}

/// What the engine changed: the singles whose status moved (approve,
/// cancel), or, for reapply and revert, the originals of the copies made
/// (matched by computer and summary, as a multiset).
pub(crate) fn changed(
    before: &Engine,
    after: &Engine,
    kind: ActionKind,
) -> Vec<(Option<u64>, String)> {
    let old = before.activities("", u64::MAX, 0).unwrap().results;
    let new = after.activities("", u64::MAX, 0).unwrap().results;
    let mut out: Vec<(Option<u64>, String)> = if kind.creates() {
        let known: BTreeSet<u64> = old.iter().map(|a| a.id).collect();
        new.iter()
            .filter(|a| !known.contains(&a.id) && !a.is_parent())
            .map(|a| (a.computer(), a.summary.to_string()))
            .collect()
    } else {
        let status: HashMap<u64, Option<ActivityStatus>> =
            old.iter().map(|a| (a.id, a.status().cloned())).collect();
        new.iter()
            .filter(|a| !a.is_parent() && status.get(&a.id) != Some(&a.status().cloned()))
            .map(|a| (Some(a.id), String::new()))
            .collect()
    };
    out.sort();
    out
}

/// `units` in the terms `changed` speaks.
pub(crate) fn expected(
    engine: &Engine,
    units: &BTreeSet<u64>,
    kind: ActionKind,
) -> Vec<(Option<u64>, String)> {
    let mut out: Vec<(Option<u64>, String)> = units
        .iter()
        .map(|id| {
            let a = engine.activity(*id).unwrap();
            match kind {
                ActionKind::Reapply => (a.computer(), a.summary.to_string()),
                ActionKind::Revert => (a.computer(), format!("Revert: {}", a.summary)),
                _ => (Some(a.id), String::new()),
            }
        })
        .collect();
    out.sort();
    out
}

/// The app after the operator's `ops` under `query`, the scope its
/// action key asks a plan for, and the scan's set; `None` when nothing
/// was picked (the scan must then take nothing).
fn picked(
    engine: &Engine,
    query: &str,
    ops: &[Op],
    kind: ActionKind,
) -> Result<Option<(Scope, BTreeSet<u64>)>, TestCaseError> {
    let mut app = common::tui::loaded(engine, (120, 40));
    if !query.is_empty() {
        let mut commands = typed(&mut app, &format!("/{query}"));
        commands.extend(feed(&mut app, [code(KeyCode::Enter)]));
        answer(&mut app, engine, commands);
    }
    let backend = backend_of(engine);
    for o in ops {
        do_op(&mut app, backend.as_ref(), o);
    }
    let want = scan(engine, &app, query, kind);
    match press_action(&mut app, kind) {
        Some(scope) => Ok(Some((scope, want))),
        None => {
            prop_assert!(want.is_empty(), "no dialog, but the scan takes {:?}", want);
            Ok(None)
        }
    }
}

/// The law through `backend` (which serves `engine`); `after` reads the
/// engine once the action is done.
async fn holds(
    engine: &Engine,
    backend: &dyn Backend,
    after: impl Fn() -> Engine,
    (scope, want): (Scope, BTreeSet<u64>),
    kind: ActionKind,
    only_changeable: bool,
) -> Result<(), TestCaseError> {
    let plan = action_plan::plan(backend, kind, &scope).await.unwrap();
    // The dialog's number and its `--ids` listing are the scan's set.
    prop_assert_eq!(plan.changes(), want.len() as u64, "{:?} {:?}", scope, plan);
    let ids = action_plan::acted_on_ids(backend, &plan).await.unwrap();
    prop_assert_eq!(ids.iter().copied().collect::<BTreeSet<u64>>(), want.clone());
    // What the engine changes is that set, and the report counts it.
    let report = action_plan::carry_out(backend, &plan, only_changeable).await;
    let after = after();
    if plan.would_be_refused() && !only_changeable {
        prop_assert_eq!(&report.outcome, &Outcome::Refused, "{:?}", report);
        prop_assert!(
            engine.same_state(&after),
            "a refused action changed something"
        );
        prop_assert_eq!(report.changed, 0);
    } else {
        prop_assert!(report.complete(), "{:?}", report);
        prop_assert!(!report.moved, "{:?}", report);
        prop_assert_eq!(report.changed, want.len() as u64);
        prop_assert_eq!(changed(engine, &after, kind), expected(engine, &want, kind));
        if !kind.creates() {
            // The report (and the log) names what changed: the children,
            // never a group's id for them.
            let named: BTreeSet<u64> = report.ids.iter().copied().collect();
            prop_assert_eq!(named, want.clone(), "{:?}", report);
        }
    }
    Ok(())
}

/// A demo account and one of the queries (one names a group by id, so
/// it matches in its own right).
pub(crate) fn account(seed: u64, query: usize) -> (Engine, String) {
    let engine = common::demo(seed, 8, 160);
    let group = engine
        .activities("type:ActivityGroup", 1, 0)
        .unwrap()
        .results[0]
        .id;
    let query = QUERIES[query].replace("GROUP", &format!("id:{group}"));
    (engine, query)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_dialog_the_action_and_the_scan_are_one_set(
        seed in 0u64..1000,
        query in 0usize..QUERIES.len(),
        ops in prop::collection::vec(op(), 0..8),
        kind in kind(),
        only_changeable in any::<bool>(),
    ) {
        let (engine, query) = account(seed, query);
        let Some(picked) = picked(&engine, &query, &ops, kind)? else { return Ok(()) };
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let backend = backend_of(&engine);
        rt.block_on(holds(&engine, backend.as_ref(), || backend.read().clone(), picked, kind, only_changeable))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The same over HTTP: `serve` and the client, by REST and by the
    /// legacy API (whose pages have no count: it is probed), which has
    /// no reapply or revert.
    #[test]
    fn the_law_holds_over_both_apis(
        seed in 0u64..1000,
        query in 0usize..QUERIES.len(),
        ops in prop::collection::vec(op(), 0..8),
        kind in kind(),
        only_changeable in any::<bool>(),
        legacy in any::<bool>(),
    ) {
        let kind = if legacy && kind.creates() { ActionKind::Cancel } else { kind };
        let (engine, query) = account(seed, query);
        let Some(picked) = picked(&engine, &query, &ops, kind)? else { return Ok(()) };
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async {
            let server = common::TestServer::start_with(common::frozen(engine.clone())).await;
            let credentials = RemoteCredentials::AccessKey {
                key: server.credentials.access_key.clone(),
                secret: Secret::new(server.credentials.secret_key.clone()),
            };
            let mut options = RemoteOptions::new(format!("{}/api/", server.base), credentials);
            options.api = if legacy { ApiChoice::Legacy } else { ApiChoice::Rest };
            let client = RemoteBackend::new(options).unwrap();
            let served = server.backend.clone();
            holds(&engine, client.as_ref(), || served.read().clone(), picked, kind, only_changeable).await
        })?;
    }
}

/// A plan costs a few requests whatever the account's size: the same
/// number at 2,000 and at 20,000 activities over REST; over the legacy
/// API (no counts in its pages) a probe per doubling of the matches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_costs_a_few_requests_not_a_walk_over_the_matches() {
    let mut rest_cost = Vec::new();
    for activities in [2_000, 20_000] {
        let engine = common::demo(4, 40, activities);
        let matches = engine
            .activities("status:unapproved computer:tag:web", 1, 0)
            .unwrap()
            .count;
        assert!(matches > 5, "{matches}");
        let (server, counted) = common::TestServer::start_counted(common::frozen(engine)).await;
        for api in [ApiChoice::Rest, ApiChoice::Legacy] {
            let credentials = RemoteCredentials::AccessKey {
                key: server.credentials.access_key.clone(),
                secret: Secret::new(server.credentials.secret_key.clone()),
            };
            let mut options = RemoteOptions::new(format!("{}/api/", server.base), credentials);
            options.api = api;
            let client = RemoteBackend::new(options).unwrap();
            let scope = Scope::every_match("status:unapproved computer:tag:web");
            counted.reset();
            let plan = action_plan::plan(client.as_ref(), ActionKind::Approve, &scope)
                .await
                .unwrap();
            let calls = counted.calls();
            assert!(plan.changes() > 5);
            match api {
                // Two counted pages for the singles, a count of groups.
                ApiChoice::Rest => {
                    assert!(calls <= 3, "{calls} requests at {activities}");
                    rest_cost.push(calls);
                }
                _ => {
                    let probes = 2 * (64 - matches.leading_zeros() as usize) + 2;
                    assert!(
                        calls <= 3 * probes + 2,
                        "{calls} requests for {matches} matches"
                    );
                }
            }
        }
    }
    assert_eq!(rest_cost[0], rest_cost[1], "the cost grew with the account");
}

/// Found by the law: reapply of every match of `upgrade`, sent whole. A
/// matched group brings its children, and an unfinished child the query
/// also matches directly must be named too: the plan counts it refused,
/// so the server must refuse (nothing is copied).
#[test]
fn a_refused_child_of_a_matched_group_is_sent_and_refused() {
    let (engine, query) = account(554, 7);
    assert_eq!(query, "upgrade");
    let picked = picked(&engine, &query, &[Op::MarkAll], ActionKind::Reapply)
        .unwrap()
        .expect("every match picked");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let backend = backend_of(&engine);
    rt.block_on(holds(
        &engine,
        backend.as_ref(),
        || backend.read().clone(),
        picked,
        ActionKind::Reapply,
        false,
    ))
    .unwrap();
}

/// What the engine changed: the ids whose status moved.
fn moved(before: &Engine, after: &Engine) -> BTreeSet<u64> {
    let old: HashMap<u64, Option<ActivityStatus>> = before
        .activities("", u64::MAX, 0)
        .unwrap()
        .results
        .iter()
        .map(|a| (a.id, a.status().cloned()))
        .collect();
    after
        .activities("", u64::MAX, 0)
        .unwrap()
        .results
        .iter()
        .filter(|a| !a.is_parent() && old.get(&a.id) != Some(&a.status().cloned()))
        .map(|a| a.id)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A guard's stop, by the same law: on rollouts of every mix of
    /// statuses (beside another group it must not touch), the count its
    /// confirmation shows, what the engine then changes and what the log
    /// reports are the guarded group's children that had not started
    /// (undelivered, unapproved, scheduled), by a plain scan; and it trips
    /// exactly when the scan's failures reach the threshold. Below it,
    /// nothing moves.
    #[test]
    fn a_guards_stop_is_its_groups_children_not_started(
        statuses in prop::collection::vec(
            prop::sample::select(vec![
                "failed", "failed", "delivered", "undelivered", "undelivered",
                "unapproved", "scheduled", "succeeded", "canceled",
            ]),
            1..24,
        ),
        at_least in 1u64..6,
        percent in any::<bool>(),
        auto in any::<bool>(),
    ) {
        use landscape_tui::model::guard::Threshold;
        use landscape_tui::tui::app::Dialog;
        let engine = Engine::from_dataset_str(&common::rollout_of(&statuses)).unwrap();
        let group = 500;
        let all = engine.activities("", u64::MAX, 0).unwrap().results;
        let children: Vec<&Activity> = all.iter().filter(|a| a.parent() == Some(group)).collect();
        let failed = children.iter().filter(|a| a.status() == Some(&ActivityStatus::Failed)).count() as u64;
        let not_started: BTreeSet<u64> = children
            .iter()
            .filter(|a| matches!(
                a.status(),
                Some(ActivityStatus::Undelivered | ActivityStatus::Unapproved | ActivityStatus::Scheduled)
            ))
            .map(|a| a.id)
            .collect();
        let threshold = Threshold { at_least: if percent { at_least * 10 } else { at_least }, percent };
        let trips = threshold.tripped(failed, children.len() as u64);

        let backend = common::frozen(engine.clone());
        let answered = |c: &Command| !matches!(
            c,
            Command::Effect(Effect::Notify(_)) | Command::Effect(Effect::SaveWatches(_)) | Command::Effect(Effect::LogAction(_)) | Command::Effect(Effect::SaveHistory(_))
        );
        let mut app = App::new(backend.info(), false, vec![]);
        app.screen.size = (120, 40);
        let cmds = landscape_tui::tui::update::start(&mut app);
        common::tui::drive(&mut app, backend.as_ref(), cmds, answered);
        let mut cmds = feed(&mut app, [key('/')]);
        cmds.extend(typed(&mut app, &format!("id:{group}")));
        cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
        common::tui::drive(&mut app, backend.as_ref(), cmds, answered);
        let line = format!("guard {threshold}{}", if auto { " --auto" } else { "" });
        let cmds = common::tui::command(&mut app, &line);
        common::tui::drive(&mut app, backend.as_ref(), cmds, answered);
        let tripped = app.watches.list[0].guard.as_ref().unwrap().tripped;
        prop_assert_eq!(tripped, trips, "{} failed of {}", failed, children.len());
        if trips && !auto {
            let Some(Dialog::Confirm(c)) = &app.dialog else {
                return Err(TestCaseError::fail(format!("no confirmation: {:?}", app.dialog)));
            };
            prop_assert_eq!(c.plan.as_ref().unwrap().changes(), not_started.len() as u64);
            let cmds = feed(&mut app, [key('y')]);
            common::tui::drive(&mut app, backend.as_ref(), cmds, answered);
        }
        let after = backend.read().clone();
        let changed = moved(&engine, &after);
        if trips {
            prop_assert_eq!(&changed, &not_started);
            for id in &changed {
                let now = after.activity(*id).unwrap();
                prop_assert_eq!(now.status(), Some(&ActivityStatus::Canceled));
            }
            if !not_started.is_empty() {
                let record = &app.acting.log[0];
                prop_assert_eq!(record.action.as_str(), "cancel");
                prop_assert_eq!(record.changed, not_started.len() as u64);
                prop_assert_eq!(record.planned, not_started.len() as u64);
            }
        } else {
            prop_assert!(changed.is_empty(), "{:?}", changed);
            prop_assert!(app.dialog.is_none());
        }
    }
}
