//! `Serial`: an NS16550 with interrupt-driven receive and polled transmit, on `embedded_io`.
//!
//! Receive: the receive-data interrupt (IER bit 0) moves bytes from RBR
//! into a ring of `N` bytes and gives a semaphore; [`embedded_io::Read`]
//! takes bytes from the ring and, when it is empty, blocks the calling
//! thread on that semaphore until the interrupt gives it. The interrupt is
//! level-triggered (it stays up while a byte waits), so when the ring is
//! full the handler masks it and leaves the byte in the UART, which holds
//! the sender back; the next read makes room and unmasks it. Transmit is
//! polled, byte by byte, as the console's [`crate::Uart`] does: that is
//! what lets the driver take the console's UART (the one UART of QEMU's
//! virt machine), the two writers sharing the transmitter a byte at a time.
//!
//! ```text
//! static SERIAL: Serial = Serial::new(bluegen_config::drivers::SERIAL);
//! pub fn on_serial() { SERIAL.on_interrupt() }   // [interrupts.<name>] source = "uart0"
//! (&SERIAL).read(&mut buf)
//! ```

use bluegen_config::{Peripheral, kind::UartNs16550};
use bluegen_kernel::port::{CriticalSection, Ring, critical};
use bluegen_kernel::{Semaphore, Timeout};
use core::convert::Infallible;

use super::{IER, LSR, Uart};

/// RBR: the received byte (read), at THR's offset.
const RBR: usize = 0;
/// IER bit 0: interrupt when a received byte waits.
const IER_RX: u8 = 1 << 0;
/// LSR bit 0: a received byte waits in RBR.
const LSR_DATA: u8 = 1 << 0;

/// An NS16550 whose receive is interrupt-driven, with an `N`-byte ring.
pub struct Serial<const N: usize = 64> {
    /// Its registers, through the crate's console type.
    uart: Uart,
    rx: Ring<u8, N>,
    /// Given by the interrupt: bytes may wait in `rx`.
    rx_ready: Semaphore<1>,
}

impl<const N: usize> Serial<N> {
    /// The driver of the UART device.toml's `[drivers.<name>]` gave
    /// `peripheral` (`bluegen_config::drivers::<NAME>`). Its receive
    /// interrupt is enabled at the first read.
    #[must_use]
    pub const fn new(peripheral: Peripheral<UartNs16550>) -> Self {
        // SAFETY: a `Peripheral<UartNs16550>` only bluegen_config makes, from
        // the board's [peripherals] entry of an NS16550 that device.toml gave
        // this driver; with the console sharing it, both only do what
        // `Uart::new`'s contract allows the two (see there).
        Self { uart: unsafe { Uart::new(peripheral.base()) }, rx: Ring::new(), rx_ready: Semaphore::new(0) }
    }

    /// The handler's half: moves received bytes into the ring (masking the
    /// interrupt when it is full) and wakes the waiting reader. Call it
    /// from the handler of the UART's interrupt.
    pub fn on_interrupt(&self) {
        critical(|cs| self.pump(cs, false));
        let _ = self.rx_ready.give();
    }

    /// Moves waiting bytes into `rx` while it has room; leaves the receive
    /// interrupt on only when the ring has room for the next byte.
    fn pump(&self, cs: CriticalSection<'_>, unmask: bool) {
        while self.rx.len() < N && self.uart.read_reg(LSR) & LSR_DATA != 0 {
            let _ = self.rx.push(cs, self.uart.read_reg(RBR));
        }
        if self.rx.len() == N {
            self.uart.write_reg(IER, 0);
        } else if unmask {
            self.uart.write_reg(IER, IER_RX);
        }
    }

    /// Reads into `buf`, blocking until at least one byte has arrived.
    fn read_bytes(&self, buf: &mut [u8]) -> usize {
        if buf.is_empty() {
            return 0;
        }
        loop {
            let n = critical(|cs| {
                // First what waits in the UART: a byte that came before the
                // interrupt was on (or while the ring was full) raises no
                // interrupt once it is in the ring, so it must be read now.
                self.pump(cs, true);
                let mut n = 0;
                while let Some(slot) = buf.get_mut(n) {
                    match self.rx.pop(cs) {
                        Some(b) => *slot = b,
                        None => break,
                    }
                    n += 1;
                }
                // Room again: take a byte the full ring left in the UART,
                // and (re-)enable the interrupt.
                self.pump(cs, true);
                n
            });
            if n > 0 {
                return n;
            }
            let _ = self.rx_ready.take(Timeout::FOREVER);
        }
    }

    /// Sends `buf`, polled, waiting for the transmit register before each
    /// byte (a byte at a time with the console, which may share the UART).
    fn write_bytes(&self, buf: &[u8]) {
        for byte in buf {
            critical(|_| self.uart.write(core::slice::from_ref(byte)));
        }
    }
}

impl<const N: usize> embedded_io::ErrorType for &Serial<N> {
    type Error = Infallible;
}

impl<const N: usize> embedded_io::Read for &Serial<N> {
    /// Blocks until at least one byte has arrived; returns how many it read.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        Ok(self.read_bytes(buf))
    }

    /// As the trait's, without its slicing panic path (and `core::fmt`).
    fn read_exact(&mut self, mut buf: &mut [u8]) -> Result<(), embedded_io::ReadExactError<Infallible>> {
        while !buf.is_empty() {
            let n = self.read_bytes(buf);
            buf = match buf.get_mut(n..) {
                Some(rest) => rest,
                None => break,
            };
        }
        Ok(())
    }
}

impl<const N: usize> embedded_io::ReadReady for &Serial<N> {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(self.rx.len() > 0)
    }
}

impl<const N: usize> embedded_io::Write for &Serial<N> {
    /// Sends all of `buf`, polled.
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        self.write_bytes(buf);
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> Result<(), Infallible> {
        self.write_bytes(buf);
        Ok(())
    }

    /// Every byte is in the transmitter when `write` returns.
    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}
