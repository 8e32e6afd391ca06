//! Thread switch cost: semaphore ping-pong between two threads.
//!
//! `main` gives PING, which wakes the higher-priority `peer` (switch 1);
//! `peer` gives PONG and blocks on PING again (switch 2). Each round is two
//! switches including the semaphore calls: the figure is the whole
//! give + take + switch path. The app prints
//! `BENCH context_switch_instructions=<counter units>/<switches>`;
//! `bluegen bench` runs it under QEMU `-icount` and divides by the board's
//! counter units per instruction.
#![no_std]

use bluegen_kernel::{Semaphore, Timeout, console, counter, exit};

const ROUNDS: u32 = 1000;
static PING: Semaphore = Semaphore::new(0);
static PONG: Semaphore = Semaphore::new(0);

pub fn main() {
    let start = counter();
    for _ in 0..ROUNDS {
        let _ = PING.give();
        let _ = PONG.take(Timeout::FOREVER);
    }
    let units = counter() - start;
    console::write_str("BENCH context_switch_instructions=");
    console::write_u32(units as u32);
    console::write_str("/");
    console::write_u32(2 * ROUNDS);
    console::write_str("\n");
    exit(0);
}

pub fn peer() {
    loop {
        let _ = PING.take(Timeout::FOREVER);
        let _ = PONG.give();
    }
}
