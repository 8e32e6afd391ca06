//! Keyword spotting beside real-time work: micro_speech on one thread, a 1 ms sensor task on another.
//!
//! `kws` runs the model on the features of a recorded "yes" and "no" and
//! prints the class and the four scores, what each inference cost
//! (`BENCH inference_instructions=…`, counter units, the sensor's
//! wake-ups included) and the deepest its
//! stack went against what bluegen sized. `sensor`, at a higher priority,
//! wakes every millisecond meanwhile; when `kws` is done it prints how many
//! periods it ran and its worst lateness, and ends the run — with a failure
//! if the model got a sample wrong or a wake-up came a tick late. Text is
//! formatted by hand: no `core::fmt`.
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use bluegen_kernel::{Duration, Instant, console, counter, exit, sleep_until, stack_peak};
use bluegen_models::speech;

/// 49 × 40 spectrogram features of one second of audio, int8 (tools/fetch.py).
const fn features(bytes: &[u8; 1960]) -> speech::Input {
    let mut out = [0i8; 1960];
    let mut i = 0;
    while i < out.len() {
        out[i] = bytes[i] as i8;
        i += 1;
    }
    out
}

static YES: speech::Input = features(include_bytes!("../../data/yes.features"));
static NO: speech::Input = features(include_bytes!("../../data/no.features"));

/// Set by `kws` when both samples are classified.
static DONE: AtomicBool = AtomicBool::new(false);
/// Samples `kws` got wrong.
static WRONG: AtomicU32 = AtomicU32::new(0);

/// `x` in [0, 1] as "0.ddd".
fn write_score(x: f32) {
    let milli = (x * 1000.0 + 0.5) as u32;
    console::write_u32(milli / 1000);
    console::write_str(".");
    let frac = milli % 1000;
    for d in [frac / 100, frac / 10 % 10, frac % 10] {
        console::write_u32(d);
    }
}

pub fn kws() {
    let mut units = 0;
    for (word, input, expected) in [("yes", &YES, 2usize), ("no", &NO, 3)] {
        let start = counter();
        let scores = speech::predict(input);
        units += counter() - start;
        let best = speech::best(&scores);
        console::write_str("kws: \"");
        console::write_str(word);
        console::write_str("\" -> ");
        console::write_str(speech::LABELS[best]);
        console::write_str(" (");
        for (i, (label, score)) in speech::LABELS.iter().zip(scores).enumerate() {
            if i > 0 {
                console::write_str(", ");
            }
            console::write_str(label);
            console::write_str(" ");
            write_score(score);
        }
        console::write_str(")\n");
        if best != expected {
            WRONG.fetch_add(1, Ordering::Relaxed);
        }
    }
    // Both inferences, with the sensor's wake-ups that preempted them.
    console::write_str("BENCH inference_instructions=");
    console::write_u32(units as u32);
    console::write_str("/2\n");
    console::write_str("kws: stack peak ");
    console::write_u32(stack_peak() as u32);
    console::write_str(" B (model arena ");
    console::write_u32(speech::ARENA_BYTES as u32);
    console::write_str(" B of it)\n");
    DONE.store(true, Ordering::Release);
}

/// A simulated sensor: a triangle wave.
fn read_sensor(i: u32) -> i32 {
    let phase = (i % 40) as i32;
    if phase < 20 { phase } else { 40 - phase }
}

pub fn sensor() {
    let period = Duration::from_millis(1);
    let mut next = Instant::now();
    let (mut periods, mut worst, mut sum) = (0u32, 0u64, 0i32);
    while !DONE.load(Ordering::Acquire) {
        next = next.checked_add(period).unwrap_or(next);
        sleep_until(next);
        let late = Instant::now().duration_since(next).as_ticks() as u64;
        worst = worst.max(late);
        sum += read_sensor(periods);
        periods += 1;
        if periods % 500 == 0 {
            console::write_str("sensor: ");
            console::write_u32(periods);
            console::write_str(" periods\n");
        }
    }
    console::write_str("sensor: ");
    console::write_u32(periods);
    console::write_str(" periods of 1 ms during inference, worst lateness ");
    console::write_u32(worst as u32);
    console::write_str(" ticks (sum ");
    console::write_i32(sum);
    console::write_str(")\n");
    let wrong = WRONG.load(Ordering::Relaxed);
    console::write_str(if wrong == 0 { "keyword-spotting: ok\n" } else { "keyword-spotting: FAILED\n" });
    exit(if wrong == 0 && worst == 0 { 0 } else { 1 });
}
