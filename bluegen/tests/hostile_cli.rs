//! The command line as a hostile tester uses it: output to a full disk for
//! every subcommand that prints without building, help and version included.

use std::path::{Path, PathBuf};
use std::process::Stdio;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Runs bluegen with standard output on `/dev/full`: every write fails with
/// "no space left on device". Returns (exit code, stderr).
fn full_stdout(args: &[&str]) -> (i32, String) {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("bluegen"))
        .current_dir(repo())
        .args(args)
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_full_disk_behind_stdout_is_an_error_for_every_command() {
    let hello = repo().join("examples/hello").display().to_string();
    // `size` of an ELF prints without building: this test's own executable.
    let elf = std::env::current_exe().unwrap().display().to_string();
    let cases: &[&[&str]] = &[
        &["size", &elf],
        &["size", &elf, "--json"],
        &["--help"],
        &["--version"],
        &["help"],
        &["help", "size"],
        &["boards", "--help"],
        &["config", "set", "--help"],
        &["chips"],
        &["chips", "--json"],
        &["boards"],
        &["boards", "--json"],
        &["probes"],
        &["check", &hello],
        &["config", &hello],
        &["config", "--json", &hello],
        &["config", "--minimal", &hello],
        &["config", "--why", "console", &hello],
        &["docs", "--check"],
        // The console of a QEMU run goes through the same writer (QEMU
        // itself blocked for ever on an inherited /dev/full).
        &["run", &hello, "--timeout", "120"],
    ];
    for args in cases {
        let (code, err) = full_stdout(args);
        assert_eq!(code, 1, "bluegen {} > /dev/full: {err}", args.join(" "));
        assert!(err.contains("cannot write to standard output") && err.contains("No space left"), "bluegen {}: {err}", args.join(" "));
        assert!(err.contains("= hint: "), "bluegen {}: {err}", args.join(" "));
        assert!(!err.contains("panicked"), "bluegen {}: {err}", args.join(" "));
    }
}

fn bluegen_in(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("bluegen")).current_dir(dir).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// `size --html FILE` replaces a page it may have written, never a user's
/// other file (a typo such as `--html device.toml`, or the ELF measured).
#[test]
fn size_html_never_replaces_a_file_that_is_no_page() {
    let tmp = tempfile::tempdir().unwrap();
    let elf = tmp.path().join("image");
    std::fs::copy(std::env::current_exe().unwrap(), &elf).unwrap();
    std::fs::write(tmp.path().join("device.toml"), "[device]\nname = \"x\"\n").unwrap();
    std::fs::create_dir(tmp.path().join("dir")).unwrap();
    for target in ["device.toml", "image", "dir", "/dev/null"] {
        let before = std::fs::read(tmp.path().join(target)).ok();
        let (code, err) = bluegen_in(tmp.path(), &["size", "image", "--html", target]);
        assert_eq!(code, 1, "--html {target}: {err}");
        assert!(err.contains(&format!("`{target}` cannot be the HTML page")) && err.contains("key: --html") && err.contains("hint:"), "{err}");
        assert_eq!(std::fs::read(tmp.path().join(target)).ok(), before, "--html {target} changed it");
    }
    // A new file, then the same page again, are fine.
    for _ in 0..2 {
        let (code, err) = bluegen_in(tmp.path(), &["size", "image", "--html", "page.html", "--top", "1"]);
        assert_eq!(code, 0, "{err}");
        assert!(std::fs::read_to_string(tmp.path().join("page.html")).unwrap().starts_with("<!DOCTYPE html>"));
    }
}

fn hello_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("examples/hello/device.toml"), tmp.path().join("device.toml")).unwrap();
    std::fs::create_dir_all(tmp.path().join("app/src")).unwrap();
    for f in ["app/Cargo.toml", "app/src/lib.rs"] {
        std::fs::copy(repo().join("examples/hello").join(f), tmp.path().join(f)).unwrap();
    }
    tmp
}

/// `config set` says "removed" only for a line it removed, and refuses a
/// symbol given twice (which would win?) leaving the file as it was.
#[test]
fn config_set_reports_what_it_did_and_refuses_a_symbol_twice() {
    let dir = hello_copy();
    let before = std::fs::read_to_string(dir.path().join("device.toml")).unwrap();
    let out = |args: &[&str]| {
        let o = std::process::Command::new(assert_cmd::cargo::cargo_bin("bluegen")).current_dir(dir.path()).args(args).output().unwrap();
        (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    // banner is not in device.toml; the preset already gives false.
    let (code, stdout, err) = out(&["config", "set", "banner=false"]);
    assert_eq!(code, 0, "{err}");
    assert!(!stdout.contains("removed"), "{stdout}");
    assert!(stdout.contains("banner: the preset and the defaults already give that value") && stdout.contains("device.toml unchanged"), "{stdout}");
    for args in [&["config", "set", "console=false", "console=true"][..], &["config", "unset", "console", "console"][..]] {
        let (code, _, err) = out(args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains("`console` is given twice") && err.contains("hint: keep one `console` argument"), "{args:?}: {err}");
    }
    assert_eq!(std::fs::read_to_string(dir.path().join("device.toml")).unwrap(), before);
}

/// `new` onto a file (or a device) says that it is no directory, and
/// leaves it as it was.
#[test]
fn new_onto_a_file_says_it_is_no_directory() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("band"), "notes").unwrap();
    for target in ["band", "/dev/null"] {
        let (code, err) = bluegen_in(tmp.path(), &["new", target, "--board", "qemu-virt-rv32"]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains(&format!("`{target}` already exists and is not a directory")) && err.contains("key: DIR"), "{err}");
        assert!(!err.contains("not empty"), "{err}");
    }
    assert_eq!(std::fs::read_to_string(tmp.path().join("band")).unwrap(), "notes");
}

/// `check` names a misspelt feature and `config unset` mends it: a line
/// device.toml has can be removed although the file does not resolve. The
/// "not taken as the device's path" note is only for a missing device.toml.
#[test]
fn config_unset_mends_a_file_that_does_not_resolve() {
    let dir = hello_copy();
    let manifest = dir.path().join("device.toml");
    let broken = std::fs::read_to_string(&manifest).unwrap().replace("console = true", "consle = true\ntick-hz = \"fast\"");
    std::fs::write(&manifest, &broken).unwrap();
    let run = |args: &[&str]| {
        let o = std::process::Command::new(assert_cmd::cargo::cargo_bin("bluegen")).current_dir(dir.path()).args(args).output().unwrap();
        (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let (code, _, err) = run(&["config", "set", "console=true"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unknown feature `consle`") && !err.contains("not taken as the device's path"), "{err}");
    // An argument the file does not have: nothing is touched.
    let (code, _, err) = run(&["config", "unset", "consle", "nosuch"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), broken);
    // One of two mistakes mended: done, and the rest is reported.
    let (code, out, err) = run(&["config", "unset", "consle"]);
    assert_eq!((code, out.as_str()), (1, "unset consle\n"), "{err}");
    assert!(err.contains("still has mistakes") && err.contains("`tick-hz` takes an integer"), "{err}");
    let (code, out, err) = run(&["config", "unset", "tick-hz"]);
    assert_eq!((code, out.as_str()), (0, "unset tick-hz\n"), "{err}");
    let (code, _, err) = run(&["check"]);
    assert_eq!(code, 0, "{err}");
}
