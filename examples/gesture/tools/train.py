#!/usr/bin/env python3
"""Trains examples/gesture's classifier and writes it as an int8 TensorFlow Lite model.

A gesture is 1.28 s of a 3-axis accelerometer at 100 Hz (128 x 3 samples, in
g). Four classes, synthesised with a fixed seed: `idle` (gravity and noise),
`shake` (a fast back-and-forth on x), `circle` (x and y a quarter turn
apart) and `tap` (two sharp spikes on z). The model is a multilayer
perceptron, 384 -> 256 -> 128 -> 4 with ReLU and softmax, trained with plain
gradient descent (Adam) in numpy in a few seconds, then quantised to int8
after training (per-tensor scales from the training data, int32 biases) and
serialised as a TFLite flatbuffer with the `flatbuffers` package:
FULLY_CONNECTED x 3 and SOFTMAX, the operators microflow runs.

Writes models/gesture.tflite, data/shake.samples and data/circle.samples
(one held-out gesture each, quantised as the model's input), and prints the
float and int8 accuracies on held-out data and what the int8 model gives
the two samples (the example checks the same classes on the device).

    pip install numpy flatbuffers
    python3 examples/gesture/tools/train.py

Deterministic: the same numpy and seed give the same files.
"""
import pathlib

import flatbuffers
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent.parent
CLASSES = ["idle", "shake", "circle", "tap"]
STEPS, AXES = 128, 3
rng = np.random.default_rng(20261203)


def gesture(kind):
    t = np.arange(STEPS) / 100.0
    x = np.zeros((STEPS, AXES))
    x[:, 2] = 1.0  # gravity on z
    if kind == "shake":
        f = rng.uniform(4.0, 7.0)
        x[:, 0] += rng.uniform(0.8, 1.5) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    elif kind == "circle":
        f = rng.uniform(0.8, 1.6)
        a = rng.uniform(0.5, 1.0)
        p = rng.uniform(0, 2 * np.pi)
        x[:, 0] += a * np.sin(2 * np.pi * f * t + p)
        x[:, 1] += a * np.cos(2 * np.pi * f * t + p)
    elif kind == "tap":
        for at in rng.choice(np.arange(10, STEPS - 10), size=2, replace=False):
            x[at, 2] += rng.uniform(1.5, 2.5)
            x[at + 1, 2] -= rng.uniform(0.5, 1.0)
    x += rng.normal(0, 0.08, x.shape)
    return x.reshape(-1)


def dataset(per_class):
    xs, ys = [], []
    for c, kind in enumerate(CLASSES):
        for _ in range(per_class):
            xs.append(gesture(kind))
            ys.append(c)
    return np.array(xs, dtype=np.float32), np.array(ys)


def train(x, y, sizes, steps=300, lr=2e-3):
    params = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        params.append([rng.normal(0, np.sqrt(2.0 / n_in), (n_in, n_out)).astype(np.float32), np.zeros(n_out, np.float32)])
    m = [[np.zeros_like(w), np.zeros_like(b)] for w, b in params]
    v = [[np.zeros_like(w), np.zeros_like(b)] for w, b in params]
    onehot = np.eye(sizes[-1])[y]
    for step in range(1, steps + 1):
        acts = [x]
        for i, (w, b) in enumerate(params):
            z = acts[-1] @ w + b
            acts.append(np.maximum(z, 0) if i < len(params) - 1 else z)
        z = acts[-1] - acts[-1].max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        grad = (p - onehot) / len(x)
        for i in reversed(range(len(params))):
            w, b = params[i]
            gw, gb = acts[i].T @ grad, grad.sum(axis=0)
            if i > 0:
                grad = (grad @ w.T) * (acts[i] > 0)
            for j, g in enumerate((gw, gb)):
                m[i][j] = 0.9 * m[i][j] + 0.1 * g
                v[i][j] = 0.999 * v[i][j] + 0.001 * g * g
                mh, vh = m[i][j] / (1 - 0.9**step), v[i][j] / (1 - 0.999**step)
                params[i][j] -= lr * mh / (np.sqrt(vh) + 1e-8)
    return params


def forward(x, params):
    for i, (w, b) in enumerate(params):
        x = x @ w + b
        if i < len(params) - 1:
            x = np.maximum(x, 0)
    return x


def qparams(lo, hi):
    """Asymmetric int8 scale and zero point covering [lo, hi] (0 included)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255.0
    zp = int(np.clip(round(-128 - lo / scale), -128, 127))
    return float(scale), zp


def quantise(params, x):
    """Per-tensor int8 quantisation, TensorFlow Lite's scheme."""
    layers = []
    s_in, zp_in = qparams(float(x.min()), float(x.max()))
    inputs = (s_in, zp_in)
    act = x
    for i, (w, b) in enumerate(params):
        s_w = float(np.abs(w).max() / 127.0)
        wq = np.clip(np.round(w / s_w), -127, 127).astype(np.int8)
        bq = np.round(b / (s_in * s_w)).astype(np.int32)
        act = act @ w + b
        if i < len(params) - 1:
            act = np.maximum(act, 0)
        s_out, zp_out = qparams(float(act.min()), float(act.max()))
        layers.append(dict(w=wq, s_w=s_w, b=bq, s_in=s_in, zp_in=zp_in, s_out=s_out, zp_out=zp_out, relu=i < len(params) - 1))
        s_in, zp_in = s_out, zp_out
    return inputs, layers


def run_int8(xq, layers):
    """The int8 model as an int8 engine runs it (float rescale per layer)."""
    a = xq.astype(np.int32)
    for l in layers:
        acc = (a - l["zp_in"]) @ l["w"].astype(np.int32) + l["b"]
        real = acc * (l["s_in"] * l["s_w"])
        if l["relu"]:
            real = np.maximum(real, 0)
        a = np.clip(np.round(real / l["s_out"]) + l["zp_out"], -128, 127).astype(np.int32)
    return a


def tflite(inputs, layers):
    """The TFLite flatbuffer: FULLY_CONNECTED per layer, then SOFTMAX."""
    b = flatbuffers.Builder(1024)

    def vector(values, fmt):
        prepend = {"i32": b.PrependInt32, "f32": b.PrependFloat32, "i64": b.PrependInt64, "u32": b.PrependUint32}[fmt]
        size = 8 if fmt == "i64" else 4
        b.StartVector(size, len(values), size)
        for v in reversed(values):
            prepend(v)
        return b.EndVector()

    def offsets(items):
        b.StartVector(4, len(items), 4)
        for o in reversed(items):
            b.PrependUOffsetTRelative(o)
        return b.EndVector()

    def data_buffer(raw):
        data = b.CreateNumpyVector(np.frombuffer(raw, dtype=np.uint8)) if raw else None
        b.StartObject(3)
        if data is not None:
            b.PrependUOffsetTRelativeSlot(0, data, 0)
        return b.EndObject()

    def quant(scale, zp):
        s, z = vector([scale], "f32"), vector([zp], "i64")
        b.StartObject(7)
        b.PrependUOffsetTRelativeSlot(2, s, 0)
        b.PrependUOffsetTRelativeSlot(3, z, 0)
        return b.EndObject()

    buffers = [b""]  # buffer 0: empty, as TFLite wants
    specs = []  # (name, shape, type, buffer, scale, zp)

    def tensor(name, shape, ty, raw, scale, zp):
        buf = 0
        if raw:
            buffers.append(raw)
            buf = len(buffers) - 1
        specs.append((name, shape, ty, buf, scale, zp))
        return len(specs) - 1

    INT8, INT32 = 9, 2
    s_in, zp_in = inputs
    n_in = layers[0]["w"].shape[1]
    prev = tensor("input", [1, n_in], INT8, b"", s_in, zp_in)
    ops = []
    for i, l in enumerate(layers):
        n_out = l["w"].shape[0]
        w = tensor(f"dense_{i}/weights", [n_out, l["w"].shape[1]], INT8, l["w"].tobytes(), l["s_w"], 0)
        bias = tensor(f"dense_{i}/bias", [n_out], INT32, l["b"].astype("<i4").tobytes(), l["s_in"] * l["s_w"], 0)
        out = tensor(f"dense_{i}/out", [1, n_out], INT8, b"", l["s_out"], l["zp_out"])
        ops.append((0, [prev, w, bias], [out], 1 if l["relu"] else 0))
        prev = out
    probs = tensor("probabilities", [1, layers[-1]["w"].shape[0]], INT8, b"", 1.0 / 256.0, -128)
    ops.append((1, [prev], [probs], None))

    buffer_offsets = [data_buffer(raw) for raw in buffers]
    tensor_offsets = []
    for name, shape, ty, buf, scale, zp in specs:
        n, sh, q = b.CreateString(name), vector(shape, "i32"), quant(scale, zp)
        b.StartObject(5)
        b.PrependUOffsetTRelativeSlot(0, sh, 0)
        b.PrependInt8Slot(1, ty, 0)
        b.PrependUint32Slot(2, buf, 0)
        b.PrependUOffsetTRelativeSlot(3, n, 0)
        b.PrependUOffsetTRelativeSlot(4, q, 0)
        tensor_offsets.append(b.EndObject())
    op_offsets = []
    for opcode, ins, outs, fused in ops:
        options = None
        if fused is not None:
            b.StartObject(4)  # FullyConnectedOptions
            b.PrependInt8Slot(0, fused, 0)
            options = b.EndObject()
        else:
            b.StartObject(1)  # SoftmaxOptions
            b.PrependFloat32Slot(0, 1.0, 0.0)
            options = b.EndObject()
        i_v, o_v = vector(ins, "i32"), vector(outs, "i32")
        b.StartObject(5)
        b.PrependUint32Slot(0, opcode, 0)
        b.PrependUOffsetTRelativeSlot(1, i_v, 0)
        b.PrependUOffsetTRelativeSlot(2, o_v, 0)
        b.PrependUint8Slot(3, 8 if fused is not None else 9, 0)
        b.PrependUOffsetTRelativeSlot(4, options, 0)
        op_offsets.append(b.EndObject())
    codes = []
    for code in (9, 25):  # FULLY_CONNECTED, SOFTMAX
        b.StartObject(4)
        b.PrependInt8Slot(0, code, 0)
        b.PrependInt32Slot(2, 1, 1)
        b.PrependInt32Slot(3, code, 0)
        codes.append(b.EndObject())
    t_v, op_v = offsets(tensor_offsets), offsets(op_offsets)
    g_in, g_out, g_name = vector([0], "i32"), vector([probs], "i32"), b.CreateString("main")
    b.StartObject(5)
    b.PrependUOffsetTRelativeSlot(0, t_v, 0)
    b.PrependUOffsetTRelativeSlot(1, g_in, 0)
    b.PrependUOffsetTRelativeSlot(2, g_out, 0)
    b.PrependUOffsetTRelativeSlot(3, op_v, 0)
    b.PrependUOffsetTRelativeSlot(4, g_name, 0)
    graph = b.EndObject()
    codes_v, graphs_v, bufs_v = offsets(codes), offsets([graph]), offsets(buffer_offsets)
    desc = b.CreateString("bluegen examples/gesture: 384-256-128-4 MLP, int8")
    b.StartObject(5)
    b.PrependUint32Slot(0, 3, 0)
    b.PrependUOffsetTRelativeSlot(1, codes_v, 0)
    b.PrependUOffsetTRelativeSlot(2, graphs_v, 0)
    b.PrependUOffsetTRelativeSlot(3, desc, 0)
    b.PrependUOffsetTRelativeSlot(4, bufs_v, 0)
    model = b.EndObject()
    b.Finish(model, file_identifier=b"TFL3")
    return bytes(b.Output())


def main():
    x, y = dataset(200)
    xt, yt = dataset(50)
    params = train(x, y, [STEPS * AXES, 256, 128, len(CLASSES)])
    acc = (forward(xt, params).argmax(axis=1) == yt).mean()
    inputs, layers = quantise(params, x)
    s_in, zp_in = inputs
    q = lambda v: np.clip(np.round(v / s_in) + zp_in, -128, 127).astype(np.int8)
    acc8 = (run_int8(q(xt), layers).argmax(axis=1) == yt).mean()
    print(f"held-out accuracy: float {acc:.3f}, int8 {acc8:.3f}")
    for l in layers:
        l["w"] = l["w"].T.copy()  # TFLite keeps [out, in]
    (HERE / "models" / "gesture.tflite").write_bytes(tflite(inputs, layers))
    for l in layers:
        l["w"] = l["w"].T.copy()
    for kind in ("shake", "circle"):
        sample = q(xt[list(yt).index(CLASSES.index(kind))])
        (HERE / "data" / f"{kind}.samples").write_bytes(sample.tobytes())
        out = run_int8(sample[None, :], layers)[0]
        print(f"{kind}: int8 logits {[int(v) for v in out]} -> {CLASSES[int(out.argmax())]}")
    print(f"input scale {s_in:.6f} zero point {zp_in}; models/gesture.tflite {(HERE / 'models' / 'gesture.tflite').stat().st_size} bytes")


if __name__ == "__main__":
    main()
