//! The shipped example configuration parses and resolves each profile.

use landscape_tui::config::{Config, Connection, Environment};
use landscape_tui::settings::Settings;

#[test]
fn example_config_parses_and_every_profile_resolves_with_env_secrets() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"))
        .unwrap();
    // The example's commands call a password manager that is not here, so
    // strip them and let the environment supply the secrets.
    let text: String = text
        .lines()
        .filter(|l| !l.contains("_command"))
        .map(|l| format!("{l}\n"))
        .collect();
    let config = Config::parse(&text).unwrap();
    let env = Environment {
        api_secret: Some("secret".into()),
        password: Some("pw".into()),
        ..Environment::default()
    };
    for name in ["prod", "staging"] {
        let resolved = config.resolve(Some(name), &env).unwrap();
        assert!(
            matches!(resolved.connection, Connection::Remote { .. }),
            "{name}"
        );
    }
    assert!(config.resolve(Some("prod"), &env).unwrap().read_only);
    // The example's [keys]: Delete cancels too.
    let delete = ratatui::crossterm::event::KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Delete,
        ratatui::crossterm::event::KeyModifiers::NONE,
    );
    let settings = Settings::from_config(&config, false).unwrap();
    assert_eq!(
        settings
            .keymap
            .action(landscape_tui::tui::keys::Context::Panes, &delete),
        Some(landscape_tui::tui::keys::KeyAction::Cancel)
    );
    // Its theme and views.
    assert_eq!(settings.looks.theme_name, "dark");
    assert_eq!(settings.looks.theme_styles[0].0, "selected");
    let views: Vec<&str> = settings
        .looks
        .views
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(views, ["Needs approval", "Failed today", "Web servers"]);
    // Its columns.
    let columns: Vec<&str> = settings.looks.columns.iter().map(|c| c.name()).collect();
    assert_eq!(
        columns,
        [
            "status",
            "id",
            "created-at",
            "type",
            "summary",
            "computer",
            "children"
        ]
    );
    // Its commands, and how watches notify.
    let commands: Vec<&str> = settings
        .looks
        .commands
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(commands, ["ssh", "web UI", "copy result"]);
    assert_eq!(settings.notify, None, "auto: the terminal decides");
    // No default profile in the example: the dashboard opens on the demo.
    assert_eq!(
        config
            .resolve(None, &Environment::default())
            .unwrap()
            .connection,
        Connection::Demo
    );
}
