//! Hardware stack limit on ARMv8-M mainline: PSPLIM and the UsageFault.
//!
//! On every switch the kernel hands over the lowest address the next thread
//! may push to (the top of its red zone); PendSV writes it to PSPLIM before
//! it loads the thread's PSP. A push below it (a call, an exception frame)
//! raises a UsageFault with CFSR.STKOF instead of writing past the stack.
//! The UsageFault is enabled, so it comes here rather than to HardFault:
//! a stack overflow prints "fault: stack limit (PSPLIM) exceeded" and calls
//! the image's `__bluegen_stack_overflow`, which names the running thread
//! and fails the run; any other usage fault goes to the HardFault handler
//! (the stack check, then the fault report or a silent failure).

/// System Handler Control and State Register; bit 18 enables UsageFault.
const SHCSR: usize = 0xE000_ED24;
/// Configurable Fault Status Register; bit 20 (UFSR.STKOF) is a stack limit
/// violation.
const CFSR: usize = 0xE000_ED28;
const STKOF: u32 = 1 << 20;

fault_entry!("__bluegen_usagefault", "__bluegen_usage_fault");

/// Enables the UsageFault exception, so stack overflows come to it.
pub fn enable() {
    // SAFETY: SHCSR is an architected System Control Block register;
    // setting USGFAULTENA only routes usage faults to their own handler.
    unsafe {
        let shcsr = SHCSR as *mut u32;
        shcsr.write_volatile(shcsr.read_volatile() | 1 << 18);
    }
}

/// Sets PSPLIM, the lowest address the process stack may reach.
pub fn set(limit: usize) {
    // SAFETY: called from PendSV (handler mode, on MSP) right before it
    // loads the next thread's PSP, which lies above `limit`; PSPLIM only
    // bounds later pushes on PSP.
    unsafe { core::arch::asm!("msr psplim, {0}", in(reg) limit, options(nomem, nostack, preserves_flags)) };
}

/// The UsageFault handler past its assembly entry: `frame` is the
/// exception frame (for the fault report).
#[unsafe(no_mangle)]
extern "C" fn __bluegen_usage_fault(frame: *const u32) -> ! {
    // SAFETY: reading CFSR has no side effect.
    let cfsr = unsafe { (CFSR as *const u32).read_volatile() };
    if cfsr & STKOF != 0 {
        bluegen_port::console_write(b"\nfault: stack limit (PSPLIM) exceeded");
        bluegen_port::kernel::stack_overflow();
    }
    crate::fault::__bluegen_hard_fault(frame)
}
