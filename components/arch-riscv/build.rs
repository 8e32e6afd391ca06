//! Tells the crate whether the target has the F and D extensions.
//!
//! Stable rustc hides the `f` and `d` target features from
//! `cfg(target_feature)` (they are unstable features), though codegen uses
//! them on riscv64gc: the trap code reads them from the target's ISA letters
//! instead (`riscv64gc` → g = imafd; `riscv32imafc` → f), as
//! `cfg(bluegen_fpu)` (F) and `cfg(bluegen_fpu_d)` (D).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(bluegen_fpu)");
    println!("cargo::rustc-check-cfg=cfg(bluegen_fpu_d)");
    println!("cargo::rerun-if-env-changed=TARGET");
    let target = std::env::var("TARGET").unwrap_or_default();
    let isa = target.split('-').next().unwrap_or("");
    let Some(letters) = isa.strip_prefix("riscv32").or_else(|| isa.strip_prefix("riscv64")) else { return };
    // The single-letter extensions come before any `z…`/`x…` multi-letter one.
    let single: String = letters.chars().take_while(|c| !matches!(c, 'z' | 'x' | 's')).collect();
    let g = single.contains('g');
    if g || single.contains('f') {
        println!("cargo::rustc-cfg=bluegen_fpu");
    }
    if g || single.contains('d') {
        println!("cargo::rustc-cfg=bluegen_fpu_d");
    }
}
