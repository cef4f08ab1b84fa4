//! A backend ready to use, or one still being built (a large demo or
//! dataset, on a blocking thread), with how far it has got: what the
//! dashboard is handed, so it can draw the start's progress from its first
//! frame.

use std::sync::Arc;

use super::Backend;
use crate::progress::{Progress, Reading};

pub enum Source<E> {
    Ready(Arc<dyn Backend>),
    Building {
        what: String,
        progress: Arc<Progress>,
        /// How far it has got, for a person.
        label: Box<dyn Fn(Reading) -> String + Send>,
        task: tokio::task::JoinHandle<Result<Arc<dyn Backend>, E>>,
    },
}

impl<E: From<tokio::task::JoinError>> Source<E> {
    /// The backend, once it is built.
    pub async fn ready(self) -> Result<Arc<dyn Backend>, E> {
        match self {
            Source::Ready(b) => Ok(b),
            Source::Building { task, .. } => task.await?,
        }
    }
}
