//! Interrupt numbers: an app's `bluegen_kernel::irq::<NAME>` checked against device.toml's `[interrupts.<name>]`.
//!
//! The image's `bluegen_config::irq` (re-exported as `bluegen_kernel::irq`)
//! has one constant per declared interrupt, its name in upper case. An app
//! that names one the device does not declare hears which table to add, at
//! its own line: [`check`] for the paths the app scan sees
//! (`bluegen_kernel::irq::TICK`, `use bluegen_kernel::irq::TICK`), and
//! [`translate`] for rustc's E0425 after `use bluegen_kernel::irq` (the
//! scan does not follow the import to `irq::TICK`).

use std::path::Path;

use crate::diag::{Diagnostic, Location, did_you_mean};
use crate::model::Device;

/// A diagnostic for each `irq::<NAME>` the app writes that names no interrupt of `device`.
pub fn check(device: &Device) -> Vec<Diagnostic> {
    device
        .app
        .uses
        .iter()
        .filter_map(|(path, at)| {
            let constant = path.strip_prefix("irq::")?;
            (!constant.contains("::") && !declared(device, constant)).then(|| undeclared(device, constant, Some(at.clone())))
        })
        .collect()
}

/// The same message for rustc's "cannot find value `TICK` in module `irq`"
/// in an app that imports the kernel's `irq` (JSON `message`; `app`: the
/// app's package and directory, as for [`super::translate`]).
pub fn translate(message: &serde_json::Value, device: &Device, app: (&str, &Path)) -> Option<Diagnostic> {
    let text = message["message"].as_str()?;
    let constant = text.strip_prefix("cannot find value `")?.strip_suffix("` in module `irq`")?;
    // Only the kernel's `irq`, not a module of the app's own of that name.
    if !device.app.uses.iter().any(|(p, _)| p == "irq" || p.starts_with("irq::")) || declared(device, constant) {
        return None;
    }
    let at = super::primary_location(message, app)?;
    Some(undeclared(device, constant, at))
}

fn declared(device: &Device, constant: &str) -> bool {
    device.interrupts.iter().any(|i| i.name.to_uppercase() == constant)
}

fn undeclared(device: &Device, constant: &str, at: Option<Location>) -> Diagnostic {
    let name = constant.to_lowercase();
    let consts: Vec<String> = device.interrupts.iter().map(|i| i.name.to_uppercase()).collect();
    let declares = match consts.as_slice() {
        [] => "this device declares none".to_string(),
        _ => format!("this device declares {}", consts.iter().map(|c| format!("`irq::{c}`")).collect::<Vec<_>>().join(", ")),
    };
    let add = format!("add an [interrupts.{name}] table (`source`, `handler`, `priority`) to {}", device.manifest.display());
    let hint = match did_you_mean(constant, consts.iter().map(String::as_str)) {
        Some(dym) => format!("{} Otherwise {add}", dym.replacen("`", "`irq::", 1)),
        None => add,
    };
    Diagnostic::error(format!("app uses bluegen_kernel::irq::{constant}, but device.toml declares no interrupt `{name}`"))
        .at(at)
        .key(format!("interrupts.{name}"))
        .why(format!("`bluegen_kernel::irq` has one constant per [interrupts.<name>] of device.toml, the name in upper case: {declares}"))
        .hint(hint)
}
