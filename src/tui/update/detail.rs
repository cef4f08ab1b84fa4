//! The detail pane: finding text in the zoomed text view.

use crate::tui::app::{App, Level, Pane};
use crate::tui::keys::KeyAction;

/// Scrolls the zoomed detail to the next (or previous) line holding the
/// search; `here` counts the line at the top too.
pub(super) fn find(app: &mut App, forward: bool, here: bool) {
    if app.detail.search.is_empty() {
        let text = format!(
            "nothing to find: {} types a search",
            app.pane_key(KeyAction::Find)
        );
        app.say(Level::Info, text);
        return;
    }
    if !(app.screen.zoomed && app.screen.focus == Pane::Detail) {
        app.screen.focus = Pane::Detail;
        app.screen.zoomed = true;
    }
    let lines = crate::tui::layout::detail_text_lines(app);
    let found = crate::tui::detail_text::matches(&lines, &app.detail.search);
    if found.is_empty() {
        let text = format!("no match for {:?}", app.detail.search);
        app.say(Level::Warning, text);
        return;
    }
    // From the current match, or from the top of what is on screen.
    let at = app
        .detail
        .search_at
        .unwrap_or(usize::from(app.detail.scroll));
    let pick = if forward {
        found
            .iter()
            .position(|&l| if here { l >= at } else { l > at })
            .unwrap_or(0)
    } else {
        found
            .iter()
            .rposition(|&l| l < at)
            .unwrap_or(found.len() - 1)
    };
    let line = found[pick];
    app.detail.search_at = Some(line);
    // Scroll only when the match is off screen, and then keep two lines
    // of what leads to it.
    let height = crate::tui::layout::areas(app)
        .detail_text
        .map_or(1, |r| usize::from(r.height.saturating_sub(2)).max(1));
    let top = usize::from(app.detail.scroll);
    if line < top || line >= top + height {
        app.detail.scroll = u16::try_from(line.saturating_sub(2)).unwrap_or(u16::MAX);
    }
    let text = format!(
        "{:?}: match {} of {} ({} next, {} previous)",
        app.detail.search,
        pick + 1,
        found.len(),
        app.pane_key(KeyAction::NextMatch),
        app.pane_key(KeyAction::PrevMatch)
    );
    app.say(Level::Info, text);
}
