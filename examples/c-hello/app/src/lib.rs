//! The Rust thread of example device `c-hello`.
//!
//! `greeter` runs first (the highest priority) and ends; the C threads of
//! `c/` run after it.

#![no_std]

use bluegen_kernel::console;

/// The `greeter` thread.
pub fn greeter() {
    console::write_str("Hello from Rust, beside C\n");
}
