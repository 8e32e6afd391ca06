//! Three models in turn on one thread, each inference's cost in counter units, for `bluegen bench`.
//!
//! Prints `BENCH <model>_inference_instructions=<units>/1` per model, the
//! results, and the thread's stack peak against the arena bluegen added
//! (the largest of the three). Ends with a failure if a model gets its
//! sample wrong. Text is formatted by hand: no `core::fmt`.
#![no_std]
#![forbid(unsafe_code)]

use bluegen_kernel::{console, counter, exit, stack_peak};
use bluegen_models::{person, sine, speech};

const fn signed<const N: usize>(bytes: &[u8; N]) -> [i8; N] {
    let mut out = [0i8; N];
    let mut i = 0;
    while i < N {
        out[i] = bytes[i] as i8;
        i += 1;
    }
    out
}

/// One second of "yes", as micro_speech's 49 × 40 features.
static YES: speech::Input = signed(include_bytes!("../../data/yes.features"));
/// A 96 × 96 grayscale photo of a person, less 128.
static PERSON: person::Input = signed(include_bytes!("../../data/person.image"));

fn bench(metric: &str, units: u64) {
    console::write_str("BENCH ");
    console::write_str(metric);
    console::write_str("_inference_instructions=");
    console::write_u32(units as u32);
    console::write_str("/1\n");
}

/// `x` as a signed number with three decimals.
fn write_fixed(x: f32) {
    if x < 0.0 {
        console::write_str("-");
    }
    let milli = (if x < 0.0 { -x } else { x } * 1000.0 + 0.5) as u32;
    console::write_u32(milli / 1000);
    console::write_str(".");
    let frac = milli % 1000;
    for d in [frac / 100, frac / 10 % 10, frac % 10] {
        console::write_u32(d);
    }
}

pub fn main() {
    let mut wrong = 0;

    let start = counter();
    let scores = speech::predict(&YES);
    bench("speech", counter() - start);
    let best = speech::best(&scores);
    console::write_str("speech: ");
    console::write_str(speech::LABELS[best]);
    console::write_str(" ");
    write_fixed(scores[best]);
    console::write_str("\n");
    wrong += (best != 2) as u32;

    let start = counter();
    let scores = person::predict(&PERSON);
    bench("person", counter() - start);
    let best = person::best(&scores);
    console::write_str("person: ");
    console::write_str(person::LABELS[best]);
    console::write_str(" ");
    write_fixed(scores[best]);
    console::write_str("\n");
    wrong += (best != 1) as u32;

    let x = 1.5;
    let start = counter();
    let y = sine::predict(&[sine::quantize(x)])[0];
    bench("sine", counter() - start);
    console::write_str("sine: sin(1.500) ~ ");
    write_fixed(y);
    console::write_str("\n");
    // sin(1.5) = 0.997; the int8 regressor is good to about a tenth.
    wrong += !(0.85..=1.1).contains(&y) as u32;

    console::write_str("stack peak ");
    console::write_u32(stack_peak() as u32);
    console::write_str(" B; arenas: speech ");
    console::write_u32(speech::ARENA_BYTES as u32);
    console::write_str(" B, person ");
    console::write_u32(person::ARENA_BYTES as u32);
    console::write_str(" B, sine ");
    console::write_u32(sine::ARENA_BYTES as u32);
    console::write_str(" B\n");
    console::write_str(if wrong == 0 { "bench-models: ok\n" } else { "bench-models: FAILED\n" });
    exit(if wrong == 0 { 0 } else { 1 });
}
