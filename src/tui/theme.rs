//! Every style on screen, by what it is for: views take their colours
//! from a [`Theme`] value in the app state, never from colour literals, so
//! a theme is swapped by replacing one value.

use ratatui::style::{Color, Modifier, Style};

use crate::model::ActivityStatus;

/// The roles, each with the name `[theme.styles]` gives it: one list, from
/// which the struct, [`ROLE_NAMES`] and [`Theme::role_mut`] are made.
macro_rules! roles {
    ($($(#[doc = $doc:literal])* $field:ident = $name:literal,)*) => {
        /// Named styles, one per thing on screen.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Theme {
            $($(#[doc = $doc])* pub $field: Style,)*
        }

        /// Every role `[theme.styles]` can set.
        pub const ROLE_NAMES: &[&str] = &[$($name,)*];

        impl Theme {
            /// The style of the role `name` (kebab-case, as `[theme.styles]`
            /// writes it).
            pub fn role_mut(&mut self, name: &str) -> Option<&mut Style> {
                match name {
                    $($name => Some(&mut self.$field),)*
                    _ => None,
                }
            }
        }
    };
}

roles! {
    border = "border",
    focused_border = "focused-border",
    /// The selected row.
    selected = "selected",
    /// A marked row.
    marked = "marked",
    /// A row an action just changed.
    flash = "flash",
    /// Secondary text: hints, counts, placeholders.
    dim = "dim",
    /// Key names, ids, and other things to find at a glance.
    key = "key",
    error = "error",
    warning = "warning",
    success = "success",
    /// Children counts by health: succeeded, pending, failed or canceled.
    good = "good",
    pending = "pending",
    bad = "bad",
    /// The query bar's highlighting.
    query_key = "query-key",
    query_value = "query-value",
    query_keyword = "query-keyword",
    /// The JSON detail pane.
    json_key = "json-key",
    json_value = "json-value",
    /// Progress gauges, running and failed.
    gauge = "gauge",
    gauge_failed = "gauge-failed",
    json_number = "json-number",
    json_literal = "json-literal",
    /// The status bar's badges: the backend (embedded engine or server)
    /// and read-only.
    badge_engine = "badge-engine",
    badge_server = "badge-server",
    badge_read_only = "badge-read-only",
    /// With several servers, each one's name in the list (the fifth
    /// takes the first's again).
    server_1 = "server-1",
    server_2 = "server-2",
    server_3 = "server-3",
    server_4 = "server-4",
    /// Each status's style (its symbol is in [`status_symbol`]).
    succeeded = "succeeded",
    failed = "failed",
    canceled = "canceled",
    unapproved = "unapproved",
    queued = "queued",
    in_progress = "in-progress",
    held = "held",
    unknown_status = "unknown-status",
    /// The list's column headings.
    header = "header",
    /// A search match in the zoomed detail.
    search_match = "search-match",
}

impl Default for Theme {
    fn default() -> Theme {
        Theme::dark()
    }
}

impl Theme {
    /// The default: for a dark terminal background.
    pub fn dark() -> Theme {
        let fg = |c: Color| Style::new().fg(c);
        Theme {
            border: fg(Color::DarkGray),
            focused_border: fg(Color::Cyan),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            marked: fg(Color::Yellow).add_modifier(Modifier::BOLD),
            flash: Style::new().bg(Color::Rgb(40, 70, 40)),
            dim: fg(Color::DarkGray),
            key: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            error: fg(Color::Red),
            warning: fg(Color::Yellow),
            success: fg(Color::Green),
            good: fg(Color::Green),
            pending: fg(Color::Yellow),
            bad: fg(Color::Red),
            query_key: fg(Color::Cyan),
            query_value: fg(Color::Green),
            query_keyword: fg(Color::Magenta).add_modifier(Modifier::BOLD),
            json_key: fg(Color::Cyan),
            json_value: fg(Color::Green),
            gauge: fg(Color::Blue).bg(Color::Black),
            gauge_failed: fg(Color::Red),
            json_number: fg(Color::Magenta),
            json_literal: fg(Color::Yellow),
            badge_engine: fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            badge_server: fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            badge_read_only: fg(Color::Black).bg(Color::Red),
            server_1: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            server_2: fg(Color::Magenta).add_modifier(Modifier::BOLD),
            server_3: fg(Color::Yellow).add_modifier(Modifier::BOLD),
            server_4: fg(Color::Blue).add_modifier(Modifier::BOLD),
            succeeded: fg(Color::Green),
            failed: fg(Color::Red),
            canceled: fg(Color::DarkGray),
            unapproved: fg(Color::Yellow),
            queued: fg(Color::Cyan),
            in_progress: fg(Color::Blue),
            held: fg(Color::Magenta),
            unknown_status: fg(Color::Gray),
            header: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            search_match: fg(Color::Black).bg(Color::Yellow),
        }
    }

    /// For a light terminal background: darker hues, no grey on white.
    pub fn light() -> Theme {
        let fg = |c: Color| Style::new().fg(c);
        Theme {
            border: fg(Color::Gray),
            focused_border: fg(Color::Blue),
            dim: fg(Color::Rgb(110, 110, 110)),
            key: fg(Color::Blue).add_modifier(Modifier::BOLD),
            marked: fg(Color::Rgb(150, 90, 0)).add_modifier(Modifier::BOLD),
            flash: Style::new().bg(Color::Rgb(200, 240, 200)),
            warning: fg(Color::Rgb(150, 90, 0)),
            pending: fg(Color::Rgb(150, 90, 0)),
            unapproved: fg(Color::Rgb(150, 90, 0)),
            query_key: fg(Color::Blue),
            query_value: fg(Color::Rgb(0, 120, 0)),
            json_key: fg(Color::Blue),
            json_value: fg(Color::Rgb(0, 120, 0)),
            json_literal: fg(Color::Rgb(150, 90, 0)),
            succeeded: fg(Color::Rgb(0, 120, 0)),
            good: fg(Color::Rgb(0, 120, 0)),
            success: fg(Color::Rgb(0, 120, 0)),
            canceled: fg(Color::Rgb(110, 110, 110)),
            queued: fg(Color::Rgb(0, 110, 140)),
            unknown_status: fg(Color::Rgb(110, 110, 110)),
            gauge: fg(Color::Blue).bg(Color::Rgb(225, 225, 225)),
            ..Theme::dark()
        }
    }

    /// No colour at all: bold, reverse and underline only (what
    /// `NO_COLOR` asks for). Statuses still read by their symbols.
    pub fn mono() -> Theme {
        let plain = Style::new();
        let bold = plain.add_modifier(Modifier::BOLD);
        let reversed = plain.add_modifier(Modifier::REVERSED);
        let underlined = plain.add_modifier(Modifier::UNDERLINED);
        Theme {
            border: plain,
            focused_border: bold,
            selected: reversed,
            marked: bold,
            flash: underlined,
            dim: plain,
            key: bold,
            error: bold,
            warning: bold,
            success: plain,
            good: plain,
            pending: plain,
            bad: bold,
            query_key: bold,
            query_value: plain,
            query_keyword: bold.add_modifier(Modifier::UNDERLINED),
            json_key: bold,
            json_value: plain,
            gauge: reversed,
            gauge_failed: bold,
            json_number: plain,
            json_literal: plain,
            badge_engine: reversed.add_modifier(Modifier::BOLD),
            badge_server: reversed.add_modifier(Modifier::BOLD),
            badge_read_only: reversed,
            server_1: bold,
            server_2: bold.add_modifier(Modifier::UNDERLINED),
            server_3: reversed,
            server_4: plain,
            succeeded: plain,
            failed: bold,
            canceled: plain,
            unapproved: bold,
            queued: plain,
            in_progress: plain,
            held: plain,
            unknown_status: plain,
            header: bold.add_modifier(Modifier::UNDERLINED),
            search_match: reversed,
        }
    }

    /// The built-in theme called `name`.
    pub fn named(name: &str) -> Option<Theme> {
        match name {
            "dark" => Some(Theme::dark()),
            "light" => Some(Theme::light()),
            "mono" => Some(Theme::mono()),
            _ => None,
        }
    }

    /// The theme `name` with the operator's `overrides`; with `no_color`
    /// (`NO_COLOR` set) it is `mono` and overrides keep only their
    /// bold, reverse or underline.
    pub fn build(
        name: &str,
        overrides: &[(String, StyleOverride)],
        no_color: bool,
    ) -> Option<Theme> {
        let mut theme = if no_color {
            Theme::mono()
        } else {
            Theme::named(name)?
        };
        for (role, o) in overrides {
            if let Some(style) = theme.role_mut(role) {
                *style = o.apply(*style, !no_color);
            }
        }
        Some(theme)
    }

    /// A status's symbol and style, readable without colour too.
    /// The style of the server at `index` among several.
    pub fn server(&self, index: usize) -> Style {
        [self.server_1, self.server_2, self.server_3, self.server_4][index % 4]
    }

    pub fn status(&self, s: Option<&ActivityStatus>) -> (&'static str, Style) {
        let style = match s {
            Some(ActivityStatus::Succeeded) => self.succeeded,
            Some(ActivityStatus::Failed) => self.failed,
            Some(ActivityStatus::Canceled) => self.canceled,
            Some(ActivityStatus::Unapproved) => self.unapproved,
            Some(ActivityStatus::Undelivered | ActivityStatus::Scheduled) => self.queued,
            Some(ActivityStatus::Delivered) => self.in_progress,
            Some(ActivityStatus::Waiting | ActivityStatus::Blocked) => self.held,
            Some(ActivityStatus::Other(_)) | None => self.unknown_status,
        };
        (status_symbol(s), style)
    }
}

/// The themes `[theme] name` and `:theme` know.
pub const THEME_NAMES: [&str; 3] = ["dark", "light", "mono"];

/// One role's style as the config writes it: colours by name (`red`,
/// `darkgray`), index (`208`) or hex (`#ff8800`), and modifiers.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StyleOverride {
    #[serde(default, deserialize_with = "colour")]
    pub fg: Option<Color>,
    #[serde(default, deserialize_with = "colour")]
    pub bg: Option<Color>,
    pub bold: Option<bool>,
    pub italic: Option<bool>,
    pub underline: Option<bool>,
    pub reverse: Option<bool>,
    pub dim: Option<bool>,
}

fn colour<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Color>, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(d)?;
    text.parse::<Color>().map(Some).map_err(|_| {
        serde::de::Error::custom(format!(
            "{text:?} is not a colour (a name like red or darkgray, an index 0-255, or #rrggbb)"
        ))
    })
}

impl StyleOverride {
    /// `base` with this override; colours only when `colour` is allowed.
    pub fn apply(&self, base: Style, colour: bool) -> Style {
        let mut style = base;
        if colour {
            if let Some(c) = self.fg {
                style = style.fg(c);
            }
            if let Some(c) = self.bg {
                style = style.bg(c);
            }
            // Colours written are the colours drawn: a base drawn reversed
            // (the dark theme's selection) would swap them.
            if (self.fg.is_some() || self.bg.is_some()) && self.reverse.is_none() {
                style = style.remove_modifier(Modifier::REVERSED);
            }
        }
        for (flag, modifier) in [
            (self.bold, Modifier::BOLD),
            (self.italic, Modifier::ITALIC),
            (self.underline, Modifier::UNDERLINED),
            (self.reverse, Modifier::REVERSED),
            (self.dim, Modifier::DIM),
        ] {
            match flag {
                Some(true) => style = style.add_modifier(modifier),
                Some(false) => style = style.remove_modifier(modifier),
                None => {}
            }
        }
        style
    }
}

/// A popup list's row in `style`, reversed when it is the selected one.
pub fn popup_row(style: Style, selected: bool) -> Style {
    if selected {
        style.add_modifier(Modifier::REVERSED)
    } else {
        style
    }
}

/// A status's symbol: the status reads without colour.
pub fn status_symbol(s: Option<&ActivityStatus>) -> &'static str {
    match s {
        Some(ActivityStatus::Succeeded) => "✔",
        Some(ActivityStatus::Failed) => "✘",
        Some(ActivityStatus::Canceled) => "⊘",
        Some(ActivityStatus::Unapproved) => "?",
        Some(ActivityStatus::Undelivered) => "…",
        Some(ActivityStatus::Scheduled) => "◷",
        Some(ActivityStatus::Delivered) => "▶",
        Some(ActivityStatus::Waiting) => "⧗",
        Some(ActivityStatus::Blocked) => "■",
        Some(ActivityStatus::Other(_)) | None => "·",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `selected = { fg = "black", bg = "cyan" }` is black on cyan, not
    /// the reverse (issue 42, D13); `reverse = true` still reverses, and
    /// without colour (NO_COLOR) the base's reversal stays.
    #[test]
    fn an_overrides_colours_are_drawn_as_written() {
        let base = Style::new().add_modifier(Modifier::REVERSED);
        let written = StyleOverride {
            fg: Some(Color::Black),
            bg: Some(Color::Cyan),
            ..StyleOverride::default()
        };
        let s = written.apply(base, true);
        assert_eq!((s.fg, s.bg), (Some(Color::Black), Some(Color::Cyan)));
        assert!(!s.add_modifier.contains(Modifier::REVERSED));
        let reversed = StyleOverride {
            reverse: Some(true),
            ..written
        };
        assert!(
            reversed
                .apply(base, true)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
        assert!(
            written
                .apply(base, false)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
    }
}
