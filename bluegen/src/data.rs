//! Data: the kernel bluegen carries in its binary, unpacked once per version.
//!
//! build.rs archives the checkout's components, boards, presets and
//! templates into the binary. An installed bluegen (one not running from
//! its checkout's `target/`) unpacks them into
//! `$BLUEGEN_DATA_DIR/<version>-<hash>/` (default: `$XDG_DATA_HOME/bluegen`,
//! else `~/.local/share/bluegen`) the first time it needs them, and uses
//! that directory as its kernel root from then on. The name holds the
//! content's hash, so a bluegen with other kernel sources never uses
//! another's files, and a directory is complete or absent: it is unpacked
//! beside its final name and renamed into place.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Error, Result};

/// The kernel's files, as build.rs archived them.
static KERNEL: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/kernel.tar"));

/// The version of the kernel crate bluegen builds.
pub const KERNEL_VERSION: &str = env!("BLUEGEN_KERNEL_VERSION");

/// The data directory's name for this binary's kernel: bluegen's version
/// and the hash of the archive.
pub const ID: &str = concat!(env!("CARGO_PKG_VERSION"), "-", env!("BLUEGEN_KERNEL_ID"));

/// What `bluegen --version` says after the name: bluegen's version, the
/// kernel's, and the kernel sources' hash.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (kernel ", env!("BLUEGEN_KERNEL_VERSION"), ", sources ", env!("BLUEGEN_KERNEL_ID"), ")");

/// Where unpacked kernels live, or why there is no such place.
pub fn base() -> Result<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var("BLUEGEN_DATA_DIR") {
        return Ok(dir);
    }
    if let Some(dir) = var("XDG_DATA_HOME").filter(|d| d.is_absolute()) {
        return Ok(dir.join("bluegen"));
    }
    if let Some(home) = var("HOME") {
        return Ok(home.join(".local").join("share").join("bluegen"));
    }
    Err(Diagnostic::error("bluegen has nowhere to unpack its kernel")
        .why("none of BLUEGEN_DATA_DIR, XDG_DATA_HOME and HOME is set")
        .hint("set BLUEGEN_DATA_DIR to a directory bluegen may write, or BLUEGEN_ROOT to a bluegen checkout")
        .into())
}

/// The unpacked kernel root of this binary, unpacked now if it is not yet.
pub fn unpacked() -> Result<PathBuf> {
    let dir = base()?.join(ID);
    if dir.join(COMPLETE).is_file() {
        return Ok(dir);
    }
    unpack_to(&dir)?;
    Ok(dir)
}

/// The file that marks a data directory as whole.
const COMPLETE: &str = ".bluegen-complete";

fn unpack_to(dir: &Path) -> Result<()> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| cannot(parent, e))?;
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("kernel");
    let tmp = parent.join(format!(".{name}.unpacking-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| {
        let mut archive = tar::Archive::new(KERNEL);
        archive.set_preserve_mtime(false);
        archive.unpack(&tmp)?;
        std::fs::write(tmp.join(COMPLETE), ID)?;
        std::fs::rename(&tmp, dir)
    })();
    match result {
        Ok(()) => Ok(()),
        // Another bluegen unpacked the same kernel first: use its copy.
        Err(_) if dir.join(COMPLETE).is_file() => {
            let _ = std::fs::remove_dir_all(&tmp);
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(cannot(dir, e))
        }
    }
}

fn cannot(dir: &Path, e: std::io::Error) -> Error {
    Diagnostic::error(format!("cannot unpack bluegen's kernel into {}", dir.display()))
        .why(e.to_string())
        .hint("set BLUEGEN_DATA_DIR to a directory bluegen may write")
        .into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_archive_holds_the_kernel_root() {
        let mut archive = tar::Archive::new(super::KERNEL);
        let names: Vec<String> = archive.entries().unwrap().map(|e| e.unwrap().path().unwrap().display().to_string()).collect();
        for want in ["components/kernel/Cargo.toml", "boards/qemu-mps2-an385.toml", "configs/minimal.toml", "kernel-templates/image/Cargo.toml.j2", "kernel-templates/image/.cargo/config.toml.j2", "rust-toolchain.toml"] {
            assert!(names.iter().any(|n| n == want), "{want} is not in the archive");
        }
        assert!(!names.iter().any(|n| n.split('/').any(|p| p == "target" || p == ".git")), "{names:?}");
        assert_ne!(super::KERNEL_VERSION, "unknown");
    }
}
