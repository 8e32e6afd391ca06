//! `bluegen bench` refuses what it cannot measure, before building anything.

use std::path::Path;

use assert_cmd::Command;

/// Runs bluegen; returns (exit code, stdout, stderr) with the kernel root
/// replaced by `[ROOT]`.
fn bluegen(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("bluegen").unwrap().args(args).output().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().display().to_string();
    let clean = |b: &[u8]| String::from_utf8_lossy(b).replace(&root, "[ROOT]");
    (out.status.code().unwrap_or(-1), clean(&out.stdout), clean(&out.stderr))
}

#[test]
fn unknown_example_is_an_error_listing_the_known_ones() {
    let (code, out, err) = bluegen(&["bench", "--no-timings", "--example", "nosuch"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(out, "");
    insta::assert_snapshot!(err, @r"
    error: unknown example `nosuch`
      = key: --example
      = value: nosuch
      = why: there is no [ROOT]/examples/nosuch/device.toml
      = note: known examples: bench-fs, bench-irq, bench-isolation, bench-models, bench-posix, bench-queue, bench-switch, c-driver, c-hello, datalog, gesture, hello, keyword-spotting, microbit-v2, nrf52840-dk, posix-c, rpi4, standard, stm32f4-discovery, temperature, thread-metric/basic, thread-metric/cooperative, thread-metric/interrupt, thread-metric/interrupt-preemption, thread-metric/memory, thread-metric/message, thread-metric/preemptive, thread-metric/synchronization
      = hint: pass one of the known examples to --example, or leave --example out for all
    ");
}

#[test]
fn every_unknown_example_and_board_in_one_run_closest_first() {
    let (code, _, err) = bluegen(&["bench", "--example", "helo", "--example", "hello", "--board", "qemu-virt-rv23"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(err, @r"
    error: unknown example `helo`
      = key: --example
      = value: helo
      = why: there is no [ROOT]/examples/helo/device.toml
      = note: known examples: bench-fs, bench-irq, bench-isolation, bench-models, bench-posix, bench-queue, bench-switch, c-driver, c-hello, datalog, gesture, hello, keyword-spotting, microbit-v2, nrf52840-dk, posix-c, rpi4, standard, stm32f4-discovery, temperature, thread-metric/basic, thread-metric/cooperative, thread-metric/interrupt, thread-metric/interrupt-preemption, thread-metric/memory, thread-metric/message, thread-metric/preemptive, thread-metric/synchronization
      = hint: did you mean `hello`?

    error: unknown board `qemu-virt-rv23`
      = key: --board
      = value: qemu-virt-rv23
      = why: there is no [ROOT]/boards/qemu-virt-rv23.toml
      = note: known boards: microbit-v2, nrf52840-dk, qemu-microbit, qemu-mps2-an385, qemu-mps2-an386, qemu-mps2-an505, qemu-virt-aarch64, qemu-virt-aarch64-gicv2, qemu-virt-rv32, qemu-virt-rv64, rpi4, stm32f4-discovery
      = hint: did you mean `qemu-virt-rv32`?
    ");
}

#[test]
fn a_selection_that_measures_nothing_is_an_error() {
    let (code, out, err) = bluegen(&["bench", "--no-timings", "--example", "microbit-v2", "--board", "qemu-virt-rv32"]);
    assert_eq!(code, 1, "{out}{err}");
    insta::assert_snapshot!(err, @r"
    error: nothing to measure
      = why: hardware examples are measured on their own board only (and examples with a bench.toml on its `boards`), which --board qemu-virt-rv32 leaves out: microbit-v2 (on microbit-v2)
      = hint: add one of those boards with --board, or drop --board
    ");
}

/// An example whose bench.toml names its boards (Thread-Metric: mps2-an385
/// and virt RV32) is measured nowhere else.
#[test]
fn an_example_is_measured_only_on_its_bench_toml_boards() {
    let (code, out, err) = bluegen(&["bench", "--no-timings", "--example", "thread-metric/basic", "--board", "qemu-mps2-an386"]);
    assert_eq!(code, 1, "{out}{err}");
    insta::assert_snapshot!(err, @r"
    error: nothing to measure
      = why: hardware examples are measured on their own board only (and examples with a bench.toml on its `boards`), which --board qemu-mps2-an386 leaves out: thread-metric/basic (on qemu-mps2-an385, qemu-virt-rv32, qemu-virt-aarch64)
      = hint: add one of those boards with --board, or drop --board
    ");
}

#[test]
fn a_path_instead_of_a_name_gets_the_name() {
    let (code, _, err) = bluegen(&["bench", "--example", "examples/hello", "--board", "boards/qemu-virt-rv32.toml"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("= hint: did you mean `hello`? (--example takes a name, not a path)"), "{err}");
    assert!(err.contains("= hint: did you mean `qemu-virt-rv32`? (--board takes a name, not a path)"), "{err}");
}
