//! Everything `standard` offers, used once: the producer sleeps, sends
//! through a queue under a mutex; the consumer receives and signals a
//! semaphore; the producer ends the run when it has seen all.
#![no_std]

use bluegen_kernel::{FOREVER, Mutex, Queue, Semaphore, console, exit, sleep};

static Q: Queue<4> = Queue::new();
static M: Mutex = Mutex::new();
static SEEN: Semaphore = Semaphore::new(0);

pub fn producer() {
    for i in 0..3 {
        sleep(1);
        M.lock(FOREVER);
        Q.send(i, FOREVER);
        M.unlock();
    }
    for _ in 0..3 {
        SEEN.take(FOREVER);
    }
    console::write_str("standard ok\n");
    exit(0);
}

pub fn consumer() {
    loop {
        if let Some(v) = Q.recv(FOREVER) {
            console::write_u32(v);
            console::write_str("\n");
            SEEN.give();
        }
    }
}
