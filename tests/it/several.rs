//! Several servers in one dashboard (`--profile a --profile b`): one
//! list across them, ids kept apart, each action planned and sent per
//! server — what the dialog counts on each is what each changes.

use crate::action_law::{self, Op};
use crate::common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::tui::{code, drive, feed, is_read, typed};
use landscape_tui::backend::Backend;
use landscape_tui::backend::action_plan::{self, Outcome};
use landscape_tui::backend::engine::EngineBackend;
use landscape_tui::backend::several::Several;
use landscape_tui::engine::Engine;
use landscape_tui::model::ActionKind;
use landscape_tui::model::origin;
use landscape_tui::tui::app::App;
use landscape_tui::tui::update::start;
use proptest::prelude::*;
use ratatui::crossterm::event::KeyCode;

/// `engines` as servers named alpha, beta, … (read-only where said),
/// and each engine's backend, to read back what changed.
fn servers(engines: &[(&Engine, bool)]) -> (Arc<Several>, Vec<Arc<EngineBackend>>) {
    let names = ["alpha", "beta", "gamma"];
    let backends: Vec<Arc<EngineBackend>> = engines
        .iter()
        .map(|(e, _)| common::frozen((*e).clone()))
        .collect();
    let several = Several::new(
        backends
            .iter()
            .zip(engines)
            .enumerate()
            .map(|(k, (b, (_, read_only)))| {
                (
                    names[k].to_owned(),
                    *read_only,
                    b.clone() as Arc<dyn Backend>,
                )
            })
            .collect(),
    );
    (several, backends)
}

/// A dashboard on `backend` that has had its first answers.
fn loaded(backend: &dyn Backend, now: chrono::DateTime<chrono::Utc>) -> App {
    let mut app = App::new(backend.info(), false, vec![]);
    app.screen.size = (140, 40);
    app.clock.now = now;
    let commands = start(&mut app);
    drive(&mut app, backend, commands, is_read);
    app
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn one_list_across_servers_the_same_id_twice_and_each_counted() {
    let rt = runtime();
    let engine = common::demo(7, 8, 160);
    let _in = rt.enter();
    let (several, _) = servers(&[(&engine, false), (&engine, false)]);
    let one = rt.block_on(engine_backend_rows(&engine));
    let page = rt.block_on(several.top_level("", 1000, 0)).unwrap();
    assert_eq!(page.rows.count, 2 * one);
    let names: Vec<(String, u64)> = page
        .servers
        .iter()
        .map(|s| (s.name.clone(), s.rows))
        .collect();
    assert_eq!(names, [("alpha".into(), one), ("beta".into(), one)]);
    // The same ids on both, kept apart: each local id appears once per server.
    let ids: BTreeSet<u64> = page.rows.results.iter().map(|a| a.id).collect();
    assert_eq!(ids.len() as u64, 2 * one, "no id is shared");
    let locals: BTreeSet<u64> = page
        .rows
        .results
        .iter()
        .map(|a| origin::local(a.id))
        .collect();
    assert_eq!(locals.len() as u64, one);
    // Newest first across both.
    assert!(
        page.rows
            .results
            .windows(2)
            .all(|w| w[0].creation_time >= w[1].creation_time)
    );

    // On screen: a server column, the title counting each.
    let app = loaded(several.as_ref(), engine.now());
    let screen = common::tui::screen(&common::tui::draw(&app));
    assert!(screen.contains("server"), "{screen}");
    assert!(screen.contains(&format!("alpha {one}")), "{screen}");
    assert!(screen.contains(&format!("beta {one}")), "{screen}");
}

async fn engine_backend_rows(engine: &Engine) -> u64 {
    common::frozen(engine.clone())
        .top_level("", 1, 0)
        .await
        .unwrap()
        .rows
        .count
}

/// What the operator picked on each server and the scope the action key
/// asks a plan for; `None` when the key asks nothing.
fn picked(
    several: &Several,
    engines: &[&Engine],
    query: &str,
    ops: &[Op],
    kind: ActionKind,
) -> Option<(landscape_tui::model::scope::Scope, Vec<BTreeSet<u64>>)> {
    let mut app = loaded(several, engines[0].now());
    if !query.is_empty() {
        let mut commands = typed(&mut app, &format!("/{query}"));
        commands.extend(feed(&mut app, [code(KeyCode::Enter)]));
        drive(&mut app, several, commands, is_read);
    }
    for o in ops {
        action_law::do_op(&mut app, several, o);
    }
    let picks = action_law::picks(&app);
    let want: Vec<BTreeSet<u64>> = engines
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let mine: Vec<u64> = if app.marks.all.is_some() {
                action_law::every_id(e)
            } else {
                picks
                    .iter()
                    .filter(|id| origin::server_of(**id) == Some(k))
                    .map(|id| origin::local(*id))
                    .collect()
            };
            action_law::scan_picked(e, mine, query, kind)
        })
        .collect();
    let scope = action_law::press_action(&mut app, kind);
    match scope {
        Some(scope) => Some((scope, want)),
        None => {
            assert!(
                want.iter().all(BTreeSet::is_empty),
                "no dialog, but the rule takes {want:?}"
            );
            None
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Two servers with different data but the same ids: the dialog's
    /// share on each is the rule's set there, and each engine changes
    /// exactly its share (or, refused whole, nothing) — never the
    /// other's activity of the same id.
    #[test]
    fn each_servers_share_is_what_that_server_changes(
        seed in 0u64..1000,
        query in 0usize..action_law::QUERIES.len(),
        ops in prop::collection::vec(action_law::op(), 0..8),
        kind in action_law::kind(),
        only_changeable in any::<bool>(),
    ) {
        let (a, query) = action_law::account(seed, query);
        let b = common::demo(seed + 1, 8, 160);
        let rt = runtime();
        let _in = rt.enter();
        let (several, backends) = servers(&[(&a, false), (&b, false)]);
        let Some((scope, want)) = picked(&several, &[&a, &b], &query, &ops, kind) else {
            return Ok(());
        };
        let plan = rt.block_on(action_plan::plan(several.as_ref(), kind, &scope)).unwrap();
        let shares = plan.changes_by_server();
        for (k, w) in want.iter().enumerate() {
            let counted = shares.iter().find(|(s, _)| *s == k).map_or(0, |(_, n)| *n);
            prop_assert_eq!(counted, w.len() as u64, "server {} of {:?}", k, plan);
        }
        let report = rt.block_on(action_plan::carry_out(several.as_ref(), &plan, only_changeable));
        for (k, (engine, backend)) in [&a, &b].into_iter().zip(&backends).enumerate() {
            let after = backend.read().clone();
            let parts: Vec<_> = plan.parts.iter().filter(|p| p.server == Some(k)).collect();
            let refused = parts.iter().any(|p| p.singles_refused + p.groups_refused.len() as u64 > 0);
            if refused && !only_changeable {
                prop_assert!(engine.same_state(&after), "a refused share changed server {}", k);
            } else {
                prop_assert_eq!(
                    action_law::changed(engine, &after, kind),
                    action_law::expected(engine, &want[k], kind),
                    "server {}: {:?}", k, report
                );
            }
        }
        let sum: usize = want.iter().map(BTreeSet::len).sum();
        if !plan.would_be_refused() || only_changeable {
            prop_assert!(report.complete(), "{:?}", report);
            prop_assert_eq!(report.changed, sum as u64);
        } else {
            prop_assert!(!matches!(report.outcome, Outcome::Done) || report.changed < sum as u64 || sum == 0);
        }
    }
}

#[test]
fn a_read_only_server_is_left_out_and_said_while_the_other_acts() {
    let rt = runtime();
    let engine = common::demo(7, 8, 160);
    let _in = rt.enter();
    let (several, backends) = servers(&[(&engine, false), (&engine, true)]);
    let scope = landscape_tui::model::scope::Scope::every_match("status:unapproved");
    let plan = rt
        .block_on(action_plan::plan(
            several.as_ref(),
            ActionKind::Approve,
            &scope,
        ))
        .unwrap();
    let alone = rt
        .block_on(action_plan::plan(
            common::frozen(engine.clone()).as_ref(),
            ActionKind::Approve,
            &scope,
        ))
        .unwrap();
    assert!(alone.changes() > 0);
    assert_eq!(plan.changes_by_server(), [(0, alone.changes())]);
    assert_eq!(plan.skipped.len(), 1);
    assert_eq!(
        (
            plan.skipped[0].server.as_str(),
            plan.skipped[0].why.as_str()
        ),
        ("beta", "read-only")
    );
    let report = rt.block_on(action_plan::carry_out(several.as_ref(), &plan, false));
    assert_eq!(report.changed, alone.changes());
    assert!(
        engine.same_state(&backends[1].read()),
        "the read-only server changed"
    );
    assert!(!engine.same_state(&backends[0].read()));
    let summary = report.summary();
    let n = alone.changes();
    assert!(
        summary.starts_with(&format!("approved {n} activities: {n} on alpha")),
        "{summary}"
    );
    assert!(summary.contains("beta: read-only"), "{summary}");
}

/// On Landscape's own routes (`/top-level` hidden), two servers cost
/// twice one, not more: the start, a query and refreshes send each
/// server the list's requests one server alone is sent, and only the
/// selected row's server its side reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_cost_twice_one() {
    use crate::common::proxy::{Hide, Proxy};
    use common::tui::drive_remote;
    use landscape_tui::backend::remote::{ApiChoice, RemoteBackend};
    use landscape_tui::tui::event::Event;
    use landscape_tui::tui::update::update;
    let engine = common::demo(11, 30, 3_000);
    let mut servers = Vec::new();
    for _ in 0..2 {
        let s = common::TestServer::start_with(common::frozen(engine.clone())).await;
        let p = Proxy::start(&s.base, Hide::TopLevel, std::time::Duration::ZERO).await;
        servers.push((s, p));
    }
    let remote = |k: usize| -> Arc<dyn Backend> {
        let (s, p) = &servers[k];
        RemoteBackend::new(s.access_key_options(&p.base, ApiChoice::Rest)).unwrap()
    };
    let session = |backend: Arc<dyn Backend>| {
        let now = engine.now();
        async move {
            let mut app = App::new(backend.info(), false, vec![]);
            app.screen.size = (140, 40);
            app.clock.now = now;
            let cmds = start(&mut app);
            drive_remote(&mut app, backend.as_ref(), cmds).await;
            let mut cmds = typed(&mut app, "/status:failed");
            cmds.extend(feed(&mut app, [code(KeyCode::Enter)]));
            drive_remote(&mut app, backend.as_ref(), cmds).await;
            for _ in 0..3 {
                app.clock.now += chrono::Duration::seconds(5);
                let cmds = update(&mut app, Event::RefreshDue);
                drive_remote(&mut app, backend.as_ref(), cmds).await;
            }
            app
        }
    };
    let one = session(remote(0)).await;
    let alone = servers[0].1.requests();
    assert!(alone > 0);
    servers[0].1.reset();
    let several: Arc<dyn Backend> = Several::new(vec![
        ("alpha".into(), false, remote(0)),
        ("beta".into(), false, remote(1)),
    ]);
    let two = session(several).await;
    let each = [servers[0].1.requests(), servers[1].1.requests()];
    // The selected row's server also reads its children and computers
    // (what is shown); the list's reads are the same on each.
    assert_eq!(each[0], alone, "{:?}", servers[0].1.log());
    assert!(each[1] <= alone, "{:?}", servers[1].1.log());
    let list = |k: usize| -> Vec<String> {
        servers[k]
            .1
            .log()
            .into_iter()
            .filter(|l| {
                !l.contains("parent-id") && !l.contains("/computers") && !l.contains("id%3A")
            })
            .collect()
    };
    assert_eq!(list(0), list(1));
    assert_eq!(two.list.total, 2 * one.list.total);
}

/// The scripting commands over two profiles whose servers hold the same
/// data: `activities` says each row's server (the ids its own), a dry
/// run counts each server's share, an approve changes each server's
/// matches and says so per server, `wait` names each activity's server.
#[test]
fn scripts_over_two_profiles_say_each_rows_server() {
    let rt = runtime();
    let engine = common::demo(5, 8, 160);
    let servers: Vec<common::TestServer> = rt.block_on(async {
        let mut all = Vec::new();
        for _ in 0..2 {
            all.push(common::TestServer::start_with(common::frozen(engine.clone())).await);
        }
        all
    });
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/landscape-tui");
    std::fs::create_dir_all(&dir).unwrap();
    let mut config = String::from("default_profiles = [\"alpha\", \"beta\"]\n");
    for (name, s) in ["alpha", "beta"].iter().zip(&servers) {
        config.push_str(&format!(
            "[profiles.{name}]\nurl = \"{}/api/\"\naccess_key = \"{}\"\nsecret_key = \"{}\"\n",
            s.base, s.credentials.access_key, s.credentials.secret_key
        ));
    }
    std::fs::write(dir.join("config.toml"), config).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_landscape-tui"))
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env_remove("LANDSCAPE_API_URI")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let failed = engine.activities("status:failed", 1000, 0).unwrap().results;
    let (code, csv, err) = run(&["activities", "-q", "status:failed", "--format", "csv"]);
    assert_eq!(code, Some(0), "{err}");
    let mut lines = csv.lines();
    assert!(
        lines.next().unwrap().starts_with("server,id,status"),
        "{csv}"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2 * failed.len(), "{csv}");
    for a in &failed {
        for server in ["alpha", "beta"] {
            assert!(
                rows.iter()
                    .any(|r| r.starts_with(&format!("{server},{},failed", a.id))),
                "{server} {} in {csv}",
                a.id
            );
        }
    }

    let singles = engine
        .activities("status:unapproved NOT type:ActivityGroup", 0, 0)
        .unwrap()
        .count;
    let (code, dry, err) = run(&[
        "approve",
        "status:unapproved",
        "--dry-run",
        "--ids",
        "--format",
        "table",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        dry.contains(&format!("would approve {} activities", 2 * singles)),
        "{dry}"
    );
    assert_eq!(
        dry.lines().filter(|l| l.starts_with("  alpha ")).count() as u64,
        singles,
        "{dry}"
    );
    assert_eq!(
        dry.lines().filter(|l| l.starts_with("  beta ")).count() as u64,
        singles,
        "{dry}"
    );

    let (code, done, err) = run(&["approve", "status:unapproved", "--format", "table"]);
    assert_eq!(code, Some(0), "{done}{err}");
    let said = format!(
        "approved {} activities: {singles} on alpha, {singles} on beta",
        2 * singles
    );
    assert!(done.contains(&said), "{done}");
    for s in &servers {
        let left = s
            .backend
            .read()
            .activities("status:unapproved NOT type:ActivityGroup", 0, 0)
            .unwrap()
            .count;
        assert_eq!(left, 0);
    }

    let (code, waited, err) = run(&[
        "wait",
        "--query",
        "status:failed",
        "--timeout",
        "1s",
        "--format",
        "table",
    ]);
    assert_eq!(code, Some(0), "{waited}{err}");
    assert_eq!(
        waited.lines().filter(|l| l.starts_with("alpha ")).count(),
        failed.len(),
        "{waited}"
    );
    assert_eq!(
        waited.lines().filter(|l| l.starts_with("beta ")).count(),
        failed.len(),
        "{waited}"
    );
    drop(servers);
}

/// Any page of the merged list is that slice of the whole, newest or
/// oldest first, whichever end it is read from.
#[test]
fn every_page_is_its_slice_of_the_whole_from_either_end() {
    use landscape_tui::model::{ListSort, SortColumn};
    let rt = runtime();
    let (a, b) = (common::demo(3, 8, 300), common::demo(4, 8, 200));
    let _in = rt.enter();
    let (several, _) = servers(&[(&a, false), (&b, false)]);
    for sort in [
        ListSort::default(),
        ListSort {
            column: SortColumn::Created,
            descending: false,
        },
    ] {
        for query in ["", "status:failed", "NOT status:succeeded"] {
            let whole = rt
                .block_on(several.top_level_sorted(query, sort, 100_000, 0))
                .unwrap();
            let ids: Vec<u64> = whole.rows.results.iter().map(|r| r.id).collect();
            let total = ids.len() as u64;
            assert_eq!(whole.rows.count, total);
            for offset in [
                0,
                1,
                17,
                total / 2,
                total.saturating_sub(60),
                total.saturating_sub(7),
                total.saturating_sub(1),
                total,
            ] {
                let page = rt
                    .block_on(several.top_level_sorted(query, sort, 50, offset))
                    .unwrap();
                let got: Vec<u64> = page.rows.results.iter().map(|r| r.id).collect();
                let end = (offset + 50).min(total) as usize;
                let want = &ids[(offset as usize).min(end)..end];
                assert_eq!(got, want, "{query:?} {sort:?} at {offset} of {total}");
                assert_eq!(page.rows.count, total);
            }
        }
    }
}

/// `G` over two servers on Landscape's own routes costs each server
/// what a page near its end costs, a handful of requests at 2,000 and at
/// 30,000 activities: never a walk through either account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_end_of_two_servers_costs_a_page_not_the_accounts() {
    use crate::common::proxy::{Hide, Proxy};
    use common::tui::drive_remote;
    use landscape_tui::backend::remote::{ApiChoice, RemoteBackend};
    let mut costs = Vec::new();
    for size in [2_000, 30_000] {
        let mut held = Vec::new();
        let mut members = Vec::new();
        for (k, name) in ["alpha", "beta"].into_iter().enumerate() {
            let engine = common::demo(20 + k as u64, 30, size);
            let s = common::TestServer::start_with(common::frozen(engine)).await;
            let p = Proxy::start(&s.base, Hide::TopLevel, std::time::Duration::ZERO).await;
            let remote: Arc<dyn Backend> =
                RemoteBackend::new(s.access_key_options(&p.base, ApiChoice::Rest)).unwrap();
            members.push((name.to_owned(), false, remote));
            held.push((s, p));
        }
        let several: Arc<dyn Backend> = Several::new(members);
        let mut app = App::new(several.info(), false, vec![]);
        app.screen.size = (140, 40);
        let cmds = start(&mut app);
        drive_remote(&mut app, several.as_ref(), cmds).await;
        held.iter().for_each(|(_, p)| p.reset());
        let cmds = feed(&mut app, [common::tui::key('G')]);
        drive_remote(&mut app, several.as_ref(), cmds).await;
        assert_eq!(app.list.selected + 1, app.list.total, "on the last row");
        let last = app.list.selected_row().unwrap();
        // The oldest row of either account.
        let oldest = held
            .iter()
            .map(|(s, _)| {
                let e = s.backend.read();
                let n = e.top_level("", 1, 0).unwrap().rows.count;
                e.top_level("", 1, n - 1).unwrap().rows.results[0].creation_time
            })
            .min()
            .unwrap();
        assert_eq!(last.creation_time, oldest);
        let each: Vec<u64> = held.iter().map(|(_, p)| p.requests()).collect();
        // A walk through 30,000 would be 30 pages of 1,000 and their parents.
        assert!(each.iter().all(|n| *n <= 6), "{size}: {each:?}");
        costs.push(each);
    }
    assert!(
        costs[1].iter().sum::<u64>() <= costs[0].iter().sum::<u64>() + 6,
        "{costs:?}"
    );
}
