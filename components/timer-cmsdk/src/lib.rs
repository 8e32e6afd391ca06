//! Interrupt-driven `embedded_hal::delay::DelayNs` on the Arm CMSDK APB timer.
//!
//! The 32-bit down-counting timer of Arm's Cortex-M System Design Kit
//! (QEMU's mps2 boards: timer0 at 0x4000_0000, IRQ 8; timer1 at
//! 0x4000_1000, IRQ 9), clocked by the peripheral clock the board data
//! gives (25 MHz; the driver counts whole cycles per microsecond, so the
//! clock is taken in whole MHz). [`Delay`] loads the count a delay takes, enables the
//! timer's interrupt and blocks the calling thread on a semaphore; the
//! interrupt handler ([`Delay::on_interrupt`], which the app calls from the
//! handler it names in `[interrupts.<name>]`) stops the timer and gives
//! it. Other threads run meanwhile. One delay at a time: a second thread
//! waits for the first's to end.
//!
//! ```text
//! static DELAY: Delay = Delay::new(bluegen_config::drivers::DELAY);
//! pub fn on_delay() { DELAY.on_interrupt() }
//! (&DELAY).delay_us(500);
//! ```
//!
//! Registers (offsets from the base): CTRL +0x0 (bit 0 enable, bit 3
//! interrupt enable), VALUE +0x4, RELOAD +0x8, INTSTATUS/INTCLEAR +0xc.

#![no_std]

use bluegen_config::{Peripheral, kind::TimerCmsdk};
use bluegen_kernel::{Semaphore, Timeout};

const CTRL: usize = 0x0;
const VALUE: usize = 0x4;
const RELOAD: usize = 0x8;
const INTCLEAR: usize = 0xc;
/// CTRL: count, and interrupt at zero.
const CTRL_RUN: u32 = (1 << 0) | (1 << 3);

/// A CMSDK timer as a blocking delay.
pub struct Delay {
    base: usize,
    /// Timer cycles per microsecond: the clock in whole MHz (25 on mps2),
    /// so that no delay needs a 64-bit division.
    per_us: u32,
    /// Given by the interrupt: the delay in progress ended.
    done: Semaphore<1>,
    /// Held by the thread whose delay runs.
    free: Semaphore<1>,
}

impl Delay {
    /// The driver of the timer device.toml's `[drivers.<name>]` gave
    /// `peripheral` (`bluegen_config::drivers::<NAME>`).
    #[must_use]
    pub const fn new(peripheral: Peripheral<TimerCmsdk>) -> Self {
        Self { base: peripheral.base(), per_us: peripheral.clock_hz() / 1_000_000, done: Semaphore::new(0), free: Semaphore::new(1) }
    }

    /// The handler's half: stops the timer, clears its interrupt and wakes
    /// the delayed thread. Call it from the handler of the timer's IRQ.
    pub fn on_interrupt(&self) {
        self.write_reg(CTRL, 0);
        self.write_reg(INTCLEAR, 1);
        let _ = self.done.give();
    }


    /// Blocks the calling thread for `cycles` timer cycles (at least), in
    /// runs of at most 2^32 - 1.
    fn wait(&self, mut cycles: u64) {
        if cycles == 0 {
            return;
        }
        let _ = self.free.take(Timeout::FOREVER);
        while cycles > 0 {
            let run = cycles.min(u64::from(u32::MAX)) as u32;
            cycles -= u64::from(run);
            self.write_reg(CTRL, 0);
            self.write_reg(RELOAD, run);
            self.write_reg(VALUE, run);
            self.write_reg(INTCLEAR, 1);
            self.write_reg(CTRL, CTRL_RUN);
            let _ = self.done.take(Timeout::FOREVER);
        }
        let _ = self.free.give();
    }

    fn write_reg(&self, offset: usize, value: u32) {
        // SAFETY: `base` comes from a `Peripheral<TimerCmsdk>`, which only
        // bluegen_config makes, from the board's [peripherals] entry of a
        // CMSDK timer that device.toml gave this driver: `base + offset`
        // is one of that timer's aligned MMIO registers, and writing it
        // changes only the timer's own state.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }
}

/// `&Delay`, because the driver is a `static` (DelayNs takes `&mut self`).
impl embedded_hal::delay::DelayNs for &Delay {
    fn delay_ns(&mut self, ns: u32) {
        // Whole microseconds, then the rest rounded up: u32 arithmetic.
        let rest = (ns % 1_000 * self.per_us).div_ceil(1_000);
        self.wait(u64::from(ns / 1_000) * u64::from(self.per_us) + u64::from(rest));
    }

    fn delay_us(&mut self, us: u32) {
        self.wait(u64::from(us) * u64::from(self.per_us));
    }

    fn delay_ms(&mut self, ms: u32) {
        self.wait(u64::from(ms) * 1_000 * u64::from(self.per_us));
    }
}
