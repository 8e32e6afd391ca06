//! Memory allocation: one thread (priority 10) allocates a 128-byte block
//! from a pool of 16 without waiting and frees it (the handle's drop); an
//! allocation that fails stops the thread (and the count check fails); it
//! counts.

use crate::{Sample, bump, run_report};
use bluegen_kernel::Pool;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

static POOL: Pool<[u8; 128], 16> = Pool::new([0; 128]);
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// `[threads.worker]`, priority 10.
pub fn worker() {
    loop {
        let Ok(block) = POOL.try_alloc() else { return };
        drop(block);
        bump(&COUNTER);
    }
}

/// `[threads.report]`, priority 2.
pub fn report() {
    run_report("memory allocation", "memory", None, || Sample { total: COUNTER.load(Relaxed), check: true })
}
