//! Interrupts: `[interrupts.<name>]` checked against the board's controller and the app.
//!
//! A source is an IRQ number the chip has (NVIC IRQ 0 to `irqs` - 1, PLIC
//! source 1 to `irqs` - 1) or a name the board data gives one; each source is
//! declared once. A handler is a `pub fn()` of the app crate, checked like a
//! thread entry. A priority runs from 1 (lowest) to the controller's highest
//! level (2^priority-bits - 1): the lowest hardware level stays PendSV's (on
//! RISC-V, PLIC priority 0 means "never"), so that a handler's wake-up
//! switches threads on its return.

use toml::Spanned;

use crate::board::{Arch, Board};
use crate::diag::{Diagnostic, Location};
use crate::load::{Loaded, RawInterrupt};
use crate::model::Interrupt;

use super::{Role, bad_value, entry_problem, is_ident};

const HANDLER: Role = Role {
    what: "interrupt handler",
    runs: "the vector table calls a handler",
    for_what: "the interrupt to call",
    key: "handler",
};

/// Every well-formed interrupt of the file, in file order; each mistake
/// goes to `errors`.
pub(super) fn validate(loaded: &Loaded, board: Option<&Board>, api: Option<&crate::app_scan::AppApi>, errors: &mut Vec<Diagnostic>) -> Vec<Interrupt> {
    let source = &loaded.source;
    let mut out = Vec::new();
    // The sources declared so far: IRQ number, where, the interrupt's name.
    let mut seen: Vec<(u32, Location, String)> = Vec::new();
    for (name, raw) in &loaded.raw.interrupts {
        let before = errors.len();
        let irq = one(loaded, name, raw.get_ref(), board, api, errors);
        let Some(irq) = irq else { continue };
        let at = raw.get_ref().source.as_ref().map(|s| source.location(s.span()));
        if let (Some(v), Some(first)) = (raw.get_ref().source.as_ref(), seen.iter().find(|(n, ..)| *n == irq.irq)) {
            errors.push(
                bad_value(source, v, &format!("interrupts.{}.source", name.get_ref()), format!("IRQ {} is already [interrupts.{}]'s source (line {}): a source has one handler", irq.irq, first.2, first.1.line))
                    .hint(format!("remove one of the two, or give [interrupts.{}] another source", name.get_ref())),
            );
            continue;
        }
        if errors.len() == before {
            if let Some(at) = at {
                seen.push((irq.irq, at, irq.name.clone()));
            }
            out.push(irq);
        }
    }
    out
}

/// One interrupt, when all of it is right.
fn one(loaded: &Loaded, name: &Spanned<String>, raw: &RawInterrupt, board: Option<&Board>, api: Option<&crate::app_scan::AppApi>, errors: &mut Vec<Diagnostic>) -> Option<Interrupt> {
    let source = &loaded.source;
    let i_name = name.get_ref();
    let key = |k: &str| format!("interrupts.{i_name}.{k}");
    let before = errors.len();
    if !is_ident(i_name) {
        errors.push(
            Diagnostic::error(format!("invalid interrupt name `{i_name}`"))
                .at(Some(source.location(name.span())))
                .key(format!("interrupts.{i_name}"))
                .why("interrupt names are identifiers: lowercase letters, digits and `_`, starting with a letter"),
        );
    }
    let handler = raw.handler.as_ref().map(|h| (h.get_ref().clone(), source.location(h.span())));
    if let Some((handler, handler_at)) = &handler {
        if let Some(mut d) = entry_problem(handler, api, &HANDLER) {
            d.labels.splice(0..0, [("key", key("handler")), ("value", format!("\"{handler}\""))]);
            errors.push(d.at(Some(handler_at.clone())));
        }
    }
    let c_handler = raw.c_handler.as_ref().map(|h| (h.get_ref().clone(), source.location(h.span())));
    if let (Some(_), Some((_, at))) = (&handler, &c_handler) {
        errors.push(
            Diagnostic::error(format!("[interrupts.{i_name}] has both `handler` and `c-handler`"))
                .at(Some(at.clone()))
                .key(key("c-handler"))
                .why("an interrupt has one handler: a Rust function of the app (`handler`) or a C function (`c-handler`)")
                .hint("remove one of the two"),
        );
    }
    if let Some((name, at)) = &c_handler {
        if let Some(d) = c_handler_problem(loaded, name) {
            errors.push(d.at(Some(at.clone())).key(key("c-handler")).value(format!("\"{name}\"")));
        }
    }
    let c = c_handler.is_some();
    let handler = handler.or(c_handler);
    let board = board?;
    let Some(ctl) = &board.interrupts else {
        let at = source.location(name.span());
        errors.push(
            Diagnostic::error(format!("board `{}` does not describe its interrupt controller", board.name))
                .at(Some(at))
                .key(format!("interrupts.{i_name}"))
                .why("bluegen sizes the vector table and checks sources and priorities from the board's [interrupts] table (`irqs`, `priority-bits`, `sources`)")
                .hint(if board.path.as_os_str().is_empty() {
                    "name a board whose file has an [interrupts] table (`bluegen boards`), or write a board file for the chip with one".to_string()
                } else {
                    format!("add an [interrupts] table to {}", board.path.display())
                }),
        );
        return None;
    };
    let (first, controller) = match board.arch {
        Arch::CortexM => (0, "NVIC IRQ"),
        Arch::Riscv => (1, "PLIC source"),
        // INTIDs 0-15 are the SGIs (the software interrupts, numbered from
        // `irqs` on as on RISC-V), 16-31 the core's PPIs (the timer's is the
        // kernel's): a device's interrupt is an SPI.
        Arch::Aarch64 => (32, "GIC SPI"),
    };
    let last = ctl.irqs.saturating_sub(1);
    let names = || ctl.sources.iter().map(|(n, v)| format!("`{n}` ({v})")).collect::<Vec<_>>().join(", ");
    // RISC-V software interrupts follow the PLIC's sources: `irqs` on.
    let soft = (ctl.software > 0).then(|| (ctl.irqs, ctl.irqs + ctl.software - 1));
    let has = |n: i64| (i64::from(first)..=i64::from(last)).contains(&n) || soft.is_some_and(|(a, b)| (i64::from(a)..=i64::from(b)).contains(&n));
    let irq = raw.source.as_ref().and_then(|v| match v.get_ref() {
        toml::Value::Integer(n) if has(*n) => Some(*n as u32),
        toml::Value::Integer(n) => {
            let (range, numbers) = match soft {
                Some((a, b)) => (format!("{first} to {last} and software interrupts {a} to {b}"), format!("{first} to {last}, a software interrupt from {a} to {b}")),
                None => (format!("{first} to {last}"), format!("{first} to {last}")),
            };
            errors.push(
                bad_value(source, v, &key("source"), format!("{} has {controller}s {range}, so {n} is none of them", board.name))
                    .hint(if ctl.sources.is_empty() { format!("use a number from {numbers}") } else { format!("use a number from {numbers}, or one of the board's names: {}", names()) }),
            );
            None
        }
        toml::Value::String(s) => match ctl.sources.iter().find(|(n, _)| n == s) {
            Some((_, irq)) => Some(*irq),
            None => {
                let known: Vec<&str> = ctl.sources.iter().map(|(n, _)| n.as_str()).collect();
                let d = bad_value(source, v, &key("source"), format!("board `{}` names no interrupt source `{s}`", board.name));
                errors.push(match crate::diag::did_you_mean(s, known.iter().copied()) {
                    Some(guess) => d.hint(guess),
                    None if known.is_empty() => d.hint(format!("the board names no sources: use a {controller} number from {first} to {last}")),
                    None => d.hint(format!("the board's names: {}; or a {controller} number from {first} to {last}", names())),
                });
                None
            }
        },
        _ => {
            errors.push(
                bad_value(source, v, &key("source"), format!("a source is a {controller} number or the name of one the board defines"))
                    .hint(format!("write `source = {first}`, or a name such as {}", ctl.sources.first().map_or("`timer0`".to_string(), |(n, _)| format!("\"{n}\"")))),
            );
            None
        }
    });
    let top = ctl.max_priority();
    let priority = raw.priority.as_ref().and_then(|p| match p.get_ref().as_integer() {
        Some(n) if (1..=i64::from(top)).contains(&n) => Some(n as u8),
        _ => {
            let why = match board.arch {
                Arch::CortexM => format!("{}'s NVIC implements {} priority bits, so an interrupt priority is an integer from 1 (lowest) to {top} (highest); the lowest hardware level is PendSV's, where threads switch", board.name, ctl.priority_bits),
                Arch::Riscv => format!("{}'s PLIC has priorities 1 (lowest) to {top} (highest); 0 would never interrupt", board.name),
                Arch::Aarch64 => format!("{}'s GIC implements {} priority bits, so an interrupt priority is an integer from 1 (lowest) to {top} (highest); the lowest level is the tick's", board.name, ctl.priority_bits),
            };
            errors.push(bad_value(source, p, &key("priority"), why).hint(format!("use a priority from 1 to {top}")));
            None
        }
    });
    let (Some((handler, handler_at)), Some(irq), Some(priority)) = (handler, irq, priority) else { return None };
    (errors.len() == before).then(|| Interrupt { name: i_name.clone(), irq, handler, c, priority, handler_at: Some(handler_at), at: Some(source.location(name.span())) })
}

/// Why `c-handler = "<name>"` cannot be called: not a C identifier, or no
/// C source of the device (`[c]`'s, a C driver's) defines it.
fn c_handler_problem(loaded: &Loaded, name: &str) -> Option<Diagnostic> {
    if !crate::c::is_identifier(name) {
        return Some(Diagnostic::error(format!("invalid C function name `{name}`")).why("a C function's name is an identifier: letters, digits and `_`, not starting with a digit"));
    }
    let inputs = loaded.c.iter().chain(loaded.driver_c.iter().flatten().map(|(_, i)| &i.c));
    let mut texts = Vec::new();
    for i in inputs {
        for s in &i.sources {
            match s {
                Ok(text) => texts.push(text),
                Err(_) => return None, // an unreadable source has its own error
            }
        }
    }
    if texts.iter().any(|t| crate::c::defines_function(t, name)) {
        return None;
    }
    let d = Diagnostic::error(format!("no C source defines `{name}`"))
        .why("`c-handler` names a C function of the sources of [c] or of a C driver ([drivers.<name>] with `sources`)");
    let d = if texts.iter().any(|t| crate::c::defines_only_under_if_zero(t, name)) { d.note(format!("a source defines `{name}` under `#if 0`, which the compiler drops")) } else { d };
    Some(d.hint(format!("define `void {name}(void)` (not `static`) in one of them, or use `handler` for a Rust function of the app crate")))
}
