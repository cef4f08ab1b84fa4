//! What a person reads on screen, drawn on ratatui's TestBackend: rows,
//! statuses, the error pointed at, dialog text, gauges, at several sizes.

use landscape_tui::model::Field;
use landscape_tui::tui::app::{App, Dialog};
use landscape_tui::tui::event::Event;
use landscape_tui::tui::update::update;
use landscape_tui::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Modifier;

use crate::common;

use common::tui::{draw, screen, small_engine as engine};

fn loaded(size: (u16, u16)) -> App {
    common::tui::loaded(&engine(), size)
}

fn key(app: &mut App, c: char) {
    update(
        app,
        Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
    );
}

#[test]
fn whole_screen_shows_rows_statuses_children_and_detail() {
    let app = loaded((200, 40));
    let s = screen(&draw(&app));
    assert!(s.contains("Activities: 7"), "{s}");
    for text in [
        "Restart web servers",
        "Upgrade package openssl",
        "Install package nginx",
        "Install package htop",
        "Run script: rotate logs",
    ] {
        assert!(s.contains(text), "missing {text}\n{s}");
    }
    assert!(s.contains("? unapproved"));
    assert!(s.contains("✘ failed"));
    assert!(s.contains("✔ succeeded"));
    assert!(s.contains("⊘ canceled"));
    // Children of the selected parent (160), with computer titles.
    assert!(s.contains("Children of 160: 2"), "{s}");
    assert!(s.contains("web-01") && s.contains("web-02"));
    // Detail: the full JSON of the selected activity.
    assert!(s.contains("\"id\": 160"));
    assert!(s.contains("\"type\": \"ActivityGroup\""), "{s}");
    assert!(s.contains("DEMO"));
    // Children counts good/warning/bad of 110: 1 good, 1 bad.
    assert!(s.contains("1/0/1"), "{s}");
}

#[test]
fn small_sizes_render_and_tiny_ones_say_so() {
    for size in [(20, 6), (40, 10), (80, 24), (200, 50)] {
        let app = loaded(size);
        let s = screen(&draw(&app));
        assert!(!s.contains("too small"), "{size:?}");
    }
    let app = loaded((19, 5));
    assert!(screen(&draw(&app)).contains("too small"));
}

#[test]
fn a_query_error_is_underlined_at_its_span_with_the_message() {
    let mut app = loaded((120, 30));
    key(&mut app, '/');
    for c in "id:1 status:faild".chars() {
        key(&mut app, c);
    }
    let t = draw(&app);
    let s = screen(&t);
    assert!(s.contains("unknown status \"faild\""), "{s}");
    let b = t.backend().buffer();
    // The query text starts at column 1 of row 1: "faild" is at 13..18.
    for x in 13..18 {
        let cell = b.cell((x, 1)).unwrap();
        assert_eq!(Some(cell.fg), app.prefs.theme.error.fg, "column {x}");
        assert!(cell.modifier.contains(Modifier::UNDERLINED));
    }
    // The key before it is highlighted as a key, not an error.
    assert_eq!(
        Some(b.cell((6, 1)).unwrap().fg),
        app.prefs.theme.query_key.fg
    );
}

#[test]
fn the_confirmation_says_what_will_change_and_what_is_refused() {
    let mut e = engine();
    let mut app = loaded((120, 40));
    // Marked: a group of three unapproved, a succeeded child, one gone.
    app.marks.ids.extend([100, 111, 999]);
    let cmds = update(
        &mut app,
        Event::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE)),
    );
    common::tui::answer_actions(&mut app, &mut e, cmds);
    let s = screen(&draw(&app));
    assert!(s.contains("Approve 3 activities (from 3 marked)"), "{s}");
    assert!(
        s.contains("101 web-01 ? unapproved  Upgrade package openssl"),
        "{s}"
    );
    assert!(
        s.contains("1 would be refused, and Landscape refuses all or nothing"),
        "{s}"
    );
    assert!(s.contains("111 => it has succeeded"), "{s}");
    // 111 is a child of a group not open; 999 is gone.
    assert!(
        s.contains("2 marked activities are not shown by the current query"),
        "{s}"
    );
    assert!(s.contains("approve only the 3 that can change"), "{s}");
}

#[test]
fn gauges_show_percentages_and_failures() {
    let e = engine();
    let mut app = loaded((120, 40));
    let mut sync = e.activity(140).unwrap();
    let mut broken = sync.clone();
    broken.id = 141;
    broken.progress = Field::Value(-1);
    sync.progress = Field::Value(37);
    let page = landscape_tui::model::Page {
        count: 2,
        results: vec![sync, broken],
        next: None,
        previous: None,
        count_is_lower_bound: false,
    };
    update(&mut app, Event::InFlightLoaded(Ok(page)));
    let s = screen(&draw(&app));
    assert!(s.contains("In progress: 2 "), "{s}");
    assert!(s.contains("37%"), "{s}");
    assert!(s.contains("failed"), "{s}");
}

#[test]
fn in_progress_counts_every_activity_in_flight_not_the_page() {
    let e = engine();
    let mut app = loaded((120, 40));
    let mut sync = e.activity(140).unwrap();
    sync.progress = Field::Value(37);
    let page = |count, at_least| landscape_tui::model::Page {
        count,
        results: (0..20)
            .map(|i| {
                let mut a = sync.clone();
                a.id = 1000 + i;
                a
            })
            .collect(),
        next: None,
        previous: None,
        count_is_lower_bound: at_least,
    };
    update(&mut app, Event::InFlightLoaded(Ok(page(7849, false))));
    let s = screen(&draw(&app));
    assert!(s.contains("In progress: 7,849 (+7,845 more)"), "{s}");
    // The legacy API says only that there are more: never a made-up total.
    update(&mut app, Event::InFlightLoaded(Ok(page(21, true))));
    let s = screen(&draw(&app));
    assert!(s.contains("In progress: 21+ (+17+ more)"), "{s}");
}

#[test]
fn help_lists_every_binding() {
    let mut app = loaded((120, 40));
    key(&mut app, '?');
    let s = screen(&draw(&app));
    for what in [
        "approve",
        "cancel",
        "reapply",
        "revert",
        "mark every match of the query",
        "copy: JSON, id, result text",
    ] {
        assert!(s.contains(what), "{what}\n{s}");
    }
}

#[test]
fn action_keys_dim_when_nothing_selected_allows_them() {
    let app = loaded((160, 30));
    let t = draw(&app);
    let b = t.backend().buffer();
    let last = app.screen.size.1 - 1;
    let row: Vec<String> = (0..app.screen.size.0)
        .map(|x| b.cell((x, last)).unwrap().symbol().to_owned())
        .collect();
    let text = row.concat();
    // The selected parent 160 can be canceled but not reverted.
    let col = |word: &str| {
        let chars: Vec<char> = word.chars().collect();
        (0..row.len())
            .find(|&i| {
                chars
                    .iter()
                    .enumerate()
                    .all(|(k, c)| row.get(i + k).is_some_and(|s| s.starts_with(*c)))
            })
            .unwrap() as u16
    };
    let row = text;
    let c = b.cell((col(" cancel") - 1, last)).unwrap();
    let u = b.cell((col(" revert") - 1, last)).unwrap();
    // An allowed action's key stands out; one nothing allows is dimmed.
    assert_eq!(Some(c.fg), app.prefs.theme.key.fg, "{row}");
    assert_eq!(Some(u.fg), app.prefs.theme.dim.fg, "{row}");
    assert_ne!(app.prefs.theme.key.fg, app.prefs.theme.dim.fg);
}

#[test]
fn at_80_by_24_panes_are_tabs_and_help_and_quit_always_show() {
    let mut app = loaded((80, 24));
    app.say(
        landscape_tui::tui::app::Level::Error,
        "a long message that would push every key off the end of the bottom line of the screen",
    );
    let s = screen(&draw(&app));
    let bottom = s.lines().last().unwrap();
    assert!(
        bottom.contains("? help") && bottom.contains("q quit"),
        "{bottom}"
    );
    assert!(s.contains("Activities  │  Children  │  Detail"), "{s}");
    assert!(s.contains("Restart web"), "{s}");
    // Tab shows the children pane in place of the list; focus never hides.
    update(
        &mut app,
        Event::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
    );
    let s = screen(&draw(&app));
    assert!(s.contains("Children of 160"), "{s}");
    assert!(!s.contains("Run script: rotate logs"), "{s}");
    for size in [(80, 24), (200, 50)] {
        app.screen.size = size;
        let s = screen(&draw(&app));
        let bottom = s.lines().last().unwrap();
        assert!(
            bottom.contains("? help") && bottom.contains("q quit"),
            "{size:?} {bottom}"
        );
    }
}

#[test]
fn a_row_shown_through_some_children_says_how_many_match() {
    for size in [(80, 24), (200, 50)] {
        let mut app = loaded(size);
        app.query.applied = "computer:tag:web status:unapproved".into();
        app.list.rows_query = app.query.applied.clone();
        app.list.matching_children.insert(100, 2);
        app.list.activity_count = 12;
        let s = screen(&draw(&app));
        assert!(s.contains("2 of 3 match"), "{size:?}\n{s}");
        assert!(s.contains("7 rows"), "{s}");
        assert!(s.contains("12 activities"), "{s}");
    }
}

#[test]
fn a_failed_page_is_shown_in_the_list() {
    let mut app = loaded((120, 30));
    app.list.total = 50;
    app.list.error = Some("HTTP 503: maintenance".into());
    app.list.selected = 40;
    app.list.top = 30;
    let s = screen(&draw(&app));
    assert!(s.contains("✘ not loaded"), "{s}");
    assert!(s.contains("HTTP 503"), "{s}");
    assert!(!s.contains("loading…"), "{s}");
}

/// A first load refused (a wrong password) says the whole reason where
/// the rows would be at 80×24, wrapped: the server, the login and what
/// to do, not a status line cut at the edge.
#[test]
fn a_refused_first_load_says_why_whole_at_80x24() {
    let mut app = loaded((80, 24));
    // Nothing has come, nothing is on its way.
    app.list.rows_at = None;
    app.list.load = Default::default();
    app.list.rows.clear();
    app.list.total = 0;
    app.list.error = Some(
        "authentication failed: http://landscape.example.com/api/ refused the login ops@example.com (login refused: wrong email or password); not tried again on its own, so the server cannot lock the account: check the password, then r tries again (:profile switches)"
            .into(),
    );
    let s = screen(&draw(&app));
    let flat: String = s
        .lines()
        .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ");
    for part in [
        "landscape.example.com",
        "ops@example.com",
        "check the password",
        "r tries again",
        ":profile switches",
    ] {
        assert!(flat.contains(part), "{part:?} not on screen:\n{s}");
    }
}

/// A server whose certificates are not verified (`insecure = true`) is
/// said in the status line for as long as the dashboard runs, at 80×24,
/// not in a message that fades.
#[test]
fn unverified_tls_is_said_for_the_whole_session() {
    let mut app = loaded((80, 24));
    app.backend.unverified_tls = true;
    app.backend.embedded = false;
    app.say(landscape_tui::tui::app::Level::Info, "something else said");
    for _ in 0..40 {
        app.clock.now += chrono::Duration::seconds(5);
        update(&mut app, Event::Tick);
    }
    let s = screen(&draw(&app));
    let status = s.lines().last().unwrap();
    assert!(status.contains("TLS UNVERIFIED"), "{s}");
}

/// Scrolled through at 80×24, the help shows every binding of the key
/// table, with its keys, and nothing the table does not have.
#[test]
fn help_scrolls_through_exactly_the_key_table() {
    use landscape_tui::tui::keys::TABLE;
    let mut app = loaded((80, 24));
    let lines: Vec<String> = landscape_tui::tui::view::help_lines(&app)
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut seen = String::new();
    for scroll in (0..lines.len()).step_by(5) {
        app.dialog = Some(Dialog::Help(landscape_tui::tui::dialogs::Help {
            scroll: scroll as u16,
        }));
        seen.push_str(&screen(&draw(&app)));
    }
    for b in TABLE {
        let line = format!("{}  {}", b.keys_text(), b.help);
        assert!(
            lines.iter().any(|l| l.trim_start() == line),
            "{line:?} not in the help"
        );
        // Long lines wrap in the box: their start is on one line.
        let start: String = b.help.chars().take(30).collect();
        assert!(seen.contains(&start), "{:?} never on screen", b.help);
    }
    // Every other line is a heading, a blank or a note: no binding the
    // table does not have.
    let bindings = lines
        .iter()
        .filter(|l| l.contains("  ") && !l.trim().is_empty());
    let notes = ["Query:", "Children column:"];
    for l in bindings {
        assert!(
            TABLE
                .iter()
                .any(|b| l.trim_start() == format!("{}  {}", b.keys_text(), b.help))
                || notes.iter().any(|n| l.starts_with(n))
                || app
                    .prefs
                    .looks
                    .views
                    .iter()
                    .any(|v| l.trim_start().starts_with(&format!(
                        "{}  {}: ",
                        v.key.name(),
                        v.name
                    ))),
            "{l:?} is not in the key table or the views"
        );
    }
    assert!(seen.contains("ok/pending/bad"), "{seen}");
    // The update step scrolls as far as the help goes.
    assert_eq!(
        lines.len(),
        landscape_tui::tui::keys::help_len(app.prefs.looks.views.len())
    );
    // Keys that work are keys the help names: → and l open, like Enter.
    assert!(
        lines.iter().any(|l| l.contains("Enter / → / l")),
        "{lines:?}"
    );
}

/// The footer shows the key table's footer bindings, in its order, with
/// the table's keys and labels.
#[test]
fn the_footer_is_built_from_the_key_table() {
    use landscape_tui::tui::keys::{Chord, Context};
    let mut app = loaded((200, 50));
    // With the operator's own key for approve, too.
    for remapped in [false, true] {
        if remapped {
            app.prefs
                .keymap
                .remap("approve", vec![Chord::parse("ctrl-a").unwrap()])
                .unwrap();
            app.query.editing = false;
            let s = screen(&draw(&app));
            assert!(s.contains("Ctrl-A approve"), "{s}");
            app.dialog = Some(Dialog::Help(landscape_tui::tui::dialogs::Help {
                scroll: 0,
            }));
            let help = screen(&draw(&app));
            assert!(help.contains("Ctrl-A  approve"), "{help}");
            app.dialog = None;
        }
        for (context, editing) in [(Context::Panes, false), (Context::Editor, true)] {
            app.query.editing = editing;
            let s = screen(&draw(&app));
            let status = s.lines().last().unwrap_or("").to_owned();
            let mut at = 0;
            for (b, keys) in app.prefs.keymap.footer(context) {
                let label = format!("{} {}", keys[0].name(), b.footer.unwrap());
                let found = status[at..]
                    .find(&label)
                    .or_else(|| status.find(&label))
                    .unwrap_or_else(|| panic!("{label:?} not in {status:?}"));
                at = at.max(found);
            }
        }
    }
}

#[test]
fn a_large_start_shows_its_progress_from_the_first_frame() {
    for size in [(80, 24), (200, 50)] {
        let mut t = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
        t.draw(|f| {
            view::starting(
                f,
                &landscape_tui::tui::theme::Theme::default(),
                &landscape_tui::tui::keys::Keymap::default(),
                "generating 1,000,000 activities",
                "412,000 of 1,000,000 activities (41%)",
                0.412,
            )
        })
        .unwrap();
        let s = screen(&t);
        assert!(s.contains("generating 1,000,000 activities"), "{s}");
        assert!(s.contains("412,000 of 1,000,000 activities (41%)"), "{s}");
        assert!(s.contains("q quits"));
    }
}

#[test]
fn a_refusal_the_server_cut_short_says_how_many_more() {
    let mut app = loaded((120, 40));
    app.dialog = Some(landscape_tui::tui::app::Dialog::Refusals(
        landscape_tui::tui::dialogs::Refusals {
            kind: landscape_tui::model::ActionKind::Approve,
            refusals: vec![landscape_tui::model::Refusal {
                id: 7,
                reason: "it has succeeded".into(),
            }],
            unlisted: 243_000,
            when: landscape_tui::tui::app::RefusedWhen::Refused { changed: 0 },
        },
    ));
    let s = screen(&draw(&app));
    assert!(s.contains("Approve refused for 243001"), "{s}");
    assert!(s.contains("… and 243000 more refused"), "{s}");
}

#[test]
fn a_bare_and_is_explained_under_the_query() {
    let mut app = loaded((120, 30));
    for c in "/status:failed AND nginx".chars() {
        key(&mut app, c);
    }
    let s = screen(&draw(&app));
    assert!(s.contains("⚠ terms are already joined by AND"), "{s}");
}

/// Text from a server that would reorder or hide what the operator reads
/// (a bidirectional override, a zero-width space) is shown as its escape.
#[test]
fn characters_that_reorder_text_are_shown_as_escapes() {
    let data = common::dataset().replace(
        "Restart web servers",
        "Restart \\u202eput\\u202c web\\u200b servers",
    );
    let engine = landscape_tui::engine::Engine::from_dataset_str(&data).unwrap();
    let app = common::tui::loaded(&engine, (200, 40));
    let s = screen(&draw(&app));
    assert!(
        s.contains("Restart \\u{202e}put\\u{202c} web\\u{200b} servers"),
        "{s}"
    );
    assert!(!s.contains(['\u{202e}', '\u{202c}', '\u{200b}']), "{s}");
}

/// `y`: the copy menu lists what it copies, the selected choice marked,
/// and ends with its keys as the keymap has them.
#[test]
fn the_copy_menu_says_its_choices_and_its_keys() {
    let mut app = loaded((80, 24));
    update(&mut app, common::tui::key('y'));
    assert!(matches!(app.dialog, Some(Dialog::CopyMenu(_))));
    let screen = common::tui::screen(&common::tui::draw(&app));
    for choice in ["JSON", "id", "result text", "web UI link"] {
        assert!(screen.contains(choice), "{choice}: {screen}");
    }
    assert!(screen.contains("Enter copies   Esc closes"), "{screen}");
}

/// The help scrolled with PgDn keeps its size and shows its last page,
/// never an empty box, however far it is pushed (issue 42).
#[test]
fn the_help_scrolled_to_its_end_keeps_its_size_and_its_last_lines() {
    let mut app = loaded((80, 24));
    key(&mut app, '?');
    // How many of the help's lines the screen shows (their first words).
    let help: Vec<String> = landscape_tui::tui::dialogs::help::lines(&app)
        .iter()
        .map(|l| l.to_string().trim().chars().take(24).collect::<String>())
        .filter(|l| l.len() > 8)
        .collect();
    let shown = |text: &str| help.iter().filter(|l| text.contains(l.as_str())).count();
    let first = shown(&screen(&draw(&app)));
    assert!(first > 10, "{first}");
    for _ in 0..60 {
        update(
            &mut app,
            Event::Key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE)),
        );
    }
    let last = screen(&draw(&app));
    assert!(shown(&last) * 10 >= first * 7, "a page of it: {last}");
    assert!(
        last.contains("config.example.toml"),
        "the last note: {last}"
    );
}
