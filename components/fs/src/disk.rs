//! The disk littlefs sits on: a RAM disk, or the device's flash (`FS_FLASH`).
//!
//! littlefs calls [`read`], [`prog`], [`erase`] and [`sync`] only between
//! its lock and unlock callbacks (`LFS_THREADSAFE`), that is while the
//! calling thread holds the filesystem's kernel mutex, and [`blank`] runs
//! under the same mutex: the disk has one user at a time.

use crate::mount::Shared;
use core::ffi::{c_int, c_void};
use littlefs2_sys as lfs;

/// Bytes per block (littlefs's erase unit).
pub const BLOCK_SIZE: usize = geometry::BLOCK_SIZE;
/// Blocks on the disk.
pub const BLOCK_COUNT: usize = geometry::BLOCK_COUNT;
/// Bytes per program (littlefs's `prog_size`).
pub const PROG_SIZE: usize = geometry::PROG_SIZE;
/// Whether the disk keeps its contents across a boot (a blank one is
/// formatted, a damaged one is not).
pub const PERSISTENT: bool = cfg!(feature = "fs-flash");

#[cfg(not(feature = "fs-flash"))]
mod geometry {
    pub const BLOCK_SIZE: usize = bluegen_config::FS_BLOCK_SIZE as usize;
    pub const BLOCK_COUNT: usize = bluegen_config::FS_BLOCK_COUNT as usize;
    pub const PROG_SIZE: usize = 4;
}

#[cfg(feature = "fs-flash")]
mod geometry {
    use bluegen_config::fs::FLASH;
    pub const BLOCK_SIZE: usize = FLASH.erase_size() as usize;
    pub const BLOCK_COUNT: usize = (FLASH.size() / FLASH.erase_size()) as usize;
    pub const PROG_SIZE: usize = 4;
}

/// The RAM disk's bytes.
#[cfg(not(feature = "fs-flash"))]
static DISK: Shared<[u8; BLOCK_SIZE * BLOCK_COUNT]> = Shared::new([0; BLOCK_SIZE * BLOCK_COUNT]);

#[cfg(feature = "fs-flash")]
type Flash = bluegen_pflash_cfi01::Flash<BLOCK_SIZE>;

/// The flash bank's driver (bluegen checked its geometry against the board).
#[cfg(feature = "fs-flash")]
static DISK: Shared<Flash> = Shared::new(match Flash::new(bluegen_config::fs::FLASH) {
    Some(flash) => flash,
    None => panic!("the flash bank is not whole erase sectors"),
});

/// Bytes `[at, at + buf.len())` of the disk into `buf`.
fn read_at(at: usize, buf: &mut [u8]) -> bool {
    // SAFETY: the caller holds the filesystem's mutex (module docs), so no
    // other reference to the disk exists while this one lives.
    let disk = unsafe { &mut *DISK.get() };
    #[cfg(not(feature = "fs-flash"))]
    match disk.get(at..at + buf.len()) {
        Some(bytes) => {
            buf.copy_from_slice(bytes);
            true
        }
        None => false,
    }
    #[cfg(feature = "fs-flash")]
    {
        use embedded_storage::nor_flash::ReadNorFlash;
        disk.read(at as u32, buf).is_ok()
    }
}

/// Whether the superblock pair (blocks 0 and 1) is erased: no filesystem
/// was ever written. A RAM disk is always blank at boot.
pub fn blank() -> bool {
    if !PERSISTENT {
        return true;
    }
    let Some(_held) = crate::mount::hold() else { return false };
    let mut chunk = [0u8; 64];
    let mut at = 0;
    while at < 2 * BLOCK_SIZE {
        let n = chunk.len().min(2 * BLOCK_SIZE - at);
        if !read_at(at, &mut chunk[..n]) || chunk[..n].iter().any(|&b| b != 0xff) {
            return false;
        }
        at += n;
    }
    true
}

fn offset(block: lfs::lfs_block_t, off: lfs::lfs_off_t, size: lfs::lfs_size_t) -> Option<usize> {
    let (block, off, size) = (block as usize, off as usize, size as usize);
    (block < BLOCK_COUNT && off <= BLOCK_SIZE && size <= BLOCK_SIZE - off).then_some(block * BLOCK_SIZE + off)
}

pub unsafe extern "C" fn read(_: *const lfs::lfs_config, block: lfs::lfs_block_t, off: lfs::lfs_off_t, buffer: *mut c_void, size: lfs::lfs_size_t) -> c_int {
    let Some(at) = offset(block, off, size) else { return lfs::lfs_error_LFS_ERR_INVAL };
    // SAFETY: littlefs passes a buffer of `size` writable bytes of its own
    // (a cache or the caller's data), which nothing else uses meanwhile.
    let buf = unsafe { core::slice::from_raw_parts_mut(buffer.cast::<u8>(), size as usize) };
    if read_at(at, buf) { 0 } else { lfs::lfs_error_LFS_ERR_IO }
}

pub unsafe extern "C" fn prog(_: *const lfs::lfs_config, block: lfs::lfs_block_t, off: lfs::lfs_off_t, buffer: *const c_void, size: lfs::lfs_size_t) -> c_int {
    let Some(at) = offset(block, off, size) else { return lfs::lfs_error_LFS_ERR_INVAL };
    // SAFETY: littlefs passes `size` readable bytes that it does not change
    // during the call.
    let data = unsafe { core::slice::from_raw_parts(buffer.cast::<u8>(), size as usize) };
    // SAFETY: littlefs holds the filesystem's mutex (module docs).
    let disk = unsafe { &mut *DISK.get() };
    #[cfg(not(feature = "fs-flash"))]
    match disk.get_mut(at..at + data.len()) {
        Some(bytes) => {
            // NOR semantics: programming only clears bits, as on the flash.
            for (b, d) in bytes.iter_mut().zip(data) {
                *b &= d;
            }
            0
        }
        None => lfs::lfs_error_LFS_ERR_INVAL,
    }
    #[cfg(feature = "fs-flash")]
    {
        use embedded_storage::nor_flash::NorFlash;
        if disk.write(at as u32, data).is_ok() { 0 } else { lfs::lfs_error_LFS_ERR_IO }
    }
}

pub unsafe extern "C" fn erase(_: *const lfs::lfs_config, block: lfs::lfs_block_t) -> c_int {
    let Some(at) = offset(block, 0, BLOCK_SIZE as u32) else { return lfs::lfs_error_LFS_ERR_INVAL };
    // SAFETY: littlefs holds the filesystem's mutex (module docs).
    let disk = unsafe { &mut *DISK.get() };
    #[cfg(not(feature = "fs-flash"))]
    match disk.get_mut(at..at + BLOCK_SIZE) {
        Some(bytes) => {
            bytes.fill(0xff);
            0
        }
        None => lfs::lfs_error_LFS_ERR_INVAL,
    }
    #[cfg(feature = "fs-flash")]
    {
        use embedded_storage::nor_flash::NorFlash;
        if disk.erase(at as u32, (at + BLOCK_SIZE) as u32).is_ok() { 0 } else { lfs::lfs_error_LFS_ERR_IO }
    }
}

/// Both disks write through: nothing to flush.
pub unsafe extern "C" fn sync(_: *const lfs::lfs_config) -> c_int {
    0
}
