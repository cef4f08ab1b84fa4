//! The configuration file (`~/.config/landscape-tui/config.toml`): its
//! schema, its named profiles and which one applies. Where each secret
//! comes from (the environment, a `*_command`, the file) is
//! `credentials.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::backend::remote::{ApiChoice, RemoteOptions};

mod credentials;

pub use credentials::SECRET_COMMAND_TIMEOUT;
use credentials::{readable_by_others, remote_options};

/// The whole file. Unknown keys are errors: a typo must not silently fall
/// back to a default on a production profile.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Profile used when `--profile` is not given.
    pub default_profile: Option<String>,
    /// Several profiles in one list when `--profile` is not given (and
    /// in place of `default_profile`).
    #[serde(default)]
    pub default_profiles: Vec<String>,
    /// Seconds between automatic refreshes (default 5).
    pub refresh_seconds: Option<u64>,
    /// Disable every action in every profile.
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// `[keys]`: action = key or list of keys (the rest keep their
    /// defaults). The dashboard reads this and the next two sections.
    #[serde(default)]
    pub keys: BTreeMap<String, toml::Spanned<KeySpec>>,
    /// `[theme]`: a built-in theme and overrides by role.
    #[serde(default)]
    pub theme: ThemeSection,
    /// `[[views]]`: saved queries on keys.
    #[serde(default)]
    pub views: Vec<ViewSpec>,
    /// `[list]`: the list's columns.
    #[serde(default)]
    pub list: ListSection,
    /// `[[commands]]`: the operator's own commands on a row.
    #[serde(default)]
    pub commands: Vec<CommandSpec>,
    /// How a watch tells the operator: `auto`, `osc9`, `osc777`, `bell`,
    /// `off` (the dashboard knows the names).
    pub notify: Option<toml::Spanned<String>>,
    /// Where the file is and what it says, to point at a line.
    #[serde(skip)]
    source: Option<(Option<PathBuf>, String)>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeSection {
    pub name: Option<toml::Spanned<String>>,
    /// Role = style, as written (the dashboard knows the roles).
    #[serde(default)]
    pub styles: BTreeMap<String, toml::Spanned<toml::Value>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSection {
    /// Column names in order, as written (the dashboard knows the names).
    pub columns: Option<toml::Spanned<Vec<String>>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewSpec {
    pub key: toml::Spanned<String>,
    pub name: String,
    pub query: String,
}

/// A `[[commands]]` entry as written (the dashboard checks it).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandSpec {
    pub key: toml::Spanned<String>,
    pub name: String,
    /// Words with placeholders: `ssh {computer.hostname}`.
    pub run: toml::Spanned<String>,
    /// `activity` (default), `child`, `group`.
    pub scope: Option<toml::Spanned<String>>,
    /// Ask before running.
    #[serde(default)]
    pub confirm: bool,
    /// `terminal` (default) or `background`.
    pub mode: Option<toml::Spanned<String>>,
    /// Run the line through `sh -c`, every value quoted.
    #[serde(default)]
    pub shell: bool,
}

/// One key or several.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum KeySpec {
    One(String),
    Many(Vec<String>),
}

impl KeySpec {
    pub fn texts(&self) -> Vec<&str> {
        match self {
            KeySpec::One(k) => vec![k.as_str()],
            KeySpec::Many(ks) => ks.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub url: Option<String>,
    #[serde(default)]
    pub api: ApiChoice,
    pub auth: Option<AuthMethod>,
    pub access_key: Option<String>,
    pub access_key_command: Option<String>,
    pub secret_key: Option<String>,
    pub secret_key_command: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub password_command: Option<String>,
    pub account: Option<String>,
    /// Several accounts of this login in one list, each a server of its
    /// own (`auth = "password"`: an access key is one account's).
    #[serde(default)]
    pub accounts: Vec<String>,
    /// Its rows' server name in this colour when several servers share
    /// the list (`"red"` for production, as k9s users colour it).
    pub color: Option<String>,
    pub ca_file: Option<PathBuf>,
    #[serde(default)]
    pub insecure: bool,
    pub refresh_seconds: Option<u64>,
    #[serde(default)]
    pub read_only: bool,
    pub timeout_seconds: Option<u64>,
    pub connect_timeout_seconds: Option<u64>,
    /// Answers larger than this many MiB are cut off with an error.
    pub max_body_mib: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMethod {
    AccessKey,
    Password,
}

/// A configuration problem, said so that the user can fix it: where
/// (file, line, key or profile) and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    /// The file is not valid TOML, or a value has the wrong type.
    #[error(
        "{}line {line}, column {column}: {message}{}",
        in_file(path),
        key_text(key)
    )]
    Syntax {
        path: Option<PathBuf>,
        line: usize,
        column: usize,
        /// `table.key` when the error is at a key.
        key: Option<String>,
        message: String,
    },
    #[error("no profile {name:?}{}", known_profiles(known))]
    UnknownProfile { name: String, known: Vec<String> },
    /// A profile lacks something or has something wrong.
    #[error("profile {profile}: {message}")]
    Profile { profile: String, message: String },
    /// An environment variable holds something unusable.
    #[error("{variable} {message}")]
    Environment {
        variable: &'static str,
        message: String,
    },
}

impl ConfigError {
    /// A syntax error of the text, said of the file at `path`.
    fn in_file(self, path: &Path) -> ConfigError {
        match self {
            ConfigError::Syntax {
                line,
                column,
                key,
                message,
                ..
            } => ConfigError::Syntax {
                path: Some(path.to_owned()),
                line,
                column,
                key,
                message,
            },
            other => other,
        }
    }
}

fn in_file(path: &Option<PathBuf>) -> String {
    path.as_ref()
        .map(|p| format!("{}: ", p.display()))
        .unwrap_or_default()
}

fn key_text(key: &Option<String>) -> String {
    key.as_ref()
        .map(|k| format!(" (key `{k}`)"))
        .unwrap_or_default()
}

fn known_profiles(known: &[String]) -> String {
    if known.is_empty() {
        ": the configuration defines no profiles".to_owned()
    } else {
        format!("; profiles: {}", known.join(", "))
    }
}

fn profile_error(profile: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Profile {
        profile: profile.to_owned(),
        message: message.into(),
    }
}

/// The variables the official client reads, plus our two for passwords.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    pub api_uri: Option<String>,
    pub api_key: Option<String>,
    pub api_secret: Option<String>,
    pub ssl_ca_file: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    /// `LANDSCAPE_TUI_TIMEOUT`: seconds one command may take, over the profile's.
    pub timeout: Option<String>,
}

impl Environment {
    pub fn from_process() -> Environment {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Environment {
            api_uri: var("LANDSCAPE_API_URI"),
            api_key: var("LANDSCAPE_API_KEY"),
            api_secret: var("LANDSCAPE_API_SECRET"),
            ssl_ca_file: var("LANDSCAPE_API_SSL_CA_FILE"),
            email: var("LANDSCAPE_EMAIL"),
            password: var("LANDSCAPE_PASSWORD"),
            timeout: var("LANDSCAPE_TUI_TIMEOUT"),
        }
    }
}

/// Where the dashboard's data comes from, once config and environment are read.
#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    /// No server configured: the embedded demo engine.
    Demo,
    Remote {
        /// The profile's name, or `env` when only environment variables named it.
        profile: String,
        options: Box<RemoteOptions>,
    },
}

/// What was read, plus warnings for the status bar (never fatal).
#[derive(Debug, Clone)]
pub struct Resolved {
    pub connection: Connection,
    pub refresh: Duration,
    pub read_only: bool,
    pub warnings: Vec<String>,
}

impl Config {
    /// The default location: `~/.config/landscape-tui/config.toml` on Linux.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "landscape-tui")
            .map(|d| d.config_dir().join("config.toml"))
    }

    /// Reads `path`. A missing file at the default location is an empty
    /// config; a missing file named explicitly is an error.
    pub fn load(path: &Path, explicit: bool) -> Result<(Config, Vec<String>), ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                return Ok((Config::empty(), Vec::new()));
            }
            Err(e) => {
                return Err(ConfigError::Read {
                    path: path.to_owned(),
                    message: e.to_string(),
                });
            }
        };
        let mut config = Config::parse(&text).map_err(|e| e.in_file(path))?;
        if let Some((at, _)) = &mut config.source {
            *at = Some(path.to_owned());
        }
        let mut warnings = Vec::new();
        if config.has_inline_secrets() && readable_by_others(path) {
            warnings.push(format!(
                "{} holds secrets and is readable by others: chmod 600 it, or use *_command keys",
                path.display()
            ));
        }
        Ok((config, warnings))
    }

    /// No file: every default.
    pub fn empty() -> Config {
        Config::default()
    }

    /// Parses TOML text; errors name the line, the column and the key.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| syntax_error(text, &e))?;
        config.source = Some((None, text.to_owned()));
        Ok(config)
    }

    /// An error at `span` of the file, under `key`: for what is read from
    /// the file after it parsed (the dashboard's sections).
    pub fn error_at(
        &self,
        span: std::ops::Range<usize>,
        key: String,
        message: String,
    ) -> ConfigError {
        let (path, text) = match &self.source {
            Some((path, text)) => (path.clone(), text.as_str()),
            None => (None, ""),
        };
        let (line, column) = line_and_column(text, span.start);
        ConfigError::Syntax {
            path,
            line,
            column,
            key: Some(key),
            message,
        }
    }

    fn has_inline_secrets(&self) -> bool {
        self.profiles
            .values()
            .any(|p| p.secret_key.is_some() || p.password.is_some())
    }

    /// Picks the connection: `--profile`, else `LANDSCAPE_API_URI`, else
    /// `default_profile`, else the demo engine.
    pub fn resolve(
        &self,
        profile: Option<&str>,
        env: &Environment,
    ) -> Result<Resolved, ConfigError> {
        let mut warnings = Vec::new();
        let chosen = match profile {
            Some(name) => Some((name.to_owned(), self.profile(name)?.clone())),
            None if env.api_uri.is_some() => Some(("env".to_owned(), Profile::default())),
            None => match &self.default_profile {
                Some(name) => Some((name.clone(), self.profile(name)?.clone())),
                None => None,
            },
        };
        let Some((name, profile)) = chosen else {
            return Ok(Resolved {
                connection: Connection::Demo,
                refresh: Duration::from_secs(self.refresh_seconds.unwrap_or(5).max(1)),
                read_only: self.read_only,
                warnings,
            });
        };
        let options = remote_options(&name, &profile, env, &mut warnings)?;
        let refresh = profile
            .refresh_seconds
            .or(self.refresh_seconds)
            .unwrap_or(5)
            .max(1);
        if options.insecure {
            warnings.push(format!(
                "profile {name}: TLS certificate verification is OFF (insecure = true)"
            ));
        }
        Ok(Resolved {
            read_only: self.read_only || profile.read_only,
            refresh: Duration::from_secs(refresh),
            connection: Connection::Remote {
                profile: name,
                options: Box::new(options),
            },
            warnings,
        })
    }

    fn profile(&self, name: &str) -> Result<&Profile, ConfigError> {
        self.profiles.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
            ConfigError::UnknownProfile {
                name: name.to_owned(),
                known: known.iter().map(|k| (*k).to_owned()).collect(),
            }
        })
    }
}

/// `line L, column C: message (key `k`)` from toml's error.
fn line_and_column(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..at].chars().count() + 1)
}

fn syntax_error(text: &str, e: &toml::de::Error) -> ConfigError {
    let message = e.message().to_owned();
    let Some(span) = e.span() else {
        return ConfigError::Syntax {
            path: None,
            line: 1,
            column: 1,
            key: None,
            message,
        };
    };
    let start = span.start.min(text.len());
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..start].chars().count() + 1;
    let line_text = text[line_start..].lines().next().unwrap_or("");
    let key = line_text
        .split_once('=')
        .map(|(k, _)| k.trim())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let table = before
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('['))
        .map(|l| l.trim().trim_matches(['[', ']']).to_owned());
    let key = match (table, key) {
        (Some(t), Some(k)) => Some(format!("{t}.{k}")),
        (None, Some(k)) => Some(k.to_owned()),
        _ => None,
    };
    ConfigError::Syntax {
        path: None,
        line,
        column,
        key,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::remote::{RemoteCredentials, Secret};

    fn env() -> Environment {
        Environment::default()
    }

    #[test]
    fn empty_config_and_no_env_is_demo() {
        let r = Config::default().resolve(None, &env()).unwrap();
        assert_eq!(r.connection, Connection::Demo);
    }

    #[test]
    fn the_deadline_comes_from_the_environment_over_the_profile() {
        let config = Config::parse(
            "default_profile = \"p\"\n[profiles.p]\nurl = \"https://l.example.com/api/\"\naccess_key = \"K\"\nsecret_key = \"S\"\ntimeout_seconds = 12\nmax_body_mib = 8\n",
        )
        .unwrap();
        let remote = |e: &Environment| match config.resolve(None, e).unwrap().connection {
            Connection::Remote { options, .. } => options,
            Connection::Demo => panic!("expected remote"),
        };
        let o = remote(&env());
        assert_eq!(o.timeout, Duration::from_secs(12));
        assert_eq!(o.max_body_bytes, 8 * 1024 * 1024);
        let e = Environment {
            timeout: Some("90".into()),
            ..env()
        };
        assert_eq!(remote(&e).timeout, Duration::from_secs(90));
        let e = Environment {
            timeout: Some("soon".into()),
            ..env()
        };
        let err = config.resolve(None, &e).unwrap_err();
        assert!(err.to_string().contains("LANDSCAPE_TUI_TIMEOUT"), "{err}");
    }

    #[test]
    fn env_uri_and_keys_make_a_remote() {
        let e = Environment {
            api_uri: Some("https://l.example.com/api/".into()),
            api_key: Some("KEY".into()),
            api_secret: Some("SECRET".into()),
            ..env()
        };
        let r = Config::default().resolve(None, &e).unwrap();
        let Connection::Remote { profile, options } = r.connection else {
            panic!("expected remote")
        };
        assert_eq!(profile, "env");
        assert_eq!(options.url, "https://l.example.com/api/");
        assert_eq!(
            options.credentials,
            RemoteCredentials::AccessKey {
                key: "KEY".into(),
                secret: Secret::new("SECRET")
            }
        );
    }

    #[test]
    fn unknown_key_names_line_and_key() {
        let text =
            "default_profile = \"prod\"\n[profiles.prod]\nurl = \"https://x/api/\"\nurll = 3\n";
        let e = Config::parse(text).unwrap_err();
        assert!(
            matches!(&e, ConfigError::Syntax { line: 4, column: 1, key: Some(k), .. } if k == "profiles.prod.urll"),
            "{e:?}"
        );
        assert!(e.to_string().starts_with("line 4, column 1:"), "{e}");
        assert!(e.to_string().contains("unknown field `urll`"), "{e}");
        assert!(e.to_string().contains("key `profiles.prod.urll`"), "{e}");
    }

    #[test]
    fn wrong_type_names_the_key() {
        let e = Config::parse("refresh_seconds = \"five\"\n").unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
        assert!(e.to_string().contains("key `refresh_seconds`"), "{e}");
    }

    #[test]
    fn unknown_profile_lists_the_known_ones() {
        let c = Config::parse("[profiles.prod]\nurl = \"https://p/api/\"\n[profiles.staging]\nurl = \"https://s/api/\"\n").unwrap();
        let e = c.resolve(Some("qa"), &env()).unwrap_err();
        assert_eq!(e.to_string(), "no profile \"qa\"; profiles: prod, staging");
        assert!(matches!(&e, ConfigError::UnknownProfile { known, .. } if known.len() == 2));
    }

    #[test]
    fn secret_command_is_run_and_its_failure_hides_output() {
        let c = Config::parse(
            "default_profile = \"p\"\n[profiles.p]\nurl = \"https://p/api/\"\naccess_key = \"K\"\nsecret_key_command = \"printf 's3cr3t\\n'\"\n",
        )
        .unwrap();
        let r = c.resolve(None, &env()).unwrap();
        let Connection::Remote { options, .. } = r.connection else {
            panic!()
        };
        assert_eq!(
            options.credentials,
            RemoteCredentials::AccessKey {
                key: "K".into(),
                secret: Secret::new("s3cr3t")
            }
        );
        let c = Config::parse(
            "[profiles.p]\nurl = \"https://p/api/\"\naccess_key = \"K\"\nsecret_key_command = \"echo leaked; exit 3\"\n",
        )
        .unwrap();
        let e = c.resolve(Some("p"), &env()).unwrap_err();
        assert!(e.to_string().contains("secret_key_command failed"), "{e}");
        assert!(!e.to_string().contains("leaked"), "{e}");
    }

    #[test]
    fn only_the_chosen_methods_secrets_are_resolved() {
        let dir = tempfile::tempdir().unwrap();
        let ran = dir.path().join("password-command-ran");
        let text = format!(
            "[profiles.p]\nurl = \"https://p/api/\"\nauth = \"access-key\"\naccess_key = \"K\"\nsecret_key = \"S\"\nemail = \"a@b\"\npassword_command = \"touch {}; echo pw\"\n",
            ran.display()
        );
        let c = Config::parse(&text).unwrap();
        let r = c.resolve(Some("p"), &env()).unwrap();
        let Connection::Remote { options, .. } = r.connection else {
            panic!()
        };
        assert!(matches!(
            options.credentials,
            RemoteCredentials::AccessKey { .. }
        ));
        assert!(
            !ran.exists(),
            "the password command ran for an access-key profile"
        );
    }

    #[test]
    fn password_profile_and_flags() {
        let c = Config::parse(
            "read_only = false\n[profiles.prod]\nurl = \"https://p/api/\"\nauth = \"password\"\nemail = \"ops@example.com\"\npassword = \"pw\"\naccount = \"acme\"\nread_only = true\ninsecure = true\nrefresh_seconds = 9\n",
        )
        .unwrap();
        let r = c.resolve(Some("prod"), &env()).unwrap();
        assert!(r.read_only);
        assert_eq!(r.refresh, Duration::from_secs(9));
        assert!(r.warnings.iter().any(|w| w.contains("verification is OFF")));
        let Connection::Remote { options, .. } = r.connection else {
            panic!()
        };
        assert!(
            matches!(options.credentials, RemoteCredentials::Password { ref account, .. } if account.as_deref() == Some("acme"))
        );
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let s = format!("{:?}", Secret::new("hunter2"));
        assert!(!s.contains("hunter2"));
    }
}
