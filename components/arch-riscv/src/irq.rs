//! Device interrupts on RISC-V: the PLIC's external sources and software interrupts on the CLINT's msip.
//!
//! An image that declares `[interrupts.<name>]` turns on this crate's
//! `interrupts` feature (Kconfig `INTERRUPTS`) and invokes [`interrupts!`]
//! with its handlers; an image without interrupts has none of this, and its
//! trap is the one of before, byte for byte.
//!
//! * **PLIC** (machine external interrupt, `mcause` 11): the trap claims
//!   the source (hart 0's M-mode context), calls its handler and completes
//!   it, until no source is pending. [`enable`] writes each declared
//!   source's priority and enable bit and the context's threshold (0) at
//!   boot, and sets `mie.MEIE`.
//! * **Software interrupts** (`soft0`.. on the board, numbers `irqs + N`):
//!   the CLINT has one machine software interrupt per hart, and it is the
//!   kernel's switch already (a switch asked for with interrupts masked
//!   pends it). [`pend`] sets the interrupt's bit in a pending set and
//!   pends msip; the machine software trap runs every pending handler,
//!   highest priority first (the order [`interrupts!`] lists them in), and
//!   then makes the switch decision, so a handler that wakes a
//!   higher-priority thread switches to it on return.
//! * **At run time** [`mask`] and [`unmask`] (`port::disable_irq`,
//!   `port::enable_irq`) clear and set a declared PLIC source's enable bit,
//!   or a software interrupt's bit in a kernel mask: a software interrupt
//!   pended while disabled stays pending, held apart from the set the
//!   software trap dispatches, and runs once when enabled again, as a PLIC
//!   source raised while disabled does. The trap's dispatch does not change
//!   (no mask to test on every switch): [`pend`] tests the mask. Every
//!   declared one is enabled at boot.
//!
//! A handler runs in the trap with `mstatus.MIE` clear: machine mode without
//! a CLIC has no nesting, so a higher-priority interrupt waits for the
//! running handler to return (their priorities order the PLIC's claims and
//! the software handlers' dispatch). [`active`] tells which handler runs,
//! for the kernel's blocking-call guard.

use core::sync::atomic::AtomicU32;
use core::sync::atomic::Ordering::Relaxed;

/// `mcause` of the machine software and the machine external interrupt.
const MACHINE_SOFTWARE: usize = 1 << (usize::BITS - 1) | 3;
const MACHINE_EXTERNAL: usize = 1 << (usize::BITS - 1) | 11;
/// Hart 0's msip in the board's CLINT.
const MSIP: usize = bluegen_config::CLINT_BASE as usize;
/// The PLIC's registers for hart 0's M-mode context (context 0 on QEMU virt).
const PLIC: usize = bluegen_config::PLIC_BASE as usize;
const PLIC_ENABLE: usize = PLIC + 0x2000;
const PLIC_THRESHOLD: usize = PLIC + 0x20_0000;
const PLIC_CLAIM: usize = PLIC + 0x20_0004;

/// The software interrupts pended and not yet run, one bit each.
static PENDING: AtomicU32 = AtomicU32::new(0);
/// The software interrupts disabled at run time ([`mask`]), one bit each
/// (the bits of [`PENDING`]). None at boot.
static DISABLED: AtomicU32 = AtomicU32::new(0);
/// The disabled software interrupts pended and not yet run: held out of
/// [`PENDING`], so that the trap's dispatch stays as it is without
/// masking (the check is in [`pend`], [`mask`] and [`unmask`]), and moved
/// back into it by [`unmask`].
static HELD: AtomicU32 = AtomicU32::new(0);
/// The IRQ number of the handler running now; `NONE` between handlers.
static ACTIVE: AtomicU32 = AtomicU32::new(NONE);
const NONE: u32 = u32::MAX;

// SAFETY: `interrupts!` below defines each function once per image, with
// `#[unsafe(no_mangle)]` and exactly these signatures; none has a
// precondition.
unsafe extern "Rust" {
    /// The highest-priority software interrupt of `pending`: its bit, IRQ
    /// number and handler.
    safe fn __bluegen_irq_soft(pending: u32) -> Option<(u32, u16, fn())>;
    /// The bit of declared software interrupt `irq`.
    safe fn __bluegen_irq_soft_bit(irq: u16) -> Option<u32>;
    /// The handler of declared PLIC source `source`.
    safe fn __bluegen_irq_plic(source: u32) -> Option<fn()>;
}

/// One declared PLIC source and its priority (1 lowest .. 7 highest on virt).
#[derive(Clone, Copy)]
pub struct Plic {
    source: u16,
    priority: u8,
}

impl Plic {
    /// Source `source` at device.toml `priority`; bluegen checked both.
    pub const fn new(source: u16, priority: u8) -> Plic {
        Plic { source, priority }
    }
}

/// Writes each source's priority and enable bit, threshold 0, then sets
/// `mie.MEIE`. Called by the image's boot entry with `mstatus.MIE` still
/// clear (until the kernel starts), so no handler runs before it is set up.
pub fn enable(sources: &[Plic]) {
    for s in sources {
        let n = usize::from(s.source);
        // SAFETY: the board's PLIC (Kconfig PLIC_BASE): its priority
        // register of source n and hart 0 M-mode's enable word holding bit
        // n; the read-modify-write only sets that bit, and the image's
        // table has the source's handler.
        unsafe {
            ((PLIC + 4 * n) as *mut u32).write_volatile(u32::from(s.priority));
            let word = (PLIC_ENABLE + (n / 32) * 4) as *mut u32;
            word.write_volatile(word.read_volatile() | 1 << (n % 32));
        }
    }
    // SAFETY: hart 0 M-mode's threshold (0: every priority above 0
    // interrupts), then mie.MEIE; interrupts come only once MIE is set.
    unsafe {
        (PLIC_THRESHOLD as *mut u32).write_volatile(0);
        core::arch::asm!("csrs mie, {0}", in(reg) 1usize << 11, options(nomem, nostack));
    }
}

/// Pends software interrupt `irq`: `false` unless the device declares it.
/// From a thread (interrupts on) its handler has run when this returns:
/// the `csrs mstatus` that ends the masked part lets the pending msip in
/// (QEMU takes it there, after the CSR write). From a handler it runs once
/// the trap's handlers before it are done. A disabled one ([`mask`]) stays
/// pending, and runs when it is enabled again.
pub fn pend(irq: u16) -> bool {
    let Some(bit) = __bluegen_irq_soft_bit(irq) else { return false };
    masked(|| {
        if DISABLED.load(Relaxed) & bit != 0 {
            HELD.store(HELD.load(Relaxed) | bit, Relaxed);
        } else {
            PENDING.store(PENDING.load(Relaxed) | bit, Relaxed);
            raise_msip();
        }
    });
    true
}

/// Runs `f` with interrupts masked (`mstatus.MIE`), then sets again the
/// bits the mask found set, as `Arch::lock` and `Arch::unlock` do: for the
/// read-modify-writes of the sets the trap also writes.
#[inline(always)]
fn masked<R>(f: impl FnOnce() -> R) -> R {
    let mstatus: usize;
    // SAFETY: clears mstatus.MIE. Not `nomem`: the asm is a compiler
    // barrier, so `f`'s accesses stay between the mask and the unmask.
    unsafe { core::arch::asm!("csrrci {0}, mstatus, 8", out(reg) mstatus, options(nostack)) };
    let r = f();
    // SAFETY: sets again the mstatus bits the mask found set (MIE if it was
    // on); a compiler barrier like the mask. A pending msip is taken here.
    unsafe { core::arch::asm!("csrs mstatus, {0}", in(reg) mstatus, options(nostack)) };
    r
}

/// Pends the machine software interrupt, whose trap runs the pending
/// software handlers, and waits until `mip.MSIP` shows it. With interrupts
/// masked (inside [`masked`]).
#[inline(always)]
fn raise_msip() {
    // SAFETY: hart 0's msip of the board's CLINT: writing 1 only pends the
    // machine software interrupt, whose trap runs the pending handlers.
    unsafe { (MSIP as *mut u32).write_volatile(1) };
    // On hardware the MMIO write may reach the CLINT later than the next
    // instruction: wait until mip.MSIP shows it, so the unmask after takes
    // the interrupt (QEMU sets it at once: one read).
    loop {
        let mip: usize;
        // SAFETY: reads the mip CSR; no side effect.
        unsafe { core::arch::asm!("csrr {0}, mip", out(reg) mip, options(nomem, nostack)) };
        if mip & 8 != 0 {
            break;
        }
    }
}

/// Enables declared interrupt `irq` at run time: a PLIC source's enable
/// bit in hart 0's M-mode context, or a software interrupt's bit of the
/// kernel's mask ([`mask`]); one pended while disabled moves from the held
/// set to the pending one and msip is pended, so that its handler runs
/// (from a thread: before this returns). `false` for any other number.
pub fn unmask(irq: u16) -> bool {
    if let Some(bit) = __bluegen_irq_soft_bit(irq) {
        masked(|| {
            DISABLED.store(DISABLED.load(Relaxed) & !bit, Relaxed);
            let held = HELD.load(Relaxed);
            if held & bit != 0 {
                HELD.store(held & !bit, Relaxed);
                PENDING.store(PENDING.load(Relaxed) | bit, Relaxed);
                raise_msip();
            }
        });
        true
    } else {
        plic_enable(irq, true)
    }
}

/// Disables declared interrupt `irq`: clears a PLIC source's enable bit
/// (the PLIC keeps a raised source pending, and the trap claims it once it
/// is enabled again), or sets a software interrupt's bit of the kernel's
/// mask: one pended while disabled (or pended before and not run yet) is
/// held out of the set the machine software trap dispatches, and runs
/// once when enabled. `false` for any other number.
pub fn mask(irq: u16) -> bool {
    if let Some(bit) = __bluegen_irq_soft_bit(irq) {
        masked(|| {
            DISABLED.store(DISABLED.load(Relaxed) | bit, Relaxed);
            // Pended and not run yet (by a handler, or a thread with
            // interrupts masked): held until enabled.
            let pending = PENDING.load(Relaxed);
            if pending & bit != 0 {
                PENDING.store(pending & !bit, Relaxed);
                HELD.store(HELD.load(Relaxed) | bit, Relaxed);
            }
        });
        true
    } else {
        plic_enable(irq, false)
    }
}

/// Sets (`on`) or clears the enable bit of declared PLIC source `irq` in
/// hart 0's M-mode context; `false` when the device declares no such
/// source.
fn plic_enable(irq: u16, on: bool) -> bool {
    if __bluegen_irq_plic(u32::from(irq)).is_none() {
        return false;
    }
    let n = usize::from(irq);
    let word = (PLIC_ENABLE + (n / 32) * 4) as *mut u32;
    masked(|| {
        // SAFETY: the board's PLIC (Kconfig PLIC_BASE): hart 0 M-mode's
        // enable word holding bit n, read-modified-written with interrupts
        // masked (a handler may change the same word), changing only that
        // bit; a declared source's handler is in the image's table. Then
        // the source's priority register gets the value it holds: no
        // change on hardware, but QEMU 7.2's PLIC reevaluates its output
        // only on such writes (not on an enable write), so a source that
        // was raised while disabled interrupts now (and one disabled stops
        // asserting at once). The read back of the enable word, a load
        // from the same device after the stores, returns once they are
        // done in the PLIC's strongly ordered I/O region, so it takes
        // effect before the unmask.
        unsafe {
            let old = word.read_volatile();
            word.write_volatile(if on { old | 1 << (n % 32) } else { old & !(1 << (n % 32)) });
            let priority = (PLIC + 4 * n) as *mut u32;
            priority.write_volatile(priority.read_volatile());
            word.read_volatile();
        }
    });
    true
}

/// The IRQ number of the handler that runs now, if any.
pub fn active() -> Option<u16> {
    let irq = ACTIVE.load(Relaxed);
    (irq != NONE).then_some(irq as u16)
}

/// Runs `handler` of interrupt `irq`, marked active while it runs.
#[inline(always)]
fn run(irq: u32, handler: fn()) {
    ACTIVE.store(irq, Relaxed);
    handler();
    ACTIVE.store(NONE, Relaxed);
}

/// Runs every pending software interrupt, highest priority first (one that
/// a handler pends or enables runs in the same loop), with msip clear at
/// the end: the switch decision that follows covers what the handlers
/// woke. A disabled one is never in [`PENDING`] (see [`HELD`]).
fn software() {
    loop {
        let pending = PENDING.load(Relaxed);
        let Some((bit, irq, handler)) = __bluegen_irq_soft(pending) else { break };
        PENDING.store(pending & !bit, Relaxed);
        run(u32::from(irq), handler);
    }
    clear_msip();
}

fn clear_msip() {
    // SAFETY: hart 0's msip of the board's CLINT; writing 0 only clears
    // the machine software interrupt.
    unsafe { (MSIP as *mut u32).write_volatile(0) };
}

/// Claims and runs PLIC sources until none is pending, completing each.
fn external() {
    loop {
        // SAFETY: hart 0 M-mode's claim register: reading claims the
        // highest-priority pending source (0: none).
        let source = unsafe { (PLIC_CLAIM as *const u32).read_volatile() };
        if source == 0 {
            return;
        }
        match __bluegen_irq_plic(source) {
            Some(handler) => run(source, handler),
            // Only declared sources are enabled: nothing else is claimed.
            None => unexpected(source),
        }
        // SAFETY: writing the claimed source back completes it, so the
        // PLIC may raise it again.
        unsafe { (PLIC_CLAIM as *mut u32).write_volatile(source) };
    }
}

/// A claimed PLIC source without a handler (none can be: only declared
/// sources are enabled): says so and fails the run.
#[cold]
#[inline(never)]
fn unexpected(source: u32) -> ! {
    let digits = [b'0' + (source / 10 % 10) as u8, b'0' + (source % 10) as u8];
    bluegen_port::console_write(b"\nunexpected PLIC interrupt, source ");
    bluegen_port::console_write(if source < 10 { &digits[1..] } else { &digits });
    bluegen_port::console_write(b"\n");
    bluegen_port::exit(1)
}

/// The trap's interrupt paths: the machine software interrupt (pending
/// software handlers, then the switch) and the machine external one
/// (PLIC handlers, then the switch when one asked for it). `None` for any
/// other `mcause`. The switch trap vector calls it first.
#[inline(always)]
pub fn trap(sp: usize, mcause: usize) -> Option<usize> {
    if mcause == MACHINE_SOFTWARE {
        software();
    } else if mcause == MACHINE_EXTERNAL {
        external();
        // SAFETY: hart 0's msip: a handler's wake-up pended the switch there.
        if unsafe { (MSIP as *const u32).read_volatile() } == 0 {
            return Some(sp);
        }
        software();
    } else {
        return None;
    }
    // SAFETY: a trap (MIE clear), for the `sp` the vector saved, and the
    // vector resumes the record of the stack pointer returned: the switch a
    // handler (or a critical section) pended, as the software trap makes it.
    Some(unsafe { bluegen_port::kernel::switch(sp) })
}

/// The image's interrupt table: `interrupts!(soft: 97 => app::on_a, 96 =>
/// app::on_b; base: 96; plic: 10 => app::on_rx)` — software interrupts
/// highest priority first (numbers from `base`, the board's `irqs`), then
/// PLIC sources.
#[macro_export]
macro_rules! interrupts {
    (soft: $($s:literal => $sh:path),* ; base: $base:literal ; plic: $($p:literal => $ph:path),* $(,)?) => {
        const _: () = {
            // SAFETY: the functions `bluegen_arch_riscv::irq` declares, each
            // defined once here with its declared signature.
            #[unsafe(no_mangle)]
            fn __bluegen_irq_soft(pending: u32) -> Option<(u32, u16, fn())> {
                let _ = pending;
                $(if pending & (1 << ($s - $base)) != 0 {
                    return Some((1 << ($s - $base), $s, $sh as fn()));
                })*
                None
            }

            #[unsafe(no_mangle)]
            fn __bluegen_irq_soft_bit(irq: u16) -> Option<u32> {
                match irq {
                    $($s => Some(1 << ($s - $base)),)*
                    _ => None,
                }
            }

            #[unsafe(no_mangle)]
            fn __bluegen_irq_plic(source: u32) -> Option<fn()> {
                match source {
                    $($p => Some($ph as fn()),)*
                    _ => None,
                }
            }
        };
    };
}
