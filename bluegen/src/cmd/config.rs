//! `bluegen config`: the resolved configuration, explained.
//!
//! Without flags: every symbol grouped by menu, with its value and who set it.
//! `--why SYMBOL` explains one symbol; `--json` is for machines; `--minimal`
//! prints the smallest `[features]` table that gives the same configuration.

mod set;

use std::path::PathBuf;

use crate::diag::{Diagnostic, Error, Result};
use crate::kconfig::show::{set_by_kind, set_by_text, toml_value, type_name};
use crate::kconfig::{Config, Origin, Symbol, Value};
use crate::resolve::Plan;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cmd {
    #[command(subcommand)]
    pub action: Option<set::Action>,
    /// A device.toml, or a directory holding one [default: .]
    pub path: Option<PathBuf>,
    /// Resolve for this board instead of the one device.toml names.
    #[arg(long)]
    pub board: Option<String>,
    /// Explain one symbol: value, origin, dependencies, what it selects.
    #[arg(long, value_name = "SYMBOL", conflicts_with_all = ["json", "minimal"])]
    pub why: Option<String>,
    /// Print a JSON array, one object per symbol.
    #[arg(long, conflicts_with = "minimal")]
    pub json: bool,
    /// Print the smallest [features] table that reproduces this configuration.
    #[arg(long)]
    pub minimal: bool,
}

impl Cmd {
    pub fn run(self) -> Result<u8> {
        if let Some(action) = self.action {
            return action.run();
        }
        let (_, plan) = crate::pipeline::plan(self.path.as_deref(), self.board.as_deref())?;
        if let Some(name) = &self.why {
            crate::out!("{}", why(&plan.config, name)?)?;
        } else if self.json {
            let rows: Vec<_> = plan.config.symbols.iter().map(json_row).collect();
            crate::outln!("{}", serde_json::to_string_pretty(&rows).map_err(|e| Error::msg(e.to_string()))?)?;
        } else if self.minimal {
            crate::out!("{}", minimal(&plan)?)?;
        } else {
            crate::out!("{}", listing(&plan.config))?;
        }
        Ok(0)
    }
}

/// `bluegen config . set x=1`, which clap refuses (`set` after a path): a
/// usage error that shows the right order, `bluegen config set . x=1`.
/// Called only once clap has failed to parse `args` (without argv\[0\]).
pub fn misordered(args: &[String]) -> Option<Diagnostic> {
    let config = args.iter().position(|a| a == "config")?;
    let rest = &args[config + 1..];
    let action = rest.iter().position(|a| a == "set" || a == "unset")?;
    let before = &rest[..action];
    before.iter().any(|a| !a.starts_with('-')).then_some(())?;
    let mut right: Vec<&str> = vec!["bluegen"];
    right.extend(args[..=config].iter().map(String::as_str));
    right.push(&rest[action]);
    right.extend(before.iter().chain(&rest[action + 1..]).map(String::as_str));
    // shlex would quote `x=1` too; only words a shell would split need it.
    let plain = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || "_./=:,+@%-".contains(c));
    let words: Vec<String> = right.iter().map(|w| if plain(w) { w.to_string() } else { shlex::try_quote(w).map_or_else(|_| w.to_string(), |q| q.into_owned()) }).collect();
    let line = words.join(" ");
    Some(
        Diagnostic::error(format!("`{}` comes before the device path", rest[action]))
            .key(rest[action].clone())
            .why(format!("`{}` is a subcommand of `bluegen config`; its path and symbols follow it: `bluegen config {} [PATH] SYMBOL...`", rest[action], rest[action]))
            .hint(format!("run `{line}`")),
    )
}

fn listing(config: &Config) -> String {
    let mut out = String::new();
    let width = config.symbols.iter().map(|s| s.key.len()).max().unwrap_or(0);
    let mut menu: Option<&[String]> = None;
    for s in &config.symbols {
        if menu != Some(&s.menu[..]) {
            menu = Some(&s.menu[..]);
            let title = if s.menu.is_empty() { format!("({})", s.component) } else { s.menu.join(" → ") };
            out.push_str(&format!("\n# {title}\n"));
        }
        let value = s.value.as_ref().map_or_else(|| "(off: dependencies unmet)".to_string(), toml_value);
        out.push_str(&format!("{:<width$} = {:<12} # {}\n", s.key, value, set_by_text(&s.set_by)));
    }
    out.trim_start().to_string()
}

fn find<'a>(config: &'a Config, name: &str) -> Result<&'a Symbol> {
    let wanted = name.trim().to_uppercase().replace('-', "_");
    config.symbols.iter().find(|s| s.name == wanted).ok_or_else(|| {
        let why = if name.trim().is_empty() { "the name is empty" } else { "no component of this image declares it" };
        Diagnostic::error(format!("unknown symbol `{name}`"))
            .key("--why")
            .value(name)
            .why(why)
            .suggest(name, config.symbols.iter().map(|s| s.key.as_str()), "`bluegen config` lists every symbol of this image")
            .into()
    })
}

fn why(config: &Config, name: &str) -> Result<String> {
    let s = find(config, name)?;
    let mut out = String::new();
    let value = s.value.as_ref().map_or_else(|| "off (dependencies unmet)".to_string(), toml_value);
    out.push_str(&format!("{} = {value}  ({}, {})\n", s.key, type_name(s), s.name));
    out.push_str(&format!("  set by:     {}\n", set_by_text(&s.set_by)));
    out.push_str(&format!("  declared:   {} (component {})\n", s.defined_at, s.component));
    if let Some(prompt) = &s.prompt {
        out.push_str(&format!("  prompt:     {prompt}\n"));
    }
    if !s.menu.is_empty() {
        out.push_str(&format!("  menu:       {}\n", s.menu.join(" → ")));
    }
    out.push_str(&format!("  depends on: {}\n", s.depends_on.as_deref().unwrap_or("nothing")));
    if let Some((lo, hi)) = s.range {
        out.push_str(&format!("  range:      {lo} ..= {hi}\n"));
    }
    let selects = config.selects_of(&s.name);
    if !selects.is_empty() {
        out.push_str(&format!("  selects:    {}\n", selects.join(", ")));
    }
    let selected_by: Vec<String> = config
        .symbols
        .iter()
        .filter(|o| config.selects_of(&o.name).iter().any(|t| *t == s.name))
        .map(|o| o.name.clone())
        .collect();
    if !selected_by.is_empty() {
        out.push_str(&format!("  selected by: {}\n", selected_by.join(", ")));
    }
    if let Some(help) = &s.help {
        out.push_str("  help:\n");
        for line in help.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    Ok(out)
}

fn json_row(s: &Symbol) -> serde_json::Value {
    let value = match &s.value {
        None => serde_json::Value::Null,
        Some(Value::Bool(b)) => (*b).into(),
        Some(Value::Int(i)) => (*i).into(),
        Some(Value::Hex(h)) => format!("{h:#x}").into(),
        Some(Value::Str(v)) => v.clone().into(),
    };
    serde_json::json!({
        "name": s.key,
        "symbol": s.name,
        "type": type_name(s),
        "value": value,
        "set_by": set_by_kind(&s.set_by),
        "set_by_detail": set_by_text(&s.set_by),
        "depends_on": s.depends_on,
        "range": s.range.map(|(lo, hi)| [lo, hi]),
        "component": s.component,
        "prompt": s.prompt,
        "menu": s.menu,
        "defined_at": s.defined_at,
    })
}

/// The device's own assignments that are still needed once each of the
/// others is dropped (greedy, in file order), as a `[features]` table.
fn minimal(plan: &Plan) -> Result<String> {
    let values = |config: &Config| -> Vec<(String, Option<Value>)> {
        config.symbols.iter().map(|s| (s.name.clone(), s.value.clone())).collect()
    };
    let target = values(&plan.config);
    let mut kept: Vec<_> = plan.device.features.clone();
    let mut i = 0;
    while i < kept.len() {
        let without: Vec<_> = kept.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, a)| a.clone()).collect();
        match plan.resolve_with(&without) {
            Ok(config) if values(&config) == target => {
                kept.remove(i);
            }
            _ => i += 1,
        }
    }
    let mut out = String::from("[features]\n");
    for a in kept.iter().filter(|a| matches!(a.origin, Origin::User)) {
        out.push_str(&format!("{} = {}\n", a.key, a.value));
    }
    Ok(out)
}
