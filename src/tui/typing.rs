//! Keys that arrive as typing never act. An operator who forgets `/` and
//! types `status:unapproved` into the list must not approve anything:
//! keys closer together than a person presses commands are a burst, and
//! a burst with a second key that is not navigation is text, which goes
//! to the query bar. A confirmation takes its key only after a quiet
//! moment (no key since it opened or since the last key), and carries it
//! out only when no other key follows at once. Pure: times are the
//! state's clock, so tests drive them.

use chrono::{DateTime, Duration, Utc};
use ratatui::crossterm::event::KeyEvent;

use super::keys::KeyAction;

/// Keys closer together than this are one burst (typing, or a paste).
pub const BURST_GAP_MS: i64 = 300;
/// A confirmation takes its key only after this long without a key.
pub const QUIET_MS: i64 = 500;
/// Its key is carried out when no other key follows for this long.
pub const SETTLE_MS: i64 = 400;

/// The keys of the current burst.
#[derive(Debug, Clone, Default)]
pub struct Typing {
    /// When the last key came (any key, in any context).
    last: Option<DateTime<Utc>>,
    /// The printable characters of the burst, in order.
    burst: String,
    /// How many of them are not navigation.
    words: usize,
    /// A key that reaches outside (runs a program, opens a browser),
    /// held until it is clearly not the start of a word.
    pending: Option<(KeyEvent, Option<KeyAction>, DateTime<Utc>)>,
}

impl Typing {
    /// Records a key at `now` (`c` when it is a character, `moves` when
    /// it is bound to navigation) and says whether it is typing: the
    /// second key of a burst that is neither navigation nor a control.
    pub fn key(&mut self, now: DateTime<Utc>, c: Option<char>, moves: bool) -> bool {
        let in_burst = self
            .last
            .is_some_and(|t| now - t < Duration::milliseconds(BURST_GAP_MS));
        self.last = Some(now);
        if !in_burst {
            self.burst.clear();
            self.words = 0;
        }
        let Some(c) = c else {
            self.burst.clear();
            self.words = 0;
            return false;
        };
        self.burst.push(c);
        if moves {
            return false;
        }
        self.words += 1;
        self.words >= 2
    }

    /// Holds a key that reaches outside until [`BURST_GAP_MS`] pass.
    pub fn hold(&mut self, key: KeyEvent, action: Option<KeyAction>, now: DateTime<Utc>) {
        self.pending = Some((key, action, now));
    }

    /// The held key, when another key comes at `now`: to run first if
    /// it came after the gap (`Ok`), else dropped (`Err`: two keys at
    /// once are no deliberate command).
    pub fn release(
        &mut self,
        now: DateTime<Utc>,
    ) -> Option<Result<(KeyEvent, Option<KeyAction>), KeyEvent>> {
        let (k, a, at) = self.pending.take()?;
        Some(if now - at >= Duration::milliseconds(BURST_GAP_MS) {
            Ok((k, a))
        } else {
            Err(k)
        })
    }

    /// The held key when no key followed it in time.
    pub fn due(&mut self, now: DateTime<Utc>) -> Option<(KeyEvent, Option<KeyAction>)> {
        let (_, _, at) = self.pending.as_ref()?;
        if now - *at < Duration::milliseconds(BURST_GAP_MS) {
            return None;
        }
        self.pending.take().map(|(k, a, _)| (k, a))
    }

    /// Whether a key is held (the runtime ticks to release it).
    pub fn holding(&self) -> bool {
        self.pending.is_some()
    }

    /// What the burst typed so far.
    pub fn burst(&self) -> &str {
        &self.burst
    }

    /// When the last key came.
    pub fn last(&self) -> Option<DateTime<Utc>> {
        self.last
    }
}

/// The confirmation on screen: when it appeared, and its confirm key
/// while it waits to see whether another key follows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gate {
    pub opened: Option<DateTime<Utc>>,
    pub armed: Option<DateTime<Utc>>,
    /// The confirm key came too soon (shown in the dialog).
    pub held: bool,
}

impl Gate {
    /// Whether a confirm key at `now` is deliberate: nothing happened for
    /// [`QUIET_MS`] before it (the dialog opening, the previous key).
    pub fn quiet(&self, now: DateTime<Utc>, previous_key: Option<DateTime<Utc>>) -> bool {
        let since = self.opened.into_iter().chain(previous_key).max();
        since.is_none_or(|t| now - t >= Duration::milliseconds(QUIET_MS))
    }

    /// Whether an armed confirmation is due at `now`.
    pub fn due(&self, now: DateTime<Utc>) -> bool {
        self.armed
            .is_some_and(|t| now - t >= Duration::milliseconds(SETTLE_MS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(ms: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::milliseconds(ms)
    }

    #[test]
    fn a_second_word_key_in_a_burst_is_typing_navigation_is_not() {
        let mut t = Typing::default();
        assert!(!t.key(at(0), Some('o'), false));
        assert!(!t.key(at(100), Some('k'), true));
        assert!(t.key(at(200), Some('a'), false));
        assert_eq!(t.burst(), "oka");
        // Apart, each is a command.
        assert!(!t.key(at(2_000), Some('a'), false));
        assert!(!t.key(at(2_400), Some('c'), false));
        // j held down, then a: one word.
        for i in 0..5 {
            assert!(!t.key(at(5_000 + 30 * i), Some('j'), true));
        }
        assert!(!t.key(at(5_200), Some('a'), false));
        // A control key ends the burst.
        assert!(!t.key(at(5_250), None, false));
        assert!(!t.key(at(5_300), Some('c'), false));
    }

    #[test]
    fn a_confirmation_wants_a_quiet_moment_then_no_key_after() {
        let gate = Gate {
            opened: Some(at(0)),
            ..Gate::default()
        };
        assert!(!gate.quiet(at(300), None));
        assert!(gate.quiet(at(600), None));
        assert!(!gate.quiet(at(900), Some(at(600))));
        let armed = Gate {
            armed: Some(at(1_000)),
            ..gate
        };
        assert!(!armed.due(at(1_200)));
        assert!(armed.due(at(1_400)));
    }
}
