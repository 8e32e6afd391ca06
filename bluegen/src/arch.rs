//! The architecture families bluegen builds for: what each implies for a board and its image.

use serde::Serialize;

/// The CPU architecture family, which picks the startup component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arch {
    CortexM,
    Riscv,
    /// Armv8-A, 64-bit (EL1).
    Aarch64,
}

impl Arch {
    pub fn as_str(self) -> &'static str {
        match self {
            Arch::CortexM => "cortex-m",
            Arch::Riscv => "riscv",
            Arch::Aarch64 => "aarch64",
        }
    }

    /// Bytes bluegen adds to every thread's stack: AArch64's preempted
    /// thread keeps an 800-byte record (x0–x30, ELR, SPSR, FPCR, FPSR and
    /// the 32 128-bit FP/SIMD registers) that a `stack` sized for the
    /// Cortex-M and RISC-V frames (at most 256 bytes) does not hold.
    pub fn stack_extra(self) -> u32 {
        match self {
            Arch::Aarch64 => 800,
            Arch::CortexM | Arch::Riscv => 0,
        }
    }

    /// Why arch-aarch64's translation table (four 1 GiB blocks over the
    /// 32-bit address space, one kind of memory each) cannot map a flash or
    /// RAM region `origin..origin + size`; none on the other archs, or when
    /// it can.
    pub fn unmappable(self, origin: u64, size: u64) -> Option<String> {
        let end = u128::from(origin) + u128::from(size);
        let crosses = end > 1 << 32 || origin >> 30 != (origin + size.max(1) - 1) >> 30;
        (self == Arch::Aarch64 && crosses).then(|| {
            format!("the region {origin:#x}..{end:#x} crosses a 1 GiB boundary or 4 GiB: the AArch64 start-up maps the 32-bit address space in four 1 GiB blocks, one kind of memory each")
        })
    }

    /// The architecture of a Rust target triple.
    pub fn of_target(target: &str) -> Arch {
        if target.starts_with("riscv") {
            Arch::Riscv
        } else if target.starts_with("aarch64") {
            Arch::Aarch64
        } else {
            Arch::CortexM
        }
    }

    /// The component crate (directory in components/) with this arch's startup.
    pub fn component(self) -> String {
        format!("arch-{}", self.as_str())
    }
}
