//! The panic handler of every image: report where, then fail the run.
//!
//! With `panic-location` it prints `panic at <file>:<line>:<col>`, then
//! `: <message>` when the message is a plain string literal
//! ([`core::panic::PanicMessage::as_str`]; formatted messages would need
//! `core::fmt`, which this kernel never links). Then it ends the run with
//! exit code 1. Without the feature it only ends the run.

use core::panic::PanicInfo;

use crate::console;
use crate::exit::exit;

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    if cfg!(feature = "panic-location") {
        console::write_str("panic at ");
        match info.location() {
            Some(location) => {
                console::write_str(location.file());
                console::write_str(":");
                console::write_u32(location.line());
                console::write_str(":");
                console::write_u32(location.column());
            }
            None => console::write_str("an unknown location"),
        }
        if let Some(message) = info.message().as_str() {
            console::write_str(": ");
            console::write_str(message);
        }
        console::write_str("\n");
    }
    exit(1)
}
