//! C archives: which symbols the device's C objects, picolibc and libgcc define.
//!
//! A C app's symbols carry no crate path; the size report gives each to the
//! archive that defines it: the device's C objects (`c`, the image build
//! script's `libbluegen_c.a`, whose stdio glue is the `libc` component's),
//! picolibc's `libc.a` (`picolibc`) or GCC's `libgcc.a` (`libgcc`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use object::read::archive::ArchiveFile;
use object::{Object, ObjectSymbol, SymbolKind};

/// The functions and objects each member of the archive at `path` defines
/// (statics too: the image's symbol table keeps them), with the member's
/// name; nothing when it cannot be read.
fn members(path: &Path) -> Vec<(String, BTreeSet<String>)> {
    let Ok(data) = std::fs::read(path) else { return Vec::new() };
    let Ok(archive) = ArchiveFile::parse(&*data) else { return Vec::new() };
    let mut out = Vec::new();
    for member in archive.members().flatten() {
        let name = String::from_utf8_lossy(member.name()).into_owned();
        let Ok(bytes) = member.data(&*data) else { continue };
        let Ok(file) = object::File::parse(bytes) else { continue };
        let defined = file.symbols().filter(|s| s.is_definition() && matches!(s.kind(), SymbolKind::Text | SymbolKind::Data)).filter_map(|s| s.name().ok().map(str::to_string)).collect();
        out.push((name, defined));
    }
    out
}

/// Every symbol the archive at `path` defines.
pub fn symbols(path: &Path) -> BTreeSet<String> {
    members(path).into_iter().flat_map(|(_, s)| s).collect()
}

/// The device's C objects next to the image `elf`: the newest
/// `libbluegen_c.a` of cargo's build-script outputs for its target, of
/// image package `package` (its build directories are `<package>-<hash>`;
/// other devices' images may share the target directory).
pub fn c_objects(elf: &Path, package: &str) -> Option<PathBuf> {
    let build = elf.parent()?.join("build");
    let prefix = if package.is_empty() { String::new() } else { format!("{package}-") };
    std::fs::read_dir(build)
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path().join("out").join("libbluegen_c.a"))
        .filter(|p| p.is_file())
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
}

/// The C libraries that crates.io crates of the image compile (littlefs,
/// from littlefs2-sys: `build/littlefs2-sys-*/out/liblfs-sys.a` beside the
/// ELF, the newest when several builds share the target directory): each
/// library's row and the symbols it defines.
pub fn c_libraries(elf: &Path) -> Vec<(String, BTreeSet<String>)> {
    const LIBRARIES: [(&str, &str, &str); 1] = [("littlefs", "littlefs2-sys-", "liblfs-sys.a")];
    let Some(build) = elf.parent().map(|d| d.join("build")) else { return Vec::new() };
    let Ok(entries) = std::fs::read_dir(&build) else { return Vec::new() };
    let dirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    LIBRARIES
        .iter()
        .filter_map(|(row, package, archive)| {
            let newest = dirs
                .iter()
                .filter(|d| d.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(package)))
                .map(|d| d.join("out").join(archive))
                .filter(|p| p.is_file())
                .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())?;
            Some((row.to_string(), symbols(&newest)))
        })
        .collect()
}

/// The archives of the C drivers `names` beside the device's C objects
/// (`objects`, a `libbluegen_c.a`): each driver's name and the symbols its
/// `libbluegen_drv_<name>.a` defines (an archive of a driver the device no
/// longer has is left out).
pub fn driver_objects(objects: &Path, names: &[String]) -> Vec<(String, BTreeSet<String>)> {
    let Some(dir) = objects.parent() else { return Vec::new() };
    names.iter().map(|name| (name.clone(), symbols(&dir.join(format!("libbluegen_drv_{name}.a"))))).collect()
}

/// The `c` and `libc` rows of the device's C objects: the glue of the libc
/// component (`stdio.c` and `bluegen_services.c`, their statics too) is the
/// component's, the rest the device's.
pub fn split_c_objects(path: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut c, mut glue) = (BTreeSet::new(), BTreeSet::new());
    for (member, defined) in members(path) {
        if member.ends_with("-stdio.o") || member.ends_with("-bluegen_services.o") { glue.extend(defined) } else { c.extend(defined) }
    }
    (c, glue)
}
