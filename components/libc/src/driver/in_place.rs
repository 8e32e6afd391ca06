//! Kernel objects in C memory: the port's `InPlace`, and the C pointer checks.
//!
//! A `bg_sem_t` (…) of the header is room for a kernel object and a word
//! that says whether it was built ([`InPlace`], shared with the posix
//! component). All-zero memory, what a static C object or a
//! `BG_*_INITIALIZER` gives, is "not yet": the first call that needs the
//! object builds it.

pub use bluegen_port::InPlace;

/// The object a C pointer points at; [`super::BG_EINVAL`] for null.
///
/// # Safety
///
/// `p` is null or points at a live object of its type (the C side's
/// contract, in the module `driver`).
pub unsafe fn object<'a, T>(p: *const T) -> Result<&'a T, core::ffi::c_int> {
    // SAFETY: the caller's contract.
    unsafe { p.as_ref() }.ok_or(super::BG_EINVAL)
}

/// 0 for `Ok`, the error code otherwise.
pub fn code(result: Result<(), core::ffi::c_int>) -> core::ffi::c_int {
    result.err().unwrap_or(super::BG_OK)
}
