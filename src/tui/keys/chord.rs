//! One key, a chord: its code with or without Ctrl or Alt, read from
//! and written as the config and the help spell it.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One key: a code with or without Ctrl or Alt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chord {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

pub(super) const fn key(code: KeyCode) -> Chord {
    Chord {
        code,
        ctrl: false,
        alt: false,
    }
}

pub(super) const fn ch(c: char) -> Chord {
    key(KeyCode::Char(c))
}

pub(super) const fn ctrl(c: char) -> Chord {
    Chord {
        code: KeyCode::Char(c),
        ctrl: true,
        alt: false,
    }
}

impl Chord {
    /// A plain character key.
    pub const fn char(c: char) -> Chord {
        ch(c)
    }

    /// Whether the key types a character where text is typed.
    pub fn types(&self) -> bool {
        matches!(self.code, KeyCode::Char(_)) && !self.ctrl && !self.alt
    }

    pub fn matches(&self, event: &KeyEvent) -> bool {
        self.code == event.code
            && self.ctrl == event.modifiers.contains(KeyModifiers::CONTROL)
            && self.alt == event.modifiers.contains(KeyModifiers::ALT)
    }

    /// Reads a key as the config writes it: `a`, `A`, `ctrl-a`, `alt-x`,
    /// `enter`, `esc`, `tab`, `backtab`, `space`, `f5`, `pgdn`, `up`, ….
    pub fn parse(text: &str) -> Result<Chord, String> {
        let mut rest = text;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            let lower = rest.to_ascii_lowercase();
            if lower.starts_with("ctrl-") && rest.len() > 5 {
                ctrl = true;
                rest = &rest[5..];
            } else if lower.starts_with("alt-") && rest.len() > 4 {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" | "shift-tab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" => KeyCode::Insert,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdn" | "pagedown" => KeyCode::PageDown,
                f if f.starts_with('f')
                    && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
                {
                    KeyCode::F(f[1..].parse().unwrap_or(1))
                }
                _ => {
                    return Err(format!(
                        "{text:?} is not a key (write a character, ctrl-a, alt-x, enter, esc, tab, backtab, space, f1…f12, pgup, pgdn, up, down, left, right, home, end, delete, backspace)"
                    ));
                }
            },
        };
        Ok(Chord { code, ctrl, alt })
    }

    /// How the help writes it: `a`, `Enter`, `Ctrl-C`, `↓`.
    pub fn name(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "Shift-Tab".to_owned(),
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            other => format!("{other:?}"),
        };
        let base = match self.code {
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Delete => "Delete".to_owned(),
            KeyCode::Backspace => "Backspace".to_owned(),
            KeyCode::Insert => "Insert".to_owned(),
            _ => base,
        };
        match (self.ctrl, self.alt) {
            (true, true) => format!("Ctrl-Alt-{base}"),
            (true, false) => format!("Ctrl-{base}"),
            (false, true) => format!("Alt-{base}"),
            (false, false) => base,
        }
    }
}

/// Keys as the help writes them: `j / ↓`.
pub fn keys_text(keys: &[Chord]) -> String {
    keys.iter().map(Chord::name).collect::<Vec<_>>().join(" / ")
}
