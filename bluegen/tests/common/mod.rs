//! Shared helpers of the message tests: a device project in a temporary
//! directory and a bluegen run with its paths replaced by placeholders.

#![allow(dead_code)]

use std::path::Path;

use assert_cmd::Command;

/// The app crate of [`project`]: its public functions are the entries.
pub const APP: &str = "#![no_std]\npub fn main() {}\npub fn sensor_poll() {}\npub mod net { pub fn serve() {} }\npub fn forever() -> ! { loop {} }\n";

/// One valid thread.
pub const THREAD: &str = "[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n";

/// A project in a temporary directory: `device.toml` plus an app crate.
pub fn project(device_toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("device.toml"), device_toml).unwrap();
    std::fs::create_dir_all(dir.path().join("app/src")).unwrap();
    std::fs::write(dir.path().join("app/Cargo.toml"), "[package]\nname = \"t-app\"\nversion = \"0.1.0\"\n").unwrap();
    std::fs::write(dir.path().join("app/src/lib.rs"), APP).unwrap();
    dir
}

/// Runs bluegen in `dir`; returns (exit code, stdout, stderr) with the
/// temporary directory and the kernel root replaced by placeholders.
pub fn bluegen(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("bluegen").unwrap().current_dir(dir).args(args).output().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().display().to_string();
    let clean = |b: &[u8]| {
        String::from_utf8_lossy(b).replace(&dir.display().to_string(), "[DIR]").replace(&root, "[ROOT]")
    };
    (out.status.code().unwrap_or(-1), clean(&out.stdout), clean(&out.stderr))
}

/// `bluegen check` of a device.toml text: (exit code, stderr).
pub fn check(device_toml: &str) -> (i32, String) {
    let dir = project(device_toml);
    let (code, _, err) = bluegen(dir.path(), &["check"]);
    (code, err)
}

/// A `[device]` table for `board` named `t`.
pub fn device(board: &str) -> String {
    format!("[device]\nname = \"t\"\nboard = \"{board}\"\n")
}

/// The checkout's root.
pub fn repo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The bluegen binary, building images in the tests' shared target directory.
pub fn bluegen_images() -> Command {
    let mut cmd = Command::cargo_bin("bluegen").unwrap();
    cmd.env("CARGO_TARGET_DIR", repo().join("target/images"));
    cmd
}

/// `bluegen run DIR --board BOARD --icount` (120 s at most) with the
/// images' shared target directory: the finished run's exit status and
/// output.
pub fn run_icount(dir: &Path, board: &str) -> std::process::Output {
    bluegen_images().args(["run", dir.to_str().unwrap(), "--board", board, "--timeout", "120", "--icount"]).output().unwrap()
}

/// Connects to a Unix socket QEMU serves (a serial port, the monitor),
/// once QEMU made it (at most 300 s: QEMU starts after the build).
pub fn connect(path: &Path) -> std::os::unix::net::UnixStream {
    let start = std::time::Instant::now();
    loop {
        match std::os::unix::net::UnixStream::connect(path) {
            Ok(s) => return s,
            Err(_) if start.elapsed() < std::time::Duration::from_secs(300) => std::thread::sleep(std::time::Duration::from_millis(50)),
            Err(e) => panic!("QEMU's socket {} never came: {e}", path.display()),
        }
    }
}
