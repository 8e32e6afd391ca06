//! UI: the menuconfig screen drawn with ratatui from a [`State`].

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::state::{Item, Mode, State};
use crate::kconfig::{SetBy, Symbol, SymbolType, Value};

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, state: &State) {
    let [title, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(2)]).areas(frame.area());
    let crumbs = if state.path.is_empty() { String::new() } else { format!(" → {}", state.path.join(" → ")) };
    let dirty = if state.dirty() { "  [modified]" } else { "" };
    let estimate = state.estimator.estimate(&state.config).map(|e| e.text());
    let width = estimate.as_ref().map_or(0, |e| e.chars().count() as u16 + 2);
    let [left, right] = Layout::horizontal([Constraint::Min(10), Constraint::Max(width)]).areas(title);
    frame.render_widget(
        Paragraph::new(format!(
            "{} ({}){crumbs}{dirty}",
            state.plan.device.name, state.plan.device.board.name
        ))
        .style(Style::new().add_modifier(Modifier::BOLD)),
        left,
    );
    if let Some(estimate) = estimate {
        frame.render_widget(
            Paragraph::new(fit(&estimate, usize::from(right.width)))
                .alignment(ratatui::layout::Alignment::Right)
                .style(Style::new().fg(Color::DarkGray)),
            right,
        );
    }
    draw_menu(frame, body, state);
    let hint = match state.current_symbol() {
        Some(s) if state.mode == Mode::Browse => state.locked(s).unwrap_or_else(|| state.status.clone()),
        _ => state.status.clone(),
    };
    frame.render_widget(Paragraph::new(hint).wrap(Wrap { trim: true }).block(Block::new().borders(Borders::TOP)), status);
    match &state.mode {
        Mode::Help => {
            if let Some(s) = state.current_symbol() {
                popup(frame, " Help ", state.help(s).into_iter().map(Line::from).collect());
            }
        }
        Mode::Search { query, selected } => {
            let mut lines = vec![Line::from(format!("Search: {query}_")), Line::from("")];
            for (n, i) in state.search(query).into_iter().enumerate().take(12) {
                let s = &state.config.symbols[i];
                let text = format!("{} — {} [{}]", s.key, s.prompt.as_deref().unwrap_or(""), s.menu.join(" → "));
                let style = if n == *selected { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
                lines.push(Line::styled(text, style));
            }
            popup(frame, " Search (Enter jumps, Esc closes) ", lines);
        }
        Mode::Edit { buffer } => {
            let name = state.current_symbol().map(|s| s.key.clone()).unwrap_or_default();
            let range = state.current_symbol().and_then(|s| s.range).map(|(a, b)| format!("  range {a} .. {b}")).unwrap_or_default();
            popup(frame, " Edit (Enter applies, Esc cancels) ", vec![Line::from(format!("{name}{range}")), Line::from(format!("> {buffer}_"))]);
        }
        Mode::ConfirmQuit => popup(frame, " Unsaved changes ", vec![Line::from("Save before quitting?  (y)es  (n)o  (c)ancel")]),
        Mode::Browse => {}
    }
}

fn draw_menu(frame: &mut Frame, area: Rect, state: &State) {
    let items: Vec<ListItem> = state.items().iter().map(|item| ListItem::new(row(state, item))).collect();
    let mut list_state = ListState::default().with_selected(Some(state.selected));
    let list = List::new(items)
        .block(Block::bordered().title(" Configuration "))
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol("> ");
    frame.render_stateful_widget(list, area, &mut list_state);
}

fn row<'a>(state: &State, item: &Item) -> Line<'a> {
    match item {
        Item::Menu(title) => Line::from(format!("    {title}  --->")),
        Item::Symbol(i) => {
            let s = &state.config.symbols[*i];
            let locked = state.locked(s).is_some();
            let mark = value_mark(s, locked);
            let origin = match &s.set_by {
                SetBy::User => "device".to_string(),
                SetBy::Preset(p) => format!("preset {p}"),
                SetBy::Board(b) => format!("board {b}"),
                SetBy::Derived(t) => format!("device.toml {t}"),
                SetBy::Default => "default".into(),
                SetBy::Select(by) => format!("select {by}"),
                SetBy::Imply(by) => format!("imply {by}"),
            };
            let text = format!("{mark} {}", s.prompt.as_deref().unwrap_or(&s.name));
            let style = if locked { Style::new().fg(Color::DarkGray) } else { Style::new() };
            Line::from(vec![
                Span::styled(format!("{:<46}", fit(&text, 46)), style),
                Span::styled(format!(" {:<24} {origin}", s.key), Style::new().fg(Color::DarkGray)),
            ])
        }
    }
}

fn value_mark(s: &Symbol, locked: bool) -> String {
    let on = s.value == Some(Value::Bool(true));
    match (s.ty, &s.choice) {
        (SymbolType::Bool, Some(_)) => if on { "(X)" } else { "( )" }.into(),
        (SymbolType::Bool, None) if locked && on => "-*-".into(),
        (SymbolType::Bool, None) if locked => "- -".into(),
        (SymbolType::Bool, None) => if on { "[*]" } else { "[ ]" }.into(),
        (_, _) => format!("({})", s.value.as_ref().map_or_else(|| "-".to_string(), Value::as_text)),
    }
}

fn popup(frame: &mut Frame, title: &str, lines: Vec<Line>) {
    let area = frame.area();
    let width = area.width.saturating_sub(8).min(90);
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = Rect { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height };
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(Block::bordered().title(title.to_string())), rect);
}

/// `text` cut to `width` characters, with an ellipsis when it was longer,
/// so that a long prompt never pushes the key and origin columns aside.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width - 1).collect();
    cut.push('…');
    cut
}
