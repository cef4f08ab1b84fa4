//! The README's pictures are the dashboard's own screens: chosen states
//! on the demo data with its frozen clock, drawn at 120×35 in the dark and
//! the light theme, written as SVG (`tui::svg`). A test holds the
//! committed `docs/screens/*.svg` to what the code draws now, so the
//! README never shows a screen that no longer exists; after a change,
//! `LANDSCAPE_UPDATE_ASSETS=1 cargo test --test it -- readme_screens::`
//! draws them again (then look at the diff).

use crate::common;

use common::tui::{answer_actions, code, draw, feed, key, loaded, small_engine, typed};
use landscape_tui::engine::Engine;
use landscape_tui::tui::app::App;
use landscape_tui::tui::svg::{DARK, LIGHT, render};
use ratatui::crossterm::event::KeyCode;

const SIZE: (u16, u16) = (120, 35);

/// Answers what the steps asked (dry runs on a scratch copy).
fn settle(app: &mut App, engine: &Engine, commands: Vec<landscape_tui::tui::event::Command>) {
    let mut scratch = engine.clone();
    answer_actions(app, &mut scratch, commands);
}

/// A screen: its name, the data, and what the operator did.
type Screen = (&'static str, Engine, fn(&mut App, &Engine));

fn screens() -> Vec<Screen> {
    vec![
        ("list", small_engine(), |app, engine| {
            let mut c = typed(app, "/status:unapproved OR status:failed");
            c.extend(feed(app, [code(KeyCode::Enter)]));
            settle(app, engine, c);
        }),
        ("approve", small_engine(), |app, engine| {
            let mut c = typed(app, "/status:unapproved");
            c.extend(feed(app, [code(KeyCode::Enter)]));
            settle(app, engine, c);
            let c = feed(app, [code(KeyCode::Enter), key('a')]);
            settle(app, engine, c);
        }),
        ("clusters", common::demo(7, 40, 3_000), |app, engine| {
            let c = feed(app, [key('F')]);
            settle(app, engine, c);
        }),
        ("detail", small_engine(), |app, engine| {
            let mut c = typed(app, "/id:112");
            c.extend(feed(app, [code(KeyCode::Enter)]));
            settle(app, engine, c);
            let c = feed(app, [code(KeyCode::Enter), code(KeyCode::Tab), key('z')]);
            settle(app, engine, c);
        }),
    ]
}

#[test]
fn the_readme_screens_are_what_the_code_draws() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/screens"));
    let update = std::env::var_os("LANDSCAPE_UPDATE_ASSETS").is_some();
    let mut stale = Vec::new();
    for (name, engine, steps) in screens() {
        for (theme, palette) in [("dark", DARK), ("light", LIGHT)] {
            let mut app = loaded(&engine, SIZE);
            let mut looks = app.prefs.looks.clone();
            looks.theme_name = theme.into();
            app.prefs.set_looks(looks);
            steps(&mut app, &engine);
            let svg = render(draw(&app).backend().buffer(), palette);
            let path = dir.join(format!("{name}-{theme}.svg"));
            if update {
                std::fs::create_dir_all(dir).unwrap();
                std::fs::write(&path, &svg).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(svg.as_str()) {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "these screens no longer match what the dashboard draws: {stale:?}; \
         LANDSCAPE_UPDATE_ASSETS=1 cargo test --test it -- readme_screens:: draws them again"
    );
}
