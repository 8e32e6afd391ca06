//! Isolation: unprivileged threads enter, are confined at each switch, and answer for their faults.
//!
//! With `ISOLATION`, a thread that device.toml does not mark `privileged`
//! drops its privilege before its entry runs ([`thread_enter`]); the
//! switch hands the MPU or PMP its regions ([`protect`]); every kernel
//! call it makes runs privileged (`bluegen_port::privileged`). A fault of
//! its own — an access outside its regions, a stack overflow past its
//! region's bottom, executing RAM — reaches [`thread_fault`], which prints
//! one line naming the thread, the access, the address and the code, and
//! applies the thread's `on-fault` policy: `panic` ends the run, `stop`
//! ends the thread, `restart` lays out its first frame again and sets its
//! statics to their initial values. The other threads run on.
//!
//! A stopped or restarted thread's kernel objects stay as they were: a
//! mutex it held stays held (its owner index is the restarted thread's).

use bluegen_port::{Fault, FaultKind, OnFault, Switch, ThreadSpec};

/// The device's thread `index`, when it runs unprivileged.
#[inline(always)]
fn confined(index: usize) -> Option<&'static ThreadSpec> {
    bluegen_port::threads().get(index).filter(|t| t.isolation().regions().is_some())
}

/// Whether thread `index` runs unprivileged: its stack has no red zone
/// to check (the hardware catches an overflow at its region's bottom,
/// and its policy decides).
#[inline(always)]
pub(crate) fn is_confined(index: usize) -> bool {
    confined(index).is_some()
}

/// The switch, about to run thread `next`: its regions when it is
/// confined, none for a privileged thread or idle (the arch may leave the
/// last ones where they bind no privileged code).
#[inline(always)]
pub(crate) fn protect(cap: &Switch, next: usize) {
    bluegen_port::protect(cap, confined(next).and_then(|t| t.isolation().regions()).unwrap_or(&[]));
}

/// A thread's first step: an unprivileged thread drops its privilege.
pub(crate) fn thread_enter() {
    if is_confined(crate::state::current()) {
        bluegen_port::drop_privilege();
    }
}

/// The running thread, unprivileged, faulted: the report, then its policy.
#[cold]
pub(crate) fn thread_fault(fault: Fault) {
    let current = crate::state::current();
    let Some(thread) = confined(current) else {
        // Not a confined thread of the table: the kernel's own fault.
        report("?", &fault, b"\n");
        crate::exit(1)
    };
    let policy = thread.isolation().on_fault();
    report(thread.name, &fault, match policy {
        OnFault::Panic => b"; panic\n",
        OnFault::Stop => b"; stopped\n",
        OnFault::Restart => b"; restarting\n",
    });
    match policy {
        OnFault::Panic => crate::exit(1),
        OnFault::Stop => bluegen_port::critical(|cs| {
            let _ = crate::state::end_current(cs);
        }),
        OnFault::Restart => {
            fault.reload(thread);
            let sp = crate::stack::init(fault.stack_of(thread), thread.entry);
            bluegen_port::critical(|cs| crate::state::restart_current(cs, sp));
        }
    }
}

/// `fault: thread <name>: <access> 0x<addr> at pc=0x<pc><tail>`.
fn report(name: &str, fault: &Fault, tail: &[u8]) {
    use crate::console::{write_bytes, write_hex, write_str};
    write_str("\nfault: thread ");
    write_str(name);
    write_str(match fault.kind {
        FaultKind::Read => ": read of ",
        FaultKind::Write => ": write to ",
        FaultKind::Access => ": access to ",
        FaultKind::Execute => ": execute at ",
        FaultKind::Stack => ": stack overflow",
        FaultKind::Other => ": trap",
    });
    if let Some(addr) = fault.addr {
        if fault.kind == FaultKind::Stack || fault.kind == FaultKind::Other {
            write_str(" at ");
        }
        write_hex(addr as u32);
    }
    if fault.pc != 0 {
        write_str(" (pc=");
        write_hex(fault.pc as u32);
        write_str(")");
    }
    write_bytes(tail);
}

