//! Named objects (`sem_open`, `mq_open`): a list of heap objects by name.
//!
//! An object lives while it has a name or an open reference: `unlink`
//! takes its name away (a later open with that name creates a new one),
//! and the last `close` of an unlinked object frees it.

use crate::cell::Shared;
use crate::errno::{EEXIST, EINVAL, ENAMETOOLONG, ENOENT};
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ffi::{CStr, c_char, c_int};

/// The longest name, without its NUL (`NAME_MAX` of these objects).
pub const NAME_MAX: usize = 63;

struct Entry {
    name: Box<[u8]>,
    /// `Box::into_raw` of the object, as an address (the list is shared
    /// between threads; the object is `Sync`).
    object: usize,
    opens: u32,
    unlinked: bool,
    free: fn(usize),
}

/// The named objects of one kind.
pub struct Names(Shared<Vec<Entry>>);

impl Names {
    pub const fn new() -> Self {
        Names(Shared::new(Vec::new()))
    }

    /// Opens `name`, creating it with `make` (`O_CREAT`; with `excl`
    /// EEXIST if it exists); ENOENT when it does not exist and `create` is
    /// off. The object's address.
    pub fn open<T>(&self, name: &[u8], create: bool, excl: bool, make: impl FnOnce() -> Result<T, c_int>) -> Result<*const T, c_int> {
        if name.len() > NAME_MAX {
            return Err(ENAMETOOLONG);
        }
        if name.is_empty() {
            return Err(EINVAL);
        }
        let found = self.0.with(|list| {
            let e = list.iter_mut().find(|e| !e.unlinked && &*e.name == name)?;
            e.opens += 1;
            Some(e.object)
        });
        if let Some(object) = found {
            return if create && excl {
                // Undo the open just counted.
                self.close(object as *const T).ok();
                Err(EEXIST)
            } else {
                Ok(object as *const T)
            };
        }
        if !create {
            return Err(ENOENT);
        }
        let object = Box::into_raw(Box::new(make()?)) as usize;
        fn free<T>(object: usize) {
            // SAFETY: `object` came from `Box::into_raw` of a `T` in
            // `open`, and its entry is gone: nobody holds it any more.
            drop(unsafe { Box::from_raw(object as *mut T) });
        }
        self.0.with(|list| list.push(Entry { name: name.into(), object, opens: 1, unlinked: false, free: free::<T> }));
        Ok(object as *const T)
    }

    /// Closes a reference `open` returned; EINVAL for any other address.
    pub fn close<T>(&self, object: *const T) -> Result<(), c_int> {
        let gone = self.0.with(|list| {
            let i = list.iter().position(|e| e.object == object as usize).ok_or(EINVAL)?;
            let e = &mut list[i];
            e.opens = e.opens.saturating_sub(1);
            Ok::<_, c_int>((e.opens == 0 && e.unlinked).then(|| list.swap_remove(i)))
        })?;
        if let Some(e) = gone {
            (e.free)(e.object);
        }
        Ok(())
    }

    /// Takes `name` away; ENOENT if no object has it.
    pub fn unlink(&self, name: &[u8]) -> Result<(), c_int> {
        if name.len() > NAME_MAX {
            return Err(ENAMETOOLONG);
        }
        let gone = self.0.with(|list| {
            let i = list.iter().position(|e| !e.unlinked && &*e.name == name).ok_or(ENOENT)?;
            list[i].unlinked = true;
            Ok::<_, c_int>((list[i].opens == 0).then(|| list.swap_remove(i)))
        })?;
        if let Some(e) = gone {
            (e.free)(e.object);
        }
        Ok(())
    }

    /// Whether `object` is one of the open objects.
    #[cfg(test)]
    pub fn contains<T>(&self, object: *const T) -> bool {
        self.0.with(|list| list.iter().any(|e| e.object == object as usize && e.opens > 0))
    }
}

/// The bytes of a C string; EINVAL for null.
///
/// # Safety
///
/// `name` is null or a NUL-terminated string.
pub unsafe fn name<'a>(name: *const c_char) -> Result<&'a [u8], c_int> {
    if name.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: the caller's contract.
    Ok(unsafe { CStr::from_ptr(name) }.to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_create_exclusive_unlink_close() {
        let names = Names::new();
        assert_eq!(names.open(b"/a", false, false, || Ok(1u32)).unwrap_err(), ENOENT);
        let a = names.open(b"/a", true, false, || Ok(1u32)).unwrap();
        assert_eq!(names.open(b"/a", true, true, || Ok(2u32)).unwrap_err(), EEXIST);
        let again = names.open(b"/a", false, false, || Ok(3u32)).unwrap();
        assert_eq!(a, again);
        // SAFETY: open, so alive.
        assert_eq!(unsafe { *a }, 1);
        names.unlink(b"/a").unwrap();
        assert_eq!(names.unlink(b"/a").unwrap_err(), ENOENT);
        let b = names.open(b"/a", true, true, || Ok(4u32)).unwrap();
        assert_ne!(a, b, "a new object under the old name");
        names.close(a).unwrap();
        assert!(names.contains(a));
        names.close(a).unwrap();
        assert!(!names.contains(a), "freed with its last close");
        assert_eq!(names.close(a).unwrap_err(), EINVAL);
        assert_eq!(names.open(&[b'x'; 64], true, false, || Ok(0u32)).unwrap_err(), ENAMETOOLONG);
    }
}
