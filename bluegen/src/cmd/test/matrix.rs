//! Matrix: the (device, board) pairs under the paths given, sorted.

use std::path::{Path, PathBuf};

use crate::board::Board;
use crate::diag::{Diagnostic, Error, Result};
use crate::root::Root;
use crate::testing::TestSpec;

/// One (device, board) pair.
#[derive(Debug, Clone)]
pub struct Case {
    /// The device.toml, absolute.
    pub manifest: PathBuf,
    /// The project directory as the reports show it.
    pub project: String,
    pub device: String,
    pub board: String,
    /// The board runs in QEMU; a hardware board's image is only built.
    pub emulated: bool,
    /// The device's `[test]`, or why its device.toml does not validate
    /// (bluegen's diagnostics, rendered).
    pub spec: std::result::Result<TestSpec, String>,
}

/// What the paths hold.
pub struct Found {
    pub cases: Vec<Case>,
    /// Projects without a `[test]` table, as shown.
    pub without_test: Vec<String>,
    /// Pairs before `--shard`.
    pub total: usize,
}

/// The matrix of the device.toml files under `paths`, only on `boards`
/// when some are given: sorted by project, then in `[test] boards` order.
pub fn find(root: &Root, paths: &[PathBuf], boards: &[String]) -> Result<Found> {
    let mut errors = Vec::new();
    for b in boards {
        if let Err(e) = Board::load(root, b, None, "--board") {
            errors.extend(e.diagnostics);
        }
    }
    let mut manifests = Vec::new();
    for path in paths {
        if !path.exists() {
            errors.push(
                Diagnostic::error(format!("`{}` does not exist", path.display()))
                    .why("`bluegen test` takes device projects, device.toml files and directories that hold them")
                    .hint("pass an existing path, or none for the current directory"),
            );
        } else if path.is_file() {
            manifests.push(std::path::absolute(path).unwrap_or_else(|_| path.clone()));
        } else {
            search(path, &mut manifests);
        }
    }
    Error::check(errors)?;
    manifests.sort();
    manifests.dedup();
    let mut cases = Vec::new();
    let mut without_test = Vec::new();
    for manifest in manifests {
        let project = super::shown(manifest.parent().unwrap_or(Path::new(".")));
        let (device, spec) = match crate::pipeline::plan(Some(&manifest), None) {
            Ok((_, plan)) => match plan.device.test.clone() {
                Some(spec) => (plan.device, spec),
                None => {
                    without_test.push(project);
                    continue;
                }
            },
            Err(e) => {
                // A broken device.toml counts when it has (or may have) a [test].
                let table = std::fs::read_to_string(&manifest).ok().and_then(|text| text.parse::<toml::Table>().ok());
                if table.as_ref().is_some_and(|t| !t.contains_key("test")) {
                    without_test.push(project);
                    continue;
                }
                let name = table.as_ref().and_then(|t| Some(t.get("device")?.get("name")?.as_str()?.to_string())).unwrap_or_else(|| "?".into());
                let why = crate::diag::render(&e.diagnostics).trim_end().to_string();
                cases.push(Case { manifest, project, device: name, board: "-".into(), emulated: false, spec: Err(why) });
                continue;
            }
        };
        let own = [(device.board.name.clone(), None)];
        let on = if spec.boards.is_empty() { &own[..] } else { &spec.boards[..] };
        for (board, _) in on.iter().filter(|(b, _)| boards.is_empty() || boards.contains(b)) {
            let emulated = match Board::load(root, board, None, "test.boards") {
                Ok(b) => b.qemu.is_some(),
                Err(_) => false,
            };
            cases.push(Case { manifest: manifest.clone(), project: project.clone(), device: device.name.clone(), board: board.clone(), emulated, spec: Ok(spec.clone()) });
        }
    }
    let total = cases.len();
    Ok(Found { cases, without_test, total })
}

/// The device.toml files in `dir` and below: a directory that holds one is
/// a project (not searched further); hidden directories and `target/` are
/// skipped.
fn search(dir: &Path, out: &mut Vec<PathBuf>) {
    let manifest = dir.join("device.toml");
    if manifest.is_file() {
        out.push(std::path::absolute(&manifest).unwrap_or(manifest));
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| e.file_name().to_str().is_some_and(|n| !n.starts_with('.') && n != "target"))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for d in dirs {
        search(&d, out);
    }
}
