//! Models: a device's TensorFlow Lite models, checked against their engine and sized.
//!
//! [`tflite`] reads a model file; [`analyse`] checks it against what the
//! engine runs (microflow: int8/uint8 tensors, the operators of
//! [`MICROFLOW_OPERATORS`], fused ReLU/ReLU6 at most) and works out what
//! the image needs: the input and output tensors the app sees, the bytes of
//! weights, and the activation memory (the arena) the engine's code takes
//! on the stack of the thread that runs the model. [`compile`] turns a
//! checked model into the Rust of the image's `bluegen_models` crate.

use std::path::PathBuf;

use serde::Serialize;

pub mod compile;
pub mod tflite;

use tflite::ElementType;

/// The engines bluegen can run a model with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// crates.io's microflow: the model compiled to Rust, weights as
    /// constants, activations on the stack.
    Microflow,
}

impl Engine {
    pub const NAMES: &[&str] = &["microflow"];

    pub fn parse(name: &str) -> Option<Engine> {
        (name == "microflow").then_some(Engine::Microflow)
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Microflow => "microflow",
        }
    }
}

/// An input or output tensor as the app sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signature {
    /// The shape microflow gives it: the model's, a vector `[n]` as `[1, n]`.
    pub shape: Vec<usize>,
    /// `i8` or `u8`.
    pub element: &'static str,
    pub scale: f32,
    pub zero_point: i64,
}

impl Signature {
    pub fn elements(&self) -> usize {
        self.shape.iter().fold(1usize, |n, &d| n.saturating_mul(d))
    }
}

/// A model of device.toml, checked: everything later stages need.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    pub name: String,
    /// The model file, absolute.
    pub file: PathBuf,
    pub file_bytes: u64,
    pub engine: Engine,
    /// The thread that runs it: its stack gets [`Model::arena`] more bytes.
    pub thread: String,
    /// Names of the output classes (empty: none given).
    pub labels: Vec<String>,
    pub input: Signature,
    pub output: Signature,
    /// The operators in execution order, by name.
    pub operators: Vec<String>,
    /// Bytes of constant tensors (weights and biases) in the file.
    pub weights: u64,
    /// Bytes of activation memory the engine needs at most.
    pub arena: u64,
    /// The `[models.<name>]` header.
    #[serde(skip)]
    pub at: Option<crate::diag::Location>,
}

/// The operators microflow's compiler turns into code (its README's list),
/// by builtin code.
pub const MICROFLOW_OPERATORS: &[(i32, &str)] =
    &[(1, "AVERAGE_POOL_2D"), (3, "CONV_2D"), (4, "DEPTHWISE_CONV_2D"), (9, "FULLY_CONNECTED"), (22, "RESHAPE"), (25, "SOFTMAX")];

/// One reason the engine cannot run a model, with a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    pub why: String,
    pub hint: String,
}

/// What [`analyse`] finds in a model the engine runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub input: Signature,
    pub output: Signature,
    pub operators: Vec<String>,
    pub weights: u64,
    pub arena: u64,
}

fn quantised(t: &tflite::Tensor, role: &str) -> Result<Signature, Unsupported> {
    let element = match t.element {
        ElementType::Int8 => "i8",
        ElementType::UInt8 => "u8",
        other => {
            return Err(Unsupported {
                why: format!("its {role} tensor `{}` is {}; microflow runs int8 and uint8 models only", t.name, other.name()),
                hint: "quantise the model to int8 (TensorFlow Lite converter: `converter.optimizations = [tf.lite.Optimize.DEFAULT]` with a representative dataset and `inference_input_type = tf.int8`)".into(),
            });
        }
    };
    let mut shape: Vec<usize> = t.shape.iter().map(|&d| d.max(1) as usize).collect();
    if shape.len() == 1 {
        shape.insert(0, 1);
    }
    if shape.len() != 2 && shape.len() != 4 {
        return Err(Unsupported {
            why: format!("its {role} tensor `{}` has shape {:?}; microflow takes tensors of 2 or 4 dimensions (a vector counts as 1 × n)", t.name, t.shape),
            hint: "reshape the tensor in the model to [batch, features] or [batch, height, width, channels]".into(),
        });
    }
    if t.elements() > 1 << 24 {
        return Err(Unsupported { why: format!("its {role} tensor `{}` has shape {:?}: more than 16 Mi elements", t.name, t.shape), hint: "a model for a microcontroller takes a few thousand inputs; check the model file".into() });
    }
    let (Some(&scale), Some(&zero_point)) = (t.scale.first(), t.zero_point.first()) else {
        return Err(Unsupported { why: format!("its {role} tensor `{}` has no quantisation parameters", t.name), hint: "convert the model with full integer quantisation".into() });
    };
    Ok(Signature { shape, element, scale, zero_point })
}

/// Checks `model` against `engine`; returns what the image needs, or every
/// reason the engine cannot run it.
pub fn analyse(model: &tflite::Model, engine: Engine) -> Result<Analysis, Vec<Unsupported>> {
    let Engine::Microflow = engine;
    let mut problems = Vec::new();
    if model.subgraphs != 1 {
        problems.push(Unsupported { why: format!("it has {} subgraphs; microflow runs the first only", model.subgraphs), hint: "export the model with a single subgraph".into() });
    }
    if model.inputs.len() != 1 || model.outputs.len() != 1 {
        problems.push(Unsupported {
            why: format!("it has {} inputs and {} outputs; microflow takes one of each", model.inputs.len(), model.outputs.len()),
            hint: "export a model with one input and one output tensor".into(),
        });
    }
    let tensor = |i: Option<&i32>| i.and_then(|&i| model.tensor(i));
    let input = tensor(model.inputs.first()).map(|t| quantised(t, "input"));
    let output = tensor(model.outputs.first()).map(|t| quantised(t, "output"));
    let mut operators = Vec::new();
    for (index, op) in model.operators.iter().enumerate() {
        let name = match (op.code, &op.custom) {
            (Some(code), _) => tflite::operator_name(code),
            (None, Some(custom)) => format!("custom operator `{custom}`"),
            (None, None) => "a custom operator".into(),
        };
        let supported = op.code.is_some_and(|c| MICROFLOW_OPERATORS.iter().any(|(k, _)| *k == c));
        if !supported {
            problems.push(Unsupported {
                why: format!("operator {index} is {name}, which microflow does not implement"),
                hint: format!("microflow runs {}; rebuild the model from those", MICROFLOW_OPERATORS.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", ")),
            });
        }
        if let Some(a) = op.fused_activation.filter(|&a| a != 0 && a != 1 && a != 3) {
            let fused = match a {
                2 => "RELU_N1_TO_1".to_string(),
                4 => "TANH".into(),
                5 => "SIGN_BIT".into(),
                n => format!("activation {n}"),
            };
            problems.push(Unsupported { why: format!("operator {index} ({name}) fuses {fused}; microflow fuses NONE, RELU and RELU6 only"), hint: "use ReLU or ReLU6 in that layer".into() });
        }
        // RESHAPE's second input is its new shape, int32 data; microflow
        // reads the shape from the output tensor.
        let inputs = if op.code == Some(22) { &op.inputs[..op.inputs.len().min(1)] } else { &op.inputs[..] };
        for &t in inputs.iter().chain(&op.outputs) {
            let Some(t) = model.tensor(t) else { continue };
            let ok = matches!(t.element, ElementType::Int8 | ElementType::UInt8) || (t.element == ElementType::Int32 && t.data_bytes > 0);
            if supported && !ok {
                problems.push(Unsupported {
                    why: format!("operator {index} ({name}) uses tensor `{}` of type {}; microflow's operators take int8/uint8 tensors (int32 biases)", t.name, t.element.name()),
                    hint: "convert the model with full integer quantisation".into(),
                });
            }
            if supported && ok && t.element != ElementType::Int32 && (t.scale.is_empty() || t.zero_point.is_empty()) {
                problems.push(Unsupported { why: format!("tensor `{}` of operator {index} ({name}) has no quantisation parameters", t.name), hint: "convert the model with full integer quantisation".into() });
            }
        }
        if op.code == Some(22)
            && let Some(out) = op.outputs.first().and_then(|&t| model.tensor(t))
            && !matches!(out.shape.len(), 1 | 2 | 4)
        {
            problems.push(Unsupported { why: format!("operator {index} (RESHAPE) makes shape {:?}; microflow reshapes into 2 or 4 dimensions", out.shape), hint: "reshape into [batch, features] or [batch, height, width, channels]".into() });
        }
        operators.push(name);
    }
    if model.operators.is_empty() {
        problems.push(Unsupported { why: "it has no operators".into(), hint: "export the trained model, not an empty graph".into() });
    }
    let mut signature = |s: Option<Result<Signature, Unsupported>>| s.and_then(|s| s.map_err(|p| problems.push(p)).ok());
    let (input, output) = (signature(input), signature(output));
    problems.dedup();
    match (input, output) {
        (Some(input), Some(output)) if problems.is_empty() => {
            let weights = model.tensors.iter().map(|t| t.data_bytes).fold(0u64, u64::saturating_add);
            let arena = microflow_arena(model, &input, &output);
            Ok(Analysis { input, output, operators, weights, arena })
        }
        _ => Err(problems),
    }
}

/// The activation memory microflow's generated code takes on the stack, at
/// most. microflow keeps every tensor by value in one function (the model's
/// `predict`, everything inlined), and LLVM gives most of them a stack slot
/// of their own, so the activations add up instead of taking turns: their
/// sum, plus the widest operator's input and output again (the copies it
/// works on), 12 bytes per output of each FULLY_CONNECTED (its i32 dot
/// products and per-output constants), the typed input and output on both
/// sides of the call and a kilobyte of frames. Measured against the
/// running images (the examples print their thread's stack peak):
/// micro_speech takes 16.5 KB of the 18.9 KB this gives, person detection
/// 301 KB of 316 KB, the gesture MLP 5.4 KB of 7.9 KB; see the book's
/// "Models" chapter.
fn microflow_arena(model: &tflite::Model, input: &Signature, output: &Signature) -> u64 {
    let activation = |i: &i32| model.tensor(*i).filter(|t| t.data_bytes == 0 && t.element != ElementType::Int32).map_or(0, tflite::Tensor::bytes);
    let sum = model.tensors.iter().filter(|t| t.data_bytes == 0 && t.element != ElementType::Int32).map(tflite::Tensor::bytes).fold(0u64, u64::saturating_add);
    let widest = model.operators.iter().map(|op| op.inputs.iter().chain(&op.outputs).map(activation).fold(0u64, u64::saturating_add)).max().unwrap_or(0);
    // FULLY_CONNECTED's i32 dot products and its f32 and i32 constants,
    // one of each per output value.
    let dense: u64 = model.operators.iter().filter(|op| op.code == Some(9)).flat_map(|op| op.outputs.iter()).filter_map(|&i| model.tensor(i)).map(|t| t.elements().saturating_mul(12)).fold(0, u64::saturating_add);
    let typed = (input.elements() as u64).saturating_add(8 * output.elements() as u64);
    sum.saturating_add(widest).saturating_add(dense).saturating_add(typed.saturating_mul(2)).saturating_add(1024).next_multiple_of(8)
}

#[cfg(test)]
mod tests {
    use super::tflite::{ElementType, Model, Operator, Tensor, read};
    use super::*;

    fn tensor(name: &str, shape: &[i32], element: ElementType, data: u64) -> Tensor {
        Tensor { name: name.into(), shape: shape.to_vec(), element, data_bytes: data, scale: vec![0.5], zero_point: vec![-128] }
    }

    /// input [1, 8] int8 → FULLY_CONNECTED (weights [4, 8], bias [4]) → [1, 4] → SOFTMAX.
    fn dense() -> Model {
        Model {
            version: 3,
            subgraphs: 1,
            tensors: vec![
                tensor("in", &[1, 8], ElementType::Int8, 0),
                tensor("w", &[4, 8], ElementType::Int8, 32),
                tensor("b", &[4], ElementType::Int32, 16),
                tensor("fc", &[1, 4], ElementType::Int8, 0),
                tensor("out", &[1, 4], ElementType::Int8, 0),
            ],
            inputs: vec![0],
            outputs: vec![4],
            operators: vec![
                Operator { code: Some(9), custom: None, inputs: vec![0, 1, 2], outputs: vec![3], fused_activation: Some(1) },
                Operator { code: Some(25), custom: None, inputs: vec![3], outputs: vec![4], fused_activation: None },
            ],
        }
    }

    #[test]
    fn a_quantised_dense_model_is_sized() {
        let a = analyse(&dense(), Engine::Microflow).unwrap();
        assert_eq!(a.input, Signature { shape: vec![1, 8], element: "i8", scale: 0.5, zero_point: -128 });
        assert_eq!(a.output.elements(), 4);
        assert_eq!(a.operators, ["FULLY_CONNECTED", "SOFTMAX"]);
        assert_eq!(a.weights, 48);
        // Activations 8 + 4 + 4 bytes, the widest operator 8 + 4, the dense
        // layer's 4 outputs × 12; typed input 8, output 4 × f32 × 2.
        assert_eq!(a.arena, (16 + 12 + 48 + 2 * (8 + 32) + 1024u64).next_multiple_of(8));
    }

    #[test]
    fn what_microflow_cannot_run_is_said_each_time() {
        let mut m = dense();
        m.operators[1].code = Some(17);
        m.operators[0].fused_activation = Some(4);
        m.tensors[0].element = ElementType::Float32;
        m.tensors[4].shape = vec![1, 2, 2];
        let problems = analyse(&m, Engine::Microflow).unwrap_err();
        let whys: Vec<&str> = problems.iter().map(|p| p.why.as_str()).collect();
        assert!(whys.iter().any(|w| w.contains("MAX_POOL_2D, which microflow does not implement")), "{whys:?}");
        assert!(whys.iter().any(|w| w.contains("fuses TANH")), "{whys:?}");
        assert!(whys.iter().any(|w| w.contains("input tensor `in` is FLOAT32")), "{whys:?}");
        assert!(whys.iter().any(|w| w.contains("shape [1, 2, 2]")), "{whys:?}");
        let custom = Model { operators: vec![Operator { code: None, custom: Some("Mfcc".into()), inputs: vec![0], outputs: vec![4], fused_activation: None }], ..dense() };
        assert!(analyse(&custom, Engine::Microflow).unwrap_err()[0].why.contains("custom operator `Mfcc`"));
    }

    #[test]
    fn the_reader_takes_the_speech_model_and_refuses_every_truncation() {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/keyword-spotting/models/speech.tflite")).unwrap();
        let m = read(&bytes).unwrap();
        let a = analyse(&m, Engine::Microflow).unwrap();
        assert_eq!(a.operators, ["RESHAPE", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "SOFTMAX"]);
        assert_eq!((a.input.shape.clone(), a.input.element, a.input.zero_point), (vec![1, 1960], "i8", -128));
        assert_eq!(a.output.shape, [1, 4]);
        // No prefix of the file panics the reader; each is an error or a model.
        for len in (0..bytes.len()).step_by(97) {
            let _ = read(&bytes[..len]);
        }
        // Nor does any single flipped byte.
        for at in (0..bytes.len()).step_by(13) {
            let mut b = bytes.clone();
            b[at] ^= 0xA5;
            let _ = read(&b).map(|m| analyse(&m, Engine::Microflow));
        }
        assert!(read(b"TFL3").is_err());
    }
}
