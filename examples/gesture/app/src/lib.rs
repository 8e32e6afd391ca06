//! A gesture classifier trained by the repo's script: two held-out accelerometer windows classified.
//!
//! Prints each sample's class and the four scores, and
//! `BENCH gesture_inference_instructions=…` (counter units); ends with a
//! failure if a sample is classified wrongly. Text is formatted by hand:
//! no `core::fmt`.
#![no_std]
#![forbid(unsafe_code)]

use bluegen_kernel::{console, counter, exit, stack_peak};
use bluegen_models::gesture;

const fn signed(bytes: &[u8; 384]) -> gesture::Input {
    let mut out = [0i8; 384];
    let mut i = 0;
    while i < out.len() {
        out[i] = bytes[i] as i8;
        i += 1;
    }
    out
}

/// 128 × 3 accelerometer samples each, quantised as the model's input.
static SHAKE: gesture::Input = signed(include_bytes!("../../data/shake.samples"));
static CIRCLE: gesture::Input = signed(include_bytes!("../../data/circle.samples"));

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

pub fn main() {
    let mut wrong = 0;
    let mut units = 0;
    for (name, input, expected) in [("shake", &SHAKE, 1usize), ("circle", &CIRCLE, 2)] {
        let start = counter();
        let scores = gesture::predict(input);
        units += counter() - start;
        let best = gesture::best(&scores);
        console::write_str("gesture: ");
        console::write_str(name);
        console::write_str(" -> ");
        console::write_str(gesture::LABELS[best]);
        console::write_str(" (");
        for (i, (label, score)) in gesture::LABELS.iter().zip(scores).enumerate() {
            if i > 0 {
                console::write_str(", ");
            }
            console::write_str(label);
            console::write_str(" ");
            write_score(score);
        }
        console::write_str(")\n");
        wrong += (best != expected) as u32;
    }
    console::write_str("BENCH gesture_inference_instructions=");
    console::write_u32(units as u32);
    console::write_str("/2\n");
    console::write_str("gesture: stack peak ");
    console::write_u32(stack_peak() as u32);
    console::write_str(" B (model arena ");
    console::write_u32(gesture::ARENA_BYTES as u32);
    console::write_str(" B of it)\n");
    console::write_str(if wrong == 0 { "gesture: ok\n" } else { "gesture: FAILED\n" });
    exit(if wrong == 0 { 0 } else { 1 });
}
