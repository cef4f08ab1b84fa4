//! A line typed at the keyboard, with its history and its completions: the
//! query editor and the line at the bottom (`/` search, `:` command) are
//! each one. `C` is what its completions are.

use ratatui::crossterm::event::KeyEvent;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// Entries a history keeps (the oldest go first).
pub const HISTORY: usize = 100;

#[derive(Debug, Clone, Default)]
pub struct LineEditor<C> {
    pub input: Input,
    /// Lines entered before, oldest first.
    pub history: Vec<String>,
    /// Where ↑ and ↓ are in the history; `None` is the line being typed.
    pub history_pos: Option<usize>,
    pub completions: C,
    /// The highlighted completion.
    pub completion: usize,
}

impl<C: Default> LineEditor<C> {
    pub fn new(history: Vec<String>) -> LineEditor<C> {
        LineEditor {
            input: Input::default(),
            history,
            history_pos: None,
            completions: C::default(),
            completion: 0,
        }
    }

    pub fn text(&self) -> &str {
        self.input.value()
    }

    /// `text`, the cursor after `cursor_chars` characters.
    pub fn set_at(&mut self, text: String, cursor_chars: usize) {
        self.input = Input::new(text).with_cursor(cursor_chars);
    }

    /// `text`, the cursor at its end.
    pub fn set(&mut self, text: String) {
        let n = text.chars().count();
        self.set_at(text, n);
    }

    /// Byte offset of the cursor (tui-input counts characters).
    pub fn cursor_byte(&self) -> usize {
        let value = self.input.value();
        value
            .char_indices()
            .nth(self.input.cursor())
            .map_or(value.len(), |(i, _)| i)
    }

    /// A key typed into the line: it is the line being typed again.
    pub fn type_key(&mut self, key: KeyEvent) {
        self.input
            .handle_event(&ratatui::crossterm::event::Event::Key(key));
        self.history_pos = None;
    }

    /// `text` as the newest history entry, once; the oldest go past
    /// [`HISTORY`] entries.
    pub fn remember(&mut self, text: &str) {
        self.history.retain(|h| h != text);
        self.history.push(text.to_owned());
        if self.history.len() > HISTORY {
            self.history.remove(0);
        }
    }

    /// ↑ (`back`) or ↓ through the history, showing the entry (below the
    /// newest: an empty line). False when there is no history.
    pub fn history_step(&mut self, back: bool) -> bool {
        let Some(last) = self.history.len().checked_sub(1) else {
            return false;
        };
        self.history_pos = match (self.history_pos, back) {
            (None, true) => Some(last),
            (None, false) => None,
            (Some(p), true) => Some(p.saturating_sub(1)),
            (Some(p), false) if p < last => Some(p + 1),
            (Some(_), false) => None,
        };
        let text = self
            .history_pos
            .map(|p| self.history[p].clone())
            .unwrap_or_default();
        self.set(text);
        true
    }

    /// The next (`forward`) or previous of `n` completions, round.
    pub fn cycle_completion(&mut self, n: usize, forward: bool) {
        let n = n.max(1);
        self.completion = if forward {
            (self.completion + 1) % n
        } else {
            (self.completion + n - 1) % n
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_goes_back_and_forth_and_keeps_each_line_once() {
        let mut e: LineEditor<()> = LineEditor::new(Vec::new());
        assert!(!e.history_step(true), "no history");
        for line in ["a", "b", "a"] {
            e.remember(line);
        }
        assert_eq!(e.history, ["b", "a"]);
        e.history_step(true);
        assert_eq!(e.text(), "a");
        e.history_step(true);
        assert_eq!(e.text(), "b");
        e.history_step(true);
        assert_eq!(e.text(), "b", "the oldest stays");
        e.history_step(false);
        e.history_step(false);
        assert_eq!((e.text(), e.history_pos), ("", None), "below the newest");
        for i in 0..HISTORY + 5 {
            e.remember(&i.to_string());
        }
        assert_eq!(e.history.len(), HISTORY);
    }

    #[test]
    fn completions_cycle_round_and_the_cursor_counts_bytes() {
        let mut e: LineEditor<()> = LineEditor::new(Vec::new());
        e.cycle_completion(3, false);
        assert_eq!(e.completion, 2);
        e.cycle_completion(3, true);
        assert_eq!(e.completion, 0);
        e.set_at("é:x".to_owned(), 1);
        assert_eq!(e.cursor_byte(), 2);
    }
}
