//! The time a read of the engine has, from its request: past it, a query
//! stops reading records (see [`Matcher::select_within`]) instead of
//! working on for a client that has already been told it timed out.
//!
//! [`Matcher::select_within`]: crate::query::Matcher::select_within

use std::cell::Cell;
use std::time::Instant;

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Runs `work` on this thread with `deadline` (none: no limit).
pub fn within<T>(deadline: Option<Instant>, work: impl FnOnce() -> T) -> T {
    let before = DEADLINE.with(|d| d.replace(deadline));
    let out = work();
    DEADLINE.with(|d| d.set(before));
    out
}

/// Whether the work on this thread is past its deadline.
pub fn passed() -> bool {
    DEADLINE.with(|d| d.get().is_some_and(|at| Instant::now() >= at))
}
