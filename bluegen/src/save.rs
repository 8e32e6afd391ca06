//! Save: turn wanted feature values into the smallest edit of device.toml.
//!
//! Shared by `bluegen config set/unset` and menuconfig. The wanted values are
//! resolved first — an invalid configuration is refused and the file is left
//! untouched — then each is written only where it differs from what the
//! preset and the defaults give: a value they already give is removed from
//! `[features]` rather than written.

use crate::diag::Result;
use crate::edit::Change;
use crate::kconfig::{Assignment, Config, Origin};
use crate::resolve::Plan;

/// The device's `[features]` with `wanted` applied (None removes a key).
pub fn with_wanted(plan: &Plan, wanted: &[(String, Option<toml::Value>)]) -> Vec<Assignment> {
    let mut features = plan.device.features.clone();
    for (key, value) in wanted {
        features.retain(|a| &a.key != key);
        if let Some(value) = value {
            features.push(Assignment { key: key.clone(), value: value.clone(), origin: Origin::User, location: None });
        }
    }
    features
}

/// Checks `wanted` and returns the edit to make, with the new configuration.
pub fn changes(plan: &Plan, wanted: &[(String, Option<toml::Value>)]) -> Result<(Vec<Change>, Config)> {
    let features = with_wanted(plan, wanted);
    let config = plan.resolve_with(&features).map_err(|mut e| {
        for d in &mut e.diagnostics {
            if d.location.is_none() {
                d.labels.push(("note", "this value comes from the command line or the menu".into()));
            }
        }
        e
    })?;
    let mut out = Vec::new();
    for (key, value) in wanted {
        match value {
            None => out.push(Change::Unset(key.clone())),
            Some(value) => {
                // Would the configuration be the same without this line?
                let without: Vec<Assignment> = features.iter().filter(|a| &a.key != key).cloned().collect();
                let same = plan.resolve_with(&without).is_ok_and(|c| same_values(&c, &config));
                out.push(if same { Change::Unset(key.clone()) } else { Change::Set(key.clone(), value.clone()) });
            }
        }
    }
    Ok((out, config))
}

fn same_values(a: &Config, b: &Config) -> bool {
    a.symbols.len() == b.symbols.len() && a.symbols.iter().zip(&b.symbols).all(|(x, y)| x.name == y.name && x.value == y.value)
}

/// Applies `changes` to the device's file; returns whether it changed.
pub fn write(plan: &Plan, changes: &[Change]) -> Result<bool> {
    crate::edit::apply_to_file(&plan.device.manifest, changes)
}

/// Why a command-line argument is not `SYMBOL=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAssignment {
    /// No `=` at all.
    NoEquals,
    /// Nothing (or blanks only) before the `=`.
    EmptySymbol,
    /// Nothing after the `=` (an empty string is written `""`).
    EmptyValue(String),
}

/// `KEY=VALUE` from the command line: the value as TOML (`true`, `1000`,
/// `0x20`, `"text"`), or as a plain string when it is not TOML.
pub fn parse_assignment(arg: &str) -> std::result::Result<(String, toml::Value), NotAssignment> {
    let Some((key, value)) = arg.split_once('=') else {
        return Err(NotAssignment::NoEquals);
    };
    if key.trim().is_empty() {
        return Err(NotAssignment::EmptySymbol);
    }
    let key = crate::kconfig::key_of(key.trim());
    let value = value.trim();
    if value.is_empty() {
        return Err(NotAssignment::EmptyValue(key));
    }
    let parsed = toml::from_str::<toml::Table>(&format!("v = {value}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(value.to_string()));
    Ok((key, parsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_from_the_command_line() {
        assert_eq!(parse_assignment("console=true").unwrap(), ("console".into(), toml::Value::Boolean(true)));
        assert_eq!(parse_assignment("TICK_HZ=1000").unwrap(), ("tick-hz".into(), toml::Value::Integer(1000)));
        assert_eq!(parse_assignment("base=0x20").unwrap(), ("base".into(), toml::Value::Integer(32)));
        assert_eq!(parse_assignment("name=hello").unwrap(), ("name".into(), toml::Value::String("hello".into())));
        assert_eq!(parse_assignment("name=\"a b\"").unwrap(), ("name".into(), toml::Value::String("a b".into())));
        assert_eq!(parse_assignment("console"), Err(NotAssignment::NoEquals));
        assert_eq!(parse_assignment("=5"), Err(NotAssignment::EmptySymbol));
        assert_eq!(parse_assignment(" =5"), Err(NotAssignment::EmptySymbol));
        assert_eq!(parse_assignment("console="), Err(NotAssignment::EmptyValue("console".into())));
        assert_eq!(parse_assignment("banner-text=\"\"").unwrap(), ("banner-text".into(), toml::Value::String(String::new())));
    }
}
