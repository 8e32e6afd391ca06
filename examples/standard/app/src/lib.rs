//! Everything `standard` offers, used once: the producer sleeps, counts
//! under a mutex and sends through a queue; the consumer receives and
//! signals a semaphore; the producer ends the run when it has seen all.
#![no_std]

use bluegen_kernel::{Duration, Mutex, Queue, Semaphore, Timeout, console, exit, sleep};

static Q: Queue<u32, 4> = Queue::new();
static SENT: Mutex<u32> = Mutex::new(0);
static SEEN: Semaphore = Semaphore::new(0);

pub fn producer() {
    for i in 0..3 {
        sleep(Duration::from_millis(10));
        if let Ok(mut sent) = SENT.lock(Timeout::FOREVER) {
            *sent += 1;
            let _ = Q.send(i, Timeout::FOREVER);
        }
    }
    for _ in 0..3 {
        let _ = SEEN.take(Timeout::FOREVER);
    }
    console::write_str("standard ok\n");
    exit(0);
}

pub fn consumer() {
    loop {
        if let Ok(v) = Q.recv(Timeout::FOREVER) {
            console::write_u32(v);
            console::write_str("\n");
            let _ = SEEN.give();
        }
    }
}
