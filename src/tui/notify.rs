//! Telling the operator outside the dashboard: a terminal notification
//! (OSC 9, or OSC 777 where the terminal is one that shows it), else a
//! bell, or nothing (`notify = "off"`).

/// How a notice leaves the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Notify {
    /// `ESC ] 9 ; text BEL` (iTerm2, WezTerm, kitty, ghostty, Windows Terminal).
    Osc9,
    /// `ESC ] 777 ; notify ; title ; text BEL` (VTE terminals, foot, urxvt).
    Osc777,
    /// The terminal's bell.
    #[default]
    Bell,
    Off,
}

pub const NAMES: [&str; 5] = ["auto", "osc9", "osc777", "bell", "off"];

impl Notify {
    /// `osc9`, `osc777`, `bell`, `off`; `auto` is `None` (see [`Notify::detect`]).
    pub fn parse(name: &str) -> Result<Option<Notify>, String> {
        Ok(Some(match name {
            "auto" => return Ok(None),
            "osc9" => Notify::Osc9,
            "osc777" => Notify::Osc777,
            "bell" => Notify::Bell,
            "off" => Notify::Off,
            other => {
                return Err(format!("no notify {other:?}; one of: {}", NAMES.join(", ")));
            }
        }))
    }

    /// What the terminal says it is: its `TERM_PROGRAM`, `TERM`, and
    /// whether `VTE_VERSION` is set. A terminal not known to show either
    /// notification gets a bell, which every terminal has.
    pub fn detect(term_program: Option<&str>, term: Option<&str>, vte: bool) -> Notify {
        let program = term_program.unwrap_or_default();
        let term = term.unwrap_or_default();
        if ["iTerm.app", "WezTerm", "ghostty"].contains(&program)
            || term.contains("kitty")
            || term.contains("ghostty")
        {
            Notify::Osc9
        } else if vte || term.starts_with("foot") || term.starts_with("rxvt") {
            Notify::Osc777
        } else {
            Notify::Bell
        }
    }

    /// The bytes that say `text` this way (control characters dropped,
    /// so a summary cannot end the sequence early).
    pub fn sequence(self, text: &str) -> String {
        // Printable, bidi escaped, short: a desktop notification is a line.
        let text = crate::printable::bounded(text, NOTICE_MAX);
        match self {
            Notify::Osc9 => format!("\x1b]9;{text}\x07"),
            Notify::Osc777 => format!("\x1b]777;notify;landscape-tui;{text}\x07"),
            Notify::Bell => "\x07".to_owned(),
            Notify::Off => String::new(),
        }
    }
}

/// The longest notice sent to the terminal, in bytes.
const NOTICE_MAX: usize = 240;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_way_says_it_and_nothing_ends_it_early() {
        let text = "watch 1: done\x07\x1b]0;evil";
        assert_eq!(
            Notify::Osc9.sequence(text),
            "\x1b]9;watch 1: done\\x07\\x1b]0;evil\x07"
        );
        // Bidi written out, the length bounded.
        let long = format!("\u{202e}{}", "x".repeat(1000));
        let seq = Notify::Osc9.sequence(&long);
        assert!(seq.starts_with("\x1b]9;\\u{202e}xx"), "{seq:?}");
        assert!(seq.len() <= NOTICE_MAX + 8, "{}", seq.len());
        assert_eq!(
            Notify::Osc777.sequence("done"),
            "\x1b]777;notify;landscape-tui;done\x07"
        );
        assert_eq!(Notify::Bell.sequence("done"), "\x07");
        assert_eq!(Notify::Off.sequence("done"), "");
    }

    #[test]
    fn the_terminal_picks_the_way() {
        assert_eq!(Notify::detect(Some("iTerm.app"), None, false), Notify::Osc9);
        assert_eq!(
            Notify::detect(None, Some("xterm-kitty"), false),
            Notify::Osc9
        );
        assert_eq!(
            Notify::detect(None, Some("xterm-256color"), true),
            Notify::Osc777
        );
        assert_eq!(Notify::detect(None, Some("screen"), false), Notify::Bell);
        assert_eq!(Notify::parse("auto"), Ok(None));
        assert_eq!(Notify::parse("osc777"), Ok(Some(Notify::Osc777)));
        assert!(Notify::parse("toast").unwrap_err().contains("osc9"));
    }
}
