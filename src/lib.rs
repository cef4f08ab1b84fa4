//! landscape-tui: browse, search and act on Canonical Landscape activities.
//!
//! Data flows one way: `model` → `query` → `engine` → `backend` → `tui`.

pub mod backend;
pub mod cli;
pub mod config;
pub mod connection;
pub mod engine;
pub mod export;
pub mod logging;
pub mod model;
pub mod printable;
pub mod process_group;
pub mod progress;
pub mod query;
pub mod scripting;
pub mod server;
pub mod settings;
pub mod signature;
pub mod tui;
