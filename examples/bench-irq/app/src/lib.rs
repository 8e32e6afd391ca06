//! Interrupt latency: a thread pends a software interrupt whose handler
//! wakes a higher-priority thread.
//!
//! `main` reads the counter and pends `[interrupts.soft]`; `on_soft` reads
//! it first thing (pend to handler entry), then gives WAKE, which `peer`,
//! the higher priority, waits on; `peer` reads the counter as its take
//! returns (pend to the woken thread: the handler's give, its return and
//! the switch). Each figure includes one counter read. The app prints
//! `BENCH irq_pend_to_handler_instructions=<counter units>/<rounds>` and
//! `BENCH irq_pend_to_thread_instructions=…`; `bluegen bench` runs it
//! under QEMU `-icount` and divides by the board's counter units per
//! instruction. (32-bit sums: at most a few hundred instructions a round.)
#![no_std]

use bluegen_kernel::{Semaphore, Timeout, console, counter, exit, irq, port};
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

const ROUNDS: u32 = 1000;
static WAKE: Semaphore = Semaphore::new(0);
static PENDED: AtomicU32 = AtomicU32::new(0);
static TO_HANDLER: AtomicU32 = AtomicU32::new(0);
static TO_THREAD: AtomicU32 = AtomicU32::new(0);

pub fn on_soft() {
    let now = counter() as u32;
    TO_HANDLER.store(TO_HANDLER.load(Relaxed).wrapping_add(now.wrapping_sub(PENDED.load(Relaxed))), Relaxed);
    let _ = WAKE.give();
}

pub fn peer() {
    loop {
        let _ = WAKE.take(Timeout::FOREVER);
        let now = counter() as u32;
        TO_THREAD.store(TO_THREAD.load(Relaxed).wrapping_add(now.wrapping_sub(PENDED.load(Relaxed))), Relaxed);
    }
}

fn report(metric: &str, units: u32) {
    console::write_str("BENCH ");
    console::write_str(metric);
    console::write_str("=");
    console::write_u32(units);
    console::write_str("/");
    console::write_u32(ROUNDS);
    console::write_str("\n");
}

pub fn main() {
    for _ in 0..ROUNDS {
        PENDED.store(counter() as u32, Relaxed);
        if !port::pend_irq(irq::SOFT) {
            console::write_str("pend_irq refused FAILED\n");
            exit(1);
        }
    }
    report("irq_pend_to_handler_instructions", TO_HANDLER.load(Relaxed));
    report("irq_pend_to_thread_instructions", TO_THREAD.load(Relaxed));
    exit(0);
}
