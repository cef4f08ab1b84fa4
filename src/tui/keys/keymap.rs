//! The key table with the operator's keys (`[keys]` in the config).

use ratatui::crossterm::event::KeyEvent;

use super::chord::{Chord, keys_text};
use super::table::{Binding, TABLE};
use super::{Context, KeyAction};

/// The key table with the operator's keys: each binding of [`TABLE`] with
/// its keys, replaced where the config says.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    keys: Vec<Vec<Chord>>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        Keymap {
            keys: TABLE.iter().map(|b| b.keys.to_vec()).collect(),
        }
    }
}

impl Keymap {
    /// Binds the action `name` to `chords` instead of its default keys.
    /// An action in several contexts (quit, page-down, close) takes all
    /// the keys in its first one and, in the others, only keys that type
    /// no character: `quit = "Q"` must not stop anyone typing a Q in the
    /// query, nor take a dialog's own letters. Where none are left, the
    /// default stays.
    pub fn remap(&mut self, name: &str, chords: Vec<Chord>) -> Result<(), String> {
        if chords.is_empty() {
            return Err(format!("{name} needs at least one key"));
        }
        let mut home = None;
        for (b, keys) in TABLE.iter().zip(self.keys.iter_mut()) {
            if b.action.name() != name {
                continue;
            }
            let home = *home.get_or_insert(b.context);
            let usable: Vec<Chord> = if b.context == home && b.context != Context::Editor {
                chords.clone()
            } else {
                chords.iter().copied().filter(|c| !c.types()).collect()
            };
            if !usable.is_empty() {
                *keys = usable;
            }
        }
        if home.is_some() {
            return Ok(());
        }
        let names: Vec<&str> = KeyAction::ALL.iter().map(|a| a.name()).collect();
        Err(format!(
            "unknown action {name:?}; actions: {}",
            names.join(", ")
        ))
    }

    /// An error naming both actions (and their names) when one key means
    /// two in a context.
    pub fn check(&self) -> Result<(), (String, [&'static str; 2])> {
        for (i, a) in TABLE.iter().enumerate() {
            for (j, b) in TABLE.iter().enumerate().skip(i + 1) {
                if a.context != b.context {
                    continue;
                }
                if let Some(k) = self.keys[i].iter().find(|k| self.keys[j].contains(k)) {
                    let name = |x: &Binding| x.action.name();
                    return Err((
                        format!("{} is bound to both {} and {}", k.name(), name(a), name(b)),
                        [name(a), name(b)],
                    ));
                }
            }
        }
        Ok(())
    }

    /// The name (or help) of the action `chord` is bound to in `context`.
    pub fn taken(&self, context: Context, chord: &Chord) -> Option<&'static str> {
        TABLE
            .iter()
            .zip(&self.keys)
            .find(|(b, keys)| b.context == context && keys.contains(chord))
            .map(|(b, _)| b.action.name())
    }

    /// The action `key` stands for in `context`.
    pub fn action(&self, context: Context, key: &KeyEvent) -> Option<KeyAction> {
        TABLE
            .iter()
            .zip(&self.keys)
            .filter(|(b, _)| b.context == context)
            .find(|(_, keys)| keys.iter().any(|k| k.matches(key)))
            .map(|(b, _)| b.action)
    }

    /// Each binding of `context` with its keys, in the table's order.
    pub fn bindings(&self, context: Context) -> impl Iterator<Item = (&'static Binding, &[Chord])> {
        TABLE
            .iter()
            .zip(&self.keys)
            .filter(move |(b, _)| b.context == context)
            .map(|(b, k)| (b, k.as_slice()))
    }

    /// The keys of `action` in `context` (none when it has no binding there).
    pub fn keys_of(&self, context: Context, action: KeyAction) -> &[Chord] {
        self.bindings(context)
            .find(|(b, _)| b.action == action)
            .map_or(&[], |(_, keys)| keys)
    }

    /// The first key of `action` in `context`, as the screen names it:
    /// every key a view or a message names comes from here or [`Self::hint`],
    /// so a remapped key is the key the screen says.
    pub fn first(&self, context: Context, action: KeyAction) -> String {
        self.keys_of(context, action)
            .first()
            .map(Chord::name)
            .unwrap_or_default()
    }

    /// The first two keys of `action` in `context`: `y / Enter`.
    pub fn hint(&self, context: Context, action: KeyAction) -> String {
        let keys = self.keys_of(context, action);
        keys_text(&keys[..keys.len().min(2)])
    }

    /// The bindings the footer shows in `context`.
    pub fn footer(&self, context: Context) -> impl Iterator<Item = (&'static Binding, &[Chord])> {
        self.bindings(context).filter(|(b, _)| b.footer.is_some())
    }
}
