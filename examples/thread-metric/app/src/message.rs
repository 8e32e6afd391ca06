//! Message processing: one thread (priority 10) sends a 16-byte message
//! (`[u32; 4]`) to a queue and receives it back, neither waiting; the last
//! word of what came back must be the last word sent (else the thread
//! stops, and the count check fails), then it bumps that word and counts.

use crate::{Sample, bump, run_report};
use bluegen_kernel::Queue;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

static QUEUE: Queue<[u32; 4], 4> = Queue::new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// `[threads.worker]`, priority 10.
pub fn worker() {
    let mut sent = [0x1111_2222, 0x3333_4444, 0x5555_6666, 0x7777_8888u32];
    loop {
        if QUEUE.try_send(sent).is_err() {
            return;
        }
        let Ok(received) = QUEUE.try_recv() else { return };
        if received[3] != sent[3] {
            return;
        }
        sent[3] = sent[3].wrapping_add(1);
        bump(&COUNTER);
    }
}

/// `[threads.report]`, priority 2.
pub fn report() {
    run_report("message processing", "message", None, || Sample { total: COUNTER.load(Relaxed), check: true })
}
