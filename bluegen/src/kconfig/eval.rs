//! Evaluation: assignments applied to the tree, iterated to a fixed point.
//!
//! Each round recomputes every symbol from the current values: a `select`
//! forces a bool on; a visible symbol takes the user's (or preset's) value;
//! otherwise the first default whose condition holds applies, raised to `y`
//! by an `imply`; a symbol whose dependencies are unmet is off. Choices pick
//! the user's member, else their default, else their first visible member.
//! Then every assignment is checked against the result, and all mistakes
//! come back together.

use std::collections::HashMap;

use super::expr::{Expr, Values};
use super::tree::{SymDef, Tree};
use super::{Assignment, Config, Origin, SetBy, Symbol, SymbolType, Value, key_of, name_of};
use crate::diag::{Diagnostic, Error, Result};

struct UserValue<'a> {
    value: Value,
    assignment: &'a Assignment,
}

/// Resolves `assignments` (preset ones first, then the device's; a later
/// one for the same key wins) against `tree`.
pub fn resolve(tree: &Tree, assignments: &[Assignment]) -> Result<Config> {
    let mut errors = Vec::new();
    let mut warnings = tree.warnings.clone();
    let mut user: HashMap<usize, UserValue> = HashMap::new();
    for a in assignments {
        let name = name_of(&a.key);
        let Some(&i) = tree.index.get(&name) else {
            errors.push(unknown(tree, a));
            continue;
        };
        let sym = &tree.syms[i];
        match typed(sym, &a.value) {
            Ok(value) => {
                if sym.tristate && a.value.as_str() == Some("m") {
                    warnings.push(at(Diagnostic::warning(format!("`{}` is a tristate; `m` is treated as `y`", a.key)), a, sym));
                }
                user.insert(i, UserValue { value, assignment: a });
            }
            Err(d) => errors.push(with_location(d, a)),
        }
    }

    let selected_by = reverse(tree, |s| &s.selects);
    let implied_by = reverse(tree, |s| &s.implies);
    let mut values: Values = HashMap::new();
    let mut set_by: Vec<SetBy> = vec![SetBy::Default; tree.syms.len()];
    for _ in 0..64 {
        let before = values.clone();
        for (i, sym) in tree.syms.iter().enumerate() {
            if sym.choice.is_some() && sym.ty == SymbolType::Bool {
                continue;
            }
            let (value, by) = evaluate(tree, i, sym, &values, &user, &selected_by, &implied_by);
            set(&mut values, &sym.name, value);
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
            break;
        }
    }

    // Check every assignment against the result.
    let mut choice_users: HashMap<usize, Vec<&Assignment>> = HashMap::new();
    for (&i, u) in &user {
        let sym = &tree.syms[i];
        let a = u.assignment;
        if sym.prompt.is_none() {
            errors.push(no_prompt(tree, sym, a, &selected_by));
            continue;
        }
        let deps_ok = sym.deps.truth(&values);
        let prompt_ok = sym.prompt_if.truth(&values);
        let turning_off = u.value == Value::Bool(false);
        // A preset's value for a symbol the device has switched off by a
        // dependency simply does not apply (as with a defconfig).
        let from_preset = matches!(a.origin, Origin::Preset(_));
        if !(deps_ok && prompt_ok) && !turning_off && !from_preset {
            let expr = if deps_ok { &sym.prompt_if } else { &sym.deps };
            errors.push(unmet(sym, a, expr, &values));
            continue;
        }
        let selectors = active(&selected_by[i], tree, &values);
        if !(deps_ok && prompt_ok) {
            continue;
        }
        if turning_off && !selectors.is_empty() {
            errors.push(contradicts_select(sym, a, &selectors));
            continue;
        }
        if let (Some((lo, hi)), Some(n)) = (range(sym, &values), u.value.as_number()) {
            if n < i128::from(lo) || n > i128::from(hi) {
                errors.push(out_of_range(sym, a, lo, hi));
            }
        }
        if let (Some(c), Value::Bool(true)) = (sym.choice, &u.value) {
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
                warnings.push(
                    Diagnostic::warning(format!("{by} selects {}, whose dependencies are unmet", sym.name))
                        .why(format!("{} depends on {}", sym.name, sym.deps))
                        .note(format!("declared at {}", sym.defined_at)),
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
                values.get(&s.name).cloned()
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
        })
        .collect();
    Ok(Config { symbols, warnings })
}

fn set(values: &mut Values, name: &str, value: Option<Value>) {
    match value {
        Some(v) => values.insert(name.to_string(), v),
        None => values.remove(name),
    };
}

fn by_origin(origin: &Origin) -> SetBy {
    match origin {
        Origin::User => SetBy::User,
        Origin::Preset(p) => SetBy::Preset(p.clone()),
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
    if let Some(u) = user.get(&i).filter(|_| visible(sym, values)) {
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
    let shown: Vec<usize> = c.members.iter().copied().filter(|&m| tree.syms[m].deps.truth(values)).collect();
    if let Some(&m) = shown.iter().rev().find(|m| user.get(m).is_some_and(|u| u.value == Value::Bool(true))) {
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
    by_default.filter(|m| !all_off_by_user(m)).or_else(|| shown.iter().copied().find(|m| !all_off_by_user(m))).or(by_default)
}

/// The range in force: the first whose condition holds.
fn range(sym: &SymDef, values: &Values) -> Option<(i64, i64)> {
    let (lo, hi, _) = sym.ranges.iter().find(|(_, _, cond)| cond.truth(values))?;
    let n = |e: &Expr| e.value(values).as_number().map(|n| n as i64);
    Some((n(lo)?, n(hi)?))
}

/// The assignment's TOML value as the symbol's type.
fn typed(sym: &SymDef, v: &toml::Value) -> std::result::Result<Value, Diagnostic> {
    let a_or_an = |t: &str| if t.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {t}") } else { format!("a {t}") };
    let got = match v {
        toml::Value::String(_) => "a string",
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
        (SymbolType::Hex, toml::Value::String(s)) if s.starts_with("0x") || s.starts_with("0X") => super::expr::parse_hex(s).map(Value::Hex),
        (SymbolType::Str, toml::Value::String(s)) => Some(Value::Str(s.clone())),
        _ => None,
    };
    value.ok_or_else(|| {
        let (wanted, example) = match sym.ty {
            SymbolType::Bool => ("boolean", "true".to_string()),
            SymbolType::Int => ("integer", "1000".to_string()),
            SymbolType::Hex => ("hex", "0x2000_0000 or \"0x20000000\"".to_string()),
            SymbolType::Str => ("string", "\"text\"".to_string()),
        };
        Diagnostic::error(format!("`{}` takes {}, not {got}", key_of(&sym.name), a_or_an(wanted)))
            .key(format!("features.{}", key_of(&sym.name)))
            .value(v.to_string())
            .why(format!("{} is {} symbol", sym.name, a_or_an(sym.ty.name())))
            .note(format!("declared at {}", sym.defined_at))
            .hint(format!("write `{} = {example}`", key_of(&sym.name)))
    })
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
        None => d.hint("`bluegen config` lists every symbol of the image"),
    }
}

fn with_location(d: Diagnostic, a: &Assignment) -> Diagnostic {
    let d = d.at(a.location.clone());
    match &a.origin {
        Origin::Preset(p) => d.note(format!("set by preset `{p}`")),
        Origin::User => d,
    }
}

fn no_prompt(tree: &Tree, sym: &SymDef, a: &Assignment, selected_by: &[Vec<(usize, Expr)>]) -> Diagnostic {
    let i = tree.index[&sym.name];
    let selectors: Vec<&str> = selected_by[i].iter().map(|(s, _)| tree.syms[*s].name.as_str()).collect();
    let source = if selectors.is_empty() { "its defaults".to_string() } else { format!("its defaults and the selects of {}", selectors.join(", ")) };
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

fn unmet(sym: &SymDef, a: &Assignment, expr: &Expr, values: &Values) -> Diagnostic {
    let mut names = Vec::new();
    expr.symbols(&mut names);
    let current: Vec<String> = names
        .iter()
        .map(|n| format!("{n} = {}", values.get(n).map_or_else(|| "n".to_string(), |v| v.kconfig_text())))
        .collect();
    let hint = match expr.fix(values) {
        Some(fixes) if !fixes.is_empty() => {
            let sets: Vec<String> = fixes.iter().map(|(n, on)| format!("`{} = {on}`", key_of(n))).collect();
            format!("set {}, or remove this line", sets.join(" and "))
        }
        _ => format!("make `{expr}` true, or remove this line"),
    };
    with_location(
        Diagnostic::error(format!("`{}` cannot be set: its dependencies are unmet", a.key))
            .key(format!("features.{}", a.key))
            .value(a.value.to_string())
            .why(format!("{} depends on `{expr}`, which is false ({})", sym.name, current.join(", ")))
            .note(format!("declared at {}", sym.defined_at))
            .hint(hint),
        a,
    )
}

fn contradicts_select(sym: &SymDef, a: &Assignment, selectors: &[String]) -> Diagnostic {
    let sel = selectors.join(", ");
    with_location(
        Diagnostic::error(format!("`{} = false` contradicts a select", a.key))
            .key(format!("features.{}", a.key))
            .value("false")
            .why(format!("{sel} selects {}, so it is on whenever {sel} is", sym.name))
            .note(format!("declared at {}", sym.defined_at))
            .hint(format!("remove this line, or set `{} = false`", key_of(&selectors[0]))),
        a,
    )
}

fn out_of_range(sym: &SymDef, a: &Assignment, lo: i64, hi: i64) -> Diagnostic {
    let (lo_s, hi_s) = if sym.ty == SymbolType::Hex { (format!("{lo:#x}"), format!("{hi:#x}")) } else { (lo.to_string(), hi.to_string()) };
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
    let last = set.last().expect("two or more");
    with_location(
        Diagnostic::error(format!("{} are all set, but only one member of a choice can be", keys.join(" and ")))
            .key(format!("features.{}", last.key))
            .why(format!("they belong to the choice \"{}\"", choice.prompt.as_deref().unwrap_or("(unnamed)")))
            .note(format!("choice declared at {}", choice.defined_at))
            .hint("keep one of them"),
        last,
    )
}
