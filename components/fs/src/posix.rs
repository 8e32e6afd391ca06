//! The Rust side of the POSIX file calls (Kconfig `FS_POSIX`; `c/posix.c` is the C side).
//!
//! Each function returns a slot, a count or 0 when it works, and minus the
//! errno when not. A slot argument must be one a C descriptor owns (its bit
//! in `BY_C`): anything else, such as a Rust `File`'s slot or a closed
//! one, is EBADF. The check and the operation run under one kernel mutex
//! of the descriptor table, so a descriptor closed by another thread in
//! between (and its slot taken by Rust) is never used: C can never reach
//! a file that Rust code holds. The first call mounts the filesystem
//! (formatting a blank disk).

use crate::error::Error;
use crate::file::{BY_C, FILES, OpenOptions, open, raw};
use crate::mount::{Fs, mount};
use bluegen_kernel::{Mutex, Timeout};
use core::ffi::{CStr, c_char, c_int, c_long, c_ulong, c_void};

const EBADF: c_int = 9;
const EINVAL: c_int = 22;

fn fs() -> Result<Fs, c_int> {
    mount().map_err(Error::errno)
}

/// A C path as `&str`.
///
/// # Safety
/// `path` is null or a NUL-terminated string that lives for the call.
unsafe fn path<'a>(path: *const c_char) -> Result<&'a str, c_int> {
    if path.is_null() {
        return Err(14); // EFAULT
    }
    // SAFETY: the caller's contract: a NUL-terminated string.
    unsafe { CStr::from_ptr(path) }.to_str().map_err(|_| EINVAL)
}

/// The descriptor table's mutex: held from the ownership check to the end
/// of the operation on the slot.
static DESCRIPTORS: Mutex<()> = Mutex::new(());

/// `f` on slot `slot` if a C descriptor owns it, with the table held.
fn owned<R>(slot: c_int, f: impl FnOnce(usize) -> Result<R, c_int>) -> Result<R, c_int> {
    let _table = DESCRIPTORS.lock(Timeout::FOREVER).map_err(|_| EBADF)?;
    let slot = usize::try_from(slot).ok().filter(|&s| s < FILES).ok_or(EBADF)?;
    let mine = bluegen_port::critical(|cs| BY_C.get(cs) & (1 << slot) != 0);
    if mine { f(slot) } else { Err(EBADF) }
}

fn code(r: Result<c_long, c_int>) -> c_long {
    r.unwrap_or_else(|e| -c_long::from(e))
}

fn status(r: Result<(), c_int>) -> c_int {
    r.map_or_else(|e| -e, |()| 0)
}

/// # Safety
/// `path` is a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __bluegen_fs_open(p: *const c_char, flags: c_int) -> c_int {
    // SAFETY: the caller's contract.
    let r = unsafe { path(p) }.and_then(|p| {
        fs()?;
        let _table = DESCRIPTORS.lock(Timeout::FOREVER).map_err(|_| EBADF)?;
        open(p, OpenOptions::from_flags(flags as u32), true).map_err(Error::errno)
    });
    r.map_or_else(|e| -e, |slot| slot as c_int)
}

#[unsafe(no_mangle)]
pub extern "C" fn __bluegen_fs_close(slot: c_int) -> c_int {
    status(owned(slot, |s| raw::close(s).map_err(Error::errno)))
}

/// # Safety
/// `buf` is writable for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __bluegen_fs_read(slot: c_int, buf: *mut c_void, n: usize) -> c_long {
    code(owned(slot, |s| {
        if n == 0 {
            return Ok(0);
        }
        // SAFETY: the caller's contract: `n` writable bytes at `buf`.
        let buf = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), n.min(i32::MAX as usize)) };
        raw::read(s, buf).map(|n| n as c_long).map_err(Error::errno)
    }))
}

/// # Safety
/// `buf` is readable for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __bluegen_fs_write(slot: c_int, buf: *const c_void, n: usize) -> c_long {
    code(owned(slot, |s| {
        if n == 0 {
            return Ok(0);
        }
        // SAFETY: the caller's contract: `n` readable bytes at `buf`.
        let buf = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), n.min(i32::MAX as usize)) };
        raw::write(s, buf).map(|n| n as c_long).map_err(Error::errno)
    }))
}

#[unsafe(no_mangle)]
pub extern "C" fn __bluegen_fs_seek(slot: c_int, offset: c_long, whence: c_int) -> c_long {
    code(owned(slot, |s| {
        let offset = i32::try_from(offset).map_err(|_| EINVAL)?;
        // littlefs positions are below 2^31 (its `lfs_soff_t`).
        raw::seek(s, offset, whence).map(|at| at as c_long).map_err(Error::errno)
    }))
}

#[unsafe(no_mangle)]
pub extern "C" fn __bluegen_fs_sync(slot: c_int) -> c_int {
    status(owned(slot, |s| raw::sync(s).map_err(Error::errno)))
}

#[unsafe(no_mangle)]
pub extern "C" fn __bluegen_fs_truncate(slot: c_int, len: c_ulong) -> c_int {
    status(owned(slot, |s| raw::truncate(s, u32::try_from(len).map_err(|_| EINVAL)?).map_err(Error::errno)))
}

/// # Safety
/// `size` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __bluegen_fs_size(slot: c_int, size: *mut u32) -> c_int {
    status(owned(slot, |s| {
        let n = raw::size(s).map_err(Error::errno)?;
        // SAFETY: the caller's contract.
        unsafe { size.write(n) };
        Ok(())
    }))
}

/// # Safety
/// `p` is a NUL-terminated string; `size` and `is_dir` are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __bluegen_fs_stat(p: *const c_char, size: *mut u32, is_dir: *mut c_int) -> c_int {
    // SAFETY: the caller's contract.
    let r = unsafe { path(p) }.and_then(|p| {
        let meta = fs()?.metadata(p).map_err(Error::errno)?;
        // SAFETY: the caller's contract: both are writable.
        unsafe {
            size.write(meta.size);
            is_dir.write(c_int::from(meta.kind == crate::dir::Kind::Dir));
        }
        Ok(())
    });
    status(r)
}

/// # Safety
/// `p` is a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __bluegen_fs_remove(p: *const c_char) -> c_int {
    // SAFETY: the caller's contract.
    status(unsafe { path(p) }.and_then(|p| fs()?.remove(p).map_err(Error::errno)))
}

/// # Safety
/// `from` and `to` are NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __bluegen_fs_rename(from: *const c_char, to: *const c_char) -> c_int {
    // SAFETY: the caller's contract.
    let (from, to) = match unsafe { (path(from), path(to)) } {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return -e,
    };
    status(fs().and_then(|fs| fs.rename(from, to).map_err(Error::errno)))
}

/// # Safety
/// `p` is a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __bluegen_fs_mkdir(p: *const c_char) -> c_int {
    // SAFETY: the caller's contract.
    status(unsafe { path(p) }.and_then(|p| fs()?.create_dir(p).map_err(Error::errno)))
}
