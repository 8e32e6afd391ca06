//! Message round trip cost through two queues.
//!
//! `main` sends a word to the higher-priority `peer` through one queue,
//! `peer` sends it back, plus one, through another; a round trip is two
//! sends, two receives and two thread switches. The app prints
//! `BENCH queue_roundtrip_instructions=<counter units>/<round trips>`;
//! `bluegen bench` runs it under QEMU `-icount` and divides by the board's
//! counter units per instruction.
#![no_std]

use bluegen_kernel::{Queue, Timeout, console, counter, exit};

const ROUNDS: u32 = 1000;
static TO: Queue<u32, 4> = Queue::new();
static BACK: Queue<u32, 4> = Queue::new();

pub fn main() {
    let start = counter();
    let mut x = 0;
    for _ in 0..ROUNDS {
        let _ = TO.send(x, Timeout::FOREVER);
        x = BACK.recv(Timeout::FOREVER).unwrap_or(0);
    }
    let units = counter() - start;
    if x != ROUNDS {
        console::write_str("queue lost messages\n");
        exit(1);
    }
    console::write_str("BENCH queue_roundtrip_instructions=");
    console::write_u32(units as u32);
    console::write_str("/");
    console::write_u32(ROUNDS);
    console::write_str("\n");
    exit(0);
}

pub fn peer() {
    loop {
        let v = TO.recv(Timeout::FOREVER).unwrap_or(0);
        let _ = BACK.send(v + 1, Timeout::FOREVER);
    }
}
