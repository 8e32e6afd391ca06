//! C apps (`[c]`, `c-entry`): examples/c-hello boots on every emulated board
//! and prints from C (printf, errno per thread, malloc) and Rust; C's
//! `main` returns the run's exit status; errno stays per thread under
//! preemption (`fixtures/c-tls`); each mistake of `[c]` is a located
//! message, and a device without C needs nothing of the C toolchain.

mod common;

use std::path::Path;

use common::{bluegen, bluegen_images, device, project, repo};

/// What examples/c-hello prints, in order.
const HELLO: &[&str] = &[
    "Hello from Rust, beside C\n",
    "worker: errno = 33\n",
    "Hello from C, 1 of 3\nHello from C, 2 of 3\nHello from C, 3 of 3\n",
    "main: worker done = 1, errno = 0\n",
    "main: strtoul overflow: errno = ERANGE\n",
    "main: malloc'd and realloc'd\n",
    "main: all good\n",
];

fn run(dir: &Path, board: &str) -> (i32, String, String) {
    let out = bluegen_images().args(["run", dir.to_str().unwrap(), "--board", board, "--timeout", "120"]).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn boots(board: &str) {
    let (code, out, err) = run(&repo().join("examples/c-hello"), board);
    assert_eq!(code, 0, "{board}: {out}\n{err}");
    let mut rest = out.as_str();
    for line in HELLO {
        let at = rest.find(line).unwrap_or_else(|| panic!("{board}: no {line:?} after what came before in:\n{out}"));
        rest = &rest[at + line.len()..];
    }
}

#[test]
fn c_hello_boots_on_mps2_an385() {
    boots("qemu-mps2-an385");
}

#[test]
fn c_hello_boots_on_virt_rv32() {
    boots("qemu-virt-rv32");
}

#[test]
fn c_hello_boots_on_virt_rv64() {
    boots("qemu-virt-rv64");
}

/// AArch64: Debian's Linux cross GCC, freestanding, with picolibc.
#[test]
fn c_hello_boots_on_virt_aarch64() {
    boots("qemu-virt-aarch64");
}

/// v6-M, v7E-M hard-float and v8-M main: the other emulated boards.
#[test]
fn c_hello_boots_on_the_other_emulated_boards() {
    for board in ["qemu-microbit", "qemu-mps2-an386", "qemu-mps2-an505"] {
        boots(board);
    }
}

/// A project with C sources: device.toml, the app crate and `files`.
fn c_project(device_toml: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = project(device_toml);
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const MAIN_THREAD: &str = "[threads.main]\nc-entry = \"main\"\npriority = 1\nstack = 2048\n";

#[test]
fn mains_return_value_is_the_exit_status_and_defines_reach_the_code() {
    let toml = format!("{}\n[c]\nsources = [\"src/main.c\"]\ninclude = [\"include\"]\n\n[c.defines]\nSTATUS = 3\nWORD = \"\\\"three\\\"\"\nLOUD = true\n\n{MAIN_THREAD}", device("qemu-mps2-an385"));
    let main = "#include <stdio.h>\n#include \"status.h\"\nint main(void)\n{\n#ifdef LOUD\n\tprintf(\"returning %s\\n\", WORD);\n#endif\n\treturn RESULT;\n}\n";
    let dir = c_project(&toml, &[("src/main.c", main), ("include/status.h", "#define RESULT STATUS\n")]);
    let (code, out, err) = run(dir.path(), "qemu-mps2-an385");
    assert_eq!(code, 3, "{out}\n{err}");
    assert!(out.contains("returning three\n"), "{out}");
}

fn check(toml: &str, files: &[(&str, &str)]) -> (i32, String) {
    let dir = c_project(toml, files);
    let (code, _, err) = bluegen(dir.path(), &["check"]);
    (code, err)
}

const MAIN_C: (&str, &str) = ("src/main.c", "int main(void) { return 0; }\n");

#[test]
fn a_c_device_checks_clean() {
    let (code, err) = check(&format!("{}\n[c]\nsources = [\"src/main.c\"]\n\n{MAIN_THREAD}", device("qemu-virt-rv32")), &[MAIN_C]);
    assert_eq!((code, err.as_str()), (0, ""));
}

#[test]
fn a_missing_source_and_a_header_in_sources() {
    let (code, err) = check(&format!("{}\n[c]\nsources = [\"src/main.c\", \"src/gone.c\", \"src/main.h\"]\n\n{MAIN_THREAD}", device("qemu-mps2-an385")), &[MAIN_C, ("src/main.h", "")]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: C source `src/gone.c` cannot be used
     --> device.toml:6:26
      |
    6 | sources = ["src/main.c", "src/gone.c", "src/main.h"]
      |                          ^^^^^^^^^^^^
      = key: c.sources
      = value: "src/gone.c"
      = why: there is no [DIR]/src/gone.c
      = hint: paths in [c] are relative to the directory of device.toml

    error: `src/main.h` is not a C or assembly source
     --> device.toml:6:40
      |
    6 | sources = ["src/main.c", "src/gone.c", "src/main.h"]
      |                                        ^^^^^^^^^^^^
      = key: c.sources
      = value: "src/main.h"
      = why: the image's build script compiles `.c`, `.s` and `.S` files; headers are found through `include`
      = hint: list the .c files in `sources` and their directories of headers in `include`
    "#);
}

#[test]
fn a_bad_define_name_and_value_and_a_missing_include_directory() {
    let (code, err) = check(&format!("{}\n[c]\nsources = [\"src/main.c\"]\ninclude = [\"inc\"]\n\n[c.defines]\n\"2FAST\" = 1\nRATIO = 1.5\n\n{MAIN_THREAD}", device("qemu-mps2-an385")), &[MAIN_C]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: include directory `inc` does not exist
     --> device.toml:7:12
      |
    7 | include = ["inc"]
      |            ^^^^^
      = key: c.include
      = value: "inc"
      = why: there is no directory [DIR]/inc
      = hint: paths in [c] are relative to the directory of device.toml

    error: invalid define name `2FAST`
      --> device.toml:10:1
       |
    10 | "2FAST" = 1
       | ^^^^^^^
       = key: c.defines.2FAST
       = why: a macro name is a C identifier: letters, digits and `_`, not starting with a digit
       = hint: try `FAST`

    error: invalid value for `c.defines.RATIO`
      --> device.toml:11:9
       |
    11 | RATIO = 1.5
       |         ^^^
       = key: c.defines.RATIO
       = value: 1.5
       = why: a define's value is an integer, a string (the macro's text, on one line) or `true` (defined without a value)
       = hint: write `RATIO = 1`, or `RATIO = "\"text\""` for a C string
    "#);
}

#[test]
fn a_c_entry_no_source_defines() {
    let toml = format!("{}\n[c]\nsources = [\"src/main.c\"]\n\n{MAIN_THREAD}\n[threads.worker]\nc-entry = \"wroker\"\npriority = 2\nstack = 1024\n", device("qemu-mps2-an385"));
    let (code, err) = check(&toml, &[("src/main.c", "int main(void) { return 0; }\n/* void wroker(void) {} */\nvoid worker(void) { }\n")]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: no C source defines `wroker`
      --> device.toml:14:11
       |
    14 | c-entry = "wroker"
       |           ^^^^^^^^
       = key: threads.worker.c-entry
       = value: "wroker"
       = why: `c-entry` names a function defined in [c]'s sources (`src/main.c`)
       = hint: define `void wroker(void)` (not `static`) in one of them, or add the file that does to `sources`
    "#);
}

#[test]
fn a_c_entry_without_c_sources_and_a_thread_with_both_entries() {
    let toml = format!("{}\n{MAIN_THREAD}\n[threads.both]\nentry = \"main\"\nc-entry = \"main\"\npriority = 2\nstack = 1024\n", device("qemu-mps2-an385"));
    let (code, err) = check(&toml, &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: thread `main` runs C function `main`, but the device has no C sources
     --> device.toml:6:11
      |
    6 | c-entry = "main"
      |           ^^^^^^
      = key: threads.main.c-entry
      = value: "main"
      = why: `c-entry` names a function of the sources listed in [c]
      = hint: add a [c] table:

        [c]
        sources = ["src/main.c"]

    or use `entry` for a Rust function of the app crate

    error: thread `both` has both `entry` and `c-entry`
      --> device.toml:12:11
       |
    12 | c-entry = "main"
       |           ^^^^^^
       = key: threads.both.c-entry
       = why: a thread runs one function: `entry` names a Rust function of the app crate (`main`), `c-entry` a C function of [c]'s sources (`main`)
       = hint: keep one of the two
    "#);
}

/// A directory holding only `bluegen`'s own needs: no cross GCC on PATH.
fn path_without_gcc() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn a_missing_c_toolchain_says_what_to_install() {
    let toml = format!("{}\n[c]\nsources = [\"src/main.c\"]\n\n{MAIN_THREAD}", device("qemu-virt-rv32"));
    let dir = c_project(&toml, &[MAIN_C]);
    let empty = path_without_gcc();
    let out = assert_cmd::Command::cargo_bin("bluegen").unwrap().current_dir(dir.path()).env("PATH", empty.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stderr), @r"
    error: the C toolchain of this board is not installed
     --> device.toml:5:2
      |
    5 | [c]
      |  ^
      = key: c
      = why: `riscv64-unknown-elf-gcc` cannot be run (No such file or directory (os error 2)); the device's C sources need it
      = hint: install it with:

        sudo apt-get install gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
    ");
}

#[test]
fn a_device_without_c_needs_no_c_toolchain() {
    let dir = project(&format!("{}\n{}", device("qemu-mps2-an385"), common::THREAD));
    let empty = path_without_gcc();
    let out = assert_cmd::Command::cargo_bin("bluegen").unwrap().current_dir(dir.path()).env("PATH", empty.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `bluegen size` gives the device's C objects, picolibc and libgcc rows of
/// their own, and the libc component its glue.
#[test]
fn the_size_report_has_rows_for_c_picolibc_and_libgcc() {
    let out = bluegen_images().args(["size", repo().join("examples/c-hello").to_str().unwrap(), "--depth", "1"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    for row in ["c ", "picolibc ", "libgcc ", "libc "] {
        assert!(text.lines().any(|l| l.starts_with(row)), "no `{row}` row in:\n{text}");
    }
}

#[test]
fn libc_is_bluegens_to_set() {
    let toml = format!("{}\n[features]\nlibc = true\n\n[c]\nsources = [\"src/main.c\"]\n\n{MAIN_THREAD}", device("qemu-mps2-an385"));
    let (code, err) = check(&toml, &[MAIN_C]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r"
    error: `libc` is set by bluegen, not by a device
     --> device.toml:6:1
      |
    6 | libc = true
      | ^^^^
      = key: features.libc
      = value: true
      = why: the libc component's LIBC is on exactly when device.toml has a [c] table: it links picolibc and its glue for the C sources
      = hint: remove this line; a [c] table with C sources turns the C library on
    ");
}

/// A C compile error: GCC's message with its file and line, then bluegen's
/// at `[c]`, without cargo's dump of the build script.
#[test]
fn a_c_compile_error_is_gccs_message_and_one_of_bluegens() {
    let toml = format!("{}\n[c]\nsources = [\"src/main.c\"]\n\n{MAIN_THREAD}", device("qemu-mps2-an385"));
    let dir = c_project(&toml, &[("src/main.c", "int main(void) { return 0 }\n")]);
    let out = bluegen_images().current_dir(dir.path()).arg("build").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("src/main.c:1:26: error: expected ';'"), "{err}");
    assert!(err.contains("error: the C sources did not compile\n --> device.toml:5:2"), "{err}");
    assert!(err.contains("= why: arm-none-eabi-gcc reported the errors above"), "{err}");
    assert!(!err.contains("Caused by") && !err.contains("--- stdout"), "{err}");
}

#[test]
fn c_needs_the_heap() {
    let toml = format!("{}\n[features]\nheap = false\n\n[c]\nsources = [\"src/main.c\"]\n\n{MAIN_THREAD}", device("qemu-mps2-an385"));
    let (code, err) = check(&toml, &[MAIN_C]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r"
    error: `heap = false` contradicts a select
     --> device.toml:6:1
      |
    6 | heap = false
      | ^^^^
      = key: features.heap
      = value: false
      = why: LIBC selects HEAP, so it is on whenever LIBC is
      = note: HEAP declared at components/heap/Kconfig:3
      = note: LIBC declared at components/libc/Kconfig:3
      = hint: remove this line: LIBC needs HEAP, and bluegen sets LIBC from device.toml
    ");
}

/// errno under preemption: two C threads of one priority, sliced every
/// tick, each keep their own errno while the other runs (without the
/// switch's TLS hook they see each other's: 34 mismatches on mps2-an385).
#[test]
fn errno_is_per_thread_under_preemption() {
    let dir = repo().join("bluegen/tests/fixtures/c-tls");
    for board in ["qemu-mps2-an385", "qemu-virt-rv32", "qemu-virt-rv64", "qemu-virt-aarch64"] {
        let out = common::run_icount(&dir, board);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{board}: {text}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains("interleaved yes, mismatches 0, errno of main 0\n"), "{board}: {text}");
    }
}
