//! The refusals: what the server or the dry run refused, and why.

use ratatui::text::{Line, Span};

use super::{Outcome, capital};
use crate::model::{ActionKind, Refusal};
use crate::tui::app::App;
use crate::tui::keys::Context;
use crate::tui::keys::KeyAction;

/// What a list of refusals is about, so it is never read as more (or
/// less) than what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusedWhen {
    /// The dry run found them; nothing was sent yet.
    WouldBe,
    /// Only what could change was sent, and it changed: these were left out.
    LeftOut,
    /// The server refused; after `changed` activities (of earlier
    /// requests of the same action) had changed.
    Refused { changed: u64 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Refusals {
    pub kind: ActionKind,
    pub refusals: Vec<Refusal>,
    /// Refused but not listed by the server (it lists a few hundred).
    pub unlisted: usize,
    pub when: RefusedWhen,
}

impl Refusals {
    pub fn on_key(&self, action: Option<KeyAction>) -> Outcome {
        match action {
            Some(KeyAction::Close | KeyAction::Open) => Outcome::Closed,
            _ => Outcome::Stay,
        }
    }
}

/// What was (or would be) refused, each with its reason, and when.
pub fn lines(app: &App, r: &Refusals) -> Vec<Line<'static>> {
    let Refusals {
        kind,
        refusals,
        unlisted,
        when,
    } = r;
    let (kind, unlisted, when) = (*kind, *unlisted, *when);
    let n = refusals.len() + unlisted;
    let (verb, past) = (kind.verb(), kind.past());
    let head = match when {
        RefusedWhen::WouldBe => {
            format!("{n} would be refused by {verb} (the dry run); nothing was sent:")
        }
        RefusedWhen::LeftOut => {
            format!("{n} left out of the {verb}: they cannot be {past}; the rest was {past}:")
        }
        RefusedWhen::Refused { changed: 0 } => {
            format!("{} refused for {n} — nothing changed:", capital(verb))
        }
        RefusedWhen::Refused { changed } => format!(
            "{} refused for {n} after {changed} had been {past}; the rest was not sent:",
            capital(verb)
        ),
    };
    let mut lines = vec![Line::from(head), Line::from("")];
    lines.extend(refusals.iter().map(|r| {
        Line::from(vec![
            Span::styled(format!("{:>10}", app.id_text(r.id)), app.prefs.theme.key),
            Span::raw(" => "),
            Span::styled(r.reason.clone(), app.prefs.theme.error),
        ])
    }));
    if unlisted > 0 {
        lines.push(Line::from(format!(
            "{:>10} … and {unlisted} more refused (the server lists the first few hundred)",
            ""
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        format!(
            "{} close · {} reopens this",
            app.prefs.keymap.hint(Context::Popup, KeyAction::Close),
            app.prefs
                .keymap
                .first(Context::Panes, KeyAction::ShowRefusals)
        ),
        app.prefs.theme.dim,
    )));
    lines
}
