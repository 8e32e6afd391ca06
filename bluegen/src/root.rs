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
