//! Budget: a device's `[budget]` limits, checked against its size report.

use super::report::SizeReport;
use crate::diag::{Diagnostic, Error, Result};
use crate::model::{Budget, Limit};

/// Checks every limit; all breaches are reported together.
pub fn check(device: &str, budget: &Budget, report: &SizeReport) -> Result<()> {
    let mut errors = Vec::new();
    let top = |f: &dyn Fn(&super::Classes) -> u64| {
        let mut rows: Vec<(String, u64)> =
            report.components.iter().map(|c| (c.name.clone(), f(&c.size))).filter(|(_, b)| *b > 0).collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1));
        rows.iter().take(5).map(|(n, b)| format!("{n} {b} B")).collect::<Vec<_>>().join(", ")
    };
    let region = |name: &str| report.regions.iter().find(|r| r.name == name).map_or(0, |r| r.used);
    const FEATURES: &str = "turn features off (`bluegen config`), see `bluegen size` for every symbol, or raise the budget";
    const MODEL: &str = "use a smaller model (fewer or narrower layers), see `bluegen size` for its rows, or raise the budget";
    let over = |errors: &mut Vec<Diagnostic>, what: &str, key: &str, used: u64, limit: &Limit, contributors: String, hint: &str| {
        if used > limit.bytes {
            errors.push(
                Diagnostic::error(format!("image `{device}` breaks its {what} budget by {} bytes", used - limit.bytes))
                    .at(limit.location.clone())
                    .key(key.to_string())
                    .value(format!("{} bytes", limit.bytes))
                    .why(format!("the image uses {used} bytes of {what}"))
                    .note(format!("largest contributors: {contributors}"))
                    .hint(hint),
            );
        }
    };
    if let Some(limit) = &budget.flash {
        over(&mut errors, "flash", "budget.flash", region("flash"), limit, top(&|c| c.flash()), FEATURES);
    }
    if let Some(limit) = &budget.ram {
        over(&mut errors, "RAM", "budget.ram", region("ram"), limit, top(&|c| c.ram()), FEATURES);
    }
    if let Some(m) = &report.models {
        let rows = |f: &dyn Fn(&super::models::ModelUse) -> u64| m.models.iter().map(|u| format!("{} {} B", u.name, f(u))).collect::<Vec<_>>().join(", ");
        if let Some(limit) = &budget.model_flash {
            let engine = if m.engine_code > 0 { format!(", engine code {} B", m.engine_code) } else { String::new() };
            over(&mut errors, "model flash", "budget.model-flash", m.model.flash, limit, format!("{}{engine}", rows(&|u| u.weights + u.code)), MODEL);
        }
        if let Some(limit) = &budget.model_ram {
            over(&mut errors, "model RAM", "budget.model-ram", m.model.ram, limit, rows(&|u| u.arena), MODEL);
        }
    }
    for (name, limit) in &budget.components {
        // Names were checked before compiling (crate::resolve); one that
        // linked no bytes (the heap without `heap`) has none to count.
        let Some(c) = report.components.iter().find(|c| &c.name == name) else { continue };
        let mut modules: Vec<(String, u64)> = c.modules.iter().flat_map(|m| m.symbols.iter().map(|s| (s.name.clone(), s.size))).collect();
        modules.sort_by(|a, b| b.1.cmp(&a.1));
        let contributors = modules.iter().take(5).map(|(n, b)| format!("{n} {b} B")).collect::<Vec<_>>().join(", ");
        over(&mut errors, &format!("component `{name}` flash"), &format!("budget.components.{name}"), c.size.flash(), limit, contributors, FEATURES);
    }
    Error::check(errors).map(|_| ())
}
