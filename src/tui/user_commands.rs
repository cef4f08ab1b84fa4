//! The operator's own commands on a row (`[[commands]]`, as k9s's
//! plugins): a key, a template of words with placeholders, and how it
//! runs. Each word of the template is one argument and a placeholder's
//! value stays inside its word, so a summary with spaces, quotes or `;`
//! reaches the program as it is; only `shell = true` hands the line to
//! `sh -c`, and then every value is quoted. Pure: the runtime runs what
//! [`UserCommand::argv`] says.

use crate::model::{Activity, Computer};
use crate::printable::printable;

use super::keys::Chord;

/// A placeholder's name, as written between braces.
pub const PLACEHOLDERS: [&str; 9] = [
    "id",
    "parent_id",
    "computer.id",
    "computer.hostname",
    "computer.title",
    "computer.ip",
    "summary",
    "query",
    "url",
];

/// What a command may run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandScope {
    /// Any activity: a row or a child.
    Activity,
    /// A child of a group (one computer's part).
    Child,
    /// A group (ActivityGroup).
    Group,
}

impl CommandScope {
    pub const NAMES: [&str; 3] = ["activity", "child", "group"];

    pub fn parse(name: &str) -> Result<CommandScope, String> {
        match name {
            "activity" => Ok(CommandScope::Activity),
            "child" => Ok(CommandScope::Child),
            "group" => Ok(CommandScope::Group),
            other => Err(format!(
                "no scope {other:?}; one of: {}",
                Self::NAMES.join(", ")
            )),
        }
    }

    /// Why `a` is not for this scope, if it is not.
    pub fn refuses(self, a: &Activity) -> Option<&'static str> {
        match self {
            CommandScope::Activity => None,
            CommandScope::Child if a.parent().is_none() => Some("it runs on a child of a group"),
            CommandScope::Group if !a.is_parent() => Some("it runs on a group"),
            _ => None,
        }
    }
}

/// How it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The dashboard hands it the terminal and takes it back after.
    Terminal,
    /// Beside the dashboard; its output goes to the messages.
    Background,
}

/// One word of a template: text and placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Value(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
pub struct UserCommand {
    pub key: Chord,
    pub name: String,
    /// The template as written, for the help and the confirmation.
    pub run: String,
    words: Vec<Vec<Piece>>,
    pub scope: CommandScope,
    pub confirm: bool,
    pub mode: Mode,
    pub shell: bool,
}

/// The values a template's placeholders take for one activity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values {
    pub id: u64,
    pub parent_id: Option<u64>,
    pub computer: Option<Computer>,
    pub summary: String,
    pub query: String,
    /// The activity in Landscape's web UI, when there is a server.
    pub url: Option<String>,
}

impl Values {
    fn get(&self, name: &str) -> Result<String, String> {
        let computer = |what: &str| {
            self.computer
                .as_ref()
                .ok_or_else(|| format!("{{{name}}}: activity {} has no computer", self.id))
                .map(|c| match what {
                    "id" => c.id.to_string(),
                    "hostname" => c.hostname.clone(),
                    "title" => c.title.clone(),
                    _ => c.ips.first().cloned().unwrap_or_default(),
                })
        };
        Ok(match name {
            "id" => self.id.to_string(),
            "parent_id" => self
                .parent_id
                .map(|p| p.to_string())
                .ok_or_else(|| format!("{{parent_id}}: activity {} has no parent", self.id))?,
            "computer.id" => computer("id")?,
            "computer.hostname" => computer("hostname")?,
            "computer.title" => computer("title")?,
            "computer.ip" => computer("ip")?,
            "summary" => self.summary.clone(),
            "query" => self.query.clone(),
            _ => self
                .url
                .clone()
                .ok_or("{url}: the demo engine has no web UI (a server has)")?,
        })
    }
}

impl UserCommand {
    /// Reads a `[[commands]]` entry (its `run` checked here: an unknown
    /// placeholder or an open quote is an error the config points at).
    pub fn new(
        key: Chord,
        name: &str,
        run: &str,
        scope: CommandScope,
        confirm: bool,
        mode: Mode,
        shell: bool,
    ) -> Result<UserCommand, String> {
        let words = split_words(run)?
            .iter()
            .map(|w| template(w))
            .collect::<Result<Vec<_>, _>>()?;
        if words.is_empty() {
            return Err("run is empty: write the program and its arguments".into());
        }
        Ok(UserCommand {
            key,
            name: name.to_owned(),
            run: run.to_owned(),
            words,
            scope,
            confirm,
            mode,
            shell,
        })
    }

    /// Whether the template names the computer (its record is read first).
    pub fn needs_computer(&self) -> bool {
        self.words
            .iter()
            .flatten()
            .any(|p| matches!(p, Piece::Value(n) if n.starts_with("computer.")))
    }

    /// The program and its arguments for `values`: each word one
    /// argument; with `shell`, `sh -c` and the line with every value quoted.
    pub fn argv(&self, values: &Values) -> Result<Vec<String>, String> {
        let word = |pieces: &[Piece], quote: bool| -> Result<String, String> {
            let mut out = String::new();
            for p in pieces {
                match p {
                    Piece::Text(t) => out.push_str(t),
                    Piece::Value(name) if quote => out.push_str(&shell_quote(&values.get(name)?)),
                    Piece::Value(name) => out.push_str(&values.get(name)?),
                }
            }
            Ok(out)
        };
        if self.shell {
            let line = self
                .words
                .iter()
                .map(|w| word(w, true))
                .collect::<Result<Vec<_>, _>>()?
                .join(" ");
            return Ok(vec!["sh".into(), "-c".into(), line]);
        }
        self.words.iter().map(|w| word(w, false)).collect()
    }
}

/// The command line as the confirmation shows it (each argument quoted
/// where it needs to be, control characters made visible).
pub fn shown(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_alphanumeric() || "-_./:@=,+%".contains(c))
            {
                printable(a).into_owned()
            } else {
                printable(&shell_quote(a)).into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `'…'` with each `'` written `'\''`.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Splits a line into words as a shell would (spaces between words,
/// `'…'` and `"…"` quote, `\` escapes), without running one.
fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err("a ' is not closed".into()),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c) => w.push(c),
                            None => return Err("a \" is not closed".into()),
                        },
                        Some(c) => w.push(c),
                        None => return Err("a \" is not closed".into()),
                    }
                }
            }
            '\\' => match chars.next() {
                Some(c) => word.get_or_insert_with(String::new).push(c),
                None => return Err("the line ends with \\".into()),
            },
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

/// A word's text and placeholders; `{{` and `}}` are braces.
fn template(word: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = word;
    while let Some(i) = rest.find(['{', '}']) {
        text.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            text.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('}') {
            return Err(format!(
                "{word:?}: a }} without its {{ (write }}}} for a brace)"
            ));
        }
        let end = tail
            .find('}')
            .ok_or_else(|| format!("{word:?}: a {{ is not closed"))?;
        let name = &tail[1..end];
        let known = PLACEHOLDERS.iter().find(|p| **p == name).ok_or_else(|| {
            format!(
                "no placeholder {{{name}}}; placeholders: {}",
                PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(" ")
            )
        })?;
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut text)));
        }
        pieces.push(Piece::Value(known));
        rest = &tail[end + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() || pieces.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// The activity in Landscape's web UI on the server `label` names (its
/// API's URL): its Activities page searched for the id. `None` for the
/// demo engine.
pub fn web_ui_url(label: &str, embedded: bool, id: u64) -> Option<String> {
    if embedded {
        return None;
    }
    let (scheme, rest) = label.split_once("://")?;
    let host = rest.split('/').next().filter(|h| !h.is_empty())?;
    Some(format!(
        "{scheme}://{host}/new_dashboard/activities?search=id%3A{id}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(run: &str, shell: bool) -> UserCommand {
        UserCommand::new(
            Chord::parse("S").unwrap(),
            "test",
            run,
            CommandScope::Activity,
            false,
            Mode::Background,
            shell,
        )
        .unwrap()
    }

    fn values() -> Values {
        Values {
            id: 7,
            parent_id: Some(3),
            summary: "it's \"quoted\"; rm -rf / $(x)".into(),
            ..Values::default()
        }
    }

    #[test]
    fn a_placeholder_stays_inside_its_word() {
        let c = command(
            "printf '%s|' {id} --summary={summary} \"{parent_id} x\"",
            false,
        );
        assert_eq!(
            c.argv(&values()).unwrap(),
            vec![
                "printf",
                "%s|",
                "7",
                "--summary=it's \"quoted\"; rm -rf / $(x)",
                "3 x"
            ]
        );
    }

    #[test]
    fn through_a_shell_every_value_is_quoted() {
        let c = command("echo {summary} {{literal}}", true);
        let argv = c.argv(&values()).unwrap();
        assert_eq!(argv[..2], ["sh", "-c"]);
        assert_eq!(
            argv[2],
            r#"echo 'it'\''s "quoted"; rm -rf / $(x)' {literal}"#
        );
    }

    #[test]
    fn mistakes_are_named() {
        let new = |run: &str| {
            UserCommand::new(
                Chord::parse("S").unwrap(),
                "x",
                run,
                CommandScope::Activity,
                false,
                Mode::Terminal,
                false,
            )
        };
        assert!(
            new("ssh {computer.name}")
                .unwrap_err()
                .contains("no placeholder {computer.name}")
        );
        assert!(new("echo 'open").unwrap_err().contains("not closed"));
        assert!(new("echo {id").unwrap_err().contains("not closed"));
        assert!(new("  ").unwrap_err().contains("empty"));
        let c = new("ssh {computer.hostname}").unwrap();
        assert!(c.needs_computer());
        assert!(c.argv(&values()).unwrap_err().contains("has no computer"));
        assert!(
            new("open {url}")
                .unwrap()
                .argv(&values())
                .unwrap_err()
                .contains("no web UI")
        );
    }

    #[test]
    fn the_web_ui_url_is_on_the_servers_host() {
        assert_eq!(
            web_ui_url("https://landscape.example.com/api/", false, 42).as_deref(),
            Some("https://landscape.example.com/new_dashboard/activities?search=id%3A42")
        );
        assert_eq!(web_ui_url("DEMO", true, 42), None);
    }
}
