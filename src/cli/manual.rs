//! The manual pages. `landscape-tui.1` is made from the command line's own
//! definition (clap) and the dashboard's key table, so it cannot describe
//! an option or a key the program does not have; each subcommand gets its
//! own page beside it (`landscape-tui-approve.1`), as git's do.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::CommandFactory;

use super::{Cli, EXIT_CODES};
use crate::tui::keys::{HELP_CONTEXTS, Keymap, keys_text};

/// The variables the program reads, and what each one does.
const ENVIRONMENT: [(&str, &str); 11] = [
    (
        "LANDSCAPE_API_URI",
        "The server's API, e.g. https://landscape.example.com/api/ (the legacy API) or \
         .../api/v2/ (REST). With it set (and no --demo) the dashboard and the commands use \
         that server.",
    ),
    (
        "LANDSCAPE_API_KEY, LANDSCAPE_API_SECRET",
        "An access key pair: requests to the legacy API are signed with it (HMAC-SHA256), \
         and the REST API logs in with it. For serve: the pair it accepts (one is made \
         up and printed when both are unset).",
    ),
    (
        "LANDSCAPE_EMAIL, LANDSCAPE_PASSWORD",
        "A person's login for the REST API, instead of a key pair. For serve: the login it \
         accepts.",
    ),
    (
        "LANDSCAPE_API_SSL_CA_FILE",
        "A PEM file of a certificate authority to trust besides the system's.",
    ),
    (
        "LANDSCAPE_TUI_TIMEOUT",
        "Seconds one request may take, over the profile's timeout.",
    ),
    (
        "LANDSCAPE_USER_NAME",
        "serve: the logged-in person's name (default: the email's local part).",
    ),
    (
        "LANDSCAPE_ACCOUNT, LANDSCAPE_ACCOUNT_TITLE",
        "serve: the account's name and title.",
    ),
    (
        "RUST_LOG",
        "What --log writes (default landscape_tui=debug); alone, the dashboard logs to its \
         state directory.",
    ),
    (
        "NO_COLOR",
        "No colour, whatever the theme; statuses still read by their symbols.",
    ),
    (
        "TERM_PROGRAM, TERM, VTE_VERSION",
        "Read to choose how a watch notifies (notify = \"auto\").",
    ),
    (
        "HOME, XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME",
        "Where the files below are.",
    ),
];

/// The files the program reads and writes.
const FILES: [(&str, &str); 7] = [
    (
        "~/.config/landscape-tui/config.toml",
        "Profiles (servers), refresh, keys, theme, views, columns and your own commands; \
         --config names another.",
    ),
    (
        "/usr/share/doc/landscape-tui/config.example.toml",
        "Every setting, with what it does (in the Debian package; config.example.toml in the \
         source).",
    ),
    ("~/.local/share/landscape-tui/history", "The query history."),
    (
        "~/.local/share/landscape-tui/actions.jsonl",
        "The action log: what was approved, canceled, reapplied or reverted, and the answer.",
    ),
    (
        "~/.local/share/landscape-tui/watches.json",
        "Watched activities and their guards, kept across restarts.",
    ),
    (
        "~/.local/share/landscape-tui/rollouts.json",
        "The dashboard's rollouts (:rollout), kept across restarts.",
    ),
    (
        "~/.local/state/landscape-tui/",
        "Logs, when RUST_LOG is set without --log.",
    ),
];

/// Writes `landscape-tui.1`.
pub fn main_page(out: &mut dyn Write) -> io::Result<()> {
    let command = command();
    page_head(&command, out)?.render_subcommands_section(out)?;
    keys_section(out)?;
    exit_status_section(out, EXIT_CODES)?;
    writeln!(
        out,
        ".PP\nwait and rollout have their own: see \\fBlandscape\\-tui\\-wait\\fR(1) and \\fBlandscape\\-tui\\-rollout\\fR(1)."
    )?;
    pairs_section(out, "ENVIRONMENT", &ENVIRONMENT)?;
    pairs_section(out, "FILES", &FILES)?;
    let others: Vec<String> = command
        .get_subcommands()
        .map(|c| format!("\\fBlandscape\\-tui\\-{}\\fR(1)", roff(c.get_name())))
        .collect();
    writeln!(out, ".SH \"SEE ALSO\"")?;
    writeln!(out, "{}", others.join(", "))?;
    let version: Vec<String> = super::LONG_VERSION.lines().map(roff).collect();
    writeln!(out, ".SH VERSION\n{}", version.join("\n.br\n"))
}

/// Writes `landscape-tui.1` and a page per subcommand into `dir`; the
/// paths written, main page first.
pub fn write_pages(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let write = |name: String, page: &dyn Fn(&mut dyn Write) -> io::Result<()>| {
        let path = dir.join(name);
        let mut file = io::BufWriter::new(std::fs::File::create(&path)?);
        page(&mut file)?;
        file.flush()?;
        Ok::<_, io::Error>(path)
    };
    let mut written = vec![write("landscape-tui.1".to_owned(), &main_page)?];
    for sub in command().get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("landscape-tui-{}.1", sub.get_name());
        written.push(write(name, &|out| sub_page(sub, out))?);
    }
    Ok(written)
}

/// The command line as the pages describe it (`help` is not a command
/// of its own there).
fn command() -> clap::Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

/// A page's title, name, synopsis, description and options.
fn page_head(command: &clap::Command, out: &mut dyn Write) -> io::Result<clap_mangen::Man> {
    let man = clap_mangen::Man::new(command.clone())
        .date(RELEASE_DATE)
        .source(concat!("landscape-tui ", env!("CARGO_PKG_VERSION")));
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    Ok(man)
}

/// Writes a subcommand's page: its options, and its exit codes as a list.
fn sub_page(sub: &clap::Command, out: &mut dyn Write) -> io::Result<()> {
    page_head(sub, out)?;
    if let Some(codes) = sub.get_after_help() {
        exit_status_section(out, &codes.to_string())?;
    }
    writeln!(out, ".SH \"SEE ALSO\"\n\\fBlandscape\\-tui\\fR(1)")
}

/// The date a page says, the release's: a page made twice is the same page.
const RELEASE_DATE: &str = "2026-12-03";

/// The dashboard's keys, by context, as its help lists them.
fn keys_section(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, ".SH KEYS")?;
    writeln!(
        out,
        "The dashboard's default keys; a [keys] section in the config file binds others. \
         ? shows them in the dashboard, with yours."
    )?;
    let keymap = Keymap::default();
    for context in HELP_CONTEXTS {
        writeln!(out, ".SS \"{}\"", roff(context.title()))?;
        for (binding, keys) in keymap.bindings(context) {
            tagged(out, &keys_text(keys), binding.help)?;
        }
    }
    Ok(())
}

/// `EXIT_CODES` ("Exit codes: 0 done · 1 refused …") as a list.
fn exit_status_section(out: &mut dyn Write, codes: &str) -> io::Result<()> {
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    let list = codes.strip_prefix("Exit codes: ").unwrap_or(codes);
    for item in list.split(" · ") {
        let (code, meaning) = item.split_once(' ').unwrap_or((item, ""));
        tagged(out, code, meaning)?;
    }
    Ok(())
}

fn pairs_section(out: &mut dyn Write, title: &str, pairs: &[(&str, &str)]) -> io::Result<()> {
    writeln!(out, ".SH {title}")?;
    for (name, meaning) in pairs {
        tagged(out, name, meaning)?;
    }
    Ok(())
}

/// One entry of a list: `term` in bold, `text` indented beneath it.
fn tagged(out: &mut dyn Write, term: &str, text: &str) -> io::Result<()> {
    writeln!(out, ".TP\n\\fB{}\\fR\n{}", roff(term), roff(text))
}

/// `text` as roff text: backslashes and hyphens escaped, and a line never
/// starting with a control character.
fn roff(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> String {
        let mut out = Vec::new();
        main_page(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_page_has_every_command_key_and_exit_code() {
        let page = page();
        for section in [
            "NAME",
            "SYNOPSIS",
            "OPTIONS",
            "SUBCOMMANDS",
            "KEYS",
            "\"EXIT STATUS\"",
            "ENVIRONMENT",
            "FILES",
        ] {
            assert!(page.contains(&format!(".SH {section}")), "no {section}");
        }
        for sub in ["serve", "approve", "wait", "completions"] {
            assert!(
                page.contains(&format!("landscape\\-tui\\-{sub}(1)")),
                "{sub}"
            );
        }
        assert!(page.contains("\\fB5\\fR\npartly done"), "exit code 5");
        assert!(
            page.contains(".TP\n\\fBa\\fR\napprove\n"),
            "a key and its help"
        );
        assert!(!page.contains(".SH EXTRA"));
    }

    #[test]
    fn roff_text_never_starts_a_request() {
        assert_eq!(roff(".hidden"), "\\&.hidden");
        assert_eq!(roff("a-b\\c"), "a\\-b\\ec");
    }
}
