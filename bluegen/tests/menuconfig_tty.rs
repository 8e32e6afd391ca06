//! End to end: the real `bluegen menuconfig` in a pseudo-terminal (tmux).
//!
//! Toggles one feature, saves, quits; then `bluegen check` passes and the
//! file's diff is exactly the toggled line. Needs tmux (Debian's `tmux`);
//! fails, never skips, without it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux must be installed (Debian package `tmux`)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Polls the pane until `want` shows (or the session ends, for "").
fn wait_for(session: &str, want: &str) -> String {
    let start = Instant::now();
    loop {
        let screen = tmux(&["capture-pane", "-p", "-t", session]);
        if (!want.is_empty() && screen.contains(want)) || start.elapsed() > Duration::from_secs(20) {
            return screen;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn send(session: &str, key: &str) {
    tmux(&["send-keys", "-t", session, key]);
    // crossterm needs a moment to tell a lone Esc from an escape sequence.
    std::thread::sleep(Duration::from_millis(250));
}

#[test]
fn toggle_save_quit_then_check_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join("bluegen/tests/fixtures/features/device.toml")).unwrap();
    let app = repo().join("bluegen/tests/fixtures/panic/app");
    let text = text.replace("app = \"../panic/app\"", &format!("app = \"{}\"", app.display()));
    let path = tmp.path().join("device.toml");
    std::fs::write(&path, &text).unwrap();

    let bin = assert_cmd::cargo::cargo_bin("bluegen");
    let session = format!("bluegen-test-{}", std::process::id());
    let done = tmp.path().join("done");
    let command = format!("{} menuconfig {}; touch {}", bin.display(), tmp.path().display(), done.display());
    tmux(&["new-session", "-d", "-s", &session, "-x", "100", "-y", "24", &command]);
    let screen = wait_for(&session, "Configuration");
    assert!(screen.contains("Kernel  --->"), "{screen}");
    send(&session, "Enter");
    wait_for(&session, "Print the location of a panic");
    send(&session, "Down");
    send(&session, "Space");
    let screen = wait_for(&session, "[modified]");
    assert!(screen.contains("[ ] Print the location of a panic"), "{screen}");
    send(&session, "s");
    let screen = wait_for(&session, "saved ");
    assert!(screen.contains("saved "), "{screen}");
    send(&session, "Escape");
    send(&session, "Escape");
    let start = Instant::now();
    while !done.exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = Command::new("tmux").args(["kill-session", "-t", &session]).output();
    assert!(done.exists(), "menuconfig did not quit");

    let after = std::fs::read_to_string(&path).unwrap();
    let removed: Vec<&str> = text.lines().filter(|l| !after.lines().any(|a| a == *l)).collect();
    let added: Vec<&str> = after.lines().filter(|l| !text.lines().any(|t| t == *l)).collect();
    assert!(removed.is_empty(), "{removed:?}");
    assert_eq!(added, ["panic-location = false"]);
    let check = assert_cmd::Command::cargo_bin("bluegen").unwrap().args(["check", path.to_str().unwrap()]).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
}
