//! C apps: the C toolchain and picolibc of a target, and the C functions a source defines.
//!
//! A device with `[c]` sources is compiled with the Debian cross GCC of its
//! architecture (`arm-none-eabi-gcc`, `riscv64-unknown-elf-gcc`,
//! `aarch64-linux-gnu-gcc` without its Linux parts) through the
//! image's build script (the `cc` crate) and linked with picolibc's `libc.a`
//! and GCC's `libgcc.a` of the multilib that matches the board's target.
//! [`probe`] finds them, or says which Debian packages to install; the
//! flags per target are [`flags`]'s. Nothing here runs for a device
//! without C sources.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

/// A target's C compiler, its flags and the libraries an image links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Toolchain {
    /// The compiler (on PATH), e.g. `arm-none-eabi-gcc`.
    pub gcc: String,
    /// Its archiver, e.g. `arm-none-eabi-ar`.
    pub ar: String,
    /// Flags for every C file: the core, float ABI and code model, size
    /// optimisation, picolibc's specs.
    pub flags: Vec<String>,
    /// The directory of picolibc's `libc.a` for this multilib.
    pub libc_dir: PathBuf,
    /// GCC's `libgcc.a` for this multilib.
    pub libgcc: PathBuf,
}

/// What a target's C toolchain is made of.
struct Family {
    /// GCC's target triple (the prefix of its tools, picolibc's directory).
    triple: &'static str,
    /// The Debian packages that install compiler and picolibc.
    packages: &'static str,
}

const ARM: Family = Family { triple: "arm-none-eabi", packages: "gcc-arm-none-eabi picolibc-arm-none-eabi" };
const RISCV: Family = Family { triple: "riscv64-unknown-elf", packages: "gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf" };
/// Debian has no bare-metal AArch64 GCC: its Linux cross GCC compiles
/// freestanding code with picolibc's specs (which replace glibc's headers,
/// start files and libraries) and the flags below.
const AARCH64: Family = Family { triple: "aarch64-linux-gnu", packages: "gcc-aarch64-linux-gnu picolibc-aarch64-linux-gnu" };

/// Where Debian's picolibc packages install, per triple.
const PICOLIBC: &str = "/usr/lib/picolibc";

/// The GCC flags for Rust target `target` and its toolchain family, or
/// `None` for a target without a C toolchain here.
///
/// RISC-V: `-mabi` matches the Rust target's float ABI (rust-lld refuses to
/// link lp64 objects into an lp64d image), `medany` reaches RAM at
/// 0x8000_0000, `-mno-save-restore` keeps calls of libgcc's
/// `__riscv_save_*` out, and `-mno-relax` keeps `gp` out of the code: the
/// kernel keeps the yield address in `gp`, and the image defines no
/// `__global_pointer$`.
///
/// AArch64 (the Linux GCC): no position-independent code (the image is
/// linked static, at its address), no stack protector (no guard symbol),
/// and atomics inline (`-mno-outline-atomics`: libgcc's out-of-line ones
/// ask Linux's auxiliary vector which instructions the core has).
fn flags(target: &str) -> Option<(&'static Family, &'static [&'static str])> {
    Some(match target {
        "thumbv6m-none-eabi" => (&ARM, &["-mcpu=cortex-m0", "-mthumb", "-mfloat-abi=soft"]),
        "thumbv7m-none-eabi" => (&ARM, &["-mcpu=cortex-m3", "-mthumb", "-mfloat-abi=soft"]),
        "thumbv7em-none-eabi" => (&ARM, &["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=soft"]),
        "thumbv7em-none-eabihf" => (&ARM, &["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]),
        "thumbv8m.main-none-eabi" => (&ARM, &["-march=armv8-m.main", "-mthumb", "-mfloat-abi=soft"]),
        "riscv32imac-unknown-none-elf" => (&RISCV, &["-march=rv32imac", "-mabi=ilp32", "-mcmodel=medany", "-mno-save-restore", "-mno-relax"]),
        "riscv64gc-unknown-none-elf" => (&RISCV, &["-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany", "-mno-save-restore", "-mno-relax"]),
        "aarch64-unknown-none" => (&AARCH64, &["-mcpu=cortex-a53", "-ffreestanding", "-fno-pic", "-fno-pie", "-fno-stack-protector", "-mno-outline-atomics"]),
        _ => return None,
    })
}

/// Why a target's C toolchain cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub why: String,
    /// The command that installs what is missing, when Debian has it.
    pub install: Option<String>,
}

/// The C toolchain of Rust target `target`, found on this machine.
pub fn probe(target: &str) -> Result<Toolchain, Missing> {
    let Some((family, target_flags)) = flags(target) else {
        return Err(Missing { why: format!("bluegen knows no C toolchain for target {target}"), install: None });
    };
    let install = Some(format!("sudo apt-get install {}", family.packages));
    let missing = |why: String| Missing { why, install: install.clone() };
    let gcc = format!("{}-gcc", family.triple);
    let ask = |question: &str| -> Result<String, Missing> {
        let out = Command::new(&gcc)
            .args(target_flags)
            .arg(question)
            .output()
            .map_err(|e| missing(format!("`{gcc}` cannot be run ({e})")))?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !out.status.success() || text.is_empty() {
            return Err(missing(format!("`{gcc} {question}` failed: {}", String::from_utf8_lossy(&out.stderr).trim())));
        }
        Ok(text)
    };
    let multilib = ask("-print-multi-directory")?;
    let libgcc = PathBuf::from(ask("-print-libgcc-file-name")?);
    if !libgcc.is_file() {
        return Err(missing(format!("{gcc} names {} as its libgcc.a, which does not exist", libgcc.display())));
    }
    let root = Path::new(PICOLIBC).join(family.triple);
    let libc_dir = root.join("lib").join(&multilib);
    if !libc_dir.join("libc.a").is_file() {
        return Err(missing(format!("picolibc is not installed for {} (there is no {})", family.triple, libc_dir.join("libc.a").display())));
    }
    let specs = root.join("picolibc.specs");
    let mut flags: Vec<String> = target_flags.iter().map(|f| f.to_string()).collect();
    flags.extend(["-Os", "-ffunction-sections", "-fdata-sections", "-fno-common"].map(String::from));
    flags.push(format!("-specs={}", specs.display()));
    Ok(Toolchain { gcc, ar: format!("{}-ar", family.triple), flags, libc_dir, libgcc })
}

/// The environment under which crates.io's C crates of an image build
/// for `target` (littlefs2-sys, with the filesystem): the `cc` crate gets
/// the target's GCC and flags (not its defaults, no specs: picolibc's
/// headers by path), bindgen gets libclang and the same `defines`, so
/// that C and its bindings agree on every struct (`LFS_THREADSAFE` adds
/// the lock callbacks to littlefs's configuration).
pub fn crate_env(toolchain: &Toolchain, target: &str, defines: &[&str]) -> Result<Vec<(String, String)>, Missing> {
    // `<VAR>_<target>` as the triple is written: the `cc` crate and
    // bindgen both read that form (their underscored forms differ on a
    // dot, as in thumbv8m.main-none-eabi).
    let under = target;
    let include = toolchain.libc_dir.ancestors().find(|d| d.join("include").join("string.h").is_file()).map(|d| d.join("include"));
    let Some(include) = include else {
        return Err(Missing { why: format!("picolibc's headers are not beside {}", toolchain.libc_dir.display()), install: None });
    };
    let mut cflags: Vec<String> = toolchain.flags.iter().filter(|f| !f.starts_with("-specs=")).cloned().collect();
    cflags.push(format!("-isystem{}", include.display()));
    cflags.extend(defines.iter().map(|d| format!("-D{d}")));
    let libclang = libclang_dir().ok_or_else(|| Missing {
        why: "littlefs's Rust bindings are generated with bindgen, which needs libclang, and none is installed".into(),
        install: Some("sudo apt-get install libclang-dev".into()),
    })?;
    Ok(vec![
        ("CRATE_CC_NO_DEFAULTS".into(), "1".into()),
        (format!("CC_{under}"), toolchain.gcc.clone()),
        (format!("AR_{under}"), toolchain.ar.clone()),
        (format!("CFLAGS_{under}"), cflags.join(" ")),
        (format!("BINDGEN_EXTRA_CLANG_ARGS_{under}"), bindgen_args(target, &include, defines)),
        ("LIBCLANG_PATH".into(), libclang.display().to_string()),
    ])
}

/// bindgen's clang arguments: the defines; for AArch64 also picolibc's
/// headers, since clang takes aarch64-unknown-none for a hosted target and
/// would read the build machine's /usr/include (the bare-metal Arm and
/// RISC-V targets have only clang's own headers, which suffice).
fn bindgen_args(target: &str, include: &Path, defines: &[&str]) -> String {
    let mut args: Vec<String> = defines.iter().map(|d| format!("-D{d}")).collect();
    if target.starts_with("aarch64") {
        args.insert(0, format!("-isystem{}", include.display()));
        args.insert(0, "-ffreestanding".into());
    }
    args.join(" ")
}

/// Where libclang is: `LIBCLANG_PATH`, or the newest of Debian's
/// `/usr/lib/llvm-<version>/lib` (whose clang resource headers, such as
/// `stdbool.h`, libclang finds relative to itself).
pub fn libclang_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("LIBCLANG_PATH") {
        return Some(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib")
        .ok()?
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let version: u32 = name.strip_prefix("llvm-")?.parse().ok()?;
            let lib = Path::new("/usr/lib").join(&name).join("lib");
            lib.join("libclang.so").exists().then_some((version, lib))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, dir)| dir)
}

/// Whether C source `text` defines a function `name`: the name as a token
/// (not a member), its parameter list, then a body. Comments, strings and
/// character constants are skipped, and so are the branches the
/// preprocessor surely drops (`#if 0`, [`without_if_zero`]); the
/// preprocessor is not run, so a branch that depends on a macro counts.
pub fn defines_function(text: &str, name: &str) -> bool {
    defines(&without_if_zero(&strip(text)), name)
}

/// Whether `text` defines `name` only in a branch `#if 0` drops: the
/// definition is written, but the compiler never sees it.
pub fn defines_only_under_if_zero(text: &str, name: &str) -> bool {
    let code = strip(text);
    defines(&code, name) && !defines(&without_if_zero(&code), name)
}

/// [`defines_function`] of code already stripped.
fn defines(code: &str, name: &str) -> bool {
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut from = 0;
    while let Some(i) = code[from..].find(name).map(|i| i + from) {
        from = i + name.len();
        let before = code[..i].trim_end();
        if (i > 0 && is_ident(bytes[i - 1])) || before.ends_with('.') || before.ends_with("->") {
            continue;
        }
        if bytes.get(from).is_some_and(|b| is_ident(*b)) {
            continue;
        }
        let rest = code[from..].trim_start();
        if !rest.starts_with('(') {
            continue;
        }
        let mut depth = 0;
        let mut end = None;
        for (j, c) in rest.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(j + 1);
                        break;
                    }
                }
                _ => {}
            }
        }
        // A `static` one is not the image's to call: its declaration,
        // since the end of the last declaration or block, says so.
        let start = before.rfind([';', '}']).map_or(0, |k| k + 1);
        let is_static = before[start..].split(|c: char| !is_ident(c as u8) || !c.is_ascii()).any(|w| w == "static");
        if end.is_some_and(|e| rest[e..].trim_start().starts_with('{')) && !is_static {
            return true;
        }
    }
    false
}

/// `code` (comments stripped) without the lines of the branches that are
/// dead whatever the macros: an `#if 0` up to its `#else`, `#elif` or
/// `#endif`, and everything nested in one. A branch whose condition names
/// a macro stays: only the compiled objects can tell (see
/// [`crate::c_errors`]).
pub fn without_if_zero(code: &str) -> String {
    // One entry per open conditional: whether its current branch is dead.
    let mut open: Vec<bool> = Vec::new();
    let mut out = String::with_capacity(code.len());
    for line in code.split_inclusive('\n') {
        let directive = line.trim_start().strip_prefix('#').map(str::trim_start);
        let outer_dead = open.iter().any(|&d| d);
        let word = directive.map(|d| d.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or(""));
        match (word, directive) {
            (Some("if"), Some(d)) => open.push(outer_dead || d[2..].trim() == "0"),
            (Some("ifdef" | "ifndef"), _) => open.push(outer_dead),
            (Some("else" | "elif"), _) => {
                let parent_dead = open.len() > 1 && open[..open.len() - 1].iter().any(|&d| d);
                if let Some(last) = open.last_mut() {
                    // After a dead `#if 0` the other branch may be live; after a live one it is not known to be dead.
                    *last = parent_dead;
                }
            }
            (Some("endif"), _) => drop(open.pop()),
            _ => {}
        }
        if outer_dead || open.iter().any(|&d| d) {
            out.push('\n');
        } else {
            out.push_str(line);
        }
    }
    out
}

/// `text` with comments, string literals and character constants blanked.
fn strip(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                out.push(' ');
            }
            '"' | '\'' => {
                let mut escaped = false;
                for d in chars.by_ref() {
                    if !escaped && d == c {
                        break;
                    }
                    escaped = !escaped && d == '\\';
                }
                out.push_str("\"\"");
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether `name` can be a C preprocessor macro or function name.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A C string literal of `text`: quotes, backslashes and every byte
/// outside printable ASCII escaped (as three-digit octal, which no
/// following digit can extend).
pub fn c_string(text: &str) -> String {
    let mut out = String::from("\"");
    for b in text.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b' '..=b'~' => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_definitions_not_calls_or_comments() {
        let src = "/* int worker(void) { } */\n#include <stdio.h>\nvoid helper(int x);\nint\nmain (int argc, char **argv)\n{\n  helper(1); s.worker(); \"worker() {\";\n}\nvoid worker(void) { }\n";
        assert!(defines_function(src, "main"));
        assert!(defines_function(src, "worker"));
        assert!(!defines_function(src, "helper"));
        assert!(!defines_function(src, "mai"));
        assert!(!defines_function("// int f(void) {}\n", "f"));
        assert!(!defines_function("int x;\nstatic void f(void) {}\n", "f"), "static: not linkable");
        assert!(!defines_function("#include <a.h>\nstatic inline void f(void) { }\n", "f"));
        assert!(defines_function("static int g(void) { return 0; }\nvoid f(void) { g(); }\n", "f"));
    }

    #[test]
    fn if_zero_branches_define_nothing() {
        assert!(!defines_function("#if 0\nvoid f(void) {}\n#endif\n", "f"));
        assert!(!defines_function("#if 0 /* off */\n#ifdef X\nvoid f(void) {}\n#endif\n#endif\n", "f"), "nested in a dead branch");
        assert!(defines_function("#if 0\nvoid g(void) {}\n#else\nvoid f(void) {}\n#endif\n", "f"), "the other branch");
        assert!(defines_function("#ifdef X\nvoid f(void) {}\n#endif\n", "f"), "a macro's branch may be live");
        assert!(defines_function("#if 0\n#endif\nvoid f(void) {}\n", "f"));
        assert!(defines_function("#if 01\nvoid f(void) {}\n#endif\n", "f"));
        assert!(defines_only_under_if_zero("#if 0\nvoid f(void) {}\n#endif\n", "f"));
        assert!(!defines_only_under_if_zero("void f(void) {}\n", "f") && !defines_only_under_if_zero("", "f"));
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("DEBUG_LEVEL") && is_identifier("_x1"));
        assert!(!is_identifier("1X") && !is_identifier("A-B") && !is_identifier(""));
    }

    #[test]
    fn c_strings() {
        assert_eq!(c_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(c_string("x\n1é"), "\"x\\0121\\303\\251\"");
    }

    #[test]
    fn every_board_target_has_flags() {
        for t in ["thumbv6m-none-eabi", "thumbv7m-none-eabi", "thumbv7em-none-eabihf", "thumbv8m.main-none-eabi", "riscv32imac-unknown-none-elf", "riscv64gc-unknown-none-elf"] {
            assert!(flags(t).is_some(), "{t}");
        }
        let (_, rv64) = flags("riscv64gc-unknown-none-elf").unwrap();
        assert!(rv64.contains(&"-mabi=lp64d") && rv64.contains(&"-mcmodel=medany"));
    }
}
