#!/usr/bin/env python3
"""Fetches what examples/keyword-spotting ships, from crates.io, and checks it.

- models/speech.tflite: the micro_speech yes/no model (TinyConv, int8),
  from the `microflow` crate 0.1.3 (MIT OR Apache-2.0), models/speech.tflite.
- data/yes.features, data/no.features: one second of audio each, as the 49 x 40
  spectrogram features micro_speech's front end makes, from the `tfmicro` crate
  0.1.0 (Apache-2.0; TensorFlow's micro_speech test data), files
  examples/models/yes_micro_f2e59fea_nohash_1.data and
  no_micro_f9643d42_nohash_4.data. Those are uint8 features (the older model's
  input); the int8 model takes the same values less 128, which this script
  writes as signed bytes.

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
CRATES = {
    "microflow-0.1.3": "https://static.crates.io/crates/microflow/microflow-0.1.3.crate",
    "tfmicro-0.1.0": "https://static.crates.io/crates/tfmicro/tfmicro-0.1.0.crate",
}
# SHA-256 of what the example keeps, so a changed upstream file is noticed.
EXPECTED = {
    "models/speech.tflite": "09e5e2a9dfb2d8ed78802bf18ce297bff54281a66ca18e0c23d69ca14f822a83",
    "data/yes.features": "484eb94de4b5d157929e34bf033a74880472c8ab18533e42fbec0e6901247225",
    "data/no.features": "67b45726d472d2cd9eb9cea42827fc42c452b31a00882b2aa9a584d926939631",
}


def crate_file(crate, path):
    data = urllib.request.urlopen(CRATES[crate], timeout=60).read()
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
    for rel, data in out.items():
        digest = hashlib.sha256(data).hexdigest()
        want = EXPECTED[rel]
        if want is not None and digest != want:
            sys.exit(f"{rel}: sha256 {digest}, expected {want}")
        (HERE / rel).write_bytes(data)
        print(f"{rel}: {len(data)} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
