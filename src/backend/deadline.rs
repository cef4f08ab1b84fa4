//! The time a request has, carried to the backend it reaches: `serve`
//! sets it for each request, and the engine stops a query past it (see
//! `engine::deadline`) rather than work on for nobody.

use std::future::Future;
use std::time::Instant;

tokio::task_local! {
    static DEADLINE: Instant;
}

/// Runs `work` with `deadline` as the time its backend calls have.
pub async fn scope<F: Future>(deadline: Instant, work: F) -> F::Output {
    DEADLINE.scope(deadline, work).await
}

/// The deadline of the request being served, if any.
pub fn current() -> Option<Instant> {
    DEADLINE.try_with(|d| *d).ok()
}
