//! Generates the Rust bindings of the C driver's headers with bindgen.
//!
//! The functions of `drivers/tmp105/tmp105.h` and the bus primitives of
//! `sbcon.h`, for the image's target (bindgen passes cargo's TARGET to
//! clang; clang's own headers give `<stdint.h>`), into
//! `$OUT_DIR/bindings.rs`, which src/lib.rs includes.

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../drivers/tmp105");
    let headers = [dir.join("tmp105.h"), dir.join("sbcon.h")];
    let mut builder = bindgen::Builder::default().use_core().allowlist_function("tmp105_.*").allowlist_function("sbcon_(start|stop|byte_out|byte_in)");
    for header in &headers {
        println!("cargo::rerun-if-changed={}", header.display());
        builder = builder.header(header.display().to_string());
    }
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bindings.rs");
    match builder.generate() {
        Ok(bindings) => bindings.write_to_file(&out).expect("OUT_DIR is writable"),
        Err(e) => {
            // A message of its own, not a panic's backtrace.
            eprintln!("error: bindgen could not read the C driver's headers: {e}");
            std::process::exit(1);
        }
    }
}
