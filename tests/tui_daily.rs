//! An operator's daily comforts, through the pure update and the drawn
//! screen: sort, saved views, themes (mono / NO_COLOR), zoom with search,
//! the `:` command line and export.

use landscape_tui::backend::BackendInfo;
use landscape_tui::model::{ListSort, SortColumn};
use landscape_tui::tui::app::App;
use landscape_tui::tui::event::Command;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;

mod common;

use common::tui::{answer, code, draw, feed, key, loaded, screen, small_engine as engine};

fn ids(app: &App) -> Vec<u64> {
    app.list.rows.iter().map(|a| a.id).collect()
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

    // s: by status, A to Z, over every row the engine has.
    let cmds = feed(&mut app, [key('s')]);
    assert!(cmds.iter().any(|c| matches!(
        c,
        Command::FetchList { sort, offset: 0, .. } if *sort == ListSort::by(SortColumn::Status)
    )));
    answer(&mut app, &e, cmds);
    let statuses: Vec<String> = app
        .list
        .rows
        .iter()
        .map(|a| a.status().unwrap().as_str().to_owned())
        .collect();
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(statuses, sorted);
    let s = screen(&draw(&app));
    assert!(heading(&s).contains("status ▲"), "{s}");
    assert!(!heading(&s).contains("created ▼"), "{s}");
    assert_eq!(app.list.selected, 0);

    // S: Z to A.
    let cmds = feed(&mut app, [key('S')]);
    answer(&mut app, &e, cmds);
    let mut reversed = sorted.clone();
    reversed.reverse();
    let statuses: Vec<String> = app
        .list
        .rows
        .iter()
        .map(|a| a.status().unwrap().as_str().to_owned())
        .collect();
    assert_eq!(statuses, reversed);
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
    };
    feed(&mut app, [key('s'), key('s')]);
    let message = app.message.clone().unwrap().text;
    assert!(message.contains("sorted by type ▲"), "{message}");
    assert!(message.contains("loaded rows only"), "{message}");
    // The server is asked for its own order; the rows are sorted here.
    let mut app = loaded(&e, (160, 45));
    app.backend.sorts_every_column = false;
    feed(&mut app, [key('s')]);
    let cmds = feed(&mut app, [key('s')]);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::FetchList { sort, .. } if *sort == ListSort::default()))
    );
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
            .any(|c| matches!(c, Command::FetchList { query, .. } if query == "status:unapproved"))
    );
    answer(&mut app, &e, cmds);
    assert_eq!(app.query.value(), "status:unapproved");
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
    assert_eq!(app.applied, "");
    assert!(screen(&draw(&app)).contains("┌ Everything: 7 rows"));
}

#[test]
fn failed_today_counts_from_the_operators_midnight() {
    let e = engine();
    let mut app = loaded(&e, (160, 45));
    let cmds = feed(&mut app, [key('3')]);
    let today = app.now.format("%Y-%m-%dT00:00").to_string();
    assert!(
        cmds.iter().any(|c| matches!(
            c,
            Command::FetchList { query, .. } if *query == format!("status:failed created-after:{today}")
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
        },
    ] {
        let mut app = loaded(&e, (160, 45));
        app.set_looks(looks);
        colourless(&app).unwrap();
        feed(&mut app, [key('/')]);
        common::tui::typed(&mut app, "status:faild");
        colourless(&app).unwrap();
        feed(&mut app, [code(KeyCode::Esc)]);
        app.dialog = Some(Dialog::Help { scroll: 0 });
        colourless(&app).unwrap();
        app.dialog = None;
        feed(&mut app, [code(KeyCode::Tab), code(KeyCode::Tab)]);
        colourless(&app).unwrap();
    }
    // The dark theme does use colour (the check can fail).
    assert!(colourless(&loaded(&e, (160, 45))).is_err());
}
