//! Device interrupts: the vector entries after the 16 system ones, NVIC set-up, pending.
//!
//! An image that declares `[interrupts.<name>]` invokes [`device_vectors!`]
//! with the chip's interrupt count and its handlers: the macro puts a table
//! of that many entries in section `.vector_table.irqs`, which the image's
//! linker script places right after the system entries, and each declared
//! IRQ's entry calls its handler (the others end the run with a failure,
//! like every unexpected exception). [`enable`] writes each declared IRQ's
//! NVIC priority and enable bit at boot, before the kernel unmasks
//! interrupts; [`unmask`] and [`mask`] set and clear a declared IRQ's
//! enable bit at run time (`port::enable_irq`, `port::disable_irq`). An image without interrupts invokes none of this: no table,
//! no code.
//!
//! A handler runs in handler mode on the main stack. The kernel's critical
//! sections mask every interrupt (PRIMASK), so a handler's give/post/send
//! is safe, and PendSV, at the lowest priority, switches threads once the
//! last handler returns: a handler that wakes a higher-priority thread
//! switches to it on return.

/// One declared interrupt as the NVIC sees it: its IRQ number and its
/// priority byte (the implemented bits at the top, 0 most urgent).
#[derive(Clone, Copy)]
pub struct Irq {
    number: u16,
    priority: u8,
}

impl Irq {
    /// IRQ `number` at device.toml `priority` (1 lowest .. 2^bits - 1
    /// highest, where `bits` are the priority bits the NVIC implements):
    /// NVIC level 2^bits - 1 - priority, so that the lowest level, 2^bits - 1,
    /// stays PendSV's. bluegen checked both against the board's data.
    pub const fn new(number: u16, priority: u8, bits: u8) -> Irq {
        let level = ((1u16 << bits) - 1).saturating_sub(priority as u16) as u8;
        Irq { number, priority: level << (8 - bits) }
    }
}

/// NVIC Interrupt Set-Enable, Clear-Enable, Set-Pending and Priority registers.
const NVIC_ISER: usize = 0xE000_E100;
const NVIC_ICER: usize = 0xE000_E180;
const NVIC_ISPR: usize = 0xE000_E200;
const NVIC_IPR: usize = 0xE000_E400;

/// Writes each IRQ's priority and then enables it. Called by the image's
/// boot entry with interrupts still masked (PRIMASK, until the kernel
/// starts), so no handler runs before its priority is set.
pub fn enable(irqs: &[Irq]) {
    for irq in irqs {
        let n = usize::from(irq.number);
        // SAFETY: ISER and IPR are the NVIC's architected registers on every
        // M profile core. IPR is written a word at a time (ARMv6-M has no
        // byte access), changing only this IRQ's byte; setting an ISER bit
        // only enables that IRQ, whose vector the image's table holds.
        unsafe {
            let ipr = (NVIC_IPR + (n / 4) * 4) as *mut u32;
            let shift = (n % 4) * 8;
            ipr.write_volatile((ipr.read_volatile() & !(0xFF << shift)) | u32::from(irq.priority) << shift);
            ((NVIC_ISER + (n / 32) * 4) as *mut u32).write_volatile(1 << (n % 32));
        }
    }
}

/// Pends IRQ `irq` through ISPR (every M profile has it; STIR is not on
/// ARMv6-M); `false` for an IRQ beyond the architecture's 496. A disabled
/// one stays pending.
pub fn pend(irq: u16) -> bool {
    write_bit(NVIC_ISPR, irq)
}

/// Enables IRQ `irq` through ISER at run time; `false` for an IRQ beyond
/// the architecture's 496. The port asks only for a declared IRQ, whose
/// priority the boot entry wrote and whose vector the image's table holds;
/// one pended while disabled is taken now.
pub fn unmask(irq: u16) -> bool {
    write_bit(NVIC_ISER, irq)
}

/// Disables IRQ `irq` through ICER; `false` for an IRQ beyond the
/// architecture's 496. A request that comes while it is disabled stays
/// pending in the NVIC; no handler of it starts after this returns.
pub fn mask(irq: u16) -> bool {
    write_bit(NVIC_ICER, irq)
}

/// Writes IRQ `irq`'s 1 bit into the NVIC's write-one bank at `bank`
/// (ISER, ICER or ISPR), then `dsb; isb`, so that the change takes effect
/// before the next instruction (ARM's rule for a disable; an enabled,
/// pending one is taken at once).
#[inline(always)]
fn write_bit(bank: usize, irq: u16) -> bool {
    let n = usize::from(irq);
    if n >= 496 {
        return false;
    }
    // SAFETY: ISER, ICER and ISPR are the NVIC's architected write-one
    // registers on every M profile core: a 1 bit enables, disables or
    // pends only that IRQ (enables only come for declared IRQs, whose
    // vectors the image's table holds; an undeclared entry ends the run).
    unsafe {
        ((bank + (n / 32) * 4) as *mut u32).write_volatile(1 << (n % 32));
        core::arch::asm!("dsb", "isb", options(nomem, nostack, preserves_flags));
    }
    true
}

/// The device IRQ whose handler runs now: IPSR holds the active
/// exception, 16 + n for device IRQ n (below 16: thread mode or a system
/// exception, such as the kernel's SysTick and PendSV).
pub fn active() -> Option<u16> {
    let ipsr: u32;
    // SAFETY: reads IPSR; no side effect.
    unsafe { core::arch::asm!("mrs {0}, IPSR", out(reg) ipsr, options(nomem, nostack, preserves_flags)) };
    (ipsr >= 16).then(|| (ipsr - 16) as u16)
}

/// A device IRQ's vector entry: a handler the hardware calls with the
/// caller-saved registers stacked, so a plain `extern "C" fn()`.
pub type Vector = extern "C" fn();

/// The entry of every device IRQ the device does not declare: ends the run
/// with a failure, as every unexpected exception does.
pub extern "C" fn unexpected() {
    bluegen_port::exit(1)
}

/// The device IRQ vectors: `device_vectors!(32; 8 => app::on_timer, ...)`
/// puts a table of 32 entries in `.vector_table.irqs`, entry 8 calling
/// `app::on_timer` (a `fn()`) and every undeclared one [`unexpected`].
#[macro_export]
macro_rules! device_vectors {
    ($count:literal; $($irq:literal => $handler:path),* $(,)?) => {
        // SAFETY: the section holds only this table, which the image's
        // linker script places right after the 16 system entries, where the
        // core looks up device IRQ n at word 16 + n; every entry is a
        // `extern "C" fn()`, as the hardware calls it.
        #[unsafe(link_section = ".vector_table.irqs")]
        #[used]
        static __BLUEGEN_DEVICE_VECTORS: [$crate::irq::Vector; $count] = {
            let mut table: [$crate::irq::Vector; $count] = [$crate::irq::unexpected; $count];
            $({
                extern "C" fn entry() {
                    $handler()
                }
                table[$irq] = entry;
            })*
            table
        };
    };
}
