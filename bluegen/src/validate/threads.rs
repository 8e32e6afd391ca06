//! Threads: one `[threads.<name>]` checked — its entry (Rust or C), priority, stack and start.

use toml::Spanned;

use crate::diag::Diagnostic;
use crate::load::{Loaded, RawThread};
use crate::model::Thread;

use super::{MIN_STACK, PRIORITIES, THREAD_ENTRY, bad_value, c, entry_problem, human, is_ident, size};

/// One thread, when all of it is right; each mistake goes to `errors`.
pub(super) fn validate_thread(
    loaded: &Loaded,
    name: &Spanned<String>,
    t: &Spanned<RawThread>,
    ram_limit: Option<(u64, bool)>,
    api: Option<&crate::app_scan::AppApi>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Thread> {
    let source = &loaded.source;
    let t_name = name.get_ref();
    let key = |k: &str| format!("threads.{t_name}.{k}");
    let before = errors.len();
    if !is_ident(t_name) {
        errors.push(
            Diagnostic::error(format!("invalid thread name `{t_name}`"))
                .at(Some(source.location(name.span())))
                .key(format!("threads.{t_name}"))
                .why("thread names are identifiers: lowercase letters, digits and `_`, starting with a letter"),
        );
    }
    let raw = t.get_ref();
    let c_entry = raw.c_entry.as_ref();
    if let (Some(rust), Some(c)) = (&raw.entry, c_entry) {
        errors.push(
            Diagnostic::error(format!("thread `{t_name}` has both `entry` and `c-entry`"))
                .at(Some(source.location(c.span())))
                .key(key("c-entry"))
                .why(format!("a thread runs one function: `entry` names a Rust function of the app crate (`{}`), `c-entry` a C function of [c]'s sources (`{}`)", rust.get_ref(), c.get_ref()))
                .hint("keep one of the two"),
        );
    }
    if let Some(d) = c_entry.filter(|_| raw.entry.is_none()).and_then(|e| c::entry_problem(loaded, t_name, e)) {
        errors.push(d);
    }
    let entry = raw.entry.as_ref().or(c_entry).map(|e| (e.get_ref().clone(), source.location(e.span())));
    if let Some((entry, entry_at)) = entry.as_ref().filter(|_| raw.entry.is_some()) {
        if let Some(mut d) = entry_problem(entry, api, &THREAD_ENTRY) {
            d.labels.splice(0..0, [("key", key("entry")), ("value", format!("\"{entry}\""))]);
            errors.push(d.at(Some(entry_at.clone())));
        }
    }
    let priority = raw.priority.as_ref().and_then(|prio| match prio.get_ref().as_integer() {
        Some(p) if PRIORITIES.contains(&p) => Some(p as u8),
        _ => {
            errors.push(bad_value(source, prio, &key("priority"), format!(
                "a priority is an integer from {} (lowest) to {} (highest)",
                PRIORITIES.start(),
                PRIORITIES.end()
            )));
            None
        }
    });
    let stack = raw.stack.as_ref().and_then(|stack_v| {
        let bad = |why: String| bad_value(source, stack_v, &key("stack"), why);
        let most = ram_limit.map_or(u64::from(u32::MAX), |(ram, _)| ram).min(u64::from(u32::MAX) & !7);
        match size(stack_v.get_ref()) {
            Ok(s) if s < MIN_STACK => {
                errors.push(bad(format!("a thread stack needs at least {MIN_STACK} bytes (128 of them are the overflow red zone, up to 256 the saved registers)")));
                None
            }
            Ok(s) if s > most => {
                let why = match ram_limit {
                    Some((ram, false)) => format!("the board has only {} of RAM", human(ram)),
                    Some((ram, true)) => format!("`[memory]` gives only {} of RAM", human(ram)),
                    None => format!("a stack size is at most {most} bytes"),
                };
                errors.push(bad(why).hint(format!("use at most {}", human(most))));
                None
            }
            Ok(s) if s % 8 != 0 => {
                let up = s.next_multiple_of(8);
                errors.push(bad("stacks are 8-byte aligned, so their size is a multiple of 8".into()).hint(format!("use {}", if up <= most { up } else { s - s % 8 })));
                None
            }
            Ok(s) => Some(s as u32),
            Err(why) => {
                errors.push(bad(why));
                None
            }
        }
    });
    let start = match raw.start.as_ref() {
        None => Some(true),
        Some(v) => match v.get_ref().as_bool() {
            Some(b) => Some(b),
            None => {
                errors.push(
                    bad_value(source, v, &key("start"), "`start` is a bool: whether the thread is ready at start-up".into())
                        .hint("write `start = false` for a thread that starts suspended (another thread resumes it), or leave the key out"),
                );
                None
            }
        },
    };
    let (Some((entry, entry_at)), Some(priority), Some(stack), Some(start)) = (entry, priority, stack, start) else { return None };
    (errors.len() == before).then(|| Thread {
        name: t_name.clone(),
        entry,
        c: raw.entry.is_none() && c_entry.is_some(),
        priority,
        stack,
        start,
        isolation: crate::isolation::ThreadIsolation::default(),
        priority_at: raw.priority.as_ref().map(|p| source.location(p.span())),
        stack_at: raw.stack.as_ref().map(|s| source.location(s.span())),
        start_at: raw.start.as_ref().map(|s| source.location(s.span())),
        entry_at: Some(entry_at),
        at: Some(source.location(name.span())),
    })
}
