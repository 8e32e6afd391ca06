//! TFLite: a bounds-checked reader of the TensorFlow Lite flatbuffer, for what bluegen checks.
//!
//! A `.tflite` file is a FlatBuffer of the `tflite` schema. bluegen reads a
//! few of its tables — the model's operator codes, first subgraph, tensors
//! and buffers, and the options of the operators an engine takes — to check a
//! model before a build, to give the app its input and output types, and to
//! size its weights and activations. Every offset is checked against the
//! file, so a truncated or corrupt file is an error, never a panic.
//!
//! Written here, not taken from the `flatbuffers` crate: its readers are the
//! code `flatc` generates from the schema (an unsafe `Follow` per table, and
//! the schema file itself, which no registry ships), while bluegen reads
//! eight tables of it.

/// A reading error: what was wrong, at which byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

type R<T> = Result<T, Malformed>;

fn bad<T>(what: impl Into<String>) -> R<T> {
    Err(Malformed(what.into()))
}

/// A table of the buffer: its position; fields are read through its vtable.
#[derive(Clone, Copy)]
struct Table<'a> {
    buf: &'a [u8],
    at: usize,
    vtable: usize,
    vtable_len: usize,
}

fn u16_at(buf: &[u8], at: usize) -> R<u16> {
    buf.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]])).ok_or_else(|| Malformed(format!("a 2-byte value at byte {at} lies past the end")))
}

fn u32_at(buf: &[u8], at: usize) -> R<u32> {
    buf.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok_or_else(|| Malformed(format!("a 4-byte value at byte {at} lies past the end")))
}

fn u64_at(buf: &[u8], at: usize) -> R<u64> {
    buf.get(at..at + 8).map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes"))).ok_or_else(|| Malformed(format!("an 8-byte value at byte {at} lies past the end")))
}

/// The position an offset at `at` points to (offsets count forward).
fn follow(buf: &[u8], at: usize) -> R<usize> {
    let off = u32_at(buf, at)? as usize;
    match at.checked_add(off) {
        Some(to) if to < buf.len() => Ok(to),
        _ => bad(format!("the offset at byte {at} points past the end")),
    }
}

impl<'a> Table<'a> {
    fn at(buf: &'a [u8], at: usize) -> R<Table<'a>> {
        let soff = u32_at(buf, at)? as i32 as i64;
        let vtable = at as i64 - soff;
        if vtable < 0 || vtable as usize >= buf.len() {
            return bad(format!("the table at byte {at} has its vtable outside the file"));
        }
        let vtable = vtable as usize;
        let vtable_len = u16_at(buf, vtable)? as usize;
        if vtable_len < 4 || vtable + vtable_len > buf.len() {
            return bad(format!("the vtable at byte {vtable} is malformed"));
        }
        Ok(Table { buf, at, vtable, vtable_len })
    }

    /// The position of field `id`, if the table has it.
    fn field(&self, id: usize) -> R<Option<usize>> {
        let slot = 4 + 2 * id;
        if slot + 2 > self.vtable_len {
            return Ok(None);
        }
        let off = u16_at(self.buf, self.vtable + slot)? as usize;
        Ok((off != 0).then_some(self.at + off))
    }

    fn u8(&self, id: usize, default: u8) -> R<u8> {
        Ok(match self.field(id)? {
            Some(at) => *self.buf.get(at).ok_or_else(|| Malformed(format!("a byte at {at} lies past the end")))?,
            None => default,
        })
    }

    fn u32(&self, id: usize, default: u32) -> R<u32> {
        self.field(id)?.map_or(Ok(default), |at| u32_at(self.buf, at))
    }

    fn table(&self, id: usize) -> R<Option<Table<'a>>> {
        self.field(id)?.map(|at| Table::at(self.buf, follow(self.buf, at)?)).transpose()
    }

    /// A vector field: its element count and first element's position.
    fn vector(&self, id: usize, elem: usize) -> R<Option<(usize, usize)>> {
        let Some(at) = self.field(id)? else { return Ok(None) };
        let v = follow(self.buf, at)?;
        let len = u32_at(self.buf, v)? as usize;
        let start = v + 4;
        if len.checked_mul(elem).and_then(|n| n.checked_add(start)).is_none_or(|end| end > self.buf.len()) {
            return bad(format!("the vector at byte {v} runs past the end"));
        }
        Ok(Some((len, start)))
    }

    fn tables(&self, id: usize) -> R<Vec<Table<'a>>> {
        let Some((len, start)) = self.vector(id, 4)? else { return Ok(Vec::new()) };
        (0..len).map(|i| Table::at(self.buf, follow(self.buf, start + 4 * i)?)).collect()
    }

    fn i32s(&self, id: usize) -> R<Option<Vec<i32>>> {
        let Some((len, start)) = self.vector(id, 4)? else { return Ok(None) };
        (0..len).map(|i| u32_at(self.buf, start + 4 * i).map(|v| v as i32)).collect::<R<Vec<_>>>().map(Some)
    }

    fn f32s(&self, id: usize) -> R<Vec<f32>> {
        let Some((len, start)) = self.vector(id, 4)? else { return Ok(Vec::new()) };
        (0..len).map(|i| u32_at(self.buf, start + 4 * i).map(f32::from_bits)).collect()
    }

    fn i64s(&self, id: usize) -> R<Vec<i64>> {
        let Some((len, start)) = self.vector(id, 8)? else { return Ok(Vec::new()) };
        (0..len).map(|i| u64_at(self.buf, start + 8 * i).map(|v| v as i64)).collect()
    }

    fn bytes_len(&self, id: usize) -> R<usize> {
        Ok(self.vector(id, 1)?.map_or(0, |(len, _)| len))
    }

    fn string(&self, id: usize) -> R<Option<String>> {
        let Some((len, start)) = self.vector(id, 1)? else { return Ok(None) };
        Ok(Some(String::from_utf8_lossy(&self.buf[start..start + len]).into_owned()))
    }
}

/// A tensor's element type (the schema's `TensorType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementType {
    Float32,
    Int32,
    UInt8,
    Int8,
    /// Any other (`FLOAT16`, `INT64`, `STRING`, `BOOL`, `INT16`…): its code.
    Other(u8),
}

impl ElementType {
    fn from_code(code: u8) -> ElementType {
        match code {
            0 => ElementType::Float32,
            2 => ElementType::Int32,
            3 => ElementType::UInt8,
            9 => ElementType::Int8,
            c => ElementType::Other(c),
        }
    }

    /// The name as TensorFlow Lite spells it.
    pub fn name(self) -> String {
        match self {
            ElementType::Float32 => "FLOAT32".into(),
            ElementType::Int32 => "INT32".into(),
            ElementType::UInt8 => "UINT8".into(),
            ElementType::Int8 => "INT8".into(),
            ElementType::Other(1) => "FLOAT16".into(),
            ElementType::Other(4) => "INT64".into(),
            ElementType::Other(6) => "BOOL".into(),
            ElementType::Other(7) => "INT16".into(),
            ElementType::Other(c) => format!("type {c}"),
        }
    }

    /// Bytes of one element.
    pub fn bytes(self) -> u64 {
        match self {
            ElementType::UInt8 | ElementType::Int8 => 1,
            ElementType::Other(1) | ElementType::Other(7) => 2,
            ElementType::Other(4) => 8,
            _ => 4,
        }
    }
}

/// One tensor of the subgraph.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub name: String,
    pub shape: Vec<i32>,
    pub element: ElementType,
    /// Bytes of constant data its buffer holds (weights, biases); 0 for an
    /// activation.
    pub data_bytes: u64,
    pub scale: Vec<f32>,
    pub zero_point: Vec<i64>,
}

impl Tensor {
    /// Elements in the tensor (a negative or missing dimension counts 1).
    pub fn elements(&self) -> u64 {
        self.shape.iter().fold(1u64, |n, &d| n.saturating_mul(d.max(1) as u64))
    }

    pub fn bytes(&self) -> u64 {
        self.elements().saturating_mul(self.element.bytes())
    }
}

/// One operator: its builtin code, tensors, and the options bluegen checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Operator {
    /// The builtin operator code (`deprecated_builtin_code`, or
    /// `builtin_code` for codes above 127); `None` for a custom operator,
    /// whose name is `custom`.
    pub code: Option<i32>,
    pub custom: Option<String>,
    pub inputs: Vec<i32>,
    pub outputs: Vec<i32>,
    /// The fused activation function of the options, where the operator has one.
    pub fused_activation: Option<u8>,
}

/// A model: its first subgraph, as bluegen needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub version: u32,
    pub subgraphs: usize,
    pub tensors: Vec<Tensor>,
    pub inputs: Vec<i32>,
    pub outputs: Vec<i32>,
    pub operators: Vec<Operator>,
}

impl Model {
    pub fn tensor(&self, index: i32) -> Option<&Tensor> {
        usize::try_from(index).ok().and_then(|i| self.tensors.get(i))
    }
}

/// The name of a builtin operator code (the common ones; others by number).
pub fn operator_name(code: i32) -> String {
    let name = match code {
        0 => "ADD",
        1 => "AVERAGE_POOL_2D",
        2 => "CONCATENATION",
        3 => "CONV_2D",
        4 => "DEPTHWISE_CONV_2D",
        6 => "DEQUANTIZE",
        9 => "FULLY_CONNECTED",
        14 => "LOGISTIC",
        16 => "LSTM",
        17 => "MAX_POOL_2D",
        18 => "MUL",
        19 => "RELU",
        21 => "RELU6",
        22 => "RESHAPE",
        25 => "SOFTMAX",
        28 => "TANH",
        34 => "PAD",
        40 => "MEAN",
        41 => "SUB",
        114 => "QUANTIZE",
        _ => return format!("builtin operator {code}"),
    };
    name.into()
}

/// Which option table field holds the fused activation, per operator code.
fn activation_field(code: i32) -> Option<usize> {
    match code {
        1 | 17 => Some(5), // Pool2DOptions
        3 => Some(3),      // Conv2DOptions
        4 => Some(4),      // DepthwiseConv2DOptions
        9 => Some(0),      // FullyConnectedOptions
        _ => None,
    }
}

/// Reads a `.tflite` file's model.
pub fn read(buf: &[u8]) -> R<Model> {
    if buf.len() < 8 {
        return bad(format!("{} bytes are too few for a FlatBuffer", buf.len()));
    }
    if &buf[4..8] != b"TFL3" {
        return bad(format!("the file identifier is {:?}, not \"TFL3\" (a TensorFlow Lite model)", String::from_utf8_lossy(&buf[4..8])));
    }
    let root = Table::at(buf, follow(buf, 0)?)?;
    let version = root.u32(0, 0)?;
    let codes = root.tables(1)?;
    let subgraphs = root.tables(2)?;
    let buffers = root.tables(4)?;
    let Some(graph) = subgraphs.first() else { return bad("the model has no subgraph") };
    let mut tensors = Vec::new();
    for t in graph.tables(0)? {
        let buffer = t.u32(2, 0)? as usize;
        let data_bytes = match buffers.get(buffer) {
            Some(b) if buffer != 0 => b.bytes_len(0)? as u64,
            _ => 0,
        };
        let (scale, zero_point) = match t.table(4)? {
            Some(q) => (q.f32s(2)?, q.i64s(3)?),
            None => (Vec::new(), Vec::new()),
        };
        tensors.push(Tensor {
            name: t.string(3)?.unwrap_or_default(),
            shape: t.i32s(0)?.unwrap_or_default(),
            element: ElementType::from_code(t.u8(1, 0)?),
            data_bytes,
            scale,
            zero_point,
        });
    }
    let mut operators = Vec::new();
    for op in graph.tables(3)? {
        let index = op.u32(0, 0)? as usize;
        let Some(code) = codes.get(index) else { return bad(format!("an operator names operator code {index}, of {}", codes.len())) };
        let deprecated = code.u8(0, 0)? as i8 as i32;
        let builtin = code.u32(3, 0)? as i32;
        let number = if deprecated == 127 { builtin } else { deprecated.max(builtin) };
        let custom = code.string(1)?;
        let number = (number != 32 || custom.is_none()).then_some(number);
        let fused_activation = match (number.and_then(activation_field), op.table(4)?) {
            (Some(field), Some(options)) => Some(options.u8(field, 0)?),
            (Some(_), None) => Some(0),
            _ => None,
        };
        operators.push(Operator { code: number, custom, inputs: op.i32s(1)?.unwrap_or_default(), outputs: op.i32s(2)?.unwrap_or_default(), fused_activation });
    }
    let model = Model { version, subgraphs: subgraphs.len(), tensors, inputs: graph.i32s(1)?.unwrap_or_default(), outputs: graph.i32s(2)?.unwrap_or_default(), operators };
    for &i in model.inputs.iter().chain(&model.outputs).chain(model.operators.iter().flat_map(|o| o.inputs.iter().chain(&o.outputs))) {
        if i >= 0 && model.tensor(i).is_none() {
            return bad(format!("tensor {i} is named but the subgraph has {}", model.tensors.len()));
        }
    }
    Ok(model)
}
