//! Evaluation: assignments applied to the tree, iterated to a fixed point.
//!
//! Each round recomputes every symbol from the current values: a `select`
//! forces a bool on (even against unmet dependencies, with a warning); a
//! visible symbol takes the device's or preset's value; otherwise the first
//! default whose condition holds applies, raised to `y` by an `imply`; a
//! symbol whose dependencies are unmet is off (bool) or has no value (int,
//! hex, string; it reads as "" in expressions, as in Kconfig). Choices pick
//! the assigned member, else their first default that is visible, else their
//! first visible member; optional choices may pick none.
//!
//! Later assignments win: a device's value over a preset's, and a device's
//! (or a later preset's) choice member over a preset's. A preset's value
//! that cannot apply (dependencies unmet, or `false` against a select)
//! gives way silently, as a defconfig line would; the same from a device is
//! an error. Every assignment is checked against the result, and all
//! mistakes come back together in one [`Error`].

use std::collections::HashMap;

use super::expr::{Expr, Values};
use super::tree::{SymDef, Tree};
use super::{Assignment, Config, Origin, SetBy, Symbol, SymbolType, Value, key_of, name_of};
use crate::diag::{Diagnostic, Error, Result};

struct UserValue<'a> {
    value: Value,
    assignment: &'a Assignment,
    /// Position among the assignments: later ones win.
    order: usize,
}

/// Rounds of evaluation before giving up on a fixed point.
const MAX_ROUNDS: usize = 64;

/// Resolves `assignments` (preset ones first, then the device's; a later
/// one for the same key wins) against `tree`.
pub fn resolve(tree: &Tree, assignments: &[Assignment]) -> Result<Config> {
    let mut errors = Vec::new();
    let mut warnings = tree.warnings.clone();
    let mut user: HashMap<usize, UserValue> = HashMap::new();
    for (order, a) in assignments.iter().enumerate() {
        let name = name_of(&a.key);
        let Some(&i) = tree.index.get(&name) else {
            errors.push(unknown(tree, a));
            continue;
        };
        let sym = &tree.syms[i];
        match typed(sym, &a.value) {
            Ok(value) => {
                if sym.tristate && a.value.as_str() == Some("m") {
                    warnings.push(at(
                        Diagnostic::warning(format!("`{}` is a tristate; `m` is treated as `y`", a.key)),
                        a,
                        sym,
                    ));
                }
                user.insert(i, UserValue { value, assignment: a, order });
            }
            Err(d) => errors.push(with_location(*d, a)),
        }
    }
    overridden_choice_picks(tree, &mut user);

    let selected_by = reverse(tree, |s| &s.selects);
    let implied_by = reverse(tree, |s| &s.implies);
    let mut values: Values = HashMap::new();
    let mut set_by: Vec<SetBy> = vec![SetBy::Default; tree.syms.len()];
    // Int, hex and string symbols without a value read as "" (as in Kconfig).
    let mut unset = vec![false; tree.syms.len()];
    let mut settled = false;
    let mut changed = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let before = values.clone();
        for (i, sym) in tree.syms.iter().enumerate() {
            if sym.choice.is_some() && sym.ty == SymbolType::Bool {
                continue;
            }
            let (value, by) = evaluate(tree, i, sym, &values, &user, &selected_by, &implied_by);
            unset[i] = value.is_none();
            values.insert(sym.name.clone(), value.unwrap_or_else(|| Value::Str(String::new())));
            set_by[i] = by;
        }
        for c in &tree.choices {
            let chosen = choose(tree, c, &values, &user);
            for &m in &c.members {
                let on = chosen == Some(m);
                values.insert(tree.syms[m].name.clone(), Value::Bool(on));
                set_by[m] = match user.get(&m) {
                    Some(u) if on || visible(&tree.syms[m], &values) => by_origin(&u.assignment.origin),
                    _ => SetBy::Default,
                };
            }
        }
        if values == before {
            settled = true;
            break;
        }
        changed =
            tree.syms.iter().filter(|s| values.get(&s.name) != before.get(&s.name)).map(|s| s.name.clone()).collect();
    }
    if !settled {
        errors.push(
            Diagnostic::error("the Kconfig symbols do not settle on a value")
                .why(format!("after {MAX_ROUNDS} rounds these still change: {}", changed.join(", ")))
                .hint("look for a dependency loop between them (a symbol whose default or select depends on itself)"),
        );
    }

    // Check every assignment against the result.
    let mut choice_users: HashMap<usize, Vec<&Assignment>> = HashMap::new();
    for (&i, u) in &user {
        let sym = &tree.syms[i];
        let a = u.assignment;
        if matches!(a.origin, Origin::Derived(_)) {
            continue;
        }
        if sym.prompt.is_none() {
            errors.push(no_prompt(tree, sym, a, &selected_by));
            continue;
        }
        let deps_ok = sym.deps.truth(&values);
        let prompt_ok = sym.prompt_if.truth(&values);
        let turning_off = u.value == Value::Bool(false);
        // A preset's value for a symbol the device has switched off by a
        // dependency simply does not apply (as with a defconfig).
        let from_preset = matches!(a.origin, Origin::Preset(_) | Origin::Board(_));
        if !(turning_off || from_preset || deps_ok && prompt_ok) {
            let shown = |n: &str| match tree.index.get(n) {
                Some(&j) if unset[j] => format!("{n} has no value"),
                _ => format!("{n} = {}", values.get(n).map_or_else(|| "n".to_string(), Value::kconfig_text)),
            };
            errors.push(if deps_ok {
                unmet(sym, a, &sym.prompt_if, &values, &shown, true)
            } else {
                unmet(sym, a, &sym.deps, &values, &shown, false)
            });
            continue;
        }
        let selectors = active(&selected_by[i], tree, &values);
        if !(deps_ok && prompt_ok) {
            continue;
        }
        // A preset's `false` gives way to a select, as a default would.
        if turning_off && !selectors.is_empty() && !from_preset {
            errors.push(contradicts_select(tree, sym, a, &selectors));
            continue;
        }
        if let (Some((lo, hi)), Some(n)) = (range(sym, &values), u.value.as_number()) {
            if n < i128::from(lo) || n > i128::from(hi) {
                errors.push(out_of_range(sym, a, lo, hi));
            }
        }
        if let (Some(c), Value::Bool(true), Origin::User) = (sym.choice, &u.value, &a.origin) {
            choice_users.entry(c).or_default().push(a);
        }
    }
    for (c, mut set) in choice_users {
        if set.len() > 1 {
            set.sort_by_key(|a| a.location.as_ref().map(|l| (l.file.clone(), l.line)));
            errors.push(two_in_choice(tree, c, &set));
        }
    }
    for (i, sym) in tree.syms.iter().enumerate() {
        if values.get(&sym.name) == Some(&Value::Bool(true)) && !sym.deps.truth(&values) {
            if let SetBy::Select(by) = &set_by[i] {
                let selector = tree.sym(by).map_or(String::new(), |s| s.defined_at.clone());
                warnings.push(
                    Diagnostic::warning(format!("{by} selects {}, whose dependencies are unmet", sym.name))
                        .why(format!(
                            "{} depends on `{}`, which is false; a select turns it on all the same",
                            sym.name, sym.deps
                        ))
                        .note(format!("{by} declared at {selector}"))
                        .note(format!("{} declared at {}", sym.name, sym.defined_at)),
                );
            }
        }
    }
    errors.sort_by_key(|d| d.location.as_ref().map(|l| (l.file.clone(), l.line, l.col)));
    Error::check(errors)?;

    let symbols = tree
        .syms
        .iter()
        .enumerate()
        .map(|(i, s)| Symbol {
            name: s.name.clone(),
            key: key_of(&s.name),
            ty: s.ty,
            value: if s.ty == SymbolType::Bool {
                Some(values.get(&s.name).cloned().unwrap_or(Value::Bool(false)))
            } else {
                values.get(&s.name).cloned().filter(|_| !unset[i])
            },
            set_by: set_by[i].clone(),
            component: s.component.clone(),
            prompt: s.prompt.clone(),
            help: s.help.clone(),
            depends_on: (!s.deps.is_true_const()).then(|| s.deps.to_string()),
            range: range(s, &values),
            menu: s.menu.clone(),
            defined_at: s.defined_at.clone(),
            selects: s.selects.iter().map(|(n, _)| n.clone()).collect(),
            visible: visible(s, &values),
            choice: s.choice.map(|c| tree.choices[c].prompt.clone().unwrap_or_else(|| "choice".into())),
            numeric_defaults: s
                .defaults
                .iter()
                .filter_map(|(v, _)| match v {
                    Expr::Const(c) => c.as_number(),
                    _ => None,
                })
                .collect(),
        })
        .collect();
    Ok(Config { symbols, warnings })
}

fn by_origin(origin: &Origin) -> SetBy {
    match origin {
        Origin::User => SetBy::User,
        Origin::Preset(p) => SetBy::Preset(p.clone()),
        Origin::Board(b) => SetBy::Board(b.clone()),
        Origin::Derived(d) => SetBy::Derived(d.clone()),
    }
}

fn visible(sym: &SymDef, values: &Values) -> bool {
    sym.prompt.is_some() && sym.deps.truth(values) && sym.prompt_if.truth(values)
}

/// For each symbol, who selects (or implies) it and under which condition.
fn reverse(tree: &Tree, edges: impl Fn(&SymDef) -> &Vec<(String, Expr)>) -> Vec<Vec<(usize, Expr)>> {
    let mut out = vec![Vec::new(); tree.syms.len()];
    for (i, s) in tree.syms.iter().enumerate() {
        for (target, cond) in edges(s) {
            if let Some(&t) = tree.index.get(target) {
                out[t].push((i, cond.clone()));
            }
        }
    }
    out
}

/// The names of the symbols in `edges` that are on and whose condition holds.
fn active(edges: &[(usize, Expr)], tree: &Tree, values: &Values) -> Vec<String> {
    edges
        .iter()
        .filter(|(s, cond)| values.get(&tree.syms[*s].name) == Some(&Value::Bool(true)) && cond.truth(values))
        .map(|(s, _)| tree.syms[*s].name.clone())
        .collect()
}

fn evaluate(
    tree: &Tree,
    i: usize,
    sym: &SymDef,
    values: &Values,
    user: &HashMap<usize, UserValue>,
    selected_by: &[Vec<(usize, Expr)>],
    implied_by: &[Vec<(usize, Expr)>],
) -> (Option<Value>, SetBy) {
    let deps = sym.deps.truth(values);
    if sym.ty == SymbolType::Bool {
        if let Some(by) = active(&selected_by[i], tree, values).into_iter().next() {
            return (Some(Value::Bool(true)), SetBy::Select(by));
        }
    }
    if !deps {
        return (if sym.ty == SymbolType::Bool { Some(Value::Bool(false)) } else { None }, SetBy::Default);
    }
    // Bluegen's own values apply to a symbol without a prompt too.
    if let Some(u) = user.get(&i).filter(|u| visible(sym, values) || matches!(u.assignment.origin, Origin::Derived(_))) {
        return (Some(u.value.clone()), by_origin(&u.assignment.origin));
    }
    let default = sym.defaults.iter().find(|(_, cond)| cond.truth(values)).map(|(v, _)| v.value(values));
    match sym.ty {
        SymbolType::Bool => {
            let on = matches!(default, Some(Value::Bool(true)));
            if !on {
                if let Some(by) = active(&implied_by[i], tree, values).into_iter().next() {
                    return (Some(Value::Bool(true)), SetBy::Imply(by));
                }
            }
            (Some(Value::Bool(on)), SetBy::Default)
        }
        SymbolType::Int | SymbolType::Hex => {
            let n = default.as_ref().and_then(Value::as_number).unwrap_or(0);
            // Kconfig clamps a default into the range in force.
            // (A range whose bounds are swapped is the Kconfig author's slip: no clamp.)
            let n = match range(sym, values) {
                Some((lo, hi)) if lo <= hi => n.clamp(i128::from(lo), i128::from(hi)),
                _ => n,
            };
            let v = if sym.ty == SymbolType::Int { Value::Int(n as i64) } else { Value::Hex(n as u64) };
            (Some(v), SetBy::Default)
        }
        SymbolType::Str => (Some(Value::Str(default.map(|v| v.as_text()).unwrap_or_default())), SetBy::Default),
    }
}

/// The member a choice picks, if any.
fn choose(tree: &Tree, c: &super::tree::ChoiceDef, values: &Values, user: &HashMap<usize, UserValue>) -> Option<usize> {
    if !c.deps.truth(values) {
        return None;
    }
    // Members whose prompt shows; a member without a prompt counts when its
    // dependencies hold (Kconfig would not show it, but it is the author's).
    let shown: Vec<usize> = c
        .members
        .iter()
        .copied()
        .filter(|&m| {
            let s = &tree.syms[m];
            s.deps.truth(values) && (s.prompt.is_none() || s.prompt_if.truth(values))
        })
        .collect();
    let picked = shown.iter().filter(|m| user.get(m).is_some_and(|u| u.value == Value::Bool(true)));
    if let Some(&m) = picked.max_by_key(|m| user[m].order) {
        return Some(m);
    }
    if c.optional {
        return None;
    }
    let by_default = c
        .defaults
        .iter()
        .filter(|(_, cond)| cond.truth(values))
        .filter_map(|(name, _)| tree.index.get(name).copied())
        .find(|m| shown.contains(m));
    let all_off_by_user = |m: &usize| user.get(m).is_some_and(|u| u.value == Value::Bool(false));
    by_default
        .filter(|m| !all_off_by_user(m))
        .or_else(|| shown.iter().copied().find(|m| !all_off_by_user(m)))
        .or(by_default)
}

/// Drops preset picks of a choice member that a later assignment overrides:
/// a device (or a later preset) that picks another member of the choice.
fn overridden_choice_picks(tree: &Tree, user: &mut HashMap<usize, UserValue>) {
    for c in &tree.choices {
        let picks: Vec<(usize, usize, bool)> = c
            .members
            .iter()
            .filter_map(|m| {
                user.get(m)
                    .filter(|u| u.value == Value::Bool(true))
                    .map(|u| (*m, u.order, u.assignment.origin == Origin::User))
            })
            .collect();
        let by_user = picks.iter().any(|&(_, _, is_user)| is_user);
        let last_preset = picks.iter().filter(|p| !p.2).map(|p| p.1).max();
        for &(m, order, is_user) in &picks {
            if !is_user && (by_user || Some(order) != last_preset) {
                user.remove(&m);
            }
        }
    }
}

/// The range in force: the first whose condition holds.
fn range(sym: &SymDef, values: &Values) -> Option<(i64, i64)> {
    let (lo, hi, _) = sym.ranges.iter().find(|(_, _, cond)| cond.truth(values))?;
    let n = |e: &Expr| e.value(values).as_number().map(|n| n as i64);
    Some((n(lo)?, n(hi)?))
}

/// The assignment's TOML value as the symbol's type.
fn typed(sym: &SymDef, v: &toml::Value) -> std::result::Result<Value, Box<Diagnostic>> {
    let got = match v {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(n) if *n < 0 && sym.ty == SymbolType::Hex => "a negative integer",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Float(_) => "a float",
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
        toml::Value::Datetime(_) => "a date",
    };
    let value = match (sym.ty, v) {
        (SymbolType::Bool, toml::Value::Boolean(b)) => Some(Value::Bool(*b)),
        (SymbolType::Bool, toml::Value::String(s)) if sym.tristate && s == "m" => Some(Value::Bool(true)),
        (SymbolType::Int, toml::Value::Integer(n)) => Some(Value::Int(*n)),
        (SymbolType::Hex, toml::Value::Integer(n)) if *n >= 0 => Some(Value::Hex(*n as u64)),
        (SymbolType::Hex, toml::Value::String(s)) if s.starts_with("0x") || s.starts_with("0X") => {
            super::expr::parse_hex(s).map(Value::Hex)
        }
        (SymbolType::Str, toml::Value::String(s)) => Some(Value::Str(s.clone())),
        _ => None,
    };
    if let (None, SymbolType::Hex, toml::Value::String(s)) = (&value, sym.ty, v) {
        if let Some(d) = bad_hex_string(sym, s) {
            return Err(Box::new(d));
        }
    }
    value.ok_or_else(|| {
        let key = key_of(&sym.name);
        let (wanted, article) = match sym.ty {
            SymbolType::Bool => ("boolean", "a"),
            SymbolType::Int => ("integer", "an"),
            SymbolType::Hex => ("hex number", "a"),
            SymbolType::Str => ("string", "a"),
        };
        let hint = match sym.ty {
            SymbolType::Hex => format!("write `{key} = {}` (a TOML hex integer) or `{key} = \"{0}\"`", example(sym, v)),
            _ => format!("write `{key} = {}`", example(sym, v)),
        };
        Box::new(
            Diagnostic::error(format!("`{key}` takes {article} {wanted}, not {got}"))
                .key(format!("features.{key}"))
                .value(v.to_string())
                .why(format!(
                    "{} is {} {} symbol",
                    sym.name,
                    if sym.ty == SymbolType::Int { "an" } else { "a" },
                    sym.ty.name()
                ))
                .note(format!("declared at {}", sym.defined_at))
                .hint(hint),
        )
    })
}

/// A hex string that is no hex number: too long for 64 bits, or not hex
/// digits (string values are accepted, so "not a string" would be wrong).
fn bad_hex_string(sym: &SymDef, s: &str) -> Option<Diagnostic> {
    let t = s.trim();
    let digits = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X"))?.replace('_', "");
    let (key, long) = (key_of(&sym.name), digits.trim_start_matches('0').len());
    let hex = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_hexdigit());
    let (message, why, hint) = match (hex, long > 16) {
        (true, false) => return None,
        (true, true) => (format!("`{key}` is too large for 64 bits"), format!("{} is a hex symbol of at most 64 bits (16 hex digits); this value has {long} significant digits", sym.name), "write an address of the target"),
        (false, _) => (format!("`{key}` takes a hex number, not {t:?}"), format!("{} is a hex symbol: after `0x` come hex digits 0-9, a-f and `_`", sym.name), "write a hex number"),
    };
    let d = Diagnostic::error(message).key(format!("features.{key}")).value(toml::Value::String(s.to_string()).to_string()).why(why);
    Some(d.note(format!("declared at {}", sym.defined_at)).hint(format!("{hint}, e.g. `{key} = {}`", example(sym, &toml::Value::Integer(0)))))
}

/// A value of the symbol's type for a hint: what the user meant if it can
/// tell (`"yes"` → `true`, `"20000000"` → `0x20000000`), else its default.
fn example(sym: &SymDef, v: &toml::Value) -> String {
    let text = match v {
        toml::Value::String(s) => s.trim().to_string(),
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Float(f) => f.to_string(),
        _ => String::new(),
    };
    let default = sym.defaults.iter().find_map(|(e, _)| match e {
        Expr::Const(c) => c.as_number(),
        _ => None,
    });
    let floor = sym.ranges.first().and_then(|(lo, _, _)| match lo {
        Expr::Const(c) => c.as_number(),
        _ => None,
    });
    match sym.ty {
        SymbolType::Bool => {
            let off = matches!(text.to_lowercase().as_str(), "n" | "no" | "false" | "off" | "0" | "disabled");
            (!off).to_string()
        }
        SymbolType::Int => match text.parse::<i64>() {
            Ok(n) => n.to_string(),
            Err(_) => default.or(floor).unwrap_or(0).to_string(),
        },
        SymbolType::Hex => {
            match super::expr::parse_hex(&text).filter(|_| !matches!(v, toml::Value::Integer(n) if *n < 0)) {
                Some(h) if !text.is_empty() && !matches!(v, toml::Value::Integer(_)) => format!("{h:#x}"),
                _ => format!("{:#x}", default.or(floor).unwrap_or(0)),
            }
        }
        SymbolType::Str => toml::Value::String(text).to_string(),
    }
}

fn at(d: Diagnostic, a: &Assignment, sym: &SymDef) -> Diagnostic {
    d.at(a.location.clone()).key(format!("features.{}", a.key)).note(format!("declared at {}", sym.defined_at))
}

fn unknown(tree: &Tree, a: &Assignment) -> Diagnostic {
    let keys: Vec<String> = tree.syms.iter().map(|s| key_of(&s.name)).collect();
    let d = Diagnostic::error(format!("unknown feature `{}`", a.key))
        .at(a.location.clone())
        .key(format!("features.{}", a.key))
        .why(format!("no component of this image declares {} in its Kconfig", name_of(&a.key)));
    match crate::diag::did_you_mean(&a.key, keys.iter().map(String::as_str)) {
        Some(hint) => d.hint(hint),
        // The posix component is in images of C apps only.
        None if a.key.starts_with("posix-") => d.hint("the POSIX option groups are for C apps: add a [c] table with the app's C sources to device.toml"),
        None => d.hint("`bluegen config` lists every symbol of the image"),
    }
}

fn with_location(d: Diagnostic, a: &Assignment) -> Diagnostic {
    let d = d.at(a.location.clone());
    match &a.origin {
        Origin::Preset(p) => d.note(format!("set by preset `{p}`")),
        Origin::Board(b) => d.note(format!("set by board `{b}`")),
        Origin::Derived(t) => d.note(format!("set by bluegen from device.toml's {t}")),
        Origin::User => d,
    }
}

fn no_prompt(tree: &Tree, sym: &SymDef, a: &Assignment, selected_by: &[Vec<(usize, Expr)>]) -> Diagnostic {
    let i = tree.index[&sym.name];
    let selectors: Vec<&str> = selected_by[i].iter().map(|(s, _)| tree.syms[*s].name.as_str()).collect();
    let source = if selectors.is_empty() {
        "its defaults".to_string()
    } else {
        format!("its defaults and the selects of {}", selectors.join(", "))
    };
    with_location(
        Diagnostic::error(format!("`{}` cannot be set by a device", a.key))
            .key(format!("features.{}", a.key))
            .value(a.value.to_string())
            .why(format!("{} has no prompt: its value comes from {source}", sym.name))
            .note(format!("declared at {}", sym.defined_at))
            .hint(match selectors.first() {
                Some(s) => format!("remove this line; set `{} = true` to turn it on", key_of(s)),
                None => "remove this line".into(),
            }),
        a,
    )
}

fn unmet(
    sym: &SymDef,
    a: &Assignment,
    expr: &Expr,
    values: &Values,
    shown: &dyn Fn(&str) -> String,
    prompt: bool,
) -> Diagnostic {
    let current: Vec<String> = expr.culprits(values).iter().map(|n| shown(n)).collect();
    let hint = match expr.fix(values) {
        Some(fixes) if !fixes.is_empty() => {
            let sets: Vec<String> =
                fixes.iter().map(|(n, v)| format!("`{} = {}`", key_of(n), v.toml_literal())).collect();
            format!("set {}, or remove this line", sets.join(" and "))
        }
        _ => format!("make `{expr}` true, or remove this line"),
    };
    let why = if prompt {
        format!("{} can be set only if `{expr}`, which is false ({})", sym.name, current.join(", "))
    } else {
        format!("{} depends on `{expr}`, which is false ({})", sym.name, current.join(", "))
    };
    with_location(
        Diagnostic::error(format!("`{}` cannot be set: its dependencies are unmet", a.key))
            .key(format!("features.{}", a.key))
            .value(a.value.to_string())
            .why(why)
            .note(format!("declared at {}", sym.defined_at))
            .hint(hint),
        a,
    )
}

fn contradicts_select(tree: &Tree, sym: &SymDef, a: &Assignment, selectors: &[String]) -> Diagnostic {
    let sel = selectors.join(", ");
    let mut d = Diagnostic::error(format!("`{} = false` contradicts a select", a.key))
        .key(format!("features.{}", a.key))
        .value("false")
        .why(format!("{sel} selects {}, so it is on whenever {sel} is", sym.name))
        .note(format!("{} declared at {}", sym.name, sym.defined_at));
    for s in selectors.iter().filter_map(|s| tree.sym(s)) {
        d = d.note(format!("{} declared at {}", s.name, s.defined_at));
    }
    // A selector without a prompt is bluegen's to set (from a table of
    // device.toml), never the device's: only the line can go.
    if selectors.iter().any(|s| tree.sym(s).is_some_and(|s| s.prompt.is_none())) {
        return with_location(d.hint(format!("remove this line: {sel} needs {}, and bluegen sets {sel} from device.toml", sym.name)), a);
    }
    let offs: Vec<String> = selectors.iter().map(|s| format!("`{} = false`", key_of(s))).collect();
    with_location(d.hint(format!("remove this line, or set {}", offs.join(" and "))), a)
}

fn out_of_range(sym: &SymDef, a: &Assignment, lo: i64, hi: i64) -> Diagnostic {
    let (lo_s, hi_s) = if sym.ty == SymbolType::Hex {
        (format!("{lo:#x}"), format!("{hi:#x}"))
    } else {
        (lo.to_string(), hi.to_string())
    };
    with_location(
        Diagnostic::error(format!("`{}` is out of range", a.key))
            .key(format!("features.{}", a.key))
            .value(a.value.to_string())
            .why(format!("{} must be between {lo_s} and {hi_s} (range {lo_s} {hi_s})", sym.name))
            .note(format!("declared at {}", sym.defined_at))
            .hint(format!("use a value from {lo_s} to {hi_s}")),
        a,
    )
}

fn two_in_choice(tree: &Tree, c: usize, set: &[&Assignment]) -> Diagnostic {
    let choice = &tree.choices[c];
    let keys: Vec<String> = set.iter().map(|a| format!("`{}`", a.key)).collect();
    let (head, last_key) = keys.split_at(keys.len() - 1);
    let (listed, both) = if head.len() == 1 {
        (format!("{} and {}", head[0], last_key[0]), "both")
    } else {
        (format!("{} and {}", head.join(", "), last_key[0]), "all")
    };
    let members: Vec<&str> = choice.members.iter().map(|&m| tree.syms[m].name.as_str()).collect();
    let last = set.last().expect("two or more");
    let mut d = Diagnostic::error(format!("{listed} cannot {both} be true: they belong to one choice"))
        .key(format!("features.{}", last.key))
        .why(format!(
            "only one member of the choice \"{}\" can be on ({})",
            choice.prompt.as_deref().unwrap_or("(unnamed)"),
            members.join(", ")
        ))
        .note(format!("choice declared at {}", choice.defined_at));
    for a in &set[..set.len() - 1] {
        if let Some(loc) = &a.location {
            d = d.note(format!("`{}` is set at {loc}", a.key));
        }
    }
    with_location(d.hint("keep one of them"), last)
}
