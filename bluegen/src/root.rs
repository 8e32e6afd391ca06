//! The kernel root: where components, boards, presets and templates live.
//!
//! The root is the directory that holds `components/`, `boards/`,
//! `configs/` and `kernel-templates/`: the `BLUEGEN_ROOT` environment
//! variable when set; else, for a bluegen run from its checkout's
//! `target/` (a developer's build, the tests), that checkout, so that an
//! edit shows at once; else (an installed bluegen) the kernel the binary
//! carries, unpacked into its versioned data directory ([`crate::data`]).

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Error, Result};

/// Paths into the kernel root.
#[derive(Debug, Clone)]
pub struct Root {
    pub dir: PathBuf,
}

/// What a kernel root holds.
const PARTS: [&str; 4] = ["components", "boards", "configs", "kernel-templates"];

impl Root {
    /// Finds the root: `BLUEGEN_ROOT`, the checkout, or the data directory.
    pub fn discover() -> Result<Root> {
        if let Some(dir) = std::env::var_os("BLUEGEN_ROOT").filter(|d| !d.is_empty()) {
            let dir = PathBuf::from(dir);
            let root = Root { dir: std::path::absolute(&dir).unwrap_or(dir) };
            for sub in PARTS {
                if !root.dir.join(sub).is_dir() {
                    return Err(Error::new(
                        Diagnostic::error(format!("`{}` is not a bluegen kernel root", root.dir.display()))
                            .why(format!("it has no `{sub}/` directory (root taken from the BLUEGEN_ROOT environment variable)"))
                            .hint("set BLUEGEN_ROOT to the directory that holds components/, boards/, configs/ and kernel-templates/, or unset it to use the kernel bluegen carries"),
                    ));
                }
            }
            return Ok(root);
        }
        if let Some(dir) = checkout() {
            return Ok(Root { dir });
        }
        Ok(Root { dir: crate::data::unpacked()? })
    }

    /// The root for a command that works on a checkout's own files
    /// (`bench` on examples/, `docs` on book/), or why this one has none:
    /// an installed bluegen's root holds only what images are built from.
    pub fn checkout_part(&self, part: &str, command: &str) -> Result<PathBuf> {
        let dir = self.dir.join(part);
        if dir.is_dir() {
            return Ok(dir);
        }
        Err(Diagnostic::error(format!("`bluegen {command}` works on a bluegen checkout's {part}/, and this kernel root has none"))
            .why(format!("the kernel root is {} (an installed bluegen's carries only the components, boards, presets and templates)", self.dir.display()))
            .hint(format!("run it in a checkout (`cargo run -p bluegen -- {command}`), or set BLUEGEN_ROOT to one"))
            .into())
    }

    pub fn components(&self) -> PathBuf {
        self.dir.join("components")
    }

    pub fn boards(&self) -> PathBuf {
        self.dir.join("boards")
    }

    pub fn configs(&self) -> PathBuf {
        self.dir.join("configs")
    }

    pub fn templates(&self) -> PathBuf {
        self.dir.join("kernel-templates")
    }

    /// The file of the board or preset `name` in `dir` (`<dir>/<name>.toml`),
    /// or why there is none. A name is a file's stem, never a path: `../x`,
    /// `/etc/x`, `.x` and `x.toml` are refused, so a name cannot reach a file
    /// outside `dir`.
    pub fn data_file(dir: &Path, name: &str) -> std::result::Result<PathBuf, String> {
        if name.is_empty() {
            return Err("the name is empty".into());
        }
        if name.contains(['/', '\\']) || name.starts_with('.') || name.ends_with(".toml") {
            return Err(format!("`{name}` is a path or a file name, not a name: names are the files of {} without `.toml`", dir.display()));
        }
        let path = dir.join(format!("{name}.toml"));
        if path.is_file() { Ok(path) } else { Err(format!("there is no {}", path.display())) }
    }

    /// The closest known name to `wrong` (a path is matched by its file
    /// stem), as a hint; else the list of `known`.
    pub fn closest(wrong: &str, known: &[String], what: &str) -> String {
        let stem = Path::new(wrong).file_stem().and_then(|s| s.to_str()).unwrap_or(wrong);
        let stem = stem.strip_suffix(".toml").unwrap_or(stem);
        if known.iter().any(|k| k == stem) && stem != wrong {
            return format!("write the name alone: `{stem}`");
        }
        crate::diag::did_you_mean(stem, known.iter().map(String::as_str)).unwrap_or_else(|| format!("known {what}s: {}", known.join(", ")))
    }

    /// Names of the directories in `dir`, sorted.
    pub fn data_dirs(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        names
    }

    /// Names of the `*.toml` files in `dir`, without extension, sorted.
    pub fn data_names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                name.strip_suffix(".toml").map(str::to_string)
            })
            .collect();
        names.sort();
        names
    }
}

/// The checkout this bluegen was built from, when it runs from inside it
/// (its `target/`) and the checkout still holds the kernel.
fn checkout() -> Option<PathBuf> {
    let top = Path::new(env!("CARGO_MANIFEST_DIR")).parent()?;
    let exe = std::env::current_exe().ok()?.canonicalize().ok()?;
    (exe.starts_with(top.canonicalize().ok()?) && PARTS.iter().all(|p| top.join(p).is_dir())).then(|| top.to_path_buf())
}
