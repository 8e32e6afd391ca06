//! Every thread by index: the device's table, then the spawn pool.

/// The name of thread `index`, if it is one of the device's or a spawn slot.
pub(crate) fn name_of(index: usize) -> Option<&'static str> {
    let table = bluegen_port::threads().get(index).map(|t| t.name);
    #[cfg(feature = "spawn")]
    let table = table.or_else(|| crate::pool::slot_of(index).map(crate::pool::name));
    table
}

/// Whether the red zone of thread `index`'s stack is broken at its top
/// word. Inlined: the switch and the tick check on every call (the scan
/// after a fault, [`for_each_stack`], checks the bottom word too).
#[cfg(feature = "stack-check")]
#[inline(always)]
pub(crate) fn red_zone_top_broken(index: usize) -> bool {
    if let Some(broken) = bluegen_port::red_zone_top_broken(index) {
        return broken;
    }
    #[cfg(feature = "spawn")]
    if let Some(stack) = crate::pool::slot_of(index).and_then(crate::pool::stack) {
        return crate::stack::red_zone_top_broken(stack);
    }
    false
}

/// The lowest address of thread `index`'s stack.
#[cfg(feature = "stack-check")]
pub(crate) fn stack_bottom(index: usize) -> Option<usize> {
    if let Some(t) = bluegen_port::threads().get(index) {
        return Some(t.stack_bottom());
    }
    #[cfg(feature = "spawn")]
    if let Some(stack) = crate::pool::slot_of(index).and_then(crate::pool::stack) {
        return Some(stack.as_ptr() as usize);
    }
    None
}

/// Calls `f` with the name, red-zone verdict and stack bottom of every
/// thread stack: the device's, then the pool's (their bounds live in flash
/// or are link-time constants, not in RAM an overflow may have hit).
pub(crate) fn for_each_stack(mut f: impl FnMut(&'static str, bool, usize)) {
    for t in bluegen_port::threads() {
        // A confined thread's stack has no red zone (isolation).
        #[cfg(feature = "isolation")]
        if t.isolation().regions().is_some() {
            continue;
        }
        f(t.name, t.red_zone_broken(), t.stack_bottom());
    }
    #[cfg(feature = "spawn")]
    for slot in 0..crate::pool::SLOTS {
        if let Some(stack) = crate::pool::stack(slot) {
            f(crate::pool::name(slot), crate::stack::red_zone_broken(stack), stack.as_ptr() as usize);
        }
    }
}
