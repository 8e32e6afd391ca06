//! `mq_*`: named message queues on the heap, highest priority first.
//!
//! A queue has room for `mq_maxmsg` messages of up to `mq_msgsize` bytes,
//! allocated when it is created; two kernel semaphores count the free
//! slots and the messages, so senders and receivers block (with their
//! timeouts) and are served highest thread priority first. The messages
//! are kept in priority order, FIFO within a priority. A descriptor
//! (`mqd_t`, an index in a table of `MQ_OPEN_MAX` open descriptions) holds
//! the queue and its open flags; `mq_setattr` changes only O_NONBLOCK.

use crate::cell::Shared;
use crate::errno::{EAGAIN, EBADF, EINVAL, EMFILE, EMSGSIZE, ENOMEM, ETIMEDOUT, status};
use crate::names::Names;
use crate::time::{CLOCK_REALTIME, timespec};
use alloc::vec::Vec;
use bluegen_kernel::{Semaphore, Timeout};
use core::ffi::{c_char, c_int, c_long, c_uint};

/// `mqd_t`.
pub type mqd_t = c_int;
/// `struct mq_attr`.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct mq_attr {
    pub mq_flags: c_long,
    pub mq_maxmsg: c_long,
    pub mq_msgsize: c_long,
    pub mq_curmsgs: c_long,
}

/// Open descriptions at a time (`MQ_OPEN_MAX`).
pub const OPEN_MAX: usize = 8;
/// Priorities are below this (`MQ_PRIO_MAX`).
pub const PRIO_MAX: c_uint = 32;
/// A queue's attributes when `mq_open` gets none.
pub const DEFAULT_MAXMSG: c_long = 4;
pub const DEFAULT_MSGSIZE: c_long = 16;

const O_ACCMODE: c_int = 3;
const O_RDONLY: c_int = 0;
const O_WRONLY: c_int = 1;
const O_CREAT: c_int = 0x0040;
const O_EXCL: c_int = 0x0800;
pub const O_NONBLOCK: c_int = 0x4000;

struct Store {
    data: Vec<u8>,
    /// Free slots of `data`.
    free: Vec<u16>,
    /// Messages, highest priority first: (priority, length, slot).
    order: Vec<(c_uint, usize, u16)>,
}

/// A queue.
pub struct Queue {
    slots: Semaphore,
    messages: Semaphore,
    store: Shared<Store>,
    maxmsg: usize,
    msgsize: usize,
}

impl Queue {
    fn new(maxmsg: c_long, msgsize: c_long) -> Result<Queue, c_int> {
        if maxmsg <= 0 || msgsize <= 0 || maxmsg > c_long::from(u16::MAX) {
            return Err(EINVAL);
        }
        let (maxmsg, msgsize) = (maxmsg as usize, msgsize as usize);
        let bytes = maxmsg.checked_mul(msgsize).ok_or(ENOMEM)?;
        let mut data = Vec::new();
        data.try_reserve_exact(bytes).map_err(|_| ENOMEM)?;
        data.resize(bytes, 0);
        let mut free = Vec::new();
        free.try_reserve_exact(maxmsg).map_err(|_| ENOMEM)?;
        free.extend((0..maxmsg as u16).rev());
        let mut order = Vec::new();
        order.try_reserve_exact(maxmsg).map_err(|_| ENOMEM)?;
        Ok(Queue { slots: Semaphore::new(maxmsg as u32), messages: Semaphore::new(0), store: Shared::new(Store { data, free, order }), maxmsg, msgsize })
    }

    /// Sends `msg` at `prio`, waiting at most `timeout` for room.
    pub fn send(&self, msg: &[u8], prio: c_uint, timeout: Timeout) -> Result<(), c_int> {
        if msg.len() > self.msgsize {
            return Err(EMSGSIZE);
        }
        if prio >= PRIO_MAX {
            return Err(EINVAL);
        }
        self.slots.take(timeout).map_err(|_| if timeout.is_no_wait() { EAGAIN } else { ETIMEDOUT })?;
        let size = self.msgsize;
        self.store.with(|s| {
            // A slot is free: the semaphore counted it.
            let slot = s.free.pop().unwrap_or(0);
            let at = usize::from(slot) * size;
            s.data[at..at + msg.len()].copy_from_slice(msg);
            let place = s.order.iter().position(|&(p, _, _)| p < prio).unwrap_or(s.order.len());
            s.order.insert(place, (prio, msg.len(), slot));
        });
        self.messages.give().ok();
        Ok(())
    }

    /// Receives the oldest message of the highest priority into `buf`,
    /// waiting at most `timeout`; its length and priority.
    pub fn receive(&self, buf: &mut [u8], timeout: Timeout) -> Result<(usize, c_uint), c_int> {
        if buf.len() < self.msgsize {
            return Err(EMSGSIZE);
        }
        self.messages.take(timeout).map_err(|_| if timeout.is_no_wait() { EAGAIN } else { ETIMEDOUT })?;
        let size = self.msgsize;
        let got = self.store.with(|s| {
            let (prio, len, slot) = s.order.remove(0);
            let at = usize::from(slot) * size;
            buf[..len].copy_from_slice(&s.data[at..at + len]);
            s.free.push(slot);
            (len, prio)
        });
        self.slots.give().ok();
        Ok(got)
    }

    fn attr(&self, flags: c_int) -> mq_attr {
        mq_attr { mq_flags: c_long::from(flags & O_NONBLOCK), mq_maxmsg: self.maxmsg as c_long, mq_msgsize: self.msgsize as c_long, mq_curmsgs: self.messages.count() as c_long }
    }
}

static NAMED: Names = Names::new();
/// Open descriptions: the queue's address and the open flags.
static OPEN: Shared<[Option<(usize, c_int)>; OPEN_MAX]> = Shared::new([None; OPEN_MAX]);

/// The queue and flags of descriptor `mq`.
fn description(mq: mqd_t) -> Result<(&'static Queue, c_int), c_int> {
    let (addr, flags) = OPEN.with(|o| usize::try_from(mq).ok().and_then(|i| *o.get(i)?)).ok_or(EBADF)?;
    // SAFETY: an open description keeps its queue open (NAMED frees a
    // queue only after its last close), so it is alive.
    Ok((unsafe { &*(addr as *const Queue) }, flags))
}

fn timeout_of(flags: c_int, abstime: Option<*const timespec>) -> Result<Timeout, c_int> {
    if flags & O_NONBLOCK != 0 {
        return Ok(Timeout::NO_WAIT);
    }
    match abstime {
        None => Ok(Timeout::FOREVER),
        // SAFETY: the C contract: a readable timespec.
        Some(t) => unsafe { crate::time::until_ptr(t, CLOCK_REALTIME) },
    }
}

pub fn open(name: &[u8], oflag: c_int, attr: Option<&mq_attr>) -> Result<mqd_t, c_int> {
    let slot = OPEN.with(|o| {
        let i = o.iter().position(Option::is_none)?;
        o[i] = Some((0, 0));
        Some(i)
    });
    let slot = slot.ok_or(EMFILE)?;
    let (maxmsg, msgsize) = attr.map_or((DEFAULT_MAXMSG, DEFAULT_MSGSIZE), |a| (a.mq_maxmsg, a.mq_msgsize));
    match NAMED.open(name, oflag & O_CREAT != 0, oflag & O_EXCL != 0, || Queue::new(maxmsg, msgsize)) {
        Ok(q) => {
            OPEN.with(|o| o[slot] = Some((q as usize, oflag)));
            Ok(slot as mqd_t)
        }
        Err(e) => {
            OPEN.with(|o| o[slot] = None);
            Err(e)
        }
    }
}

pub fn close(mq: mqd_t) -> Result<(), c_int> {
    let (addr, _) = OPEN.with(|o| usize::try_from(mq).ok().and_then(|i| o.get_mut(i)?.take())).ok_or(EBADF)?;
    NAMED.close(addr as *const Queue)
}

/// mq_open(name, oflag, mode, attr): variadic in C, read as fixed
/// parameters (see `sem_open`).
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn mq_open(name: *const c_char, oflag: c_int, mode: c_uint, attr: *const mq_attr) -> mqd_t {
    let _ = mode;
    // SAFETY: a NUL-terminated name; with O_CREAT an attribute or null
    // (without it the argument is garbage and not read).
    let r = unsafe { crate::names::name(name) }.and_then(|n| open(n, oflag, if oflag & O_CREAT != 0 { unsafe { attr.as_ref() } } else { None }));
    match r {
        Ok(d) => d,
        Err(e) => {
            crate::errno::set(e);
            -1
        }
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn mq_close(mq: mqd_t) -> c_int {
    status(close(mq))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn mq_unlink(name: *const c_char) -> c_int {
    // SAFETY: a NUL-terminated name.
    status(unsafe { crate::names::name(name) }.and_then(|n| NAMED.unlink(n)))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn mq_getattr(mq: mqd_t, attr: *mut mq_attr) -> c_int {
    // SAFETY: a writable attribute (the C contract).
    let Some(out) = (unsafe { attr.as_mut() }) else { return status(Err(EINVAL)) };
    status(description(mq).map(|(q, flags)| *out = q.attr(flags)))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn mq_setattr(mq: mqd_t, new: *const mq_attr, old: *mut mq_attr) -> c_int {
    // SAFETY: a readable new attribute, a writable old one or null.
    let (Some(new), old) = (unsafe { new.as_ref() }, unsafe { old.as_mut() }) else { return status(Err(EINVAL)) };
    let r = description(mq).map(|(q, flags)| {
        if let Some(o) = old {
            *o = q.attr(flags);
        }
        let flags = flags & !O_NONBLOCK | (new.mq_flags as c_int & O_NONBLOCK);
        OPEN.with(|o| {
            if let Some(Some(d)) = o.get_mut(mq as usize) {
                d.1 = flags;
            }
        });
    });
    status(r)
}

fn send(mq: mqd_t, msg: *const c_char, len: usize, prio: c_uint, abstime: Option<*const timespec>) -> Result<(), c_int> {
    let (q, flags) = description(mq)?;
    if flags & O_ACCMODE == O_RDONLY {
        return Err(EBADF);
    }
    if msg.is_null() && len > 0 {
        return Err(EINVAL);
    }
    // SAFETY: `len` readable bytes at `msg` (the C contract).
    let bytes = if len == 0 { &[][..] } else { unsafe { core::slice::from_raw_parts(msg.cast::<u8>(), len) } };
    if bytes.len() > q.msgsize {
        return Err(EMSGSIZE);
    }
    // POSIX: the time matters only when the queue is full.
    match q.send(bytes, prio, Timeout::NO_WAIT) {
        Err(EAGAIN) if flags & O_NONBLOCK == 0 => match timeout_of(flags, abstime)? {
            t if t.is_no_wait() => Err(ETIMEDOUT),
            t => q.send(bytes, prio, t),
        },
        other => other,
    }
}

fn receive(mq: mqd_t, buf: *mut c_char, len: usize, prio: *mut c_uint, abstime: Option<*const timespec>) -> isize {
    let r = (|| {
        let (q, flags) = description(mq)?;
        if flags & O_ACCMODE == O_WRONLY {
            return Err(EBADF);
        }
        if buf.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: `len` writable bytes at `buf` (the C contract).
        let bytes = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), len) };
        let got = match q.receive(bytes, Timeout::NO_WAIT) {
            Err(EAGAIN) if flags & O_NONBLOCK == 0 => match timeout_of(flags, abstime)? {
                t if t.is_no_wait() => Err(ETIMEDOUT),
                t => q.receive(bytes, t),
            },
            other => other,
        }?;
        // SAFETY: null or a writable priority.
        if let Some(p) = unsafe { prio.as_mut() } {
            *p = got.1;
        }
        Ok(got.0 as isize)
    })();
    r.unwrap_or_else(|e| {
        crate::errno::set(e);
        -1
    })
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn mq_send(mq: mqd_t, msg: *const c_char, len: usize, prio: c_uint) -> c_int {
    status(send(mq, msg, len, prio, None))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn mq_timedsend(mq: mqd_t, msg: *const c_char, len: usize, prio: c_uint, abstime: *const timespec) -> c_int {
    status(send(mq, msg, len, prio, Some(abstime)))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn mq_receive(mq: mqd_t, buf: *mut c_char, len: usize, prio: *mut c_uint) -> isize {
    receive(mq, buf, len, prio, None)
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn mq_timedreceive(mq: mqd_t, buf: *mut c_char, len: usize, prio: *mut c_uint, abstime: *const timespec) -> isize {
    receive(mq, buf, len, prio, Some(abstime))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::{EEXIST, ENOENT, get};
    use core::ptr::{null, null_mut};

    const O_RDWR: c_int = 2;

    #[test]
    fn priority_order_fifo_within_a_priority_and_errors() {
        let attr = mq_attr { mq_maxmsg: 3, mq_msgsize: 8, ..Default::default() };
        unsafe {
            assert_eq!(mq_open(c"/q".as_ptr(), O_RDWR, 0, null()), -1);
            assert_eq!(get(), ENOENT);
            let q = mq_open(c"/q".as_ptr(), O_RDWR | O_CREAT | O_NONBLOCK, 0o600, &attr);
            assert!(q >= 0);
            assert_eq!(mq_open(c"/q".as_ptr(), O_RDWR | O_CREAT | O_EXCL, 0o600, &attr), -1);
            assert_eq!(get(), EEXIST);
            for (m, p) in [(c"low", 1), (c"high", 5), (c"low2", 1)] {
                assert_eq!(mq_send(q, m.as_ptr(), m.count_bytes(), p), 0);
            }
            assert_eq!(mq_send(q, c"x".as_ptr(), 1, 1), -1, "full, O_NONBLOCK");
            assert_eq!(get(), EAGAIN);
            assert_eq!(mq_send(q, c"123456789".as_ptr(), 9, 1), -1);
            assert_eq!(get(), EMSGSIZE);
            assert_eq!(mq_send(q, c"x".as_ptr(), 1, PRIO_MAX), -1);
            assert_eq!(get(), EINVAL);
            let mut a = mq_attr::default();
            assert_eq!(mq_getattr(q, &mut a), 0);
            assert_eq!(a, mq_attr { mq_flags: O_NONBLOCK as c_long, mq_maxmsg: 3, mq_msgsize: 8, mq_curmsgs: 3 });
            let mut buf = [0 as c_char; 8];
            let mut prio = 0;
            let mut got = Vec::new();
            for _ in 0..3 {
                let n = mq_receive(q, buf.as_mut_ptr(), 8, &mut prio);
                got.push((buf[..n as usize].iter().map(|&b| b as u8).collect::<Vec<u8>>(), prio));
            }
            assert_eq!(got, [(b"high".to_vec(), 5), (b"low".to_vec(), 1), (b"low2".to_vec(), 1)]);
            assert_eq!(mq_receive(q, buf.as_mut_ptr(), 8, null_mut()), -1);
            assert_eq!(get(), EAGAIN);
            assert_eq!(mq_receive(q, buf.as_mut_ptr(), 4, null_mut()), -1, "buffer below msgsize");
            assert_eq!(get(), EMSGSIZE);
            // Blocking again: a past deadline times out.
            let blocking = mq_attr::default();
            assert_eq!(mq_setattr(q, &blocking, &mut a), 0);
            assert_eq!(a.mq_flags, O_NONBLOCK as c_long);
            let past = timespec::default();
            assert_eq!(mq_timedreceive(q, buf.as_mut_ptr(), 8, null_mut(), &past), -1);
            assert_eq!(get(), ETIMEDOUT);
            assert_eq!(mq_close(q), 0);
            assert_eq!(mq_close(q), -1);
            assert_eq!(get(), EBADF);
            assert_eq!(mq_unlink(c"/q".as_ptr()), 0);
            assert_eq!(mq_unlink(c"/q".as_ptr()), -1);
        }
    }

    #[test]
    fn access_modes_and_bad_attributes() {
        let attr = mq_attr { mq_maxmsg: 0, mq_msgsize: 8, ..Default::default() };
        unsafe {
            assert_eq!(mq_open(c"/bad".as_ptr(), O_RDWR | O_CREAT, 0, &attr), -1);
            assert_eq!(get(), EINVAL);
            let w = mq_open(c"/m".as_ptr(), O_WRONLY | O_CREAT | O_NONBLOCK, 0, null());
            let r = mq_open(c"/m".as_ptr(), O_RDONLY | O_NONBLOCK, 0, null());
            assert!(w >= 0 && r >= 0);
            let mut buf = [0 as c_char; DEFAULT_MSGSIZE as usize];
            assert_eq!(mq_receive(w, buf.as_mut_ptr(), buf.len(), null_mut()), -1);
            assert_eq!(get(), EBADF);
            assert_eq!(mq_send(r, c"x".as_ptr(), 1, 0), -1);
            assert_eq!(get(), EBADF);
            assert_eq!(mq_send(w, c"x".as_ptr(), 1, 0), 0);
            assert_eq!(mq_receive(r, buf.as_mut_ptr(), buf.len(), null_mut()), 1);
            assert_eq!(mq_send(99, c"x".as_ptr(), 1, 0), -1);
            assert_eq!(get(), EBADF);
            assert_eq!(mq_unlink(c"/m".as_ptr()), 0);
            assert_eq!((mq_close(w), mq_close(r)), (0, 0));
        }
    }
}
