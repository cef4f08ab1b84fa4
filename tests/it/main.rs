//! The integration tests, one binary: one link after an edit instead of one per file.
//! Each module is a former test file; `cargo test --test it tui_snapshots::` runs one.

// Tests may unwrap: a failure is the report.
#![allow(clippy::unwrap_used)]

mod common;

mod action_law;
mod architecture;
mod cli;
mod config_example;
mod engine_dataset;
mod engine_lifecycle;
mod engine_props;
mod engine_state;
mod failure_clusters;
mod legacy_client_python;
mod model_roundtrip;
mod operations;
mod query_language;
mod query_props;
mod readme_screens;
mod remote_e2e;
mod remote_faults;
mod remote_landscape;
mod remote_rows;
mod rollout_cli;
mod rollout_law;
mod server_accounts;
mod server_concurrency;
mod server_hostile;
mod server_http;
mod server_webui;
mod several;
mod signature_vectors;
mod tui_commands;
mod tui_daily;
mod tui_e2e;
mod tui_render;
mod tui_rollout;
mod tui_snapshots;
mod tui_triage;
mod tui_typing;
mod tui_update;
mod tui_watch;
mod web_ui_browser;
