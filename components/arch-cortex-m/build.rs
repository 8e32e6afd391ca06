//! Names the M profile variant for the code: `armv8m_main` on ARMv8-M
//! mainline targets (`thumbv8m.main-*`), whose cores have the PSPLIM stack
//! limit register, and `thumb2` on every core with Thumb-2 (all but ARMv6-M
//! and ARMv8-M baseline), where PendSV saves registers in one instruction.
//! Rust's `target_feature` cfgs for Arm are not stable, so the target
//! triple decides.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(armv8m_main)");
    println!("cargo::rustc-check-cfg=cfg(thumb2)");
    println!("cargo::rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.starts_with("thumbv8m.main") {
        println!("cargo::rustc-cfg=armv8m_main");
    }
    if ["thumbv7m", "thumbv7em", "thumbv8m.main"].iter().any(|t| target.starts_with(t)) {
        println!("cargo::rustc-cfg=thumb2");
    }
}
