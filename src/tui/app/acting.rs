//! The acting room: whether actions may be sent, the one under way, what
//! was refused, and the log of every action.

use std::collections::HashMap;

use crate::backend::action_plan::ActionRecord;
use crate::model::scope::Scope;
use crate::model::{ActionKind, Refusal};
use crate::tui::dialogs::refusals::RefusedWhen;

#[derive(Debug, Clone, Default)]
pub struct Acting {
    /// The profile or `--read-only` allows no action.
    pub read_only: bool,
    /// What the action under way was picked as, and whether it sends only
    /// what can change: for its log entry.
    pub picked: Option<(String, bool)>,
    /// Every action taken here and by scripts, newest first.
    pub log: Vec<ActionRecord>,
    /// The server's events log (any client's actions), read when the
    /// action log opens: `None` while it is read.
    pub server_events: Option<Result<Vec<crate::model::event::ServerEvent>, String>>,
    pub last_refusals: Option<(ActionKind, Vec<Refusal>, usize, RefusedWhen)>,
    /// An action that goes ahead without a confirmation (a guard's stop,
    /// a rollout's wave, armed `--auto`): its plan is carried out when it
    /// comes, and what it was picked as.
    pub auto_action: Option<(ActionKind, Scope, String)>,
    /// Action log entries a write failed to keep: written before the next.
    pub unwritten_log: Vec<ActionRecord>,
    /// Rows changed by the last action, highlighted for a few ticks.
    pub flash: HashMap<u64, u8>,
}
