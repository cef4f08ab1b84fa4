//! The `:` command line, like k9s's: what a line means, and how the word
//! being typed completes. Pure: the update step runs what it parses.

use std::path::PathBuf;

use crate::export::Format;
use crate::model::{ListSort, SortColumn};

use super::list_columns::{DEFAULT_COLUMNS, ListColumn, parse_columns};
use super::theme::THEME_NAMES;

/// A command, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum CommandLine {
    /// Connect to another profile of the config.
    Profile(String),
    /// Write what the query matches to a file, in the format its
    /// extension names.
    Export {
        path: PathBuf,
        format: Format,
    },
    Theme(String),
    Sort(ListSort),
    View(String),
    /// The action log.
    Log,
    /// Every message said, whole.
    Messages,
    /// The failures grouped by what went wrong.
    Clusters,
    /// The selected activity's computer: all its activities.
    Computer,
    /// Back from a jump.
    Back,
    /// The list's columns, in order; `None` asks which they are.
    Columns(Option<Vec<ListColumn>>),
    /// The health picture, shown or hidden.
    Health,
    /// The gauges panel, shown or hidden.
    Gauges,
    /// Watch what is picked.
    Watch,
    /// Every watch.
    Watches,
    /// Landscape 26.04's operations seen this session.
    Operations,
    /// Watch what is picked with a guard: past the threshold, cancel
    /// what has not started (asking first unless `auto`).
    Guard {
        threshold: crate::model::guard::Threshold,
        auto: bool,
    },
    /// Approve what is picked in waves, each gated on the last.
    Rollout(super::rollouts::RolloutSpec),
    /// Every rollout.
    Rollouts,
    /// Stop the operator's commands running in the background.
    Stop,
    Quit,
}

/// What names complete against.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary<'a> {
    pub profiles: &'a [String],
    pub views: Vec<&'a str>,
}

/// The commands, with what each takes, for the help and completion.
pub const COMMANDS: [(&str, &str); 21] = [
    ("sort", "COLUMN [asc|desc]"),
    ("view", "NAME"),
    ("theme", "dark|light|mono"),
    ("export", "PATH.tsv|.csv|.json"),
    ("profile", "NAME[,NAME…]"),
    ("clusters", ""),
    ("health", ""),
    ("gauges", ""),
    ("columns", "COLUMN… | default"),
    ("computer", ""),
    ("back", ""),
    ("watch", ""),
    ("watches", ""),
    ("guard", "failed>=N|failed>=N% [--auto]"),
    (
        "rollout",
        "10%,50%,100% [--gate failed<=N|N%] [--soak 10m] [--auto]",
    ),
    ("rollouts", ""),
    ("operations", ""),
    ("log", ""),
    ("messages", ""),
    ("stop", ""),
    ("q", ""),
];

/// `:rollout`'s arguments: the waves, then `--gate`, `--soak`, `--auto`.
fn rollout(rest: &str) -> Result<super::rollouts::RolloutSpec, String> {
    use crate::model::rollout::{Gate, parse_waves};
    let mut words = rest.split_whitespace();
    let waves = parse_waves(words.next().unwrap_or_default())?;
    let mut spec = super::rollouts::RolloutSpec {
        waves,
        gate: None,
        soak_seconds: 0,
        auto: false,
    };
    while let Some(word) = words.next() {
        let (flag, value) = match word.split_once('=') {
            Some((f, v)) => (f, Some(v)),
            None => (word, None),
        };
        let mut value = || {
            value
                .or_else(|| words.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag {
            "--auto" => spec.auto = true,
            "--gate" => spec.gate = Some(Gate::parse(value()?)?),
            "--soak" => spec.soak_seconds = crate::model::duration::parse(value()?)?.as_secs(),
            w => {
                return Err(format!(
                    "{w:?}: :rollout takes waves, --gate, --soak and --auto"
                ));
            }
        }
    }
    Ok(spec)
}

/// Reads a command line (without its `:`).
pub fn parse(line: &str) -> Result<CommandLine, String> {
    let line = line.trim();
    let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
    let rest = rest.trim();
    let needs = |what: &str| format!(":{word} needs {what}");
    match word {
        "q" | "quit" | "q!" => Ok(CommandLine::Quit),
        "log" => Ok(CommandLine::Log),
        "clusters" => Ok(CommandLine::Clusters),
        "computer" => Ok(CommandLine::Computer),
        "back" => Ok(CommandLine::Back),
        "health" => Ok(CommandLine::Health),
        "gauges" => Ok(CommandLine::Gauges),
        "watch" => Ok(CommandLine::Watch),
        "watches" => Ok(CommandLine::Watches),
        "operations" => Ok(CommandLine::Operations),
        "stop" => Ok(CommandLine::Stop),
        "rollouts" => Ok(CommandLine::Rollouts),
        "rollout" if rest.is_empty() => Err(needs("waves: 10%,50%,100%")),
        "rollout" => rollout(rest).map(CommandLine::Rollout),
        "guard" if rest.is_empty() => Err(needs("a threshold: failed>=3 or failed>=5%")),
        "guard" => {
            let mut threshold = None;
            let mut auto = false;
            for word in rest.split_whitespace() {
                match word {
                    "--auto" => auto = true,
                    w if threshold.is_none() => {
                        threshold = Some(crate::model::guard::Threshold::parse(w)?)
                    }
                    w => return Err(format!("{w:?}: :guard takes a threshold and --auto")),
                }
            }
            let threshold =
                threshold.ok_or_else(|| needs("a threshold: failed>=3 or failed>=5%"))?;
            Ok(CommandLine::Guard { threshold, auto })
        }
        "columns" if rest.is_empty() => Ok(CommandLine::Columns(None)),
        "columns" if rest == "default" => Ok(CommandLine::Columns(Some(DEFAULT_COLUMNS.to_vec()))),
        "columns" => parse_columns(rest.split([' ', ',']).filter(|w| !w.is_empty()))
            .map(|c| CommandLine::Columns(Some(c))),
        "messages" | "m" => Ok(CommandLine::Messages),
        "sort" => {
            let mut words = rest.split_whitespace();
            let column = words.next().ok_or_else(|| needs("a column"))?;
            let column = SortColumn::parse(column).ok_or_else(|| {
                format!(
                    "no column {column:?}; columns: {}",
                    SortColumn::ALL.map(SortColumn::name).join(", ")
                )
            })?;
            let mut sort = ListSort::by(column);
            match words.next() {
                None => {}
                Some("asc") => sort.descending = false,
                Some("desc") => sort.descending = true,
                Some(other) => return Err(format!("{other:?}: write asc or desc")),
            }
            Ok(CommandLine::Sort(sort))
        }
        "view" if rest.is_empty() => Err(needs("a view's name")),
        "view" => Ok(CommandLine::View(rest.to_owned())),
        "theme" if THEME_NAMES.contains(&rest) => Ok(CommandLine::Theme(rest.to_owned())),
        "theme" => Err(format!(
            "no theme {rest:?}; themes: {}",
            THEME_NAMES.join(", ")
        )),
        "profile" if rest.is_empty() => Err(needs("a profile's name")),
        "profile" => Ok(CommandLine::Profile(rest.to_owned())),
        "export" if rest.is_empty() => Err(needs("a file (.tsv, .csv or .json)")),
        "export" => {
            let path = PathBuf::from(expand_home(rest));
            let format = match path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("tsv") => Format::Tsv,
                Some("csv") => Format::Csv,
                Some("json") => Format::Json,
                _ => {
                    return Err(format!(
                        "{rest}: the file's extension names the format: .tsv, .csv or .json"
                    ));
                }
            };
            Ok(CommandLine::Export { path, format })
        }
        "" => Err(format!(
            "type a command: {}",
            COMMANDS.map(|(c, _)| c).join(", ")
        )),
        other => Err(format!(
            "no command {other:?}; commands: {}",
            COMMANDS.map(|(c, _)| c).join(", ")
        )),
    }
}

fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => format!("{}/{rest}", home.to_string_lossy()),
        _ => path.to_owned(),
    }
}

/// Whole lines the line typed so far can become: commands, then their
/// arguments. Prefix matches only, in a fixed order.
pub fn complete(line: &str, words: &Vocabulary) -> Vec<String> {
    let Some((command, arg)) = line.split_once(' ') else {
        return COMMANDS
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| c.starts_with(line) && *c != line)
            .map(|c| {
                if c == "q" {
                    c.to_owned()
                } else {
                    format!("{c} ")
                }
            })
            .collect();
    };
    let options: Vec<String> = match command {
        "sort" => match arg.split_once(' ') {
            None => SortColumn::ALL.map(|c| c.name().to_owned()).to_vec(),
            Some((column, _)) => ["asc", "desc"].map(|d| format!("{column} {d}")).to_vec(),
        },
        "view" => words.views.iter().map(|v| (*v).to_owned()).collect(),
        "theme" => THEME_NAMES.map(str::to_owned).to_vec(),
        // The next column name after those typed.
        "columns" => {
            let (typed, _) = arg.rsplit_once(' ').unwrap_or(("", arg));
            let named: Vec<&str> = typed.split_whitespace().collect();
            ListColumn::ALL
                .iter()
                .map(|c| c.name())
                .filter(|n| !named.contains(n))
                .map(|n| {
                    if typed.is_empty() {
                        n.to_owned()
                    } else {
                        format!("{typed} {n}")
                    }
                })
                .chain(typed.is_empty().then(|| "default".to_owned()))
                .collect()
        }
        "profile" => words.profiles.to_vec(),
        "guard" => ["failed>=3", "failed>=5%", "failed>=3 --auto"]
            .map(str::to_owned)
            .to_vec(),
        "rollout" => [
            "10%,50%,100%",
            "1,10%,100% --gate failed<=0",
            "10%,50%,100% --gate failed<=5% --soak 10m",
        ]
        .map(str::to_owned)
        .to_vec(),
        _ => Vec::new(),
    };
    let lower = arg.to_lowercase();
    options
        .into_iter()
        .filter(|o| o.to_lowercase().starts_with(&lower) && *o != arg)
        .map(|o| format!("{command} {o}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The help, the footer and the man page say `:`'s commands from the
    /// key table: each one there, so none is left out again.
    #[test]
    fn the_command_lines_help_names_every_command() {
        let help = crate::tui::keys::TABLE
            .iter()
            .find(|b| b.action == crate::tui::keys::KeyAction::Command)
            .unwrap()
            .help;
        let named: Vec<&str> = help.split(": ").nth(1).unwrap().split(", ").collect();
        for (name, _) in COMMANDS {
            assert!(named.contains(&name), ":{name} is not in the help: {help}");
        }
    }

    #[test]
    fn commands_parse_and_bad_ones_say_what_to_write() {
        assert_eq!(
            parse("sort type desc"),
            Ok(CommandLine::Sort(ListSort::by(SortColumn::Type).reversed()))
        );
        assert_eq!(
            parse("sort created"),
            Ok(CommandLine::Sort(ListSort::default()))
        );
        assert_eq!(
            parse("export /tmp/x.CSV"),
            Ok(CommandLine::Export {
                path: "/tmp/x.CSV".into(),
                format: Format::Csv
            })
        );
        assert_eq!(parse(" q "), Ok(CommandLine::Quit));
        assert!(
            parse("sort colour")
                .unwrap_err()
                .contains("columns: created, status")
        );
        assert!(
            parse("export x.xlsx")
                .unwrap_err()
                .contains(".tsv, .csv or .json")
        );
        assert!(
            parse("theme neon")
                .unwrap_err()
                .contains("dark, light, mono")
        );
        assert!(parse("frobnicate").unwrap_err().contains("commands: sort"));
    }

    #[test]
    fn completion_offers_commands_then_their_arguments() {
        let profiles = vec!["prod".to_owned(), "staging".to_owned()];
        let words = Vocabulary {
            profiles: &profiles,
            views: vec!["Needs approval", "Failed today"],
        };
        assert_eq!(complete("so", &words), ["sort "]);
        assert_eq!(complete("", &words).len(), COMMANDS.len());
        assert_eq!(complete("sort t", &words), ["sort type"]);
        assert_eq!(
            complete("sort type ", &words),
            ["sort type asc", "sort type desc"]
        );
        assert_eq!(complete("view f", &words), ["view Failed today"]);
        assert_eq!(
            complete("profile ", &words),
            ["profile prod", "profile staging"]
        );
        assert_eq!(complete("theme l", &words), ["theme light"]);
    }
}
