//! Entering and leaving the terminal. Whatever happens — quit, error or
//! panic — raw mode goes off, the alternate screen is left, mouse capture
//! ends and the cursor shows again.

use std::io::{Write, stdout};

use ratatui::DefaultTerminal;
use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;

/// Sets up the terminal; the panic hook restores it before the report.
pub fn enter() -> std::io::Result<DefaultTerminal> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
    }));
    let terminal = ratatui::try_init()?;
    execute!(stdout(), EnableMouseCapture)?;
    Ok(terminal)
}

/// Restores the terminal; safe to call more than once.
pub fn leave() {
    let _ = execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
    let _ = execute!(stdout(), Show);
    let _ = stdout().flush();
}

/// Hands the terminal to another program: as [`leave`], the panic hook
/// kept.
pub fn suspend() {
    leave();
}

/// Takes the terminal back after [`suspend`]; the next frame is drawn
/// whole. (Not `Terminal::clear`: it asks the terminal where its cursor
/// is, and the answer races the event reader just restarted.)
pub fn resume(terminal: &mut DefaultTerminal) -> std::io::Result<()> {
    use ratatui::crossterm::terminal::{Clear, ClearType, EnterAlternateScreen, enable_raw_mode};
    enable_raw_mode()?;
    execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        Clear(ClearType::All)
    )?;
    // An empty frame: what was drawn before is forgotten, so the next
    // frame writes every cell.
    terminal.draw(|_| {})?;
    Ok(())
}
