//! Checks: what isolation needs of the resolved configuration — the feature, threads and a board with an MPU or PMP.

use crate::diag::Diagnostic;
use crate::kconfig::{Assignment, Config, Value, name_of};
use crate::model::Device;

/// Every isolation mistake that needs the resolved configuration: keys of
/// isolation without `ISOLATION`, and `ISOLATION` without `THREADS` or on a
/// board whose core has no MPU or PMP.
pub fn problems(device: &Device, config: &Config, assignments: &[Assignment]) -> Vec<Diagnostic> {
    let on = |name: &str| config.get(name).and_then(|s| s.value.as_ref()) == Some(&Value::Bool(true));
    let set_at = assignments.iter().rev().find(|a| name_of(&a.key) == "ISOLATION").and_then(|a| a.location.clone());
    let mut out = Vec::new();
    if !on("ISOLATION") {
        let hint = "set `isolation = true` in [features] (it needs `threads` and a board with an MPU or PMP), or remove the key";
        for t in &device.threads {
            for (key, at) in &t.isolation.keys {
                out.push(
                    Diagnostic::error(format!("`{key}` needs isolation"))
                        .at(at.clone())
                        .key(key.clone())
                        .why("the thread's privilege, statics, regions and fault policy mean something only when threads run under the MPU or PMP (Kconfig ISOLATION), which is off")
                        .hint(hint),
                );
            }
        }
        for r in &device.regions {
            out.push(
                Diagnostic::error(format!("`[regions.{}]` needs isolation", r.name))
                    .at(r.at.clone())
                    .key(format!("regions.{}", r.name))
                    .why("regions are what isolated threads may reach beyond their own stack and statics; without isolation (Kconfig ISOLATION, off) every thread reaches all memory")
                    .hint(hint),
            );
        }
        return out;
    }
    let board = &device.board;
    if board.isolation.is_none() {
        out.push(
            Diagnostic::error(format!("board {} has no MPU or PMP for isolation", board.name))
                .at(set_at.clone())
                .key("features.isolation")
                .value("true")
                .why(format!("isolated threads run under the core's memory protection unit, and the board data ({}) gives no [isolation] table: its core has none, or bluegen does not know it", board.path.display()))
                .hint("turn `isolation` off, or pick a board whose core has an MPU (Cortex-M3/M4/M33) or PMP (RISC-V): `bluegen boards --json` shows `isolation`"),
        );
    }
    if !on("THREADS") {
        out.push(
            Diagnostic::error("isolation needs the kernel's threads")
                .at(set_at)
                .key("features.isolation")
                .value("true")
                .why("isolation confines each thread to its own region; without `threads` the threads run one after another on the boot stack, privileged")
                .hint("set `threads = true` in [features], or turn `isolation` off"),
        );
    }
    out
}
