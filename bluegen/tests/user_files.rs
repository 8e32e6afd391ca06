//! Users' files: `config set` and menuconfig's save change only what they
//! must — a symlinked device.toml stays a link, the mode stays, CRLF and a
//! BOM stay, and a read-only file is refused, not replaced.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("bluegen").unwrap().current_dir(dir).args(args).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// A new device project `dev` in a temporary directory; returns its device.toml.
fn project() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run_in(tmp.path(), &["new", "dev", "--board", "qemu-mps2-an385"]);
    assert_eq!(code, 0, "{err}");
    let device = tmp.path().join("dev/device.toml");
    (tmp, device)
}

fn set(dir: &Path, device: &Path, assignment: &str) -> (i32, String, String) {
    run_in(dir, &["config", "set", &device.display().to_string(), assignment])
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn a_symlinked_device_toml_stays_a_link() {
    let (tmp, device) = project();
    // The real file lives elsewhere (say, a dotfiles repository).
    let store = tmp.path().join("store");
    std::fs::create_dir(&store).unwrap();
    std::fs::rename(&device, store.join("device.toml")).unwrap();
    std::os::unix::fs::symlink("../store/device.toml", &device).unwrap();
    let (code, out, err) = set(tmp.path(), &device, "tick-hz=200");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("set tick-hz = 200"), "{out}");
    let meta = std::fs::symlink_metadata(&device).unwrap();
    assert!(meta.file_type().is_symlink(), "device.toml was replaced by a regular file");
    assert_eq!(std::fs::read_link(&device).unwrap(), Path::new("../store/device.toml"));
    assert!(std::fs::read_to_string(store.join("device.toml")).unwrap().contains("tick-hz = 200"));
    // No temporary file is left next to the link or the target.
    for dir in [tmp.path().join("dev"), store] {
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(names.iter().all(|n| !n.to_string_lossy().contains("bluegen-tmp")), "{names:?}");
    }
}

#[test]
fn the_mode_is_kept() {
    for m in [0o600, 0o640, 0o664, 0o755] {
        let (tmp, device) = project();
        std::fs::set_permissions(&device, std::fs::Permissions::from_mode(m)).unwrap();
        let (code, _, err) = set(tmp.path(), &device, "tick-hz=200");
        assert_eq!(code, 0, "{err}");
        assert!(std::fs::read_to_string(&device).unwrap().contains("tick-hz = 200"));
        assert_eq!(mode(&device), m, "mode {m:o} became {:o}", mode(&device));
    }
}

#[test]
fn a_read_only_device_toml_is_refused_and_left_alone() {
    let (tmp, device) = project();
    std::fs::set_permissions(&device, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&device).unwrap();
    let (code, out, err) = set(tmp.path(), &device, "tick-hz=200");
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains(&format!("error: `{}` is read-only", device.display())), "{err}");
    assert!(err.contains("hint: make it writable first if it should change: chmod u+w"), "{err}");
    assert_eq!(std::fs::read(&device).unwrap(), before);
    assert_eq!(mode(&device), 0o444);
    // menuconfig refuses before its UI starts (no terminal needed to see it).
    let (code, _, err) = run_in(tmp.path(), &["menuconfig", &device.display().to_string()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is read-only"), "{err}");
    assert!(err.contains("`bluegen config` shows the configuration"), "{err}");
    // Through a link, the message names both.
    let link = tmp.path().join("dev/link.toml");
    std::os::unix::fs::symlink(&device, &link).unwrap();
    let (code, _, err) = set(tmp.path(), &link, "tick-hz=200");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("`{}` (a link to `{}`) is read-only", link.display(), device.display())), "{err}");
    assert_eq!(std::fs::read(&device).unwrap(), before);
}

#[test]
fn crlf_and_a_bom_are_kept() {
    let (tmp, device) = project();
    let lf = std::fs::read_to_string(&device).unwrap();
    let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    std::fs::write(&device, &crlf).unwrap();
    let (code, _, err) = set(tmp.path(), &device, "tick-hz=200");
    assert_eq!(code, 0, "{err}");
    let after = std::fs::read_to_string(&device).unwrap();
    assert!(after.starts_with('\u{feff}'), "the BOM was dropped");
    let body = &after['\u{feff}'.len_utf8()..];
    assert!(!body.contains('\u{feff}'));
    assert_eq!(body.matches('\n').count(), body.matches("\r\n").count(), "a line lost its CR: {body:?}");
    assert!(body.contains("tick-hz = 200\r\n"), "{body:?}");
    // Only the new line differs.
    let added: Vec<&str> = body.split("\r\n").filter(|l| !crlf.contains(&format!("{l}\r\n"))).collect();
    assert_eq!(added, ["tick-hz = 200"], "{body:?}");
    let (code, _, err) = run_in(tmp.path(), &["check", &device.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    // Removing it again gives back the very bytes of the start.
    let (code, _, err) = run_in(tmp.path(), &["config", "unset", &device.display().to_string(), "tick-hz"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&device).unwrap(), crlf);
}

#[test]
fn an_lf_file_without_a_bom_stays_so() {
    let (tmp, device) = project();
    let (code, _, err) = set(tmp.path(), &device, "tick-hz=200");
    assert_eq!(code, 0, "{err}");
    let after = std::fs::read(&device).unwrap();
    assert!(!after.contains(&b'\r'));
    assert!(!after.starts_with("\u{feff}".as_bytes()));
}

#[test]
fn menuconfig_saves_the_same_way() {
    let (tmp, device) = project();
    let store = tmp.path().join("store.toml");
    let text = std::fs::read_to_string(&device).unwrap();
    std::fs::write(&store, format!("\u{feff}{}", text.replace('\n', "\r\n"))).unwrap();
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::fs::remove_file(&device).unwrap();
    std::os::unix::fs::symlink(&store, &device).unwrap();
    let (_, plan) = bluegen::pipeline::plan(Some(&device), None).unwrap();
    let mut state = bluegen::menuconfig::state::State::new(plan);
    state.change("tick-hz", toml::Value::Integer(200));
    state.save().unwrap();
    assert!(std::fs::symlink_metadata(&device).unwrap().file_type().is_symlink());
    assert_eq!(mode(&store), 0o640);
    let after = std::fs::read_to_string(&store).unwrap();
    assert!(after.starts_with('\u{feff}'));
    assert!(after.contains("tick-hz = 200\r\n"), "{after:?}");
    assert_eq!(after.matches('\n').count(), after.matches("\r\n").count(), "{after:?}");
}
