//! The dashboard's sections of the config (`[keys]`, `[theme]`,
//! `[[views]]`, `[list]`), read into its key table, theme and views. The config
//! parses the file; what a key, a role or a view means is known here, and
//! a mistake is an error at its line.

use std::collections::BTreeMap;

use crate::config::{Config, ConfigError, KeySpec, ViewSpec};
use crate::tui::Looks;
use crate::tui::keys::{Chord, Context, Keymap};
use crate::tui::saved_views::SavedView;
use crate::tui::theme::{ROLE_NAMES, StyleOverride, THEME_NAMES};

/// What the dashboard takes from the config.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// The key table with `[keys]` applied.
    pub keymap: Keymap,
    /// `[theme]` and `[[views]]`.
    pub looks: Looks,
    /// `notify`; `None` is `auto` (the terminal decides).
    pub notify: Option<crate::tui::notify::Notify>,
}

impl Settings {
    /// The config's sections, checked; `no_color` is `NO_COLOR`.
    pub fn from_config(config: &Config, no_color: bool) -> Result<Settings, ConfigError> {
        let keymap = keymap(config, &config.keys)?;
        let views = views(config, &config.views, &keymap)?;
        let theme_name = match &config.theme.name {
            Some(name) if !THEME_NAMES.contains(&name.get_ref().as_str()) => {
                return Err(config.error_at(
                    name.span(),
                    "theme.name".into(),
                    format!(
                        "no theme {:?}; themes: {}",
                        name.get_ref(),
                        THEME_NAMES.join(", ")
                    ),
                ));
            }
            Some(name) => name.get_ref().clone(),
            None => "dark".to_owned(),
        };
        let mut theme_styles = Vec::new();
        for (role, style) in &config.theme.styles {
            let key = format!("theme.styles.{role}");
            if !ROLE_NAMES.contains(&role.as_str()) {
                return Err(config.error_at(
                    style.span(),
                    key,
                    format!("no role {role:?}; roles: {}", ROLE_NAMES.join(", ")),
                ));
            }
            let parsed: StyleOverride =
                style
                    .get_ref()
                    .clone()
                    .try_into()
                    .map_err(|e: toml::de::Error| {
                        config.error_at(style.span(), key, e.message().to_owned())
                    })?;
            theme_styles.push((role.clone(), parsed));
        }
        let columns = match &config.list.columns {
            Some(names) => {
                crate::tui::list_columns::parse_columns(names.get_ref().iter().map(String::as_str))
                    .map_err(|m| config.error_at(names.span(), "list.columns".into(), m))?
            }
            None => Vec::new(),
        };
        let notify = match &config.notify {
            Some(name) => crate::tui::notify::Notify::parse(name.get_ref())
                .map_err(|m| config.error_at(name.span(), "notify".into(), m))?,
            None => None,
        };
        let commands = user_commands(config, &keymap, &views)?;
        Ok(Settings {
            keymap,
            notify,
            looks: Looks {
                theme_name,
                theme_styles,
                no_color,
                views,
                columns,
                commands,
            },
        })
    }
}

/// The default key table with `[keys]` applied; an unknown action, a key
/// that is not one, or a key bound twice is an error at its line.
fn keymap(
    config: &Config,
    keys: &BTreeMap<String, toml::Spanned<KeySpec>>,
) -> Result<Keymap, ConfigError> {
    let at = |name: &str, span: std::ops::Range<usize>, message: String| {
        config.error_at(span, format!("keys.{name}"), message)
    };
    let mut map = Keymap::default();
    for (name, spec) in keys {
        let chords = spec
            .get_ref()
            .texts()
            .into_iter()
            .map(Chord::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|m| at(name, spec.span(), m))?;
        map.remap(name, chords)
            .map_err(|m| at(name, spec.span(), m))?;
    }
    map.check().map_err(|(message, actions)| {
        // At the line of a remapped one of the two.
        let (name, span) = actions
            .iter()
            .find_map(|a| keys.get(*a).map(|s| (*a, s.span())))
            .unwrap_or(("", 0..0));
        at(name, span, message)
    })?;
    Ok(map)
}

/// The configured views on their keys, or the defaults (those whose key
/// an action took are left out); a view key that is not a key, is used
/// twice, or is an action's key is an error at its line.
fn views(
    config: &Config,
    specs: &[ViewSpec],
    keymap: &Keymap,
) -> Result<Vec<SavedView>, ConfigError> {
    if specs.is_empty() {
        return Ok(SavedView::defaults()
            .into_iter()
            .filter(|v| keymap.taken(Context::Panes, &v.key).is_none())
            .collect());
    }
    let mut out: Vec<SavedView> = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let fail =
            |message: String| config.error_at(spec.key.span(), format!("views[{i}].key"), message);
        let key = Chord::parse(spec.key.get_ref()).map_err(fail)?;
        if let Some(action) = keymap.taken(Context::Panes, &key) {
            return Err(fail(format!(
                "{} is the key of {action}; pick another for view {:?}",
                key.name(),
                spec.name
            )));
        }
        if let Some(other) = out.iter().find(|v| v.key == key) {
            return Err(fail(format!(
                "{} is the key of both views {:?} and {:?}",
                key.name(),
                other.name,
                spec.name
            )));
        }
        out.push(SavedView {
            key,
            name: spec.name.clone(),
            query: spec.query.clone(),
        });
    }
    Ok(out)
}

/// `[[commands]]`, checked: a key taken by an action, a view or another
/// command, an unknown placeholder, scope or mode is an error at its line.
fn user_commands(
    config: &Config,
    keymap: &Keymap,
    views: &[SavedView],
) -> Result<Vec<crate::tui::user_commands::UserCommand>, ConfigError> {
    use crate::tui::user_commands::{CommandScope, Mode, UserCommand};
    let mut out: Vec<UserCommand> = Vec::new();
    for (i, spec) in config.commands.iter().enumerate() {
        let at = |span: std::ops::Range<usize>, field: &str, message: String| {
            config.error_at(span, format!("commands[{i}].{field}"), message)
        };
        let key = Chord::parse(spec.key.get_ref()).map_err(|m| at(spec.key.span(), "key", m))?;
        let taken = keymap
            .taken(Context::Panes, &key)
            .map(|action| format!("the key of {action}"))
            .or_else(|| {
                views
                    .iter()
                    .find(|v| v.key == key)
                    .map(|v| format!("view {:?}'s key", v.name))
            })
            .or_else(|| {
                out.iter()
                    .find(|c| c.key == key)
                    .map(|c| format!("command {:?}'s key", c.name))
            });
        if let Some(taken) = taken {
            return Err(at(
                spec.key.span(),
                "key",
                format!(
                    "{} is {taken}; pick another for command {:?}",
                    key.name(),
                    spec.name
                ),
            ));
        }
        let scope = match &spec.scope {
            Some(s) => CommandScope::parse(s.get_ref()).map_err(|m| at(s.span(), "scope", m))?,
            None => CommandScope::Activity,
        };
        let mode = match spec.mode.as_ref().map(|m| (m.get_ref().as_str(), m.span())) {
            None | Some(("terminal", _)) => Mode::Terminal,
            Some(("background", _)) => Mode::Background,
            Some((other, span)) => {
                return Err(at(
                    span,
                    "mode",
                    format!("no mode {other:?}; one of: terminal, background"),
                ));
            }
        };
        let command = UserCommand::new(
            key,
            &spec.name,
            spec.run.get_ref(),
            scope,
            spec.confirm,
            mode,
            spec.shell,
        )
        .map_err(|m| at(spec.run.span(), "run", m))?;
        out.push(command);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keys::KeyAction;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn settings(text: &str) -> Result<Settings, ConfigError> {
        Settings::from_config(&Config::parse(text)?, false)
    }

    #[test]
    fn keys_remap_actions_and_keep_the_rest() {
        let c = settings("[keys]\napprove = \"ctrl-a\"\ncancel = [\"c\", \"delete\"]\n").unwrap();
        let at = |code, mods| c.keymap.action(Context::Panes, &KeyEvent::new(code, mods));
        assert_eq!(
            at(KeyCode::Char('a'), KeyModifiers::CONTROL),
            Some(KeyAction::Approve)
        );
        assert_eq!(at(KeyCode::Char('a'), KeyModifiers::NONE), None);
        assert_eq!(
            at(KeyCode::Delete, KeyModifiers::NONE),
            Some(KeyAction::Cancel)
        );
        assert_eq!(
            at(KeyCode::Char('j'), KeyModifiers::NONE),
            Some(KeyAction::Down)
        );
    }

    /// Each text's error is a syntax error at `line`, under `key`, saying
    /// `says`.
    fn errors_at(cases: &[(&str, usize, &str, &str)]) {
        for (text, line, key, says) in cases {
            let e = settings(text).unwrap_err();
            match &e {
                ConfigError::Syntax {
                    line: l,
                    key: Some(k),
                    message,
                    ..
                } => {
                    assert_eq!((l, k.as_str()), (line, *key), "{text}: {message}");
                    assert!(message.contains(says), "{text}: {message}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn bad_keys_config_names_line_key_and_both_actions() {
        errors_at(&[
            (
                "[keys]\naprove = \"a\"\n",
                2,
                "keys.aprove",
                "unknown action \"aprove\"",
            ),
            (
                "[keys]\nrefresh = \"ctrl-\"\n",
                2,
                "keys.refresh",
                "is not a key",
            ),
            ("[keys]\nhelp = \"f13\"\n", 2, "keys.help", "is not a key"),
            (
                "refresh_seconds = 5\n[keys]\napprove = \"c\"\n",
                3,
                "keys.approve",
                "c is bound to both approve and cancel",
            ),
        ]);
    }

    #[test]
    fn theme_and_views_are_read() {
        let c = settings(
            "[theme]\nname = \"light\"\n[theme.styles]\nselected = { fg = \"black\", bg = \"#00ffff\", bold = true }\n\
             [[views]]\nkey = \"F2\"\nname = \"Web failures\"\nquery = \"status:failed computer:tag:web\"\n",
        )
        .unwrap();
        assert_eq!(c.looks.theme_name, "light");
        assert_eq!(c.looks.theme_styles[0].0, "selected");
        assert_eq!(c.looks.views.len(), 1);
        assert_eq!(c.looks.views[0].key, Chord::parse("f2").unwrap());
        assert_eq!(c.looks.views[0].name, "Web failures");
        // No views configured, or no file at all: the four defaults.
        let empty = Settings::from_config(&Config::empty(), false).unwrap();
        assert_eq!(empty.looks.views.len(), 4);
        assert_eq!(empty.looks.theme_name, "dark");
        let c = settings("").unwrap();
        let names: Vec<&str> = c.looks.views.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Needs approval",
                "In progress",
                "Failed today",
                "Everything"
            ]
        );
        // A default view whose key an action took is left out.
        let c = settings("[keys]\nrefresh = \"1\"\n").unwrap();
        assert_eq!(c.looks.views.len(), 3);
    }

    #[test]
    fn bad_theme_and_views_name_line_and_key() {
        errors_at(&[
            (
                "[theme]\nname = \"solarized\"\n",
                2,
                "theme.name",
                "no theme \"solarized\"; themes: dark, light, mono",
            ),
            (
                "[theme.styles]\nselcted = { bold = true }\n",
                2,
                "theme.styles.selcted",
                "no role \"selcted\"",
            ),
            (
                "[theme.styles]\nselected = { fg = \"chartreuse-ish\" }\n",
                2,
                "theme.styles.selected",
                "is not a colour",
            ),
            (
                "[[views]]\nkey = \"ctrl-\"\nname = \"x\"\nquery = \"\"\n",
                2,
                "views[0].key",
                "is not a key",
            ),
            (
                "[[views]]\nkey = \"a\"\nname = \"Mine\"\nquery = \"\"\n",
                2,
                "views[0].key",
                "a is the key of approve",
            ),
            (
                "[[views]]\nkey = \"1\"\nname = \"A\"\nquery = \"\"\n[[views]]\nkey = \"1\"\nname = \"B\"\nquery = \"\"\n",
                6,
                "views[1].key",
                "1 is the key of both views \"A\" and \"B\"",
            ),
        ]);
    }

    #[test]
    fn keys_of_the_editor_and_dialogs_remap_without_taking_typed_letters() {
        let c = settings(
            "[keys]\ncomplete = \"ctrl-space\"\nquit = [\"Q\", \"ctrl-q\"]\nconfirm = [\"Y\", \"enter\"]\nrun = [\"x\", \"f5\"]\n",
        )
        .unwrap();
        let at = |context, code, mods| c.keymap.action(context, &KeyEvent::new(code, mods));
        let ctrl = KeyModifiers::CONTROL;
        let none = KeyModifiers::NONE;
        assert_eq!(
            at(Context::Editor, KeyCode::Char(' '), ctrl),
            Some(KeyAction::Complete)
        );
        assert_eq!(at(Context::Editor, KeyCode::Tab, none), None);
        // Q quits from the panes; in the editor Q is a letter, ctrl-q quits.
        assert_eq!(
            at(Context::Panes, KeyCode::Char('Q'), none),
            Some(KeyAction::Quit)
        );
        assert_eq!(at(Context::Editor, KeyCode::Char('Q'), none), None);
        assert_eq!(
            at(Context::Editor, KeyCode::Char('q'), ctrl),
            Some(KeyAction::Quit)
        );
        assert_eq!(
            at(Context::Confirm, KeyCode::Char('q'), ctrl),
            Some(KeyAction::Quit)
        );
        assert_eq!(
            at(Context::Confirm, KeyCode::Char('Y'), none),
            Some(KeyAction::Confirm)
        );
        // Run takes F5 but not x: x must still type an x.
        assert_eq!(
            at(Context::Editor, KeyCode::F(5), none),
            Some(KeyAction::RunQuery)
        );
        assert_eq!(at(Context::Editor, KeyCode::Char('x'), none), None);
    }
}
