//! Safe code cannot break memory safety through the kernel's public API.
//!
//! Each case is an app crate with `#![forbid(unsafe_code)]` that tries one
//! way past the port contract (`bluegen_port`, reachable as
//! `bluegen_kernel::port`): the former kernel items that laid out a frame,
//! started the scheduler or unmasked interrupts; the contract's `extern`
//! functions; the capabilities `start`, `switch` and `tick` take; a frame on
//! a running thread's stack; an unlock or a token outside `critical`. Each
//! must fail to compile, with an error about unsafety or privacy, not an
//! unrelated one. A control app that uses the safe API builds and runs. All
//! under the `full` preset (every kernel feature, so every item exists) on
//! Cortex-M3 and RV32.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Builds a `full`-preset device whose app's lib.rs is
/// `#![no_std] #![forbid(unsafe_code)]` plus `body` and builds it (`run`:
/// and runs it under QEMU); returns (success, stderr).
fn build(body: &str, board: &str) -> (bool, String) {
    bluegen_on(body, board, &["build"])
}

fn bluegen_on(body: &str, board: &str, command: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let device = format!("[device]\nname = \"sound\"\nboard = \"{board}\"\npreset = \"full\"\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n");
    std::fs::write(dir.path().join("device.toml"), device).unwrap();
    std::fs::create_dir_all(dir.path().join("app/src")).unwrap();
    let kernel = repo().join("components/kernel");
    let manifest = format!(
        "[package]\nname = \"sound-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[lib]\ntest = false\nbench = false\n\n[dependencies]\nbluegen-kernel = {{ path = {:?} }}\n",
        kernel.display().to_string()
    );
    std::fs::write(dir.path().join("app/Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.path().join("app/src/lib.rs"), format!("#![no_std]\n#![forbid(unsafe_code)]\n{body}\n")).unwrap();
    let out = Command::cargo_bin("bluegen")
        .unwrap()
        .env("CARGO_TARGET_DIR", repo().join("target/images"))
        .args(command)
        .args([dir.path().to_str().unwrap(), "--board", board])
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Every former hole, and each way into the port contract, with what the
/// compiler must say about it.
const HOLES: &[(&str, &str, &str)] = &[
    // The former holes: the contract's functions as kernel items.
    (
        "port::__bluegen_port_init_stack (writes a frame below any address)",
        "static A: [u32; 32] = [0; 32];\npub fn main() { let _ = bluegen_kernel::port::__bluegen_port_init_stack(A.as_ptr() as usize + 128, main); }",
        "error[E0425]: cannot find function `__bluegen_port_init_stack`",
    ),
    ("port::__bluegen_port_start (abandons the running stack)", "pub fn main() { bluegen_kernel::port::__bluegen_port_start() }", "error[E0425]: cannot find function `__bluegen_port_start`"),
    ("port::__bluegen_port_unlock (unmasks inside a critical section)", "pub fn main() { bluegen_kernel::port::__bluegen_port_unlock(1) }", "error[E0425]: cannot find function `__bluegen_port_unlock`"),
    ("port::__bluegen_port_stack_limit", "fn f(_: usize) -> usize { 0 }\npub fn main() { bluegen_kernel::port::__bluegen_port_stack_limit(0, f) }", "error[E0425]: cannot find function"),
    ("port::__bluegen_threads", "pub fn main() { let _ = bluegen_kernel::port::__bluegen_threads(); }", "error[E0425]: cannot find function"),
    // The contract's `extern` block is private to the port crate.
    ("the contract's extern functions (port::contract::sys)", "pub fn main() { unsafe { bluegen_kernel::port::contract::sys::__bluegen_port_unlock(1) } }", "error[E0603]: module `contract` is private"),
    ("the contract's extern functions, declared by the app", "unsafe extern \"Rust\" { safe fn __bluegen_port_unlock(state: usize); }\npub fn main() { __bluegen_port_unlock(1); }", "usage of an `unsafe extern` block"),
    ("defining a contract function (hijacking the symbol)", "#[unsafe(no_mangle)]\nfn __bluegen_port_lock() -> usize { 0 }\npub fn main() {}", "declaration of a `no_mangle` function"),
    // Capabilities: only `unsafe` makes one.
    ("Boot::new (starting the kernel again)", "pub fn main() { bluegen_kernel::start(bluegen_kernel::port::Boot::new(), &[]) }", "error[E0133]: call to unsafe function"),
    ("Boot built without its constructor", "pub fn main() { bluegen_kernel::start(bluegen_kernel::port::Boot(()), &[]) }", "private"),
    ("Switch::new (records a stack pointer the arch restores)", "pub fn main() { let _ = bluegen_kernel::switch(bluegen_kernel::port::Switch::new(), 0); }", "error[E0133]: call to unsafe function"),
    ("Tick::new (scheduler state outside the tick interrupt)", "pub fn main() { let _ = bluegen_kernel::tick(bluegen_kernel::port::Tick::new()); }", "error[E0133]: call to unsafe function"),
    ("port::start without a Boot", "pub fn main() { bluegen_kernel::port::start() }", "error[E0061]"),
    ("the arch side's kernel calls: switch", "pub fn main() { let _ = bluegen_kernel::port::kernel::switch(0); }", "error[E0133]: call to unsafe function"),
    ("the arch side's kernel calls: tick", "pub fn main() { let _ = bluegen_kernel::port::kernel::tick(); }", "error[E0133]: call to unsafe function"),
    // A frame on a foreign stack: no safe path reaches a running thread's stack.
    ("a running thread's stack through the thread table", "fn f() {}\npub fn main() { let t = &bluegen_kernel::port::threads()[0]; let _ = bluegen_kernel::port::init_stack(t.stack, f); }", "error[E0616]: field `stack` of struct `ThreadSpec` is private"),
    ("a running thread's stack without Boot", "fn f() {}\npub fn main() { let t = &bluegen_kernel::port::threads()[0]; let _ = bluegen_kernel::port::init_stack(t.stack(&bluegen_kernel::port::Boot::new()), f); }", "error[E0133]: call to unsafe function"),
    // The interrupt lock: no public unlock, no token outside `critical`.
    ("unlock inside a critical section", "pub fn main() { bluegen_kernel::port::critical(|_| bluegen_kernel::port::unlock(0)) }", "error[E0425]: cannot find function `unlock`"),
    ("a CriticalSection built by hand", "pub fn main() { let _ = bluegen_kernel::port::CriticalSection { _scope: core::marker::PhantomData }; }", "private"),
    ("a CriticalSection smuggled out of critical", "pub fn main() { let mut out = None; bluegen_kernel::port::critical(|cs| out = Some(cs)); let _ = out; }", "escapes the closure body"),
    (
        "an Arch impl of the app's own, whose unlock unmasks",
        "struct Mine;\nimpl bluegen_kernel::port::Arch for Mine { const STACK_ALIGN: usize = 8; const FRAME_SLOTS: usize = 1; fn frame_slot(_: fn(), _: usize) -> usize { 0 } unsafe fn start() -> ! { loop {} } fn pend_switch() {} fn wait() {} fn lock() -> usize { 0 } unsafe fn unlock(_: usize) {} }\npub fn main() {}",
        "implementation of an `unsafe` method",
    ),
    (
        "an Image impl of the app's own, for image! (threads on stacks the app writes)",
        "struct B;\nimpl bluegen_kernel::port::Image for B { fn console_write(_: &[u8]) {} fn exit(_: i32) -> ! { loop {} } fn threads() -> &'static [bluegen_kernel::ThreadSpec] { &[] } }\nbluegen_kernel::port::image!(B, bluegen_kernel::Kernel);\npub fn main() {}",
        "error[E0200]: the trait `Image` requires an `unsafe impl` declaration",
    ),
    (
        "an unsafe Image impl of the app's own",
        "struct B;\nunsafe impl bluegen_kernel::port::Image for B { fn console_write(_: &[u8]) {} fn exit(_: i32) -> ! { loop {} } fn threads() -> &'static [bluegen_kernel::ThreadSpec] { &[] } }\npub fn main() {}",
        "implementation of an `unsafe` trait",
    ),
    (
        "the image! macro invoked by the app, to call its switch",
        "struct B;\nimpl bluegen_kernel::port::Image for B { fn console_write(_: &[u8]) {} fn exit(_: i32) -> ! { loop {} } fn threads() -> &'static [bluegen_kernel::ThreadSpec] { &[] } }\nbluegen_kernel::port::image!(B, bluegen_kernel::Kernel);\npub fn main() { let _ = __bluegen_switch(0); }",
        "error[E0425]: cannot find function `__bluegen_switch`",
    ),
];

/// The safe API: threads, sync, time and console, all callable; and the
/// port crate's safe items (a critical section, a frame on a stack of the
/// app's own, which no thread runs on).
const CONTROL: &str = "use bluegen_kernel::{Duration, Mutex, Semaphore, Stack, Timeout, console, exit, sleep};\nstatic M: Mutex<u32> = Mutex::new(0);\nstatic S: Semaphore = Semaphore::new(0);\nstatic MINE: Stack<64> = Stack::new();\npub fn main() { sleep(Duration::from_ticks(1)); if let Ok(mut n) = M.lock(Timeout::FOREVER) { *n += 1; } let _ = S.give(); let _ = S.take(Timeout::FOREVER); bluegen_kernel::yield_now(); console::write_str(bluegen_kernel::current_name()); bluegen_kernel::check_stacks(); let sp = bluegen_kernel::port::init_stack(MINE.words(), main); let n = bluegen_kernel::port::critical(|_cs| bluegen_kernel::port::threads().len()); if sp == 0 || n != 1 { exit(1) } exit(0) }";

fn holes_do_not_compile(board: &str) {
    let (ok, err) = bluegen_on(CONTROL, board, &["run", "--timeout", "60", "--icount"]);
    assert!(ok, "the control app must build and run with success on {board}:\n{err}");
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
