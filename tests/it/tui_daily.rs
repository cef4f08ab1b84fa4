//! An operator's daily comforts, through the pure update and the drawn
//! screen: sort, saved views, themes (mono / NO_COLOR), zoom with search,
//! the `:` command line and export.

use landscape_tui::backend::BackendInfo;
use landscape_tui::model::{ListSort, SortColumn};
use landscape_tui::tui::app::App;
use landscape_tui::tui::event::{Call, Command, Effect};
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;

use crate::common;

use common::tui::{
    answer, code, command, draw, feed, key, loaded, said, screen, small_engine as engine,
};

fn ids(app: &App) -> Vec<u64> {
    app.list.rows.iter().map(|a| a.id).collect()
}

/// The rows' statuses as Landscape names them.
fn statuses(app: &App) -> Vec<String> {
    app.list
        .rows
        .iter()
        .map(|a| a.status().unwrap().as_str().to_owned())
        .collect()
}

/// The heading line of the list.
fn heading(s: &str) -> String {
    s.lines()
        .find(|l| l.contains("status") && l.contains("summary"))
        .unwrap_or("")
        .to_owned()
}

#[test]
fn s_cycles_the_sort_column_and_capital_s_reverses_it() {
    let e = engine();
    let mut app = loaded(&e, (160, 45));
    assert!(heading(&screen(&draw(&app))).contains("created ▼"));
    let newest_first = ids(&app);

    // s: by status, what needs attention first (failed, unapproved, …),
    // over every row the engine has.
    let cmds = feed(&mut app, [key('s')]);
    assert!(cmds.iter().any(|c| matches!(
        c,
        Command::Call(Call::FetchList { sort, offset: 0, .. }) if *sort == ListSort::by(SortColumn::Status)
    )));
    answer(&mut app, &e, cmds);
    let mut sorted = statuses(&app);
    let rank = |s: &str| landscape_tui::model::ActivityStatus::from_wire(s).attention();
    sorted.sort_by_key(|s| rank(s));
    assert_eq!(statuses(&app), sorted);
    assert_eq!(sorted[0], "failed");
    let s = screen(&draw(&app));
    assert!(heading(&s).contains("status ▲"), "{s}");
    assert!(!heading(&s).contains("created ▼"), "{s}");
    assert_eq!(app.list.selected, 0);

    // S: the other way.
    let cmds = feed(&mut app, [key('S')]);
    answer(&mut app, &e, cmds);
    let mut reversed = sorted.clone();
    reversed.reverse();
    assert_eq!(statuses(&app), reversed);
    assert!(heading(&screen(&draw(&app))).contains("status ▼"));

    // Through type, summary, children and computers back to created.
    for column in ["type ▲", "summary ▲", "children ▼", "comp. ▼", "created ▼"] {
        let cmds = feed(&mut app, [key('s')]);
        answer(&mut app, &e, cmds);
        let s = screen(&draw(&app));
        assert!(heading(&s).contains(column), "{column}\n{s}");
    }
    assert_eq!(ids(&app), newest_first);
}

#[test]
fn a_server_sorts_by_time_only_so_other_columns_sort_the_loaded_rows_and_say_so() {
    let e = engine();
    let mut app = loaded(&e, (160, 45));
    app.backend = BackendInfo {
        label: "https://landscape.example.com".into(),
        embedded: false,
        sends_action_flags: true,
        sorts_every_column: false,
        unverified_tls: false,
        servers: Vec::new(),
    };
    feed(&mut app, [key('s'), key('s')]);
    let message = said(&app).to_owned();
    assert!(message.contains("sorted by type ▲"), "{message}");
    assert!(message.contains("loaded rows only"), "{message}");
    // The server is asked for its own order; the rows are sorted here.
    let mut app = loaded(&e, (160, 45));
    app.backend.sorts_every_column = false;
    feed(&mut app, [key('s')]);
    let cmds = feed(&mut app, [key('s')]);
    assert!(cmds.iter().any(
        |c| matches!(c, Command::Call(Call::FetchList { sort, .. }) if *sort == ListSort::default())
    ));
    answer(&mut app, &e, cmds);
    assert!(app.list.sorted_locally);
    let types: Vec<String> = app
        .list
        .rows
        .iter()
        .map(|a| a.activity_type.to_string())
        .collect();
    let mut sorted = types.clone();
    sorted.sort();
    assert_eq!(types, sorted);
    assert!(heading(&screen(&draw(&app))).contains("type ▲"));
}

#[test]
fn view_keys_apply_their_query_and_name_the_list() {
    let e = engine();
    let mut app = loaded(&e, (160, 45));
    let cmds = feed(&mut app, [key('1')]);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Call(Call::FetchList { query, .. }) if query == "status:unapproved"))
    );
    answer(&mut app, &e, cmds);
    assert_eq!(app.query.editor.text(), "status:unapproved");
    let s = screen(&draw(&app));
    assert!(s.contains("┌ Needs approval: 1 row of 7"), "{s}");
    // Typing another query leaves the view.
    feed(&mut app, [key('/'), code(KeyCode::Backspace)]);
    let cmds = feed(&mut app, [key('d'), code(KeyCode::Enter)]);
    answer(&mut app, &e, cmds);
    let s = screen(&draw(&app));
    assert!(!s.contains("Needs approval"), "{s}");
    assert!(s.contains("┌ Activities"), "{s}");
    // 4: everything.
    let cmds = feed(&mut app, [key('4')]);
    answer(&mut app, &e, cmds);
    assert_eq!(app.query.applied, "");
    assert!(screen(&draw(&app)).contains("┌ Everything: 7 rows"));
}

#[test]
fn failed_today_counts_from_the_operators_midnight() {
    let e = engine();
    let mut app = loaded(&e, (160, 45));
    let cmds = feed(&mut app, [key('3')]);
    let today = app.clock.now.format("%Y-%m-%dT00:00").to_string();
    assert!(
        cmds.iter().any(|c| matches!(
            c,
            Command::Call(Call::FetchList { query, .. }) if *query == format!("status:failed created-after:{today}")
        )),
        "{cmds:?}"
    );
}

/// Every cell of `app` drawn has no colour, foreground or background.
fn colourless(app: &App) -> Result<(), String> {
    let t = draw(app);
    let b = t.backend().buffer();
    for y in 0..b.area.height {
        for x in 0..b.area.width {
            let c = b.cell((x, y)).unwrap();
            if c.fg != Color::Reset || c.bg != Color::Reset {
                return Err(format!(
                    "({x}, {y}) {:?} has {:?} on {:?}\n{}",
                    c.symbol(),
                    c.fg,
                    c.bg,
                    screen(&t)
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn mono_and_no_color_draw_without_any_colour() {
    use landscape_tui::tui::Looks;
    use landscape_tui::tui::app::Dialog;
    let e = engine();
    for looks in [
        Looks {
            theme_name: "mono".into(),
            ..Looks::default()
        },
        // NO_COLOR wins over a colour theme and colour overrides.
        Looks {
            theme_name: "light".into(),
            theme_styles: vec![(
                "selected".into(),
                toml::from_str("fg = \"black\"\nbg = \"cyan\"\nbold = true").unwrap(),
            )],
            no_color: true,
            views: vec![],
            columns: vec![],
            commands: vec![],
        },
    ] {
        let mut app = loaded(&e, (160, 45));
        app.prefs.set_looks(looks);
        colourless(&app).unwrap();
        feed(&mut app, [key('/')]);
        common::tui::typed(&mut app, "status:faild");
        colourless(&app).unwrap();
        feed(&mut app, [code(KeyCode::Esc)]);
        app.dialog = Some(Dialog::Help(landscape_tui::tui::dialogs::Help {
            scroll: 0,
        }));
        colourless(&app).unwrap();
        app.dialog = None;
        feed(&mut app, [code(KeyCode::Tab), code(KeyCode::Tab)]);
        colourless(&app).unwrap();
    }
    // The dark theme does use colour (the check can fail).
    assert!(colourless(&loaded(&e, (160, 45))).is_err());
}

/// A script's output: 60 lines, one far too long for the pane, a match
/// near the end.
fn script_output() -> String {
    let mut text = String::new();
    for i in 0..60 {
        if i == 45 {
            text.push_str("ERROR: disk full on /var\n");
        } else if i == 10 {
            text.push_str(&"word ".repeat(60));
            text.push('\n');
        } else {
            text.push_str(&format!("step {i} ok\n"));
        }
    }
    text
}

/// The app at 80×24 with row 120 (a standalone activity) selected and
/// the script output as its result.
fn with_script_output() -> App {
    let e = engine();
    let mut app = loaded(&e, (80, 24));
    let row = app.list.rows.iter().position(|a| a.id == 120).unwrap();
    app.list.rows[row].result_text = landscape_tui::model::Field::Value(script_output().into());
    for _ in 0..row {
        let cmds = feed(&mut app, [key('j')]);
        answer(&mut app, &e, cmds);
    }
    assert_eq!(app.list.selected_row().unwrap().id, 120);
    app
}

/// `j` in the zoomed detail stops with the last line at the bottom: no
/// blank panes past the end (issue 42).
#[test]
fn the_zoomed_detail_scrolls_to_its_last_line_and_no_further() {
    let mut app = with_script_output();
    feed(&mut app, [code(KeyCode::Tab), code(KeyCode::Tab), key('z')]);
    let last = landscape_tui::tui::layout::detail_last_scroll(&app);
    assert!(last > 5, "{last}");
    for _ in 0..(usize::from(last) + 40) {
        feed(&mut app, [key('j')]);
    }
    assert_eq!(app.detail.scroll, last);
    let s = screen(&draw(&app));
    let lines = landscape_tui::tui::layout::detail_text_lines(&app);
    let end = lines.iter().rev().find(|l| !l.trim().is_empty()).unwrap();
    assert!(s.contains(end.trim()), "the last line shown: {s}");
    // The text view's last line is on the pane's last row.
    let rows: Vec<&str> = s.lines().collect();
    let bottom = rows.iter().rposition(|r| r.contains(end.trim())).unwrap();
    assert!(rows[bottom + 1].contains('└'), "{s}");
    feed(&mut app, [key('k')]);
    assert_eq!(app.detail.scroll, last - 1, "k comes back at once");
}

#[test]
fn zoomed_detail_wraps_the_result_and_finds_in_it() {
    let mut app = with_script_output();
    feed(&mut app, [code(KeyCode::Tab), code(KeyCode::Tab), key('z')]);
    assert!(app.screen.zoomed);
    let s = screen(&draw(&app));
    assert!(s.contains("Activity 120 · Esc back"), "{s}");
    assert!(s.contains("Summary        Install package htop"), "{s}");
    assert!(s.contains("Status         succeeded"), "{s}");
    // Nothing is cut at the pane's edge: the long line wraps.
    let lines = landscape_tui::tui::layout::detail_text_lines(&app);
    let width = landscape_tui::tui::layout::detail_text_width(&app);
    assert!(
        lines.iter().all(|l| l.chars().count() <= width),
        "{lines:?}"
    );
    assert!(lines.iter().filter(|l| l.starts_with("word word")).count() > 3);
    assert!(!s.contains("ERROR: disk full"));

    // f types the search; the view jumps to the match as it is typed.
    feed(&mut app, [key('f')]);
    common::tui::typed(&mut app, "DISK full");
    let s = screen(&draw(&app));
    assert!(s.contains("/DISK full"), "{s}");
    feed(&mut app, [code(KeyCode::Enter)]);
    assert!(app.prompt.kind.is_none());
    let s = screen(&draw(&app));
    assert!(s.contains("ERROR: disk full on /var"), "{s}");
    assert!(s.contains("\"DISK full\": 1 matching line "), "{s}");
    // The match is marked.
    let t = draw(&app);
    let b = t.backend().buffer();
    let (x, y) = (0..b.area.height)
        .flat_map(|y| (0..b.area.width).map(move |x| (x, y)))
        .find(|&(x, y)| {
            b.cell((x, y)).unwrap().symbol() == "d"
                && b.cell((x + 1, y)).unwrap().symbol() == "i"
                && b.cell((x + 2, y)).unwrap().symbol() == "s"
                && b.cell((x + 3, y)).unwrap().symbol() == "k"
        })
        .unwrap();
    assert_eq!(
        b.cell((x, y)).unwrap().style().bg,
        app.prefs.theme.search_match.bg
    );

    // "step" is on many lines: n walks forward, N back, and it wraps.
    feed(&mut app, [key('f')]);
    for _ in 0.."DISK full".len() {
        feed(&mut app, [code(KeyCode::Backspace)]);
    }
    common::tui::typed(&mut app, "step 5");
    feed(&mut app, [code(KeyCode::Enter)]);
    // From where the view is (the error line): "step 50" is the next.
    let first = app.detail.search_at.unwrap();
    let text = said(&app).to_owned();
    assert!(text.contains("\"step 5\": match 2 of 11"), "{text}");
    assert!(landscape_tui::tui::layout::detail_text_lines(&app)[first].contains("step 50"));
    // On screen: the match is the scroll's top or below it.
    assert!(usize::from(app.detail.scroll) <= first);
    feed(&mut app, [key('n')]);
    assert!(
        landscape_tui::tui::layout::detail_text_lines(&app)[app.detail.search_at.unwrap()]
            .contains("step 51")
    );
    feed(&mut app, [key('N')]);
    assert_eq!(app.detail.search_at, Some(first));
    // Past the last match, n comes round to the first.
    for _ in 0..10 {
        feed(&mut app, [key('n')]);
    }
    let text = said(&app).to_owned();
    assert!(text.contains("match 1 of 11"), "{text}");
    // The first, "step 5", is far above: the view scrolled back to it.
    let at = app.detail.search_at.unwrap();
    assert!(landscape_tui::tui::layout::detail_text_lines(&app)[at].contains("step 5 ok"));
    assert_eq!(usize::from(app.detail.scroll), at - 2);

    // Esc: back to the panes, the search cleared.
    feed(&mut app, [code(KeyCode::Esc)]);
    assert!(!app.screen.zoomed);
    assert!(app.detail.search.is_empty());
}

#[test]
fn z_zooms_the_list_to_the_whole_screen() {
    let e = engine();
    let mut app = loaded(&e, (160, 45));
    let before = screen(&draw(&app));
    assert!(before.contains("Children of"));
    feed(&mut app, [key('z')]);
    let s = screen(&draw(&app));
    assert!(!s.contains("Children of"), "{s}");
    assert!(s.contains("┌ Activities: 7 rows"), "{s}");
    // The list is the whole width.
    let top = s.lines().find(|l| l.contains("┌ Activities")).unwrap();
    assert_eq!(top.chars().count(), 160);
    assert!(top.ends_with('┐'));
    feed(&mut app, [key('z')]);
    assert!(screen(&draw(&app)).contains("Children of"));
}

#[test]
fn the_command_line_completes_runs_and_remembers() {
    let e = engine();
    let mut app = loaded(&e, (120, 40));
    feed(&mut app, [key(':')]);
    common::tui::typed(&mut app, "so");
    let s = screen(&draw(&app));
    assert!(s.contains(":so"), "{s}");
    assert!(s.contains(":sort "), "{s}");
    feed(&mut app, [code(KeyCode::Tab)]);
    assert_eq!(app.prompt.line.text(), "sort ");
    assert_eq!(
        app.prompt.line.completions,
        [
            "sort created",
            "sort status",
            "sort type",
            "sort summary",
            "sort children",
            "sort computers"
        ]
    );
    common::tui::typed(&mut app, "ty");
    feed(&mut app, [code(KeyCode::Tab)]);
    assert_eq!(app.prompt.line.text(), "sort type");
    common::tui::typed(&mut app, " desc");
    let cmds = feed(&mut app, [code(KeyCode::Enter)]);
    assert!(cmds.iter().any(|c| matches!(
        c,
        Command::Call(Call::FetchList { sort, .. }) if *sort == ListSort::by(SortColumn::Type).reversed()
    )));
    answer(&mut app, &e, cmds);
    assert!(heading(&screen(&draw(&app))).contains("type ▼"));
    // ↑ brings it back.
    feed(&mut app, [key(':'), code(KeyCode::Up)]);
    assert_eq!(app.prompt.line.text(), "sort type desc");
    feed(&mut app, [code(KeyCode::Esc)]);
    assert!(app.prompt.kind.is_none());

    // :view by name, :theme, a mistake, :q.
    let cmds = command(&mut app, "view needs approval");
    answer(&mut app, &e, cmds);
    assert!(screen(&draw(&app)).contains("┌ Needs approval"));
    command(&mut app, "theme mono");
    colourless(&app).unwrap();
    assert!(command(&mut app, "sort colour").is_empty());
    let text = said(&app).to_owned();
    assert!(
        text.contains("no column \"colour\"; columns: created"),
        "{text}"
    );
    assert!(command(&mut app, "q").contains(&Command::Effect(Effect::Quit)));
}

#[test]
fn export_asks_for_every_match_in_the_format_its_extension_names() {
    let e = engine();
    let mut app = loaded(&e, (120, 40));
    let cmds = command(&mut app, "view failed today");
    answer(&mut app, &e, cmds);
    let cmds = command(&mut app, "export /tmp/out.JSON");
    assert_eq!(
        cmds,
        [Command::Call(Call::Export {
            query: app.query.applied.clone(),
            path: "/tmp/out.JSON".into(),
            format: landscape_tui::cli::Format::Json
        })]
    );
    assert!(command(&mut app, "export out.xlsx").is_empty());
    assert!(said(&app).contains(".tsv, .csv or .json"));
}

#[tokio::test]
async fn export_writes_what_the_cli_prints() {
    use landscape_tui::backend::engine::{EngineBackend, EngineOptions};
    use landscape_tui::cli::Format;
    let backend = EngineBackend::new(
        engine(),
        EngineOptions {
            frozen: true,
            ..EngineOptions::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    for (name, format) in [
        ("a.csv", Format::Csv),
        ("a.tsv", Format::Tsv),
        ("a.json", Format::Json),
    ] {
        let path = dir.path().join(name);
        let n = landscape_tui::export::export(backend.as_ref(), "nginx", &path, format)
            .await
            .unwrap();
        assert_eq!(n, 3);
        let mut printed = Vec::new();
        landscape_tui::scripting::activities(
            backend.as_ref(),
            "nginx",
            u64::MAX,
            0,
            format,
            &mut printed,
        )
        .await
        .unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        assert_eq!(written, String::from_utf8(printed).unwrap());
        assert!(!dir.path().join(format!("{name}.partial")).exists());
    }
    let csv = std::fs::read_to_string(dir.path().join("a.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("id,status,created,type,summary"),
        "{csv}"
    );
    // Newest first; equal times by id, highest first.
    assert!(lines[1].starts_with("112,failed,"), "{csv}");
    assert!(lines[3].starts_with("110,failed,"), "{csv}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("a.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    // A directory that is not there: an error, nothing written.
    let bad = dir.path().join("nope/a.csv");
    assert!(
        landscape_tui::export::export(backend.as_ref(), "", &bad, Format::Csv)
            .await
            .is_err()
    );
}

#[test]
fn profile_asks_before_dropping_marks_and_keeps_nothing_of_the_old_server() {
    use landscape_tui::tui::app::Dialog;
    use landscape_tui::tui::event::Event;
    let e = engine();
    let mut app = loaded(&e, (120, 40));
    app.prefs.profiles = vec!["prod".into(), "staging".into()];
    assert!(command(&mut app, "profile prd").is_empty());
    let text = said(&app).to_owned();
    assert!(
        text.contains("no profile \"prd\"; profiles: prod, staging"),
        "{text}"
    );

    let cmds = command(&mut app, "view needs");
    answer(&mut app, &e, cmds);
    feed(&mut app, [key(' ')]);
    assert_eq!(app.marks.ids.len(), 1);
    assert!(command(&mut app, "profile prod").is_empty());
    assert!(matches!(
        app.dialog,
        Some(Dialog::SwitchProfile(
            landscape_tui::tui::dialogs::SwitchProfile { marks: 1, .. }
        ))
    ));
    let s = screen(&draw(&app));
    assert!(s.contains("Connect to profile prod?"), "{s}");
    assert!(s.contains("y switch") && s.contains(" stay"), "{s}");
    assert!(
        s.contains("1 marked activity of DEMO will be dropped"),
        "{s}"
    );
    // n stays, marks kept.
    feed(&mut app, [key('n')]);
    assert!(app.dialog.is_none());
    assert_eq!(app.marks.ids.len(), 1);
    command(&mut app, "profile prod");
    let cmds = feed(&mut app, [key('y')]);
    assert_eq!(
        cmds,
        [Command::Effect(Effect::SwitchProfile("prod".into()))]
    );

    // A failure keeps everything as it was.
    feed(
        &mut app,
        [Event::ProfileSwitched {
            name: "prod".into(),
            result: Err("password_command failed".into()),
        }],
    );
    assert_eq!(app.marks.ids.len(), 1);
    assert!(said(&app).contains("still on DEMO"));

    let remote = BackendInfo {
        label: "https://landscape.example.com/api/".into(),
        embedded: false,
        sends_action_flags: true,
        sorts_every_column: false,
        unverified_tls: false,
        servers: Vec::new(),
    };
    let cmds = feed(
        &mut app,
        [Event::ProfileSwitched {
            name: "prod".into(),
            result: Ok((remote.clone(), true)),
        }],
    );
    assert!(app.marks.ids.is_empty());
    assert!(app.list.rows.is_empty());
    assert_eq!(app.query.applied, "");
    assert_eq!(app.query.editor.text(), "");
    assert!(app.query.view.is_none());
    assert!(app.acting.read_only);
    assert_eq!(app.backend, remote);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Call(Call::FetchList { offset: 0, .. })))
    );
    let s = screen(&draw(&app));
    assert!(s.contains("connected to profile prod"), "{s}");
    assert!(s.contains("READ-ONLY"), "{s}");
}
