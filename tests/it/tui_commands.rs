//! The operator's own commands as the config declares them: what is
//! checked where (the line of a mistake), and what a key on a row asks
//! the runtime to run (the pty test runs them for real).

use crate::common;

use common::tui::{code, drive, feed, key, loaded, small_engine};
use landscape_tui::config::Config;
use landscape_tui::tui::event::{Command, CommandOutput, Event};
use landscape_tui::tui::settings::Settings;
use landscape_tui::tui::update::update;
use landscape_tui::tui::user_commands::Mode;
use ratatui::crossterm::event::KeyCode;

fn settings(text: &str) -> Result<Settings, String> {
    let config = Config::parse(text).map_err(|e| e.to_string())?;
    Settings::from_config(&config, false).map_err(|e| e.to_string())
}

#[test]
fn a_mistake_in_a_command_is_pointed_at_its_line() {
    let e =
        settings("\n[[commands]]\nkey = \"X\"\nname = \"ssh\"\nrun = \"ssh {computer.name}\"\n")
            .unwrap_err();
    assert!(e.contains("line 5"), "{e}");
    assert!(e.contains("no placeholder {computer.name}"), "{e}");
    assert!(
        e.contains("{computer.hostname}"),
        "names the ones there are: {e}"
    );
    let e = settings("[[commands]]\nkey = \"y\"\nname = \"x\"\nrun = \"true\"\n").unwrap_err();
    assert!(
        e.contains("line 2") && e.contains("y is the key of copy"),
        "{e}"
    );
    let e =
        settings("[[commands]]\nkey = \"X\"\nname = \"x\"\nrun = \"true\"\nmode = \"window\"\n")
            .unwrap_err();
    assert!(
        e.contains("line 5") && e.contains("no mode \"window\""),
        "{e}"
    );
    let e =
        settings("[[commands]]\nkey = \"X\"\nname = \"x\"\nrun = \"true\"\nscope = \"computer\"\n")
            .unwrap_err();
    assert!(e.contains("no scope \"computer\""), "{e}");
    let e = settings(
        "[[commands]]\nkey = \"X\"\nname = \"a\"\nrun = \"true\"\n[[commands]]\nkey = \"X\"\nname = \"b\"\nrun = \"true\"\n",
    )
    .unwrap_err();
    assert!(
        e.contains("line 6") && e.contains("command \"a\"'s key"),
        "{e}"
    );
    let e = settings("notify = \"toast\"\n").unwrap_err();
    assert!(e.contains("line 1") && e.contains("osc9"), "{e}");
}

/// The key on a child reads its computer, then asks the runtime to run
/// the words with the values in them, one argument each; what the
/// command printed is kept in the messages.
#[test]
fn a_command_runs_on_the_selected_child_with_its_computer() {
    let engine = small_engine();
    let mut app = loaded(&engine, (160, 40));
    let looks = settings(
        "[[commands]]\nkey = \"X\"\nname = \"ssh\"\nmode = \"background\"\nrun = \"ssh -l admin {computer.hostname} -- echo {summary}\"\n",
    )
    .unwrap()
    .looks;
    app.set_looks(looks);
    // The first row's children: the first is 162, on web-02.
    let cmds = feed(&mut app, [code(KeyCode::Enter)]);
    common::tui::answer(&mut app, &engine, cmds);
    let backend = common::tui::backend_of(&engine);
    let cmds = feed(&mut app, [key('X')]);
    assert!(
        matches!(
            &cmds[..],
            [Command::FetchCommandComputer { computer: 2, .. }]
        ),
        "{cmds:?}"
    );
    let rest = drive(&mut app, backend.as_ref(), cmds, |c| {
        matches!(c, Command::FetchCommandComputer { .. })
    });
    assert_eq!(
        rest,
        vec![Command::RunUserCommand {
            name: "ssh".into(),
            argv: [
                "ssh",
                "-l",
                "admin",
                "web-02.example.com",
                "--",
                "echo",
                "Restart web servers"
            ]
            .map(str::to_owned)
            .to_vec(),
            mode: Mode::Background,
        }]
    );
    update(
        &mut app,
        Event::UserCommandDone {
            name: "ssh".into(),
            result: Ok(CommandOutput {
                success: false,
                status: "exit status: 255".into(),
                stdout: String::new(),
                stderr: "ssh: connect to host web-02.example.com port 22: Connection refused\n"
                    .into(),
            }),
        },
    );
    assert_eq!(
        app.message.as_ref().unwrap().text,
        "ssh: exit status: 255: ssh: connect to host web-02.example.com port 22: Connection refused"
    );
    assert!(
        app.messages
            .iter()
            .any(|(_, _, t)| t.starts_with("ssh (err): ssh: connect"))
    );
    // On the row (a group) there is no computer: said, nothing run.
    feed(&mut app, [code(KeyCode::BackTab)]);
    let cmds = feed(&mut app, [key('X')]);
    assert!(cmds.is_empty(), "{cmds:?}");
    assert_eq!(
        app.message.as_ref().unwrap().text,
        "ssh: not run: {computer.hostname}: activity 160 has no computer"
    );
    assert!(app.dialog.is_none());
}
