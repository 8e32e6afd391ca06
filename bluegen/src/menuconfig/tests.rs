//! Screen snapshots with ratatui's TestBackend: navigation, help, search,
//! a locked item, editing a value.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::State;
use super::{handle, ui};

fn state() -> State {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/features");
    let (_, plan) = crate::pipeline::plan(Some(&dir), None).unwrap();
    State::new(plan)
}

fn press(state: &mut State, keys: &[KeyCode]) {
    for &k in keys {
        handle(state, KeyEvent::new(k, KeyModifiers::NONE));
    }
}

/// Jumps to a symbol through the search, wherever its menu sits.
fn search(state: &mut State, text: &str) {
    press(state, &[KeyCode::Char('/')]);
    for c in text.chars() {
        press(state, &[KeyCode::Char(c)]);
    }
    press(state, &[KeyCode::Enter]);
}

fn screen(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(96, 14)).unwrap();
    terminal.draw(|f| ui::draw(f, state)).unwrap();
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width).map(|x| buffer[(x, y)].symbol().to_string()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn navigation() {
    let mut s = state();
    insta::assert_snapshot!("top", screen(&s));
    press(&mut s, &[KeyCode::Enter]);
    insta::assert_snapshot!("kernel_menu", screen(&s));
    press(&mut s, &[KeyCode::Esc, KeyCode::Down]);
    assert_eq!(s.path, Vec::<String>::new());
    assert_eq!(s.selected, 1);
    press(&mut s, &[KeyCode::Esc]);
    assert!(s.quit, "Esc at the top without changes quits");
}

#[test]
fn help_shows_location_dependencies_and_text() {
    let mut s = state();
    press(&mut s, &[KeyCode::Enter, KeyCode::Down, KeyCode::Char('?')]);
    insta::assert_snapshot!("help", screen(&s));
}

#[test]
fn search_jumps_to_a_symbol() {
    let mut s = state();
    press(&mut s, &[KeyCode::Char('/'), KeyCode::Char('b'), KeyCode::Char('a'), KeyCode::Char('u'), KeyCode::Char('d')]);
    insta::assert_snapshot!("search", screen(&s));
    press(&mut s, &[KeyCode::Enter]);
    assert_eq!(s.path, ["CMSDK UART"]);
    assert_eq!(s.current_symbol().unwrap().key, "cmsdk-uart-bauddiv");
}

#[test]
fn a_locked_item_is_greyed_with_its_reason() {
    let mut s = state();
    press(&mut s, &[KeyCode::Enter, KeyCode::Char('n'), KeyCode::Down]);
    insta::assert_snapshot!("locked", screen(&s));
    let before = s.config.get("PANIC_LOCATION").unwrap().value.clone();
    press(&mut s, &[KeyCode::Char(' ')]);
    assert_eq!(s.config.get("PANIC_LOCATION").unwrap().value, before, "a locked item does not change");
    assert!(s.status.contains("depends on CONSOLE"), "{}", s.status);
}

/// The title estimates the footprint of the selection from the last
/// build: a measured feature turned off takes its cost off; one turned on
/// since is named as unmeasured.
#[test]
fn the_title_estimates_the_footprint_from_the_last_build() {
    use super::estimate::{Estimator, FeatureCost, Measured, features_on};
    let title = |s: &State| screen(s).lines().next().unwrap().to_string();
    let mut s = state();
    assert!(!title(&s).contains('≈'), "no estimate without a build: {}", title(&s));
    let on = features_on(&s.config);
    s.estimator = Estimator {
        measured: Some(Measured { flash: 3000, ram: 600, on }),
        costs: vec![FeatureCost { feature: "panic-location".into(), flash: 120, ram: 4 }],
    };
    assert!(title(&s).ends_with("≈ 3000 B flash, 600 B RAM"), "{}", title(&s));
    search(&mut s, "panic-location");
    press(&mut s, &[KeyCode::Char('n')]);
    assert!(title(&s).ends_with("≈ 2880 B flash (-120), 596 B RAM (-4)"), "{}", title(&s));
    search(&mut s, "banner");
    press(&mut s, &[KeyCode::Char('y')]);
    assert!(title(&s).ends_with("+ banner unmeasured"), "{}", title(&s));
}

#[test]
fn editing_a_value_validates_it() {
    let mut s = state();
    search(&mut s, "bauddiv");
    assert_eq!(s.current_symbol().unwrap().key, "cmsdk-uart-bauddiv");
    press(&mut s, &[KeyCode::Enter]);
    for _ in 0..3 {
        press(&mut s, &[KeyCode::Backspace]);
    }
    press(&mut s, &[KeyCode::Char('9')]);
    insta::assert_snapshot!("edit", screen(&s));
    press(&mut s, &[KeyCode::Enter]);
    assert!(s.status.starts_with("refused: `cmsdk-uart-bauddiv` is out of range"), "{}", s.status);
    assert!(!s.dirty());
    press(&mut s, &[KeyCode::Enter, KeyCode::Char('0'), KeyCode::Char('0'), KeyCode::Enter]);
    assert_eq!(s.config.get("CMSDK_UART_BAUDDIV").unwrap().value, Some(crate::kconfig::Value::Int(21700)));
    assert!(s.dirty());
    press(&mut s, &[KeyCode::Esc, KeyCode::Esc]);
    assert_eq!(s.mode, super::state::Mode::ConfirmQuit, "unsaved changes ask first");
    press(&mut s, &[KeyCode::Char('c')]);
    assert!(!s.quit);
}
