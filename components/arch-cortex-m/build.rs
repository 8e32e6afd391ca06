//! Names the M profile variant for the code: `armv8m_main` on ARMv8-M
//! mainline targets (`thumbv8m.main-*`), whose cores have the PSPLIM stack
//! limit register. Rust's `target_feature` cfgs for Arm are not stable, so
//! the target triple decides.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(armv8m_main)");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var("TARGET").is_ok_and(|t| t.starts_with("thumbv8m.main")) {
        println!("cargo::rustc-cfg=armv8m_main");
    }
}
