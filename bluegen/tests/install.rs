//! An installed bluegen: a copy of the binary outside the checkout works
//! with the kernel it carries (unpacked into its data directory), offline
//! for `boards`, `chips` and `new`; images are the same bytes wherever the
//! project sits; device.lock keeps the image's lock and `--locked` holds it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The test's bluegen binary copied out of the checkout, as `cargo install`
/// puts it in `~/.cargo/bin`, with a home of its own.
struct Installed {
    tmp: tempfile::TempDir,
}

impl Installed {
    fn new() -> Installed {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("bin")).unwrap();
        std::fs::create_dir_all(tmp.path().join("home")).unwrap();
        std::fs::create_dir_all(tmp.path().join("work")).unwrap();
        std::fs::copy(assert_cmd::cargo::cargo_bin("bluegen"), tmp.path().join("bin/bluegen")).unwrap();
        Installed { tmp }
    }

    /// bluegen in `work/`, with `HOME` its own and `PATH` as given.
    fn run(&self, args: &[&str], path: Option<&str>) -> std::process::Output {
        let mut cmd = Command::new(self.tmp.path().join("bin/bluegen"));
        cmd.current_dir(self.tmp.path().join("work")).args(args).env("HOME", self.tmp.path().join("home")).env_remove("BLUEGEN_ROOT").env_remove("XDG_DATA_HOME").env_remove("BLUEGEN_DATA_DIR");
        // cargo and rustup keep their own homes (the toolchain is there).
        let home = std::env::var("HOME").unwrap();
        cmd.env("CARGO_HOME", std::env::var("CARGO_HOME").unwrap_or_else(|_| format!("{home}/.cargo")));
        cmd.env("RUSTUP_HOME", std::env::var("RUSTUP_HOME").unwrap_or_else(|_| format!("{home}/.rustup")));
        cmd.env("CARGO_TARGET_DIR", self.tmp.path().join("target"));
        if let Some(path) = path {
            cmd.env("PATH", path);
        }
        cmd.output().unwrap()
    }
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn an_installed_bluegen_works_from_anywhere_with_the_kernel_it_carries() {
    let i = Installed::new();
    let version = i.run(&["--version"], Some("/nonexistent"));
    assert!(version.status.success());
    let version = String::from_utf8(version.stdout).unwrap();
    let kernel = std::fs::read_to_string(repo().join("components/kernel/Cargo.toml")).unwrap();
    let kernel = kernel.lines().find(|l| l.starts_with("version")).unwrap().split('"').nth(1).unwrap().to_string();
    assert!(version.starts_with(&format!("bluegen {} (kernel {kernel}, sources ", env!("CARGO_PKG_VERSION"))), "{version}");

    // Offline and without cargo on PATH: nothing here runs a tool.
    for args in [&["boards"][..], &["chips", "nrf52840"], &["new", "dev", "--board", "qemu-virt-rv32"]] {
        let out = i.run(args, Some("/nonexistent"));
        assert!(out.status.success(), "bluegen {args:?}: {}", text(&out));
    }
    // The checkout's own commands say that this is no checkout.
    for (command, part) in [("bench", "examples"), ("docs", "book")] {
        let out = i.run(&[command], Some("/nonexistent"));
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).starts_with(&format!("error: `bluegen {command}` works on a bluegen checkout's {part}/, and this kernel root has none\n")), "{}", text(&out));
    }
    let data = i.tmp.path().join("home/.local/share/bluegen");
    let unpacked: Vec<_> = std::fs::read_dir(&data).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(unpacked.len(), 1, "{unpacked:?}");
    assert!(unpacked[0].join("components/kernel/Cargo.toml").is_file());
    assert!(unpacked[0].join(".bluegen-complete").is_file());

    // The project names the unpacked kernel, never the checkout.
    let app = std::fs::read_to_string(i.tmp.path().join("work/dev/app/Cargo.toml")).unwrap();
    assert!(app.contains(&format!("{}/components/kernel", unpacked[0].display())), "{app}");
    let out = i.run(&["run", "dev", "--icount", "--timeout", "120"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Hello from dev!\n");
    let checkout = repo().display().to_string();
    for file in ["Cargo.toml", ".cargo/config.toml", "Cargo.lock"] {
        let rendered = std::fs::read_to_string(i.tmp.path().join("work/dev/target/bluegen/qemu-virt-rv32").join(file)).unwrap();
        assert!(!rendered.contains(&checkout), "{file} names the checkout:\n{rendered}");
    }
}

/// `bluegen new NAME` at `dir` and a clean build in a target directory of
/// its own: the ELF's and the raw binary's bytes.
fn clean_build(dir: &Path, name: &str) -> (Vec<u8>, Vec<u8>) {
    std::fs::create_dir_all(dir).unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin("bluegen")).current_dir(dir).args(["new", name, "--board", "qemu-mps2-an385"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = Command::new(assert_cmd::cargo::cargo_bin("bluegen")).current_dir(dir).args(["build", name, "--json"]).env("CARGO_TARGET_DIR", dir.join("cargo-target")).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (std::fs::read(json["elf"].as_str().unwrap()).unwrap(), std::fs::read(json["bin"].as_str().unwrap()).unwrap())
}

#[test]
fn two_clean_builds_in_two_directories_are_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (elf_a, bin_a) = clean_build(&tmp.path().join("a"), "same");
    let (elf_b, bin_b) = clean_build(&tmp.path().join("b/a much/longer path"), "same");
    assert!(!elf_a.is_empty() && !bin_a.is_empty());
    assert!(elf_a == elf_b, "the ELFs differ ({} and {} bytes)", elf_a.len(), elf_b.len());
    assert!(bin_a == bin_b, "the raw binaries differ");
    let lock = |d: &str| std::fs::read_to_string(tmp.path().join(d).join("device.lock")).unwrap();
    assert_eq!(lock("a/same"), lock("b/a much/longer path/same"));
}

#[test]
fn device_lock_keeps_the_lock_and_locked_holds_it() {
    let tmp = tempfile::tempdir().unwrap();
    let bluegen = |args: &[&str]| Command::new(assert_cmd::cargo::cargo_bin("bluegen")).current_dir(tmp.path()).args(args).env("CARGO_TARGET_DIR", repo().join("target/images")).output().unwrap();
    assert!(bluegen(&["new", "locked", "--board", "qemu-virt-rv32"]).status.success());
    let out = bluegen(&["build", "locked", "--locked"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).replace(&tmp.path().display().to_string(), "[DIR]");
    assert_eq!(err, "error: [DIR]/locked/device.lock has no lock for board qemu-virt-rv32\n  = why: --locked builds only with the crate versions device.lock pins, and none are pinned for this board yet\n  = hint: build once without --locked, which writes the lock, and commit device.lock\n");

    let out = bluegen(&["build", "locked"]);
    assert!(out.status.success(), "{}", text(&out));
    let file = tmp.path().join("locked/device.lock");
    let kept = std::fs::read_to_string(&file).unwrap();
    assert!(kept.contains("[qemu-virt-rv32]\ncargo-lock = '''\n# This file is automatically @generated by Cargo.\n"), "{kept}");
    assert!(kept.contains("name = \"locked-app\"\nversion = \"0.1.0\""), "{kept}");
    assert!(bluegen(&["build", "locked", "--locked"]).status.success());

    // A clean image crate gets the kept lock back.
    std::fs::remove_dir_all(tmp.path().join("locked/target")).unwrap();
    assert!(bluegen(&["build", "locked", "--locked"]).status.success());

    // The app changes: --locked refuses, a plain build updates device.lock.
    let manifest = tmp.path().join("locked/app/Cargo.toml");
    let app = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, app.replace("version = \"0.1.0\"", "version = \"0.2.0\"")).unwrap();
    let out = bluegen(&["build", "locked", "--locked"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).replace(&tmp.path().display().to_string(), "[DIR]");
    assert!(err.ends_with("error: [DIR]/locked/device.lock is out of date for board qemu-virt-rv32\n  = why: cargo would change the image's lock (a dependency was added, removed or moved, or bluegen's kernel changed), and --locked forbids it\n  = hint: build without --locked to update device.lock, review the change and commit it\n"), "{err}");
    assert!(!err.contains("--offline"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), kept, "a refused build changed device.lock");
    assert!(bluegen(&["build", "locked"]).status.success());
    assert!(std::fs::read_to_string(&file).unwrap().contains("name = \"locked-app\"\nversion = \"0.2.0\""));
}

#[test]
fn a_users_rustc_wrapper_still_runs_and_the_image_is_the_same() {
    // A wrapper of the user's (sccache's place): it logs what it runs, then runs it.
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("wrapper.log");
    let wrapper = tmp.path().join("wrapper");
    std::fs::write(&wrapper, format!("#!/bin/sh\necho \"$@\" >> '{}'\nexec \"$@\"\n", log.display())).unwrap();
    std::fs::set_permissions(&wrapper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let build = |dir: &str, wrapped: bool| {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("bluegen"));
        cmd.current_dir(tmp.path()).args(["build", dir, "--json"]).env("CARGO_TARGET_DIR", tmp.path().join(format!("{dir}-target")));
        if wrapped {
            cmd.env("RUSTC_WRAPPER", &wrapper);
        } else {
            cmd.env_remove("RUSTC_WRAPPER");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        std::fs::read(json["elf"].as_str().unwrap()).unwrap()
    };
    for dir in ["plain", "wrapped"] {
        assert!(Command::new(assert_cmd::cargo::cargo_bin("bluegen")).current_dir(tmp.path()).args(["new", dir, "--name", "w", "--board", "qemu-virt-rv32"]).output().unwrap().status.success());
    }
    let (plain, wrapped) = (build("plain", false), build("wrapped", true));
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.lines().any(|l| l.contains("--crate-name bluegen_kernel") && l.contains("--target riscv32imac-unknown-none-elf")), "{logged}");
    assert!(plain == wrapped, "the wrapper changed the image");
}

#[test]
fn an_app_made_by_another_bluegen_is_located_not_a_cargo_error() {
    // A project made by an older installed bluegen names that one's kernel.
    let tmp = tempfile::tempdir().unwrap();
    assert!(Command::new(assert_cmd::cargo::cargo_bin("bluegen")).current_dir(tmp.path()).args(["new", "old", "--board", "qemu-mps2-an385"]).output().unwrap().status.success());
    let manifest = tmp.path().join("old/app/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let kernel = repo().join("components/kernel").display().to_string();
    std::fs::write(&manifest, text.replace(&kernel, "/home/u/.local/share/bluegen/0.0.9-0123456789abcdef/components/kernel")).unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin("bluegen")).current_dir(tmp.path()).args(["check", "old"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).replace(&tmp.path().display().to_string(), "[DIR]").replace(&repo().display().to_string(), "[ROOT]");
    assert!(err.starts_with("error: the app depends on `bluegen-kernel` outside this bluegen's kernel\n  --> [DIR]/old/app/Cargo.toml:13:27\n"), "{err}");
    assert!(err.contains("= key: dependencies.bluegen-kernel.path\n"), "{err}");
    assert!(err.contains("= value: \"/home/u/.local/share/bluegen/0.0.9-0123456789abcdef/components/kernel\"\n"), "{err}");
    assert!(err.contains("= why: this bluegen builds with the components in [ROOT]/components, and this path holds no crate (a project made by another bluegen, or moved)\n"), "{err}");
    assert!(err.contains("= hint: write `path = \"[ROOT]/components/kernel\"`\n"), "{err}");
}
