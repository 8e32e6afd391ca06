//! Menuconfig: choose features in a terminal UI, save a minimal diff.
//!
//! [`state`] is the model (menus, values, modes) and is tested without a
//! terminal; [`ui`] draws it with ratatui; [`handle`] maps keys to state
//! changes the way Kconfig's menuconfig does; [`run`] owns the terminal.

pub mod estimate;
pub mod state;
pub mod ui;

use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::diag::{Error, Result};
use state::{Mode, State};

/// Applies one key press.
pub fn handle(state: &mut State, key: KeyEvent) {
    if key.kind != KeyEventKind::Press {
        return;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        state.quit = true;
        return;
    }
    match state.mode.clone() {
        Mode::Browse => match key.code {
            KeyCode::Up | KeyCode::Char('k') => state.up(),
            KeyCode::Down | KeyCode::Char('j') => state.down(),
            KeyCode::Enter | KeyCode::Right => state.enter(),
            KeyCode::Char(' ') => state.toggle(),
            KeyCode::Char('y') => state.set_bool(true),
            KeyCode::Char('n') => state.set_bool(false),
            KeyCode::Char('?') | KeyCode::Char('h') => {
                if state.current_symbol().is_some() {
                    state.mode = Mode::Help;
                }
            }
            KeyCode::Char('/') => state.mode = Mode::Search { query: String::new(), selected: 0 },
            KeyCode::Char('s') | KeyCode::Char('S') => {
                if let Err(e) = state.save() {
                    state.status = format!("not saved: {}", crate::diag::render(&e.diagnostics).lines().next().unwrap_or_default());
                }
            }
            KeyCode::Esc | KeyCode::Left | KeyCode::Char('q') => state.back(),
            _ => {}
        },
        Mode::Help => state.mode = Mode::Browse,
        Mode::Search { mut query, mut selected } => match key.code {
            KeyCode::Esc => state.mode = Mode::Browse,
            KeyCode::Enter => match state.search(&query).get(selected) {
                Some(&i) => state.jump(i),
                None => state.mode = Mode::Browse,
            },
            KeyCode::Up => {
                selected = selected.saturating_sub(1);
                state.mode = Mode::Search { query, selected };
            }
            KeyCode::Down => {
                selected = (selected + 1).min(state.search(&query).len().saturating_sub(1));
                state.mode = Mode::Search { query, selected };
            }
            KeyCode::Backspace => {
                query.pop();
                state.mode = Mode::Search { query, selected: 0 };
            }
            KeyCode::Char(c) => {
                query.push(c);
                state.mode = Mode::Search { query, selected: 0 };
            }
            _ => {}
        },
        Mode::Edit { mut buffer } => match key.code {
            KeyCode::Esc => state.mode = Mode::Browse,
            KeyCode::Enter => state.commit_edit(),
            KeyCode::Backspace => {
                buffer.pop();
                state.mode = Mode::Edit { buffer };
            }
            KeyCode::Char(c) => {
                buffer.push(c);
                state.mode = Mode::Edit { buffer };
            }
            _ => {}
        },
        Mode::ConfirmQuit => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => match state.save() {
                Ok(()) => state.quit = true,
                Err(e) => {
                    state.mode = Mode::Browse;
                    state.status = format!("not saved: {}", crate::diag::render(&e.diagnostics).lines().next().unwrap_or_default());
                }
            },
            KeyCode::Char('n') | KeyCode::Char('N') => state.quit = true,
            KeyCode::Char('c') | KeyCode::Esc => state.mode = Mode::Browse,
            _ => {}
        },
    }
}

/// Runs menuconfig on a real terminal until the user quits.
pub fn run(state: &mut State) -> Result<()> {
    let mut terminal = ratatui::try_init().map_err(|e| Error::msg(format!("cannot open the terminal: {e}")))?;
    let outcome = (|| -> std::io::Result<()> {
        while !state.quit {
            terminal.draw(|f| ui::draw(f, state))?;
            if let Event::Key(key) = event::read()? {
                handle(state, key);
            }
        }
        Ok(())
    })();
    ratatui::restore();
    outcome.map_err(|e| Error::msg(format!("terminal error: {e}")))
}

#[cfg(test)]
mod tests;
