//! One source of feature truth: device.toml alone chooses kernel features.
//!
//! The app's Cargo.toml may not choose them (refused at their line); an app
//! that uses a kernel item device.toml turned off fails in `bluegen check`
//! with the key to set, never with a rustc error; a path the scan cannot see
//! fails the build with the same message; and a Kconfig bool reaches every
//! component that reads it one way, as a cargo feature.

mod common;

use std::path::Path;

use common::{bluegen, bluegen_images, repo};

/// A device project: `device.toml`, an app whose Cargo.toml's kernel
/// dependency line is `kernel_dep` (`{KERNEL}` is the kernel's path) and
/// whose lib.rs is `lib`.
fn project(device_toml: &str, kernel_dep: &str, extra: &str, lib: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("device.toml"), device_toml).unwrap();
    std::fs::create_dir_all(dir.path().join("app/src")).unwrap();
    let kernel = format!("{:?}", repo().join("components/kernel").display().to_string());
    let manifest = format!(
        "[package]\nname = \"t-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[lib]\ntest = false\nbench = false\n\n[dependencies]\n{}\n{extra}",
        kernel_dep.replace("{KERNEL}", &kernel)
    );
    std::fs::write(dir.path().join("app/Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.path().join("app/src/lib.rs"), lib).unwrap();
    dir
}

fn device(features: &str) -> String {
    format!("[device]\nname = \"t\"\nboard = \"qemu-mps2-an385\"\npreset = \"standard\"\n\n[features]\n{features}\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n")
}

const PLAIN: &str = "bluegen-kernel = { path = {KERNEL} }";

/// An app that uses the queue, under the standard preset's names.
const QUEUE_APP: &str = "#![no_std]\nuse bluegen_kernel::{Queue, exit};\n\nstatic Q: Queue<4> = Queue::new();\n\npub fn main() {\n    let _ = &Q;\n    exit(0);\n}\n";

#[test]
fn kernel_features_in_the_app_cargo_toml_are_refused_at_their_line() {
    let dir = project(
        &device(""),
        "bluegen-kernel = { default-features = false, features = [\"queue\"], path = {KERNEL} }",
        "\n[features]\nfast = [\"bluegen-kernel/mutex\"]\n",
        "#![no_std]\npub fn main() {}\n",
    );
    let (code, _, err) = bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(err, @r#"
    error: the app's Cargo.toml chooses cargo features of `bluegen-kernel`
      --> [DIR]/app/Cargo.toml:12:20
       |
    12 | bluegen-kernel = { default-features = false, features = ["queue"], path = "[ROOT]/components/kernel" }
       |                    ^^^^^^^^^^^^^^^^
       = key: dependencies.bluegen-kernel.default-features
       = value: false
       = why: device.toml (with its preset and board) is the only place kernel features are chosen; components have no default features to turn off
       = hint: remove `default-features = false`: components have no default features, device.toml chooses them all

    error: the app's Cargo.toml chooses cargo features of `bluegen-kernel`
      --> [DIR]/app/Cargo.toml:12:46
       |
    12 | bluegen-kernel = { default-features = false, features = ["queue"], path = "[ROOT]/components/kernel" }
       |                                              ^^^^^^^^
       = key: dependencies.bluegen-kernel.features
       = value: ["queue"]
       = why: device.toml (with its preset and board) is the only place kernel features are chosen: cargo would add these to the image's build whatever device.toml says
       = hint: remove `features = ["queue"]` from the dependency, and set features.queue = true in device.toml

    error: the app's Cargo.toml chooses cargo features of `bluegen-kernel`
      --> [DIR]/app/Cargo.toml:15:9
       |
    15 | fast = ["bluegen-kernel/mutex"]
       |         ^^^^^^^^^^^^^^^^^^^^^^
       = key: features.fast
       = value: "bluegen-kernel/mutex"
       = why: device.toml (with its preset and board) is the only place kernel features are chosen: cargo would add these to the image's build whatever device.toml says
       = hint: remove "bluegen-kernel/mutex" from the app's [features], and set features.mutex = true in device.toml
    "#);
    // The build refuses them the same way, before cargo runs.
    let (code, _, build_err) = bluegen(dir.path(), &["build"]);
    assert_eq!(code, 1);
    assert!(build_err.contains("chooses cargo features of `bluegen-kernel`") && !build_err.contains("Compiling"), "{build_err}");
}

#[test]
fn an_app_using_the_queue_with_queue_off_fails_in_check_with_the_key() {
    let dir = project(&device("queue = false"), PLAIN, "", QUEUE_APP);
    let (code, _, err) = bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(err, @r#"
    error: app uses bluegen_kernel::Queue, which needs features.queue = true in device.toml
     --> [DIR]/app/src/lib.rs:2:22
      |
    2 | use bluegen_kernel::{Queue, exit};
      |                      ^^^^^
      = key: features.queue
      = value: false
      = why: the kernel compiles `bluegen_kernel::Queue` only with its `queue` feature (`#[cfg(feature = "queue")]` in its sources), and `features.queue` is false: device.toml sets it at line 7
      = note: kernel features come from device.toml (with its preset and board) alone
      = hint: set features.queue = true in device.toml's [features], or stop using bluegen_kernel::Queue
    "#);
    // Nothing is built: the build stops at the same message.
    let (code, out, build_err) = bluegen(dir.path(), &["build"]);
    assert_ne!(code, 0);
    assert!(build_err.contains("needs features.queue = true in device.toml") && !build_err.contains("Compiling") && !build_err.contains("error["), "{build_err}");
    assert!(!dir.path().join("target/bluegen/qemu-mps2-an385/Cargo.toml").exists(), "{out}");
    // With the queue on (the preset's value), the same app passes the check.
    std::fs::write(dir.path().join("device.toml"), device("")).unwrap();
    let (code, _, err) = bluegen(dir.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn threads_off_with_an_app_using_threads_names_the_threads_key_not_e0063() {
    let lib = "#![no_std]\npub fn main() {\n    bluegen_kernel::yield_now();\n    bluegen_kernel::sleep(1);\n}\n";
    let dir = project(&device("threads = false"), PLAIN, "", lib);
    let (code, _, err) = bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(err, @r#"
    error: app uses bluegen_kernel::yield_now, which needs features.threads = true in device.toml
     --> [DIR]/app/src/lib.rs:3:21
      |
    3 |     bluegen_kernel::yield_now();
      |                     ^^^^^^^^^
      = key: features.threads
      = value: false
      = why: the kernel compiles `bluegen_kernel::yield_now` only with its `threads` feature (`#[cfg(feature = "threads")]` in its sources), and `features.threads` is false: device.toml sets it at line 7
      = note: kernel features come from device.toml (with its preset and board) alone
      = hint: set features.threads = true in device.toml's [features], or stop using bluegen_kernel::yield_now

    error: app uses bluegen_kernel::sleep, which needs features.threads = true in device.toml
     --> [DIR]/app/src/lib.rs:4:21
      |
    4 |     bluegen_kernel::sleep(1);
      |                     ^^^^^
      = key: features.threads
      = value: false
      = why: the kernel compiles `bluegen_kernel::sleep` only with its `preempt` feature (`#[cfg(feature = "preempt")]` in its sources), and `features.preempt` cannot be on: it depends on `threads`; `features.threads` is false: device.toml sets it at line 7
      = note: kernel features come from device.toml (with its preset and board) alone
      = hint: set features.threads = true in device.toml's [features], or stop using bluegen_kernel::sleep
    "#);
    // Today's E0063 came from the app asking cargo for `threads` behind
    // device.toml's back: that is refused before rustc runs.
    let dir = project(&device("threads = false"), "bluegen-kernel = { path = {KERNEL}, features = [\"threads\"] }", "", "#![no_std]\npub fn main() {}\n");
    let (code, _, err) = bluegen(dir.path(), &["build"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("key: dependencies.bluegen-kernel.features") && !err.contains("E0063") && !err.contains("Compiling"), "{err}");
}

/// What the scan cannot follow (a renamed import) fails the build, and
/// rustc's "gated behind the `queue` feature" comes out as the key to set.
#[test]
fn a_gated_item_the_scan_cannot_see_fails_the_build_with_the_key() {
    let lib = "#![no_std]\nuse bluegen_kernel as k;\nuse k::Queue;\n\nstatic Q: Queue<4> = Queue::new();\n\npub fn main() {\n    let _ = &Q;\n}\n";
    let dir = project(&device("queue = false"), PLAIN, "", lib);
    let out = bluegen_images().current_dir(dir.path()).args(["build"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("error: app uses bluegen_kernel::Queue, which needs features.queue = true in device.toml"), "{err}");
    assert!(err.contains("key: features.queue") && err.contains("app/src/lib.rs:3:5"), "{err}");
    assert!(!err.contains("error[E0432]") && !err.contains("unresolved import"), "{err}");
}

/// A method a feature gates (rustc's E0599 names no feature): the build
/// fails with the key to set, for `set_priority` and `suspend` alike.
#[test]
fn a_gated_method_fails_the_build_with_the_key() {
    let lib = "#![no_std]\nuse bluegen_kernel::Thread;\n\npub fn main() {\n    let _ = Thread::current().set_priority(2);\n    Thread::current().suspend();\n}\n";
    let dir = project(&device(""), PLAIN, "", lib);
    let out = bluegen_images().current_dir(dir.path()).args(["build"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("error: app uses bluegen_kernel::Thread::set_priority, which needs features.priority-change = true in device.toml"), "{err}");
    assert!(err.contains("key: features.priority-change") && err.contains("app/src/lib.rs:5:31"), "{err}");
    assert!(err.contains("error: app uses bluegen_kernel::Thread::suspend, which needs features.suspend = true in device.toml"), "{err}");
    assert!(!err.contains("error[E0599]") && !err.contains("no method named"), "{err}");
}

/// The rendered image crate: its Cargo.toml and src/config.rs.
fn rendered(device_toml: &str) -> (toml::Table, String) {
    let dir = project(device_toml, PLAIN, "", "#![no_std]\npub fn main() {}\n");
    let manifest = dir.path().join("device.toml");
    let (root, plan) = bluegen::pipeline::plan(Some(&manifest), None).unwrap_or_else(|e| panic!("{}", bluegen::diag::render(&e.diagnostics)));
    let out = bluegen::render::render(&root, &plan).unwrap_or_else(|e| panic!("{}", bluegen::diag::render(&e.diagnostics)));
    let cargo = std::fs::read_to_string(out.dir.join("Cargo.toml")).unwrap().parse::<toml::Table>().unwrap();
    let config = std::fs::read_to_string(out.dir.join("src/config.rs")).unwrap();
    (cargo, config)
}

fn features_of(cargo: &toml::Table, package: &str) -> Vec<String> {
    cargo["dependencies"][package]["features"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect()
}

/// TICKLESS and STACK_CHECK reach the arch crate as the kernel's own cargo
/// features, exactly when the kernel's are on, and never as constants.
#[test]
fn tickless_and_stack_check_reach_the_arch_one_way() {
    let cases = [
        ("standard", ""),
        ("full", ""),
        ("full", "stack-check = false\n"),
        ("full", "tickless = false\n"),
        ("minimal", ""),
    ];
    for (preset, features) in cases {
        for board in ["qemu-mps2-an385", "qemu-virt-rv32"] {
            let text = format!("[device]\nname = \"t\"\nboard = \"{board}\"\npreset = \"{preset}\"\n\n[features]\n{features}\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n");
            let (cargo, config) = rendered(&text);
            let kernel = features_of(&cargo, "bluegen-kernel");
            let arch = if board.contains("rv32") { "bluegen-arch-riscv" } else { "bluegen-arch-cortex-m" };
            let arch_features = features_of(&cargo, arch);
            if arch == "bluegen-arch-cortex-m" {
                for f in ["tickless", "stack-check"] {
                    assert_eq!(arch_features.contains(&f.to_string()), kernel.contains(&f.to_string()), "{preset} {features} {board}: {f}: kernel {kernel:?}, arch {arch_features:?}");
                }
            }
            assert_eq!(arch_features.contains(&"context-switch".to_string()), kernel.contains(&"threads".to_string()), "{preset} {board}");
            assert_eq!(arch_features.contains(&"tick".to_string()), kernel.contains(&"preempt".to_string()), "{preset} {board}");
            // Values only: no bool constant a component could read instead.
            assert!(!config.contains(": bool"), "{preset} {board}: {config}");
            assert!(!config.contains("const TICKLESS") && !config.contains("const STACK_CHECK"), "{config}");
        }
    }
    // The full preset turns both on, so the comparison above saw them on.
    let (cargo, _) = rendered("[device]\nname = \"t\"\nboard = \"qemu-mps2-an385\"\npreset = \"full\"\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n");
    let arch = features_of(&cargo, "bluegen-arch-cortex-m");
    assert!(arch.contains(&"tickless".to_string()) && arch.contains(&"stack-check".to_string()), "{arch:?}");
}

/// No component reads a bool of bluegen_config: the one way is the feature.
#[test]
fn no_component_reads_a_bool_constant() {
    let host = std::fs::read_to_string(repo().join("components/config/host.rs")).unwrap();
    assert!(!host.contains(": bool"), "{host}");
    let mut reads = Vec::new();
    for entry in walk(&repo().join("components")) {
        let text = std::fs::read_to_string(&entry).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.contains("bluegen_config::TICKLESS") || line.contains("bluegen_config::STACK_CHECK") || line.contains("bluegen_config::THREADS") || line.contains("bluegen_config::PREEMPT") {
                reads.push(format!("{}:{}: {line}", entry.display(), n + 1));
            }
        }
    }
    assert!(reads.is_empty(), "{reads:#?}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() && p.file_name().is_some_and(|n| n != "target") {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

/// Every example and `bluegen new`'s app depend on the kernel without
/// features, and every preset (and none) builds such an app on Arm and
/// RISC-V; the standard example builds on both.
#[test]
fn apps_without_kernel_features_build_under_every_preset() {
    for example in std::fs::read_dir(repo().join("examples")).unwrap().flatten() {
        let manifest = example.path().join("app/Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&manifest) {
            assert!(!text.contains("features"), "{}: {text}", manifest.display());
        }
    }
    let template = std::fs::read_to_string(repo().join("kernel-templates/new/app/Cargo.toml.j2")).unwrap();
    assert!(!template.contains("features"), "{template}");
    for board in ["qemu-mps2-an385", "qemu-virt-rv32"] {
        let out = bluegen_images().args(["build", repo().join("examples/standard").to_str().unwrap(), "--board", board]).output().unwrap();
        assert!(out.status.success(), "standard on {board}: {}", String::from_utf8_lossy(&out.stderr));
        for preset in ["", "minimal", "standard", "full"] {
            let preset_line = if preset.is_empty() { String::new() } else { format!("preset = \"{preset}\"\n") };
            let text = format!("[device]\nname = \"t\"\nboard = \"{board}\"\n{preset_line}\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n");
            let lib = "#![no_std]\npub fn main() {\n    bluegen_kernel::console::write_str(\"ok\\n\");\n    bluegen_kernel::exit(0);\n}\n";
            let dir = project(&text, PLAIN, "", lib);
            let out = bluegen_images().current_dir(dir.path()).args(["build"]).output().unwrap();
            assert!(out.status.success(), "preset {preset:?} on {board}: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
}
