//! Testing: `[test]` checked into a [`TestSpec`].

use std::time::Duration;

use toml::Spanned;

use super::bad_value;
use crate::diag::Diagnostic;
use crate::load::Loaded;
use crate::testing::{DEFAULT_TIMEOUT, Expect, TestSpec};

/// The `[test]` table, or none; every mistake in it goes to `errors`.
pub(super) fn validate(loaded: &Loaded, errors: &mut Vec<Diagnostic>) -> Option<TestSpec> {
    let raw = loaded.raw.test.as_ref()?;
    let source = &loaded.source;
    let at = |v: &Spanned<toml::Value>| Some(source.location(v.span()));
    let t = raw.get_ref();
    let mut spec = TestSpec { boards: Vec::new(), console: Vec::new(), exit: 0, timeout: DEFAULT_TIMEOUT, qemu_args: Vec::new(), at: Some(source.location(raw.span())) };

    if let Some(v) = &t.boards {
        if !v.get_ref().is_array() {
            errors.push(bad_value(source, v, "test.boards", "`boards` is an array of board names".into()).hint("write it as `boards = [\"qemu-mps2-an385\", \"qemu-virt-rv32\"]`"));
        } else if t.board_items.is_empty() {
            errors.push(bad_value(source, v, "test.boards", "the list is empty, so the test would run nowhere".into()).hint("name a board, or remove `boards` to run on the device's own board"));
        }
        for item in &t.board_items {
            let Some(name) = item.get_ref().as_str() else {
                errors.push(bad_value(source, item, "test.boards", format!("a board name is a string, not {}", crate::load::article(item.get_ref().type_str()))).hint("put the name in double quotes"));
                continue;
            };
            if spec.boards.iter().any(|(b, _)| b == name) {
                errors.push(bad_value(source, item, "test.boards", format!("board `{name}` is named twice")).hint("remove one: each (device, board) pair runs once"));
            } else if !loaded.known_boards.iter().any(|b| b == name) {
                errors.push(bad_value(source, item, "test.boards", format!("there is no board `{name}`")).hint(crate::board::Board::unknown_hint(name, &loaded.known_boards)));
            } else {
                spec.boards.push((name.to_string(), at(item)));
            }
        }
    }
    if let Some(v) = &t.console {
        if !v.get_ref().is_array() {
            errors.push(bad_value(source, v, "test.console", "`console` is an array of lines and `{ regex = \"…\" }` tables".into()).hint("write it as `console = [\"hello\", { regex = '^tick \\d+$' }]`"));
        }
    }
    for item in &t.console_items {
        match item.get_ref() {
            toml::Value::String(s) if s.contains('\n') => {
                errors.push(bad_value(source, item, "test.console", "a console line holds no line break".into()).hint("write each line as an entry of its own"));
            }
            toml::Value::String(s) => spec.console.push(Expect::Line(s.clone())),
            toml::Value::Table(table) => match (table.get("regex"), table.len()) {
                (Some(toml::Value::String(re)), 1) => match regex::Regex::new(re) {
                    Ok(re) => spec.console.push(Expect::Regex(re)),
                    Err(e) => {
                        let why = e.to_string().lines().last().unwrap_or_default().trim().trim_start_matches("error: ").to_string();
                        errors.push(bad_value(source, item, "test.console", format!("the regular expression does not parse: {why}")).hint("see https://docs.rs/regex for the syntax; use a literal (single-quoted) TOML string so that backslashes stay"));
                    }
                },
                _ => errors.push(bad_value(source, item, "test.console", "a table entry is `{ regex = \"…\" }` and nothing else".into()).hint("write a line as a string, or a regular expression as `{ regex = '…' }`")),
            },
            other => errors.push(bad_value(source, item, "test.console", format!("an entry is a string or `{{ regex = \"…\" }}`, not {}", crate::load::article(other.type_str()))).hint("put the line in double quotes")),
        }
    }
    if let Some(v) = &t.exit {
        match v.get_ref().as_integer().map(i32::try_from) {
            Some(Ok(code @ 0..=255)) => spec.exit = code,
            _ => errors.push(bad_value(source, v, "test.exit", "the exit status is an integer from 0 to 255".into()).hint("write `exit = 0` for a clean exit")),
        }
    }
    if let Some(v) = &t.timeout {
        let secs = match v.get_ref() {
            toml::Value::Integer(i) => Some(*i as f64),
            toml::Value::Float(f) => Some(*f),
            _ => None,
        };
        match secs.filter(|s| (crate::cli::MIN_TIMEOUT_SECS..=crate::cli::MAX_TIMEOUT_SECS).contains(s)) {
            Some(s) => spec.timeout = Duration::from_secs_f64(s),
            None => errors.push(bad_value(source, v, "test.timeout", "a timeout is a number of seconds from 0.001 to 86400 (a day)".into()).hint("write `timeout = 60` (seconds; the default)")),
        }
    }
    if let Some(v) = &t.qemu_args {
        match v.get_ref().as_array().and_then(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect::<Option<Vec<_>>>()) {
            Some(args) => spec.qemu_args = args,
            None => errors.push(bad_value(source, v, "test.qemu-args", "`qemu-args` is an array of strings, one per QEMU argument".into()).hint("write it as `qemu-args = [\"-device\", \"tmp105,bus=i2c,address=0x48\"]`")),
        }
    }
    Some(spec)
}
