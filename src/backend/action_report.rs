//! What an action did, in the plan's terms: its report (changed,
//! refused, what was sent, how it ended) and the record the action log
//! keeps of it.

use super::BackendError;
use crate::model::origin::{self, ServerName};
use crate::model::{ActionKind, Activity, Refusal};

/// How an action ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Everything sent was done.
    Done,
    /// Nothing was sent: nothing in the scope could change.
    NothingToDo,
    /// The server refused; nothing changed (or, with `changed > 0`, only
    /// the earlier parts of a scope sent in several requests changed).
    Refused,
    /// A request never reached the server: nothing of it changed.
    NotSent(String),
    /// An answer was lost: what it asked may or may not have happened.
    Unknown(String),
    /// Another error (authentication, a bad query, an HTTP error).
    Failed(BackendError),
}

/// What an action did, counted as its plan counted.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionReport {
    pub kind: ActionKind,
    pub outcome: Outcome,
    /// Activities changed or created (a new group's children, not the group).
    pub changed: u64,
    /// The ids approved or canceled (a group's children, not the group:
    /// what changed), or the activities created (new groups included).
    pub ids: Vec<u64>,
    pub created: Vec<Activity>,
    pub refusals: Vec<Refusal>,
    /// Refused but not listed by the server.
    pub unlisted: usize,
    /// Activities planned but not reached (after a refusal or a failure).
    pub not_reached: u64,
    /// The server answered other ids than the plan expected: the data moved
    /// between the confirmation and the action.
    pub moved: bool,
    /// What was sent: the queries of approve and cancel, or the queries
    /// whose ids a reapply or revert named.
    pub sent: Vec<String>,
    /// What the plan counted.
    pub planned: u64,
    /// With several servers: each server's report in one line (or why
    /// nothing was sent there), in order.
    pub by_server: Vec<ServerReport>,
}

/// What one server of several did, in an [`ActionReport`].
#[derive(Debug, Clone, PartialEq)]
pub struct ServerReport {
    pub server: String,
    pub changed: u64,
    /// Everything planned there changed (or there was nothing to do).
    pub complete: bool,
    /// Its report in one line, or why nothing was sent there.
    pub text: String,
}

/// One action as the action log keeps it (a JSON line): when, what was
/// picked, what was sent, what it changed or created, what was refused.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ActionRecord {
    pub at: chrono::DateTime<chrono::Utc>,
    /// `approve`, `cancel`, `reapply`, `revert`.
    pub action: String,
    /// Where: `DEMO` or the server's URL.
    pub server: String,
    /// What the operator picked ("2 marked", "every match of …", a query).
    pub picked: String,
    pub sent: Vec<String>,
    pub only_changeable: bool,
    pub planned: u64,
    pub changed: u64,
    pub refused: u64,
    /// The report in one line.
    pub outcome: String,
    /// The ids approved or canceled (a group's children), or the new
    /// activities of a reapply or revert.
    pub ids: Vec<u64>,
    /// With several servers, the ids are each server's own, under its
    /// name (and `ids` is empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub servers: Vec<ServerIds>,
}

/// One server's ids in an action log entry.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ServerIds {
    pub server: String,
    pub ids: Vec<u64>,
}

impl ActionRecord {
    /// A record of something told (a watch's end, a tripped guard, a
    /// rollout's wave or stop), nothing sent: `outcome` says it.
    pub fn notice(
        at: chrono::DateTime<chrono::Utc>,
        (action, server): (&str, &str),
        picked: String,
        outcome: String,
        ids: Vec<u64>,
    ) -> ActionRecord {
        ActionRecord {
            at,
            action: action.to_owned(),
            server: server.to_owned(),
            picked,
            sent: Vec::new(),
            only_changeable: false,
            planned: 0,
            changed: 0,
            refused: 0,
            outcome,
            ids,
            servers: Vec::new(),
        }
    }

    /// With several servers (`servers`, as the backend names them), the
    /// ids are kept under their server, each its own.
    pub fn on_servers(mut self, servers: &[ServerName]) -> ActionRecord {
        if servers.is_empty() {
            return self;
        }
        for id in std::mem::take(&mut self.ids) {
            let Some(name) = origin::server_of(id).and_then(|k| servers.get(k)) else {
                self.ids.push(id);
                continue;
            };
            match self.servers.iter_mut().find(|s| s.server == name.name) {
                Some(s) => s.ids.push(origin::local(id)),
                None => self.servers.push(ServerIds {
                    server: name.name.clone(),
                    ids: vec![origin::local(id)],
                }),
            }
        }
        self
    }

    pub fn new(
        report: &ActionReport,
        at: chrono::DateTime<chrono::Utc>,
        server: &str,
        picked: &str,
        only_changeable: bool,
    ) -> ActionRecord {
        ActionRecord {
            at,
            action: report.kind.verb().to_owned(),
            server: server.to_owned(),
            picked: picked.to_owned(),
            sent: report.sent.clone(),
            only_changeable,
            planned: report.planned,
            changed: report.changed,
            refused: (report.refusals.len() + report.unlisted) as u64,
            outcome: report.summary(),
            ids: report.ids.clone(),
            servers: Vec::new(),
        }
    }

    /// A query that shows the record's activities: those answered, else
    /// what was sent. Ids kept under a server are found on it among
    /// `servers` (those open now).
    pub fn query(&self, servers: &[ServerName]) -> String {
        let tagged = self.servers.iter().flat_map(|s| {
            let index = servers.iter().position(|open| open.name == s.server);
            s.ids
                .iter()
                .filter_map(move |id| index.map(|k| origin::tag(k, *id)))
        });
        let ids: Vec<u64> = self.ids.iter().copied().chain(tagged).collect();
        if ids.is_empty() {
            return self.sent.first().cloned().unwrap_or_default();
        }
        crate::model::scope::ids_chain(ids.into_iter().take(crate::model::scope::IDS_PER_QUERY))
    }
}

impl ActionReport {
    pub(super) fn new(kind: ActionKind) -> ActionReport {
        ActionReport {
            kind,
            outcome: Outcome::Done,
            changed: 0,
            ids: Vec::new(),
            created: Vec::new(),
            refusals: Vec::new(),
            unlisted: 0,
            not_reached: 0,
            moved: false,
            sent: Vec::new(),
            planned: 0,
            by_server: Vec::new(),
        }
    }

    /// Adds what one server of several did: the counts and ids add up;
    /// the first server that did not end well gives the outcome, named.
    pub(super) fn add_server(&mut self, (index, name): (usize, &str), done: ActionReport) {
        self.by_server.push(ServerReport {
            server: name.to_owned(),
            changed: done.changed,
            complete: done.complete(),
            text: done.summary(),
        });
        self.changed += done.changed;
        self.ids.extend(done.ids);
        self.created.extend(done.created);
        self.refusals.extend(done.refusals);
        self.unlisted += done.unlisted;
        self.not_reached += done.not_reached;
        self.moved |= done.moved;
        // What was sent, as the server read it (its own ids).
        self.sent.extend(done.sent.iter().filter_map(
            |q| match crate::query::route::activity_query(q, index) {
                crate::query::route::Routed::Send(q) => Some(format!("{name}: {q}")),
                crate::query::route::Routed::Nothing => None,
            },
        ));
        if matches!(self.outcome, Outcome::Done | Outcome::NothingToDo) {
            self.outcome = match done.outcome {
                Outcome::NotSent(why) => Outcome::NotSent(format!("{name}: {why}")),
                Outcome::Unknown(why) => Outcome::Unknown(format!("{name}: {why}")),
                Outcome::NothingToDo if self.changed > 0 => Outcome::Done,
                other => other,
            };
        }
    }

    /// The report in one line, for the status bar and the CLI.
    pub fn summary(&self) -> String {
        if !self.by_server.is_empty() {
            return self.summary_by_server();
        }
        let n = crate::printable::activities;
        let past = self.kind.past();
        let verb = self.kind.verb();
        let changed = match self.changed {
            0 => String::new(),
            k => format!("{past} {}", n(k)),
        };
        let refused = self.refusals.len() + self.unlisted;
        let mut text = match &self.outcome {
            Outcome::Done => changed,
            Outcome::NothingToDo => format!("nothing to {verb}"),
            Outcome::Refused if self.changed == 0 => {
                format!("{verb} refused for {}; nothing changed", n(refused as u64))
            }
            Outcome::Refused => format!("{changed}; then refused for {}", n(refused as u64)),
            Outcome::NotSent(why) if self.changed == 0 => {
                format!("not sent ({why}); nothing changed")
            }
            Outcome::NotSent(why) => format!("{changed}; the rest was not sent ({why})"),
            Outcome::Unknown(why) => {
                let done = if self.changed > 0 {
                    format!("{changed}; ")
                } else {
                    String::new()
                };
                format!(
                    "{done}answer lost ({why}): the {verb} may or may not have been applied — check before trying again"
                )
            }
            Outcome::Failed(e) if self.changed == 0 => format!("{verb} failed: {e}"),
            Outcome::Failed(e) => format!("{changed}; then failed: {e}"),
        };
        if self.not_reached > 0 && self.changed > 0 {
            text.push_str(&format!(" ({} not reached)", n(self.not_reached)));
        }
        if self.moved {
            text.push_str(
                " — the server's answer differs from the confirmation: the data moved in between",
            );
        }
        text
    }

    /// Several servers: what changed first, each server's share, then
    /// each server where not everything went ("approved 36 activities:
    /// 18 on beta, 18 on demo; alpha: not sent (…)"); a server with
    /// nothing to do is left unsaid unless none had anything.
    fn summary_by_server(&self) -> String {
        let n = crate::printable::activities;
        let shares: Vec<String> = self
            .by_server
            .iter()
            .filter(|s| s.changed > 0)
            .map(|s| format!("{} on {}", crate::printable::thousands(s.changed), s.server))
            .collect();
        let trouble: Vec<String> = self
            .by_server
            .iter()
            .filter(|s| !s.complete)
            .map(|s| format!("{}: {}", s.server, s.text))
            .collect();
        let mut parts = Vec::new();
        if !shares.is_empty() {
            parts.push(format!(
                "{} {}: {}",
                self.kind.past(),
                n(self.changed),
                shares.join(", ")
            ));
        }
        parts.extend(trouble);
        if parts.is_empty() {
            return format!("nothing to {}", self.kind.verb());
        }
        parts.join("; ")
    }

    /// Whether every planned activity changed.
    pub fn complete(&self) -> bool {
        matches!(self.outcome, Outcome::Done | Outcome::NothingToDo) && self.not_reached == 0
    }
}
