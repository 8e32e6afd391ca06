//! Link: the isolation layout's linker-script assertions, said as device.toml and app errors.
//!
//! The image's linker script asserts that each isolated thread's statics
//! fit the `statics` bytes device.toml gives it (each shared region's, its
//! `size`), and that no `thread_static!` or `region_static!` names a thread
//! that is not isolated or a region that is not declared. lld reports a
//! failed assertion with the script's message; [`translate`] turns it into
//! an error at the key to change, or at the macro in the app's source.

use std::path::Path;

use crate::diag::{Diagnostic, Location};
use crate::model::Device;

/// bluegen's errors for the isolation assertions in lld's `rendered`
/// message (empty when it holds none).
pub fn translate(device: &Device, rendered: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for line in rendered.lines() {
        let Some(message) = line.split("bluegen: ").nth(1) else { continue };
        if let Some(rest) = message.strip_prefix("the statics of thread ") {
            let name = rest.split_whitespace().next().unwrap_or_default();
            let Some(t) = device.threads.iter().find(|t| t.name == name) else { continue };
            out.push(
                Diagnostic::error(format!("the `thread_static!` items of thread `{name}` do not fit its {} bytes of statics", t.isolation.statics))
                    .at(t.isolation.statics_at.clone().or_else(|| t.at.clone()))
                    .key(format!("threads.{name}.statics"))
                    .value(t.isolation.statics.to_string())
                    .why("an isolated thread's statics lie in its own region, after its stack, and the region is sized from `stack` + `statics`")
                    .hint(format!("raise `statics` of [threads.{name}] to what its statics take (a multiple of 4), or move some into a shared [regions] buffer")),
            );
        } else if let Some(rest) = message.strip_prefix("the statics of region ") {
            let name = rest.split_whitespace().next().unwrap_or_default();
            let Some(r) = device.regions.iter().find(|r| r.name == name) else { continue };
            let size = match r.place {
                super::Place::Ram { size } => size,
                super::Place::Peripheral { .. } => continue,
            };
            out.push(
                Diagnostic::error(format!("the `region_static!` items of region `{name}` do not fit its {size} bytes"))
                    .at(r.size_at.clone().or_else(|| r.at.clone()))
                    .key(format!("regions.{name}.size"))
                    .value(size.to_string())
                    .why("a shared region holds exactly the statics its `region_static!` items declare, and device.toml sizes it")
                    .hint(format!("raise `size` of [regions.{name}] to what its statics take")),
            );
        } else if message.starts_with("a thread_static! or region_static! names") {
            out.push(stray(device));
        }
    }
    out
}

/// The `thread_static!` or `region_static!` of the app that names no
/// isolated thread or declared RAM region, located in its source.
fn stray(device: &Device) -> Diagnostic {
    let threads: Vec<&str> = device.threads.iter().filter(|t| t.isolation.privileged != Some(true)).map(|t| t.name.as_str()).collect();
    let regions: Vec<&str> = device.regions.iter().filter(|r| matches!(r.place, super::Place::Ram { .. })).map(|r| r.name.as_str()).collect();
    let found = sources(&device.app.dir.join("src")).into_iter().find_map(|file| {
        let text = std::fs::read_to_string(&file).ok()?;
        text.lines().enumerate().find_map(|(i, line)| {
            ["thread_static!(", "region_static!("].into_iter().find_map(|mac| {
                let col = line.find(mac)?;
                let name: String = line[col + mac.len()..].trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                let known = if mac.starts_with("thread") { &threads } else { &regions };
                (!known.contains(&name.as_str())).then(|| (mac.trim_end_matches('('), name, Location { file: file.clone(), line: i + 1, col: col + 1, excerpt: Some((line.to_string(), mac.len())) }))
            })
        })
    });
    let listing = |what: &str, names: &[&str]| if names.is_empty() { format!("no {what}") } else { names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ") };
    match found {
        Some((mac, name, at)) => {
            let (what, names) = if mac.starts_with("thread") { ("isolated thread", &threads) } else { ("RAM region", &regions) };
            Diagnostic::error(format!("`{mac}` names `{name}`, which is no {what} of device.toml"))
                .at(Some(at))
                .value(name.clone())
                .why(format!("its statics go in that {what}'s own memory, and the {what}s are {}", listing(what, names)))
                .suggest(&name, names.iter().copied(), if mac.starts_with("thread") { format!("name an isolated thread, or declare [threads.{name}] without `privileged = true`") } else { format!("name a declared region, or add [regions.{name}] with a `size`") })
        }
        None => Diagnostic::error("a `thread_static!` or `region_static!` names a thread that is not isolated or a region device.toml does not declare")
            .why(format!("the isolated threads are {}, the RAM regions {}", listing("isolated thread", &threads), listing("RAM region", &regions)))
            .hint("check the first argument of each `thread_static!` and `region_static!` of the app and its dependencies"),
    }
}

/// The `.rs` files under `dir`, sorted.
fn sources(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}
