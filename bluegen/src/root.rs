//! The kernel root: where components, boards, presets and templates live.
//!
//! bluegen ships as source next to its data. The root is the directory that
//! holds `components/`, `boards/`, `configs/` and `kernel-templates/`: the
//! `BLUEGEN_ROOT` environment variable when set, else the checkout bluegen was
//! built from.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Error, Result};

/// Paths into the kernel root.
#[derive(Debug, Clone)]
pub struct Root {
    pub dir: PathBuf,
}

impl Root {
    /// Finds the root from `BLUEGEN_ROOT` or the build-time checkout.
    pub fn discover() -> Result<Root> {
        let (dir, from) = match std::env::var_os("BLUEGEN_ROOT") {
            Some(dir) => (PathBuf::from(dir), "the BLUEGEN_ROOT environment variable"),
            None => (
                Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new("/")).to_path_buf(),
                "the checkout bluegen was built from",
            ),
        };
        let root = Root { dir: std::path::absolute(&dir).unwrap_or(dir) };
        for sub in ["components", "boards", "configs", "kernel-templates"] {
            if !root.dir.join(sub).is_dir() {
                return Err(Error::new(
                    Diagnostic::error(format!("`{}` is not a bluegen kernel root", root.dir.display()))
                        .why(format!("it has no `{sub}/` directory (root taken from {from})"))
                        .hint("set BLUEGEN_ROOT to the directory that holds components/, boards/, configs/ and kernel-templates/"),
                ));
            }
        }
        Ok(root)
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
