//! The operator's own commands as the config declares them: what is
//! checked where (the line of a mistake), and what a key on a row asks
//! the runtime to run (the pty test runs them for real).

use crate::common;
use crate::common::tui::said;

use common::tui::{code, drive, feed, key, loaded, small_engine};
use landscape_tui::config::Config;
use landscape_tui::settings::Settings;
use landscape_tui::tui::event::{Call, Command, CommandOutput, Effect, Event};
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
    app.prefs.set_looks(looks);
    // The first row's children: the first is 162, on web-02.
    let cmds = feed(&mut app, [code(KeyCode::Enter)]);
    common::tui::answer(&mut app, &engine, cmds);
    let backend = common::tui::backend_of(&engine);
    let cmds = feed(&mut app, [key('X')]);
    assert!(
        matches!(
            &cmds[..],
            [Command::Call(Call::FetchCommandComputer {
                computer: 2,
                ..
            })]
        ),
        "{cmds:?}"
    );
    let rest = drive(&mut app, backend.as_ref(), cmds, |c| {
        matches!(c, Command::Call(Call::FetchCommandComputer { .. }))
    });
    assert_eq!(
        rest,
        vec![Command::Effect(Effect::RunUserCommand {
            name: "ssh".into(),
            argv: [
                "ssh",
                "-l",
                "admin",
                "web-02.example.com",
                "--",
                "echo",
                // The remote shell reads the words after the host: the
                // value is quoted for it.
                "'Restart web servers'"
            ]
            .map(str::to_owned)
            .to_vec(),
            mode: Mode::Background,
        })]
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
                dropped: 0,
            }),
        },
    );
    assert_eq!(
        said(&app),
        "ssh: exit status: 255: ssh: connect to host web-02.example.com port 22: Connection refused"
    );
    assert!(
        app.status
            .messages
            .iter()
            .any(|(_, _, t)| t.starts_with("ssh (err): ssh: connect"))
    );
    // On the row (a group) there is no computer: said, nothing run.
    feed(&mut app, [code(KeyCode::BackTab)]);
    let cmds = feed(&mut app, [key('X')]);
    assert!(cmds.is_empty(), "{cmds:?}");
    assert_eq!(
        said(&app),
        "ssh: not run: {computer.hostname}: activity 160 has no computer"
    );
    assert!(app.dialog.is_none());
}

/// Server values are data: a hostname that would be an option of ssh
/// (`-oProxyCommand=…`) is refused; a title with `$(…)` inside an
/// `sh -c` script is run by a real `sh` as text, not code; a value
/// inside the script's own quotes, or a shell inside `shell = true`, is
/// refused when the config is read.
#[test]
fn server_values_are_never_options_or_code() {
    use landscape_tui::model::Computer;
    use landscape_tui::tui::keys::Chord;
    use landscape_tui::tui::user_commands::{CommandScope, UserCommand, Values};
    let dir = tempfile::tempdir().unwrap();
    let pwned = dir.path().join("pwned");
    let new = |run: &str, shell: bool| {
        UserCommand::new(
            Chord::parse("X").unwrap(),
            "x",
            run,
            CommandScope::Activity,
            false,
            Mode::Background,
            shell,
        )
    };
    let mut computer = Computer::new(7, "kiosk");
    computer.hostname = format!("-oProxyCommand=touch {}", pwned.display());
    computer.title = format!("$(touch {})", pwned.display());
    let values = Values {
        id: 9,
        computer: Some(computer),
        summary: "-rf /".into(),
        ..Values::default()
    };
    let refused = new("ssh {computer.hostname} true", false)
        .unwrap()
        .argv(&values)
        .unwrap_err();
    assert!(refused.contains("would be read as an option"), "{refused}");
    let refused = new("curl {computer.hostname}", true)
        .unwrap()
        .argv(&values)
        .unwrap_err();
    assert!(refused.contains("option"), "{refused}");
    // After `--` a program takes it as an operand.
    let argv = new("grep -- {summary} /dev/null", false)
        .unwrap()
        .argv(&values)
        .unwrap();
    assert_eq!(argv, ["grep", "--", "-rf /", "/dev/null"]);

    // The script of sh -c gets the title quoted for it: a real sh writes
    // the text and runs nothing.
    let out = dir.path().join("title");
    let argv = new(
        &format!("sh -c 'echo {{computer.title}} > {}'", out.display()),
        false,
    )
    .unwrap()
    .argv(&values)
    .unwrap();
    let status = std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(!pwned.exists(), "the title ran as code");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap().trim(),
        format!("$(touch {})", pwned.display())
    );
    // ssh's remote command is read by the remote shell: quoted too.
    let argv = new("ssh -p 22 admin@host echo {computer.title}", false)
        .unwrap()
        .argv(&values)
        .unwrap();
    assert_eq!(
        argv.last().unwrap(),
        &format!("'$(touch {})'", pwned.display())
    );
    // … and a value at the start of one of its words is an option there.
    assert!(
        new("ssh host rm {summary}", false)
            .unwrap()
            .argv(&values)
            .unwrap_err()
            .contains("option")
    );

    // Refused when read: a value inside the script's own quotes, a
    // shell inside shell = true.
    let e = new("bash -c 'echo \"{summary}\"'", false).unwrap_err();
    assert!(e.contains("inside quotes"), "{e}");
    let e = new("sudo sh -c 'echo {summary}'", true).unwrap_err();
    assert!(e.contains("two shells"), "{e}");
    let e = new("ssh host echo {summary}", true).unwrap_err();
    assert!(e.contains("two shells"), "{e}");
}

/// A background command that never stops talking (`yes`) keeps what the
/// limit allows, counts the rest and is stopped at its time limit; one
/// `:stop` reaches is stopped at once. Memory stays bounded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_background_command_is_bounded_and_stoppable() {
    use landscape_tui::tui::capture::{Limits, run};
    use std::time::Duration;
    let limits = Limits {
        keep: 4096,
        timeout: Duration::from_millis(700),
    };
    let (_stop, rx) = tokio::sync::watch::channel(0u64);
    let argv = ["yes".to_owned(), "a long summary".to_owned()];
    let out = run(&argv, limits, rx).await.unwrap();
    assert!(!out.success);
    assert!(out.status.contains("time limit"), "{}", out.status);
    assert_eq!(out.stdout.len(), 4096);
    assert!(out.dropped > 100_000, "{}", out.dropped);

    let (stop, rx) = tokio::sync::watch::channel(0u64);
    let long = Limits {
        keep: 4096,
        timeout: Duration::from_secs(60),
    };
    let task =
        tokio::spawn(async move { run(&["sleep".to_owned(), "30".to_owned()], long, rx).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send_modify(|n| *n += 1);
    let out = task.await.unwrap().unwrap();
    assert!(out.status.contains(":stop"), "{}", out.status);
}
