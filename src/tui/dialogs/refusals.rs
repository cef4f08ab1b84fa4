//! The refusals popup: what the server or the dry run refused, and why.

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
