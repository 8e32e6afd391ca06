//! Isolation's cost: an unprivileged switch, and a kernel call with and without privilege.
//!
//! `main` and `peer` run unprivileged: `main` gives PING, which wakes the
//! higher-priority `peer` (switch 1); `peer` gives PONG and blocks on PING
//! again (switch 2), as in bench-switch, so each switch includes the SVC
//! raise and lower of its semaphore calls and the MPU or PMP writes of the
//! next thread's regions. Then `main` makes `CALLS` of the cheapest kernel
//! call (`Semaphore::count`, whose body is one load) and wakes `host`,
//! privileged, which makes the same calls: the difference is what the
//! raise to privilege costs. The app prints
//! `BENCH isolated_switch_instructions=<counter units>/<switches>`,
//! `BENCH unprivileged_kernel_call_instructions=<units>/<calls>` and
//! `BENCH privileged_kernel_call_instructions=<units>/<calls>`; `bluegen
//! bench` runs it under QEMU `-icount`. Without isolation (bench.toml's
//! `feature-cost`) every thread is privileged and the same code runs.
#![no_std]

use bluegen_kernel::{Semaphore, Timeout, console, counter, exit};

const ROUNDS: u32 = 1000;
const CALLS: u32 = 1000;
static PING: Semaphore = Semaphore::new(0);
static PONG: Semaphore = Semaphore::new(0);
/// Given by `main` when its figures are out: `host`'s turn.
static DONE: Semaphore = Semaphore::new(0);

fn bench(metric: &str, units: u64, count: u32) {
    console::write_str("BENCH ");
    console::write_str(metric);
    console::write_str("=");
    console::write_u32(units as u32);
    console::write_str("/");
    console::write_u32(count);
    console::write_str("\n");
}

/// `CALLS` kernel calls (the counter reads around them are two more).
fn calls() -> u64 {
    let start = counter();
    for _ in 0..CALLS {
        core::hint::black_box(PING.count());
    }
    counter() - start
}

pub fn main() {
    let start = counter();
    for _ in 0..ROUNDS {
        let _ = PING.give();
        let _ = PONG.take(Timeout::FOREVER);
    }
    let units = counter() - start;
    bench("isolated_switch_instructions", units, 2 * ROUNDS);
    bench("unprivileged_kernel_call_instructions", calls(), CALLS);
    let _ = DONE.give();
}

pub fn peer() {
    loop {
        let _ = PING.take(Timeout::FOREVER);
        let _ = PONG.give();
    }
}

pub fn host() {
    let _ = DONE.take(Timeout::FOREVER);
    bench("privileged_kernel_call_instructions", calls(), CALLS);
    exit(0);
}
