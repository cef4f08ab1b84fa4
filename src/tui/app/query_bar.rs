//! The query bar's room: the query being typed, the one applied, what is
//! wrong with it, and where a jump came from.

use crate::query::{Completions, Mode, QueryError, QueryWarning};
use crate::tui::line_editor::LineEditor;

pub struct QueryBar {
    /// How queries are parsed: strictly for the embedded engine, leniently
    /// for a server that may know more than this dashboard.
    pub mode: Mode,
    /// The query being edited, its history and its completions.
    pub editor: LineEditor<Option<Completions>>,
    /// The query the list shows.
    pub applied: String,
    pub editing: bool,
    pub error: Option<QueryError>,
    /// What the query means that its writer may not expect (a bare `AND`).
    pub warning: Option<QueryWarning>,
    /// The saved view the list shows, while its query is the one applied.
    pub view: Option<String>,
    /// Where a jump (to a computer's activities) came from, newest last:
    /// Back returns there.
    pub came_from: Vec<Place>,
}

impl QueryBar {
    pub fn new(mode: Mode, history: Vec<String>) -> QueryBar {
        QueryBar {
            mode,
            editor: LineEditor::new(history),
            applied: String::new(),
            editing: false,
            error: None,
            warning: None,
            view: None,
            came_from: Vec::new(),
        }
    }
}

/// A list as it was before a jump: its query (as typed and as sent), the
/// saved view it came from, and its selection.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub typed: String,
    pub applied: String,
    pub view: Option<String>,
    pub selected_id: Option<u64>,
    pub window_start: u64,
}
