//! `embedded_hal::i2c::I2c` master on the Arm SBCon two-wire controller, bit-banged.
//!
//! The SBCon of Arm's MPS2 boards is not an I2C engine but two open-drain
//! lines under software control (QEMU 7.2: `hw/i2c/arm_sbcon_i2c.c`, four
//! of them on mps2, at 0x4002_2000, 0x4002_3000, 0x4002_9000 and
//! 0x4002_a000): writing a 1 to CONTROLS (+0x0) releases SCL (bit 0) or SDA
//! (bit 1), writing it to CONTROLC (+0x4) pulls the line low, and reading
//! CONTROL (+0x0) gives the lines' levels (SDA as the bus has it: a device
//! pulls it low to acknowledge or send a 0). [`I2c`] drives the I2C
//! protocol on them: start, 7-bit address and direction, bytes with their
//! acknowledge bits, repeated start between a write and a read, stop — the
//! transaction semantics of embedded-hal 1.0, so crates.io sensor drivers
//! (lm75, say) work on it unchanged. The controller has no interrupt, so
//! the driver polls; each half clock period spins [`HALF_PERIOD_SPINS`]
//! times, about 100 kHz on a 25 MHz core.
//!
//! ```text
//! let i2c = I2c::new(bluegen_config::drivers::SENSORS);
//! let mut sensor = lm75::Lm75::new(i2c, lm75::Address::default());
//! ```

#![no_std]

use bluegen_config::{Peripheral, kind::I2cSbcon};
use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource, Operation, SevenBitAddress};

/// CONTROL (read: line levels) and CONTROLS (write: release lines).
const CONTROL_SET: usize = 0x0;
/// CONTROLC (write: pull lines low).
const CONTROL_CLEAR: usize = 0x4;
const SCL: u32 = 1 << 0;
const SDA: u32 = 1 << 1;
/// Spins per half clock period.
pub const HALF_PERIOD_SPINS: u32 = 32;

/// What can go wrong on the bus: nobody acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// No device answered its address, or a device refused a data byte.
    NoAcknowledge(NoAcknowledgeSource),
}

impl embedded_hal::i2c::Error for Error {
    fn kind(&self) -> ErrorKind {
        match *self {
            Error::NoAcknowledge(source) => ErrorKind::NoAcknowledge(source),
        }
    }
}

/// An I2C bus master on one SBCon controller.
pub struct I2c {
    base: usize,
}

impl I2c {
    /// The master of the bus device.toml's `[drivers.<name>]` gave
    /// `peripheral` (`bluegen_config::drivers::<NAME>`); both lines start
    /// released (idle).
    #[must_use]
    pub fn new(peripheral: Peripheral<I2cSbcon>) -> Self {
        let bus = Self { base: peripheral.base() };
        bus.release(SCL | SDA);
        bus
    }

    fn wait(&self) {
        for _ in 0..HALF_PERIOD_SPINS {
            core::hint::spin_loop();
        }
    }

    fn release(&self, lines: u32) {
        self.write_reg(CONTROL_SET, lines);
        self.wait();
    }

    fn pull(&self, lines: u32) {
        self.write_reg(CONTROL_CLEAR, lines);
        self.wait();
    }

    /// Start (or repeated start): SDA falls while SCL is high.
    fn start(&self) {
        self.release(SDA);
        self.release(SCL);
        self.pull(SDA);
        self.pull(SCL);
    }

    /// Stop: SDA rises while SCL is high.
    fn stop(&self) {
        self.pull(SDA);
        self.release(SCL);
        self.release(SDA);
    }

    /// One bit out: SDA set while SCL is low, then a clock pulse.
    fn bit_out(&self, one: bool) {
        if one { self.release(SDA) } else { self.pull(SDA) }
        self.release(SCL);
        self.pull(SCL);
    }

    /// One bit in: SDA released, sampled while SCL is high.
    fn bit_in(&self) -> bool {
        self.release(SDA);
        self.release(SCL);
        let one = self.read_reg(CONTROL_SET) & SDA != 0;
        self.pull(SCL);
        one
    }

    /// Sends `byte`, most significant bit first; whether it was acknowledged.
    fn byte_out(&self, byte: u8) -> bool {
        for bit in (0..8).rev() {
            self.bit_out(byte & (1 << bit) != 0);
        }
        !self.bit_in()
    }

    /// Receives a byte and acknowledges it, or not (the last of a read).
    fn byte_in(&self, ack: bool) -> u8 {
        let mut byte = 0u8;
        for _ in 0..8 {
            byte = (byte << 1) | u8::from(self.bit_in());
        }
        self.bit_out(!ack);
        byte
    }

    fn read_reg(&self, offset: usize) -> u32 {
        // SAFETY: `base` comes from a `Peripheral<I2cSbcon>`, which only
        // bluegen_config makes, from the board's [peripherals] entry of an
        // SBCon controller that device.toml gave this driver: `base +
        // offset` is one of its aligned MMIO registers.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u32) }
    }

    fn write_reg(&self, offset: usize, value: u32) {
        // SAFETY: as in `read_reg`; CONTROLS and CONTROLC only move the
        // controller's two bus lines.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }
}

impl Primitives for I2c {
    fn start(&self) {
        I2c::start(self);
    }

    fn byte_out(&self, byte: u8) -> bool {
        I2c::byte_out(self, byte)
    }

    fn byte_in(&self, ack: bool) -> u8 {
        I2c::byte_in(self, ack)
    }
}

/// The primitives of a bit-banged I2C master, on which [`run`] drives a
/// transaction: this crate's SBCon [`I2c`], or another master's (the C
/// driver of examples/c-driver exports its own).
pub trait Primitives {
    /// A start, or a repeated start.
    fn start(&self);
    /// Sends `byte`; whether the receiver acknowledged it.
    fn byte_out(&self, byte: u8) -> bool;
    /// Receives a byte, acknowledging it when `ack`.
    fn byte_in(&self, ack: bool) -> u8;
}

/// The operations as one transaction with embedded-hal 1.0's semantics,
/// without the final stop: a (repeated) start and the address where the
/// direction changes, a read's last byte not acknowledged before a stop
/// or a repeated start. The first byte nobody acknowledged ends it.
pub fn run(lines: &impl Primitives, address: u8, operations: &mut [Operation<'_>]) -> Result<(), NoAcknowledgeSource> {
    let mut last_read: Option<bool> = None;
    let count = operations.len();
    for i in 0..count {
        let reading = matches!(operations[i], Operation::Read(_));
        if last_read != Some(reading) {
            lines.start();
            if !lines.byte_out((address << 1) | u8::from(reading)) {
                return Err(NoAcknowledgeSource::Address);
            }
            last_read = Some(reading);
        }
        let ends_group = i + 1 == count || matches!(operations[i + 1], Operation::Read(_)) != reading;
        match &mut operations[i] {
            Operation::Read(buf) => {
                let n = buf.len();
                for (j, b) in buf.iter_mut().enumerate() {
                    *b = lines.byte_in(!(ends_group && j + 1 == n));
                }
            }
            Operation::Write(bytes) => {
                for &b in bytes.iter() {
                    if !lines.byte_out(b) {
                        return Err(NoAcknowledgeSource::Data);
                    }
                }
            }
        }
    }
    Ok(())
}

impl embedded_hal::i2c::ErrorType for I2c {
    type Error = Error;
}

impl embedded_hal::i2c::I2c<SevenBitAddress> for I2c {
    /// Start, then each operation (a repeated start and the address again
    /// where the direction changes), then stop, also after a failure.
    fn transaction(&mut self, address: SevenBitAddress, operations: &mut [Operation<'_>]) -> Result<(), Error> {
        if operations.is_empty() {
            return Ok(());
        }
        let result = run(self, address, operations).map_err(Error::NoAcknowledge);
        self.stop();
        result
    }
}
