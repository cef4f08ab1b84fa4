//! Landscape 26.04's debarchive service as the embedded Landscape keeps
//! it: mirrors, local repositories and publications, each with its last
//! long-running operation (a sync, an import, a publish) that moves with
//! the engine's clock — some fail, with an apt-like log, as real ones do.
//! Kept in memory beside the activities (not in datasets or the journal).

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

use crate::model::operation::{Operation, OperationError, OperationMetadata};

/// The three kinds of resource that carry a `lastOperation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Mirrors,
    Locals,
    Publications,
}

impl Kind {
    pub fn parse(plural: &str) -> Option<Kind> {
        match plural {
            "mirrors" => Some(Kind::Mirrors),
            "locals" => Some(Kind::Locals),
            "publications" => Some(Kind::Publications),
            _ => None,
        }
    }

    /// The list's key and the name's prefix (`mirrors`).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Mirrors => "mirrors",
            Kind::Locals => "locals",
            Kind::Publications => "publications",
        }
    }

    fn id_key(self) -> &'static str {
        match self {
            Kind::Mirrors => "mirrorId",
            Kind::Locals => "localId",
            Kind::Publications => "publicationId",
        }
    }
}

struct Resource {
    kind: Kind,
    id: String,
    /// Its other fields as the service answers them.
    record: Map<String, Value>,
    /// Index of its last operation.
    last: Option<usize>,
}

/// One operation: when it started, how long it takes, and whether (at
/// what percent) it fails, with its log.
struct Task {
    id: String,
    resource: String,
    description: String,
    started: DateTime<Utc>,
    takes: Duration,
    fails_at: Option<i64>,
    log: Vec<String>,
}

/// Mirrors, locals and publications, and their operations.
pub struct Debarchive {
    resources: Vec<Resource>,
    tasks: Vec<Task>,
}

/// The lines a failed sync leaves (`details[].stackEntries`).
fn failure_log(root: &str, dist: &str) -> Vec<String> {
    vec![
        "0% [Working]".into(),
        format!("Get:1 {root} {dist} InRelease [270 kB]"),
        format!("Get:2 {root} {dist}/main amd64 Packages [1,792 kB]"),
        "38% [2 Packages 1,102 kB/1,792 kB 61%]".into(),
        format!("Err:3 {root} {dist}/universe amd64 Packages"),
        "  404  Not Found [IP: 185.125.190.36 443]".into(),
        format!(
            "E: Failed to fetch {root}/dists/{dist}/universe/binary-amd64/Packages  404  Not Found"
        ),
        "E: Some index files failed to download. They have been ignored, or old ones used instead."
            .into(),
    ]
}

impl Debarchive {
    /// The demo's: four mirrors, two local repositories, a publication;
    /// one sync and one import under way at `now` (the import fails at
    /// 70%), one sync failed yesterday, the rest done.
    pub fn demo(now: DateTime<Utc>) -> Debarchive {
        let mut d = Debarchive {
            resources: Vec::new(),
            tasks: Vec::new(),
        };
        d.demo_resources();
        d.demo_operations(now);
        d
    }

    fn demo_resources(&mut self) {
        let d = self;
        let mirror = |id: &str, name: &str, root: &str, dist: &str| {
            json!({"displayName": name, "archiveRoot": root, "mirrorType": "UBUNTU_ARCHIVE",
                   "distribution": dist, "components": ["main", "universe"],
                   "architectures": ["amd64", "arm64"], "preserveSignatures": false,
                   "downloadInstaller": false, "downloadSources": false, "downloadUdebs": false,
                   "mirrorId": id})
        };
        let mirrors = [
            (
                "ubuntu-archive-mirror",
                "Ubuntu archive (jammy)",
                "https://archive.ubuntu.com/ubuntu",
                "jammy",
            ),
            (
                "ubuntu-security-mirror",
                "Security (noble)",
                "https://security.ubuntu.com/ubuntu",
                "noble-security",
            ),
            (
                "esm-apps-mirror",
                "ESM Apps (focal)",
                "https://esm.ubuntu.com/apps/ubuntu",
                "focal-apps-security",
            ),
            (
                "third-party-mirror",
                "Third party",
                "https://repo.example.com/apt",
                "stable",
            ),
        ];
        for (id, name, root, dist) in mirrors {
            d.add(Kind::Mirrors, id, mirror(id, name, root, dist));
        }
        d.add(
            Kind::Locals,
            "noble-security-patches",
            json!({"displayName": "Noble Security Patches", "description": "Hand-picked fixes", "distribution": "noble", "component": "main"}),
        );
        d.add(
            Kind::Locals,
            "web-stack",
            json!({"displayName": "Web stack", "description": "nginx and friends", "distribution": "jammy", "component": "main"}),
        );
        d.add(
            Kind::Publications,
            "jammy-publication",
            json!({"displayName": "jammy publication", "distribution": "jammy", "source": "mirrors/ubuntu-archive-mirror"}),
        );
    }

    fn demo_operations(&mut self, now: DateTime<Utc>) {
        let d = self;
        let ago = |m: i64| now - Duration::minutes(m);
        d.start(
            "mirrors/ubuntu-archive-mirror",
            "Sync mirror Ubuntu archive (jammy)",
            ago(2 * 24 * 60),
            Duration::minutes(40),
            None,
        );
        d.start(
            "mirrors/ubuntu-security-mirror",
            "Sync mirror Security (noble)",
            ago(3),
            Duration::minutes(20),
            None,
        );
        let root = "https://esm.ubuntu.com/apps/ubuntu";
        d.start_failing(
            "mirrors/esm-apps-mirror",
            "Sync mirror ESM Apps (focal)",
            ago(26 * 60),
            Duration::minutes(15),
            38,
            failure_log(root, "focal-apps-security"),
        );
        d.start(
            "mirrors/third-party-mirror",
            "Sync mirror Third party",
            ago(5 * 60),
            Duration::minutes(5),
            None,
        );
        d.start(
            "locals/noble-security-patches",
            "Import into local repo Noble Security Patches",
            ago(9 * 60),
            Duration::minutes(3),
            None,
        );
        let log = failure_log(
            "http://ppa.launchpadcontent.net/nginx/stable/ubuntu",
            "jammy",
        );
        d.start_failing(
            "locals/web-stack",
            "Import into local repo Web stack",
            ago(1),
            Duration::minutes(4),
            70,
            log,
        );
        d.start(
            "publications/jammy-publication",
            "Publish jammy publication",
            ago(2 * 24 * 60 - 45),
            Duration::minutes(8),
            None,
        );
    }

    fn add(&mut self, kind: Kind, id: &str, record: Value) {
        let record = match record {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        self.resources.push(Resource {
            kind,
            id: id.to_owned(),
            record,
            last: None,
        });
    }

    fn start(
        &mut self,
        resource: &str,
        what: &str,
        at: DateTime<Utc>,
        takes: Duration,
        fails_at: Option<i64>,
    ) {
        self.start_failing(
            resource,
            what,
            at,
            takes,
            fails_at.unwrap_or(-1),
            Vec::new(),
        );
    }

    /// Starts an operation on `resource`; it fails at `fails_at` percent
    /// (never when negative), leaving `log`.
    fn start_failing(
        &mut self,
        resource: &str,
        what: &str,
        at: DateTime<Utc>,
        takes: Duration,
        fails_at: i64,
        log: Vec<String>,
    ) -> usize {
        let n = self.tasks.len();
        let id = format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            0x5e17_0000 + n,
            n,
            n,
            n,
            n
        );
        self.tasks.push(Task {
            id,
            resource: resource.to_owned(),
            description: format!(
                "{what} ({})",
                resource.split('/').nth(1).unwrap_or(resource)
            ),
            started: at,
            takes,
            fails_at: (fails_at >= 0).then_some(fails_at),
            log,
        });
        if let Some(r) = self
            .resources
            .iter_mut()
            .find(|r| format!("{}/{}", r.kind.plural(), r.id) == resource)
        {
            r.last = Some(n);
        }
        n
    }

    fn operation_of(&self, t: &Task, now: DateTime<Utc>) -> Operation {
        let elapsed = (now - t.started).num_milliseconds().max(0);
        let percent = (elapsed * 100 / t.takes.num_milliseconds().max(1)).min(100);
        let failed = t.fails_at.is_some_and(|f| percent >= f);
        let (status, done, percent) = match (failed, percent) {
            (true, _) => ("failed", true, t.fails_at.unwrap_or(percent)),
            (false, 100) => ("succeeded", true, 100),
            (false, 0) if now < t.started => ("idle", false, 0),
            (false, p) => ("in progress", false, p),
        };
        let mut meta = Map::new();
        meta.insert(
            "@type".into(),
            "type.googleapis.com/canonical.landscape.debarchive.v1beta1.TaskMetadata".into(),
        );
        Operation {
            name: format!("operations/{}", t.id),
            done,
            metadata: OperationMetadata {
                description: t.description.clone(),
                operation_id: t.id.clone(),
                status: status.into(),
                progress_percent: Some(percent),
                resource: Some(t.resource.clone()),
                extra: meta,
            },
            response: (done && !failed).then(|| {
                json!({"@type": "type.googleapis.com/canonical.landscape.debarchive.v1beta1.TaskResponse",
                       "output": format!("{} done", t.description)})
            }),
            error: failed.then(|| OperationError {
                code: 13,
                message: "The operation failed unexpectedly.".into(),
                details: vec![json!({"@type": "type.googleapis.com/google.rpc.DebugInfo",
                                     "detail": "Task operation error logs",
                                     "stackEntries": t.log})],
                extra: Map::new(),
            }),
            extra: Map::new(),
        }
    }

    /// `operations/{id}` (or the bare id) at `now`.
    pub fn operation(&self, name: &str, now: DateTime<Utc>) -> Option<Operation> {
        let id = name.strip_prefix("operations/").unwrap_or(name);
        self.tasks
            .iter()
            .find(|t| t.id == id)
            .map(|t| self.operation_of(t, now))
    }

    /// Every last operation not done at `now`.
    pub fn in_flight(&self, now: DateTime<Utc>) -> Vec<Operation> {
        self.resources
            .iter()
            .filter_map(|r| r.last)
            .map(|i| self.operation_of(&self.tasks[i], now))
            .filter(|o| !o.done)
            .collect()
    }

    /// A page of `kind`'s resources from `offset`, each with its
    /// `lastOperation`, and where the next page starts.
    pub fn list(&self, kind: Kind, size: usize, offset: usize) -> (Vec<Value>, Option<usize>) {
        let all: Vec<&Resource> = self.resources.iter().filter(|r| r.kind == kind).collect();
        let page = all
            .iter()
            .skip(offset)
            .take(size)
            .map(|r| {
                let mut v = r.record.clone();
                v.insert("name".into(), format!("{}/{}", kind.plural(), r.id).into());
                v.insert(kind.id_key().into(), r.id.clone().into());
                if let Some(i) = r.last {
                    v.insert(
                        "lastOperation".into(),
                        format!("operations/{}", self.tasks[i].id).into(),
                    );
                }
                Value::Object(v)
            })
            .collect();
        let next = (offset + size < all.len()).then_some(offset + size);
        (page, next)
    }

    /// Starts a sync of the mirror `id` at `now`: its operation, or
    /// `None` when there is no such mirror. A sync of a mirror whose last
    /// one failed fails again the same way (its source is still broken).
    pub fn sync(&mut self, id: &str, now: DateTime<Utc>) -> Option<Operation> {
        let r = self
            .resources
            .iter()
            .find(|r| r.kind == Kind::Mirrors && r.id == id)?;
        let name = r
            .record
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or(id)
            .to_owned();
        let (fails_at, log) = match r.last.map(|i| &self.tasks[i]) {
            Some(t) if t.fails_at.is_some() => (t.fails_at.unwrap_or(-1), t.log.clone()),
            _ => (-1, Vec::new()),
        };
        let resource = format!("mirrors/{id}");
        let n = self.start_failing(
            &resource,
            &format!("Sync mirror {name}"),
            now,
            Duration::minutes(10),
            fails_at,
            log,
        );
        Some(self.operation_of(&self.tasks[n], now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::operation::OperationState;

    #[test]
    fn operations_move_with_the_clock_and_some_fail_with_their_log() {
        let now = Utc::now();
        let d = Debarchive::demo(now);
        let running = d.in_flight(now);
        assert_eq!(running.len(), 2, "{running:?}");
        let import = running
            .iter()
            .find(|o| o.title().contains("Web stack"))
            .unwrap();
        assert_eq!(import.state(), OperationState::Running);
        assert_eq!(import.percent(), 25);
        let later = d
            .operation(&import.name, now + Duration::minutes(3))
            .unwrap();
        assert_eq!(later.state(), OperationState::Failed);
        assert_eq!(later.percent(), 70);
        assert!(later.log().iter().any(|l| l.contains("404  Not Found")));
        let sync = running
            .iter()
            .find(|o| o.title().contains("Security"))
            .unwrap();
        let done = d.operation(sync.id(), now + Duration::minutes(30)).unwrap();
        assert_eq!(done.state(), OperationState::Succeeded);
        assert!(d.in_flight(now + Duration::hours(1)).is_empty());
    }

    #[test]
    fn mirrors_are_paged_with_their_last_operation_and_sync() {
        let now = Utc::now();
        let mut d = Debarchive::demo(now);
        let (first, next) = d.list(Kind::Mirrors, 3, 0);
        assert_eq!(first.len(), 3);
        assert_eq!(next, Some(3));
        let (rest, next) = d.list(Kind::Mirrors, 3, 3);
        assert_eq!((rest.len(), next), (1, None));
        assert_eq!(first[0]["name"], "mirrors/ubuntu-archive-mirror");
        assert!(
            first[0]["lastOperation"]
                .as_str()
                .unwrap()
                .starts_with("operations/")
        );
        let op = d.sync("third-party-mirror", now).unwrap();
        assert_eq!(op.state(), OperationState::Running);
        let (all, _) = d.list(Kind::Mirrors, 10, 0);
        assert_eq!(all[3]["lastOperation"], op.name.as_str());
        assert!(d.sync("nope", now).is_none());
    }
}
