//! The threads of example device `hello`.
//!
//! One thread, `main`: it greets on the console and ends the run with
//! success (on QEMU the exit status is 0).

#![no_std]

use bluegen_kernel::{console, exit};

/// The `main` thread.
pub fn main() {
    console::write_str("Hello from bluegen!\n");
    exit(0);
}
