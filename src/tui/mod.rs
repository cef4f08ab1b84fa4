//! The dashboard: app state with a pure `update`, views that only read it,
//! and an async loop that moves events and backend answers between them.

pub mod answer;
pub mod app;
pub mod capture;
pub mod command_line;
pub mod detail_text;
pub mod dialogs;
pub mod event;
pub mod history;
pub mod kept;
pub mod keys;
pub mod layout;
pub mod line_editor;
pub mod list_columns;
pub mod notify;
mod runtime;
#[cfg(any(test, feature = "test-support"))]
pub mod svg;
pub mod terminal;
pub mod theme;
pub mod typing;
pub mod update;
pub mod user_commands;
pub mod view;
pub use runtime::{Connect, Profiles};
pub mod rollouts;
pub mod saved_views;
pub mod watches;

/// How the dashboard looks and what its own keys do (views, commands), from the config and
/// the environment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Looks {
    /// `dark`, `light` or `mono`.
    pub theme_name: String,
    /// `[theme.styles]`, applied over whichever theme is chosen.
    pub theme_styles: Vec<(String, theme::StyleOverride)>,
    /// `NO_COLOR` is set: no colour, whatever the theme.
    pub no_color: bool,
    pub views: Vec<saved_views::SavedView>,
    /// `[list] columns`: the list's columns, in order.
    pub columns: Vec<list_columns::ListColumn>,
    /// `[[commands]]`: the operator's own commands on a row.
    pub commands: Vec<user_commands::UserCommand>,
}

impl Looks {
    /// The theme called `name` with the operator's overrides.
    pub fn theme(&self, name: &str) -> Option<theme::Theme> {
        theme::Theme::build(name, &self.theme_styles, self.no_color)
    }
}

pub use runtime::{TuiOptions, run};
