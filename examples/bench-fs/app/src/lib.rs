//! What a filesystem operation costs: littlefs on a RAM disk, one thread.
//!
//! Three loops of `ROUNDS` each, timed with the kernel's counter: append
//! 64 bytes to a file and sync it (a littlefs commit), open a file, read
//! 64 bytes and close it, and stat a path. The app prints `BENCH
//! fs_<op>_instructions=<counter units>/<rounds>`; `bluegen bench` runs
//! it under QEMU `-icount` and divides by the board's counter units per
//! instruction. The lock callbacks' kernel mutex is in every number.
#![no_std]
#![forbid(unsafe_code)]

use bluegen_fs::{Fs, OpenOptions, Read, Write};
use bluegen_kernel::{console, counter, exit};

const ROUNDS: u32 = 50;

fn report(metric: &str, units: u64) {
    console::write_str("BENCH ");
    console::write_str(metric);
    console::write_str("=");
    console::write_u32(units as u32);
    console::write_str("/");
    console::write_u32(ROUNDS);
    console::write_str("\n");
}

fn fail(what: &str) -> ! {
    console::write_str("bench-fs: ");
    console::write_str(what);
    console::write_str(" failed\n");
    exit(1)
}

fn append_sync(fs: Fs) -> u64 {
    let mut log = fs.open_with("/log", OpenOptions::new().append(true).create(true)).unwrap_or_else(|_| fail("open"));
    let data = [0x5a_u8; 64];
    let start = counter();
    for _ in 0..ROUNDS {
        if log.write_all(&data).and_then(|()| log.sync()).is_err() {
            fail("append");
        }
    }
    counter() - start
}

fn open_read_close(fs: Fs) -> u64 {
    let mut buf = [0u8; 64];
    let start = counter();
    for _ in 0..ROUNDS {
        let mut f = fs.open("/log").unwrap_or_else(|_| fail("open"));
        if f.read_exact(&mut buf).is_err() || f.close().is_err() {
            fail("read");
        }
    }
    counter() - start
}

fn stat(fs: Fs) -> u64 {
    let start = counter();
    for _ in 0..ROUNDS {
        if fs.metadata("/log").is_err() {
            fail("stat");
        }
    }
    counter() - start
}

pub fn main() {
    let fs = bluegen_fs::mount().unwrap_or_else(|_| fail("mount"));
    report("fs_append_sync_instructions", append_sync(fs));
    report("fs_open_read_close_instructions", open_read_close(fs));
    report("fs_stat_instructions", stat(fs));
    exit(0);
}
