//! POSIX error numbers (picolibc's values) and the caller's `errno`.

use core::ffi::c_int;

pub const EPERM: c_int = 1;
pub const ENOENT: c_int = 2;
pub const ESRCH: c_int = 3;
pub const EINTR: c_int = 4;
pub const EBADF: c_int = 9;
pub const EAGAIN: c_int = 11;
pub const ENOMEM: c_int = 12;
pub const EBUSY: c_int = 16;
pub const EEXIST: c_int = 17;
pub const EINVAL: c_int = 22;
pub const ENFILE: c_int = 23;
pub const EMFILE: c_int = 24;
pub const ENOSPC: c_int = 28;
pub const EDEADLK: c_int = 45;
pub const ENOSYS: c_int = 88;
pub const ENAMETOOLONG: c_int = 91;
pub const ETIMEDOUT: c_int = 116;
pub const EMSGSIZE: c_int = 122;
pub const ENOTSUP: c_int = 134;
pub const EOVERFLOW: c_int = 139;

#[cfg(not(test))]
unsafe extern "C" {
    /// `c/errno.c`: `errno = value` in the calling thread's TLS block.
    safe fn __bluegen_posix_set_errno(value: c_int);
}

#[cfg(test)]
std::thread_local! {
    static ERRNO: core::cell::Cell<c_int> = const { core::cell::Cell::new(0) };
}

/// Sets the calling thread's `errno`.
pub fn set(value: c_int) {
    #[cfg(not(test))]
    __bluegen_posix_set_errno(value);
    #[cfg(test)]
    ERRNO.with(|e| e.set(value));
}

/// The calling thread's `errno` as [`set`] left it (host tests only).
#[cfg(test)]
pub fn get() -> c_int {
    ERRNO.with(|e| e.get())
}

/// The convention of the functions that are not `pthread_*`: 0 for
/// `Ok`, -1 with `errno` set for an error number.
pub fn status(result: Result<(), c_int>) -> c_int {
    match result {
        Ok(()) => 0,
        Err(e) => {
            set(e);
            -1
        }
    }
}

/// The convention of `pthread_*`: 0 or the error number.
pub fn code(result: Result<(), c_int>) -> c_int {
    result.err().unwrap_or(0)
}
