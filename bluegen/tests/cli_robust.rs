//! The command line under hostile use: closed pipes, bad flag values, flags
//! that would do nothing, and the diagnostics of `config set|unset`, `size`,
//! `flash --probe` and `new` (no QEMU, no image build).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use assert_cmd::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn hello() -> String {
    repo().join("examples/hello").display().to_string()
}

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("bluegen").unwrap().current_dir(dir).args(args).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_in(&repo(), args)
}

/// Runs bluegen with a standard output whose reader is already gone, as
/// after `| head` has its lines: every write fails with a broken pipe, so
/// the first line printed meets it. Returns (exit code, stderr).
fn closed_stdout(dir: &Path, args: &[&str]) -> (i32, String) {
    // A pipe whose only reader, `true`, has already exited.
    let mut reader = std::process::Command::new("true").stdin(Stdio::piped()).spawn().unwrap();
    let writer = Stdio::from(reader.stdin.take().unwrap());
    reader.wait().unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("bluegen"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_closed_stdout_is_a_quiet_normal_end() {
    let hello = hello();
    let cases: &[&[&str]] = &[
        &["chips"],
        &["chips", "--json"],
        &["chips", "stm32"],
        &["boards"],
        &["boards", "--json"],
        &["check", &hello],
        &["config", &hello],
        &["config", "--json", &hello],
        &["config", "--why", "console", &hello],
        &["config", "--minimal", &hello],
        &["probes"],
        &["docs", "--check"],
        &["--help"],
        &["chips", "--help"],
        &["--version"],
    ];
    for args in cases {
        let (code, err) = closed_stdout(&repo(), args);
        assert_eq!(code, 0, "bluegen {}: {err}", args.join(" "));
        assert!(!err.contains("panicked"), "bluegen {}: {err}", args.join(" "));
        assert!(!err.contains("Broken pipe"), "bluegen {}: {err}", args.join(" "));
    }
}

#[test]
fn a_closed_stdout_after_a_write_keeps_the_write() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, err) = closed_stdout(tmp.path(), &["new", "dev", "--board", "qemu-virt-rv32"]);
    assert_eq!(code, 0, "{err}");
    assert!(tmp.path().join("dev/device.toml").is_file());
    assert!(tmp.path().join("dev/app/src/lib.rs").is_file());
    let device = tmp.path().join("dev/device.toml").display().to_string();
    let (code, err) = closed_stdout(tmp.path(), &["config", "set", &device, "tick-hz=200"]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&device).unwrap().contains("tick-hz = 200"));
}

#[test]
fn bad_timeouts_are_usage_errors_before_anything_runs() {
    // Run where there is no device: only the flag can be the error.
    let tmp = tempfile::tempdir().unwrap();
    for sub in ["run", "flash"] {
        for value in ["-1", "nan", "NaN", "inf", "-inf", "1e30", "0", "0.0", "1e-9", "86401", "abc", ""] {
            for args in [vec![sub, "--timeout", value], vec![sub, &format!("--timeout={value}")]] {
                let (code, _, err) = run_in(tmp.path(), &args);
                assert_eq!(code, 2, "bluegen {}: {err}", args.join(" "));
                assert!(err.contains("--timeout <SECS>"), "bluegen {}: {err}", args.join(" "));
                assert!(!err.contains("panicked"), "{err}");
            }
        }
        // Good values get past clap: the error is then the missing device.
        for value in ["30", "0.5", "86400", "1e-3"] {
            let (code, _, err) = run_in(tmp.path(), &[sub, "--timeout", value]);
            assert_eq!(code, 1, "--timeout {value}: {err}");
            assert!(err.contains("no device.toml"), "--timeout {value}: {err}");
        }
    }
    let (_, _, err) = run_in(tmp.path(), &["run", "--timeout", "-1"]);
    assert!(err.contains("-1 seconds is out of range: a timeout is a number of seconds from 0.001 to 86400"), "{err}");
}

#[test]
fn a_bad_probe_is_refused_before_building() {
    let tmp = tempfile::tempdir().unwrap();
    for value in ["zz", "1234", "1234:zz", "12345:1", ":"] {
        let (code, _, err) = run_in(tmp.path(), &["flash", "--probe", value]);
        assert_eq!(code, 2, "--probe {value}: {err}");
        assert!(err.contains(&format!("`{value}` is not VID:PID[:SERIAL]")), "{err}");
        assert!(err.contains("bluegen probes"), "{err}");
    }
    let (code, _, err) = run_in(tmp.path(), &["flash", "--probe", "0d28:0204:ABC"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no device.toml"), "{err}");
}

#[test]
fn flags_that_would_do_nothing_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for extra in [&["--html", "f.html"][..], &["--top", "3"], &["--depth", "1"], &["--json"]] {
        let mut args = vec!["size", "--feature-cost"];
        args.extend_from_slice(extra);
        let (code, _, err) = run_in(tmp.path(), &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("cannot be used with"), "{err}");
    }
    assert!(!tmp.path().join("f.html").exists());
    // Options the chosen output ignores.
    for args in [&["size", "--json", "--top", "3"][..], &["size", "--json", "--depth", "1"], &["size", "--compare", "b.json", "--json"], &["size", "--compare", "b.json", "--top", "3"]] {
        let (code, _, err) = run_in(tmp.path(), args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("cannot be used with"), "{err}");
    }
    // A bad --threshold is a usage error, found before anything is built.
    for value in ["lots", "nan%", "inf%", "-5%"] {
        let (code, _, err) = run_in(tmp.path(), &["size", "--compare", "base.json", "--threshold", value]);
        assert_eq!(code, 2, "--threshold {value}: {err}");
        assert!(err.contains("is not a threshold"), "{err}");
    }
}

#[test]
fn size_names_what_it_was_given() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "hello\n").unwrap();
    std::fs::write(tmp.path().join("blob.bin"), [0xffu8, 0xfe, 0x00, 0x01, 0x02]).unwrap();
    std::fs::write(tmp.path().join("empty.elf"), b"").unwrap();
    let cases = [
        ("notes.txt", "it does not start with the ELF magic number"),
        ("blob.bin", "it does not start with the ELF magic number"),
        ("empty.elf", "it is empty"),
        ("/dev/null", "it is not a regular file"),
        ("missing.elf", "it does not exist"),
    ];
    for (path, why) in cases {
        let (code, _, err) = run_in(tmp.path(), &["size", path]);
        assert_eq!(code, 1, "{path}: {err}");
        assert!(err.contains(&format!("error: `{path}` is neither an ELF file nor a device project")), "{path}: {err}");
        assert!(err.contains(why), "{path}: {err}");
        assert!(!err.contains("UTF-8"), "{path}: {err}");
    }
}

#[test]
fn a_bad_baseline_is_refused_before_building() {
    // No device here: had the build come first, that would be the error.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("base.json"), "not json").unwrap();
    let (code, _, err) = run_in(tmp.path(), &["size", "--compare", "base.json"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error: `base.json` is not a bluegen size report"), "{err}");
    assert!(!err.contains("device.toml at"), "{err}");
}

#[test]
fn a_device_path_that_is_no_file_is_named_so() {
    for sub in ["check", "build", "run", "config"] {
        let (code, _, err) = run(&[sub, "/dev/null"]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("error: no device.toml at `/dev/null`"), "{err}");
        assert!(err.contains("why: it is not a regular file"), "{err}");
    }
}

/// The symbols `bluegen config --json` lists for a device.
fn symbols_of(device: &str) -> Vec<String> {
    let (code, out, err) = run(&["config", "--json", device]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    rows.iter().map(|r| r["name"].as_str().unwrap().to_string()).collect()
}

/// Every symbol a hint names (in backticks, as `symbol` or `symbol=value`)
/// is one of `symbols`.
fn assert_hints_name_real_symbols(text: &str, symbols: &[String]) {
    let hints: Vec<&str> = text.lines().filter(|l| l.contains("hint:")).collect();
    assert!(!hints.is_empty(), "no hint in:\n{text}");
    for hint in hints {
        for quoted in hint.split('`').skip(1).step_by(2) {
            let name = quoted.split('=').next().unwrap();
            if !quoted.contains(' ') {
                assert!(symbols.iter().any(|s| s == name), "`{name}` is no symbol of the image:\n{text}");
            }
        }
    }
}

#[test]
fn config_set_mistakes_are_named_and_hints_are_real_symbols() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dev");
    let (code, _, err) = run_in(tmp.path(), &["new", "dev", "--board", "qemu-mps2-an385"]);
    assert_eq!(code, 0, "{err}");
    let device = dir.join("device.toml");
    let before = std::fs::read(&device).unwrap();
    let dev = device.display().to_string();
    let symbols = symbols_of(&dev);

    let (code, _, err) = run(&["config", "set", &dev, "=5"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error: the SYMBOL part of `=5` is empty"), "{err}");
    assert!(!err.contains("unknown feature ``"), "{err}");
    assert_hints_name_real_symbols(&err, &symbols);

    let (code, _, err) = run(&["config", "set", &dev, "consle"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error: `consle` is not SYMBOL=VALUE"), "{err}");
    assert!(err.contains("hint: did you mean `console=true`?"), "{err}");
    assert!(!err.contains("banner-text"), "{err}");
    assert_hints_name_real_symbols(&err, &symbols);

    let (code, _, err) = run(&["config", "set", &dev, "qqqq"]);
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("banner-text"), "{err}");
    assert_hints_name_real_symbols(&err, &symbols);

    let (code, _, err) = run(&["config", "set", &dev, "tick-hz="]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error: the VALUE part of `tick-hz=` is empty"), "{err}");
    assert_hints_name_real_symbols(&err, &symbols);

    // All mistakes of one command line in one run, and the file untouched.
    let (code, _, err) = run(&["config", "set", &dev, "=5", "consle", "tick-hz="]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.matches("error: ").count(), 3, "{err}");
    assert_eq!(std::fs::read(&device).unwrap(), before);
}

#[test]
fn config_unset_of_an_unknown_symbol_fails_with_a_real_suggestion() {
    let (code, out, err) = run(&["config", "unset", &hello(), "nosuch"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("error: unknown symbol `nosuch`"), "{err}");
    let (code, _, err) = run(&["config", "unset", &hello(), "consle"]);
    assert_eq!(code, 1);
    assert!(err.contains("hint: did you mean `console`?"), "{err}");
    assert_hints_name_real_symbols(&err, &symbols_of(&hello()));
    let (code, _, err) = run(&["config", "unset", &hello(), "console=true"]);
    assert_eq!(code, 1);
    assert!(err.contains("`console=true` is not a symbol"), "{err}");
    // A real symbol that the file does not set: nothing to do, no failure.
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run_in(tmp.path(), &["new", "dev", "--board", "qemu-mps2-an385"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["config", "unset", &tmp.path().join("dev").display().to_string(), "tick-hz"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("tick-hz is not set in"), "{out}");
}

#[test]
fn new_suggests_flash_for_hardware_and_run_for_qemu() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run_in(tmp.path(), &["new", "hw", "--board", "nrf52840-dk"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("next: bluegen flash hw\n"), "{out}");
    let text = std::fs::read_to_string(tmp.path().join("hw/device.toml")).unwrap();
    assert!(text.contains("`bluegen flash` programs it"), "{text}");
    assert!(!text.contains("`bluegen run`"), "{text}");
    let (code, out, err) = run_in(tmp.path(), &["new", "emu", "--board", "qemu-virt-rv32"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("next: bluegen run emu\n"), "{out}");
    let text = std::fs::read_to_string(tmp.path().join("emu/device.toml")).unwrap();
    assert!(text.contains("`bluegen run` boots it"), "{text}");
}

#[test]
fn new_dot_takes_the_name_of_the_current_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("my-band");
    std::fs::create_dir(&dir).unwrap();
    let (code, out, err) = run_in(&dir, &["new", ".", "--board", "qemu-virt-rv32"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("created device `my-band` for qemu-virt-rv32"), "{out}");
    assert!(std::fs::read_to_string(dir.join("device.toml")).unwrap().contains("name = \"my-band\""));
    // A directory name that is no device name: named, with a valid one to pass.
    let bad = tmp.path().join("My_Band");
    std::fs::create_dir(&bad).unwrap();
    let (code, _, err) = run_in(&bad, &["new", ".", "--board", "qemu-virt-rv32"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error: `My_Band`, the directory's name, cannot be a device name"), "{err}");
    assert!(err.contains("hint: pass --name my-band"), "{err}");
    assert!(std::fs::read_dir(&bad).unwrap().next().is_none());
}

/// What a POSIX shell makes of `line`: its words.
fn shell_words(line: &str) -> Vec<String> {
    let out = std::process::Command::new("sh").arg("-c").arg(format!("printf '%s\\0' {line}")).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().split_terminator('\0').map(str::to_string).collect()
}

#[test]
fn the_next_hint_is_quoted_for_the_shell() {
    let tmp = tempfile::tempdir().unwrap();
    for dir in ["my dir", "it's", "a\"b", "$HOME", "semi;colon", "back\\slash", "-dash", "ünï"] {
        let (code, out, err) = run_in(tmp.path(), &["new", "--name", "dev", "--board", "qemu-virt-rv32", "--", dir]);
        assert_eq!(code, 0, "{dir}: {err}");
        let next = out.lines().find_map(|l| l.strip_prefix("next: ")).unwrap_or_else(|| panic!("{out}"));
        let words = shell_words(next);
        assert_eq!(words[..2], ["bluegen", "run"], "{next}");
        assert_eq!(words.len(), 3, "{next}");
        let named = Path::new(&words[2]);
        assert!(tmp.path().join(named).join("device.toml").is_file(), "{dir}: {next}");
        assert_eq!(std::fs::canonicalize(tmp.path().join(named)).unwrap(), std::fs::canonicalize(tmp.path().join(dir)).unwrap());
    }
}

#[test]
fn the_new_app_crate_names_the_kernel_path_as_a_toml_string() {
    // A kernel root whose path holds `"` and `\\` (a link to this checkout):
    // the path is escaped into app/Cargo.toml, not pasted.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("a \"quoted\" \\ root");
    std::os::unix::fs::symlink(repo(), &root).unwrap();
    let out = Command::cargo_bin("bluegen")
        .unwrap()
        .current_dir(tmp.path())
        .env("BLUEGEN_ROOT", &root)
        .args(["new", "dev", "--board", "qemu-virt-rv32"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(tmp.path().join("dev/app/Cargo.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let path = manifest["dependencies"]["bluegen-kernel"]["path"].as_str().unwrap();
    assert_eq!(Path::new(path), root.join("components/kernel"));
}
