//! What flows into `update` (events) and out of it (commands): plain data,
//! so the dashboard's behaviour is tested without a terminal or a backend.

use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use std::path::PathBuf;

use crate::backend::action_plan::{ActionPlan, ActionRecord, ActionReport};
use crate::backend::clusters::ClusterReport;
use crate::backend::{BackendError, BackendInfo, CompletionValues};
use crate::export::Format;
use crate::model::scope::Scope;
use std::collections::HashMap;

use crate::model::{ActionKind, Activity, Computer, ListSort, RowPage};

#[derive(Debug, Clone)]
pub enum Event {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// About once a second while something is animating or expiring.
    Tick,
    /// Time for an automatic refresh.
    RefreshDue,
    /// The backend says its data moved.
    BackendChanged,
    ListLoaded {
        generation: u64,
        offset: u64,
        result: Result<RowPage, BackendError>,
    },
    ChildrenLoaded {
        parent: u64,
        result: Result<Vec<Activity>, BackendError>,
    },
    /// A file of the data directory could not be written: `what` it
    /// holds, why, and the action log's entry that is not on disk.
    NotSaved {
        what: &'static str,
        error: String,
        record: Option<Box<crate::backend::action_plan::ActionRecord>>,
    },
    OwnChildrenLoaded {
        generation: u64,
        result: Result<Vec<Activity>, BackendError>,
    },
    /// A dry run's answer: the plan of `kind` on `scope`.
    PlanLoaded {
        kind: ActionKind,
        scope: Scope,
        result: Result<ActionPlan, BackendError>,
    },
    /// What a confirmed action did.
    ActionDone(ActionReport),
    /// The long-running activities in flight: the first page, and how
    /// many in all.
    InFlightLoaded(Result<crate::model::Page<Activity>, BackendError>),
    /// The operations still running (none on a server without them).
    OperationsLoaded(Result<Vec<crate::model::operation::Operation>, BackendError>),
    /// Operations that left the in-flight list, as they ended.
    OperationsEnded(Result<Vec<crate::model::operation::Operation>, BackendError>),
    TitlesLoaded(Result<HashMap<u64, String>, BackendError>),
    /// The health picture's counts.
    HealthLoaded {
        generation: u64,
        result: Result<crate::backend::health::Health, BackendError>,
    },
    /// Computers read for their last contact.
    ComputersLoaded(Result<Vec<Computer>, BackendError>),
    /// `:clusters`' failures, read and grouped.
    ClustersLoaded {
        generation: u64,
        result: Result<ClusterReport, BackendError>,
    },
    Vocabulary(Result<(CompletionValues, Vec<Computer>), BackendError>),
    /// The server's events log, newest first.
    ServerEventsLoaded(Result<crate::model::Page<crate::model::event::ServerEvent>, BackendError>),
    /// A look at the watched activities.
    WatchesLooked(Result<crate::backend::watched::Look, BackendError>),
    /// What a `:rollout` releases, read.
    RolloutSetRead {
        query: String,
        label: String,
        spec: crate::tui::rollouts::RolloutSpec,
        result: Result<Vec<Activity>, String>,
    },
    /// A rollout's activities, read again.
    RolloutLooked {
        number: u64,
        result: Result<Vec<Activity>, BackendError>,
    },
    /// `:watch` read the query's matches to watch them.
    WatchQueryLoaded {
        query: String,
        guard: Option<crate::tui::watches::ArmedGuard>,
        result: Result<Vec<Activity>, String>,
    },
    /// A command's computer, read for its placeholders.
    CommandComputerLoaded {
        command: usize,
        values: Box<crate::tui::user_commands::Values>,
        result: Result<Vec<Computer>, BackendError>,
    },
    /// One of the operator's commands ended: its exit status and, run in
    /// the background, what it wrote; or why it could not start.
    UserCommandDone {
        name: String,
        result: Result<CommandOutput, String>,
    },
    /// `:export` wrote `count` activities to `path`, or could not.
    Exported {
        path: PathBuf,
        result: Result<usize, String>,
    },
    /// `:profile` connected to `name` (its backend now answers; whether
    /// the profile is read-only), or not.
    ProfileSwitched {
        name: String,
        result: Result<(BackendInfo, bool), String>,
    },
}

/// What a command run by the dashboard left.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandOutput {
    pub success: bool,
    /// "exit status 2", "killed by signal 9".
    pub status: String,
    pub stdout: String,
    pub stderr: String,
    /// Output bytes past what is kept, counted.
    pub dropped: u64,
}

/// What `update` asks for: a call on the backend, whose answer comes back
/// as an event, or an effect the runtime has here.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Call(Call),
    Effect(Effect),
}

/// A call on the backend (`answer` makes each one's event).
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    FetchList {
        generation: u64,
        query: String,
        offset: u64,
        limit: u64,
        /// What the backend sorts by (the dashboard sorts loaded rows by
        /// the columns a server cannot).
        sort: ListSort,
    },
    FetchChildren {
        parent: u64,
        query: Option<String>,
    },
    /// The operator asks to try refused credentials again.
    RetryCredentials,
    /// The one matching child of each of `parents` (rows shown through
    /// exactly one), for the list's `generation`.
    FetchOwnChildren {
        generation: u64,
        parents: Vec<u64>,
        query: String,
    },
    /// Count what `kind` on `scope` would do (the confirmation's dry run).
    Plan {
        kind: ActionKind,
        scope: Scope,
        /// The confirmation's other choice (Tab), counted beside the first.
        other: bool,
    },
    /// Send what the confirmed plan counted; with `only_changeable`, only
    /// what the action allows.
    CarryOut {
        plan: Box<ActionPlan>,
        only_changeable: bool,
    },
    /// Titles of these computers; `fresh` asks the server again.
    FetchTitles {
        ids: Vec<u64>,
        fresh: bool,
    },
    FetchInFlight,
    /// Landscape 26.04's long-running operations still running.
    FetchOperations,
    /// These operations as they ended (they left the in-flight list).
    FetchEndedOperations(Vec<String>),
    FetchVocabulary,
    /// Count `query`'s activities by status and its failures per hour
    /// up to `now`.
    FetchHealth {
        generation: u64,
        query: String,
        now: chrono::DateTime<chrono::Utc>,
    },
    /// Read these computers (their last contact), never from a cache.
    FetchComputers(Vec<u64>),
    /// Read and cluster the failures `query` matches.
    FetchClusters {
        generation: u64,
        query: String,
    },
    /// Read the newest of the server's events log (the last week's).
    FetchServerEvents,
    /// Look at the watched activities.
    LookWatches(crate::backend::watched::Ask),
    /// Read the single activities `query` selects (a group standing for
    /// its children): a rollout's set.
    ReadRolloutSet {
        query: String,
        label: String,
        spec: crate::tui::rollouts::RolloutSpec,
    },
    /// Read a rollout's activities by id.
    LookRollout {
        number: u64,
        ids: Vec<u64>,
    },
    /// Read `query`'s matches (at most [`crate::tui::watches::MOST_WATCHED`]) to watch them.
    WatchQuery {
        query: String,
        guard: Option<crate::tui::watches::ArmedGuard>,
    },
    /// Read a command's computer for its placeholders.
    FetchCommandComputer {
        command: usize,
        values: Box<crate::tui::user_commands::Values>,
        computer: u64,
    },
    /// Write every activity `query` matches (newest first) to `path`.
    Export {
        query: String,
        path: PathBuf,
        format: Format,
    },
}

/// The calls of which only the newest matters: a newer one makes the
/// one under way stale, and the runtime stops it rather than let it read
/// for nothing. (Each is asked again on its own when it is wanted, so
/// none is starved: a refresh does not ask for what is still loading.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    List,
    Children,
    /// A confirmation's dry run, and its other choice's.
    Plan {
        other: bool,
    },
    Health,
    Clusters,
}

impl Call {
    /// Where the call stands among its kind: `None` for calls that each
    /// count (an action, a look at the watches, computers by id).
    pub fn slot(&self) -> Option<Slot> {
        match self {
            Call::FetchList { .. } => Some(Slot::List),
            Call::FetchChildren { .. } => Some(Slot::Children),
            Call::Plan { other, .. } => Some(Slot::Plan { other: *other }),
            Call::FetchHealth { .. } => Some(Slot::Health),
            Call::FetchClusters { .. } => Some(Slot::Clusters),
            _ => None,
        }
    }
}

/// What the runtime does here: files, the terminal, the operator's
/// commands, the loop itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Kill the operator's commands running in the background.
    StopCommands,
    /// Keep the watches in their file.
    SaveWatches(Vec<crate::tui::watches::Watch>),
    /// Keep the rollouts for the next start.
    SaveRollouts(Vec<crate::tui::rollouts::Tracked>),
    /// Tell the operator outside the dashboard (a terminal notification).
    Notify(String),
    /// Run one of the operator's commands (`argv[0]` the program).
    RunUserCommand {
        name: String,
        argv: Vec<String>,
        mode: crate::tui::user_commands::Mode,
    },
    /// Open a URL with the system's opener.
    OpenUrl(String),
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    SaveHistory(Vec<String>),
    /// Keep this action in the action log.
    LogAction(Box<ActionRecord>),
    /// Leave this backend for the config's profile `name`.
    SwitchProfile(String),
    Quit,
}
