//! `embedded_storage::nor_flash::NorFlash` on a CFI parallel flash with the Intel/Sharp command set.
//!
//! QEMU's RISC-V `virt` machine has two such banks (QEMU 7.2
//! `hw/block/pflash_cfi01.c`, 32 MiB each in 256 KiB sectors, four bytes
//! wide); the board file gives where a bank sits, its size and its erase
//! sector (`[peripherals.pflash1] size`, `erase-size`). Reads come from the
//! array as from memory; a write is a command cycle per 32-bit word
//! (program setup 0x40, then the data), an erase is block erase 0x20
//! confirmed with 0xD0 at the sector (writes of 64 aligned bytes go
//! through the write buffer instead: 0xE8, the word count less one, the
//! words, 0xD0, which QEMU stores in one go), and the status register's ready bit
//! (0x80) with its error bits (0x10 program, 0x20 erase, 0x08 supply,
//! 0x02 locked) says how it went. After each command the bank goes back
//! to read-array mode (0xFF), so reads between commands see the data.
//!
//! ```text
//! let mut flash = bluegen_pflash_cfi01::Flash::<{ DISK.erase_size() }>::new(DISK).unwrap();
//! flash.erase(0, 256 * 1024)?;
//! flash.write(0, b"data")?;
//! ```

#![no_std]

use bluegen_config::{Peripheral, kind::PflashCfi01};
use embedded_storage::nor_flash::{ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash, check_erase, check_read, check_write};

const PROGRAM: u32 = 0x40;
const WRITE_BUFFER: u32 = 0xE8;
/// Bytes per write-buffer command: within QEMU's (and real parts')
/// buffer, and aligned, so one never crosses a buffer boundary.
const BUFFER: usize = 64;
const BLOCK_ERASE: u32 = 0x20;
const CONFIRM: u32 = 0xD0;
const CLEAR_STATUS: u32 = 0x50;
const READ_ARRAY: u32 = 0xFF;
const READY: u32 = 0x80;
/// Erase failed, program failed, supply out of range, block locked.
const FAILED: u32 = 0x20 | 0x10 | 0x08 | 0x02;
/// Status reads before a command counts as hung.
const POLLS: u32 = 1 << 24;

/// What can go wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// Not on a word (write) or sector (erase) boundary, or past the end.
    Bounds(NorFlashErrorKind),
    /// The flash reported a failed program or erase (or a locked block).
    Failed,
    /// The flash never became ready.
    Timeout,
}

impl NorFlashError for Error {
    fn kind(&self) -> NorFlashErrorKind {
        match *self {
            Error::Bounds(kind) => kind,
            Error::Failed | Error::Timeout => NorFlashErrorKind::Other,
        }
    }
}

/// A bank of CFI flash with erase sectors of `ERASE_SIZE` bytes.
pub struct Flash<const ERASE_SIZE: usize> {
    base: usize,
    size: usize,
}

impl<const ERASE_SIZE: usize> Flash<ERASE_SIZE> {
    /// The driver of the bank `flash`, or `None` when the board's erase
    /// sector is not `ERASE_SIZE` (or the bank is not whole sectors).
    pub const fn new(flash: Peripheral<PflashCfi01>) -> Option<Self> {
        let size = flash.size() as usize;
        if flash.erase_size() as usize != ERASE_SIZE || ERASE_SIZE == 0 || size % ERASE_SIZE != 0 {
            return None;
        }
        Some(Self { base: flash.base(), size })
    }

    fn put(&mut self, offset: usize, value: u32) {
        // SAFETY: `offset` is a word inside the bank (the callers check it
        // against `size`), and the bank is the board's flash peripheral,
        // whose address only its token, made by bluegen from the board
        // file, carries: a write there is a command to the flash, never to
        // memory Rust uses (two drivers of one bank would garble each
        // other's commands and data, not Rust's memory).
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }

    fn get(&self, offset: usize) -> u32 {
        // SAFETY: as in `put`: a word inside the bank's mapping.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u32) }
    }

    /// Waits for the command at `offset` to complete, returns to read-array
    /// mode, and says how it went.
    fn finish(&mut self, offset: usize) -> Result<(), Error> {
        let mut status = 0;
        let mut polls = 0;
        while status & READY == 0 {
            if polls == POLLS {
                self.put(offset, READ_ARRAY);
                return Err(Error::Timeout);
            }
            status = self.get(offset);
            polls += 1;
        }
        if status & FAILED != 0 {
            self.put(offset, CLEAR_STATUS);
            self.put(offset, READ_ARRAY);
            return Err(Error::Failed);
        }
        self.put(offset, READ_ARRAY);
        Ok(())
    }
}

impl<const ERASE_SIZE: usize> ErrorType for Flash<ERASE_SIZE> {
    type Error = Error;
}

impl<const ERASE_SIZE: usize> ReadNorFlash for Flash<ERASE_SIZE> {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Error> {
        check_read(self, offset, bytes.len()).map_err(Error::Bounds)?;
        let mut at = offset as usize;
        for byte in bytes.iter_mut() {
            *byte = self.get(at & !3).to_le_bytes()[at & 3];
            at += 1;
        }
        Ok(())
    }

    fn capacity(&self) -> usize {
        self.size
    }
}

impl<const ERASE_SIZE: usize> NorFlash for Flash<ERASE_SIZE> {
    const WRITE_SIZE: usize = 4;
    const ERASE_SIZE: usize = ERASE_SIZE;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), Error> {
        check_erase(self, from, to).map_err(Error::Bounds)?;
        for sector in (from as usize..to as usize).step_by(ERASE_SIZE) {
            self.put(sector, BLOCK_ERASE);
            self.put(sector, CONFIRM);
            self.finish(sector)?;
        }
        Ok(())
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Error> {
        check_write(self, offset, bytes.len()).map_err(Error::Bounds)?;
        let mut at = offset as usize;
        let mut rest = bytes;
        while !rest.is_empty() {
            // Up to the next buffer boundary, whole words.
            let n = rest.len().min(BUFFER - at % BUFFER);
            let (part, next) = rest.split_at(n);
            if n >= 8 {
                self.put(at, WRITE_BUFFER);
                self.put(at, (n / 4 - 1) as u32);
                for (i, word) in part.chunks_exact(4).enumerate() {
                    self.put(at + 4 * i, u32::from_le_bytes([word[0], word[1], word[2], word[3]]));
                }
                self.put(at, CONFIRM);
                self.finish(at)?;
            } else {
                for (i, word) in part.chunks_exact(4).enumerate() {
                    self.put(at + 4 * i, PROGRAM);
                    self.put(at + 4 * i, u32::from_le_bytes([word[0], word[1], word[2], word[3]]));
                    self.finish(at + 4 * i)?;
                }
            }
            at += n;
            rest = next;
        }
        Ok(())
    }
}
