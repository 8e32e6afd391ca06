//! Embeds the kernel bluegen builds: components, boards, presets, templates.
//!
//! An installed bluegen has no checkout to read them from, so they travel in
//! the binary as one tar archive (`$OUT_DIR/kernel.tar`), which
//! `bluegen::data` unpacks once into a versioned data directory. The archive
//! is made from the checkout around this crate (`../components`, …) or, in
//! a packaged crate, is the `kernel.tar` packed beside this file. It is the
//! same bytes for the same files: sorted, with zero times and owners, so
//! its hash (the data directory's name) names its content.

use std::io::Write;
use std::path::{Path, PathBuf};

/// What the kernel root holds, from the checkout's top directory.
const PARTS: &[&str] = &["components", "boards", "configs", "kernel-templates", "rust-toolchain.toml"];

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("kernel.tar");
    let checkout = manifest.parent().filter(|top| PARTS.iter().all(|p| top.join(p).exists()));
    let bytes = match checkout {
        Some(top) => {
            for part in PARTS {
                println!("cargo::rerun-if-changed={}", top.join(part).display());
            }
            archive(top)
        }
        None => {
            let packed = manifest.join("kernel.tar");
            println!("cargo::rerun-if-changed={}", packed.display());
            std::fs::read(&packed).unwrap_or_else(|e| panic!("bluegen's kernel is neither in a checkout around {} nor packed as {}: {e}", manifest.display(), packed.display()))
        }
    };
    std::fs::write(&out, &bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
    println!("cargo::rustc-env=BLUEGEN_KERNEL_ID={:016x}", fnv1a(&bytes));
    println!("cargo::rustc-env=BLUEGEN_KERNEL_VERSION={}", kernel_version(&bytes).unwrap_or_else(|| "unknown".into()));
    // `bluegen package` packs the same archive into a crate of its own.
    println!("cargo::rerun-if-env-changed=BLUEGEN_PACK");
    if let Some(dest) = std::env::var_os("BLUEGEN_PACK") {
        std::fs::File::create(&dest).and_then(|mut f| f.write_all(&bytes)).unwrap_or_else(|e| panic!("cannot write {}: {e}", Path::new(&dest).display()));
    }
}

/// The files of `PARTS` under `top` as a tar archive, sorted, without
/// build outputs (`target/`), version control and editors' leftovers.
fn archive(top: &Path) -> Vec<u8> {
    let mut files = Vec::new();
    for part in PARTS {
        collect(top, &top.join(part), &mut files);
    }
    files.sort();
    let mut tar = tar::Builder::new(Vec::new());
    for rel in files {
        let path = top.join(&rel);
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let executable = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).expect("read above").permissions()) & 0o111 != 0;
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(if executable { 0o755 } else { 0o644 });
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        tar.append_data(&mut header, &rel, data.as_slice()).unwrap_or_else(|e| panic!("cannot archive {}: {e}", path.display()));
    }
    tar.into_inner().expect("an archive in memory")
}

fn collect(top: &Path, path: &Path, out: &mut Vec<PathBuf>) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let leftover = [".swp", "~", ".orig", ".rej", ".pending-snap", ".snap.new"].iter().any(|s| name.ends_with(s));
    if name == "target" || name == ".git" || name == ".DS_Store" || leftover {
        return;
    }
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display())) {
            collect(top, &entry.expect("a directory entry").path(), out);
        }
    } else if path.is_file() {
        out.push(path.strip_prefix(top).expect("under top").to_path_buf());
    }
}

/// The kernel crate's version, from its Cargo.toml in the archive.
fn kernel_version(bytes: &[u8]) -> Option<String> {
    let mut archive = tar::Archive::new(bytes);
    for entry in archive.entries().ok()? {
        let mut entry = entry.ok()?;
        if entry.path().ok()?.as_ref() == Path::new("components/kernel/Cargo.toml") {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut entry, &mut text).ok()?;
            let line = text.lines().find(|l| l.trim_start().starts_with("version"))?;
            return Some(line.split('"').nth(1)?.to_string());
        }
    }
    None
}

/// 64-bit FNV-1a: the archive's name in the data directory.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
