//! The dashboard: app state with a pure `update`, views that only read it,
//! and an async loop that moves events and backend answers between them.

pub mod app;
pub mod event;
pub mod history;
pub mod keys;
pub mod layout;
mod runtime;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;

pub use runtime::{TuiOptions, run};
