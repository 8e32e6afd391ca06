//! The device's AI models, one typed module per `[models.<name>]` of device.toml.
//!
//! bluegen reads each model (a TensorFlow Lite flatbuffer), checks it
//! against what its engine supports, runs the engine's compiler on it and
//! writes the result into the image's `src/models.rs`, which this crate
//! includes (the environment variable `BLUEGEN_MODELS_RS` names it, as
//! `BLUEGEN_CONFIG_RS` names the configuration). A model `speech` becomes
//! `bluegen_models::speech`:
//!
//! ```text
//! pub const INPUT_SHAPE: [usize; 2] = [1, 1960];    // as the model declares it
//! pub const INPUT_SCALE: f32 = 0.101715684;          // real = scale × (q − zero point)
//! pub const INPUT_ZERO_POINT: i32 = -128;
//! pub type Input = [i8; 1960];                       // the quantised input, row-major
//! pub const OUTPUT_SHAPE: [usize; 2] = [1, 4];
//! pub type Output = [f32; 4];                        // the dequantised output
//! pub const LABELS: [&str; 4] = ["silence", "unknown", "yes", "no"];
//! pub const ARENA_BYTES: usize = …;                  // its activations, on the thread's stack
//! pub fn predict(input: &Input) -> Output;
//! pub fn quantize(real: f32) -> i8;
//! pub fn best(output: &Output) -> usize;             // the index of the highest score
//! ```
//!
//! The weights are statics in the linker section `.model.<name>`, in
//! flash; the activations live on the stack of the thread device.toml's
//! `thread` names, to which bluegen adds the largest arena of the models
//! that thread runs (it runs one at a time). The engine's
//! code is safe Rust over fixed-size arrays; the one `unsafe` is the
//! `link_section` attribute on each weight static (edition 2024 spells it
//! `#[unsafe(link_section)]`), whose safety the image's link.x gives: the
//! section goes to flash, read-only, and holds nothing but those statics.
//!
//! Without Kconfig `MODELS` the crate is empty.

#![no_std]
#![deny(unsafe_code)]

#[cfg(feature = "models")]
include!(env!("BLUEGEN_MODELS_RS"));
