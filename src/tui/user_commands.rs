//! The operator's own commands on a row (`[[commands]]`, as k9s's
//! plugins): a key, a template of words with placeholders, and how it
//! runs. Each word of the template is one argument and a placeholder's
//! value stays inside its word, so a summary with spaces, quotes or `;`
//! reaches the program as it is; only `shell = true` hands the line to
//! `sh -c`, and then every value is quoted. Pure: the runtime runs what
//! [`UserCommand::argv`] says.
//!
//! Values come from servers and fleets no one here controls, so they are
//! data, never options or code: a value that would start an argument
//! with `-` is refused (unless `--` comes first), and a word that a shell
//! reads (the script of `sh -c`, the remote command of `ssh HOST …`) gets
//! its values quoted for that shell, or the template is refused when a
//! value sits inside that script's own quotes.

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

/// Who reads a word of the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    /// The program, as one argument.
    Program,
    /// A shell: the script of `sh -c`, or `ssh HOST`'s remote command,
    /// which the remote user's shell parses.
    Shell,
}

/// Programs that are shells (their `-c` script is code).
const SHELLS: [&str; 9] = [
    "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "busybox",
];
/// `ssh`'s options that take an argument (`ssh -l user host`).
const SSH_ARGUMENT_OPTIONS: &str = "BbcDEeFIiJLlmOoPpQRSWw";

#[derive(Debug, Clone, PartialEq)]
pub struct UserCommand {
    pub key: Chord,
    pub name: String,
    /// The template as written, for the help and the confirmation.
    pub run: String,
    words: Vec<Vec<Piece>>,
    readers: Vec<Reader>,
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
        let readers = readers(&words, shell)?;
        Ok(UserCommand {
            key,
            name: name.to_owned(),
            run: run.to_owned(),
            words,
            readers,
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
        // Options end at `--`: after it a value may start with `-`.
        let mut options_end = false;
        let mut out = Vec::with_capacity(self.words.len());
        for (pieces, reader) in self.words.iter().zip(&self.readers) {
            let quote = self.shell || *reader == Reader::Shell;
            let mut word = String::new();
            let mut at_start = true;
            for p in pieces {
                match p {
                    Piece::Text(t) => {
                        word.push_str(t);
                        at_start = *reader == Reader::Shell
                            && t.ends_with(|c: char| c.is_ascii_whitespace());
                    }
                    Piece::Value(name) => {
                        let value = values.get(name)?;
                        let starts = at_start || word.is_empty();
                        if starts && value.starts_with('-') && (quote || !options_end) {
                            return Err(format!(
                                "not run: {{{name}}} is {:?}, which would be read as an option; a value from the server never is (put -- before it in run if the program takes one)",
                                printable(&value)
                            ));
                        }
                        if quote {
                            word.push_str(&shell_quote(&value));
                        } else {
                            word.push_str(&value);
                        }
                        at_start = false;
                    }
                }
            }
            if *reader == Reader::Program && !self.shell && word == "--" {
                options_end = true;
            }
            out.push(word);
        }
        if self.shell {
            return Ok(vec!["sh".into(), "-c".into(), out.join(" ")]);
        }
        Ok(out)
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

/// Who reads each word: a shell for the script of `sh -c` and for the
/// remote command of `ssh HOST …` (also behind a wrapper such as `sudo`
/// or `env`), the program otherwise. A value inside that script's own
/// quotes could close them, so that is refused, as is a shell inside
/// `shell = true` (two shells would read the value).
fn readers(words: &[Vec<Piece>], shell: bool) -> Result<Vec<Reader>, String> {
    let mut readers = vec![Reader::Program; words.len()];
    let text = |w: &[Piece]| match w {
        [Piece::Text(t)] => Some(t.clone()),
        _ => None,
    };
    let base = |w: &[Piece]| text(w).map(|t| t.rsplit('/').next().unwrap_or_default().to_owned());
    let Some(at) = words
        .iter()
        .position(|w| base(w).is_some_and(|b| b == "ssh" || SHELLS.contains(&b.as_str())))
    else {
        return Ok(readers);
    };
    let has_value = |w: &[Piece]| w.iter().any(|p| matches!(p, Piece::Value(_)));
    let program = base(&words[at]).unwrap_or_default();
    let mut script = Vec::new();
    if program == "ssh" {
        let mut i = at + 1;
        while let Some(t) = words.get(i).and_then(|w| text(w)) {
            if t == "--" {
                i += 1;
                break;
            }
            if !t.starts_with('-') {
                break;
            }
            let takes = t.len() == 2 && SSH_ARGUMENT_OPTIONS.contains(&t[1..]);
            i += if takes { 2 } else { 1 };
        }
        // words[i] is the destination; the rest is the remote command.
        script.extend(i + 1..words.len());
    } else if let Some(c) = (at + 1..words.len()).find(|&i| {
        text(&words[i])
            .is_some_and(|t| t.starts_with('-') && !t.starts_with("--") && t.contains('c'))
    }) {
        script.extend((c + 1 < words.len()).then_some(c + 1));
    }
    for i in script {
        if !has_value(&words[i]) {
            readers[i] = Reader::Shell;
            continue;
        }
        if shell {
            return Err(format!(
                "a value in what {program} hands to a shell would be read by two shells with shell = true; set shell = false (values are then quoted for {program}'s shell)"
            ));
        }
        inside_quotes(&words[i]).map_or(Ok(()), |name| {
            Err(format!(
                "{{{name}}} is inside quotes of the script {program} runs, where a value could close them; leave the quoting to landscape-tui (it quotes every value for that shell)"
            ))
        })?;
        readers[i] = Reader::Shell;
    }
    Ok(readers)
}

/// The first placeholder that a shell would read inside quotes of the
/// word's own text.
fn inside_quotes(word: &[Piece]) -> Option<&'static str> {
    let (mut single, mut double, mut escaped) = (false, false, false);
    for p in word {
        match p {
            Piece::Value(name) if single || double => return Some(name),
            Piece::Value(_) => {}
            Piece::Text(t) => {
                for c in t.chars() {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' if !single => escaped = true,
                        '\'' if !double => single = !single,
                        '"' if !single => double = !double,
                        _ => {}
                    }
                }
            }
        }
    }
    None
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
