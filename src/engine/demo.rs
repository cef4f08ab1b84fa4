//! A seeded, believable fleet: computers with roles, tags, releases and
//! alerts; months of activities from several people, most finished, some
//! waiting for approval, some in flight right now. Same seed and time, same
//! account.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::json;

use super::fate::{failure_text, fate, success_text};
use super::{Engine, Progress};
use crate::model::{
    ACTIVITY_GROUP, Activity, ActivityStatus, Computer, Creator, Field, PackageChange,
};

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    pub computers: usize,
    pub activities: usize,
    /// The account's present: activities are dated before it, some in flight at it.
    pub now: DateTime<Utc>,
}

impl Default for DemoOptions {
    fn default() -> DemoOptions {
        DemoOptions {
            seed: 42,
            computers: 50,
            activities: 3000,
            now: Utc::now(),
        }
    }
}

/// role, tags, access group, share of the fleet (in 100ths)
const ROLES: &[(&str, &[&str], &str, u32)] = &[
    ("web", &["server", "web", "production"], "datacenter-eu", 20),
    ("db", &["server", "db", "production"], "datacenter-eu", 8),
    (
        "cache",
        &["server", "cache", "production"],
        "datacenter-eu",
        5,
    ),
    ("lb", &["server", "lb", "production"], "datacenter-us", 5),
    (
        "ci-runner",
        &["server", "ci", "staging"],
        "datacenter-us",
        12,
    ),
    (
        "k8s-node",
        &["server", "kubernetes", "staging"],
        "datacenter-us",
        15,
    ),
    ("laptop", &["laptop", "desktop"], "desktops", 25),
    ("kiosk", &["kiosk", "retail"], "retail", 10),
];

const PEOPLE: &[(&str, &str, u64)] = &[
    ("Jane Smith", "jane@example.com", 115669),
    ("Bob Jones", "bob.jones@example.com", 115702),
    ("Priya Patel", "priya.patel@example.com", 116034),
    ("Oleksandr Kovalenko", "o.kovalenko@example.com", 116100),
    ("Ana García", "ana.garcia@example.com", 117001),
];

const LAPTOP_OWNERS: &[&str] = &[
    "ana", "bob", "chen", "dmitri", "emma", "farah", "gus", "hana", "ivan", "jane", "kofi", "lena",
];

/// package, newer version, older version
const PACKAGES: &[(&str, &str, &str)] = &[
    ("openssl", "3.0.2-0ubuntu1.15", "3.0.2-0ubuntu1.12"),
    ("nginx", "1.18.0-6ubuntu14.4", "1.18.0-6ubuntu14.3"),
    ("curl", "7.81.0-1ubuntu1.16", "7.81.0-1ubuntu1.15"),
    ("linux-image-generic", "5.15.0.105.102", "5.15.0.102.99"),
    (
        "postgresql-14",
        "14.11-0ubuntu0.22.04.1",
        "14.10-0ubuntu0.22.04.1",
    ),
    ("openssh-server", "1:8.9p1-3ubuntu0.7", "1:8.9p1-3ubuntu0.6"),
    ("libc6", "2.35-0ubuntu3.7", "2.35-0ubuntu3.6"),
    ("apt-transport-https", "2.4.12", "2.4.11"),
    (
        "python3-django",
        "2:3.2.12-2ubuntu1.11",
        "2:3.2.12-2ubuntu1.9",
    ),
    (
        "docker.io",
        "24.0.7-0ubuntu2~22.04.1",
        "24.0.5-0ubuntu1~22.04.1",
    ),
    ("redis-server", "5:6.0.16-1ubuntu1", "5:6.0.15-1"),
    ("htop", "3.0.5-7build2", "3.0.5-7build1"),
    ("git", "1:2.34.1-1ubuntu1.11", "1:2.34.1-1ubuntu1.10"),
    ("sudo", "1.9.9-1ubuntu2.4", "1.9.9-1ubuntu2.3"),
    ("vim", "2:8.2.3995-1ubuntu2.16", "2:8.2.3995-1ubuntu2.15"),
];

const SCRIPTS: &[&str] = &[
    "Rotate nginx logs",
    "Collect sosreport",
    "Clear /tmp",
    "Renew TLS certificates",
    "Restart containerd",
    "Check disk usage",
];
const SNAPS: &[&str] = &["lxd", "microk8s", "firefox", "canonical-livepatch", "juju"];
const POCKETS: &[(&str, &str)] = &[
    ("release", "jammy"),
    ("updates", "jammy"),
    ("security", "jammy"),
    ("release", "noble"),
    ("security", "noble"),
    ("updates", "focal"),
];

struct Generator {
    rng: StdRng,
    /// One shared record per person in [`PEOPLE`].
    people: Vec<Arc<Creator>>,
    texts: std::collections::HashSet<Arc<str>>,
    now: DateTime<Utc>,
    next_id: u64,
    computers: Vec<u64>,
    activities: Vec<Activity>,
    seed: u64,
}

impl Engine {
    /// A generated account (see [`DemoOptions`]); the clock is frozen at
    /// `now` until the caller runs it.
    pub fn demo(options: &DemoOptions) -> Engine {
        Engine::demo_with_progress(options, &Progress::default())
    }

    /// The same, counting the activities generated into `progress`.
    pub fn demo_with_progress(options: &DemoOptions, progress: &Progress) -> Engine {
        progress.start(options.activities as u64, crate::progress::Unit::Activities);
        let mut rng = StdRng::seed_from_u64(options.seed);
        let now = super::clock::whole_seconds(options.now);
        let computers = computers(&mut rng, options.computers.max(1), now);
        let ids: Vec<u64> = computers.iter().map(|c| c.id).collect();
        let kiosks: Vec<(u64, bool)> = computers
            .iter()
            .filter(|c| c.tags.iter().any(|t| t == "kiosk"))
            .map(|c| (c.id, super::offline(c)))
            .collect();
        let mut g = Generator {
            rng,
            people: PEOPLE
                .iter()
                .map(|(name, email, id)| Arc::new(Creator::new(name, email, *id)))
                .collect(),
            texts: Default::default(),
            now,
            next_id: 71_660_000,
            computers: ids,
            activities: Vec::with_capacity(options.activities),
            seed: options.seed,
        };
        while g.activities.len() < options.activities {
            g.request(options.activities - g.activities.len());
            progress.set(g.activities.len() as u64);
        }
        // A living account always has a few long syncs under way.
        if options.activities >= 100 {
            g.syncs_in_flight();
            g.kiosk_rollout(&kiosks);
            g.staged_upgrade();
        }
        let mut engine = Engine::new(computers, g.activities, now, options.seed);
        engine.advance_to(now);
        engine
    }
}

/// The fleet. Kiosks in stores and laptops drop off the network more than
/// servers; one that did keeps when it was last heard from.
fn computers(rng: &mut StdRng, n: usize, now: DateTime<Utc>) -> Vec<Computer> {
    let mut out = Vec::with_capacity(n);
    let mut counters = vec![0usize; ROLES.len()];
    for i in 0..n {
        let mut pick = rng.random_range(0..100u32);
        let role = ROLES
            .iter()
            .position(|r| {
                let hit = pick < r.3;
                pick = pick.saturating_sub(r.3);
                hit
            })
            .unwrap_or(0);
        let (name, tags, group, _) = ROLES[role];
        counters[role] += 1;
        let number = counters[role];
        let id = 365_800 + i as u64 * 7;
        let (title, hostname) = names(name, number);
        let mut c = Computer::new(id, &title);
        c.hostname = hostname;
        c.tags = tags.iter().map(|t| (*t).to_owned()).collect();
        c.access_group = group.to_owned();
        c.distribution = match rng.random_range(0..100) {
            0..50 => "22.04",
            50..85 => "24.04",
            _ => "20.04",
        }
        .to_owned();
        let offline_chance = match name {
            "kiosk" => 50,
            "laptop" => 10,
            _ => 2,
        };
        for (alert, chance) in [
            ("package-upgrades", 45),
            ("security-upgrades", 25),
            ("computer-reboot", 10),
            ("computer-offline", offline_chance),
            ("package-profiles", 3),
        ] {
            if rng.random_range(0..100) < chance {
                c.alerts.push(alert.to_owned());
            }
        }
        if super::offline(&c) {
            let heard = now - Duration::minutes(rng.random_range(90..4_000));
            let at = |t: DateTime<Utc>| json!(t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            c.extra.insert("last_ping_time".into(), at(heard));
            c.extra.insert(
                "last_exchange_time".into(),
                at(heard - Duration::minutes(4)),
            );
        }
        c.needs_reboot = c.alerts.iter().any(|a| a == "computer-reboot");
        c.macs = vec![format!(
            "52:54:00:{:02x}:{:02x}:{:02x}",
            rng.random::<u8>(),
            rng.random::<u8>(),
            rng.random::<u8>()
        )];
        let net = if group == "desktops" {
            "192.168.10"
        } else if group == "retail" {
            "172.20.4"
        } else {
            "10.1.2"
        };
        c.ips = vec![format!("{net}.{}", 10 + i % 240)];
        if tags.contains(&"server") {
            c.annotations.insert(
                "rack".into(),
                format!("r{:02}", 10 + rng.random_range(0..8)),
            );
        }
        if name == "laptop" {
            c.annotations.insert(
                "owner".into(),
                c.title.trim_start_matches("laptop-").to_owned(),
            );
        }
        out.push(c);
    }
    out
}

/// The `number`th computer of a role's title and hostname.
fn names(role: &str, number: usize) -> (String, String) {
    match role {
        "laptop" => {
            let owner = LAPTOP_OWNERS[(number - 1) % LAPTOP_OWNERS.len()];
            let t = if number > LAPTOP_OWNERS.len() {
                format!("laptop-{owner}-{number}")
            } else {
                format!("laptop-{owner}")
            };
            (t.clone(), t)
        }
        "kiosk" => {
            let t = format!("kiosk-store-{number:03}");
            (t.clone(), format!("{t}.retail.example.com"))
        }
        _ => {
            let t = format!("{role}-{number:02}");
            (t.clone(), format!("{t}.example.com"))
        }
    }
}

/// The band of statuses an activity of this age is likely in.
enum Age {
    Old,
    Today,
    Fresh,
}

impl Generator {
    fn id(&mut self) -> u64 {
        self.next_id += 1 + self.rng.random_range(0..3);
        self.next_id
    }

    /// The one shared copy of `text` (types repeat across the account).
    fn shared(&mut self, text: &str) -> Arc<str> {
        if let Some(t) = self.texts.get(text) {
            return t.clone();
        }
        let t: Arc<str> = text.into();
        self.texts.insert(t.clone());
        t
    }

    fn creator(&mut self) -> Arc<Creator> {
        let (_, _, id) = *PEOPLE.choose(&mut self.rng).unwrap_or(&PEOPLE[0]);
        let known = self.people.iter().find(|c| c.id.get() == Some(&id));
        known.unwrap_or(&self.people[0]).clone()
    }

    /// One request: a standalone activity or a parent with children.
    fn request(&mut self, room: usize) {
        // Most activity is recent: square a uniform draw towards zero age.
        let u: f64 = self.rng.random();
        let age = Duration::seconds((u * u * 120.0 * 86_400.0) as i64);
        let created = self.now - age;
        let band = if age > Duration::days(2) {
            Age::Old
        } else if age > Duration::hours(1) {
            Age::Today
        } else {
            Age::Fresh
        };
        let creator = self.creator();
        let kind = self.rng.random_range(0..100);
        if kind < 5 {
            return self.pocket_sync(created, band);
        }
        let (ty, summary, changes, extra) = self.what(kind);
        // One text for every activity of the request (and every type).
        let (ty, summary) = (self.shared(&ty), Arc::<str>::from(summary));
        let fleet = self.computers.len();
        let group = room > 1 && fleet > 1 && self.rng.random_range(0..100) < 65;
        if !group {
            let id = self.id();
            let computer = self.computers[self.rng.random_range(0..fleet)];
            let mut a = self.activity(
                id,
                &ty,
                &summary,
                created,
                &creator,
                Some(computer),
                None,
                &changes,
            );
            a.extra = extra.into();
            self.status(&mut a, &band, None);
            self.activities.push(a);
            return;
        }
        let k = self
            .rng
            .random_range(2..=fleet.min(12))
            .min(room - 1)
            .max(1);
        let parent_id = self.push_group(&summary, created, &creator);
        let shared = self.rng.random_range(0..100);
        let start = self.rng.random_range(0..fleet);
        for j in 0..k {
            let computer = self.computers[(start + j * 7) % fleet];
            let id = self.id();
            let mut a = self.activity(
                id,
                &ty,
                &summary,
                created,
                &creator,
                Some(computer),
                Some(parent_id),
                &changes,
            );
            a.extra = extra.clone().into();
            self.status(&mut a, &band, Some(shared));
            self.activities.push(a);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn activity(
        &self,
        id: u64,
        ty: &Arc<str>,
        summary: &Arc<str>,
        created: DateTime<Utc>,
        creator: &Arc<Creator>,
        computer: Option<u64>,
        parent: Option<u64>,
        changes: &[PackageChange],
    ) -> Activity {
        let mut a = Activity::new(id, ty.clone(), summary.clone(), created);
        a.creator = Field::Value(creator.clone());
        a.computer_id = computer.into();
        a.parent_id = parent.into();
        a.changes = Field::Value(changes.to_vec());
        a.package_ids = Field::Value(
            changes
                .iter()
                .enumerate()
                .map(|(i, _)| 7_085_390 + id % 10_000 + i as u64)
                .collect(),
        );
        a
    }

    /// Type, summary, package changes and extra fields of a request.
    fn what(
        &mut self,
        kind: u32,
    ) -> (
        String,
        String,
        Vec<PackageChange>,
        serde_json::Map<String, serde_json::Value>,
    ) {
        let extra = serde_json::Map::new();
        let (ty, summary, changes) = match kind {
            5..50 => self.change_packages(),
            50..60 => (
                "UpgradeAllPackagesRequest".into(),
                "Upgrade all packages".into(),
                vec![],
            ),
            60..72 => {
                let s = SCRIPTS.choose(&mut self.rng).unwrap_or(&SCRIPTS[0]);
                (
                    "ExecuteScriptRequest".into(),
                    format!("Run script: {s}"),
                    vec![],
                )
            }
            72..82 => ("RestartRequest".into(), "Restart computer".into(), vec![]),
            82..85 => (
                "ReleaseUpgradeRequest".into(),
                "Upgrade to Ubuntu 24.04 LTS (noble)".into(),
                vec![],
            ),
            85..90 => {
                let s = SNAPS.choose(&mut self.rng).unwrap_or(&SNAPS[0]);
                ("InstallSnaps".into(), format!("Install snap {s}"), vec![])
            }
            90..93 => ("RefreshSnaps".into(), "Refresh snaps".into(), vec![]),
            93..95 => (
                "CreateUserRequest".into(),
                "Create user deploy".into(),
                vec![],
            ),
            95..97 => (
                "AttachProRequest".into(),
                "Attach Ubuntu Pro subscription".into(),
                vec![],
            ),
            97..99 => (
                "ResynchronizeRequest".into(),
                "Request a full resync of computer data".into(),
                vec![],
            ),
            _ => (
                "ShutdownRequest".into(),
                "Shut down computer".into(),
                vec![],
            ),
        };
        (ty, summary, changes, extra)
    }

    /// A package change: one or two packages upgraded, installed, removed
    /// or downgraded.
    fn change_packages(&mut self) -> (String, String, Vec<PackageChange>) {
        let n = if self.rng.random_range(0..4) == 0 {
            2
        } else {
            1
        };
        let mut changes = Vec::new();
        let verb = match self.rng.random_range(0..20) {
            0..10 => "upgrade",
            10..15 => "install",
            15..18 => "remove",
            _ => "downgrade",
        };
        for _ in 0..n {
            let (package, new, old) = *PACKAGES.choose(&mut self.rng).unwrap_or(&PACKAGES[0]);
            if changes
                .iter()
                .any(|c: &PackageChange| &*c.package == package)
            {
                continue;
            }
            let (install, remove) = match verb {
                "upgrade" => (Some(new), Some(old)),
                "downgrade" => (Some(old), Some(new)),
                "install" => (Some(new), None),
                _ => (None, Some(new)),
            };
            changes.push(PackageChange {
                package: package.into(),
                change_type: verb.into(),
                complemented: Field::Value(false),
                version: Field::Absent,
                install_version: install.map(Arc::from).into(),
                remove_version: remove.map(Arc::from).into(),
                extra: Default::default(),
            });
        }
        let names: Vec<&str> = changes.iter().map(|c| &*c.package).collect();
        let verb_cap = format!("{}{}", verb[..1].to_uppercase(), &verb[1..]);
        let summary = if names.len() == 1 {
            format!("{verb_cap} package {}", names[0])
        } else {
            format!("{verb_cap} packages {} and {}", names[0], names[1])
        };
        ("ChangePackagesRequest".to_owned(), summary, changes)
    }

    fn pocket_sync(&mut self, created: DateTime<Utc>, band: Age) {
        let id = self.id();
        let (pocket, series) = *POCKETS.choose(&mut self.rng).unwrap_or(&POCKETS[0]);
        let summary =
            format!("Sync pocket '{pocket}' of series '{series}' in distribution 'ubuntu'");
        let creator = self.creator();
        let (ty, summary) = (self.shared("SyncPocketRequest"), self.shared(&summary));
        let mut a = self.activity(id, &ty, &summary, created, &creator, None, None, &[]);
        a.changes = Field::Absent;
        a.package_ids = Field::Absent;
        a.extra.insert(
            "pocket_id".into(),
            json!(
                1 + POCKETS
                    .iter()
                    .position(|p| p.0 == pocket && p.1 == series)
                    .unwrap_or(0)
            ),
        );
        a.extra.insert("pocket_name".into(), json!(pocket));
        a.progress = Field::Value(0);
        self.status(&mut a, &band, None);
        self.activities.push(a);
    }

    /// This morning's upgrade of every store's kiosk: done where the kiosk
    /// is in touch, queued where it went offline (what "why it waits" is
    /// for).
    fn kiosk_rollout(&mut self, kiosks: &[(u64, bool)]) {
        if kiosks.is_empty() {
            return;
        }
        let created = self.now - Duration::hours(3);
        let summary = "Upgrade package openssl on the store kiosks";
        let computers: Vec<u64> = kiosks.iter().map(|k| k.0).collect();
        let children = self.package_group(summary, created, 0, PACKAGES[0], &computers);
        let approved = created + Duration::minutes(2);
        for (a, &(_, offline)) in children.into_iter().zip(kiosks) {
            let mut a = a;
            a.approval_time = Field::Value(approved);
            if offline {
                a.activity_status = Field::Value(ActivityStatus::Undelivered);
            } else {
                let done = approved + Duration::minutes(3);
                a.activity_status = Field::Value(ActivityStatus::Succeeded);
                a.delivery_time = Field::Value(approved + Duration::seconds(40));
                a.completion_time = Field::Value(done);
                a.modification_time = Field::Value(done);
                a.result_text =
                    Field::Value(success_text(&a.activity_type, Some(PACKAGES[0].0)).into());
                a.result_code = Field::Value(0);
            }
            self.activities.push(a);
        }
    }

    /// An upgrade of every computer waiting for approval: what a staged
    /// rollout (`:rollout 10%,50%,100%`) is for.
    fn staged_upgrade(&mut self) {
        let created = self.now - Duration::minutes(50);
        let summary = "Upgrade package curl on every computer (to be rolled out)";
        let computers = self.computers.clone();
        let children = self.package_group(summary, created, 1, PACKAGES[2], &computers);
        for mut a in children {
            a.activity_status = Field::Value(ActivityStatus::Unapproved);
            self.activities.push(a);
        }
    }

    /// A group (an ActivityGroup, pushed): its id. Its status and counts
    /// follow from the children pushed after it.
    fn push_group(
        &mut self,
        summary: &Arc<str>,
        created: DateTime<Utc>,
        creator: &Arc<Creator>,
    ) -> u64 {
        let parent_id = self.id();
        let group = self.shared(ACTIVITY_GROUP);
        let mut parent = self.activity(
            parent_id,
            &group,
            summary,
            created,
            creator,
            None,
            None,
            &[],
        );
        parent.changes = Field::Null;
        parent.package_ids = Field::Null;
        self.activities.push(parent);
        parent_id
    }

    /// A package change's group (pushed) and its children, one per
    /// computer (returned, for their status to be set).
    fn package_group(
        &mut self,
        summary: &str,
        created: DateTime<Utc>,
        person: usize,
        (package, new, old): (&str, &str, &str),
        computers: &[u64],
    ) -> Vec<Activity> {
        let creator = self.people[person].clone();
        let ty = self.shared("ChangePackagesRequest");
        let summary: Arc<str> = summary.into();
        let changes = vec![PackageChange {
            package: package.into(),
            change_type: "upgrade".into(),
            complemented: Field::Value(false),
            version: Field::Absent,
            install_version: Field::Value(new.into()),
            remove_version: Field::Value(old.into()),
            extra: Default::default(),
        }];
        let parent_id = self.push_group(&summary, created, &creator);
        computers
            .iter()
            .map(|&computer| {
                let id = self.id();
                self.activity(
                    id,
                    &ty,
                    &summary,
                    created,
                    &creator,
                    Some(computer),
                    Some(parent_id),
                    &changes,
                )
            })
            .collect()
    }

    /// Pocket syncs part-way through their run, so the gauges move.
    fn syncs_in_flight(&mut self) {
        for (k, done) in [0.15f64, 0.45, 0.8].into_iter().enumerate() {
            let created = self.now - Duration::minutes(5 + 7 * k as i64);
            self.pocket_sync(created, Age::Fresh);
            let Some(a) = self.activities.last_mut() else {
                return;
            };
            let f = fate(self.seed, a.id, &a.activity_type);
            let run = f.duration;
            // One that will fail is shown before it does.
            let done = if f.succeeds {
                done
            } else {
                done.min(f.fails_at / 2.0)
            };
            a.activity_status = Field::Value(ActivityStatus::Delivered);
            a.approval_time = Field::Value(created);
            a.delivery_time = Field::Value(
                self.now - Duration::seconds((run.num_seconds() as f64 * done) as i64),
            );
            a.completion_time = Field::Null;
            a.result_text = Field::Null;
            a.result_code = Field::Null;
        }
    }

    /// Sets a plausible status with its timestamps and result.
    fn status(&mut self, a: &mut Activity, band: &Age, shared: Option<u32>) {
        let roll = shared.unwrap_or_else(|| self.rng.random_range(0..100));
        let status = match band {
            Age::Old => match roll {
                0..80 => ActivityStatus::Succeeded,
                80..92 => ActivityStatus::Failed,
                _ => ActivityStatus::Canceled,
            },
            Age::Today => match roll {
                0..12 => ActivityStatus::Unapproved,
                12..15 => ActivityStatus::Scheduled,
                15..17 => ActivityStatus::Waiting,
                17..18 => ActivityStatus::Blocked,
                18..85 => ActivityStatus::Succeeded,
                85..95 => ActivityStatus::Failed,
                _ => ActivityStatus::Canceled,
            },
            Age::Fresh => match roll {
                0..30 => ActivityStatus::Unapproved,
                30..50 => ActivityStatus::Undelivered,
                50..85 => ActivityStatus::Delivered,
                _ => ActivityStatus::Succeeded,
            },
        };
        // Within a group, a few children still differ from the rest.
        let status = if shared.is_some() && status.is_final() && self.rng.random_range(0..100) < 8 {
            ActivityStatus::Failed
        } else {
            status
        };
        let created = a.creation_time;
        let f = fate(self.seed, a.id, &a.activity_type);
        let package = a
            .changes
            .get()
            .and_then(|c| c.first())
            .map(|c| c.package.clone());
        if status != ActivityStatus::Unapproved {
            a.approval_time =
                Field::Value(created + Duration::seconds(self.rng.random_range(5..600)));
        }
        let approved = a.approval_time.copied().unwrap_or(created);
        match status.clone() {
            ActivityStatus::Scheduled => {
                a.deliver_after_time =
                    Field::Value(self.now + Duration::hours(self.rng.random_range(1..48)));
            }
            ActivityStatus::Delivered => {
                // In flight now: part-way through the run its fate gives it.
                let into =
                    (f.duration.num_seconds() as f64 * self.rng.random_range(0.05..0.6)) as i64;
                a.delivery_time = Field::Value((self.now - Duration::seconds(into)).max(created));
            }
            s if s.is_final() => {
                let delivered = approved + f.delivery_delay;
                let done = delivered + f.duration;
                if s != ActivityStatus::Canceled {
                    a.delivery_time = Field::Value(delivered);
                }
                let done = done.min(self.now);
                a.completion_time = Field::Value(done);
                a.modification_time = Field::Value(done);
                match s {
                    ActivityStatus::Succeeded => {
                        a.result_text =
                            Field::Value(success_text(&a.activity_type, package.as_deref()).into());
                        a.result_code = Field::Value(0);
                        if a.progress.is_some() {
                            a.progress = Field::Value(100);
                        }
                    }
                    ActivityStatus::Failed => {
                        let (text, code) =
                            failure_text(&a.activity_type, f.failure, package.as_deref());
                        a.result_text = Field::Value(text.into());
                        a.result_code = Field::Value(code);
                        if a.progress.is_some() {
                            a.progress = Field::Value(-1);
                        }
                    }
                    _ => {
                        a.result_text = Field::Value("Canceled by an administrator".into());
                    }
                }
            }
            _ => {}
        }
        a.activity_status = Field::Value(status);
    }
}
