//! Threads as a device declares them, and the kernel's start-up.
//!
//! bluegen turns each `[threads.<name>]` of device.toml into a [`ThreadSpec`]
//! in the image, sorted by priority at generation time (highest first, ties
//! in file order), and passes them to [`start`]. For now [`start`] runs them
//! one after another on the boot stack; a preemptive scheduler will take the
//! same table, which is why [`ThreadSpec`] already carries priority and
//! stack size.

use crate::console;
use crate::exit::exit;

/// One statically declared thread.
#[derive(Clone, Copy)]
pub struct ThreadSpec {
    /// Its name in device.toml (`[threads.<name>]`).
    pub name: &'static str,
    /// The function it runs, from the device's app crate.
    pub entry: fn(),
    /// 1 (lowest) to 31 (highest).
    pub priority: u8,
    /// Bytes of stack it asked for.
    pub stack_size: usize,
}

/// Runs `threads` in the given order, then ends the run with success.
///
/// With the `banner` feature, first prints one line naming the kernel
/// version and the number of threads.
///
/// Always inlined: the image calls it once, and inlined into the image the
/// loop over a constant table becomes direct calls and the table vanishes.
#[inline(always)]
pub fn start(threads: &'static [ThreadSpec]) -> ! {
    if cfg!(feature = "banner") {
        banner(threads.len());
    }
    for thread in threads {
        (thread.entry)();
    }
    exit(0)
}

fn banner(threads: usize) {
    console::write_str(concat!("bluegen kernel ", env!("CARGO_PKG_VERSION"), ": "));
    console::write_u32(u32::try_from(threads).unwrap_or(u32::MAX));
    console::write_str(if threads == 1 { " thread\n" } else { " threads\n" });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::port::host::{exit_code_of, take_output};
    use std::cell::RefCell;
    use std::vec::Vec;

    std::thread_local! {
        static RAN: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
    }

    fn first() {
        RAN.with(|r| r.borrow_mut().push("first"));
    }

    fn second() {
        RAN.with(|r| r.borrow_mut().push("second"));
    }

    fn fails() {
        exit(3);
    }

    static TWO: [ThreadSpec; 2] = [
        ThreadSpec { name: "high", entry: first, priority: 5, stack_size: 512 },
        ThreadSpec { name: "low", entry: second, priority: 1, stack_size: 1024 },
    ];

    static FAILING: [ThreadSpec; 2] = [
        ThreadSpec { name: "fails", entry: fails, priority: 2, stack_size: 256 },
        ThreadSpec { name: "never", entry: second, priority: 1, stack_size: 256 },
    ];

    #[test]
    fn runs_threads_in_table_order_then_exits_zero() {
        RAN.with(|r| r.borrow_mut().clear());
        assert_eq!(exit_code_of(|| start(&TWO)), 0);
        assert_eq!(RAN.with(|r| r.borrow().clone()), ["first", "second"]);
    }

    #[test]
    fn a_thread_that_exits_ends_the_run() {
        RAN.with(|r| r.borrow_mut().clear());
        assert_eq!(exit_code_of(|| start(&FAILING)), 3);
        assert!(RAN.with(|r| r.borrow().is_empty()));
    }

    #[test]
    fn no_threads_exits_zero() {
        static NONE: [ThreadSpec; 0] = [];
        assert_eq!(exit_code_of(|| start(&NONE)), 0);
    }

    #[test]
    fn banner_names_version_and_thread_count() {
        take_output();
        banner(2);
        let out = std::string::String::from_utf8(take_output()).unwrap();
        if console::ENABLED {
            assert_eq!(out, std::format!("bluegen kernel {}: 2 threads\n", env!("CARGO_PKG_VERSION")));
        } else {
            assert!(out.is_empty());
        }
    }
}
