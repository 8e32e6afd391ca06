//! State: what menuconfig shows and how keys change it, without a terminal.
//!
//! The state holds the plan, the values changed in this session and the
//! configuration they resolve to. Every change is resolved at once: a value
//! that would not validate is refused with the reason in the status line, so
//! the configuration on screen is always one that can be saved.

use crate::diag::{Result, render};
use crate::kconfig::{Config, SetBy, Symbol, SymbolType, Value};
use crate::resolve::Plan;

/// One row of the current menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A submenu, by title.
    Menu(String),
    /// A symbol, by index into `config.symbols`.
    Symbol(usize),
}

/// What the keyboard drives right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Browse,
    /// The help panel of the selected symbol.
    Help,
    /// Typing a search; `selected` indexes the results.
    Search { query: String, selected: usize },
    /// Typing a new value for an int, hex or string symbol.
    Edit { buffer: String },
    /// Unsaved changes: save before quitting?
    ConfirmQuit,
}

/// The whole menuconfig state.
pub struct State {
    pub plan: Plan,
    /// Values changed in this session (None: back to preset and defaults).
    pub wanted: Vec<(String, Option<toml::Value>)>,
    pub config: Config,
    /// The menu path shown, outermost first.
    pub path: Vec<String>,
    pub selected: usize,
    pub mode: Mode,
    pub status: String,
    pub quit: bool,
    /// The last build's footprint and feature costs, for the live estimate.
    pub estimator: super::estimate::Estimator,
}

impl State {
    pub fn new(plan: Plan) -> State {
        let config = plan.config.clone();
        State {
            plan,
            wanted: Vec::new(),
            config,
            path: Vec::new(),
            selected: 0,
            mode: Mode::Browse,
            status: "↑↓ move  Enter open/edit  Space/y/n toggle  ? help  / search  s save  Esc back/quit".into(),
            quit: false,
            estimator: Default::default(),
        }
    }

    pub fn dirty(&self) -> bool {
        !self.wanted.is_empty()
    }

    /// The rows of the current menu: its symbols, and one row per submenu.
    pub fn items(&self) -> Vec<Item> {
        let depth = self.path.len();
        let mut out = Vec::new();
        for (i, s) in self.config.symbols.iter().enumerate() {
            if s.menu.len() < depth || s.menu[..depth] != self.path[..] {
                continue;
            }
            if s.menu.len() == depth {
                out.push(Item::Symbol(i));
            } else {
                let sub = Item::Menu(s.menu[depth].clone());
                if !out.contains(&sub) {
                    out.push(sub);
                }
            }
        }
        out
    }

    pub fn current(&self) -> Option<Item> {
        self.items().get(self.selected).cloned()
    }

    pub fn current_symbol(&self) -> Option<&Symbol> {
        match self.current()? {
            Item::Symbol(i) => self.config.symbols.get(i),
            Item::Menu(_) => None,
        }
    }

    pub fn up(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }

    pub fn down(&mut self) {
        let n = self.items().len();
        if self.selected + 1 < n {
            self.selected += 1;
        }
    }

    /// Leaves the submenu; at the top, quits (asking first if unsaved).
    pub fn back(&mut self) {
        if let Some(title) = self.path.pop() {
            self.selected = self.items().iter().position(|i| *i == Item::Menu(title.clone())).unwrap_or(0);
        } else if self.dirty() {
            self.mode = Mode::ConfirmQuit;
        } else {
            self.quit = true;
        }
    }

    /// Enter: opens a submenu, toggles a bool, or starts editing a value.
    pub fn enter(&mut self) {
        match self.current() {
            Some(Item::Menu(title)) => {
                self.path.push(title);
                self.selected = 0;
            }
            Some(Item::Symbol(_)) => {
                let Some(s) = self.current_symbol() else { return };
                if s.ty == SymbolType::Bool {
                    self.toggle();
                } else if let Some(reason) = self.locked(s) {
                    self.status = reason;
                } else {
                    let buffer = s.value.as_ref().map(crate::kconfig::Value::as_text).unwrap_or_default();
                    self.mode = Mode::Edit { buffer };
                }
            }
            None => {}
        }
    }

    /// Why the symbol cannot be changed now, if it cannot.
    pub fn locked(&self, s: &Symbol) -> Option<String> {
        if let SetBy::Select(by) = &s.set_by {
            return Some(format!("{} is selected by {by}: turn {} off first", s.key, crate::kconfig::key_of(by)));
        }
        if let SetBy::Derived(t) = &s.set_by {
            return Some(format!("{} follows device.toml's {t}: bluegen sets it", s.key));
        }
        if s.prompt.is_none() {
            return Some(format!("{} has no prompt: defaults and selects set it", s.key));
        }
        if !s.visible {
            return Some(format!("{} depends on {}, which is false", s.key, s.depends_on.as_deref().unwrap_or("a hidden condition")));
        }
        None
    }

    pub fn toggle(&mut self) {
        if let Some(s) = self.current_symbol() {
            let on = s.value == Some(Value::Bool(true));
            self.set_bool(!on);
        }
    }

    /// `y` / `n` on a bool symbol.
    pub fn set_bool(&mut self, on: bool) {
        let Some(s) = self.current_symbol().cloned() else { return };
        if s.ty != SymbolType::Bool {
            return;
        }
        if let Some(reason) = self.locked(&s) {
            self.status = reason;
            return;
        }
        self.change(&s.key, toml::Value::Boolean(on));
    }

    /// Applies an edited value (Enter in edit mode).
    pub fn commit_edit(&mut self) {
        let Mode::Edit { buffer } = std::mem::replace(&mut self.mode, Mode::Browse) else { return };
        let Some(s) = self.current_symbol().cloned() else { return };
        let value = match s.ty {
            SymbolType::Str => toml::Value::String(buffer),
            SymbolType::Hex => match crate::kconfig::expr::parse_hex(&buffer) {
                Some(h) => toml::Value::String(format!("{h:#x}")),
                None => {
                    self.status = format!("`{buffer}` is not a hexadecimal number");
                    return;
                }
            },
            _ => match buffer.trim().parse::<i64>() {
                Ok(n) => toml::Value::Integer(n),
                Err(_) => {
                    self.status = format!("`{buffer}` is not an integer");
                    return;
                }
            },
        };
        self.change(&s.key, value);
    }

    /// Sets one value and re-resolves; a value that does not validate is refused.
    pub fn change(&mut self, key: &str, value: toml::Value) {
        let mut wanted = self.wanted.clone();
        wanted.retain(|(k, _)| k != key);
        wanted.push((key.to_string(), Some(value.clone())));
        match self.plan.resolve_with(&crate::save::with_wanted(&self.plan, &wanted)) {
            Ok(config) => {
                self.config = config;
                self.wanted = wanted;
                self.status = format!("{key} = {value} (not saved yet: press s)");
            }
            Err(e) => {
                let first = render(&e.diagnostics).lines().next().unwrap_or_default().to_string();
                self.status = format!("refused: {}", first.trim_start_matches("error: "));
            }
        }
    }

    /// Writes the changes to device.toml (only what differs from preset and defaults).
    pub fn save(&mut self) -> Result<()> {
        let (changes, _) = crate::save::changes(&self.plan, &self.wanted)?;
        crate::save::write(&self.plan, &changes)?;
        // Re-read the file so the next save starts from what is on disk.
        let (_, plan) = crate::pipeline::plan(Some(&self.plan.device.manifest), None)?;
        self.config = plan.config.clone();
        self.plan = plan;
        self.wanted.clear();
        self.status = format!("saved {}", self.plan.device.manifest.display());
        Ok(())
    }

    /// Symbols whose name, key or prompt contains the query (case-insensitive).
    pub fn search(&self, query: &str) -> Vec<usize> {
        let q = query.to_lowercase();
        self.config
            .symbols
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                !q.is_empty()
                    && (s.key.contains(&q)
                        || s.name.to_lowercase().contains(&q)
                        || s.prompt.as_deref().is_some_and(|p| p.to_lowercase().contains(&q)))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Jumps to symbol `index`: opens its menu and selects it.
    pub fn jump(&mut self, index: usize) {
        let Some(s) = self.config.symbols.get(index) else { return };
        self.path = s.menu.clone();
        self.selected = self.items().iter().position(|i| *i == Item::Symbol(index)).unwrap_or(0);
        self.mode = Mode::Browse;
    }

    /// The help text of a symbol: value, origin, location, dependencies.
    pub fn help(&self, s: &Symbol) -> Vec<String> {
        let mut lines = vec![
            format!("{} — {}", s.key, s.prompt.as_deref().unwrap_or("(no prompt)")),
            String::new(),
            format!("Symbol:     {} ({})", s.name, s.ty.name()),
            format!("Value:      {}", s.value.as_ref().map_or("(off)".to_string(), Value::as_text)),
            format!("Set by:     {}", crate::kconfig::show::set_by_text(&s.set_by)),
            format!("Defined at: {} (component {})", s.defined_at, s.component),
            format!("Depends on: {}", s.depends_on.as_deref().unwrap_or("nothing")),
        ];
        if let Some((lo, hi)) = s.range {
            lines.push(format!("Range:      {lo} .. {hi}"));
        }
        if !s.selects.is_empty() {
            lines.push(format!("Selects:    {}", s.selects.join(", ")));
        }
        let by: Vec<&str> = self.config.symbols.iter().filter(|o| o.selects.contains(&s.name)).map(|o| o.name.as_str()).collect();
        if !by.is_empty() {
            lines.push(format!("Selected by: {}", by.join(", ")));
        }
        if let Some(reason) = self.locked(s) {
            lines.push(format!("Locked:     {reason}"));
        }
        lines.push(String::new());
        lines.extend(s.help.as_deref().unwrap_or("(no help text)").lines().map(str::to_string));
        lines
    }
}
