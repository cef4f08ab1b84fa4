//! `y`: what of the detail's activity to copy.

/// What `y` offers to copy, in its order.
pub const COPY_CHOICES: [&str; 4] = ["JSON", "id", "result text", "web UI link"];
