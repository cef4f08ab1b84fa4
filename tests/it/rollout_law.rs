//! The law of rollouts, on the engine with a stepped clock: no activity
//! of a later wave is approved before every one released so far is
//! final; the waves release the shares asked; a gate crossed leaves
//! exactly the rest unapproved, and nothing outside the set is touched;
//! a rollout stopped at any step and run again releases the same waves
//! an uninterrupted one does.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use landscape_tui::backend::engine::EngineBackend;
use landscape_tui::engine::Engine;
use landscape_tui::model::ActivityStatus;
use landscape_tui::model::rollout::run::{Run, Step};
use landscape_tui::model::rollout::{Gate, Share, parse_waves, targets};
use landscape_tui::scripting::Exit;
use landscape_tui::scripting::rollout::{Hooks, RolloutRequest, rollout};
use proptest::prelude::*;

use crate::common::tui::backend_of;

/// Group 500 with `n` unapproved children on `computers` computers (not
/// in id order), and group 90000 with two unapproved children outside the
/// set. `seed` decides each activity's fate.
pub fn fleet(n: usize, computers: usize, seed: u64) -> String {
    let computer = |id: usize| serde_json::json!({"id": id, "title": format!("node-{id:03}")});
    let creator = serde_json::json!({"name": "Jane Smith", "email": "jane@example.com", "id": 11});
    let activity = |id: usize, parent: Option<usize>, computer: Option<usize>| {
        let mut a = serde_json::json!({"id": id, "type": "ChangePackagesRequest",
            "summary": "Upgrade package curl", "creator": creator,
            "creation_time": "2024-02-07T16:00:00Z", "parent_id": parent, "computer_id": computer,
            "activity_status": "unapproved"});
        if parent.is_none() {
            a["type"] = "ActivityGroup".into();
        }
        a
    };
    let mut activities = vec![activity(500, None, None)];
    for i in 0..n {
        activities.push(activity(501 + i, Some(500), Some((i * 7) % computers + 1)));
    }
    activities.push(activity(90_000, None, None));
    activities.push(activity(90_001, Some(90_000), Some(1)));
    activities.push(activity(90_002, Some(90_000), Some(2)));
    serde_json::json!({
        "computers": (1..=computers.max(2)).map(computer).collect::<Vec<_>>(),
        "activities": activities,
        "clock": "2024-02-07T18:00:00Z",
        "seed": seed,
    })
    .to_string()
}

/// The test's world: the engine's clock, stepped by each pause; each
/// release checked against the engine as it is at that moment.
pub struct Stepped {
    pub backend: Arc<EngineBackend>,
    pub set: Vec<u64>,
    /// Stop (as an interrupt would) when this many steps were seen.
    pub stop_after: Option<usize>,
    pub seen: usize,
    /// Each wave released: its index and ids.
    pub releases: Vec<(usize, Vec<u64>)>,
    pub broken: Vec<String>,
}

impl Stepped {
    pub fn new(backend: Arc<EngineBackend>, set: Vec<u64>) -> Stepped {
        Stepped {
            backend,
            set,
            stop_after: None,
            seen: 0,
            releases: Vec::new(),
            broken: Vec::new(),
        }
    }

    fn status(&self, id: u64) -> ActivityStatus {
        let a = self.backend.read().activity(id).expect("in the engine");
        a.status().cloned().expect("a status")
    }

    /// Failed and final among the set's released activities now.
    pub fn figure(&self) -> (u64, u64) {
        let statuses: Vec<ActivityStatus> = self.set.iter().map(|&id| self.status(id)).collect();
        let failed = statuses
            .iter()
            .filter(|s| **s == ActivityStatus::Failed)
            .count();
        let final_ = statuses.iter().filter(|s| s.is_final()).count();
        (failed as u64, final_ as u64)
    }
}

impl Hooks for Stepped {
    fn now(&self) -> DateTime<Utc> {
        self.backend.read().now()
    }

    fn pause(&mut self, by: Duration) -> impl Future<Output = ()> + Send {
        let by = chrono::Duration::from_std(by).expect("short");
        self.backend.write().step(by);
        std::future::ready(())
    }

    fn saw(&mut self, run: &Run, step: &Step) -> bool {
        self.seen += 1;
        let go_on = self.stop_after.is_none_or(|n| self.seen < n);
        match step {
            Step::Release { wave, ids } => {
                let not_final: Vec<u64> = self
                    .set
                    .iter()
                    .copied()
                    .filter(|&id| {
                        let s = self.status(id);
                        s != ActivityStatus::Unapproved && !s.is_final()
                    })
                    .collect();
                if !not_final.is_empty() {
                    self.broken.push(format!(
                        "wave {wave} released while {not_final:?} were not final"
                    ));
                }
                let (failed, final_) = self.figure();
                if let Some(g) = run.gate
                    && *wave > 0
                    && !g.holds(failed, final_)
                {
                    self.broken.push(format!(
                        "wave {wave} released past a crossed gate: {failed} of {final_}"
                    ));
                }
                if go_on {
                    self.releases.push((*wave, ids.clone()));
                }
            }
            Step::Stopped { figure, .. } => {
                let (failed, final_) = self.figure();
                if (figure.failed, figure.final_) != (failed, final_) {
                    self.broken.push(format!(
                        "the gate read {figure:?}, the engine says {failed} of {final_}"
                    ));
                }
            }
            _ => {}
        }
        go_on
    }
}

pub fn request(query: &str, waves: Vec<Share>, gate: Option<Gate>, soak: u64) -> RolloutRequest {
    RolloutRequest {
        query: query.into(),
        waves,
        gate,
        soak: Duration::from_secs(soak),
        timeout: Duration::from_secs(30 * 86_400),
        interval: Duration::from_secs(10),
        dry_run: false,
        log: None,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// What [`roll`] found: the releases, what ended it, the engine, any
/// broken law.
type Rolled = (
    Vec<(usize, Vec<u64>)>,
    Exit,
    Arc<EngineBackend>,
    Vec<String>,
);

/// Rolls out on a fresh engine from `data`, stopped after `stop_after`
/// steps and run again when given: the releases, what ended it, the
/// engine, and any broken law.
fn roll(data: &str, request: &RolloutRequest, stop_after: Option<usize>) -> Rolled {
    let engine = Engine::from_dataset_str(data).unwrap();
    let backend = backend_of(&engine);
    let set: Vec<u64> = engine
        .activities("parent-id:500", 100_000, 0)
        .unwrap()
        .results
        .iter()
        .map(|a| a.id)
        .collect();
    let mut hooks = Stepped::new(backend.clone(), set);
    hooks.stop_after = stop_after;
    let rt = runtime();
    let (mut exit, _) = rt
        .block_on(rollout(backend.as_ref(), request, &mut hooks))
        .unwrap();
    if stop_after.is_some() && exit == Exit::Unknown {
        hooks.stop_after = None;
        exit = rt
            .block_on(rollout(backend.as_ref(), request, &mut hooks))
            .unwrap()
            .0;
    }
    (hooks.releases, exit, backend, hooks.broken)
}

fn waves() -> impl Strategy<Value = String> {
    proptest::collection::vec((1u32..=100, any::<bool>()), 1..4).prop_map(|picks| {
        let mut percents: Vec<u32> = picks.iter().filter(|p| p.1).map(|p| p.0).collect();
        let mut counts: Vec<u32> = picks.iter().filter(|p| !p.1).map(|p| p.0 / 3 + 1).collect();
        percents.sort_unstable();
        percents.dedup();
        counts.sort_unstable();
        counts.dedup();
        // Counts first, then percentages: the list increases as written.
        let words: Vec<String> = counts
            .iter()
            .map(u32::to_string)
            .chain(percents.iter().map(|p| format!("{p}%")))
            .collect();
        words.join(",")
    })
}

fn gate() -> impl Strategy<Value = Option<Gate>> {
    prop_oneof![
        Just(None),
        (0u64..4).prop_map(|n| Some(Gate {
            at_most: n,
            percent: false
        })),
        (0u64..40).prop_map(|n| Some(Gate {
            at_most: n,
            percent: true
        })),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn a_rollout_releases_its_waves_in_order_and_stops_at_its_gate(
        n in 1usize..60,
        computers in 1usize..25,
        seed in any::<u64>(),
        waves in waves(),
        gate in gate(),
        soak in prop_oneof![Just(0u64), Just(120u64)],
        by_group in any::<bool>(),
        stop_after in 1usize..40,
    ) {
        let data = fleet(n, computers, seed);
        let parsed = match parse_waves(&waves) {
            Ok(w) => w,
            // A count past a percentage may not increase: not this law's case.
            Err(_) => return Ok(()),
        };
        let query = if by_group { "id:500" } else { "parent-id:500" };
        let request = request(query, parsed.clone(), gate, soak);
        let (releases, exit, backend, broken) = roll(&data, &request, None);
        prop_assert!(broken.is_empty(), "{broken:?}");

        // The waves are the shares of the set, in release order (by computer).
        let t = targets(&parsed, n as u64);
        let engine = backend.read().clone();
        let mut order: Vec<(Option<u64>, u64)> = (501..501 + n as u64)
            .map(|id| (engine.activity(id).unwrap().computer_id.get().copied(), id))
            .collect();
        order.sort();
        let order: Vec<u64> = order.into_iter().map(|(_, id)| id).collect();
        let released: Vec<u64> = releases.iter().flat_map(|(_, ids)| ids.clone()).collect();
        prop_assert_eq!(&released[..], &order[..released.len()]);
        let mut reached = 0u64;
        for (wave, ids) in &releases {
            prop_assert_eq!(reached + ids.len() as u64, t[*wave], "wave {} reaches its share", wave);
            reached = t[*wave];
        }
        let unapproved: Vec<u64> = order
            .iter()
            .copied()
            .filter(|&id| engine.activity(id).unwrap().status() == Some(&ActivityStatus::Unapproved))
            .collect();
        prop_assert_eq!(&unapproved[..], &order[released.len()..], "the rest, exactly, unapproved");
        match exit {
            Exit::Done => prop_assert_eq!(released.len(), n),
            Exit::Failed => {
                let (failed, final_) = {
                    let s: Vec<_> = order.iter().map(|&id| engine.activity(id).unwrap()).collect();
                    (s.iter().filter(|a| a.status() == Some(&ActivityStatus::Failed)).count() as u64,
                     s.iter().filter(|a| a.is_final()).count() as u64)
                };
                prop_assert!(!gate.unwrap().holds(failed, final_), "stopped only past the gate");
            }
            other => prop_assert!(false, "ended {other:?}"),
        }
        for id in [90_001, 90_002] {
            let outside = engine.activity(id).unwrap();
            prop_assert_eq!(outside.status(), Some(&ActivityStatus::Unapproved), "outside the set: untouched");
        }

        // Stopped anywhere and run again: the same waves.
        let (resumed, exit_again, _, broken) = roll(&data, &request, Some(stop_after));
        prop_assert!(broken.is_empty(), "{broken:?}");
        prop_assert_eq!(exit_again, exit);
        let flat = |r: &[(usize, Vec<u64>)]| -> Vec<Vec<u64>> {
            let mut by_wave = vec![Vec::new(); t.len()];
            for (w, ids) in r {
                by_wave[*w].extend(ids);
            }
            by_wave
        };
        prop_assert_eq!(flat(&resumed), flat(&releases));
    }
}

#[test]
fn a_dry_run_changes_nothing_and_says_each_wave() {
    let engine = Engine::from_dataset_str(&fleet(20, 20, 1)).unwrap();
    let backend = backend_of(&engine);
    let mut r = request("parent-id:500", parse_waves("10%,50%").unwrap(), None, 0);
    r.dry_run = true;
    let mut hooks = Stepped::new(backend.clone(), Vec::new());
    let (exit, run) = runtime()
        .block_on(rollout(backend.as_ref(), &r, &mut hooks))
        .unwrap();
    assert_eq!(exit, Exit::Done);
    let preview = run.preview();
    let sizes: Vec<usize> = preview.iter().map(|w| w.2.len()).collect();
    assert_eq!(sizes, [2, 8, 10]);
    assert_eq!(preview[0].2, [501, 504], "computers 1 and 2 first");
    assert!(backend.read().same_state(&engine), "nothing changed");
}
