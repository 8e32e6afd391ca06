//! Rust bindings of the C TMP105 driver (`drivers/tmp105/tmp105.h`, `sbcon.h`).
//!
//! The driver crate of the C code: the one place that calls it, so that
//! the app stays free of `unsafe`. The image links the C driver's archive
//! (device.toml's `[drivers.tmp105]`), which defines the functions below.
//!
//! Two ways in: [`read_millicelsius`], the C driver's own reading, and
//! [`Bus`], the C bit-banged SBCon bus the sensor sits on as an
//! `embedded_hal::i2c::I2c`, so that any embedded-hal 1.0 driver (or the
//! app) can talk to the devices on it. Both serialise on the C driver's
//! kernel mutex, so a Rust transfer never interleaves with a C one.
//!
//! ```text
//! let mut bus = tmp105::Bus::new();
//! let mut raw = [0u8; 2];
//! embedded_hal::i2c::I2c::write_read(&mut bus, 0x48, &[0], &mut raw)?;
//! ```

#![no_std]

use core::ffi::c_int;

use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource, Operation, SevenBitAddress};

/// The C functions, as bindgen reads them from tmp105.h and sbcon.h
/// (build.rs): `tmp105_read`, `tmp105_bus_lock`/`unlock`/`base`, and the
/// bus primitives `sbcon_start`, `sbcon_stop`, `sbcon_byte_out`,
/// `sbcon_byte_in`.
#[allow(non_camel_case_types, dead_code)]
mod ffi {
    include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
}

use ffi::{sbcon_byte_in, sbcon_byte_out, sbcon_start, sbcon_stop, tmp105_bus_base, tmp105_bus_lock, tmp105_bus_unlock, tmp105_read};

/// The sensor did not answer: the driver's negative error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoAnswer(pub i32);

/// The temperature, in thousandths of a degree Celsius.
pub fn read_millicelsius() -> Result<i32, NoAnswer> {
    let mut milli = 0i32;
    // SAFETY: tmp105_read writes one int32_t through its pointer, here a
    // live local, and keeps no reference to it; it serialises the bus
    // with a kernel mutex, so any thread may call it.
    let r = unsafe { tmp105_read(&mut milli) };
    if r == 0 { Ok(milli) } else { Err(NoAnswer(r)) }
}

/// What can go wrong on [`Bus`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusError {
    /// No device answered its address, or a device refused a data byte.
    NoAcknowledge(NoAcknowledgeSource),
    /// The bus's kernel mutex could not be taken: the driver's negative
    /// error (`BG_EPERM` from an interrupt handler, say).
    Lock(i32),
}

impl embedded_hal::i2c::Error for BusError {
    fn kind(&self) -> ErrorKind {
        match *self {
            BusError::NoAcknowledge(source) => ErrorKind::NoAcknowledge(source),
            BusError::Lock(_) => ErrorKind::Other,
        }
    }
}

/// The C driver's SBCon bus as an embedded-hal 1.0 I2C master: each
/// transaction holds the driver's bus mutex, and runs on the C driver's
/// bit-banging primitives (`sbcon_*`). Any number may exist: the mutex
/// serialises them, and the C driver's own reads.
#[derive(Debug, Default)]
pub struct Bus {
    _private: (),
}

impl Bus {
    /// The bus of the C driver's peripheral (device.toml's `[drivers.tmp105] peripheral`).
    #[must_use]
    pub fn new() -> Self {
        Bus { _private: () }
    }
}

/// The C primitives on the controller at `base`, under the bus mutex.
struct Locked {
    base: usize,
}

impl bluegen_i2c_sbcon::Primitives for Locked {
    fn start(&self) {
        // SAFETY: `base` is the C driver's controller (tmp105_bus_base);
        // sbcon_start only writes its two line registers, and the caller
        // holds the bus mutex, so no other transfer runs meanwhile.
        unsafe { sbcon_start(self.base) }
    }

    fn byte_out(&self, byte: u8) -> bool {
        // SAFETY: as in `start`; the byte is passed by value.
        unsafe { sbcon_byte_out(self.base, byte) != 0 }
    }

    fn byte_in(&self, ack: bool) -> u8 {
        // SAFETY: as in `start`; the byte comes back by value.
        unsafe { sbcon_byte_in(self.base, c_int::from(ack)) }
    }
}

impl Locked {
    fn stop(&self) {
        // SAFETY: as in `start` of `Primitives`: the controller's line
        // registers, under the bus mutex.
        unsafe { sbcon_stop(self.base) }
    }
}

impl Drop for Locked {
    fn drop(&mut self) {
        // SAFETY: a `Locked` exists only after tmp105_bus_lock succeeded
        // (see `transaction`), so this thread holds the mutex it gives back.
        unsafe { tmp105_bus_unlock() }
    }
}

impl embedded_hal::i2c::ErrorType for Bus {
    type Error = BusError;
}

impl embedded_hal::i2c::I2c<SevenBitAddress> for Bus {
    /// Takes the bus, runs the operations (start, then a repeated start
    /// where the direction changes), stops (also after a failure) and
    /// gives the bus back.
    fn transaction(&mut self, address: SevenBitAddress, operations: &mut [Operation<'_>]) -> Result<(), BusError> {
        if operations.is_empty() {
            return Ok(());
        }
        // SAFETY: tmp105_bus_lock takes the driver's kernel mutex (it waits;
        // from a handler it returns an error instead) and follows no pointer.
        let r = unsafe { tmp105_bus_lock() };
        if r != 0 {
            return Err(BusError::Lock(r));
        }
        // SAFETY: tmp105_bus_base returns a constant (TMP105_BASE) and
        // follows no pointer.
        let locked = Locked { base: unsafe { tmp105_bus_base() } };
        let result = bluegen_i2c_sbcon::run(&locked, address, operations).map_err(BusError::NoAcknowledge);
        locked.stop();
        result
    }
}
