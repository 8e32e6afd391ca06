//! Thread-Metric, the public RTOS benchmark suite, on the bluegen kernel.
//!
//! One module per test, each the threads (and interrupt handler) of one
//! device of `examples/thread-metric/<test>/device.toml`, written from the
//! suite's public description: the same threads, priorities, kernel calls
//! and checks. Thread-Metric numbers priorities 1 (highest) to 31; a
//! device.toml priority is `32 - ` that (its reporting thread, 2, is 30;
//! a test thread at 10 is 22). Every test has the same reporting thread
//! ([`run_report`]): the highest priority, it sleeps one period of 200 ticks (2
//! seconds at the 100 Hz tick), then reads the test's counters, prints the
//! period's count and the test's checks; a failed check ends the run with
//! status 1. After [`WARMUP`] + [`STEADY`] periods it prints
//! `BENCH thread_metric_<test>=<count of the steady periods>/<STEADY>` for
//! `bluegen bench` and ends the run with status 0.
//!
//! The counters are atomics read and written with plain loads and stores
//! (what `counter++` on a C `volatile` compiles to), never read-modify-write
//! instructions.
#![no_std]
#![forbid(unsafe_code)]

pub mod basic;
pub mod cooperative;
pub mod interrupt;
pub mod interrupt_preemption;
pub mod memory;
pub mod message;
pub mod preemptive;
pub mod synchronization;

use bluegen_kernel::{Duration, console, exit, sleep};
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// One reporting period: 200 ticks, 2 seconds at 100 Hz.
pub const PERIOD_TICKS: u32 = 200;
/// Periods before the measured ones (threads starting up).
pub const WARMUP: u32 = 1;
/// The measured periods.
pub const STEADY: u32 = 2;

/// The interrupt tests' `[interrupts.soft]`, `source = "soft0"`: NVIC IRQ 31
/// on Cortex-M, software interrupt 0 (after the PLIC's 96 sources) on
/// RISC-V, SGI 0 (after the GIC's 288 INTIDs) on AArch64. Written here
/// rather than `bluegen_kernel::irq::SOFT`, which only the images that
/// declare the interrupt have, and this crate is every test's app.
#[cfg(target_arch = "arm")]
pub(crate) const SOFT0: u16 = 31;
#[cfg(target_arch = "aarch64")]
pub(crate) const SOFT0: u16 = 288;
#[cfg(not(any(target_arch = "arm", target_arch = "aarch64")))]
pub(crate) const SOFT0: u16 = 96;

/// `counter++` on a shared counter: a load and a store.
#[inline(always)]
pub(crate) fn bump(c: &AtomicU32) {
    c.store(c.load(Relaxed).wrapping_add(1), Relaxed);
}

/// Whether every counter of `counters` lies within 1 of their average
/// (Thread-Metric's fairness check, on the counts since the start).
pub(crate) fn within_one_of_average(counters: &[u32]) -> bool {
    let total: u64 = counters.iter().map(|&c| u64::from(c)).sum();
    let average = total / counters.len().max(1) as u64;
    counters.iter().all(|&c| u64::from(c) + 1 >= average && u64::from(c) <= average + 1)
}

/// What the reporting thread reads at the end of a period.
pub(crate) struct Sample {
    /// The running total whose growth is the period's count.
    pub total: u32,
    /// The test's own check on the counters (true when the test has none).
    pub check: bool,
}

/// Ends the run after a failed check.
pub(crate) fn fail(what: &str) -> ! {
    console::write_str(what);
    console::write_str(" FAILED\n");
    exit(1)
}

fn check(what: &str, ok: bool) {
    if !ok {
        fail(what);
    }
    console::write_str("  ");
    console::write_str(what);
    console::write_str(" ok\n");
}

/// The reporting thread of test `test` (`thread_metric_<metric>` in the
/// `BENCH` line): [`WARMUP`] + [`STEADY`] periods, each a sleep of
/// [`PERIOD_TICKS`], then `sample` and the checks: the count went up (the
/// test's threads did not die), and `check_name` when given (the test's
/// own check, [`Sample::check`]). Never returns.
pub(crate) fn run_report(test: &str, metric: &str, check_name: Option<&str>, sample: fn() -> Sample) -> ! {
    let mut last = sample().total;
    let mut steady = 0u32;
    let mut started = bluegen_kernel::counter();
    for period in 1..=WARMUP + STEADY {
        sleep(Duration::from_ticks(PERIOD_TICKS));
        let s = sample();
        let now = bluegen_kernel::counter();
        let count = s.total.wrapping_sub(last);
        last = s.total;
        console::write_str("thread-metric ");
        console::write_str(test);
        console::write_str(" period ");
        console::write_u32(period);
        console::write_str(if period <= WARMUP { " (warm-up): " } else { ": " });
        console::write_u32(count);
        console::write_str(" ops, counter ");
        console::write_u32(now.wrapping_sub(started) as u32);
        console::write_str("\n");
        started = now;
        check("the count advanced", count > 0);
        if let Some(name) = check_name {
            check(name, s.check);
        }
        if period > WARMUP {
            steady = steady.wrapping_add(count);
        }
    }
    console::write_str("BENCH thread_metric_");
    console::write_str(metric);
    console::write_str("=");
    console::write_u32(steady);
    console::write_str("/");
    console::write_u32(STEADY);
    console::write_str("\n");
    exit(0)
}
