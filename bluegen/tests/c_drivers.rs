//! Drivers written in C: `[drivers.<name>]` with `sources`, compiled into
//! an archive of their own against the kernel-services header
//! `<bluegen/driver.h>`, called from Rust (through a binding crate) and
//! from C, under QEMU. Needs qemu-system-arm and the C toolchains; without
//! them the tests fail, they never skip.

mod common;

use common::{bluegen_images, check, connect, device, repo};
use std::io::{BufRead, Write};

/// `examples/c-driver` on mps2-an385: the C TMP105 driver bit-bangs QEMU's
/// SBCon I2C controller (its address from the board's data, as
/// TMP105_BASE) and reads the sensor, for a Rust thread and for a C
/// thread; the Rust thread reads it a second time over the C bus wrapped
/// as an `embedded_hal::i2c::I2c` (`tmp105::Bus`), and finds that nothing
/// acknowledges the next address (the C thread's read after it shows the
/// bus was given back). The test runs the example's device.toml from a temporary
/// directory with QEMU paused (`-S`) and a monitor socket, sets a known
/// temperature before the app starts (QEMU resets it to 0 at machine
/// reset): both threads must print it.
#[test]
fn a_c_driver_reads_the_temperature_for_rust_and_c() {
    let example = repo().join("examples/c-driver");
    let dir_text = example.display().to_string();
    let text = std::fs::read_to_string(example.join("device.toml")).unwrap();
    let text = text
        .replace("[device]\n", &format!("[device]\napp = {:?}\n", example.join("app").display().to_string()))
        .replace("\"drivers/", &format!("\"{dir_text}/drivers/"))
        .replace("\"c/", &format!("\"{dir_text}/c/"))
        .replace("\"tmp105,id=sensor,bus=i2c,address=0x48\"]", "\"tmp105,id=sensor,bus=i2c,address=0x48\", \"-monitor\", \"unix:mon.sock,server=on,wait=on\", \"-S\"]");
    assert!(text.contains("mon.sock") && text.contains(&format!("{dir_text}/c/main.c")), "the example's device.toml changed: {text}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("device.toml"), text).unwrap();
    let mut child = std::process::Command::new(bluegen_images().get_program())
        .env("CARGO_TARGET_DIR", repo().join("target/images"))
        .current_dir(dir.path())
        .args(["run", "--timeout", "120"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut monitor = connect(&dir.path().join("mon.sock"));
    monitor.write_all(b"qom-set /machine/peripheral/sensor temperature -7250\ncont\n").unwrap();
    let lines: Vec<String> = std::io::BufReader::new(child.stdout.take().unwrap()).lines().map_while(Result::ok).collect();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stdout: {lines:?}\nstderr:\n{stderr}");
    assert_eq!(lines, ["rust thread: temperature -7.250 C", "rust thread: over embedded-hal I2c: temperature -7.250 C", "rust thread: over embedded-hal I2c: nothing answers at 0x49", "c thread: temperature -7.250 C"], "stderr:\n{stderr}");
}

/// The size report gives the C driver a row of its own.
#[test]
fn the_size_report_has_a_row_per_c_driver() {
    let out = bluegen_images().args(["size", repo().join("examples/c-driver").to_str().unwrap(), "--depth", "1"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let row = stdout.lines().find(|l| l.starts_with("driver:tmp105 ")).unwrap_or_else(|| panic!("no driver:tmp105 row:\n{stdout}"));
    let total: u64 = row.split_whitespace().last().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{row}"));
    assert!(total > 100, "{row}");
}

const C_DRIVER_THREAD: &str = "\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n";

/// A C driver's mistakes, each at its line: a missing source, an unknown
/// key, a bad define name, a peripheral the board does not have.
#[test]
fn c_driver_mistakes_are_located() {
    let (code, err) = check(&format!(
        "{}[drivers.sensor]\nsources = [\"nope.c\"]\nbogus = 1\ndefines = {{ \"1X\" = 2 }}\n\n[drivers.other]\nperipheral = \"i2c9\"\nsources = [\"nope2.c\"]\n{C_DRIVER_THREAD}",
        device("qemu-mps2-an385")
    ));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("C source `nope.c` cannot be used") && err.contains("drivers.sensor.sources"), "{err}");
    assert!(err.contains("unknown key `drivers.sensor.bogus`") && err.contains("device.toml:6:1"), "{err}");
    assert!(err.contains("invalid define name `1X`"), "{err}");
    assert!(err.contains("board `qemu-mps2-an385` has no peripheral `i2c9`"), "{err}");
}

/// Fixture `c-driver-services` on Arm and RISC-V under `-icount`: a C
/// driver (a mailbox on a kernel queue, mutex and event flags, logging
/// with bg_log) and C threads use every service of <bluegen/driver.h>:
/// a post waking a higher-priority waiter at once, timeouts that expire
/// after their time, sleeps and delays, mutex errors, critical sections,
/// allocation, and an interrupt handler written in C (`c-handler`), which
/// does not run while `bg_irq_disable`d and runs once when enabled.
#[test]
fn kernel_services_for_c_drivers_work_on_arm_and_risc_v() {
    let dir = repo().join("bluegen/tests/fixtures/c-driver-services");
    for board in ["qemu-mps2-an385", "qemu-virt-rv32"] {
        let out = common::run_icount(&dir, board);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{board}: stdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(stdout.contains("PASSED: 0 failed") && !stdout.contains("FAIL "), "{board}:\n{stdout}");
        for line in ["[mbox] post 7", "[mbox] post 9", "ok a C interrupt handler ran and gave a semaphore", "ok a disabled interrupt's handler does not run", "ok the pended interrupt runs once when enabled", "ok a post runs a higher-priority waiter at once (queue)", "ok bg_sem_take waits its time", "console write"] {
            assert!(stdout.lines().any(|l| l == line), "{board}: no `{line}` in\n{stdout}");
        }
        assert!(!stderr.contains("warning"), "{board}: warnings:\n{stderr}");
    }
}

/// `c-handler` names a C function a source defines, and an interrupt has
/// one handler.
#[test]
fn c_handler_mistakes_are_located() {
    let dir = repo().join("bluegen/tests/fixtures/c-driver-services");
    let text = std::fs::read_to_string(dir.join("device.toml")).unwrap();
    let d = tempfile::tempdir().unwrap();
    let abs = |t: String| t.replace("\"drivers", &format!("\"{}/drivers", dir.display())).replace("\"c/", &format!("\"{}/c/", dir.display())).replace("[device]\n", &format!("[device]\napp = {:?}\n", dir.join("app").display().to_string()));
    std::fs::write(d.path().join("device.toml"), abs(text.replace("c-handler = \"mbox_on_kick\"", "c-handler = \"mbox_on_kik\""))).unwrap();
    let (code, _, err) = common::bluegen(d.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no C source defines `mbox_on_kik`") && err.contains("interrupts.kick.c-handler"), "{err}");
    std::fs::write(d.path().join("device.toml"), abs(text.replace("c-handler = \"mbox_on_kick\"", "c-handler = \"mbox_on_kick\"\nhandler = \"on_kick\""))).unwrap();
    let (code, _, err) = common::bluegen(d.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("has both `handler` and `c-handler`"), "{err}");
}

/// A project with a C driver's files: `drivers/s.c` and `drivers/Kconfig`
/// (an int option `rate`, 1 to 10, and a bool `fast`).
fn driver_project(tables: &str) -> tempfile::TempDir {
    let dir = common::project(&format!("{}{tables}{C_DRIVER_THREAD}", device("qemu-mps2-an385")));
    std::fs::create_dir_all(dir.path().join("drivers")).unwrap();
    std::fs::write(dir.path().join("drivers/s.c"), "void s_init(void) {}\n").unwrap();
    std::fs::write(dir.path().join("drivers/Kconfig"), "config RATE\n\tint \"rate\"\n\trange 1 10\n\tdefault 5\n\nconfig FAST\n\tbool \"fast\"\n").unwrap();
    dir
}

/// Each error of `err` (its `error:` line and its location line).
fn errors(err: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = err.lines().collect();
    lines.iter().enumerate().filter(|(_, l)| l.starts_with("error")).map(|(i, l)| (l.to_string(), lines.get(i + 1).unwrap_or(&"").trim().to_string())).collect()
}

/// A define of a C driver or of `[c]` that has the name of a macro bluegen
/// generates (`BLUEGEN_*`, and of any C driver `<NAME>_BASE`,
/// `<NAME>_CLOCK_HZ`, `<NAME>_IRQ_*`, `<NAME>_CONFIG_*`) is refused, at its
/// name, saying whose it is.
#[test]
fn defines_that_shadow_generated_macros_are_refused() {
    let dir = driver_project(
        "[drivers.sensor]\nperipheral = \"i2c3\"\nsources = [\"drivers/s.c\"]\ndefines = { SENSOR_BASE = 1, BLUEGEN_MUTEX = 1, OTHER_IRQ_RX = 2, SENSOR_ADDRESS = 0x48 }\n\n[drivers.other]\nsources = [\"drivers/s.c\"]\n\n[c]\nsources = [\"drivers/s.c\"]\ndefines = { OTHER_CLOCK_HZ = 1, SENSOR_CONFIG_RATE = 3, APP_BASE = 1 }\n",
    );
    let (code, _, err) = common::bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    let found = errors(&err);
    let expect = [
        ("SENSOR_BASE", "device.toml:7:13", "drivers.sensor.defines.SENSOR_BASE", "C driver `sensor` (its peripheral's register address)"),
        ("BLUEGEN_MUTEX", "device.toml:7:30", "drivers.sensor.defines.BLUEGEN_MUTEX", "the `BLUEGEN_` macros"),
        ("OTHER_IRQ_RX", "device.toml:7:49", "drivers.sensor.defines.OTHER_IRQ_RX", "C driver `other` (its peripheral's interrupt numbers)"),
        ("OTHER_CLOCK_HZ", "device.toml:14:13", "c.defines.OTHER_CLOCK_HZ", "C driver `other` (its peripheral's clock)"),
        ("SENSOR_CONFIG_RATE", "device.toml:14:33", "c.defines.SENSOR_CONFIG_RATE", "C driver `sensor` (the values of its Kconfig options)"),
    ];
    assert_eq!(found.len(), expect.len(), "{err}");
    for ((message, at), (name, place, key, why)) in found.iter().zip(expect) {
        assert_eq!(message, &format!("error: define `{name}` shadows a macro bluegen generates"), "{err}");
        assert!(at.ends_with(place), "{name}: {at}\n{err}");
        assert!(err.contains(&format!("= key: {key}\n")) && err.contains(why), "{name}:\n{err}");
    }
    assert!(!found.iter().any(|(m, _)| m.contains("SENSOR_ADDRESS") || m.contains("APP_BASE")), "{err}");
}

/// A C driver's shape mistakes point at the element, one error each: a
/// non-string in `sources` (the other paths are still checked, each at its
/// own place), a string for an array, a define's bad value.
#[test]
fn c_driver_shape_mistakes_point_at_the_element_once() {
    let dir = driver_project("[drivers.sensor]\nsources = [\"drivers/s.c\", 3, \"nope.c\"]\ninclude = \"drivers\"\ndefines = { GOOD = 1, BAD = [1] }\n");
    let (code, _, err) = common::bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    let found = errors(&err);
    let expect = [
        ("error: invalid value for `drivers.sensor.sources`", "device.toml:5:27"),
        ("error: C source `nope.c` cannot be used", "device.toml:5:30"),
        ("error: invalid value for `drivers.sensor.include`", "device.toml:6:11"),
        ("error: invalid value for `drivers.sensor.defines.BAD`", "device.toml:7:29"),
    ];
    assert_eq!(found.len(), expect.len(), "{err}");
    for ((message, at), (m, place)) in found.iter().zip(expect) {
        assert_eq!(message, m, "{err}");
        assert!(at.ends_with(place), "{m}: {at}\n{err}");
    }
    // A string for the array: that one error, not also "lists no source".
    let dir = driver_project("[drivers.sensor]\nsources = \"drivers/s.c\"\n");
    let (code, _, err) = common::bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(errors(&err).len(), 1, "{err}");
    assert!(err.contains("`sources` is an array of strings, not a string") && err.contains("device.toml:5:11"), "{err}");
}

/// A C driver's Kconfig options: a value out of the option's range, one of
/// the wrong type, an unknown option (with the closest), options without a
/// Kconfig file, a Kconfig file that is not there: each located at its key.
#[test]
fn c_driver_option_mistakes_are_located() {
    let dir = driver_project("[drivers.sensor]\nsources = [\"drivers/s.c\"]\nkconfig = \"drivers/Kconfig\"\noptions = { rate = 11, fsat = true, fast = 3 }\n\n[drivers.other]\nsources = [\"drivers/s.c\"]\noptions = { rate = 1 }\n\n[drivers.third]\nsources = [\"drivers/s.c\"]\nkconfig = \"drivers/Kconfg\"\n");
    let (code, _, err) = common::bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    let found = errors(&err);
    let expect = [
        ("error: `rate` is out of range", "device.toml:7:13", "drivers.sensor.options.rate", "RATE must be between 1 and 10"),
        ("error: unknown option `fsat` of driver `sensor`", "device.toml:7:24", "drivers.sensor.options.fsat", "did you mean `fast`?"),
        ("error: `fast` takes a boolean, not an integer", "device.toml:7:37", "drivers.sensor.options.fast", "FAST is a bool symbol"),
        ("error: [drivers.other] has `options` but no Kconfig file", "device.toml:11:1", "drivers.other.options", "kconfig = \\\"drivers/other/Kconfig\\\""),
        ("error: the Kconfig file of driver `third` cannot be used", "device.toml:15:11", "drivers.third.kconfig", "Kconfg"),
    ];
    assert_eq!(found.len(), expect.len(), "{err}");
    for ((message, at), (m, place, key, why)) in found.iter().zip(expect) {
        assert_eq!(message, m, "{err}");
        assert!(at.ends_with(place), "{m}: {at}\n{err}");
        assert!(err.contains(&format!("= key: {key}\n")) && err.contains(&why.replace("\\\"", "\"")), "{m}:\n{err}");
    }
    // A mistake inside the driver's Kconfig file is located there.
    std::fs::write(dir.path().join("drivers/Kconfig"), "config RATE\n\tint \"rate\"\n\tdefaultt 5\n").unwrap();
    std::fs::write(dir.path().join("device.toml"), format!("{}[drivers.sensor]\nsources = [\"drivers/s.c\"]\nkconfig = \"drivers/Kconfig\"\n{C_DRIVER_THREAD}", device("qemu-mps2-an385"))).unwrap();
    let (code, _, err) = common::bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error: cannot parse the Kconfig file of C driver `sensor`\n --> [DIR]/drivers/Kconfig:3:11"), "{err}");
}

/// Every symbol of a C driver's Kconfig file with a value reaches its C
/// as `<NAME>_CONFIG_<SYMBOL>`: an int (the option's value, or the
/// default) in decimal, a hex, a string as a C string, a bool that is on
/// as 1, and one that is off not at all; the C checks them at compile
/// time, so the build fails if one is wrong. The app's C does not see them.
#[test]
fn c_driver_options_reach_its_c_as_defines() {
    let dir = driver_project("[drivers.sensor]\nsources = [\"drivers/s.c\", \"drivers/check.c\"]\nkconfig = \"drivers/Kconfig\"\noptions = { rate = 7, fast = true, tag = \"t\\\"1\" }\n\n[c]\nsources = [\"c/app.c\"]\n");
    std::fs::write(
        dir.path().join("drivers/Kconfig"),
        "config RATE\n\tint \"rate\"\n\trange 1 10\n\tdefault 5\n\nconfig DEPTH\n\tint \"depth\"\n\tdefault 3\n\nconfig WINDOW\n\thex \"window\"\n\tdefault 0x40\n\nconfig FAST\n\tbool \"fast\"\n\nconfig SLOW\n\tbool \"slow\"\n\nconfig TAG\n\tstring \"tag\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("drivers/check.c"),
        "#include <string.h>\n_Static_assert(SENSOR_CONFIG_RATE == 7, \"rate\");\n_Static_assert(SENSOR_CONFIG_DEPTH == 3, \"depth: the default\");\n_Static_assert(SENSOR_CONFIG_WINDOW == 0x40, \"window\");\n_Static_assert(SENSOR_CONFIG_FAST == 1, \"fast\");\n#ifdef SENSOR_CONFIG_SLOW\n#error \"an off bool is not defined\"\n#endif\n_Static_assert(sizeof(SENSOR_CONFIG_TAG) == 4, \"tag: t, quote, 1, NUL\");\nint sensor_tag_is(const char *s) { return strcmp(s, SENSOR_CONFIG_TAG) == 0; }\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("c")).unwrap();
    std::fs::write(dir.path().join("c/app.c"), "#ifdef SENSOR_CONFIG_RATE\n#error \"the app's C sees no driver option\"\n#endif\nint app_value(void) { return 1; }\n").unwrap();
    let out = bluegen_images().current_dir(dir.path()).args(["build"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A C build that fails is reported at the table that lists the failing
/// sources: each C driver's `[drivers.<name>]` (not `[c]`), and `[c]` when
/// the app's C fails; a driver that compiles is not named. Every archive
/// is compiled, so both failures come in one run.
#[test]
fn a_failing_c_driver_is_reported_at_its_table() {
    let dir = driver_project("[drivers.good]\nsources = [\"drivers/s.c\"]\n\n[drivers.bad]\nsources = [\"drivers/s.c\", \"drivers/bad.c\"]\n\n[c]\nsources = [\"c/app.c\"]\n");
    std::fs::write(dir.path().join("drivers/bad.c"), "int bad_read(void) { return undeclared; }\n").unwrap();
    std::fs::create_dir_all(dir.path().join("c")).unwrap();
    std::fs::write(dir.path().join("c/app.c"), "int app(void) { return also_undeclared; }\n").unwrap();
    let out = bluegen_images().current_dir(dir.path()).args(["build"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let found = errors(&err);
    let ours: Vec<&(String, String)> = found.iter().filter(|(m, _)| m.contains("did not compile")).collect();
    assert_eq!(ours.len(), 2, "{err}");
    assert_eq!(ours[0].0, "error: the C sources did not compile", "{err}");
    assert!(ours[0].1.ends_with("device.toml:10:2"), "{err}");
    assert_eq!(ours[1].0, "error: the C sources of driver `bad` did not compile", "{err}");
    assert!(ours[1].1.ends_with("device.toml:7:10"), "{err}");
    assert!(err.contains("= key: drivers.bad.sources\n") && err.contains("= note: errors in bad.c\n") && err.contains("= note: errors in app.c\n"), "{err}");
    assert!(!err.contains("driver `good`"), "{err}");
}

/// A `c-handler` and a `c-entry` whose only definitions sit in dead
/// preprocessor branches. Under `#if 0` (dead whatever the macros),
/// `bluegen check` refuses them, saying so. Under an `#ifdef` of a macro
/// no define gives, they pass the reading of the sources and the link
/// cannot find them: bluegen reads the compiled archives and names each at
/// its key, in place of the linker's "undefined symbol". Compiled, the
/// device builds.
#[test]
fn c_functions_in_dead_preprocessor_branches_are_located() {
    let dir = driver_project("[features]\nthreads = true\n\n[drivers.sensor]\nsources = [\"drivers/s.c\", \"drivers/kick.c\"]\n\n[c]\nsources = [\"c/app.c\"]\n\n[interrupts.kick]\nsource = \"soft0\"\nc-handler = \"sensor_on_kick\"\npriority = 1\n\n[threads.worker]\nc-entry = \"worker\"\npriority = 2\nstack = 1024\n");
    std::fs::create_dir_all(dir.path().join("c")).unwrap();
    let write = |kick: &str, app: &str| {
        std::fs::write(dir.path().join("drivers/kick.c"), kick).unwrap();
        std::fs::write(dir.path().join("c/app.c"), app).unwrap();
    };
    write("#if 0\nvoid sensor_on_kick(void) {}\n#endif\n", "#if 0 /* later */\nvoid worker(void) {}\n#endif\n");
    let (code, _, err) = common::bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    let found = errors(&err);
    assert_eq!(found.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>(), ["error: no C source defines `sensor_on_kick`", "error: no C source defines `worker`"], "{err}");
    assert!(err.contains("= note: a source defines `sensor_on_kick` under `#if 0`, which the compiler drops") && err.contains("= note: a source defines `worker` under `#if 0`"), "{err}");

    write("#ifdef SENSOR_HAS_KICK\nvoid sensor_on_kick(void) {}\n#endif\n", "#ifdef APP_HAS_WORKER\nvoid worker(void) {}\n#endif\n");
    let out = bluegen_images().current_dir(dir.path()).args(["build"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let found = errors(&err);
    assert_eq!(found.len(), 2, "{err}");
    assert_eq!(found[0].0, "error: C function `sensor_on_kick` is not in the compiled C", "{err}");
    assert!(found[0].1.ends_with("device.toml:15:13"), "{err}");
    assert_eq!(found[1].0, "error: C function `worker` is not in the compiled C", "{err}");
    assert!(found[1].1.ends_with("device.toml:19:11"), "{err}");
    assert!(err.contains("= key: interrupts.kick.c-handler\n") && err.contains("= key: threads.worker.c-entry\n") && err.contains("`#ifdef` whose macro is not defined"), "{err}");
    assert!(!err.contains("undefined symbol") && !err.contains("linking with"), "the linker's message stays out:\n{err}");

    write("void sensor_on_kick(void) {}\n", "void worker(void) {}\n");
    let out = bluegen_images().current_dir(dir.path()).args(["build"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `size --feature-cost` measures a C driver: the device built without its
/// `[drivers.<name>]` (the binding crate's and the app's C calls left
/// unresolved in that variant, which is measured, never run), row
/// `driver:<name>`; as the last C driver, the kernel services for C go
/// with it. `--only` measures that row alone.
#[test]
fn feature_cost_measures_a_c_driver() {
    let example = repo().join("examples/c-driver");
    let out = bluegen_images().args(["size", example.to_str().unwrap(), "--feature-cost", "--only", "driver:tmp105"]).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let rows: Vec<&str> = stdout.lines().skip_while(|l| !l.starts_with("feature ")).skip(1).collect();
    assert_eq!(rows.len(), 1, "only the driver's row:\n{stdout}");
    let words: Vec<&str> = rows[0].split_whitespace().collect();
    assert_eq!(words[0], "driver:tmp105", "{stdout}");
    let bytes = |w: &str| w.trim_start_matches('+').parse::<i64>().unwrap_or_else(|_| panic!("{stdout}"));
    let (flash, ram) = (bytes(words[1]), bytes(words[3]));
    // Its own archive (the size report's row) and the services only it needs.
    assert!(flash > 600 && ram > 0, "{stdout}");
    assert!(rows[0].contains("also drops c-drivers, c-services"), "{stdout}");
    // The app's C of fixture `c-driver-services` uses the kernel services
    // the driver brought: the variant keeps them, and the row says so.
    let fixture = repo().join("bluegen/tests/fixtures/c-driver-services");
    let out = bluegen_images().args(["size", fixture.to_str().unwrap(), "--feature-cost", "--only", "driver:mbox"]).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let row = stdout.lines().find(|l| l.starts_with("driver:mbox ")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(row.contains("keeps c-services (the app's C uses it)") && !row.contains("not applicable"), "{stdout}");
    // Its C names <bluegen/driver.h>: kept from the start, no failed build first.
    assert!(!stderr.contains("error"), "{stderr}");
    assert!(bytes(row.split_whitespace().nth(1).unwrap()) > 200, "{stdout}");
}
