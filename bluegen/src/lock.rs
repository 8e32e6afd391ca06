//! Lock: the image crate's Cargo.lock, kept beside device.toml as `device.lock`.
//!
//! cargo writes a Cargo.lock for the image crate bluegen renders, under
//! `target/`, where a clean checkout has none: two clean builds a month
//! apart could pick other versions of a crates.io dependency. So bluegen
//! keeps each board's lock in the project, in `device.lock` (one table per
//! board, the lock's text verbatim), to be committed with device.toml:
//! before a build it puts the board's lock into the image crate, after a
//! build it stores what cargo wrote there when that changed. With
//! `--locked` cargo may not change it, and a board with no lock yet is an
//! error. The file is bluegen's own; it is rewritten whole, atomically.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diag::{Diagnostic, Error, Result};
use crate::resolve::Plan;

/// The file's name, beside device.toml.
pub const FILE: &str = "device.lock";

/// Read-modify-write of device.lock, one at a time (`bluegen test` builds
/// one device for several boards at once).
static UPDATE: Mutex<()> = Mutex::new(());

/// device.lock of the plan's project.
pub fn path(plan: &Plan) -> PathBuf {
    plan.device.dir.join(FILE)
}

/// The locks device.lock holds, by board; empty when there is none. A
/// device.lock that does not parse is an error naming it.
fn read(file: &Path) -> Result<Vec<(String, String)>> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("read", file, e)),
    };
    let broken = |why: String| -> Error {
        Diagnostic::error(format!("{} is not a bluegen lock file", file.display()))
            .why(why)
            .hint(format!("delete it (bluegen writes a new one at the next build), or restore it from version control: git checkout {FILE}"))
            .into()
    };
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| broken(format!("it is not valid TOML: {}", e.message())))?;
    let mut locks = Vec::new();
    for (board, entry) in table {
        let lock = entry.get("cargo-lock").and_then(toml::Value::as_str).ok_or_else(|| broken(format!("[{board}] has no `cargo-lock` string")))?;
        locks.push((board, lock.to_string()));
    }
    Ok(locks)
}

/// device.lock's text for `locks`, boards sorted, each lock a literal
/// multi-line string (verbatim, so diffs show the lock's own lines).
fn render(locks: &[(String, String)]) -> String {
    let mut out = String::from(
        "# The Cargo.lock of this device's image crate on each board bluegen built it for,\n\
         # kept by bluegen (it writes this file after a build that changed a lock;\n\
         # `--locked` refuses to). Commit it with device.toml: a clean build then\n\
         # uses the same crate versions on every machine.\n",
    );
    let mut sorted: Vec<&(String, String)> = locks.iter().collect();
    sorted.sort();
    for (board, lock) in sorted {
        out.push_str(&format!("\n[{}]\n", crate::escape::toml_key(board)));
        let literal = !lock.contains("'''") && lock.chars().all(|c| c == '\n' || c == '\t' || !c.is_control());
        if literal {
            out.push_str(&format!("cargo-lock = '''\n{lock}'''\n"));
        } else {
            out.push_str(&format!("cargo-lock = {}\n", crate::escape::toml_str(lock)));
        }
    }
    out
}

/// Before cargo: the board's kept lock into the image crate. With
/// `locked`, a board without one is an error.
pub fn seed(plan: &Plan, image_dir: &Path, locked: bool) -> Result<()> {
    let file = path(plan);
    let board = &plan.device.board.name;
    match read(&file)?.into_iter().find(|(b, _)| b == board) {
        Some((_, lock)) => {
            crate::files::write_if_changed(&image_dir.join("Cargo.lock"), lock.as_bytes())?;
            Ok(())
        }
        None if locked => Err(Diagnostic::error(format!("{} has no lock for board {board}", file.display()))
            .why("--locked builds only with the crate versions device.lock pins, and none are pinned for this board yet")
            .hint(format!("build once without --locked, which writes the lock, and commit {FILE}"))
            .into()),
        None => Ok(()),
    }
}

/// After a successful build: what cargo wrote into the image crate's
/// Cargo.lock, stored in device.lock when it changed. A variant built
/// only to be measured keeps nothing.
pub fn keep(plan: &Plan, image_dir: &Path) -> Result<()> {
    if plan.device.variant.is_some() {
        return Ok(());
    }
    let lock = match std::fs::read_to_string(image_dir.join("Cargo.lock")) {
        Ok(lock) => lock,
        Err(_) => return Ok(()),
    };
    let _one = UPDATE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let file = path(plan);
    let mut locks = read(&file)?;
    let board = &plan.device.board.name;
    match locks.iter_mut().find(|(b, _)| b == board) {
        Some((_, kept)) if *kept == lock => return Ok(()),
        Some((_, kept)) => *kept = lock,
        None => locks.push((board.clone(), lock)),
    }
    crate::files::write_atomic(&file, render(&locks).as_bytes())
}

/// cargo's refusal under `--locked`, in bluegen's words.
pub fn refused(plan: &Plan) -> Error {
    let board = &plan.device.board.name;
    Diagnostic::error(format!("{} is out of date for board {board}", path(plan).display()))
        .why("cargo would change the image's lock (a dependency was added, removed or moved, or bluegen's kernel changed), and --locked forbids it")
        .hint(format!("build without --locked to update {FILE}, review the change and commit it"))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_file_reads_back_what_was_written() {
        let locks = vec![("qemu-virt-rv32".to_string(), "version = 4\n\n[[package]]\nname = \"a\"\n".to_string()), ("odd'''board".to_string(), "x = '''\n".to_string())];
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE);
        std::fs::write(&file, render(&locks)).unwrap();
        let mut back = read(&file).unwrap();
        back.sort();
        let mut want = locks.clone();
        want.sort();
        assert_eq!(back, want);
        assert!(render(&locks).contains("cargo-lock = '''\nversion = 4\n"));
        std::fs::write(&file, "[b]\nnot-a-lock = 1\n").unwrap();
        assert!(read(&file).unwrap_err().to_string().contains("has no `cargo-lock` string"));
    }
}
