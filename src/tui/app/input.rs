//! The input room: the keys of the current burst (typing is never a
//! command), the confirmation's quiet moment, and the line at the bottom.

use crate::tui::line_editor::LineEditor;
use crate::tui::typing::{Gate, Typing};

#[derive(Debug, Clone, Default)]
pub struct Input {
    pub typing: Typing,
    /// The confirmation on screen takes its key after a quiet moment.
    pub gate: Gate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `f`: what to find in the zoomed detail.
    Search,
    /// `:`: a command (`:sort type`, `:export file.csv`, …).
    Command,
}

/// The line at the bottom: what it is being typed for (a search or a
/// command), and its editor, whose history is the commands run before
/// (`:` then ↑) and whose completions are the command line's.
pub struct Prompt {
    pub kind: Option<PromptKind>,
    pub line: LineEditor<Vec<String>>,
}

impl Default for Prompt {
    fn default() -> Prompt {
        Prompt {
            kind: None,
            line: LineEditor::new(Vec::new()),
        }
    }
}
