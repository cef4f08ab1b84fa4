//! The preferences room: how the dashboard looks and which keys it takes.

use crate::model::ListSort;
use crate::tui::list_columns::{DEFAULT_COLUMNS, ListColumn};
use crate::tui::{Looks, keys::Keymap, saved_views::SavedView, theme::Theme};

pub struct Preferences {
    /// The styles every view draws with.
    pub theme: Theme,
    /// The key table with the operator's own keys.
    pub keymap: Keymap,
    /// The theme's name, overrides and views from the config.
    pub looks: Looks,
    /// The list's order.
    pub sort: ListSort,
    /// The list's columns, in order (`[list] columns`, `:columns`).
    pub columns: Vec<ListColumn>,
    /// The gauges panel is hidden (`:gauges`).
    pub gauges_hidden: bool,
    /// The config's profiles, for `:profile`.
    pub profiles: Vec<String>,
}

impl Default for Preferences {
    fn default() -> Preferences {
        Preferences {
            theme: Theme::default(),
            keymap: Keymap::default(),
            looks: Looks {
                theme_name: "dark".to_owned(),
                views: SavedView::defaults(),
                ..Looks::default()
            },
            sort: ListSort::default(),
            columns: DEFAULT_COLUMNS.to_vec(),
            gauges_hidden: false,
            profiles: Vec::new(),
        }
    }
}

impl Preferences {
    /// Takes the config's theme and views.
    pub fn set_looks(&mut self, looks: Looks) {
        if let Some(theme) = looks.theme(&looks.theme_name) {
            self.theme = theme;
        }
        if !looks.columns.is_empty() {
            self.columns = looks.columns.clone();
        }
        self.looks = looks;
    }
}
