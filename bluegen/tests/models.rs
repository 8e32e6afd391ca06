//! Models: keyword spotting beside a 1 ms task in QEMU, the footprint's model rows and budgets, and every `[models]` mistake located.
//!
//! The QEMU test boots examples/keyword-spotting on mps2-an385 and virt
//! RV32 under -icount: the micro_speech model must classify the recorded
//! "yes" and "no" (scores as the engine's own test gives them), the 1 ms
//! sensor thread must never wake a tick late while the inferences run, and
//! the inference thread's stack must have held what bluegen sized. The
//! hardware boards (nrf52840-dk, microbit-v2) are built and budget-checked.
//! Needs QEMU; without it the test fails, never skips.

mod common;

use common::{bluegen, bluegen_images, check, device, project, repo, run_icount};

fn example() -> std::path::PathBuf {
    repo().join("examples/keyword-spotting")
}

/// The number after `prefix` in `text`'s line that starts with it.
fn number_after(text: &str, prefix: &str) -> u64 {
    let line = text.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no line `{prefix}…` in:\n{text}"));
    line[prefix.len()..].split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
}

#[test]
fn keyword_spotting_classifies_yes_and_no_while_the_sensor_keeps_time() {
    for board in ["qemu-mps2-an385", "qemu-virt-rv32"] {
        let out = run_icount(&example(), board);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{board}:\n{stdout}\n{stderr}");
        for line in [
            "kws: \"yes\" -> yes (silence 0.000, unknown 0.000, yes 0.996, no 0.000)",
            "kws: \"no\" -> no (silence 0.000, unknown 0.055, yes 0.000, no 0.945)",
            "keyword-spotting: ok",
        ] {
            assert!(stdout.lines().any(|l| l == line), "{board}: no line `{line}` in:\n{stdout}");
        }
        // The sensor ran all along, on time.
        let periods = number_after(&stdout, "sensor: ");
        assert!(periods >= 20, "{board}: the sensor ran only {periods} periods:\n{stdout}");
        assert!(stdout.contains("worst lateness 0 ticks"), "{board}:\n{stdout}");
        // The inference used the arena bluegen added, and stayed inside the stack.
        let peak = number_after(&stdout, "kws: stack peak ");
        let arena = number_after(&stdout[stdout.find("model arena ").unwrap()..], "model arena ");
        assert!(peak > arena / 2 && peak <= arena + 1024, "{board}: stack peak {peak} B against an arena of {arena} B + 1024 B:\n{stdout}");
        assert_eq!(stdout.matches("BENCH inference_instructions=").count(), 1, "{board}:\n{stdout}");
    }
}

#[test]
fn the_gesture_model_the_repo_trained_classifies_its_held_out_samples() {
    let dir = repo().join("examples/gesture");
    for board in ["qemu-mps2-an385", "qemu-virt-rv32"] {
        let out = run_icount(&dir, board);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{board}:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        for line in ["gesture: shake -> shake (idle 0.000, shake 0.996, circle 0.000, tap 0.000)", "gesture: circle -> circle (idle 0.000, shake 0.000, circle 0.996, tap 0.000)", "gesture: ok"] {
            assert!(stdout.lines().any(|l| l == line), "{board}: no line `{line}` in:\n{stdout}");
        }
        let peak = number_after(&stdout, "gesture: stack peak ");
        let arena = number_after(&stdout[stdout.find("model arena ").unwrap()..], "model arena ");
        assert!(peak > arena / 2 && peak <= arena + 1024, "{board}: stack peak {peak} B against an arena of {arena} B + 1024 B");
    }
    // 132 KB of weights, within its budget on both hardware boards.
    for board in ["nrf52840-dk", "microbit-v2"] {
        let out = bluegen_images().args(["size", dir.to_str().unwrap(), "--board", board, "--json"]).output().unwrap();
        assert!(out.status.success(), "{board}: {}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["models"]["models"][0]["weights"].as_u64().unwrap() / 1024, 128, "{board}");
    }
}

#[test]
fn the_size_report_splits_the_image_and_the_hardware_boards_build_within_budget() {
    for board in ["nrf52840-dk", "microbit-v2"] {
        let out = bluegen_images().args(["size", example().to_str().unwrap(), "--board", board, "--json"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{board}: {stderr}");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let m = &report["models"];
        let speech = &m["models"][0];
        assert_eq!(speech["name"], "speech");
        // The model's section holds its weights: the file's 16 000 + 640
        // bytes of int8 filters and weights (microflow's layout pads them
        // a little) and nothing else.
        let weights = speech["weights"].as_u64().unwrap();
        assert!((16_640..17_000).contains(&weights), "{board}: weights {weights}");
        assert!(speech["code"].as_u64().unwrap() > 500, "{board}: {speech}");
        assert_eq!(speech["arena"], 18944);
        let (flash, ram) = (&report["regions"][0], &report["regions"][1]);
        let share = |part: &str, key: &str| m[part][key].as_u64().unwrap();
        // Every byte of the image is the kernel's, the model's or the app's.
        assert_eq!(share("kernel", "flash") + share("model", "flash") + share("app", "flash"), flash["used"].as_u64().unwrap());
        assert_eq!(share("kernel", "ram") + share("model", "ram") + share("app", "ram"), ram["used"].as_u64().unwrap());
        assert_eq!(share("headroom", "flash") + flash["used"].as_u64().unwrap(), flash["size"].as_u64().unwrap());
        // The goal: the kernel takes under 5 % of the chip's flash and RAM.
        assert!(share("kernel", "flash") * 20 < share("size", "flash"), "{board}: {m}");
        assert!(share("kernel", "ram") * 20 < share("size", "ram"), "{board}: {m}");
        // The tree shows the arena as the model's.
        let models = report["components"].as_array().unwrap().iter().find(|c| c["name"] == "models").unwrap();
        assert_eq!(models["bss"], 18944, "{models}");
    }
    // The HTML page has the models table and the arena in its RAM treemap.
    let page = tempfile::tempdir().unwrap();
    let html = page.path().join("size.html");
    let out = bluegen_images().args(["size", example().to_str().unwrap(), "--board", "microbit-v2", "--html", html.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("<h2>Models</h2>") && text.contains("<td>speech</td><td>microflow</td>"), "{text}");
    assert!(text.contains("arena (on thread `kws`&#39;s stack)") || text.contains("arena (on thread `kws`'s stack)"), "the treemap names the arena");
    // A budget the model breaks is a located error after the build.
    let dir = tempfile::tempdir().unwrap();
    copy_example(dir.path());
    let text = std::fs::read_to_string(dir.path().join("device.toml")).unwrap().replace("model-ram = \"19K\"", "model-ram = \"18K\"");
    std::fs::write(dir.path().join("device.toml"), text).unwrap();
    let out = bluegen_images().current_dir(dir.path()).args(["build", "--board", "microbit-v2"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("breaks its model RAM budget by 512 bytes") && stderr.contains("device.toml:") && stderr.contains("budget.model-ram") && stderr.contains("speech 18944 B"), "{stderr}");
}

/// The example, with its app pointing at this checkout's components.
fn copy_example(to: &std::path::Path) {
    let from = example();
    for rel in ["device.toml", "models/speech.tflite", "data/yes.features", "data/no.features", "app/src/lib.rs"] {
        std::fs::create_dir_all(to.join(rel).parent().unwrap()).unwrap();
        std::fs::copy(from.join(rel), to.join(rel)).unwrap();
    }
    let components = repo().join("components");
    let manifest = std::fs::read_to_string(from.join("app/Cargo.toml")).unwrap().replace("../../../components", components.to_str().unwrap());
    std::fs::write(to.join("app/Cargo.toml"), manifest).unwrap();
}

/// A project with `device.toml` and the example's model file beside it.
fn with_model(device_toml: &str) -> tempfile::TempDir {
    let dir = project(device_toml);
    std::fs::create_dir_all(dir.path().join("models")).unwrap();
    std::fs::copy(example().join("models/speech.tflite"), dir.path().join("models/speech.tflite")).unwrap();
    std::fs::write(dir.path().join("models/garbage.tflite"), b"this is not a flatbuffer, only text").unwrap();
    dir
}

const THREADS: &str = "[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n[threads.poll]\nentry = \"sensor_poll\"\npriority = 2\nstack = 1024\n";

fn check_model(model: &str) -> (i32, String) {
    let text = format!("{}{THREADS}{model}", device("qemu-mps2-an385"));
    let dir = with_model(&text);
    let (code, _, err) = bluegen(dir.path(), &["check"]);
    (code, err)
}

#[test]
fn every_models_mistake_is_a_located_error_with_a_hint() {
    let cases: &[(&str, &[&str])] = &[
        ("[models.speech]\nfile = \"models/nope.tflite\"\nthread = \"main\"\n", &["cannot read model file `models/nope.tflite`", "device.toml:13:8", "models.speech.file", "relative to the directory of device.toml"]),
        ("[models.speech]\nfile = \"models/garbage.tflite\"\nthread = \"main\"\n", &["is not a TensorFlow Lite model", "device.toml:13:8", "not \"TFL3\""]),
        ("[models.speech]\nfile = \"models/speech.tflite\"\nthread = \"mian\"\n", &["runs on thread `mian`, which device.toml does not declare", "device.toml:14:10", "models.speech.thread", "did you mean `main`?"]),
        ("[models.speech]\nfile = \"models/speech.tflite\"\n", &["[models.speech] has no `thread`", "device.toml:12:1", "add `thread = \"main\"`"]),
        ("[models.speech]\nfile = \"models/speech.tflite\"\nthread = \"main\"\nengine = \"tflm\"\n", &["unknown engine `tflm`", "device.toml:15:10", "models.speech.engine", "microflow"]),
        ("[models.speech]\nfile = \"models/speech.tflite\"\nthread = \"main\"\nlabels = [\"yes\", \"no\"]\n", &["invalid value for `models.speech.labels`", "device.toml:15:10", "output has 4 values", "4 names"]),
        ("[models.speech]\nfile = \"models/speech.tflite\"\nthread = \"main\"\nlabels = \"yes\"\n", &["invalid value for `models.speech.labels`", "an array of strings"]),
        ("[models.Speech]\nfile = \"models/speech.tflite\"\nthread = \"main\"\n", &["invalid model name `Speech`", "device.toml:12:1", "[models.speech]"]),
        ("[models.type]\nfile = \"models/speech.tflite\"\nthread = \"main\"\n", &["invalid model name `type`", "not a Rust keyword", "[models.type_model]"]),
        ("[models.speech]\nfile = \"models/speech.tflite\"\nthread = \"main\"\nlayers = 3\n", &["unknown key `models.speech.layers`", "device.toml:15:1", "`labels`"]),
        ("[models.speech]\nthread = \"main\"\n", &["[models.speech] has no `file`", "device.toml:12:"]),
        ("[budget]\nmodel-flash = \"20K\"\n", &["invalid value for `budget.model-flash`", "device.toml:13:15", "declares no model"]),
        ("[features]\nmodels = true\n", &["`models` is set by bluegen, not by a device", "device.toml:13:1", "[models.<name>]"]),
    ];
    for (model, wants) in cases {
        let (code, err) = check_model(model);
        assert_eq!(code, 1, "{model}\n{err}");
        for want in *wants {
            assert!(err.contains(want), "{model}: no `{want}` in:\n{err}");
        }
        assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
    }
    // A correct table checks clean; the arena goes on the thread's stack.
    let (code, err) = check_model("[models.speech]\nfile = \"models/speech.tflite\"\nthread = \"main\"\nlabels = [\"silence\", \"unknown\", \"yes\", \"no\"]\n");
    assert_eq!(code, 0, "{err}");
    let (code, _) = check(&format!("{}{}", device("qemu-mps2-an385"), common::THREAD));
    assert_eq!(code, 0);
    // Person detection's arena does not fit the nRF52840's 256 KB: the
    // model is blamed, not the thread's own 1 KB.
    let out = bluegen_images().args(["check", repo().join("examples/bench-models").to_str().unwrap(), "--board", "nrf52840-dk"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for want in ["RAM is too small", "device.toml:18:1", "models.person", "model `person`'s arena of 315816 B", "use a smaller model"] {
        assert!(err.contains(want), "no `{want}` in:\n{err}");
    }
}
