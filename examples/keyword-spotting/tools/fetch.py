#!/usr/bin/env python3
"""Fetches the models and samples examples/keyword-spotting and examples/bench-models ship, from crates.io, and checks them.

- models/speech.tflite: the micro_speech yes/no model (TinyConv, int8),
  from the `microflow` crate 0.1.3 (MIT OR Apache-2.0), models/speech.tflite.
- data/yes.features, data/no.features: one second of audio each, as the 49 x 40
  spectrogram features micro_speech's front end makes, from the `tfmicro` crate
  0.1.0 (Apache-2.0; TensorFlow's micro_speech test data), files
  examples/models/yes_micro_f2e59fea_nohash_1.data and
  no_micro_f9643d42_nohash_4.data. Those are uint8 features (the older model's
  input); the int8 model takes the same values less 128, which this script
  writes as signed bytes.
- bench-models also gets speech.tflite and yes.features, and from microflow
  models/person_detect.tflite (MobileNet v1 person detection, 96 x 96 int8,
  294 KB) and models/sine.tflite; and from tfmicro
  examples/models/person_image_data_grayscale.data, a 96 x 96 grayscale
  photo of a person, less 128 as signed bytes (data/person.image).

Run from anywhere: `python3 examples/keyword-spotting/tools/fetch.py`. It
rewrites the three files and fails if a download's checksum is not the one
recorded here. Standard library only.
"""
import hashlib
import io
import pathlib
import sys
import tarfile
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent.parent
BENCH = HERE.parent / "bench-models"
CRATES = {
    "microflow-0.1.3": "https://static.crates.io/crates/microflow/microflow-0.1.3.crate",
    "tfmicro-0.1.0": "https://static.crates.io/crates/tfmicro/tfmicro-0.1.0.crate",
}
# SHA-256 of what the example keeps, so a changed upstream file is noticed.
EXPECTED = {
    "models/speech.tflite": "09e5e2a9dfb2d8ed78802bf18ce297bff54281a66ca18e0c23d69ca14f822a83",
    "data/yes.features": "484eb94de4b5d157929e34bf033a74880472c8ab18533e42fbec0e6901247225",
    "data/no.features": "67b45726d472d2cd9eb9cea42827fc42c452b31a00882b2aa9a584d926939631",
    "models/person_detect.tflite": "808cfdfc0cf3a6fa6f6fa26bfa379ea97c16d5db7334637766e39c3408502e9d",
    "models/sine.tflite": "780cc6ff8ecec39193e3f32a877af73385c9d6abc39f47d0e846a22d808f65df",
    "data/person.image": "d4ebdafe351a7b7851c3d087fb7ec798c739badcd7e248dcb81fa92dd572aaed",
}


CACHE = {}


def crate_file(crate, path):
    if crate not in CACHE:
        CACHE[crate] = urllib.request.urlopen(CRATES[crate], timeout=60).read()
    data = CACHE[crate]
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return tar.extractfile(f"{crate}/{path}").read()


def main():
    out = {
        "models/speech.tflite": crate_file("microflow-0.1.3", "models/speech.tflite"),
    }
    for word, name in [("yes", "yes_micro_f2e59fea_nohash_1.data"), ("no", "no_micro_f9643d42_nohash_4.data")]:
        raw = crate_file("tfmicro-0.1.0", f"examples/models/{name}")
        if len(raw) != 49 * 40:
            sys.exit(f"{name}: {len(raw)} bytes, not 49 x 40 features")
        out[f"data/{word}.features"] = bytes((b - 128) & 0xFF for b in raw)
    bench = {rel: out[rel] for rel in ["models/speech.tflite", "data/yes.features"]}
    for name in ["person_detect", "sine"]:
        bench[f"models/{name}.tflite"] = crate_file("microflow-0.1.3", f"models/{name}.tflite")
    raw = crate_file("tfmicro-0.1.0", "examples/models/person_image_data_grayscale.data")
    if len(raw) != 96 * 96:
        sys.exit(f"person image: {len(raw)} bytes, not 96 x 96")
    bench["data/person.image"] = bytes((b - 128) & 0xFF for b in raw)
    write(HERE, out)
    write(BENCH, bench)


def write(base, files):
    for rel, data in files.items():
        digest = hashlib.sha256(data).hexdigest()
        want = EXPECTED[rel]
        if want is not None and digest != want:
            sys.exit(f"{rel}: sha256 {digest}, expected {want}")
        (base / rel).write_bytes(data)
        print(f"{base.name}/{rel}: {len(data)} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
