//! A sensor logger on flash: one thread samples, one appends the samples to a file.
//!
//! Each line of /samples.log is fixed-width (`t=<ms, 8 digits> v=<±5 digits>`),
//! so the log's size says how many samples all runs together kept;
//! /boots counts the runs. Text is formatted by hand: no `core::fmt`.
#![no_std]
#![forbid(unsafe_code)]

use bluegen_fs::{Error, Fs, OpenOptions, Read, Write};
use bluegen_kernel::{Duration, Instant, Queue, Timeout, console, exit, sleep_until};

/// Readings per run.
const SAMPLES: u32 = 30;
/// Bytes of one log line.
const LINE: usize = 20;

/// (milliseconds since boot, reading).
static READINGS: Queue<(u32, i32), 8> = Queue::new();

/// The simulated sensor: a triangle wave around 21.5 °C, in m°C.
fn sensor(i: u32) -> i32 {
    let phase = (i % 20) as i32;
    21_500 + 150 * if phase < 10 { phase } else { 20 - phase } - 750
}

pub fn sampler() {
    let start = Instant::now();
    for i in 0..SAMPLES {
        let at = start + Duration::from_millis(100 * (i + 1));
        sleep_until(at);
        let ms = (at - start).as_millis() as u32;
        let _ = READINGS.send((ms, sensor(i)), Timeout::FOREVER);
    }
}

fn fail(what: &str, e: Error) -> ! {
    console::write_str("datalog: ");
    console::write_str(what);
    console::write_str(": ");
    console::write_str(e.as_str());
    console::write_str("\n");
    exit(1)
}

/// `n` as `width` decimal digits, zero-padded, into `out`.
fn digits(out: &mut [u8], mut n: u32) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// "t=00000100 v=+20750\n"
fn line(ms: u32, value: i32) -> [u8; LINE] {
    let mut l = *b"t=00000000 v=+00000\n";
    digits(&mut l[2..10], ms);
    l[13] = if value < 0 { b'-' } else { b'+' };
    digits(&mut l[14..19], value.unsigned_abs());
    l
}

fn boots(fs: Fs) -> u32 {
    let mut n = [0u8; 4];
    let before = match fs.open("/boots") {
        Ok(mut f) => f.read_exact(&mut n).map(|()| u32::from_le_bytes(n)).unwrap_or(0),
        Err(Error::NotFound) => 0,
        Err(e) => fail("open /boots", e),
    };
    let mut f = fs.create("/boots").unwrap_or_else(|e| fail("create /boots", e));
    f.write_all(&(before + 1).to_le_bytes()).unwrap_or_else(|e| fail("write /boots", e));
    f.close().unwrap_or_else(|e| fail("close /boots", e));
    before + 1
}

pub fn logger() {
    let fs = bluegen_fs::mount().unwrap_or_else(|e| fail("mount", e));
    let boot = boots(fs);
    let mut log = fs.open_with("/samples.log", OpenOptions::new().append(true).create(true)).unwrap_or_else(|e| fail("open log", e));
    for i in 0..SAMPLES {
        let Ok((ms, value)) = READINGS.recv(Timeout::FOREVER) else { exit(1) };
        log.write_all(&line(ms, value)).unwrap_or_else(|e| fail("append", e));
        if i % 10 == 9 {
            log.sync().unwrap_or_else(|e| fail("sync", e));
        }
    }
    let kept = log.len().unwrap_or_else(|e| fail("size", e)) / LINE as u32;
    log.close().unwrap_or_else(|e| fail("close log", e));
    // The last line, read back.
    let mut last = [0u8; LINE];
    let mut f = fs.open("/samples.log").unwrap_or_else(|e| fail("open log", e));
    let _ = bluegen_fs::Seek::seek(&mut f, bluegen_fs::SeekFrom::End(-(LINE as i64)));
    f.read_exact(&mut last).unwrap_or_else(|_| fail("read log", Error::Io));
    console::write_str("boot ");
    console::write_u32(boot);
    console::write_str(": /samples.log holds ");
    console::write_u32(kept);
    console::write_str(" samples, the last: ");
    console::write_bytes(&last);
    exit(0);
}
