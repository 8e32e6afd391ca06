//! Safe code cannot break memory safety through the kernel's public API.
//!
//! Each case is an app crate with `#![forbid(unsafe_code)]` that tries one
//! item only the generated image may call (the port functions that lay out
//! a stack frame, start the scheduler or unmask interrupts; the kernel's
//! `start`, `switch` and `tick`) and must fail to compile, with an error
//! about unsafety or privacy, not an unrelated one. A control app that uses
//! the safe API builds. All under the `full` preset (every kernel feature,
//! so every item exists) on Cortex-M3 and RV32.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Builds a `full`-preset device whose app's lib.rs is
/// `#![no_std] #![forbid(unsafe_code)]` plus `body`; returns (success, stderr).
fn build(body: &str, board: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let device = format!("[device]\nname = \"sound\"\nboard = \"{board}\"\npreset = \"full\"\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n");
    std::fs::write(dir.path().join("device.toml"), device).unwrap();
    std::fs::create_dir_all(dir.path().join("app/src")).unwrap();
    let kernel = repo().join("components/kernel");
    let manifest = format!(
        "[package]\nname = \"sound-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[lib]\ntest = false\nbench = false\n\n[dependencies]\nbluegen-kernel = {{ path = {:?}, default-features = false }}\n",
        kernel.display().to_string()
    );
    std::fs::write(dir.path().join("app/Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.path().join("app/src/lib.rs"), format!("#![no_std]\n#![forbid(unsafe_code)]\n{body}\n")).unwrap();
    let out = Command::cargo_bin("bluegen")
        .unwrap()
        .env("CARGO_TARGET_DIR", repo().join("target/images"))
        .args(["build", dir.path().to_str().unwrap(), "--board", board])
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Every former hole, with what the compiler must say about it.
const HOLES: &[(&str, &str, &str)] = &[
    (
        "port::__bluegen_port_init_stack (writes a frame below any address)",
        "static A: [u32; 32] = [0; 32];\npub fn main() { let _ = bluegen_kernel::port::__bluegen_port_init_stack(A.as_ptr() as usize + 128, main); }",
        "error[E0603]: module `port` is private",
    ),
    ("port::__bluegen_port_start (abandons the running stack)", "pub fn main() { bluegen_kernel::port::__bluegen_port_start() }", "error[E0603]: module `port` is private"),
    ("port::__bluegen_port_unlock (unmasks inside a critical section)", "pub fn main() { bluegen_kernel::port::__bluegen_port_unlock(1) }", "error[E0603]: module `port` is private"),
    ("port::__bluegen_port_lock", "pub fn main() { let _ = bluegen_kernel::port::__bluegen_port_lock(); }", "error[E0603]: module `port` is private"),
    ("port::__bluegen_port_pend_switch", "pub fn main() { bluegen_kernel::port::__bluegen_port_pend_switch() }", "error[E0603]: module `port` is private"),
    (
        "port::__bluegen_port_stack_limit",
        "fn f(_: usize) -> usize { 0 }\npub fn main() { bluegen_kernel::port::__bluegen_port_stack_limit(0, f) }",
        "error[E0603]: module `port` is private",
    ),
    ("port::__bluegen_port_idle_sleep", "pub fn main() { let _ = bluegen_kernel::port::__bluegen_port_idle_sleep(1); }", "error[E0603]: module `port` is private"),
    ("port::__bluegen_threads", "pub fn main() { let _ = bluegen_kernel::port::__bluegen_threads(); }", "error[E0603]: module `port` is private"),
    ("start (lays out frames on live stacks)", "pub fn main() { bluegen_kernel::start(&[]) }", "error[E0133]: call to unsafe function"),
    ("switch (records a stack pointer the arch restores)", "pub fn main() { let _ = bluegen_kernel::switch(0); }", "error[E0133]: call to unsafe function"),
    ("tick (scheduler state outside the tick interrupt)", "pub fn main() { let _ = bluegen_kernel::tick(); }", "error[E0133]: call to unsafe function"),
    (
        "declaring the port function itself",
        "unsafe extern \"Rust\" { safe fn __bluegen_port_init_stack(top: usize, entry: fn()) -> usize; }\npub fn main() { let _ = __bluegen_port_init_stack(0x2000_0100, main); }",
        "usage of an `unsafe extern` block",
    ),
];

/// The safe API: threads, sync, time and console, all callable.
const CONTROL: &str = "use bluegen_kernel::{Duration, Mutex, Semaphore, Timeout, console, exit, sleep};\nstatic M: Mutex<u32> = Mutex::new(0);\nstatic S: Semaphore = Semaphore::new(0);\npub fn main() { sleep(Duration::from_ticks(1)); if let Ok(mut n) = M.lock(Timeout::FOREVER) { *n += 1; } let _ = S.give(); let _ = S.take(Timeout::FOREVER); bluegen_kernel::yield_now(); console::write_str(bluegen_kernel::current_name()); bluegen_kernel::check_stacks(); exit(0) }";

fn holes_do_not_compile(board: &str) {
    let (ok, err) = build(CONTROL, board);
    assert!(ok, "the control app must build on {board}:\n{err}");
    let mut wrong = Vec::new();
    for (what, body, expected) in HOLES {
        let (ok, err) = build(body, board);
        if ok {
            wrong.push(format!("{what}: compiled"));
        } else if !err.contains(expected) {
            wrong.push(format!("{what}: failed, but not with `{expected}`:\n{err}"));
        }
    }
    assert!(wrong.is_empty(), "on {board}, safe code reaches what only the image may call:\n{}", wrong.join("\n"));
}

#[test]
fn forbid_unsafe_apps_cannot_reach_the_image_only_items_on_arm() {
    holes_do_not_compile("qemu-mps2-an385");
}

#[test]
fn forbid_unsafe_apps_cannot_reach_the_image_only_items_on_riscv() {
    holes_do_not_compile("qemu-virt-rv32");
}
